import { describe, expect, it } from 'vitest'
import { add, cmp, fractionDigits, isDecimal, mul, normalize, parseDecimal, round, shift, sign, sub, sum } from './decimal'

describe('parseDecimal', () => {
  it.each([
    ['95000.5', 950005n, 1],
    ['-3.1', -31n, 1],
    ['+7', 7n, 0],
    ['0.00526', 526n, 5],
    ['.5', 5n, 1],
    ['5.', 5n, 0],
    ['007.50', 750n, 2],
    [' 12 ', 12n, 0],
  ])('%s', (s, units, scale) => {
    expect(parseDecimal(s)).toEqual({ units, scale })
  })

  it.each(['', '-', '.', 'abc', '1e5', '1,000', '1.2.3', 'NaN', '--1'])('rejects %j', (s) => {
    expect(parseDecimal(s)).toBeNull()
    expect(isDecimal(s)).toBe(false)
  })

  it('rejects null and undefined', () => {
    expect(parseDecimal(null)).toBeNull()
    expect(parseDecimal(undefined)).toBeNull()
  })
})

describe('arithmetic', () => {
  it('adds exactly where floats do not', () => {
    expect(add('0.1', '0.2')).toBe('0.3')
    expect(add('95000.5', '-0.5')).toBe('95000')
    expect(add('99999999999999999999.99', '0.01')).toBe('100000000000000000000')
  })

  it('subtracts across signs and scales', () => {
    expect(sub('12.5', '3.125')).toBe('9.375')
    expect(sub('1', '1.000')).toBe('0')
    expect(sub('-0.1', '0.2')).toBe('-0.3')
    expect(sub('0', '4.2')).toBe('-4.2')
  })

  it('multiplies', () => {
    expect(mul('0.00526', '100000')).toBe('526')
    expect(mul('-1.5', '1.5')).toBe('-2.25')
  })

  it('sums, skipping nulls', () => {
    expect(sum(['1.1', null, '2.2', undefined, '-0.3'])).toBe('3')
    expect(sum([])).toBe('0')
  })

  it('compares', () => {
    expect(cmp('95000', '105000')).toBe(-1)
    expect(cmp('1.10', '1.1')).toBe(0)
    expect(cmp('-1', '-2')).toBe(1)
    expect(cmp('0.000001', '0')).toBe(1)
  })

  it('signs', () => {
    expect(sign('-0.0')).toBe(0)
    expect(sign('-0.01')).toBe(-1)
    expect(sign('3')).toBe(1)
  })

  it('throws on a non-decimal operand', () => {
    expect(() => add('1', 'x')).toThrow(TypeError)
  })
})

describe('shift, round, normalize', () => {
  it('shifts the decimal point', () => {
    expect(shift('0.8333', 2)).toBe('83.33')
    expect(shift('1', 2)).toBe('100')
    expect(shift('0.5', 3)).toBe('500')
    expect(shift('83.33', -2)).toBe('0.8333')
  })

  it('rounds half away from zero', () => {
    expect(round('2.345', 2)).toBe('2.35')
    expect(round('-2.345', 2)).toBe('-2.35')
    expect(round('2.344', 2)).toBe('2.34')
    expect(round('0.005', 2)).toBe('0.01')
    expect(round('-0.004', 2)).toBe('0')
    expect(round('9.999', 2)).toBe('10')
    expect(round('7', 2)).toBe('7')
  })

  it('normalizes', () => {
    expect(normalize('007.500')).toBe('7.5')
    expect(normalize('-0.000')).toBe('0')
    expect(normalize('0.010')).toBe('0.01')
  })

  it('counts fraction digits', () => {
    expect(fractionDigits('0.01')).toBe(2)
    expect(fractionDigits('0.00001000')).toBe(5)
    expect(fractionDigits('1')).toBe(0)
  })
})
