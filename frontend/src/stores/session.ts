// Ends the session everywhere: token, cached data and open sockets.

import { useAiStore } from './ai'
import { useAuthStore } from './auth'
import { useBotsStore } from './bots'
import { useMarketStore } from './market'
import { useRunsStore } from './runs'
import { useTradingStore } from './trading'

export function endSession(): void {
  useBotsStore().reset()
  useMarketStore().reset()
  useTradingStore().reset()
  useAiStore().reset()
  useRunsStore().reset()
  useAuthStore().logout()
}
