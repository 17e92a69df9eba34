import { describe, expect, it } from 'vitest'
import { addSample, MAX_SAMPLES, onWallClock, pace, wallToMarket, type ClockSample } from './marketClock'

// a simulator playing 60× real time: one market minute per wall second
const sim = (wall: number): ClockSample => ({ wall, market: 1_000_000_000 + (wall - 5_000) * 60 })

describe('market clock', () => {
  it('takes one sample a second, never going back, and keeps the last MAX_SAMPLES', () => {
    let s = addSample([], sim(5_000))
    s = addSample(s, sim(5_400))
    expect(s).toHaveLength(1)
    s = addSample(s, sim(6_000))
    expect(s).toHaveLength(2)
    s = addSample(s, { wall: 8_000, market: 0 })
    expect(s).toHaveLength(2)
    let many: readonly ClockSample[] = []
    for (let i = 0; i < MAX_SAMPLES + 10; i++) many = addSample(many, sim(5_000 + i * 1000))
    expect(many).toHaveLength(MAX_SAMPLES)
    expect(many[0]).toEqual(sim(15_000))
  })

  it('measures the pace once the samples span two seconds', () => {
    expect(pace([sim(5_000)])).toBeNull()
    expect(pace([sim(5_000), sim(6_000)])).toBeNull()
    expect(pace([sim(5_000), sim(6_000), sim(7_000)])).toBe(60)
  })

  it('maps wall time to market time: between samples, and before and after them at the measured pace', () => {
    const s = [sim(5_000), sim(6_000), sim(7_000), sim(8_000)]
    expect(wallToMarket(s, 6_500)).toBe(sim(6_500).market)
    expect(wallToMarket(s, 8_000)).toBe(sim(8_000).market)
    expect(wallToMarket(s, 2_000)).toBe(sim(2_000).market) // a fill booked before the page opened
    expect(wallToMarket(s, 8_700)).toBe(sim(8_700).market) // a fill booked after the last trade seen
    // a pause: the market's time stands still between two samples
    const paused = [sim(5_000), { wall: 9_000, market: sim(5_000).market }]
    expect(wallToMarket(paused, 7_000)).toBe(sim(5_000).market)
  })

  it('without a pace, maps only instants near a sample, at the pace of real time; nothing without samples', () => {
    expect(wallToMarket([], 1)).toBeNull()
    const one = [sim(5_000)]
    expect(wallToMarket(one, 6_000)).toBe(sim(5_000).market + 1_000)
    expect(wallToMarket(one, 60_000)).toBeNull()
  })

  it('tells a market on the wall clock (a real exchange) from one that is not', () => {
    const now = Date.UTC(2026, 10, 23, 10, 30, 20)
    expect(onWallClock(Date.UTC(2026, 10, 23, 10, 30) / 1000, 60, now)).toBe(true)
    expect(onWallClock(Date.UTC(2026, 10, 23, 10, 29) / 1000, 60, now)).toBe(true)
    expect(onWallClock(Date.UTC(2026, 10, 23, 18, 0) / 1000, 60, now)).toBe(false)
    expect(onWallClock(Date.UTC(2026, 10, 23, 9, 0) / 1000, 60, now)).toBe(false)
  })
})
