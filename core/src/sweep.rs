//! Parameter sweeps: every combination of ranges of lower, upper, levels and spacing, backtested on all cores and
//! ranked by [`score`].

use std::{
    sync::{
        Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    thread,
};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{BacktestResult, Candles, Error, FeeAsset, GridConfig, GridConfigInput, Spacing, SymbolFilters, backtest};

/// An inclusive range `from..=to` in steps of `step` (a single value when `step` is zero or `from == to`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range<T> {
    pub from: T,
    pub to: T,
    pub step: T,
}

/// Most values one range may expand to; keeps a typo from asking for billions of backtests.
const MAX_RANGE_VALUES: usize = 10_000;

impl Range<Decimal> {
    pub fn one(v: Decimal) -> Self {
        Range { from: v, to: v, step: Decimal::ZERO }
    }
    pub fn values(&self, field: &'static str) -> Result<Vec<Decimal>, Error> {
        if self.to < self.from || self.step < Decimal::ZERO {
            return Err(Error::field(field, format!("range {}..{} step {} is empty", self.from, self.to, self.step)));
        }
        if self.step.is_zero() || self.from == self.to {
            return Ok(vec![self.from]);
        }
        let count = ((self.to - self.from) / self.step).floor();
        if count >= Decimal::from(MAX_RANGE_VALUES) {
            return Err(Error::field(field, format!("range gives more than {MAX_RANGE_VALUES} values")));
        }
        let count = count.mantissa() / 10i128.pow(count.scale());
        Ok((0..=count).map(|i| (self.from + Decimal::from(i) * self.step).normalize()).collect())
    }
}

impl Range<usize> {
    pub fn values(&self, field: &'static str) -> Result<Vec<usize>, Error> {
        if self.to < self.from {
            return Err(Error::field(field, format!("range {}..{} is empty", self.from, self.to)));
        }
        if self.step == 0 || self.from == self.to {
            return Ok(vec![self.from]);
        }
        Ok((self.from..=self.to).step_by(self.step).take(MAX_RANGE_VALUES).collect())
    }
}

/// What to sweep; the fixed parameters apply to every configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepSpec {
    pub lower: Range<Decimal>,
    pub upper: Range<Decimal>,
    pub levels: Range<usize>,
    pub spacings: Vec<Spacing>,
    pub capital: Decimal,
    pub fee_rate: Decimal,
    #[serde(default)]
    pub fee_asset: FeeAsset,
    pub stop_loss_pct: Option<Decimal>,
    pub take_profit_pct: Option<Decimal>,
}

impl SweepSpec {
    /// Every valid configuration of the spec (combinations with lower >= upper are left out).
    pub fn configs(&self) -> Result<Vec<GridConfig>, Error> {
        let (lowers, uppers, levels) =
            (self.lower.values("lower")?, self.upper.values("upper")?, self.levels.values("levels")?);
        let spacings = if self.spacings.is_empty() { vec![Spacing::Arithmetic] } else { self.spacings.clone() };
        let mut out = Vec::new();
        for &lower in &lowers {
            for &upper in uppers.iter().filter(|u| **u > lower) {
                for &n in &levels {
                    for &spacing in &spacings {
                        out.push(GridConfig::new(GridConfigInput {
                            lower,
                            upper,
                            levels: n,
                            spacing,
                            capital: self.capital,
                            fee_rate: self.fee_rate,
                            fee_asset: self.fee_asset,
                            stop_loss_pct: self.stop_loss_pct,
                            take_profit_pct: self.take_profit_pct,
                            max_daily_loss: None,
                        })?);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// One ranked configuration.
#[derive(Debug, Clone, Serialize)]
pub struct SweepEntry {
    pub lower: Decimal,
    pub upper: Decimal,
    pub levels: usize,
    pub spacing: Spacing,
    pub score: Decimal,
    pub result: BacktestResult,
}

#[derive(Debug, Clone, Serialize)]
pub struct SweepReport {
    /// Backtested configurations, best first.
    pub ranked: Vec<SweepEntry>,
    /// Configurations tried.
    pub tried: usize,
    /// Configurations the grid refused (price outside grid, capital too small, too dense), with the first reason.
    pub rejected: usize,
    pub first_rejection: Option<String>,
}

/// Drawdown below which a grid's risk is not credited further: 1 %.
const DRAWDOWN_FLOOR: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

/// The ranking score: total return over max drawdown, `((final_equity - capital) / capital) / max(max_drawdown, 1%)`
/// — a Calmar-style ratio. It counts inventory losses (not only realized grid profit) and penalises depth of loss;
/// the 1 % floor keeps grids that barely traded from ranking on a near-zero denominator. Ties go to higher realized
/// P&L.
pub fn score(r: &BacktestResult) -> Decimal {
    calmar(r.total_return, r.max_drawdown)
}

/// `total_return / max(max_drawdown, 1%)`, the ranking score of every strategy's sweep.
pub fn calmar(total_return: Decimal, max_drawdown: Decimal) -> Decimal {
    (total_return / max_drawdown.max(DRAWDOWN_FLOOR)).round_dp(12).normalize()
}

/// `f` over every item on `threads` threads (all cores when `None`), counting finished items in `progress`;
/// the results in the items' order.
pub fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    threads: Option<usize>,
    progress: &AtomicUsize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.unwrap_or_else(|| thread::available_parallelism().map_or(1, |n| n.get())).clamp(1, 64);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    thread::scope(|s| {
        for _ in 0..threads.min(items.len().max(1)) {
            s.spawn(|| {
                let mut local = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    local.push((i, f(item)));
                    progress.fetch_add(1, Ordering::Relaxed);
                }
                if let Ok(mut all) = results.lock() {
                    all.append(&mut local);
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Backtests every configuration on `threads` threads (all cores when `None`), counting finished backtests in
/// `progress`, and ranks them.
pub fn sweep(
    configs: &[GridConfig],
    filters: &SymbolFilters,
    candles: &Candles,
    threads: Option<usize>,
    progress: &AtomicUsize,
) -> SweepReport {
    let results = parallel_map(configs, threads, progress, |cfg| backtest(cfg, filters, candles));
    let mut report = SweepReport { ranked: Vec::new(), tried: configs.len(), rejected: 0, first_rejection: None };
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok(result) => {
                let c = &configs[i];
                report.ranked.push(SweepEntry {
                    lower: c.lower(),
                    upper: c.upper(),
                    levels: c.levels(),
                    spacing: c.spacing(),
                    score: score(&result),
                    result,
                });
            }
            Err(e) => {
                report.rejected += 1;
                report.first_rejection.get_or_insert_with(|| e.to_string());
            }
        }
    }
    report.ranked.sort_by(|a, b| b.score.cmp(&a.score).then(b.result.realized_pnl.cmp(&a.result.realized_pnl)));
    report
}
