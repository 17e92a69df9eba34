// Ends the session in this tab (token, cached data and open sockets), after telling the server when asked to.

import { useAiStore } from './ai'
import { useAuthStore } from './auth'
import { useBotsStore } from './bots'
import { useMarketStore } from './market'
import { useRunsStore } from './runs'
import { useStrategiesStore } from './strategies'
import { useTradingStore } from './trading'

export function endSession(): void {
  useBotsStore().reset()
  useMarketStore().reset()
  useTradingStore().reset()
  useAiStore().reset()
  useRunsStore().reset()
  useStrategiesStore().reset()
  useAuthStore().logout()
}

/** The header's "Log out": revokes this token on the server, then clears the session even if that call failed. */
export async function logOut(): Promise<void> {
  await useAuthStore().revoke()
  endSession()
}

/** "Log out everywhere": every session of the user ends on the server, then here; a failure is thrown and nothing
 * is cleared, so the user sees that the other sessions are still open. */
export async function logOutEverywhere(): Promise<void> {
  await useAuthStore().revokeAll()
  endSession()
}
