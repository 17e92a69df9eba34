// The exchange-health panel's plain words (GET /api/exchange/health): each line answers part of "why no orders?",
// and says whether it is a problem ('bad'), worth a look ('warn') or fine ('ok').

import type { BotHealth, ExchangeHealth, ExchangeStatus, StreamHealth } from '@/types/api'
import { formatPrice } from './format'

export type Level = 'ok' | 'warn' | 'bad'

export interface HealthLine {
  /** stable key for the list and the tests */
  key: string
  level: Level
  text: string
}

/** An exchange error this recent still explains a bot placing nothing. */
export const RECENT_ERROR_MS = 3_600_000

/** "2 s", "5 min", "3 h 20 min", "2 d 4 h". */
export function formatAge(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '—'
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s} s`
  const min = Math.floor(s / 60)
  if (min < 60) return `${min} min`
  const h = Math.floor(min / 60)
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`
  const d = Math.floor(h / 24)
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`
}

function venue(h: Pick<ExchangeHealth, 'market'>): string {
  return h.market === 'simulator' ? 'the simulator' : 'Binance'
}

/** "Clock 12 ms behind Binance" (a positive offset: the exchange's clock is ahead of ours). */
export function clockLine(h: ExchangeHealth): HealthLine {
  const e = h.exchange
  const off = e.clock_offset_ms
  const size = Math.abs(off) >= 1000 ? `${(Math.abs(off) / 1000).toFixed(1)} s` : `${Math.abs(off)} ms`
  const text = off === 0 ? `Clock in step with ${venue(h)}` : `Clock ${size} ${off > 0 ? 'behind' : 'ahead of'} ${venue(h)}`
  return { key: 'clock', level: e.clock_warning ? 'warn' : 'ok', text }
}

/** "Weight 84 / 6000 this minute". */
export function weightLine(e: ExchangeStatus): HealthLine {
  const text = e.weight_limit > 0 ? `Weight ${e.weight_used} / ${e.weight_limit} this minute` : 'Weight not known yet'
  return { key: 'weight', level: e.weight_warning ? 'warn' : 'ok', text }
}

/** "Binance answers in 35 ms", or why it does not. */
export function reachLine(h: ExchangeHealth): HealthLine {
  const e = h.exchange
  if (!e.reachable) return { key: 'reach', level: 'bad', text: `${capital(venue(h))} does not answer: ${e.error ?? 'no reason given'}` }
  const latency = e.latency_ms == null ? '' : ` in ${e.latency_ms} ms`
  return { key: 'reach', level: 'ok', text: `${capital(venue(h))} answers${latency}` }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

/** "BTCUSDT stream: last trade 2 s ago (68,012.50)". */
export function streamLine(s: StreamHealth): HealthLine {
  const key = `stream-${s.symbol}`
  if (!s.streamed) {
    const last = s.last_trade_age_ms == null ? '' : `; last trade ${formatAge(s.last_trade_age_ms)} ago`
    return { key, level: 'ok', text: `${s.symbol}: not streamed (no running bot)${last}` }
  }
  if (s.last_trade_age_ms == null) return { key, level: 'bad', text: `${s.symbol} stream: no trade recorded yet` }
  let text = `${s.symbol} stream: last trade ${formatAge(s.last_trade_age_ms)} ago (${formatPrice(s.last_trade_price)})`
  if (s.candle_lag_ms != null && s.candle_lag_ms > 0) text += `; candles ${formatAge(s.candle_lag_ms)} behind`
  return { key, level: s.stale ? 'bad' : 'ok', text }
}

/** "bot #3: -2010 insufficient balance 5 min ago", or its status when it has no error. */
export function botLine(b: BotHealth): HealthLine {
  const key = `bot-${b.bot_id}`
  const who = `bot #${b.bot_id} ${b.pair}`
  const e = b.last_error
  const recent = e != null && e.age_ms < RECENT_ERROR_MS
  if (b.status === 'error') {
    return { key, level: 'bad', text: `${who}: failed${b.reason ? ` — ${b.reason}` : ''}${e ? `; ${errorText(e)}` : ''}` }
  }
  if (e) return { key, level: recent && b.status !== 'stopped' ? 'bad' : 'warn', text: `${who}: ${errorText(e)}` }
  if (b.status === 'running' && b.reason) return { key, level: 'warn', text: `${who}: ${b.reason}` }
  return { key, level: 'ok', text: `${who}: ${b.status}, no exchange error` }
}

function errorText(e: NonNullable<BotHealth['last_error']>): string {
  const code = e.code == null ? '' : `${e.code} `
  return `${code}${e.message} ${formatAge(e.age_ms)} ago`
}

/** Every line, the exchange's first. */
export function healthLines(h: ExchangeHealth): HealthLine[] {
  return [reachLine(h), clockLine(h), weightLine(h.exchange), ...h.streams.map(streamLine), ...h.bots.map(botLine)]
}

/** The worst level of the lines: the panel's headline colour. */
export function worst(lines: readonly HealthLine[]): Level {
  if (lines.some((l) => l.level === 'bad')) return 'bad'
  return lines.some((l) => l.level === 'warn') ? 'warn' : 'ok'
}
