// The strategies the server offers (GET /api/strategies), each with its config's JSON schema: read once per session
// and shared, since the config page builds its form from them.

import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { strategiesApi } from '@/api/endpoints'
import type { Strategy } from '@/types/strategy'

export const useStrategiesStore = defineStore('strategies', () => {
  const list = ref<Strategy[]>([])
  const loaded = ref(false)

  /** The ones a bot can run: the new-bot form's choices. */
  const forBots = computed(() => list.value.filter((s) => s.bots))

  function byName(name: string): Strategy | null {
    return list.value.find((s) => s.name === name) ?? null
  }

  let request: Promise<Strategy[]> | null = null
  /** Loaded once; concurrent callers share the request, `force` reads them again. */
  function fetchStrategies(force = false): Promise<Strategy[]> {
    if (!force && loaded.value) return Promise.resolve(list.value)
    request ??= strategiesApi
      .list()
      .then((l) => {
        list.value = l
        loaded.value = true
        return l
      })
      .finally(() => (request = null))
    return request
  }

  function reset(): void {
    list.value = []
    loaded.value = false
  }

  return { list, loaded, forBots, byName, fetchStrategies, reset }
})

/** The strategies store, for components: `const { forBots, byName } = useStrategies()`. */
export const useStrategies = useStrategiesStore
