import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { botRun } from '@/test/fixtures'
import { mockFetch, stubSession } from '@/test/helpers'
import { useRunsStore } from './runs'

describe('runs store', () => {
  beforeEach(() => {
    stubSession('jwt')
    setActivePinia(createPinia())
  })
  afterEach(() => {
    useRunsStore().reset()
    vi.useRealTimers()
  })

  it("loads a bot's runs, and keeps the error when they cannot be read", async () => {
    let fail = false
    const { calls } = mockFetch({
      'GET /api/bots/1/runs': () =>
        fail ? { status: 500, body: { error: { code: 'internal', message: 'oops' } } } : { body: [botRun(2, { current: true }), botRun(1)] },
    })
    const runs = useRunsStore()
    await runs.fetchRuns(1)
    expect(calls[0]?.url).toBe('/api/bots/1/runs')
    expect(runs.byBot[1]?.map((r) => r.generation)).toEqual([2, 1])
    fail = true
    await expect(runs.fetchRuns(1)).rejects.toThrow('oops')
    expect(runs.errors[1]).toBe('oops')
    expect(runs.byBot[1]).toHaveLength(2)
  })

  it('refreshes once for a burst of events, and forgets a deleted bot', async () => {
    vi.useFakeTimers()
    const { calls } = mockFetch({ 'GET /api/bots/1/runs': { body: [botRun(1)] } })
    const runs = useRunsStore()
    runs.refreshSoon(1, 1000)
    runs.refreshSoon(1, 1000)
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls).toHaveLength(1)
    expect(runs.byBot[1]).toHaveLength(1)
    runs.refreshSoon(1, 1000)
    runs.forget(1)
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls).toHaveLength(1)
    expect(runs.byBot[1]).toBeUndefined()
  })
})
