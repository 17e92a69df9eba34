// Which candle each fill goes on. One clock on a chart, the market's: a fill's wall-clock time is mapped to the
// market's (marketClock.ts), then the fill is put on the nearest candle that traded at its price — a fill happened on
// a trade at its price, so that candle's range holds it. The mapping is exact on a real exchange and close on the
// simulator (booking lags the trade by a moment, the simulator's pauses are unseen before the page opened): the
// price is what settles the candle.

import type { Fill } from '@/types/api'
import { cmp, isDecimal } from './decimal'

/** A candle as the placement needs it: open time (UNIX seconds) and its range (decimal strings). */
export interface Bar {
  time: number
  low: string
  high: string
}

export interface PlacedFill {
  fill: Fill
  /** the open time of the candle it goes on */
  time: number
}

/** How far (in candles) from the clock's estimate a fill may be moved to a candle that traded at its price. */
export const SNAP_CANDLES = 60

function holds(bar: Bar, price: string): boolean {
  return isDecimal(bar.low) && isDecimal(bar.high) && cmp(bar.low, price) <= 0 && cmp(price, bar.high) <= 0
}

/** Index of the last bar opening at or before `t` (bars sorted by time); -1 when `t` is before the first. */
function barAt(bars: readonly Bar[], t: number): number {
  let lo = 0
  let hi = bars.length - 1
  if (hi < 0 || t < bars[0]!.time) return -1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (bars[mid]!.time <= t) lo = mid
    else hi = mid - 1
  }
  return lo
}

/**
 * Places each fill on a candle of `bars` (sorted by time, one interval apart or more): `toMarketMs` maps the fill's
 * wall-clock instant to the market's (null: unknown yet). A fill from before the first candle, or whose instant
 * cannot be mapped, is left out. Among the candles within SNAP_CANDLES of the estimate, the nearest whose range
 * holds the fill's price wins (the earlier on a tie: a fill is booked after its trade); none: the estimate's candle.
 */
export function placeFills(
  fills: readonly Fill[],
  bars: readonly Bar[],
  toMarketMs: (wallMs: number) => number | null,
): PlacedFill[] {
  const out: PlacedFill[] = []
  if (bars.length === 0) return out
  for (const fill of fills) {
    const wall = Date.parse(fill.time)
    if (Number.isNaN(wall) || !isDecimal(fill.price)) continue
    const market = toMarketMs(wall)
    if (market === null) continue
    const at = barAt(bars, Math.floor(market / 1000))
    if (at < 0) continue
    let chosen = at
    for (let d = 0; d <= SNAP_CANDLES; d++) {
      const before = bars[at - d]
      if (before && holds(before, fill.price)) {
        chosen = at - d
        break
      }
      const after = d > 0 ? bars[at + d] : undefined
      if (after && holds(after, fill.price)) {
        chosen = at + d
        break
      }
    }
    out.push({ fill, time: bars[chosen]!.time })
  }
  return out.sort((a, b) => a.time - b.time || a.fill.id - b.fill.id)
}
