// The bot configuration form: its state, conversion to the API's GridConfig,
// and the checks that can be made before asking the server.

import type { Bot, BotMode, GridConfig, Spacing } from '@/types/api'
import { cmp, isDecimal, normalize } from './decimal'

/** The API's range (spec/grid.md: 2 ≤ N ≤ 200): the form offers every level count the API takes. */
export const MIN_LEVELS = 2
export const MAX_LEVELS = 200

export interface BotForm {
  strategy: string
  pair: string
  mode: BotMode
  capital: string
  lower_bound: string
  upper_bound: string
  grid_levels: number
  spacing: Spacing
  stop_loss_pct: string
  take_profit_pct: string
  max_daily_loss: string
  /** The config's settings this form does not show (fee asset and rate, out-of-range policy, …), sent back as they
   * were so that saving the form never resets them. */
  kept: Partial<GridConfig>
}

export type FormErrors = Partial<Record<keyof BotForm, string>>

export function defaultForm(pair = ''): BotForm {
  return {
    strategy: 'grid',
    pair,
    mode: 'paper',
    capital: '1000',
    lower_bound: '',
    upper_bound: '',
    grid_levels: 20,
    spacing: 'arithmetic',
    stop_loss_pct: '',
    take_profit_pct: '',
    max_daily_loss: '',
    kept: {},
  }
}

export function formFromBot(bot: Bot): BotForm {
  const c = bot.config
  const { fee_rate, fee_asset, out_of_range, sell_on_stop } = c
  const kept = Object.fromEntries(
    Object.entries({ fee_rate, fee_asset, out_of_range, sell_on_stop }).filter(([, v]) => v !== undefined),
  ) as Partial<GridConfig>
  return {
    strategy: bot.strategy,
    pair: bot.pair,
    mode: bot.mode,
    capital: c.capital,
    lower_bound: c.lower_bound,
    upper_bound: c.upper_bound,
    grid_levels: c.grid_levels,
    spacing: c.spacing,
    stop_loss_pct: c.stop_loss_pct ?? '',
    take_profit_pct: c.take_profit_pct ?? '',
    max_daily_loss: c.max_daily_loss ?? '',
    kept,
  }
}

function optional(v: string): string | null {
  const t = v.trim()
  return t === '' ? null : normalize(t)
}

/** The config to send; call after validateForm found nothing. */
export function toConfig(f: BotForm): GridConfig {
  return {
    ...f.kept,
    capital: normalize(f.capital.trim()),
    lower_bound: normalize(f.lower_bound.trim()),
    upper_bound: normalize(f.upper_bound.trim()),
    grid_levels: f.grid_levels,
    spacing: f.spacing,
    stop_loss_pct: optional(f.stop_loss_pct),
    take_profit_pct: optional(f.take_profit_pct),
    max_daily_loss: optional(f.max_daily_loss),
  }
}

function positive(v: string): string | null {
  const t = v.trim()
  if (t === '') return 'Required'
  if (!isDecimal(t)) return 'Not a number'
  return cmp(t, '0') > 0 ? null : 'Must be above 0'
}

function optionalPositive(v: string, max?: string): string | null {
  const t = v.trim()
  if (t === '') return null
  const e = positive(t)
  if (e) return e
  if (max !== undefined && cmp(t, max) >= 0) return `Must be below ${max}`
  return null
}

/** Errors keyed by field; empty when the form can be sent. */
export function validateForm(f: BotForm): FormErrors {
  const e: FormErrors = {}
  const set = (k: keyof BotForm, msg: string | null) => {
    if (msg) e[k] = msg
  }
  if (!f.pair) e.pair = 'Choose a pair'
  set('capital', positive(f.capital))
  set('lower_bound', positive(f.lower_bound))
  set('upper_bound', positive(f.upper_bound))
  if (!e.lower_bound && !e.upper_bound && cmp(f.lower_bound.trim(), f.upper_bound.trim()) >= 0) {
    e.lower_bound = 'Must be below the upper bound'
  }
  if (!Number.isInteger(f.grid_levels) || f.grid_levels < MIN_LEVELS || f.grid_levels > MAX_LEVELS) {
    e.grid_levels = `Between ${MIN_LEVELS} and ${MAX_LEVELS}`
  }
  set('stop_loss_pct', optionalPositive(f.stop_loss_pct, '100'))
  set('take_profit_pct', optionalPositive(f.take_profit_pct))
  set('max_daily_loss', optionalPositive(f.max_daily_loss))
  return e
}
