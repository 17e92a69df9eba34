// The mean-reversion overlay (docs/spec/mean-reversion.md): over the last `window` closes, the moving average and
// the lower band `mean − band × σ` (population standard deviation), one point per candle from the window's last.
// Display only, so JS numbers: the bot's signals are computed exactly on the server.

import { isDecimal, toChartNumber } from './decimal'

export interface BandPoint {
  /** the candle's open time, UNIX seconds */
  time: number
  mean: number
  lower: number
}

/** Points for the candles that have `window` closes up to them (candles sorted by time); none when `window` < 2 or
 * `band` is not a number. A candle whose close is not a decimal restarts the window after it. */
export function meanReversionBands(
  candles: readonly { time: number; close: string }[],
  window: number,
  band: string | number,
): BandPoint[] {
  const k = typeof band === 'number' ? band : isDecimal(band) ? toChartNumber(band) : NaN
  const out: BandPoint[] = []
  if (!Number.isInteger(window) || window < 2 || !Number.isFinite(k)) return out
  const closes: number[] = []
  for (const c of candles) {
    if (!isDecimal(c.close)) {
      closes.length = 0
      continue
    }
    closes.push(toChartNumber(c.close))
    if (closes.length > window) closes.shift()
    if (closes.length < window) continue
    let s = 0
    for (const x of closes) s += x
    const mean = s / window
    let sq = 0
    for (const x of closes) sq += (x - mean) ** 2
    out.push({ time: c.time, mean, lower: mean - k * Math.sqrt(sq / window) })
  }
  return out
}

/** Whether a close is below the lower band (an entry signal), as the spec words it: c < mean − k·σ. */
export function belowBand(close: number, p: BandPoint): boolean {
  return close < p.lower
}
