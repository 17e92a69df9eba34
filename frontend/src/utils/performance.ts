// A bot's returns as the dashboard shows them: running time ("2 d 3 h"), APR and P&L with its ROI, and the
// overview table's rows and their order. Money stays a decimal string; only the running time is a number (seconds).

import type { Bot, BotStats } from '@/types/api'
import { cmp, isDecimal } from './decimal'
import { EMPTY, formatFraction } from './format'

/** Seconds as the two largest units: "2 d 3 h", "3 h 12 min", "45 min", "30 s"; null shows "—". */
export function formatRunning(secs: number | null | undefined): string {
  if (secs == null || !Number.isFinite(secs) || secs < 0) return EMPTY
  const s = Math.floor(secs)
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`
  if (m > 0) return `${m} min`
  return `${s} s`
}

/** An APR (a fraction a year) as a percentage; null (under a minute of running, before a run) shows "—". */
export function formatApr(fraction: string | null | undefined): string {
  return formatFraction(fraction, 1)
}

/** "APR 12.3% / 8.1%": the grid's (realized) and the total's. */
export function formatAprPair(stats: Pick<BotStats, 'grid_apr' | 'total_apr'> | null | undefined): string {
  return `${formatApr(stats?.grid_apr)} / ${formatApr(stats?.total_apr)}`
}

/** The start as a short local date and time ("6 Dec, 14:05"), or "—". */
export function formatStarted(iso: string | null | undefined): string {
  if (!iso) return EMPTY
  const t = new Date(iso)
  if (Number.isNaN(t.getTime())) return EMPTY
  return t.toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })
}

/** One row of the overview table. */
export interface OverviewRow {
  bot: Bot
  stats: BotStats | null
}

export type SortKey = 'name' | 'strategy' | 'mode' | 'status' | 'total_pnl' | 'roi' | 'grid_profit' | 'apr' | 'running'
export type SortDir = 'asc' | 'desc'

type Key = { kind: 'text'; v: string } | { kind: 'dec'; v: string | null } | { kind: 'num'; v: number | null }

function keyOf(row: OverviewRow, key: SortKey): Key {
  const s = row.stats
  const dec = (v: string | null | undefined): Key => ({ kind: 'dec', v: v != null && isDecimal(v) ? v : null })
  switch (key) {
    case 'name':
      return { kind: 'text', v: `${row.bot.pair} #${String(row.bot.id).padStart(10, '0')}` }
    case 'strategy':
      return { kind: 'text', v: row.bot.strategy }
    case 'mode':
      return { kind: 'text', v: row.bot.mode }
    case 'status':
      return { kind: 'text', v: row.bot.status }
    case 'total_pnl':
      return dec(s?.total_pnl)
    case 'roi':
      return dec(s?.total_pnl_pct)
    case 'grid_profit':
      return dec(s?.grid_profit)
    case 'apr':
      return dec(s?.total_apr)
    case 'running':
      return { kind: 'num', v: s?.running_secs ?? null }
  }
}

function compareKeys(a: Key, b: Key): number {
  if (a.kind === 'text' && b.kind === 'text') return a.v.localeCompare(b.v)
  if (a.kind === 'dec' && b.kind === 'dec' && a.v !== null && b.v !== null) return cmp(a.v, b.v)
  if (a.kind === 'num' && b.kind === 'num' && a.v !== null && b.v !== null) return a.v - b.v
  return 0
}

const missing = (k: Key) => k.kind !== 'text' && k.v === null

/** The rows ordered by `key`; rows without the figure (no stats, no run) last either way, ties by bot id. */
export function sortRows(rows: readonly OverviewRow[], key: SortKey, dir: SortDir): OverviewRow[] {
  const sign = dir === 'asc' ? 1 : -1
  return [...rows].sort((x, y) => {
    const a = keyOf(x, key)
    const b = keyOf(y, key)
    if (missing(a) || missing(b)) return Number(missing(a)) - Number(missing(b)) || x.bot.id - y.bot.id
    return sign * compareKeys(a, b) || x.bot.id - y.bot.id
  })
}

/** A click on a column's header: that column descending (figures) or ascending (text), again: the other way. */
export function nextSort(current: { key: SortKey; dir: SortDir }, key: SortKey): { key: SortKey; dir: SortDir } {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' }
  const text: SortKey[] = ['name', 'strategy', 'mode', 'status']
  return { key, dir: text.includes(key) ? 'asc' : 'desc' }
}

/** The new-bot form pre-filled from `bot` (its strategy, pair and config; paper mode). */
export function cloneLocation(bot: Pick<Bot, 'id'>) {
  return { name: 'bot-new', query: { from: String(bot.id) } } as const
}

/** The real span of `candles` 1-minute candles: "3 h 20 min of candles", "7 d of candles"; null when unknown. */
export function formatCandleSpan(candles: number | null | undefined): string | null {
  if (candles == null || !Number.isFinite(candles) || candles < 0) return null
  return `${formatRunning(candles * 60)} of candles`
}

/** A bot's running time now: a running bot's counted on from its start (the stats' figure was true when they were
 * read, and is the least it can be), a stopped one's as the stats say; null before a run. */
export function liveRunningSecs(
  stats: Pick<BotStats, 'started_at' | 'running_secs'> | null | undefined,
  status: Bot['status'],
  nowMs: number,
): number | null {
  const secs = stats?.running_secs ?? null
  if (!stats?.started_at || !['running', 'starting', 'stopping'].includes(status)) return secs
  const start = Date.parse(stats.started_at)
  if (Number.isNaN(start)) return secs
  return Math.max(secs ?? 0, Math.floor((nowMs - start) / 1000))
}
