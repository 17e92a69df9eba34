// Types of the HTTP API (docs/api-contract.md): aliases of the ones generated from the server's OpenAPI document
// (src/api/schema.d.ts, `npm run gen:api`). The document types an enumeration as a plain string and a config or an
// AI suggestion as any object; `Narrow` puts the contract's types there. Hand-written only what OpenAPI cannot say:
// the strategies' config shapes (strategy.ts), an AI suggestion's body and backtests, the WebSocket messages (ws.ts).
// Every money, price, quantity, percentage and ratio is a decimal string; times are RFC 3339 strings.

import type { components } from '@/api/schema'
import type { FeeAsset, StrategyConfig } from './strategy'

export type { FeeAsset, GridConfig, MeanReversionConfig, OutOfRange, Spacing, StrategyConfig } from './strategy'

type Schemas = components['schemas']
/** `T` with the fields of `U` typed as `U` says (the contract's narrower types). */
type Narrow<T, U extends Partial<Record<keyof T, unknown>>> = Omit<T, keyof U> & U

export type DecimalString = string

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

export type ErrorBody = { error: Narrow<Schemas['ErrorDetail'], { code: ErrorCode }> }

// ---- auth & account ----------------------------------------------------------
export type Credentials = Schemas['Credentials']
export type RegisteredUser = Schemas['UserOut']
export type TokenResponse = Schemas['TokenOut']
/** POST /api/auth/password: a wrong current password is a 422 naming `current_password`. */
export type PasswordChange = Schemas['PasswordChange']
export type Me = Schemas['MeOut']
export type ApiKeysStatus = Schemas['KeysOut']
export type ApiKeysInput = Schemas['KeysIn']

// ---- notifications -----------------------------------------------------------
/** `GET/PUT /api/notifications`: secrets are never shown, only whether they are set; `webhook_secret` only in the
 * answer that made it (the first save with a webhook URL). */
export type NotificationSettings = Schemas['NotificationsOut']
/** `telegram_token`: absent keeps the stored token, '' removes it. */
export type NotificationSettingsInput = Schemas['NotificationsIn']
export type NotificationChannel = 'webhook' | 'telegram'
/** One channel's outcome of a test: `error` is the receiver's HTTP status, Telegram's description, or why it could
 * not connect. */
export type ChannelResult = Narrow<Schemas['ChannelResultOut'], { channel: NotificationChannel }>
export type NotificationTest = Narrow<Schemas['TestOut'], { results: ChannelResult[] }>
export type WebhookSecret = Schemas['WebhookSecretOut']

// ---- bots --------------------------------------------------------------------
export type BotStatus = 'stopped' | 'starting' | 'running' | 'stopping' | 'error'
export type BotMode = 'paper' | 'live'

/** `stop_reason`: why the bot stopped or failed (null while it runs); `notice`: why a running bot places no orders
 * (its symbol is not trading on the exchange). `config`: the strategy's settings, the shape its schema gives. */
export type Bot = Narrow<Schemas['BotOut'], { mode: BotMode; status: BotStatus; config: StrategyConfig }>
export type CreateBotRequest = Narrow<Schemas['CreateBot'], { mode: BotMode; config: StrategyConfig }>
export type UpdateBotRequest = Narrow<Schemas['UpdateBot'], { mode?: BotMode | null; config?: StrategyConfig | null }>

/** `GET /api/bots/{id}/runs`: one run (a generation: a start, or a trailing move of the range), newest first.
 * `current`: the run the stats describe; `fills`: every fill of the run; `orders_filled`/`round_trips` as the stats
 * count them, null when the run's books cannot be rebuilt. */
export type BotRun = Narrow<Schemas['RunOut'], { mode: BotMode; config: StrategyConfig; fee_asset: FeeAsset }>

export type LevelState = 'buy' | 'sell' | 'empty'
export type GridLevel = Narrow<Schemas['LevelOut'], { state: LevelState }>

/** A mean-reversion bot's open position: bought `qty` at `entry_price`, sold at `stop_price` if the price falls
 * there (null: no stop loss). */
export type Position = Schemas['PositionOut']

/** `levels`: every level of a grid, empty for mean reversion; `position`: mean reversion's (null while flat and for
 * the grid). */
export type BotStats = Narrow<Schemas['StatsOut'], { levels: GridLevel[] }>

/** A backtest to draw (Test Config's `backtest.chart`, an AI suggestion's `chart`): times in UNIX seconds of the
 * market's clock; at most 2000 candles (`candle_secs` each) with an equity point per candle, at most 1000 fills. */
export type BacktestChartData = Narrow<Schemas['BacktestChart'], { fills: BacktestFill[] }>
/** `kind`: `initial`, `grid`, `stop`; mean reversion's `entry`, `exit`, `stop_loss`. */
export type BacktestFill = Narrow<Schemas['ChartFill'], { side: Side }>
export type BacktestPreview = Narrow<Schemas['BacktestOut'], { chart: BacktestChartData }>
/** `strategy`: `grid` when absent. */
export type TestConfigRequest = Narrow<Schemas['TestConfigIn'], { config: StrategyConfig }>
/** Another strategy than the grid answers the grid's figures empty ("0", no levels). */
export type TestConfigResult = Narrow<Schemas['TestConfigOut'], { backtest?: BacktestPreview | null }>

/** `GET /api/bots/{id}/equity`: `time` in UNIX milliseconds (a candle's open, the market's clock). */
export type EquityPoint = Schemas['EquityPoint']
/** `GET /api/bots/{id}/daily-pnl` (a run) and `GET /api/summary/daily-pnl` (the account): per UTC day of the market's
 * clock, `time` its 00:00 in UNIX seconds; `total` the equity's change over the day, `cumulative` the running sum. */
export type DailyPnl = Schemas['DailyPnlOut']
export type DailyPnlDay = Schemas['DayOut']

// ---- summary -----------------------------------------------------------------
export type Summary = Schemas['SummaryOut']
/** `GET /api/exchange/health`: why no orders — the exchange (clock offset, request weight), each of the user's
 * symbols' market stream (ages from the scheduler's saved trade and candles) and each bot's last exchange error with
 * Binance's code. Ages in ms, market times in UNIX ms. */
export type ExchangeHealth = Narrow<Schemas['ExchangeHealthOut'], { market: 'simulator' | 'binance'; bots: BotHealth[] }>
export type ExchangeStatus = Schemas['ExchangeOut']
export type StreamHealth = Schemas['StreamOut']
export type BotHealth = Narrow<Schemas['BotHealthOut'], { mode: BotMode; status: BotStatus }>
export type ExchangeErrorInfo = Schemas['ExchangeErrorOut']

/** `GET /api/system`: where prices come from; `candle_ms`: real milliseconds of one 1-minute candle. */
export type SystemInfo = Narrow<Schemas['SystemOut'], { market: 'simulator' | 'binance' }>
export type Side = 'buy' | 'sell'
export type CancelledOrder = Narrow<Schemas['CancelledOut'], { side: Side }>
/** `failures`: bots whose orders could not all be cancelled, with the reason. */
export type EmergencyStopResult = Narrow<Schemas['EmergencyOut'], { cancelled_orders: CancelledOrder[] }>
/** `POST /api/paper/reset`: the paper account as funded afresh. */
export type PaperResetResult = Schemas['ResetOut']

// ---- trading -----------------------------------------------------------------
export type OrderStatus = 'new' | 'open' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected' | 'expired'
export type Order = Narrow<Schemas['OrderOut'], { side: Side; status: OrderStatus }>
/** `pnl`: the round trip's profit on a sell that closes one, else null. */
export type Fill = Narrow<Schemas['FillOut'], { side: Side }>
export type RoundTrip = Schemas['TradeOut']
export type Balance = Schemas['AssetBalance']
export type BalanceResponse = Narrow<Schemas['BalanceOut'], { mode: BotMode }>

// ---- market ------------------------------------------------------------------
export type MarketSymbol = Schemas['SymbolOut']
/** `time`: the open time, UNIX seconds. */
export type Candle = Schemas['CandleOut']
export type PriceResponse = Schemas['PriceOut']

// ---- AI ----------------------------------------------------------------------
export type RiskLevel = 'low' | 'medium' | 'high'
/** A suggestion's body (the document: any object). */
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
/** `bot_id`: null when made for a pair without a bot. */
export type Suggestion = Narrow<
  Schemas['SuggestionOut'],
  {
    pair: string
    status: 'pending' | 'accepted' | 'rejected'
    source: 'claude' | 'heuristic'
    suggestion: SuggestionBody
    backtests: BacktestWindow[]
    /** the suggested grid's 7-day backtest to draw; null in lists */
    chart?: BacktestChartData | null
  }
>
export type OptimizeRequest = Narrow<Schemas['OptimizeIn'], { current_config?: StrategyConfig | null }>
export type AcceptResult = Narrow<Schemas['AcceptOut'], { suggestion: Suggestion; bot?: Bot | null }>
