import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fill, summary } from '@/test/fixtures'
import type { Order } from '@/types/api'
import { mockFetch, stubSession } from '@/test/helpers'
import { FILL_HISTORY, ORDER_HISTORY, useTradingStore } from './trading'

describe('trading store', () => {
  beforeEach(() => {
    stubSession('jwt')
    setActivePinia(createPinia())
  })
  afterEach(() => {
    useTradingStore().reset()
    vi.useRealTimers()
  })

  it('fetches the summary and keeps the last one on error', async () => {
    let fail = false
    mockFetch({
      'GET /api/summary': () =>
        fail ? { status: 500, body: { error: { code: 'internal', message: 'oops' } } } : { body: summary },
    })
    const t = useTradingStore()
    await t.fetchSummary()
    expect(t.summary?.pnl_total).toBe('10.5')
    expect(t.summaryError).toBeNull()
    fail = true
    await t.fetchSummary()
    expect(t.summary?.pnl_total).toBe('10.5')
    expect(t.summaryError).toBe('oops')
  })

  it('polls the summary and debounces stream-triggered refreshes', async () => {
    vi.useFakeTimers()
    const { calls } = mockFetch({ 'GET /api/summary': { body: summary } })
    const t = useTradingStore()
    t.startSummaryPolling(15000)
    expect(calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(15000)
    expect(calls).toHaveLength(2)

    t.refreshSummarySoon(1000)
    t.refreshSummarySoon(1000)
    t.refreshSummarySoon(1000)
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls).toHaveLength(3)

    t.stopSummaryPolling()
    await vi.advanceTimersByTimeAsync(60000)
    expect(calls).toHaveLength(3)
  })

  it('emergency stop posts and refreshes the summary', async () => {
    const { calls } = mockFetch({
      'POST /api/emergency-stop': { body: { stopped_bots: [1, 2], cancelled_orders: [] } },
      'GET /api/summary': { body: { ...summary, bots_running: 0 } },
    })
    const t = useTradingStore()
    const res = await t.emergencyStop()
    expect(res.stopped_bots).toEqual([1, 2])
    expect(t.summary?.bots_running).toBe(0)
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /api/emergency-stop', 'GET /api/summary'])
  })

  it('a paper reset posts and refreshes the summary, and its refusal reaches the caller', async () => {
    const { calls } = mockFetch({
      'POST /api/paper/reset': { body: { balances: [{ asset: 'USDT', free: '10000', locked: '0' }] } },
      'GET /api/summary': { body: { ...summary, balance_quote: '10000' } },
    })
    const t = useTradingStore()
    await t.resetPaper()
    expect(t.summary?.balance_quote).toBe('10000')
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /api/paper/reset', 'GET /api/summary'])

    mockFetch({
      'POST /api/paper/reset': {
        status: 409,
        body: { error: { code: 'conflict', message: 'paper bot 1 is running: stop every paper bot first' } },
      },
    })
    await expect(useTradingStore().resetPaper()).rejects.toThrow(/stop every paper bot/)
  })

  it('loads fills for a bot, newest first', async () => {
    const { calls } = mockFetch({ 'GET /api/fills': { body: [fill(1), fill(3), fill(2)] } })
    const t = useTradingStore()
    await t.fetchFills(1)
    expect(calls[0]?.url).toBe(`/api/fills?bot_id=1&limit=${FILL_HISTORY}`)
    expect(t.fills.map((f) => f.id)).toEqual([3, 2, 1])
  })

  it('grows live from fill messages, ignoring duplicates and other bots', async () => {
    mockFetch({ 'GET /api/fills': { body: [fill(1)] } })
    const t = useTradingStore()
    await t.fetchFills(1)
    t.applyFill(fill(2))
    t.applyFill(fill(2))
    t.applyFill(fill(9, { bot_id: 2 }))
    expect(t.fills.map((f) => f.id)).toEqual([2, 1])
  })

  it('keeps at most FILL_HISTORY fills', async () => {
    mockFetch({ 'GET /api/fills': { body: Array.from({ length: FILL_HISTORY }, (_, i) => fill(i + 1)) } })
    const t = useTradingStore()
    await t.fetchFills(1)
    t.applyFill(fill(FILL_HISTORY + 1))
    expect(t.fills).toHaveLength(FILL_HISTORY)
    expect(t.fills[0]?.id).toBe(FILL_HISTORY + 1)
    expect(t.fills.some((f) => f.id === 1)).toBe(false)
  })

  it("reads the filled orders' client ids with the fills, and learns new ones from the stream", async () => {
    const order = (id: number, cid: string, bot_id = 1) => ({ id, bot_id, client_order_id: cid }) as Order
    const { calls } = mockFetch({
      'GET /api/fills': { body: [fill(1, { order_id: 10 })] },
      'GET /api/orders': { body: [order(10, 'gb1-0-init')] },
    })
    const t = useTradingStore()
    await t.fetchFills(1)
    expect(calls.map((c) => c.url)).toEqual([
      `/api/fills?bot_id=1&limit=${FILL_HISTORY}`,
      `/api/orders?bot_id=1&status=filled%2Cpartially_filled&limit=${ORDER_HISTORY}`,
    ])
    expect(t.clientIds).toEqual({ 10: 'gb1-0-init' })
    t.applyOrder(order(11, 'gb1-0-3b0'))
    t.applyOrder(order(99, 'gb2-0-3b0', 2))
    expect(t.clientIds).toEqual({ 10: 'gb1-0-init', 11: 'gb1-0-3b0' })
    // another bot shown: the ids start afresh; orders that cannot be read leave fills without ids
    mockFetch({ 'GET /api/fills': { body: [] } })
    await t.fetchFills(2)
    expect(t.clientIds).toEqual({})
  })
})
