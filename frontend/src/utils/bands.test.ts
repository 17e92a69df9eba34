import { describe, expect, it } from 'vitest'
import { belowBand, meanReversionBands } from './bands'

const candles = (closes: string[], t0 = 1_747_699_200) => closes.map((close, i) => ({ time: t0 + i * 60, close }))

describe('mean-reversion bands', () => {
  it('is the moving average and mean − k·σ with the population σ, from the window-th candle on', () => {
    // closes 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population σ 2 (the textbook example)
    const c = candles(['2', '4', '4', '4', '5', '5', '7', '9'])
    const b = meanReversionBands(c, 8, '2')
    expect(b).toHaveLength(1)
    expect(b[0]!.time).toBe(c[7]!.time)
    expect(b[0]!.mean).toBeCloseTo(5, 12)
    expect(b[0]!.lower).toBeCloseTo(1, 12)
  })

  it('slides over the last `window` closes', () => {
    const b = meanReversionBands(candles(['1', '3', '5', '7']), 2, '1.5')
    expect(b.map((p) => p.time - 1_747_699_200)).toEqual([60, 120, 180])
    // each pair a, a+2: mean a+1, σ 1
    expect(b.map((p) => p.mean)).toEqual([2, 4, 6])
    expect(b.map((p) => p.lower)).toEqual([0.5, 2.5, 4.5])
  })

  it('a flat market has no width: the band is the mean', () => {
    const b = meanReversionBands(candles(Array(20).fill('95000.5')), 20, '2')
    expect(b).toEqual([{ time: 1_747_699_200 + 19 * 60, mean: 95000.5, lower: 95000.5 }])
  })

  it('matches the spec on BTC-sized prices: entry when the close is below the band', () => {
    const closes = ['100000', '100100', '99900', '100050', '99950', '99000']
    const [p] = meanReversionBands(candles(closes), 6, '2')
    const xs = closes.map(Number)
    const mean = xs.reduce((a, x) => a + x, 0) / 6
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / 6)
    expect(p!.mean).toBeCloseTo(mean, 6)
    expect(p!.lower).toBeCloseTo(mean - 2 * sd, 6)
    // the spec's exact test (D = S1 − n·c > 0 and D² > k²(n·S2 − S1²)) agrees for the last close
    const S1 = xs.reduce((a, x) => a + x, 0)
    const S2 = xs.reduce((a, x) => a + x * x, 0)
    const D = S1 - 6 * 99000
    expect(D > 0 && D * D > 4 * (6 * S2 - S1 * S1)).toBe(belowBand(99000, p!))
  })

  it('no points for fewer closes than the window, a bad window or band; a bad close restarts it', () => {
    expect(meanReversionBands(candles(['1', '2']), 3, '2')).toEqual([])
    expect(meanReversionBands(candles(['1', '2', '3']), 1, '2')).toEqual([])
    expect(meanReversionBands(candles(['1', '2', '3']), 2, 'x')).toEqual([])
    expect(meanReversionBands(candles(['1', '2', 'NaN', '3', '5']), 2, 1).map((p) => p.mean)).toEqual([1.5, 4])
  })
})
