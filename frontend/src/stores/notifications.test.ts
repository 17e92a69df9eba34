import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { mockFetch, stubSession } from '@/test/helpers'
import type { NotificationSettings } from '@/types/api'
import { formFrom } from '@/utils/notificationsForm'
import { useNotificationsStore } from './notifications'

const empty: NotificationSettings = {
  enabled: true,
  webhook_url: null,
  webhook_secret_set: false,
  telegram_token_set: false,
  telegram_chat_id: null,
  notify_fills: true,
  notify_stops: true,
  notify_errors: true,
  notify_daily_summary: true,
}

describe('notifications store', () => {
  beforeEach(() => {
    stubSession('jwt')
    setActivePinia(createPinia())
  })

  it('loads, saves, and keeps the signing secret the save made apart from the settings', async () => {
    const saved = { ...empty, webhook_url: 'https://h.example/x', webhook_secret_set: true, webhook_secret: 'whsec_abc' }
    const { calls } = mockFetch({ 'GET /api/notifications': { body: empty }, 'PUT /api/notifications': { body: saved } })
    const n = useNotificationsStore()
    await n.load()
    expect(n.settings?.webhook_secret_set).toBe(false)
    const ok = await n.save({ ...formFrom(empty), webhookUrl: 'https://h.example/x', telegramToken: '1:tok' })
    expect(ok).toBe(true)
    expect(calls[1]?.body).toMatchObject({ webhook_url: 'https://h.example/x', telegram_token: '1:tok' })
    expect(n.secret).toBe('whsec_abc')
    expect(n.settings).not.toHaveProperty('webhook_secret')
    n.forgetSecret()
    expect(n.secret).toBeNull()
  })

  it("puts the server's 422 beside its field", async () => {
    mockFetch({
      'PUT /api/notifications': {
        status: 422,
        body: { error: { code: 'validation', message: 'webhook_url: must be an http:// or https:// URL', fields: { webhook_url: 'must be an http:// or https:// URL' } } },
      },
    })
    const n = useNotificationsStore()
    expect(await n.save(formFrom(empty))).toBe(false)
    expect(n.fields).toEqual({ webhook_url: 'must be an http:// or https:// URL' })
    expect(n.error).toBeNull()
  })

  it('rotates the secret and shows the test results per channel', async () => {
    mockFetch({
      'POST /api/notifications/webhook-secret': { body: { webhook_secret: 'whsec_new' } },
      'POST /api/notifications/test': {
        body: { results: [{ channel: 'webhook', delivered: true, error: null }, { channel: 'telegram', delivered: false, error: 'Telegram answered 401: Unauthorized' }] },
      },
    })
    const n = useNotificationsStore()
    n.settings = { ...empty }
    await n.rotateSecret()
    expect(n.settings?.webhook_secret_set).toBe(true)
    expect(n.secret).toBe('whsec_new')
    await n.sendTest()
    expect(n.results?.map((r) => [r.channel, r.delivered])).toEqual([['webhook', true], ['telegram', false]])
    expect(n.busy).toBeNull()
  })
})
