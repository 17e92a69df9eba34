import { describe, expect, it } from 'vitest'
import { instantKey } from './instant'

describe('instantKey', () => {
  it('orders instants whatever their number of fraction digits', () => {
    const sorted = [
      '2026-11-24T02:36:20Z',
      '2026-11-24T02:36:20.3Z',
      '2026-11-24T02:36:20.300948Z',
      '2026-11-24T02:36:20.300948001Z',
      '2026-11-24T02:36:21Z',
    ]
    const keys = sorted.map(instantKey)
    expect([...keys].sort()).toEqual(keys)
    // the bare strings do not sort so: '.3Z' > '.300948Z'
    expect('2026-11-24T02:36:20.3Z' > '2026-11-24T02:36:20.300948Z').toBe(true)
    expect(instantKey('2026-11-24T02:36:20.3Z') < instantKey('2026-11-24T02:36:20.300948Z')).toBe(true)
  })

  it('tells apart changes less than a millisecond apart', () => {
    expect(instantKey('2026-11-24T02:36:20.300100Z') < instantKey('2026-11-24T02:36:20.300900Z')).toBe(true)
  })
})
