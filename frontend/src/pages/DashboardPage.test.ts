import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useBotsStore } from '@/stores/bots'
import { useMarketStore } from '@/stores/market'
import { useRunsStore } from '@/stores/runs'
import { useTradingStore } from '@/stores/trading'
import { bot, botRun, fill, mrBot, mrStats, stats } from '@/test/fixtures'
import { asImpl, FakeWebSocket, mockFetch, stubSession } from '@/test/helpers'
import { render, testPinia } from '@/test/render'
import DashboardPage from './DashboardPage.vue'

describe('DashboardPage', () => {
  beforeEach(() => {
    stubSession('jwt')
    vi.stubGlobal('location', { protocol: 'http:', host: 'localhost:5173' })
    FakeWebSocket.reset()
  })
  afterEach(() => {
    useBotsStore().reset()
    useRunsStore().reset()
    useTradingStore().reset()
    useMarketStore().reset()
  })

  it("a bot's page: its chart marks the current run's fills only, with its levels, runs and delete", async () => {
    const pinia = testPinia()
    const running = bot({ status: 'running', generation: 2 })
    const runs = [botRun(2, { current: true, started_at: '2026-11-23T10:30:00Z' }), botRun(1)]
    const fills = [
      fill(1, { order_id: 10, time: '2026-11-23T10:01:00Z' }), // run 1
      fill(2, { order_id: 20, time: '2026-11-23T10:31:00Z' }), // run 2
      fill(3, { order_id: 30, time: '2026-11-23T10:32:00Z' }), // run 2, its order not read yet
    ]
    mockFetch({
      'GET /api/bots': { body: [running] },
      'GET /api/bots/1/stats': { body: stats() },
      'GET /api/bots/1/runs': { body: runs },
      'GET /api/fills': { body: fills },
      'GET /api/orders': { body: [] },
      'GET /api/market/candles/BTCUSDT': { body: [] },
      'GET /api/market/symbols': { body: [] },
    })
    const bots = useBotsStore()
    bots.useSocketImpl(asImpl(FakeWebSocket))
    useMarketStore().useSocketImpl(asImpl(FakeWebSocket))
    bots.upsert(running)
    bots.select(1)
    bots.stats[1] = stats()
    useRunsStore().byBot[1] = runs
    const trading = useTradingStore()
    trading.fills = fills
    trading.fillsBotId = 1
    trading.clientIds = { 10: 'gb1-1-3b0', 20: 'gb1-2-init' }

    const r = await render(DashboardPage, { botId: 1 }, pinia)
    expect(r.attr('bot-detail', 'data-bot-id')).toBe('1')
    expect(r.attr('price-chart', 'data-run-fills')).toBe('2')
    expect(r.all('trade-row')).toHaveLength(3)
    expect(r.all('level-row')).toHaveLength(3)
    expect(r.all('run-row')).toHaveLength(2)
    expect(r.all('bot-delete')).toHaveLength(1)
  })

  it("a mean-reversion bot's page: the bands over the candles, entry and exit marks, its position, no levels", async () => {
    const pinia = testPinia()
    const running = mrBot({ status: 'running', generation: 1 })
    const candles = Array.from({ length: 12 }, (_, i) => ({
      time: 1_747_699_200 + i * 60, open: '95000', high: '95100', low: '94900', close: String(95000 + (i % 3) * 10), volume: '1',
    }))
    mockFetch({
      'GET /api/bots': { body: [running] },
      'GET /api/bots/2/stats': { body: mrStats() },
      'GET /api/bots/2/runs': { body: [] },
      'GET /api/fills': { body: [] },
      'GET /api/orders': { body: [] },
      'GET /api/market/candles/BTCUSDT': { body: candles },
      'GET /api/market/symbols': { body: [] },
    })
    const bots = useBotsStore()
    bots.useSocketImpl(asImpl(FakeWebSocket))
    const market = useMarketStore()
    market.useSocketImpl(asImpl(FakeWebSocket))
    bots.upsert(running)
    bots.select(2)
    bots.stats[2] = mrStats()
    market.candles = candles
    market.candlesSymbol = 'BTCUSDT'

    const r = await render(DashboardPage, { botId: 2 }, pinia)
    // window 5: a point for each candle from the 5th
    expect(r.attr('price-chart', 'data-bands')).toBe('8')
    expect(r.text('chart-legend')).toContain('5-candle average')
    expect(r.text('chart-legend')).toContain('entry')
    expect(r.text('stat-position-entry')).toBe('95,000.00 USDT')
    expect(r.text('levels-none')).toContain('mean reversion holds one position at a time')
    expect(r.all('level-row')).toEqual([])
  })
})
