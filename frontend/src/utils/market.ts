// Pair / symbol helpers and time formatting.

/** "BTC/USDT" → "BTCUSDT" (the path form the market routes take). */
export function pairToSymbol(pair: string): string {
  return pair.replace(/[/\-_]/g, '').toUpperCase()
}

/** "BTC/USDT" → ["BTC", "USDT"]; a pair without a separator gives [pair, ""]. */
export function splitPair(pair: string): [base: string, quote: string] {
  const [base = pair, quote = ''] = pair.split('/')
  return [base, quote]
}

export function quoteOf(pair: string): string {
  return splitPair(pair)[1]
}

export function baseOf(pair: string): string {
  return splitPair(pair)[0]
}

const timeFmt = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

/** RFC 3339 → short local date-time; invalid input is returned as is. */
export function formatTime(rfc3339: string): string {
  const t = Date.parse(rfc3339)
  return Number.isNaN(t) ? rfc3339 : timeFmt.format(t)
}

/** RFC 3339 → UNIX seconds, floored to a multiple of `bucket` seconds (a candle's open time). */
export function toUnixSeconds(rfc3339: string, bucket = 1): number | null {
  const t = Date.parse(rfc3339)
  if (Number.isNaN(t)) return null
  const s = Math.floor(t / 1000)
  return s - (s % bucket)
}
