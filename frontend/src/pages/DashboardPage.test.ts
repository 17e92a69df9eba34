import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useBotsStore } from '@/stores/bots'
import { useMarketStore } from '@/stores/market'
import { useRunsStore } from '@/stores/runs'
import { useTradingStore } from '@/stores/trading'
import { bot, botRun, fill, stats } from '@/test/fixtures'
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
})
