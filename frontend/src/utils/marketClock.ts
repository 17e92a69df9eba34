// The market's clock as the page sees it. Candles are on the exchange's clock, but the API stamps a fill with the
// time the bot booked it (the server's wall clock: worker/src/fills.rs takes the order's `updated_at`). On Binance the
// two agree; the simulator plays its market faster than real time (60× in `serve --offline`) and pauses, so the
// page maps a wall-clock instant to the market's by what it saw: each market `trade` message carries the exchange's
// time, and the page notes when it arrived.

/** One reading: the exchange's time of a trade (`market`, ms) and the page's clock when it arrived (`wall`, ms). */
export interface ClockSample {
  wall: number
  market: number
}

/** At most one sample per second of wall time, and the last half hour of them. */
export const SAMPLE_EVERY_MS = 1000
export const MAX_SAMPLES = 1800
/** The pace is measured over at least this much wall time; before that only nearby instants are mapped. */
const MIN_SPAN_MS = 2000
/** Without a measured pace, instants this close to a sample are mapped at the pace of real time. */
const NEAR_MS = 5000

/** The samples with `s` added, when the last one is at least SAMPLE_EVERY_MS older (else as they were). */
export function addSample(samples: readonly ClockSample[], s: ClockSample): readonly ClockSample[] {
  const last = samples[samples.length - 1]
  if (last && s.wall - last.wall < SAMPLE_EVERY_MS) return samples
  if (last && s.market < last.market) return samples
  const out = [...samples, s]
  return out.length > MAX_SAMPLES ? out.slice(out.length - MAX_SAMPLES) : out
}

/** Market ms per wall ms over the samples; null when they span too little wall time to tell. */
export function pace(samples: readonly ClockSample[]): number | null {
  const first = samples[0]
  const last = samples[samples.length - 1]
  if (!first || !last || last.wall - first.wall < MIN_SPAN_MS) return null
  const p = (last.market - first.market) / (last.wall - first.wall)
  return p > 0 ? p : null
}

/**
 * The market's time (ms) at the wall-clock instant `wall` (ms): between two samples, interpolated; before or after
 * them, at the pace the market kept over the samples. Null without samples, or too far from them to tell.
 */
export function wallToMarket(samples: readonly ClockSample[], wall: number): number | null {
  const first = samples[0]
  const last = samples[samples.length - 1]
  if (!first || !last) return null
  if (wall >= first.wall && wall <= last.wall) {
    // binary search for the samples around `wall`
    let lo = 0
    let hi = samples.length - 1
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1
      if (samples[mid]!.wall <= wall) lo = mid
      else hi = mid
    }
    const a = samples[lo]!
    const b = samples[hi]!
    if (b.wall === a.wall) return a.market
    return a.market + ((wall - a.wall) * (b.market - a.market)) / (b.wall - a.wall)
  }
  const anchor = wall < first.wall ? first : last
  const measured = pace(samples)
  if (measured === null && Math.abs(wall - anchor.wall) > NEAR_MS) return null
  return anchor.market + (wall - anchor.wall) * (measured ?? 1)
}

/**
 * Whether the market runs on the wall clock (a real exchange): its newest candle (open time `lastBarSec`, UNIX
 * seconds, `intervalSec` long) is the one open now, give or take one candle.
 */
export function onWallClock(lastBarSec: number, intervalSec: number, nowMs: number): boolean {
  const now = nowMs / 1000
  return now >= lastBarSec - intervalSec && now < lastBarSec + 2 * intervalSec
}
