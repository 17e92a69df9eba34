import { describe, expect, it } from 'vitest'
import {
  EMPTY,
  formatDecimal,
  formatFraction,
  formatMoney,
  formatPercent,
  formatPnl,
  formatPrice,
  formatQty,
  pnlClass,
  pnlSign,
} from './format'

describe('formatDecimal', () => {
  it('groups thousands and rounds on the string', () => {
    expect(formatDecimal('1234567.891', { maxFrac: 2 })).toBe('1,234,567.89')
    expect(formatDecimal('0.125', { maxFrac: 2 })).toBe('0.13')
    expect(formatDecimal('999.995', { minFrac: 2, maxFrac: 2 })).toBe('1,000.00')
  })

  it('pads to minFrac and trims to it', () => {
    expect(formatDecimal('5', { minFrac: 2, maxFrac: 4 })).toBe('5.00')
    expect(formatDecimal('5.12000', { minFrac: 2, maxFrac: 4 })).toBe('5.12')
  })

  it('shows missing or invalid values as a dash', () => {
    expect(formatDecimal(null)).toBe(EMPTY)
    expect(formatDecimal(undefined)).toBe(EMPTY)
    expect(formatDecimal('oops')).toBe(EMPTY)
  })

  it('does not show minus zero', () => {
    expect(formatDecimal('-0.001', { maxFrac: 2 })).toBe('0')
    expect(formatDecimal('-0.001', { maxFrac: 2, signed: true })).toBe('0')
  })

  it('can leave out grouping', () => {
    expect(formatDecimal('1234.5', { group: false })).toBe('1234.5')
  })
})

describe('money and prices', () => {
  it('formats money with its currency', () => {
    expect(formatMoney('10010.5', 'USDT')).toBe('10,010.50 USDT')
    expect(formatMoney('-3.1', 'USDT')).toBe('-3.10 USDT')
    expect(formatMoney('1', null)).toBe('1.00')
    expect(formatMoney(null, 'USDT')).toBe(EMPTY)
  })

  it('signs P&L', () => {
    expect(formatPnl('12.5', 'USDT')).toBe('+12.50 USDT')
    expect(formatPnl('-3.1', 'USDT')).toBe('-3.10 USDT')
    expect(formatPnl('0', 'USDT')).toBe('0.00 USDT')
  })

  it('keeps a price precision between 2 and 8 decimals', () => {
    expect(formatPrice('100123.45', 'USDT')).toBe('100,123.45 USDT')
    expect(formatPrice('95000')).toBe('95,000.00')
    expect(formatPrice('0.000012345678')).toBe('0.00001235')
  })

  it('formats quantities without trailing zeros', () => {
    expect(formatQty('0.00526000', 'BTC')).toBe('0.00526 BTC')
    expect(formatQty('2')).toBe('2')
  })
})

describe('percentages', () => {
  it('shows fractions as percent', () => {
    expect(formatFraction('0.8333')).toBe('83.33%')
    expect(formatFraction('1')).toBe('100.00%')
    expect(formatFraction('0.0123', 1)).toBe('1.2%')
    expect(formatFraction(null)).toBe(EMPTY)
  })

  it('shows percent values', () => {
    expect(formatPercent('2')).toBe('2%')
    expect(formatPercent('1.256')).toBe('1.26%')
    expect(formatPercent(null)).toBe(EMPTY)
  })
})

describe('pnl colouring', () => {
  it('signs and classes', () => {
    expect(pnlSign('1')).toBe(1)
    expect(pnlSign('-1')).toBe(-1)
    expect(pnlSign(null)).toBe(0)
    expect(pnlClass('2')).toContain('emerald')
    expect(pnlClass('-2')).toContain('red')
    expect(pnlClass('0')).toContain('slate')
  })
})
