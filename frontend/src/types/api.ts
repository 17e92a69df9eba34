// Types of the HTTP API (docs/api-contract.md). Every money, price, quantity,
// percentage and ratio is a decimal string; times are RFC 3339 strings.

export type DecimalString = string

import type { FeeAsset, StrategyConfig } from './strategy'
export type { FeeAsset, GridConfig, MeanReversionConfig, OutOfRange, Spacing, StrategyConfig } from './strategy'

// ---- errors ----------------------------------------------------------------
export type ErrorCode =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'rate_limited'
  | 'exchange'
  | 'internal'

export interface ErrorBody {
  error: { code: ErrorCode; message: string; fields?: Record<string, string> }
}

// ---- auth & account ----------------------------------------------------------
export interface Credentials {
  email: string
  password: string
}
export interface RegisteredUser {
  id: number
  email: string
}
export interface TokenResponse {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
}
/** POST /api/auth/password: a wrong current password is a 422 naming `current_password`. */
export interface PasswordChange {
  current_password: string
  new_password: string
}
export interface Me {
  id: number
  email: string
  has_api_keys: boolean
}
export interface ApiKeysStatus {
  configured: boolean
  api_key_masked: string | null
}
export interface ApiKeysInput {
  api_key: string
  api_secret: string
}

// ---- bots --------------------------------------------------------------------
export type BotStatus = 'stopped' | 'starting' | 'running' | 'stopping' | 'error'
export type BotMode = 'paper' | 'live'
export interface Bot {
  id: number
  strategy: string
  pair: string
  mode: BotMode
  status: BotStatus
  /** the strategy's settings: the shape its schema (GET /api/strategies) gives */
  config: StrategyConfig
  generation: number
  /** why the bot stopped or failed; null while it runs */
  stop_reason: string | null
  /** why a running bot places no orders (its symbol is not trading on the exchange); null otherwise */
  notice: string | null
  created_at: string
  updated_at: string
}

export interface CreateBotRequest {
  strategy: string
  pair: string
  mode: BotMode
  config: StrategyConfig
}
/** `GET /api/bots/{id}/runs`: one run (a generation: a start, or a trailing move of the range), newest first. */
export interface BotRun {
  generation: number
  pair: string
  mode: BotMode
  /** the run the bot's stats describe (it runs, or it is the last one and the settings did not change since) */
  current: boolean
  started_at: string
  start_price: DecimalString
  /** the config the run started with */
  config: StrategyConfig
  fee_asset: FeeAsset
  /** why its lots were sold at a stop (`stop_loss`, `take_profit`, …), and at what price */
  stop_reason: string | null
  stop_price: DecimalString | null
  /** every fill of the run: the initial buy, the grid's fills and a stop's sale */
  fills: number
  /** as the stats count them (grid fills); null when the run's books cannot be rebuilt */
  orders_filled: number | null
  /** closed lots, a stop's included; null when the run's books cannot be rebuilt */
  round_trips: number | null
  realized_pnl: DecimalString
  fees_paid: DecimalString | null
  /** a fraction; null without round trips */
  win_rate: DecimalString | null
}

export interface UpdateBotRequest {
  pair?: string
  mode?: BotMode
  config?: StrategyConfig
}

export type LevelState = 'buy' | 'sell' | 'empty'
export interface GridLevel {
  index: number
  price: DecimalString
  state: LevelState
}

export interface BotStats {
  realized_pnl: DecimalString
  unrealized_pnl: DecimalString
  fees_paid: DecimalString
  orders_filled: number
  round_trips: number
  win_rate: DecimalString | null
  max_drawdown: DecimalString
  pnl_today: DecimalString
  avg_profit: DecimalString | null
  grid_profit: DecimalString
  inventory_pnl: DecimalString
  equity: DecimalString
  last_price: DecimalString | null
  qty_per_level: DecimalString
  open_orders: number
  total_orders: number
  stop_loss_price: DecimalString | null
  take_profit_price: DecimalString | null
  /** every level of a grid; empty for mean reversion */
  levels: GridLevel[]
  /** mean reversion: the position held (null while flat); absent for the grid */
  position?: Position | null
}

/** A mean-reversion bot's open position: bought `qty` at `entry_price`, sold at `stop_price` if the price falls
 * there (null: no stop loss). */
export interface Position {
  qty: DecimalString
  entry_price: DecimalString
  stop_price: DecimalString | null
}

export interface BacktestPreview {
  days: number
  orders_filled: number
  round_trips: number
  realized_pnl: DecimalString
  final_equity: DecimalString
  max_drawdown: DecimalString
  win_rate: DecimalString | null
  fees_paid: DecimalString
}

export interface TestConfigRequest {
  /** default `grid` */
  strategy?: string
  pair: string
  config: StrategyConfig
}
export interface TestConfigResult {
  valid: boolean
  levels: DecimalString[]
  qty_per_level: DecimalString
  profit_per_grid_min: DecimalString
  profit_per_grid_max: DecimalString
  profit_per_grid_pct_min: DecimalString
  profit_per_grid_pct_max: DecimalString
  initial_buy_qty: DecimalString
  expected_fills_per_day: DecimalString
  backtest: BacktestPreview | null
}

// ---- summary -----------------------------------------------------------------
export interface Summary {
  pnl_today: DecimalString
  pnl_total: DecimalString
  balance_quote: DecimalString
  quote_asset: string
  bots_running: number
  live: boolean
}
export type Side = 'buy' | 'sell'
export interface CancelledOrder {
  bot_id: number
  client_order_id: string
  price: DecimalString
  side: Side
}
export interface EmergencyStopResult {
  stopped_bots: number[]
  cancelled_orders: CancelledOrder[]
  /** bots whose orders could not all be cancelled, with the reason (the server sends it; not yet in the contract) */
  failures?: string[]
}

/** `POST /api/paper/reset`: the paper account as funded afresh. */
export interface PaperResetResult {
  balances: Balance[]
}

// ---- trading -----------------------------------------------------------------
export type OrderStatus = 'new' | 'open' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected' | 'expired'
export interface Order {
  id: number
  bot_id: number
  client_order_id: string
  exchange_order_id: string | null
  side: Side
  level_index: number
  price: DecimalString
  amount: DecimalString
  filled_amount: DecimalString
  avg_fill_price: DecimalString | null
  fee: DecimalString
  fee_asset: string | null
  status: OrderStatus
  created_at: string
  updated_at: string
}
export interface Fill {
  id: number
  bot_id: number
  order_id: number
  time: string
  side: Side
  price: DecimalString
  amount: DecimalString
  fee: DecimalString
  /** round trip profit on a sell that closes one, else null */
  pnl: DecimalString | null
}
export interface RoundTrip {
  id: number
  bot_id: number
  buy_order_id: number
  sell_order_id: number
  buy_price: DecimalString
  sell_price: DecimalString
  amount: DecimalString
  profit: DecimalString
  fees: DecimalString
  created_at: string
}
export interface Balance {
  asset: string
  free: DecimalString
  locked: DecimalString
}
export interface BalanceResponse {
  mode: BotMode
  balances: Balance[]
}

// ---- market ------------------------------------------------------------------
export interface MarketSymbol {
  symbol: string
  pair: string
  base: string
  quote: string
  tick_size: DecimalString
  step_size: DecimalString
  min_notional: DecimalString
}
export interface Candle {
  /** UNIX seconds */
  time: number
  open: DecimalString
  high: DecimalString
  low: DecimalString
  close: DecimalString
  volume: DecimalString
}
export interface PriceResponse {
  symbol: string
  price: DecimalString
}

// ---- AI ----------------------------------------------------------------------
export type RiskLevel = 'low' | 'medium' | 'high'
export interface SuggestionBody {
  grid_lower: DecimalString
  grid_upper: DecimalString
  num_levels: number
  confidence: number
  reasoning: string
  risk_level: RiskLevel | string
}
/** One contender's backtest (ai/src/figures.rs). Holding has no range and no levels; a grid the window could not
 * run has `error` and no figures. */
export interface BacktestEntry {
  lower: DecimalString | null
  upper: DecimalString | null
  levels: number | null
  /** what the grid's round trips realized; holding realizes nothing (0), its outcome is the return */
  realized_pnl: DecimalString | null
  final_equity: DecimalString | null
  /** (final_equity − capital) / capital: a fraction, 0.0303 = 3.03 % */
  return_pct: DecimalString | null
  max_drawdown: DecimalString | null
  round_trips: number | null
  win_rate: DecimalString | null
  error?: string
}
export interface BacktestWindow {
  window: string
  /** candles the window holds (fewer than its span when history is short) */
  candles?: number
  suggested: BacktestEntry
  current: BacktestEntry | null
  sweep_best: BacktestEntry
  hold: BacktestEntry
}
export interface Suggestion {
  id: number
  bot_id: number | null
  pair: string
  status: 'pending' | 'accepted' | 'rejected'
  source: 'claude' | 'heuristic'
  fallback_reason: string | null
  suggestion: SuggestionBody
  backtests: BacktestWindow[]
  created_at: string
}
export interface OptimizeRequest {
  pair: string
  capital: DecimalString
  bot_id?: number
  current_config?: StrategyConfig
}
export interface AcceptResult {
  suggestion: Suggestion
  bot: Bot | null
}
