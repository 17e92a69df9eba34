//! Mean-reversion sweeps: every combination of windows, bands and stop losses, backtested on all cores and ranked
//! by the grid's score ([`crate::sweep::calmar`]: total return over max drawdown, floored at 1 %).

use std::sync::atomic::AtomicUsize;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{MeanReversionConfig, MeanReversionParams, MeanReversionResult, backtest};
use crate::{
    Candles, Error,
    sweep::{Range, calmar, parallel_map},
};

/// What to sweep; `base` gives every other input (capital, fees, filters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeanReversionSweep {
    pub window: Range<usize>,
    pub band: Range<Decimal>,
    /// Stop losses to try; none means no stop loss.
    pub stop_loss_pct: Option<Range<Decimal>>,
    pub base: MeanReversionParams,
}

impl MeanReversionSweep {
    /// Every configuration, validated (the first invalid one is the error, naming its field).
    pub fn configs(&self) -> Result<Vec<MeanReversionConfig>, Error> {
        let windows = self.window.values("window")?;
        let bands = self.band.values("band")?;
        let stops = match &self.stop_loss_pct {
            Some(r) => r.values("stop_loss_pct")?.into_iter().map(Some).collect(),
            None => vec![None],
        };
        let mut out = Vec::with_capacity(windows.len() * bands.len() * stops.len());
        for &window in &windows {
            for &band in &bands {
                for &stop_loss_pct in &stops {
                    let params = MeanReversionParams { window, band, stop_loss_pct, ..self.base.clone() };
                    out.push(MeanReversionConfig::new(params)?);
                }
            }
        }
        Ok(out)
    }
}

/// One ranked configuration.
#[derive(Debug, Clone, Serialize)]
pub struct MeanReversionSweepEntry {
    pub window: usize,
    pub band: Decimal,
    pub stop_loss_pct: Option<Decimal>,
    pub score: Decimal,
    pub result: MeanReversionResult,
}

#[derive(Debug, Clone, Serialize)]
pub struct MeanReversionSweepReport {
    /// Backtested configurations, best first.
    pub ranked: Vec<MeanReversionSweepEntry>,
    pub tried: usize,
    /// Configurations whose backtest failed (an amount too large to compute exactly), with the first reason.
    pub rejected: usize,
    pub first_rejection: Option<String>,
}

/// Backtests every configuration on `threads` threads (all cores when `None`), counting finished backtests in
/// `progress`, and ranks them; ties go to the higher realized P&L.
pub fn sweep(
    configs: &[MeanReversionConfig],
    candles: &Candles,
    threads: Option<usize>,
    progress: &AtomicUsize,
) -> MeanReversionSweepReport {
    let results = parallel_map(configs, threads, progress, |c| backtest(c, candles));
    let mut report =
        MeanReversionSweepReport { ranked: Vec::new(), tried: configs.len(), rejected: 0, first_rejection: None };
    for (c, r) in configs.iter().zip(results) {
        match r {
            Ok(result) => report.ranked.push(MeanReversionSweepEntry {
                window: c.window(),
                band: c.band(),
                stop_loss_pct: c.stop_loss_pct(),
                score: calmar(result.total_return, result.max_drawdown),
                result,
            }),
            Err(e) => {
                report.rejected += 1;
                report.first_rejection.get_or_insert_with(|| e.to_string());
            }
        }
    }
    report.ranked.sort_by(|a, b| b.score.cmp(&a.score).then(b.result.realized_pnl.cmp(&a.result.realized_pnl)));
    report
}
