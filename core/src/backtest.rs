//! The backtester: the grid engine driven along the candle price path of `spec/grid.md`.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::{
    Candles, Error, GridConfig, GridEngine, Side, SymbolFilters,
    engine::GridPlan,
    ledger::{StopReason, Summary},
    units::from_int,
};

/// A backtest's figures. The first eleven fields carry the result names of `spec/grid.md`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BacktestResult {
    pub levels: Vec<Decimal>,
    pub qty_per_level: Decimal,
    pub orders_filled: u64,
    pub round_trips: u64,
    pub realized_pnl: Decimal,
    pub fees_paid: Decimal,
    pub final_equity: Decimal,
    pub unrealized_pnl: Decimal,
    pub max_drawdown: Decimal,
    pub win_rate: Option<Decimal>,
    pub stopped: Option<StopReason>,
    // Beyond the spec's names:
    pub start_price: Decimal,
    pub empty_level: usize,
    pub initial_lots: usize,
    pub capital: Decimal,
    /// `(final_equity - capital) / capital`.
    pub total_return: Decimal,
    pub avg_profit: Option<Decimal>,
    /// The price the grid stopped at, when it did.
    pub stop_price: Option<Decimal>,
    /// Candles processed (up to and including a stop).
    pub candles: usize,
    /// What holding the capital in base from the first open to the end would have returned, as a fraction.
    pub hold_return: Decimal,
}

/// One grid fill on the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FillRecord {
    /// Index of the candle during which it filled.
    pub candle: usize,
    pub open_time: i64,
    pub side: Side,
    pub level: usize,
    pub price: Decimal,
}

/// A backtest with its fills and equity curve.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestReport {
    pub result: BacktestResult,
    pub fills: Vec<FillRecord>,
    /// `(open_time, equity at the candle's close)`, and the stop's equity last when stopped.
    pub equity_curve: Vec<(i64, Decimal)>,
}

/// Runs the grid over the candles and returns its figures.
pub fn backtest(config: &GridConfig, filters: &SymbolFilters, candles: &Candles) -> Result<BacktestResult, Error> {
    let mut engine = start(config, filters, candles)?;
    let processed = run(&mut engine, candles, &mut |_, _, _| {}, &mut |_, _| {});
    Ok(result(&engine, candles, processed))
}

/// [`backtest`], also recording every fill and the equity after every candle.
pub fn backtest_report(
    config: &GridConfig,
    filters: &SymbolFilters,
    candles: &Candles,
) -> Result<BacktestReport, Error> {
    let mut engine = start(config, filters, candles)?;
    let (mut fills, mut curve) = (Vec::new(), Vec::with_capacity(candles.len()));
    let times: Vec<i64> = candles.as_slice().iter().map(|c| c.open_time).collect();
    let levels = engine.plan().levels.clone();
    let processed = run(
        &mut engine,
        candles,
        &mut |candle, side, level| {
            fills.push(FillRecord { candle, open_time: times[candle], side, level, price: levels[level] })
        },
        &mut |candle, equity| curve.push((candle, equity)),
    );
    let dp = engine.ledger().dp;
    let mut equity_curve: Vec<(i64, Decimal)> = curve.into_iter().map(|(c, e)| (times[c], from_int(e, dp))).collect();
    let result = result(&engine, candles, processed);
    if result.stopped.is_some() {
        equity_curve.push((times[processed - 1], result.final_equity));
    }
    Ok(BacktestReport { result, fills, equity_curve })
}

fn start(config: &GridConfig, filters: &SymbolFilters, candles: &Candles) -> Result<GridEngine, Error> {
    let first = candles.as_slice().first().ok_or_else(|| Error::Csv { line: 0, reason: "no candles".into() })?;
    GridEngine::start(config, filters, first.open)
}

/// Drives the engine along the path; returns how many candles were processed.
#[inline(always)]
fn run<F: FnMut(usize, Side, usize), E: FnMut(usize, i128)>(
    engine: &mut GridEngine,
    candles: &Candles,
    on_fill: &mut F,
    on_equity: &mut E,
) -> usize {
    let path = candles.int_path();
    let mut prev = path.first().map_or(0, |p| p[0]);
    for (i, points) in path.iter().enumerate() {
        let mut fill = |side, level| on_fill(i, side, level);
        for &p in points {
            if engine.segment(prev, p, &mut fill) {
                return i + 1;
            }
            prev = p;
        }
        let equity = engine.sample_equity(prev);
        on_equity(i, equity);
    }
    path.len()
}

fn result(engine: &GridEngine, candles: &Candles, processed: usize) -> BacktestResult {
    let all = candles.as_slice();
    let last_close = all[processed.max(1) - 1].close;
    let Summary {
        orders_filled,
        round_trips,
        realized_pnl,
        fees_paid,
        final_equity,
        unrealized_pnl,
        max_drawdown,
        win_rate,
        avg_profit,
        stopped,
        ..
    } = engine.summary(last_close);
    let GridPlan { levels, qty, start_price, empty_level, initial_lots, capital, .. } = engine.plan().clone();
    let end_close = all[all.len() - 1].close;
    BacktestResult {
        levels,
        qty_per_level: qty,
        orders_filled,
        round_trips,
        realized_pnl,
        fees_paid,
        final_equity,
        unrealized_pnl,
        max_drawdown,
        win_rate,
        stopped,
        start_price,
        empty_level,
        initial_lots,
        capital,
        total_return: ((final_equity - capital) / capital).normalize(),
        avg_profit,
        stop_price: engine.ledger().stop().map(|s| s.price),
        candles: processed,
        hold_return: ((end_close - start_price) / start_price).normalize(),
    }
}
