// The notifications form: what the page edits, made from the stored settings and turned back into the PUT body.
// The Telegram token is write-only: the form starts it empty, and an empty field keeps the stored one.

import type { ChannelResult, NotificationSettings, NotificationSettingsInput } from '@/types/api'

export interface NotificationForm {
  enabled: boolean
  webhookUrl: string
  telegramChatId: string
  /** a new token, typed here; empty keeps the stored one */
  telegramToken: string
  /** remove the stored token on save */
  removeToken: boolean
  fills: boolean
  stops: boolean
  errors: boolean
  dailySummary: boolean
}

export function formFrom(s: NotificationSettings): NotificationForm {
  return {
    enabled: s.enabled,
    webhookUrl: s.webhook_url ?? '',
    telegramChatId: s.telegram_chat_id ?? '',
    telegramToken: '',
    removeToken: false,
    fills: s.notify_fills,
    stops: s.notify_stops,
    errors: s.notify_errors,
    dailySummary: s.notify_daily_summary,
  }
}

/** The PUT body: blank channels are null; the token only when typed (or '' to remove it). */
export function toRequest(f: NotificationForm): NotificationSettingsInput {
  const body: NotificationSettingsInput = {
    enabled: f.enabled,
    webhook_url: f.webhookUrl.trim() || null,
    telegram_chat_id: f.telegramChatId.trim() || null,
    notify_fills: f.fills,
    notify_stops: f.stops,
    notify_errors: f.errors,
    notify_daily_summary: f.dailySummary,
  }
  if (f.removeToken) body.telegram_token = ''
  else if (f.telegramToken.trim()) body.telegram_token = f.telegramToken.trim()
  return body
}

/** Whether the form says something the stored settings do not. */
export function isDirty(f: NotificationForm, s: NotificationSettings): boolean {
  const saved = toRequest(formFrom(s))
  const now = toRequest(f)
  return JSON.stringify(now) !== JSON.stringify(saved)
}

/** Checks made before sending (the server checks again and names the field); field → reason. */
export function validateForm(f: NotificationForm): Record<string, string> {
  const errors: Record<string, string> = {}
  const url = f.webhookUrl.trim()
  if (url && !/^https?:\/\/[^/\s]+/i.test(url)) errors.webhook_url = 'Must be an http:// or https:// URL'
  const chat = f.telegramChatId.trim()
  if (chat && !/^(-?\d+|@[A-Za-z0-9_]{5,32})$/.test(chat)) {
    errors.telegram_chat_id = 'A chat id (a number, negative for groups) or a public @channel'
  }
  return errors
}

export const CHANNEL_NAMES: Record<ChannelResult['channel'], string> = { webhook: 'Webhook', telegram: 'Telegram' }

/** "Webhook: delivered" or "Telegram: Telegram answered 400: Bad Request: chat not found". */
export function describeResult(r: ChannelResult): string {
  return `${CHANNEL_NAMES[r.channel]}: ${r.delivered ? 'delivered' : (r.error ?? 'not delivered')}`
}
