import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { getToken } from '@/api/session'
import { mockFetch, stubSession } from '@/test/helpers'
import { useAuthStore } from './auth'

describe('auth store', () => {
  beforeEach(() => {
    stubSession()
    setActivePinia(createPinia())
  })

  it('logs in, keeps the token in sessionStorage and loads the user', async () => {
    const { calls } = mockFetch({
      'POST /api/auth/login': { body: { access_token: 'jwt', token_type: 'Bearer', expires_in: 86400 } },
      'GET /api/auth/me': { body: { id: 1, email: 'a@b.c', has_api_keys: false } },
    })
    const auth = useAuthStore()
    await auth.login({ email: 'a@b.c', password: 'long-enough-pw' })
    expect(auth.isAuthenticated).toBe(true)
    expect(getToken()).toBe('jwt')
    expect(auth.user?.email).toBe('a@b.c')
    expect(calls[1]?.headers.Authorization).toBe('Bearer jwt')
    expect(calls[0]?.headers.Authorization).toBeUndefined()
  })

  it('a failed login keeps no token', async () => {
    mockFetch({ 'POST /api/auth/login': { status: 401, body: { error: { code: 'unauthorized', message: 'bad' } } } })
    const auth = useAuthStore()
    await expect(auth.login({ email: 'a@b.c', password: 'x' })).rejects.toMatchObject({ message: 'bad' })
    expect(auth.isAuthenticated).toBe(false)
  })

  it('registers then logs in', async () => {
    const { calls } = mockFetch({
      'POST /api/auth/register': { status: 201, body: { id: 1, email: 'a@b.c' } },
      'POST /api/auth/login': { body: { access_token: 'jwt', token_type: 'Bearer', expires_in: 1 } },
      'GET /api/auth/me': { body: { id: 1, email: 'a@b.c', has_api_keys: false } },
    })
    const auth = useAuthStore()
    await auth.register({ email: 'a@b.c', password: 'long-enough-pw' })
    expect(calls.map((c) => c.url)).toEqual(['/api/auth/register', '/api/auth/login', '/api/auth/me'])
    expect(auth.isAuthenticated).toBe(true)
  })

  it('a taken email surfaces as conflict', async () => {
    mockFetch({ 'POST /api/auth/register': { status: 409, body: { error: { code: 'conflict', message: 'taken' } } } })
    await expect(useAuthStore().register({ email: 'a@b.c', password: 'long-enough-pw' })).rejects.toMatchObject({
      code: 'conflict',
    })
  })

  it('logout clears everything', () => {
    stubSession('jwt')
    setActivePinia(createPinia())
    const auth = useAuthStore()
    expect(auth.isAuthenticated).toBe(true)
    auth.logout()
    expect(auth.isAuthenticated).toBe(false)
    expect(getToken()).toBeNull()
  })

  it('manages API keys without ever holding the secret', async () => {
    stubSession('jwt')
    const { calls } = mockFetch({
      'GET /api/account/api-keys': { body: { configured: false, api_key_masked: null } },
      'PUT /api/account/api-keys': { body: { configured: true, api_key_masked: 'abcd…wxyz' } },
      'DELETE /api/account/api-keys': { status: 204 },
    })
    const auth = useAuthStore()
    await auth.fetchApiKeys()
    expect(auth.apiKeys?.configured).toBe(false)
    await auth.saveApiKeys({ api_key: 'abcdefwxyz', api_secret: 's3cret' })
    expect(auth.apiKeys).toEqual({ configured: true, api_key_masked: 'abcd…wxyz' })
    expect(JSON.stringify(auth.$state)).not.toContain('s3cret')
    expect(calls[1]?.body).toEqual({ api_key: 'abcdefwxyz', api_secret: 's3cret' })
    await auth.deleteApiKeys()
    expect(auth.apiKeys).toEqual({ configured: false, api_key_masked: null })
  })

  it('changes the password and keeps the fresh token the server answers', async () => {
    stubSession('old-jwt')
    setActivePinia(createPinia())
    const { calls } = mockFetch({
      'POST /api/auth/password': { body: { access_token: 'new-jwt', token_type: 'Bearer', expires_in: 86400 } },
    })
    const auth = useAuthStore()
    await auth.changePassword({ current_password: 'old password 1', new_password: 'lunar tapir mortgages' })
    expect(calls[0]?.headers.Authorization).toBe('Bearer old-jwt')
    expect(calls[0]?.body).toEqual({ current_password: 'old password 1', new_password: 'lunar tapir mortgages' })
    expect(auth.token).toBe('new-jwt')
    expect(getToken()).toBe('new-jwt')
  })

  it("a refused password change keeps the session and surfaces the API's reason", async () => {
    stubSession('jwt')
    setActivePinia(createPinia())
    const reason = 'is too easy to guess. This is a top-10 common password.'
    mockFetch({
      'POST /api/auth/password': {
        status: 422,
        body: { error: { code: 'validation', message: `new_password: ${reason}`, fields: { new_password: reason } } },
      },
    })
    const auth = useAuthStore()
    await expect(
      auth.changePassword({ current_password: 'old password 1', new_password: 'password123' }),
    ).rejects.toMatchObject({ code: 'validation', fields: { new_password: reason } })
    expect(auth.token).toBe('jwt')
    expect(getToken()).toBe('jwt')
  })

  it('revoke tells the server and swallows its refusal; revokeAll throws it', async () => {
    stubSession('jwt')
    setActivePinia(createPinia())
    const { calls } = mockFetch({
      'POST /api/auth/logout': { status: 401, body: { error: { code: 'unauthorized', message: 'gone' } } },
      'POST /api/auth/logout-all': { status: 429, body: { error: { code: 'rate_limited', message: 'slow' } } },
    })
    const auth = useAuthStore()
    await expect(auth.revoke()).resolves.toBeUndefined()
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/auth/logout' })
    expect(calls[0]?.headers.Authorization).toBe('Bearer jwt')
    await expect(auth.revokeAll()).rejects.toMatchObject({ code: 'rate_limited' })
    expect(calls[1]).toMatchObject({ method: 'POST', url: '/api/auth/logout-all' })
  })
})
