// Account-wide figures (summary, emergency stop) and the fills of the selected bot.

import { defineStore } from 'pinia'
import { ref } from 'vue'
import { summaryApi, tradingApi } from '@/api/endpoints'
import { errorMessage } from '@/api/http'
import type { EmergencyStopResult, Fill, Order, Summary } from '@/types/api'

/** fills kept for the chart markers; the table shows the newest TABLE_ROWS */
export const FILL_HISTORY = 100
export const TABLE_ROWS = 20
/** filled orders read to tell which run each fill is of (their client ids name it) */
export const ORDER_HISTORY = 2 * FILL_HISTORY

export const useTradingStore = defineStore('trading', () => {
  const summary = ref<Summary | null>(null)
  const summaryError = ref<string | null>(null)
  const summaryUpdatedAt = ref<number | null>(null)
  const fills = ref<Fill[]>([])
  const fillsBotId = ref<number | null>(null)
  /** order id → client order id, for the orders of the bot shown (the client id names the run) */
  const clientIds = ref<Record<number, string>>({})

  async function fetchSummary(): Promise<Summary | null> {
    try {
      summary.value = await summaryApi.get()
      summaryError.value = null
      summaryUpdatedAt.value = Date.now()
    } catch (e) {
      summaryError.value = errorMessage(e)
    }
    return summary.value
  }

  // A burst of stream events triggers one summary request.
  let debounce: ReturnType<typeof setTimeout> | null = null
  function refreshSummarySoon(delayMs = 1000): void {
    if (debounce !== null) return
    debounce = setTimeout(() => {
      debounce = null
      void fetchSummary()
    }, delayMs)
  }

  let poller: ReturnType<typeof setInterval> | null = null
  /** The fallback when the streams are quiet or down. */
  function startSummaryPolling(intervalMs = 15000): void {
    stopSummaryPolling()
    void fetchSummary()
    poller = setInterval(() => void fetchSummary(), intervalMs)
  }
  function stopSummaryPolling(): void {
    if (poller !== null) clearInterval(poller)
    poller = null
    if (debounce !== null) clearTimeout(debounce)
    debounce = null
  }

  async function emergencyStop(): Promise<EmergencyStopResult> {
    const res = await summaryApi.emergencyStop()
    await fetchSummary()
    return res
  }

  async function resetPaper(): Promise<void> {
    await summaryApi.resetPaper()
    await fetchSummary()
  }

  /** The bot's newest fills, and its filled orders' client ids (when those cannot be read, fills are told apart by
   * time: see utils/runs.ts). */
  async function fetchFills(botId: number, limit = FILL_HISTORY): Promise<Fill[]> {
    if (fillsBotId.value !== botId) clientIds.value = {}
    fillsBotId.value = botId
    const [list, orders] = await Promise.all([
      tradingApi.fills({ bot_id: botId, limit }),
      tradingApi
        .orders({ bot_id: botId, status: ['filled', 'partially_filled'], limit: ORDER_HISTORY })
        .catch(() => [] as Order[]),
    ])
    if (fillsBotId.value === botId) {
      fills.value = sortFills(list).slice(0, FILL_HISTORY)
      for (const o of orders) clientIds.value[o.id] = o.client_order_id
    }
    return fills.value
  }

  /** An order from a bot stream (it comes before its fills): its client id, if it belongs to the bot shown. */
  function applyOrder(order: Order): void {
    if (fillsBotId.value !== order.bot_id) return
    clientIds.value[order.id] = order.client_order_id
  }

  /** A fill from a bot stream: added if it belongs to the bot shown and is new. */
  function applyFill(fill: Fill): void {
    if (fillsBotId.value !== fill.bot_id) return
    if (fills.value.some((f) => f.id === fill.id)) return
    fills.value = sortFills([fill, ...fills.value]).slice(0, FILL_HISTORY)
  }

  function reset(): void {
    stopSummaryPolling()
    summary.value = null
    summaryError.value = null
    summaryUpdatedAt.value = null
    fills.value = []
    fillsBotId.value = null
    clientIds.value = {}
  }

  return {
    summary,
    summaryError,
    summaryUpdatedAt,
    fills,
    fillsBotId,
    clientIds,
    fetchSummary,
    refreshSummarySoon,
    startSummaryPolling,
    stopSummaryPolling,
    emergencyStop,
    resetPaper,
    fetchFills,
    applyFill,
    applyOrder,
    reset,
  }
})

/** Newest first (by time, then id). */
function sortFills(list: Fill[]): Fill[] {
  return [...list].sort((a, b) => {
    const t = Date.parse(b.time) - Date.parse(a.time)
    return t !== 0 && !Number.isNaN(t) ? t : b.id - a.id
  })
}
