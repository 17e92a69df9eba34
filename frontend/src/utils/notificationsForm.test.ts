import { describe, expect, it } from 'vitest'
import type { NotificationSettings } from '@/types/api'
import { describeResult, formFrom, isDirty, toRequest, validateForm } from './notificationsForm'

const stored: NotificationSettings = {
  enabled: true,
  webhook_url: 'https://hooks.example.com/gb',
  webhook_secret_set: true,
  telegram_token_set: true,
  telegram_chat_id: '-100123',
  notify_fills: true,
  notify_stops: true,
  notify_errors: false,
  notify_daily_summary: true,
}

describe('notifications form', () => {
  it('round-trips the stored settings and never sends the token unless typed', () => {
    const f = formFrom(stored)
    expect(f.telegramToken).toBe('')
    expect(toRequest(f)).toEqual({
      enabled: true,
      webhook_url: 'https://hooks.example.com/gb',
      telegram_chat_id: '-100123',
      notify_fills: true,
      notify_stops: true,
      notify_errors: false,
      notify_daily_summary: true,
    })
    expect('telegram_token' in toRequest(f)).toBe(false)
    expect(isDirty(f, stored)).toBe(false)
  })

  it('sends a typed token, an empty one to remove it, and blanks as null', () => {
    const f = { ...formFrom(stored), telegramToken: ' 123:abc ', webhookUrl: '  ', telegramChatId: '' }
    expect(toRequest(f)).toMatchObject({ telegram_token: '123:abc', webhook_url: null, telegram_chat_id: null })
    expect(isDirty(f, stored)).toBe(true)
    expect(toRequest({ ...f, removeToken: true }).telegram_token).toBe('')
    expect(isDirty({ ...formFrom(stored), errors: true }, stored)).toBe(true)
  })

  it('checks the URL and the chat id before sending', () => {
    const f = formFrom(stored)
    expect(validateForm(f)).toEqual({})
    expect(validateForm({ ...f, webhookUrl: 'ftp://x' })).toHaveProperty('webhook_url')
    expect(validateForm({ ...f, webhookUrl: 'example.com' })).toHaveProperty('webhook_url')
    expect(validateForm({ ...f, telegramChatId: '@gridbot_alerts' })).toEqual({})
    expect(validateForm({ ...f, telegramChatId: 'my chat' })).toHaveProperty('telegram_chat_id')
  })

  it("says what each channel did", () => {
    expect(describeResult({ channel: 'webhook', delivered: true, error: null })).toBe('Webhook: delivered')
    expect(describeResult({ channel: 'telegram', delivered: false, error: 'Telegram answered 400: Bad Request: chat not found' }))
      .toBe('Telegram: Telegram answered 400: Bad Request: chat not found')
  })
})
