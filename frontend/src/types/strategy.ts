// Strategies (GET /api/strategies) and the part of JSON Schema their config schemas use. Hand-written: the OpenAPI
// document describes a strategy's `schema` only as an object, and a bot's `config` as any object.

import type { components } from '@/api/schema'
import type { DecimalString } from './api'

export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'null' | 'object' | 'array'
export type JsonScalar = string | number | boolean | null

/** One setting of a strategy's config. Bounds may be JSON numbers or decimal strings (`"exclusiveMinimum": "0"`). */
export interface FieldSchema {
  type?: JsonType | readonly JsonType[]
  /** `decimal`: a decimal string (money, prices, percents, rates) */
  format?: string
  enum?: readonly JsonScalar[]
  default?: unknown
  title?: string
  description?: string
  /** what the value counts: `quote`, `price` (the pair's quote asset), `percent`, `rate` (a fraction), `candles`,
   * `sd` (standard deviations), `base` */
  'x-unit'?: string
  minimum?: number | string
  maximum?: number | string
  exclusiveMinimum?: number | string
  exclusiveMaximum?: number | string
}

/** A strategy's config: an object of settings, shown in `x-order` (else the properties' order). */
export interface ConfigSchema {
  $schema?: string
  type: 'object'
  properties: Record<string, FieldSchema>
  required?: string[]
  'x-order'?: string[]
  additionalProperties?: boolean
}

/** `GET /api/strategies`: `name` is what a bot's `strategy` names (`grid`, `mean_reversion`); `bots`: bots can run it
 * (else it is backtested only); `ai`: the AI can suggest its settings; `schema`: its config (the document: any
 * object). */
export type Strategy = Omit<components['schemas']['StrategyOut'], 'schema'> & { schema: ConfigSchema }

/** A bot's config as stored: the keys its strategy's schema names, and any others a newer server added. */
export type StrategyConfig = Record<string, unknown>

// ---- the two strategies' configs, for the pages that show them (the form is built from the schema) -----------

export type Spacing = 'arithmetic' | 'geometric'
export type FeeAsset = 'base' | 'quote'
export type OutOfRange = 'hold' | 'trail' | 'stop'

/** `grid` (docs/spec/grid.md). */
export interface GridConfig {
  capital: DecimalString
  lower_bound: DecimalString
  upper_bound: DecimalString
  grid_levels: number
  spacing?: Spacing
  stop_loss_pct?: DecimalString | null
  take_profit_pct?: DecimalString | null
  max_daily_loss?: DecimalString | null
  /** Fee rate of the bot's trades, a fraction (paper: the venue's when absent). */
  fee_rate?: DecimalString | null
  /** What pays the fees: `base` (Binance without BNB, the default) or `quote` (fees paid in BNB). */
  fee_asset?: FeeAsset
  /** When the price leaves the range: `hold` (default), `trail` or `stop`. */
  out_of_range?: OutOfRange
  /** Sell the base held when the bot stops (the dashboard's Stop dialog starts with this choice). */
  sell_on_stop?: boolean
}

/** `mean_reversion` (docs/spec/mean-reversion.md). */
export interface MeanReversionConfig {
  capital: DecimalString
  /** candles (1 minute) in the moving average, 2..500 */
  window?: number
  /** standard deviations below the mean an entry needs, 0 < band <= 10 */
  band?: DecimalString
  stop_loss_pct?: DecimalString | null
  fee_rate?: DecimalString
  fee_asset?: FeeAsset
}

export const MEAN_REVERSION_DEFAULTS = { window: 20, band: '2' } as const

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

/** A grid bot's config; null for another strategy, or a config without its range. */
export function gridConfig(strategy: string, config: unknown): GridConfig | null {
  if (strategy !== 'grid' || !isObject(config)) return null
  const c = config as Partial<GridConfig>
  return typeof c.lower_bound === 'string' && typeof c.upper_bound === 'string' ? (c as GridConfig) : null
}

/** A mean-reversion bot's config, its window and band defaulted as the server does; null for another strategy. */
export function meanReversionConfig(
  strategy: string,
  config: unknown,
): (MeanReversionConfig & { window: number; band: DecimalString }) | null {
  if (strategy !== 'mean_reversion' || !isObject(config)) return null
  const c = config as Partial<MeanReversionConfig>
  return {
    ...c,
    capital: typeof c.capital === 'string' ? c.capital : String(c.capital ?? ''),
    window: typeof c.window === 'number' ? c.window : MEAN_REVERSION_DEFAULTS.window,
    band: c.band != null ? String(c.band) : MEAN_REVERSION_DEFAULTS.band,
  }
}
