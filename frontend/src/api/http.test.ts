import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mockFetch, stubSession } from '@/test/helpers'
import { ApiError, errorMessage, http, normalizeFields, onUnauthorized, withQuery } from './http'
import { getToken } from './session'

describe('http', () => {
  beforeEach(() => stubSession('tok'))
  afterEach(() => onUnauthorized(null))

  it('sends the bearer token and JSON body', async () => {
    const { calls } = mockFetch({ 'POST /api/bots': { status: 201, body: { id: 1 } } })
    const res = await http.post<{ id: number }>('/api/bots', { pair: 'BTC/USDT' })
    expect(res).toEqual({ id: 1 })
    expect(calls[0]?.headers.Authorization).toBe('Bearer tok')
    expect(calls[0]?.headers['Content-Type']).toBe('application/json')
    expect(calls[0]?.body).toEqual({ pair: 'BTC/USDT' })
  })

  it('returns undefined on 204', async () => {
    mockFetch({ 'DELETE /api/bots/1': { status: 204 } })
    await expect(http.del('/api/bots/1')).resolves.toBeUndefined()
  })

  it('parses the contract error shape with field errors', async () => {
    mockFetch({
      'POST /api/bots/test-config': {
        status: 422,
        body: {
          error: {
            code: 'validation',
            message: 'invalid config',
            fields: { lower_bound: 'must be below upper_bound', 'config.grid_levels': 'too many' },
          },
        },
      },
    })
    const err = await http.post('/api/bots/test-config', {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    const e = err as ApiError
    expect(e.status).toBe(422)
    expect(e.code).toBe('validation')
    expect(e.message).toBe('invalid config')
    expect(e.fields).toEqual({ lower_bound: 'must be below upper_bound', grid_levels: 'too many' })
  })

  it('reads Retry-After on 429', async () => {
    mockFetch({
      'GET /api/summary': {
        status: 429,
        headers: { 'Retry-After': '7' },
        body: { error: { code: 'rate_limited', message: 'slow down' } },
      },
    })
    const e = (await http.get('/api/summary').catch((x: unknown) => x)) as ApiError
    expect(e.retryAfter).toBe(7)
    expect(errorMessage(e)).toBe('slow down (retry in 7 s)')
  })

  it('maps a non-JSON error by status', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('Bad Gateway', { status: 502 })))
    const e = (await http.get('/api/x').catch((x: unknown) => x)) as ApiError
    expect(e.code).toBe('exchange')
  })

  it('reports a network failure', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('fetch failed'))))
    const e = (await http.get('/api/x').catch((x: unknown) => x)) as ApiError
    expect(e.code).toBe('network')
    expect(e.status).toBe(0)
  })

  it('a quiet 401 is only thrown: the token stays and the handler is not called', async () => {
    const handler = vi.fn()
    onUnauthorized(handler)
    mockFetch({ 'POST /api/auth/logout': { status: 401, body: { error: { code: 'unauthorized', message: 'gone' } } } })
    await expect(http.post('/api/auth/logout', undefined, { quiet401: true })).rejects.toMatchObject({ status: 401 })
    expect(handler).not.toHaveBeenCalled()
    expect(getToken()).toBe('tok')
  })

  it('on 401 clears the token and calls the handler', async () => {
    const handler = vi.fn()
    onUnauthorized(handler)
    mockFetch({ 'GET /api/bots': { status: 401, body: { error: { code: 'unauthorized', message: 'expired' } } } })
    await expect(http.get('/api/bots')).rejects.toMatchObject({ code: 'unauthorized' })
    expect(handler).toHaveBeenCalledOnce()
    expect(getToken()).toBeNull()
  })

  it('a 401 from an unauthenticated call (bad login) is not a session end', async () => {
    const handler = vi.fn()
    onUnauthorized(handler)
    mockFetch({ 'POST /api/auth/login': { status: 401, body: { error: { code: 'unauthorized', message: 'bad' } } } })
    await expect(http.post('/api/auth/login', {}, { auth: false })).rejects.toBeInstanceOf(ApiError)
    expect(handler).not.toHaveBeenCalled()
    expect(getToken()).toBe('tok')
  })

  it('builds query strings without empty values', () => {
    expect(withQuery('/api/fills', { bot_id: 1, limit: 20, x: undefined, y: null })).toBe('/api/fills?bot_id=1&limit=20')
    expect(withQuery('/api/fills', {})).toBe('/api/fills')
  })

  it('normalizes field names', () => {
    expect(normalizeFields({ 'config.capital': 'a', 'config/lower_bound': 'b', pair: 'c' })).toEqual({
      capital: 'a',
      lower_bound: 'b',
      pair: 'c',
    })
  })
})
