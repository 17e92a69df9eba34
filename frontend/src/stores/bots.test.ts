import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { bot, botRun, fill, stats } from '@/test/fixtures'
import { asImpl, FakeWebSocket, flush, mockFetch, stubSession } from '@/test/helpers'
import type { Order } from '@/types/api'
import { useBotsStore } from './bots'
import { useRunsStore } from './runs'
import { useTradingStore } from './trading'

describe('bots store', () => {
  beforeEach(() => {
    stubSession('jwt')
    vi.stubGlobal('location', { protocol: 'http:', host: 'localhost:5173' })
    setActivePinia(createPinia())
    FakeWebSocket.reset()
  })
  afterEach(() => {
    useBotsStore().reset()
    useRunsStore().reset()
  })

  it('loads bots and selects the first', async () => {
    mockFetch({ 'GET /api/bots': { body: [bot({ id: 3 }), bot({ id: 4 })] } })
    const bots = useBotsStore()
    await bots.fetchBots()
    expect(bots.bots.map((b) => b.id)).toEqual([3, 4])
    expect(bots.selectedId).toBe(3)
    expect(bots.selected?.id).toBe(3)
    expect(bots.loaded).toBe(true)
  })

  it('creates, updates and deletes', async () => {
    const { calls } = mockFetch({
      'POST /api/bots': { status: 201, body: bot({ id: 7 }) },
      'PUT /api/bots/7': { body: bot({ id: 7, pair: 'ETH/USDT' }) },
      'DELETE /api/bots/7': { status: 204 },
    })
    const bots = useBotsStore()
    const created = await bots.createBot({ strategy: 'grid', pair: 'BTC/USDT', mode: 'paper', config: bot().config })
    expect(created.id).toBe(7)
    await bots.updateBot(7, { pair: 'ETH/USDT' })
    expect(bots.byId(7)?.pair).toBe('ETH/USDT')
    expect(bots.bots).toHaveLength(1)
    await bots.deleteBot(7)
    expect(bots.bots).toHaveLength(0)
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /api/bots', 'PUT /api/bots/7', 'DELETE /api/bots/7'])
  })

  it('starts paper without and live with confirm_live', async () => {
    const { calls } = mockFetch({
      'POST /api/bots/1/start': { status: 202, body: bot({ status: 'starting' }) },
      'POST /api/bots/2/start': { status: 202, body: bot({ id: 2, mode: 'live', status: 'starting' }) },
      'POST /api/bots/1/stop': { status: 202, body: bot({ status: 'stopping' }) },
    })
    const bots = useBotsStore()
    await bots.startBot(1)
    await bots.startBot(2, true)
    expect(calls[0]?.body).toEqual({})
    expect(calls[1]?.body).toEqual({ confirm_live: true })
    expect(bots.byId(1)?.status).toBe('starting')
    await bots.stopBot(1)
    expect(bots.byId(1)?.status).toBe('stopping')
  })

  it('stops keeping the coins, or selling them when asked', async () => {
    const { calls } = mockFetch({ 'POST /api/bots/1/stop': { status: 202, body: bot({ status: 'stopping' }) } })
    const bots = useBotsStore()
    await bots.stopBot(1)
    await bots.stopBot(1, true)
    expect(calls.map((c) => c.body)).toEqual([{ sell: false }, { sell: true }])
  })

  it("a delete refused because the bot runs keeps it, with the server's message", async () => {
    mockFetch({
      'DELETE /api/bots/1': { status: 409, body: { error: { code: 'conflict', message: 'the bot is running; stop it first' } } },
    })
    const bots = useBotsStore()
    bots.upsert(bot({ status: 'running' }))
    await expect(bots.deleteBot(1)).rejects.toThrow('the bot is running; stop it first')
    expect(bots.byId(1)).not.toBeNull()
  })

  it('forgets the runs of a deleted bot', async () => {
    mockFetch({ 'DELETE /api/bots/1': { status: 204 } })
    const bots = useBotsStore()
    const runs = useRunsStore()
    bots.upsert(bot())
    runs.byBot[1] = [botRun(1)]
    await bots.deleteBot(1)
    expect(runs.byBot[1]).toBeUndefined()
  })

  it('surfaces a start refusal with its field', async () => {
    mockFetch({
      'POST /api/bots/1/start': {
        status: 422,
        body: { error: { code: 'validation', message: 'refused', fields: { api_keys: 'no keys stored' } } },
      },
    })
    await expect(useBotsStore().startBot(1, true)).rejects.toMatchObject({ fields: { api_keys: 'no keys stored' } })
  })

  it('fetches stats', async () => {
    mockFetch({ 'GET /api/bots/1/stats': { body: stats() } })
    const bots = useBotsStore()
    await bots.fetchStats(1)
    expect(bots.stats[1]?.open_orders).toBe(19)
  })

  it('applies stream messages: status, stats, fill, error', () => {
    mockFetch({})
    const bots = useBotsStore()
    const trading = useTradingStore()
    bots.upsert(bot())
    trading.fillsBotId = 1

    bots.handleMessage(1, { type: 'status', bot: bot({ status: 'running' }) })
    expect(bots.byId(1)?.status).toBe('running')
    bots.handleMessage(1, { type: 'stats', stats: stats({ open_orders: 18 }) })
    expect(bots.stats[1]?.open_orders).toBe(18)
    bots.handleMessage(1, { type: 'order', order: { id: 50, bot_id: 1, client_order_id: 'gb1-1-3b0' } as Order })
    expect(trading.clientIds[50]).toBe('gb1-1-3b0')
    bots.handleMessage(1, { type: 'fill', fill: fill(5) })
    expect(trading.fills.map((f) => f.id)).toEqual([5])
    bots.handleMessage(1, { type: 'error', message: 'exchange down' })
    expect(bots.streamErrors[1]).toBe('exchange down')
    bots.handleMessage(1, { type: 'status', bot: bot({ status: 'running', generation: 1 }) })
    expect(bots.streamErrors[1]).toBeUndefined()
  })

  it("keeps a stream's newer status over a command's older reply", async () => {
    // The worker was faster than the reply: the stream said running before the start request answered starting.
    mockFetch({
      'POST /api/bots/1/start': { status: 202, body: bot({ status: 'starting', updated_at: '2026-11-24T02:36:20.3Z' }) },
    })
    const bots = useBotsStore()
    bots.upsert(bot({ status: 'stopped', updated_at: '2026-11-24T02:36:19.19Z' }))
    bots.handleMessage(1, { type: 'status', bot: bot({ status: 'running', updated_at: '2026-11-24T02:36:20.300948Z' }) })
    await bots.startBot(1)
    expect(bots.byId(1)?.status).toBe('running')
    // a newer change still lands
    bots.handleMessage(1, { type: 'status', bot: bot({ status: 'stopping', updated_at: '2026-11-24T02:36:25Z' }) })
    expect(bots.byId(1)?.status).toBe('stopping')
  })

  it('opens one stream per bot, follows the list, and catches up on open', async () => {
    const { calls } = mockFetch({ 'GET /api/bots/1/stats': { body: stats() }, 'GET /api/bots/2/stats': { body: stats() } })
    const bots = useBotsStore()
    bots.useSocketImpl(asImpl(FakeWebSocket))
    bots.upsert(bot({ id: 1 }))
    bots.upsert(bot({ id: 2 }))
    bots.syncStreams()
    expect(FakeWebSocket.instances.map((s) => s.url)).toEqual([
      'ws://localhost:5173/ws/bot/1?token=jwt',
      'ws://localhost:5173/ws/bot/2?token=jwt',
    ])
    bots.syncStreams()
    expect(FakeWebSocket.instances).toHaveLength(2)

    const ws1 = FakeWebSocket.instances[0]!
    ws1.open()
    await flush()
    expect(calls.some((c) => c.url === '/api/bots/1/stats')).toBe(true)
    ws1.receive({ type: 'status', bot: bot({ id: 1, status: 'error', stop_reason: 'stop loss hit' }) })
    expect(bots.byId(1)?.stop_reason).toBe('stop loss hit')

    bots.bots = bots.bots.filter((b) => b.id !== 1)
    bots.syncStreams()
    expect(ws1.closedByClient).toBe(true)
    bots.closeStreams()
    expect(FakeWebSocket.instances[1]!.closedByClient).toBe(true)
  })

  it("refreshes the shown bot's runs once after a burst of status and fill messages", async () => {
    vi.useFakeTimers()
    try {
      const { calls } = mockFetch({ 'GET /api/bots/1/runs': { body: [botRun(1, { current: true })] } })
      const bots = useBotsStore()
      bots.upsert(bot())
      bots.upsert(bot({ id: 2 }))
      bots.select(1)
      bots.handleMessage(2, { type: 'status', bot: bot({ id: 2, status: 'running', generation: 1 }) })
      bots.handleMessage(1, { type: 'status', bot: bot({ status: 'running', generation: 1 }) })
      bots.handleMessage(1, { type: 'fill', fill: fill(5) })
      bots.handleMessage(1, { type: 'fill', fill: fill(7) })
      await vi.advanceTimersByTimeAsync(2000)
      expect(calls.filter((c) => c.url === '/api/bots/1/runs')).toHaveLength(1)
      expect(calls.filter((c) => c.url === '/api/bots/2/runs')).toHaveLength(0)
      expect(useRunsStore().byBot[1]?.[0]?.current).toBe(true)
    } finally {
      useRunsStore().reset()
      useTradingStore().reset()
      vi.useRealTimers()
    }
  })
})
