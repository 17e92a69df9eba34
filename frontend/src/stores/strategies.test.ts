import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { mockFetch, stubSession } from '@/test/helpers'
import { strategies } from '@/test/strategies'
import { useStrategies, useStrategiesStore } from './strategies'

describe('strategies store', () => {
  beforeEach(() => {
    stubSession('jwt')
    setActivePinia(createPinia())
  })

  it('reads GET /api/strategies once, sharing a request in flight', async () => {
    const { calls } = mockFetch({ 'GET /api/strategies': { body: strategies() } })
    const s = useStrategiesStore()
    await Promise.all([s.fetchStrategies(), s.fetchStrategies()])
    await s.fetchStrategies()
    expect(calls).toHaveLength(1)
    expect(calls[0]?.headers.Authorization).toBe('Bearer jwt')
    expect(s.list.map((x) => x.name)).toEqual(['grid', 'mean_reversion', 'buy_and_hold'])
    await s.fetchStrategies(true)
    expect(calls).toHaveLength(2)
  })

  it('offers the strategies bots run, and finds one by name', async () => {
    mockFetch({ 'GET /api/strategies': { body: strategies() } })
    const s = useStrategies()
    await s.fetchStrategies()
    expect(s.forBots.map((x) => x.name)).toEqual(['grid', 'mean_reversion'])
    expect(s.byName('mean_reversion')?.schema['x-order']?.[1]).toBe('window')
    expect(s.byName('twap')).toBeNull()
    s.reset()
    expect([s.list, s.loaded]).toEqual([[], false])
  })

  it('a failure is thrown, and the next call asks again', async () => {
    let fail = true
    mockFetch({ 'GET /api/strategies': () => (fail ? { status: 500, body: { error: { code: 'internal', message: 'boom' } } } : { body: strategies() }) })
    const s = useStrategiesStore()
    await expect(s.fetchStrategies()).rejects.toThrow('boom')
    expect(s.loaded).toBe(false)
    fail = false
    expect(await s.fetchStrategies()).toHaveLength(3)
  })
})
