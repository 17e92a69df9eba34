//! The backtester: the grid engine driven along the candle price path of `spec/grid.md`.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::{
    Candles, Error, GridConfig, GridEngine, Side, SymbolFilters,
    engine::{GridPlan, OrderIntent},
    ledger::{StopBooking, StopReason, Summary},
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
    /// The order's quantity: `q` for a buy, its lot's sell quantity for a sell (less with fees in base).
    pub qty: Decimal,
}

/// A backtest with its fills and equity curve.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestReport {
    pub result: BacktestResult,
    /// The grid's fills, in order (the initial buy and a stop's sale apart: [`Self::initial_buy`], [`Self::stop`]).
    pub fills: Vec<FillRecord>,
    /// `(open_time, equity at the candle's close)`, and the stop's equity last when stopped.
    pub equity_curve: Vec<(i64, Decimal)>,
    /// The market buy of the initial lots at the first open, when there were lots above the start price.
    pub initial_buy: Option<OrderIntent>,
    /// The sale of every lot at a stop, when one triggered.
    pub stop: Option<StopBooking>,
}

/// What [`run`] reports as it goes; `()` reports nothing and compiles to nothing, so [`backtest`] pays for no
/// recording.
trait Recorder {
    /// A grid fill on `level` during candle `candle`.
    fn fill(&mut self, candle: usize, side: Side, level: usize);
    /// A segment of the path was walked (its fills booked): the engine as it left it.
    fn walked(&mut self, engine: &GridEngine);
    /// The equity sampled at candle `candle`'s close, in ledger units.
    fn equity(&mut self, candle: usize, equity: i128);
}

impl Recorder for () {
    #[inline(always)]
    fn fill(&mut self, _: usize, _: Side, _: usize) {}
    #[inline(always)]
    fn walked(&mut self, _: &GridEngine) {}
    #[inline(always)]
    fn equity(&mut self, _: usize, _: i128) {}
}

/// Records every fill with its quantity and every candle's equity.
struct Report<'a> {
    times: &'a [i64],
    /// Fills of the segment being walked, `(candle, side, level)`: their quantities are read once it is walked.
    pending: Vec<(usize, Side, usize)>,
    fills: Vec<FillRecord>,
    curve: Vec<(usize, i128)>,
}

impl Recorder for Report<'_> {
    fn fill(&mut self, candle: usize, side: Side, level: usize) {
        self.pending.push((candle, side, level));
    }

    fn walked(&mut self, engine: &GridEngine) {
        // A segment moves one way: only buys (each makes the lot above it) or only sells (each leaves its lot's
        // quantity in place), so a sold lot's quantity is still there once the segment is walked.
        for (candle, side, level) in self.pending.drain(..) {
            let plan = engine.plan();
            let qty = match side {
                Side::Buy => plan.qty,
                Side::Sell => engine.lot_qty(level),
            };
            let (open_time, price) = (self.times[candle], plan.levels[level]);
            self.fills.push(FillRecord { candle, open_time, side, level, price, qty });
        }
    }

    fn equity(&mut self, candle: usize, equity: i128) {
        self.curve.push((candle, equity));
    }
}

/// Runs the grid over the candles and returns its figures.
pub fn backtest(config: &GridConfig, filters: &SymbolFilters, candles: &Candles) -> Result<BacktestResult, Error> {
    let mut engine = start(config, filters, candles)?;
    let processed = run(&mut engine, candles, &mut ());
    Ok(result(&engine, candles, processed))
}

/// [`backtest`], also recording every fill (with its quantity), the initial buy, a stop's sale and the equity after
/// every candle.
pub fn backtest_report(
    config: &GridConfig,
    filters: &SymbolFilters,
    candles: &Candles,
) -> Result<BacktestReport, Error> {
    let mut engine = start(config, filters, candles)?;
    let initial_buy = engine.initial_buy();
    let times: Vec<i64> = candles.as_slice().iter().map(|c| c.open_time).collect();
    let mut report =
        Report { times: &times, pending: Vec::new(), fills: Vec::new(), curve: Vec::with_capacity(times.len()) };
    let processed = run(&mut engine, candles, &mut report);
    let dp = engine.ledger().dp;
    let mut equity_curve: Vec<(i64, Decimal)> =
        report.curve.into_iter().map(|(c, e)| (times[c], from_int(e, dp))).collect();
    let result = result(&engine, candles, processed);
    if result.stopped.is_some() {
        equity_curve.push((times[processed - 1], result.final_equity));
    }
    let stop = engine.ledger().stop().cloned();
    Ok(BacktestReport { result, fills: report.fills, equity_curve, initial_buy, stop })
}

fn start(config: &GridConfig, filters: &SymbolFilters, candles: &Candles) -> Result<GridEngine, Error> {
    let first = candles.as_slice().first().ok_or_else(|| Error::Csv { line: 0, reason: "no candles".into() })?;
    GridEngine::start(config, filters, first.open)
}

/// Drives the engine along the path; returns how many candles were processed.
#[inline(always)]
fn run<R: Recorder>(engine: &mut GridEngine, candles: &Candles, rec: &mut R) -> usize {
    let path = candles.int_path();
    let mut prev = path.first().map_or(0, |p| p[0]);
    for (i, points) in path.iter().enumerate() {
        for &p in points {
            let stopped = engine.segment(prev, p, &mut |side, level| rec.fill(i, side, level));
            rec.walked(engine);
            if stopped {
                return i + 1;
            }
            prev = p;
        }
        let equity = engine.sample_equity(prev);
        rec.equity(i, equity);
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
