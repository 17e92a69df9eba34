// WebSocket messages (docs/api-contract.md, "WebSockets"), discriminated on `type`.

import type { Bot, BotStats, DecimalString, Fill, Order } from './api'

export type BotWsMessage =
  | { type: 'status'; bot: Bot }
  | { type: 'order'; order: Order }
  | { type: 'fill'; fill: Fill }
  | { type: 'stats'; stats: BotStats }
  | { type: 'error'; message: string }

export interface LiveCandle {
  time: number
  open: DecimalString
  high: DecimalString
  low: DecimalString
  close: DecimalString
  volume: DecimalString
  closed: boolean
}

export type MarketWsMessage =
  | { type: 'trade'; symbol: string; price: DecimalString; qty: DecimalString; time: number }
  | { type: 'kline'; symbol: string; candle: LiveCandle }

const BOT_TYPES: ReadonlySet<string> = new Set(['status', 'order', 'fill', 'stats', 'error'])
const MARKET_TYPES: ReadonlySet<string> = new Set(['trade', 'kline'])

function hasType(v: unknown, types: ReadonlySet<string>): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { type?: unknown }).type === 'string' &&
    types.has((v as { type: string }).type)
  )
}

/** Narrows a parsed frame to a bot message; unknown types are dropped. */
export function asBotMessage(v: unknown): BotWsMessage | null {
  return hasType(v, BOT_TYPES) ? (v as BotWsMessage) : null
}

/** Narrows a parsed frame to a market message; unknown types are dropped. */
export function asMarketMessage(v: unknown): MarketWsMessage | null {
  return hasType(v, MARKET_TYPES) ? (v as MarketWsMessage) : null
}
