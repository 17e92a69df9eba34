// A bot's runs (generations): which run is the current one, which fills are its, and a run's config in one line.

import type { Bot, BotRun, Fill } from '@/types/api'
import { gridConfig, meanReversionConfig } from '@/types/strategy'
import { formatDecimal, formatMoney, formatPercent, formatPrice } from './format'
import { quoteOf } from './market'

/** What every client order id of one run of a bot starts with (core/src/ids.rs: `gb{bot}-{generation}-`, base 36). */
export function generationPrefix(botId: number, generation: number): string {
  return `gb${botId.toString(36)}-${generation.toString(36)}-`
}

/** The run whose fills the chart shows: its generation and, when the runs list has it, when it started. */
export interface RunRef {
  generation: number
  startedAt: string | null
}

const ACTIVE = new Set(['starting', 'running', 'stopping'])

/**
 * The bot's current run. While the bot is active its own `generation` is the run (a start or a trailing move makes a
 * new one before the runs list shows it). A stopped bot's is the run the API marks `current`: none after its settings
 * changed. Before the runs are loaded, the bot's generation.
 */
export function currentRun(bot: Bot, runs: readonly BotRun[] | undefined): RunRef | null {
  if (ACTIVE.has(bot.status) || runs === undefined) {
    const run = runs?.find((r) => r.generation === bot.generation)
    return { generation: bot.generation, startedAt: run?.started_at ?? null }
  }
  const run = runs.find((r) => r.current)
  return run ? { generation: run.generation, startedAt: run.started_at } : null
}

/**
 * The fills of one run. A fill whose order's client id is known belongs to the run its prefix names (as the API
 * counts a run's fills); one whose order is not known yet, when it happened at or after the run started.
 */
export function fillsOfRun(
  fills: readonly Fill[],
  botId: number,
  run: RunRef | null,
  clientIds: Readonly<Record<number, string>>,
): Fill[] {
  if (!run) return []
  const prefix = generationPrefix(botId, run.generation)
  const since = run.startedAt === null ? NaN : Date.parse(run.startedAt)
  return fills.filter((f) => {
    if (f.bot_id !== botId) return false
    const cid = clientIds[f.order_id]
    if (cid !== undefined) return cid.startsWith(prefix)
    return !Number.isNaN(since) && Date.parse(f.time) >= since
  })
}

const OUT_OF_RANGE = { hold: '', trail: 'trails', stop: 'stops out of range' } as const

/**
 * A run's config in one line: a grid's "1,000.00 USDT · 95,000.00–105,000.00 · 20 levels arithmetic · SL 2% · TP 5% ·
 * trails", mean reversion's "1,000.00 USDT · 20-candle average − 2σ · SL 5%"; another strategy's capital and name.
 */
export function configSummary(strategy: string, config: Record<string, unknown>, pair: string): string {
  const capital = formatMoney(typeof config.capital === 'string' ? config.capital : null, quoteOf(pair))
  const grid = gridConfig(strategy, config)
  if (grid) {
    const parts = [
      capital,
      `${formatPrice(grid.lower_bound)}–${formatPrice(grid.upper_bound)}`,
      `${grid.grid_levels} levels ${grid.spacing ?? 'arithmetic'}`,
    ]
    if (grid.stop_loss_pct != null) parts.push(`SL ${formatPercent(grid.stop_loss_pct)}`)
    if (grid.take_profit_pct != null) parts.push(`TP ${formatPercent(grid.take_profit_pct)}`)
    const oor = OUT_OF_RANGE[grid.out_of_range ?? 'hold']
    if (oor) parts.push(oor)
    if (grid.sell_on_stop) parts.push('sells on stop')
    return parts.join(' · ')
  }
  const mr = meanReversionConfig(strategy, config)
  if (mr) {
    const parts = [capital, `${mr.window}-candle average − ${formatDecimal(mr.band)}σ`]
    if (mr.stop_loss_pct != null) parts.push(`SL ${formatPercent(mr.stop_loss_pct)}`)
    return parts.join(' · ')
  }
  return `${capital} · ${strategy}`
}

/** Why a run ended, as far as the dashboard knows: its own stop, else the bot's for the current run of a stopped bot. */
export function runEnd(run: BotRun, bot: Bot): string {
  if (run.stop_reason) {
    return run.stop_price ? `${run.stop_reason.replaceAll('_', ' ')} at ${formatPrice(run.stop_price)}` : run.stop_reason.replaceAll('_', ' ')
  }
  if (run.current && ACTIVE.has(bot.status)) return bot.status
  if (run.current && bot.stop_reason) return bot.stop_reason
  return 'ended'
}
