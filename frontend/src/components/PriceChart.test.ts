import { afterEach, describe, expect, it, vi } from 'vitest'
import { useMarketStore } from '@/stores/market'
import { fill, stats } from '@/test/fixtures'
import { render, testPinia } from '@/test/render'
import { meanReversionBands } from '@/utils/bands'
import PriceChart from './PriceChart.vue'

const candle = (time: number) => ({ time, open: '100', high: '102', low: '99', close: '101', volume: '1' })

describe('PriceChart', () => {
  afterEach(() => vi.useRealTimers())

  it("marks fills on the market's clock: a simulator 10 hours ahead of the wall clock", async () => {
    const wallNow = Date.UTC(2026, 10, 23, 10, 0)
    vi.useFakeTimers({ now: wallNow, toFake: ['Date'] })
    const marketNow = wallNow + 10 * 3600_000
    const pinia = testPinia()
    const m = useMarketStore()
    m.candles = Array.from({ length: 30 }, (_, i) => candle(marketNow / 1000 - (29 - i) * 60))
    // trades seen: the market runs 60× the wall clock
    m.clock = [
      { wall: wallNow - 10_000, market: marketNow - 600_000 },
      { wall: wallNow, market: marketNow },
    ]
    const fills = [
      fill(1, { time: new Date(wallNow - 5_000).toISOString(), price: '100' }),
      fill(2, { time: new Date(wallNow - 1_000).toISOString(), price: '101.5' }),
    ]
    const r = await render(PriceChart, { levels: stats().levels, fills }, pinia)
    expect(r.attr('price-chart', 'data-run-fills')).toBe('2')
    expect(r.attr('price-chart', 'data-fills')).toBe('2')
    expect(r.attr('price-chart', 'data-candles')).toBe('30')
    expect(r.attr('price-chart', 'data-buy-lines')).toBe('1')
  })

  it('before any trade is seen, marks fills only when the candles run on the wall clock', async () => {
    const now = Date.UTC(2026, 10, 23, 10, 0, 30)
    vi.useFakeTimers({ now, toFake: ['Date'] })
    const fills = [fill(1, { time: new Date(now - 120_000).toISOString(), price: '100' })]

    let pinia = testPinia()
    useMarketStore().candles = Array.from({ length: 10 }, (_, i) => candle(Math.floor(now / 60_000) * 60 - (9 - i) * 60))
    expect((await render(PriceChart, { levels: [], fills }, pinia)).attr('price-chart', 'data-fills')).toBe('1')

    pinia = testPinia()
    useMarketStore().candles = Array.from({ length: 10 }, (_, i) => candle(now / 1000 + 36_000 + i * 60))
    expect((await render(PriceChart, { levels: [], fills }, pinia)).attr('price-chart', 'data-fills')).toBe('0')
  })

  it("draws a mean-reversion bot's average and lower band: one point per candle with a full window", async () => {
    const pinia = testPinia()
    useMarketStore().candles = Array.from({ length: 30 }, (_, i) => candle(1_747_699_200 + i * 60))
    const bands = meanReversionBands(useMarketStore().candles, 20, '2')
    const r = await render(PriceChart, { levels: [], fills: [], bands, entryPrice: '100', markerText: { buy: 'entry', sell: 'exit' } }, pinia)
    expect(r.attr('price-chart', 'data-bands')).toBe('11')
    expect(r.attr('price-chart', 'data-levels')).toBe('0')
    expect((await render(PriceChart, { levels: [], fills: [] }, pinia)).attr('price-chart', 'data-bands')).toBe('0')
  })
})
