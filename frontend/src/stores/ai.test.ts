import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { bot } from '@/test/fixtures'
import { mockFetch, stubSession } from '@/test/helpers'
import type { Suggestion } from '@/types/api'
import { useAiStore } from './ai'

const entry = { lower: '95000', upper: '105000', levels: 20, realized_pnl: '10', final_equity: '10010', return_pct: '0.1', max_drawdown: '0.02', round_trips: 4, win_rate: '1' }
const suggestion = (status: Suggestion['status'] = 'pending'): Suggestion => ({
  id: 3,
  bot_id: 1,
  pair: 'BTC/USDT',
  status,
  source: 'claude',
  fallback_reason: null,
  suggestion: { grid_lower: '95000', grid_upper: '105000', num_levels: 20, confidence: 78, reasoning: 'range-bound', risk_level: 'medium' },
  backtests: [{ window: '7d', suggested: entry, current: null, sweep_best: entry, hold: entry }],
  created_at: '2026-11-23T10:00:00Z',
})

describe('ai store', () => {
  beforeEach(() => {
    stubSession('jwt')
    setActivePinia(createPinia())
  })

  it('optimizes, then accepts', async () => {
    const { calls } = mockFetch({
      'POST /api/ai/optimize': { status: 201, body: suggestion() },
      'POST /api/ai/suggestions/3/accept': { body: { suggestion: suggestion('accepted'), bot: bot() } },
    })
    const ai = useAiStore()
    const p = ai.optimize({ pair: 'BTC/USDT', capital: '10000', bot_id: 1 })
    expect(ai.loading).toBe(true)
    await p
    expect(ai.loading).toBe(false)
    expect(ai.current?.suggestion.confidence).toBe(78)
    expect(calls[0]?.body).toEqual({ pair: 'BTC/USDT', capital: '10000', bot_id: 1 })
    const res = await ai.accept()
    expect(res.bot?.id).toBe(1)
    expect(ai.current?.status).toBe('accepted')
  })

  it('rejects', async () => {
    mockFetch({
      'POST /api/ai/optimize': { status: 201, body: suggestion() },
      'POST /api/ai/suggestions/3/reject': { body: suggestion('rejected') },
    })
    const ai = useAiStore()
    await ai.optimize({ pair: 'BTC/USDT', capital: '10000' })
    await ai.reject()
    expect(ai.current?.status).toBe('rejected')
  })

  it('a failed optimize leaves loading off', async () => {
    mockFetch({ 'POST /api/ai/optimize': { status: 502, body: { error: { code: 'exchange', message: 'no data' } } } })
    const ai = useAiStore()
    await expect(ai.optimize({ pair: 'BTC/USDT', capital: '1' })).rejects.toMatchObject({ code: 'exchange' })
    expect(ai.loading).toBe(false)
    await expect(ai.accept()).rejects.toThrow('No suggestion')
  })

  it('lists suggestions of a bot', async () => {
    const { calls } = mockFetch({ 'GET /api/ai/suggestions': { body: [suggestion()] } })
    const ai = useAiStore()
    await ai.fetchHistory(1)
    expect(calls[0]?.url).toBe('/api/ai/suggestions?bot_id=1')
    expect(ai.history).toHaveLength(1)
  })
})
