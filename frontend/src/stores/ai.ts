// AI optimisation: one suggestion at a time, accepted or rejected by the user.

import { defineStore } from 'pinia'
import { ref } from 'vue'
import { aiApi } from '@/api/endpoints'
import type { AcceptResult, OptimizeRequest, Suggestion } from '@/types/api'

export const useAiStore = defineStore('ai', () => {
  const current = ref<Suggestion | null>(null)
  const history = ref<Suggestion[]>([])
  const loading = ref(false)

  async function optimize(req: OptimizeRequest): Promise<Suggestion> {
    loading.value = true
    try {
      current.value = await aiApi.optimize(req)
      return current.value
    } finally {
      loading.value = false
    }
  }

  async function accept(): Promise<AcceptResult> {
    const s = current.value
    if (!s) throw new Error('No suggestion to accept')
    const res = await aiApi.accept(s.id)
    current.value = res.suggestion
    return res
  }

  async function reject(): Promise<Suggestion> {
    const s = current.value
    if (!s) throw new Error('No suggestion to reject')
    current.value = await aiApi.reject(s.id)
    return current.value
  }

  async function fetchHistory(botId?: number): Promise<Suggestion[]> {
    history.value = await aiApi.list(botId)
    return history.value
  }

  function dismiss(): void {
    current.value = null
  }

  function reset(): void {
    current.value = null
    history.value = []
    loading.value = false
  }

  return { current, history, loading, optimize, accept, reject, fetchHistory, dismiss, reset }
})
