import { describe, expect, it } from 'vitest'
import { render } from '@/test/render'
import MarketBadge from './MarketBadge.vue'

describe('MarketBadge', () => {
  it('says the simulator, its pace and that prices are not real', async () => {
    const r = await render(MarketBadge, { info: { market: 'simulator', offline: true, candle_ms: 1000 } })
    expect(r.attr('market-badge', 'data-market')).toBe('simulator')
    expect(r.text('market-badge')).toBe('Simulator market — 1 candle/s, not real prices')
  })
  it('says Binance, and nothing before the answer', async () => {
    const r = await render(MarketBadge, { info: { market: 'binance', offline: false, candle_ms: 60000 } })
    expect(r.text('market-badge')).toBe('Binance market')
    expect((await render(MarketBadge, { info: null })).all('market-badge')).toEqual([])
  })
})
