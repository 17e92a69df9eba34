// Where the dashboard's prices come from (GET /api/system), said in words for the header's badge.

import type { SystemInfo } from '@/types/api'

export interface MarketBadgeText {
  /** `simulator` or `binance` */
  market: string
  /** the badge */
  label: string
  /** the longer explanation (the badge's title) */
  detail: string
}

/** The simulator's pace in words: "1 candle/s", "60 candles/s", "1 candle every 2 s"; null when unknown. */
export function pace(candleMs: number | null | undefined): string | null {
  if (candleMs == null || !(candleMs > 0)) return null
  const perSec = 1000 / candleMs
  if (perSec >= 1) {
    const n = Math.round(perSec * 10) / 10
    return `${n} candle${n === 1 ? '' : 's'}/s`
  }
  const every = Math.round(candleMs / 100) / 10
  return `1 candle every ${every} s`
}

export function marketBadge(info: SystemInfo | null | undefined): MarketBadgeText | null {
  if (!info) return null
  if (info.market === 'simulator') {
    const p = pace(info.candle_ms)
    return {
      market: 'simulator',
      label: `Simulator market${p ? ` — ${p}` : ''}, not real prices`,
      detail:
        "Prices come from the built-in simulator's random walk (Binance was not used): charts, fills and P&L are a " +
        `demonstration${info.candle_ms ? `; one 1-minute candle passes every ${info.candle_ms / 1000} s` : ''}.`,
    }
  }
  return { market: 'binance', label: 'Binance market', detail: "Prices are Binance's spot market, in real time." }
}
