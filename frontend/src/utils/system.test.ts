import { describe, expect, it } from 'vitest'
import { marketBadge, pace } from './system'

describe('market badge', () => {
  it('the simulator says its pace and that prices are not real', () => {
    const b = marketBadge({ market: 'simulator', offline: true, candle_ms: 1000 })
    expect(b?.market).toBe('simulator')
    expect(b?.label).toBe('Simulator market — 1 candle/s, not real prices')
    expect(b?.detail).toContain('every 1 s')
    expect(marketBadge({ market: 'simulator', offline: true, candle_ms: null })?.label).toBe('Simulator market, not real prices')
  })
  it('Binance', () => {
    expect(marketBadge({ market: 'binance', offline: false, candle_ms: 60000 })?.label).toBe('Binance market')
    expect(marketBadge(null)).toBeNull()
  })
  it.each([
    [1000, '1 candle/s'],
    [17, '58.8 candles/s'],
    [500, '2 candles/s'],
    [2000, '1 candle every 2 s'],
    [60000, '1 candle every 60 s'],
    [null, null],
    [0, null],
  ])('pace %s → %s', (ms, want) => {
    expect(pace(ms)).toBe(want)
  })
})
