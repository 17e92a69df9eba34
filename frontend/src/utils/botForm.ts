// The bot configuration form: its state, conversion to the API's GridConfig,
// and the checks that can be made before asking the server.

import type { Bot, BotMode, FeeAsset, GridConfig, OutOfRange, Spacing } from '@/types/api'
import { cmp, isDecimal, mul, normalize, shift, sub, add } from './decimal'

/** The API's range (spec/grid.md: 2 ≤ N ≤ 200): the form offers every level count the API takes. */
export const MIN_LEVELS = 2
export const MAX_LEVELS = 200
/** The API refuses a fee rate of 10 % or more (core/src/config.rs); the form takes it in percent. */
export const MAX_FEE_PCT = '10'

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
  /** the fee per fill in percent ("0.1" = 0.1 %, sent as the fraction 0.001); empty: the venue's */
  fee_pct: string
  fee_asset: FeeAsset
  out_of_range: OutOfRange
  sell_on_stop: boolean
  /** Settings of the bot's config that this form has no control for (a field a newer server added), sent back as
   * they were so that saving the form never resets them. */
  kept: Record<string, unknown>
}

export type FormErrors = Partial<Record<keyof BotForm | 'fee_rate', string>>

/** The config keys the form edits; every other key is kept as it was. */
const EDITED = new Set([
  'capital',
  'lower_bound',
  'upper_bound',
  'grid_levels',
  'spacing',
  'stop_loss_pct',
  'take_profit_pct',
  'max_daily_loss',
  'fee_rate',
  'fee_asset',
  'out_of_range',
  'sell_on_stop',
])

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
    fee_pct: '',
    // the API's defaults (core/src/strategy/grid.rs)
    fee_asset: 'base',
    out_of_range: 'hold',
    sell_on_stop: false,
    kept: {},
  }
}

export function formFromBot(bot: Bot): BotForm {
  const c = bot.config
  const kept = Object.fromEntries(Object.entries(c).filter(([k]) => !EDITED.has(k)))
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
    fee_pct: c.fee_rate != null && isDecimal(c.fee_rate) ? shift(c.fee_rate, 2) : '',
    fee_asset: c.fee_asset ?? 'base',
    out_of_range: c.out_of_range ?? 'hold',
    sell_on_stop: c.sell_on_stop ?? false,
    kept,
  }
}

function optional(v: string): string | null {
  const t = v.trim()
  return t === '' ? null : normalize(t)
}

/** The config to send; call after validateForm found nothing. */
export function toConfig(f: BotForm): GridConfig {
  const fee = f.fee_pct.trim()
  const config: GridConfig = {
    ...f.kept,
    capital: normalize(f.capital.trim()),
    lower_bound: normalize(f.lower_bound.trim()),
    upper_bound: normalize(f.upper_bound.trim()),
    grid_levels: f.grid_levels,
    spacing: f.spacing,
    stop_loss_pct: optional(f.stop_loss_pct),
    take_profit_pct: optional(f.take_profit_pct),
    max_daily_loss: optional(f.max_daily_loss),
    fee_asset: f.fee_asset,
    out_of_range: f.out_of_range,
    sell_on_stop: f.sell_on_stop,
  }
  // no fee rate: the key is left out, and the server applies the venue's
  if (fee !== '') config.fee_rate = shift(fee, -2)
  return config
}

/** The price a stop loss of `pct` % below `lower` means (core: lower × (1 − pct/100)); null when not computable. */
export function stopLossPrice(lower: string, pct: string): string | null {
  const l = lower.trim()
  const p = pct.trim()
  if (!isDecimal(l) || !isDecimal(p)) return null
  return normalize(mul(l, sub('1', shift(p, -2))))
}

/** The price a take profit of `pct` % above `upper` means (core: upper × (1 + pct/100)); null when not computable. */
export function takeProfitPrice(upper: string, pct: string): string | null {
  const u = upper.trim()
  const p = pct.trim()
  if (!isDecimal(u) || !isDecimal(p)) return null
  return normalize(mul(u, add('1', shift(p, -2))))
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

function feePct(v: string): string | null {
  const t = v.trim()
  if (t === '') return null
  if (!isDecimal(t)) return 'Not a number'
  if (cmp(t, '0') < 0) return 'Must be 0 or more'
  if (cmp(t, MAX_FEE_PCT) >= 0) return `Must be below ${MAX_FEE_PCT} %`
  return null
}

/** Errors keyed by field; empty when the form can be sent. */
export function validateForm(f: BotForm): FormErrors {
  const e: FormErrors = {}
  const set = (k: keyof FormErrors, msg: string | null) => {
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
  set('fee_rate', feePct(f.fee_pct))
  return e
}
