import type { BacktestChartData, Bot, BotRun, BotStats, DailyPnl, ExchangeHealth, Fill, Summary } from '@/types/api'

export function bot(over: Partial<Bot> = {}): Bot {
  return {
    id: 1,
    strategy: 'grid',
    pair: 'BTC/USDT',
    mode: 'paper',
    status: 'stopped',
    config: {
      capital: '10000',
      lower_bound: '95000',
      upper_bound: '105000',
      grid_levels: 20,
      spacing: 'arithmetic',
      stop_loss_pct: '2',
      take_profit_pct: null,
      max_daily_loss: '500',
    },
    generation: 0,
    stop_reason: null,
    notice: null,
    created_at: '2026-11-23T10:00:00Z',
    updated_at: '2026-11-23T10:00:00Z',
    ...over,
  }
}

export function stats(over: Partial<BotStats> = {}): BotStats {
  return {
    realized_pnl: '12.5',
    unrealized_pnl: '-3.1',
    fees_paid: '4.2',
    orders_filled: 14,
    round_trips: 6,
    win_rate: '0.8333',
    max_drawdown: '0.0123',
    pnl_today: '2.1',
    avg_profit: '2.08',
    grid_profit: '12.5',
    inventory_pnl: '-3.1',
    equity: '10009.4',
    last_price: '100123.45',
    qty_per_level: '0.00526',
    open_orders: 19,
    total_orders: 19,
    stop_loss_price: '93100',
    take_profit_price: null,
    levels: [
      { index: 0, price: '95000', state: 'buy' },
      { index: 9, price: '99736.84', state: 'empty' },
      { index: 10, price: '100263.16', state: 'sell' },
    ],
    position: null,
    started_at: '2026-12-05T08:00:00Z',
    running_secs: 183600,
    total_pnl: '9.4',
    total_pnl_pct: '0.00094',
    grid_apr: '0.02146568',
    total_apr: '0.01614117',
    round_trips_24h: 3,
    ...over,
  }
}

export function fill(id: number, over: Partial<Fill> = {}): Fill {
  return {
    id,
    bot_id: 1,
    order_id: id * 10,
    time: new Date(Date.UTC(2026, 10, 23, 10, id)).toISOString(),
    side: id % 2 ? 'buy' : 'sell',
    price: '100000',
    amount: '0.00526',
    fee: '0.5',
    pnl: id % 2 ? null : '2.51',
    ...over,
  }
}

export const summary: Summary = {
  pnl_today: '1.2',
  pnl_total: '10.5',
  balance_quote: '10010.5',
  quote_asset: 'USDT',
  bots_running: 1,
  live: false,
}

export function botRun(generation: number, over: Partial<BotRun> = {}): BotRun {
  return {
    generation,
    pair: 'BTC/USDT',
    mode: 'paper',
    current: false,
    started_at: `2026-11-23T1${generation}:00:00Z`,
    start_price: '100000',
    config: bot().config,
    fee_asset: 'base',
    stop_reason: null,
    stop_price: null,
    fills: 5,
    orders_filled: 4,
    round_trips: 1,
    realized_pnl: '2.5',
    fees_paid: '0.4',
    win_rate: '1',
    ...over,
  }
}

/** A mean-reversion bot: no levels, one position at a time. */
export function mrBot(over: Partial<Bot> = {}): Bot {
  return bot({
    id: 2,
    strategy: 'mean_reversion',
    config: { capital: '1000', window: 5, band: '2', stop_loss_pct: '5', fee_rate: '0.001', fee_asset: 'base' },
    ...over,
  })
}

/** A mean-reversion bot's stats: `levels` empty, holding 0.01 BTC bought at 95,000 with its stop at 90,250. */
export function mrStats(over: Partial<BotStats> = {}): BotStats {
  return stats({
    levels: [],
    open_orders: 0,
    total_orders: 0,
    qty_per_level: '0',
    stop_loss_price: null,
    position: { qty: '0.01', entry_price: '95000', stop_price: '90250' },
    ...over,
  })
}

/** An exchange health: Binance answering, 12 ms ahead of us, 84 weight used, BTCUSDT streamed 2 s ago. */
export function healthFixture(over: Partial<ExchangeHealth> = {}): ExchangeHealth {
  return {
    checked_at: '2026-12-10T12:00:00Z',
    market: 'binance',
    exchange: {
      reachable: true,
      latency_ms: 35,
      error: null,
      clock_offset_ms: 12,
      clock_warning: false,
      weight_used: 84,
      weight_limit: 6000,
      weight_warning: false,
    },
    streams: [
      {
        symbol: 'BTCUSDT',
        pair: 'BTC/USDT',
        streamed: true,
        last_trade_time: 1_765_368_000_000,
        last_trade_id: 7,
        last_trade_price: '68012.5',
        last_trade_age_ms: 2000,
        last_candle_time: 1_765_367_940_000,
        candle_lag_ms: 0,
        stale: false,
      },
    ],
    bots: [],
    ...over,
  }
}

/** A backtest's chart: three minutes, a buy and a sell (and two fills not drawn), equity ending at 1004.5. */
export function backtestChart(over: Partial<BacktestChartData> = {}): BacktestChartData {
  const candle = (time: number, close: string) => ({ time, open: '100', high: '101', low: '99', close })
  return {
    candle_secs: 60,
    candles: [candle(1_765_000_020, '100.5'), candle(1_765_000_080, '99.5'), candle(1_765_000_140, '100.2')],
    fills: [
      { time: 1_765_000_080, side: 'buy', price: '99.5', qty: '0.01', kind: 'grid' },
      { time: 1_765_000_140, side: 'sell', price: '100.2', qty: '0.00999', kind: 'grid' },
    ],
    fills_total: 4,
    fills_omitted: 2,
    equity: [
      { time: 1_765_000_020, equity: '1000' },
      { time: 1_765_000_080, equity: '1001.25' },
      { time: 1_765_000_140, equity: '1004.5' },
    ],
    ...over,
  }
}

/** A run's daily P&L: a gain of 12.5 (10 realized), then a loss of 4.25 (realized 1.5); 8.25 in all. */
export function dailyPnl(over: Partial<DailyPnl> = {}): DailyPnl {
  return {
    generation: 2,
    quote: 'USDT',
    capital: '10000',
    runs: 1,
    days: [
      { day: '2026-12-09', time: 1_796_774_400, realized: '10', total: '12.5', cumulative: '12.5', equity: '10012.5' },
      { day: '2026-12-10', time: 1_796_860_800, realized: '1.5', total: '-4.25', cumulative: '8.25', equity: '10008.25' },
    ],
    realized: '11.5',
    total: '8.25',
    ...over,
  }
}
