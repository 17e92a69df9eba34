// Bots, their stats, and one live WebSocket per bot (/ws/bot/{id}).

import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { botsApi } from '@/api/endpoints'
import { createSocket, wsUrl, type SocketHandle, type SocketOptions } from '@/composables/useWebSocket'
import type { Bot, BotStats, CreateBotRequest, UpdateBotRequest } from '@/types/api'
import { asBotMessage, type BotWsMessage } from '@/types/ws'
import { instantKey } from '@/utils/instant'
import { useRunsStore } from './runs'
import { useTradingStore } from './trading'

export const useBotsStore = defineStore('bots', () => {
  const bots = ref<Bot[]>([])
  const stats = ref<Record<number, BotStats>>({})
  /** the last error a bot's stream reported, shown in its card */
  const streamErrors = ref<Record<number, string>>({})
  const selectedId = ref<number | null>(null)
  const loading = ref(false)
  const loaded = ref(false)

  const selected = computed(() => bots.value.find((b) => b.id === selectedId.value) ?? null)
  const byId = (id: number) => bots.value.find((b) => b.id === id) ?? null

  /** Adds or replaces a bot; an older view of it (a command's reply overtaken by its stream) is ignored. */
  function upsert(bot: Bot): void {
    const i = bots.value.findIndex((b) => b.id === bot.id)
    const known = bots.value[i]
    if (known && instantKey(bot.updated_at) < instantKey(known.updated_at)) return
    if (i < 0) bots.value.push(bot)
    else bots.value.splice(i, 1, bot)
    if (bot.status === 'running' || bot.status === 'starting') delete streamErrors.value[bot.id]
  }

  async function fetchBots(): Promise<Bot[]> {
    loading.value = true
    try {
      const list = await botsApi.list()
      // a bot the streams have shown newer than this list keeps what they showed
      bots.value = list.map((b) => {
        const known = byId(b.id)
        return known && instantKey(b.updated_at) < instantKey(known.updated_at) ? known : b
      })
      loaded.value = true
      if (selectedId.value === null || !byId(selectedId.value)) {
        selectedId.value = bots.value[0]?.id ?? null
      }
      return bots.value
    } finally {
      loading.value = false
    }
  }

  async function fetchBot(id: number): Promise<Bot> {
    const bot = await botsApi.get(id)
    upsert(bot)
    return bot
  }

  async function createBot(req: CreateBotRequest): Promise<Bot> {
    const bot = await botsApi.create(req)
    upsert(bot)
    return bot
  }

  async function updateBot(id: number, req: UpdateBotRequest): Promise<Bot> {
    const bot = await botsApi.update(id, req)
    upsert(bot)
    return bot
  }

  async function deleteBot(id: number): Promise<void> {
    await botsApi.remove(id)
    bots.value = bots.value.filter((b) => b.id !== id)
    delete stats.value[id]
    closeStream(id)
    useRunsStore().forget(id)
    if (selectedId.value === id) selectedId.value = bots.value[0]?.id ?? null
  }

  async function startBot(id: number, confirmLive = false): Promise<Bot> {
    const bot = await botsApi.start(id, confirmLive)
    upsert(bot)
    useTradingStore().refreshSummarySoon()
    return bot
  }

  /** `sell`: also sell the coins the grid holds at the market (else they stay in the account). */
  async function stopBot(id: number, sell = false): Promise<Bot> {
    const bot = await botsApi.stop(id, sell)
    upsert(bot)
    useTradingStore().refreshSummarySoon()
    return bot
  }

  async function fetchStats(id: number): Promise<BotStats> {
    const s = await botsApi.stats(id)
    stats.value[id] = s
    return s
  }

  function select(id: number | null): void {
    selectedId.value = id
  }

  // ---- live ------------------------------------------------------------------
  function handleMessage(botId: number, msg: BotWsMessage): void {
    const trading = useTradingStore()
    const runs = useRunsStore()
    // the runs of the bot shown follow its starts, stops and fills; another bot's are read when it is shown
    const refreshRuns = () => {
      if (botId === selectedId.value) runs.refreshSoon(botId)
    }
    switch (msg.type) {
      case 'status':
        upsert(msg.bot)
        trading.refreshSummarySoon()
        refreshRuns()
        break
      case 'stats':
        stats.value[botId] = msg.stats
        trading.refreshSummarySoon()
        break
      case 'fill':
        trading.applyFill(msg.fill)
        trading.refreshSummarySoon()
        refreshRuns()
        break
      case 'order':
        trading.applyOrder(msg.order)
        break
      case 'error':
        streamErrors.value[botId] = msg.message
        break
    }
  }

  const streams = new Map<number, SocketHandle>()
  let socketImpl: SocketOptions<unknown>['impl']

  function openStream(id: number): void {
    if (streams.has(id)) return
    const sock = createSocket<BotWsMessage>({
      url: () => wsUrl(`/ws/bot/${id}`),
      parse: asBotMessage,
      onMessage: (m) => handleMessage(id, m),
      // after a reconnect, catch up on what the stream missed
      onOpen: () => void fetchStats(id).catch(() => {}),
      impl: socketImpl,
    })
    streams.set(id, sock)
    sock.connect()
  }

  function closeStream(id: number): void {
    streams.get(id)?.close()
    streams.delete(id)
  }

  /** Opens a stream for every listed bot and closes the others. */
  function syncStreams(): void {
    const ids = new Set(bots.value.map((b) => b.id))
    for (const id of [...streams.keys()]) if (!ids.has(id)) closeStream(id)
    for (const id of ids) openStream(id)
  }

  function closeStreams(): void {
    for (const id of [...streams.keys()]) closeStream(id)
  }

  /** For tests: the WebSocket class the streams use. */
  function useSocketImpl(impl: SocketOptions<unknown>['impl']): void {
    socketImpl = impl
  }

  function reset(): void {
    closeStreams()
    bots.value = []
    stats.value = {}
    streamErrors.value = {}
    selectedId.value = null
    loaded.value = false
  }

  return {
    bots,
    stats,
    streamErrors,
    selectedId,
    selected,
    loading,
    loaded,
    byId,
    upsert,
    fetchBots,
    fetchBot,
    createBot,
    updateBot,
    deleteBot,
    startBot,
    stopBot,
    fetchStats,
    select,
    handleMessage,
    syncStreams,
    closeStreams,
    useSocketImpl,
    reset,
  }
})
