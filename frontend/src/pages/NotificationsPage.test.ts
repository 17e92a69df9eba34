import { describe, expect, it } from 'vitest'
import { useNotificationsStore } from '@/stores/notifications'
import { render, testPinia } from '@/test/render'
import type { NotificationSettings } from '@/types/api'
import NotificationsPage from './NotificationsPage.vue'

const settings: NotificationSettings = {
  enabled: true,
  webhook_url: 'https://hooks.example.com/gb',
  webhook_secret_set: true,
  telegram_token_set: true,
  telegram_chat_id: '-100123',
  notify_fills: true,
  notify_stops: false,
  notify_errors: true,
  notify_daily_summary: true,
  last_error: 'webhook: the receiver answered HTTP 500 Internal Server Error',
  last_error_at: '2026-12-10T08:00:00Z',
}

function withSettings(s: NotificationSettings, extra: (n: ReturnType<typeof useNotificationsStore>) => void = () => {}) {
  const pinia = testPinia()
  const n = useNotificationsStore()
  n.settings = s
  extra(n)
  return pinia
}

describe('NotificationsPage', () => {
  it('shows the channels and events; the token is write-only and only said to be set', async () => {
    const r = await render(NotificationsPage, {}, withSettings(settings))
    expect(r.attr('input-webhook_url', 'value')).toBe('https://hooks.example.com/gb')
    expect(r.attr('input-telegram_chat_id', 'value')).toBe('-100123')
    expect(r.attr('input-telegram_token', 'type')).toBe('password')
    expect(r.attr('input-telegram_token', 'value') ?? '').toBe('')
    expect(r.attr('input-telegram_token', 'placeholder')).toContain('(set)')
    expect(r.attr('telegram-token-status', 'data-set')).toBe('true')
    expect(r.attr('webhook-secret-status', 'data-set')).toBe('true')
    expect(r.all('webhook-rotate')).toHaveLength(1)
    expect(r.attr('input-notify_fills', 'checked')).not.toBeNull()
    expect(r.attr('input-notify_stops', 'checked')).toBeNull()
    expect(r.all('webhook-secret-once')).toEqual([])
    expect(r.attr('notifications-save', 'disabled')).not.toBeNull()
    expect(r.text('notifications-test')).toBe('Send test')
    expect(r.text('notifications-last-error')).toContain('HTTP 500')
  })

  it('shows a new signing secret once, with Copy, and each channel’s test result', async () => {
    const pinia = withSettings({ ...settings, last_error: null }, (n) => {
      n.secret = 'whsec_0123'
      n.results = [
        { channel: 'webhook', delivered: true, error: null },
        { channel: 'telegram', delivered: false, error: 'Telegram answered 400: Bad Request: chat not found' },
      ]
    })
    const r = await render(NotificationsPage, {}, pinia)
    expect(r.attr('webhook-secret-value', 'value')).toBe('whsec_0123')
    expect(r.text('webhook-secret-copy')).toBe('Copy')
    const results = r.all('test-result')
    expect(results).toHaveLength(2)
    expect(r.text('test-results')).toContain('Webhook ✓ delivered')
    expect(r.text('test-results')).toContain('Telegram ✗ Telegram answered 400: Bad Request: chat not found')
    expect(r.all('notifications-last-error')).toEqual([])
  })

  it('says when no channel is configured', async () => {
    const none = { ...settings, webhook_url: null, webhook_secret_set: false, telegram_token_set: false, telegram_chat_id: null, last_error: null }
    const r = await render(NotificationsPage, {}, withSettings(none, (n) => (n.results = [])))
    expect(r.text('webhook-secret-status')).toBe('made when you save a URL')
    expect(r.all('webhook-rotate')).toEqual([])
    expect(r.text('test-results-empty')).toContain('No channel is configured')
  })
})
