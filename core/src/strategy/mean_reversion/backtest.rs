//! The mean-reversion backtest: the engine driven along the candle path of `spec/grid.md` (the integer path
//! [`Candles::int_path`] the grid's backtester walks), each decided order booked at once at its own price.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{MeanReversionConfig, MeanReversionEngine};
use crate::{Candles, Error, ledger::StopReason};

/// A backtest's figures. The first nine fields carry the result names of `spec/mean-reversion.md`, shaped as the
/// grid's [`crate::BacktestResult`] shapes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeanReversionResult {
    pub orders_filled: u64,
    pub round_trips: u64,
    pub realized_pnl: Decimal,
    pub fees_paid: Decimal,
    pub final_equity: Decimal,
    pub unrealized_pnl: Decimal,
    pub max_drawdown: Decimal,
    pub win_rate: Option<Decimal>,
    /// Always null: the strategy does not stop itself.
    pub stopped: Option<StopReason>,
    // Beyond the spec's names:
    pub capital: Decimal,
    /// `(final_equity - capital) / capital`.
    pub total_return: Decimal,
    pub avg_profit: Option<Decimal>,
    pub candles: usize,
    /// What holding the capital in base from the first open to the last close would have returned.
    pub hold_return: Decimal,
    /// Positions sold by the stop loss (each also a round trip).
    pub stop_losses: u64,
    /// Entry signals with no buy: `q == 0` or `q * c < min_notional`.
    pub skipped_entries: u64,
    /// Base held at the end: the open position, if any, and the carry.
    pub base_held: Decimal,
    pub long: bool,
}

/// Runs the strategy over the candles from a flat start with the capital in quote.
pub fn backtest(config: &MeanReversionConfig, candles: &Candles) -> Result<MeanReversionResult, Error> {
    let (Some(first), Some(last)) = (candles.as_slice().first(), candles.as_slice().last()) else {
        return Err(Error::Csv { line: 0, reason: "no candles".into() });
    };
    let mut engine = MeanReversionEngine::new(config)?;
    run(&mut engine, candles)?;
    let s = engine.summary(last.close)?;
    let capital = config.capital();
    let ratio = |num: Decimal, den: Decimal| num.checked_div(den).map(|v| v.normalize()).unwrap_or_default();
    Ok(MeanReversionResult {
        orders_filled: s.orders_filled,
        round_trips: s.round_trips,
        realized_pnl: s.realized_pnl,
        fees_paid: s.fees_paid,
        final_equity: s.final_equity,
        unrealized_pnl: s.unrealized_pnl,
        max_drawdown: s.max_drawdown,
        win_rate: s.win_rate,
        stopped: None,
        capital,
        total_return: ratio(s.final_equity - capital, capital),
        avg_profit: s.avg_profit,
        candles: candles.len(),
        hold_return: ratio(last.close - first.open, first.open),
        stop_losses: engine.stop_losses(),
        skipped_entries: engine.skipped_entries(),
        base_held: s.base_balance,
        long: engine.position()?.is_some(),
    })
}

/// Walks the path: while long, each segment may reach the stop (a sale at the stop price, before anything else of
/// the candle); then the close joins the window and may buy or sell; then the equity is sampled at the close.
fn run(engine: &mut MeanReversionEngine, candles: &Candles) -> Result<(), Error> {
    let path = candles.int_path();
    let mut prev = path.first().map_or(0, |p| p[0]);
    for points in path {
        let close = points[3];
        if points[1].min(points[2]) <= engine.trigger {
            for &p in points {
                if p < prev && p <= engine.trigger {
                    engine.decide_stop();
                    let stop = engine.pending.map_or(0, |o| o.price);
                    engine.book(stop)?;
                    break;
                }
                prev = p;
            }
        }
        prev = close;
        engine.decide_at_close(close)?;
        if let Some(order) = engine.pending {
            engine.book(order.price)?;
        }
        engine.sample(close)?;
    }
    Ok(())
}
