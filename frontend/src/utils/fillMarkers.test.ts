import { describe, expect, it } from 'vitest'
import { fill } from '@/test/fixtures'
import { placeFills, type Bar } from './fillMarkers'

// candles of a market whose clock is 10 hours ahead of the wall clock (a simulator playing fast)
const AHEAD_MS = 10 * 3600_000
const T0 = Date.UTC(2026, 10, 23, 20, 0) / 1000
const bars: Bar[] = Array.from({ length: 10 }, (_, i) => ({
  time: T0 + i * 60,
  low: String(100 + i),
  high: String(102 + i),
}))
const wallOf = (marketSec: number) => new Date(marketSec * 1000 - AHEAD_MS).toISOString()
const ahead = (wall: number) => wall + AHEAD_MS

describe('fill markers', () => {
  it("put each fill on the market's candle it happened in, not at its wall-clock time", () => {
    const f = fill(1, { time: wallOf(T0 + 3 * 60 + 20), price: '104' })
    expect(placeFills([f], bars, ahead)).toEqual([{ fill: f, time: T0 + 180 }])
    // the wall clock alone puts it 10 hours before the chart: left out, the bug traders saw
    expect(placeFills([f], bars, (w) => w)).toEqual([])
  })

  it('move a fill to the nearest candle that traded at its price, the earlier on a tie', () => {
    // estimated in candle 5 (range 105–107), but it filled at 103: candles 1–3 hold it, 3 is the nearest
    const f = fill(2, { time: wallOf(T0 + 5 * 60 + 10), price: '103' })
    expect(placeFills([f], bars, ahead)[0]?.time).toBe(T0 + 3 * 60)
    // 107.5 is held by candle 6 (106–108) and 7 (107–109); the estimate in 8: 7 is nearer
    const g = fill(3, { time: wallOf(T0 + 8 * 60), price: '107.5' })
    expect(placeFills([g], bars, ahead)[0]?.time).toBe(T0 + 7 * 60)
    // held by none: stays at the estimate
    const h = fill(4, { time: wallOf(T0 + 2 * 60), price: '500' })
    expect(placeFills([h], bars, ahead)[0]?.time).toBe(T0 + 2 * 60)
  })

  it('a fill after the last candle goes on the last; one the clock cannot place yet is left out', () => {
    const f = fill(5, { time: wallOf(T0 + 30 * 60), price: '110' })
    expect(placeFills([f], bars, ahead)[0]?.time).toBe(T0 + 9 * 60)
    expect(placeFills([f], bars, () => null)).toEqual([])
    expect(placeFills([f], [], ahead)).toEqual([])
    expect(placeFills([fill(6, { time: 'not a time' })], bars, ahead)).toEqual([])
  })

  it('come out in time order', () => {
    const a = fill(7, { time: wallOf(T0 + 6 * 60), price: '107' })
    const b = fill(8, { time: wallOf(T0 + 1 * 60), price: '101' })
    expect(placeFills([a, b], bars, ahead).map((p) => p.fill.id)).toEqual([8, 7])
  })
})
