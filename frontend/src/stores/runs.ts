// Each bot's runs (GET /api/bots/{id}/runs): the history of its starts, one row per run, newest first.

import { defineStore } from 'pinia'
import { ref } from 'vue'
import { botsApi } from '@/api/endpoints'
import { errorMessage } from '@/api/http'
import type { BotRun } from '@/types/api'

export const useRunsStore = defineStore('runs', () => {
  const byBot = ref<Record<number, BotRun[]>>({})
  const errors = ref<Record<number, string>>({})

  async function fetchRuns(botId: number): Promise<BotRun[]> {
    try {
      const runs = await botsApi.runs(botId)
      byBot.value[botId] = runs
      delete errors.value[botId]
      return runs
    } catch (e) {
      errors.value[botId] = errorMessage(e)
      throw e
    }
  }

  // A burst of stream events (a start, fills) triggers one request per bot.
  const pending = new Map<number, ReturnType<typeof setTimeout>>()
  function refreshSoon(botId: number, delayMs = 1500): void {
    if (pending.has(botId)) return
    pending.set(
      botId,
      setTimeout(() => {
        pending.delete(botId)
        void fetchRuns(botId).catch(() => {})
      }, delayMs),
    )
  }

  function forget(botId: number): void {
    clearTimeout(pending.get(botId))
    pending.delete(botId)
    delete byBot.value[botId]
    delete errors.value[botId]
  }

  function reset(): void {
    for (const t of pending.values()) clearTimeout(t)
    pending.clear()
    byBot.value = {}
    errors.value = {}
  }

  return { byBot, errors, fetchRuns, refreshSoon, forget, reset }
})
