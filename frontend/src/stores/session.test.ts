import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { onUnauthorized } from '@/api/http'
import { getToken } from '@/api/session'
import { mockFetch, stubSession } from '@/test/helpers'
import { useAuthStore } from './auth'
import { logOut, logOutEverywhere } from './session'

const ME = { id: 1, email: 'a@b.c', has_api_keys: false }

describe('session', () => {
  beforeEach(() => {
    stubSession('jwt')
    setActivePinia(createPinia())
  })
  afterEach(() => onUnauthorized(null))

  it('logOut revokes the token on the server, then clears the session', async () => {
    const { calls } = mockFetch({ 'POST /api/auth/logout': { status: 204 }, 'GET /api/auth/me': { body: ME } })
    const auth = useAuthStore()
    await auth.fetchMe()
    await logOut()
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['GET /api/auth/me', 'POST /api/auth/logout'])
    expect(calls[1]?.headers.Authorization).toBe('Bearer jwt')
    expect(auth.isAuthenticated).toBe(false)
    expect(auth.user).toBeNull()
    expect(getToken()).toBeNull()
  })

  it('logOut clears the session even when the server cannot be told', async () => {
    const handler = vi.fn()
    onUnauthorized(handler)
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('fetch failed'))))
    await logOut()
    expect(getToken()).toBeNull()
    mockFetch({ 'POST /api/auth/logout': { status: 401, body: { error: { code: 'unauthorized', message: 'x' } } } })
    stubSession('expired-jwt')
    setActivePinia(createPinia())
    await logOut()
    expect(useAuthStore().isAuthenticated).toBe(false)
    expect(handler).not.toHaveBeenCalled()
  })

  it('logOutEverywhere clears the session once the server has ended every session', async () => {
    const { calls } = mockFetch({ 'POST /api/auth/logout-all': { status: 204 } })
    await logOutEverywhere()
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/auth/logout-all' })
    expect(useAuthStore().isAuthenticated).toBe(false)
  })

  it('logOutEverywhere keeps the session when the server did not end them', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('fetch failed'))))
    await expect(logOutEverywhere()).rejects.toMatchObject({ code: 'network' })
    expect(useAuthStore().isAuthenticated).toBe(true)
    expect(getToken()).toBe('jwt')
  })
})
