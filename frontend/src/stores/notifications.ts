// The user's notification settings (GET/PUT /api/notifications), the signing secret while it is shown (once: the
// answer that made it), and the last test's per-channel results.

import { defineStore } from 'pinia'
import { ref } from 'vue'
import { notificationsApi } from '@/api/endpoints'
import { ApiError, errorMessage } from '@/api/http'
import type { ChannelResult, NotificationSettings } from '@/types/api'
import { toRequest, type NotificationForm } from '@/utils/notificationsForm'

export type NotificationsBusy = 'load' | 'save' | 'rotate' | 'test'

export const useNotificationsStore = defineStore('notifications', () => {
  const settings = ref<NotificationSettings | null>(null)
  /** the webhook's signing secret, from the answer that made it; never fetched again */
  const secret = ref<string | null>(null)
  const results = ref<ChannelResult[] | null>(null)
  const busy = ref<NotificationsBusy | null>(null)
  const error = ref<string | null>(null)
  /** the server's 422, by field */
  const fields = ref<Record<string, string>>({})

  async function run<T>(what: NotificationsBusy, fn: () => Promise<T>): Promise<T | null> {
    busy.value = what
    error.value = null
    fields.value = {}
    try {
      return await fn()
    } catch (e) {
      if (e instanceof ApiError) fields.value = { ...e.fields }
      if (Object.keys(fields.value).length === 0) error.value = errorMessage(e)
      return null
    } finally {
      busy.value = null
    }
  }

  async function load(): Promise<void> {
    const s = await run('load', notificationsApi.get)
    if (s) settings.value = s
  }

  /** Saves the form; a signing secret made by this save is kept to be shown. Whether it was saved. */
  async function save(form: NotificationForm): Promise<boolean> {
    const s = await run('save', () => notificationsApi.put(toRequest(form)))
    if (!s) return false
    const { webhook_secret: made, ...rest } = s
    if (made) secret.value = made
    settings.value = rest
    return true
  }

  /** A new signing secret, shown until dismissed; the receiver must be given it. */
  async function rotateSecret(): Promise<void> {
    const r = await run('rotate', notificationsApi.rotateSecret)
    if (!r) return
    secret.value = r.webhook_secret
    if (settings.value) settings.value = { ...settings.value, webhook_secret_set: true }
  }

  async function sendTest(): Promise<void> {
    results.value = null
    const r = await run('test', notificationsApi.test)
    if (r) results.value = r.results
  }

  function forgetSecret(): void {
    secret.value = null
  }

  function reset(): void {
    settings.value = null
    secret.value = null
    results.value = null
    error.value = null
    fields.value = {}
  }

  return { settings, secret, results, busy, error, fields, load, save, rotateSecret, sendTest, forgetSecret, reset }
})
