//! The deterministic optimizer: a quick sweep of grids around the current price, backtested on every window, whose
//! best both benchmarks Claude's suggestion and stands in for it.
//!
//! Candidates (method): bounds at 1 to 8 daily moves (hourly ATR × √24) from the price, and just beyond the 7- and
//! 30-day extremes, each side clamped to 0.5 %–45 % of the price; times 5 to 80 levels; and the current config
//! itself, when there is one. Only grids that pass [`validate`] at the current price are tried. The best is the one whose *worse* window scores highest (core's
//! score: return over max drawdown) among grids that ran and traded (a round trip a day) in every window; failing
//! that, among grids that ran in every window; failing that, the best of one window.

use std::{collections::HashMap, sync::atomic::AtomicUsize};

use gridbot_core::{
    BacktestResult, Decimal, GridConfig,
    indicators::Indicators,
    sweep::{score, sweep},
};

use crate::{
    answer::{RiskLevel, Suggestion},
    figures::Figures,
    snapshot::{Market, WINDOWS, Window},
    validate::{GridBase, validate},
};

/// Distances from the price, in tenths of a daily move.
const DAILY_MOVES: [i64; 7] = [10, 15, 20, 30, 45, 60, 80];
const LEVELS: [usize; 12] = [5, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80];
/// How the best was ranked, by tier.
const TIERS: [&str; 3] = [
    "ranked by return over max drawdown in the worse window, among grids that traded at least once a day",
    "ranked by return over max drawdown in the worse window (none traded daily in every window)",
    "ranked by return over max drawdown in its best window (none could run in every window)",
];

/// The sweep's best grid, its figures per window (in the windows' order) and the suggestion it makes.
#[derive(Debug, Clone)]
pub struct SweepBest {
    pub config: GridConfig,
    pub figures: Vec<Figures>,
    pub suggestion: Suggestion,
    /// Grids backtested.
    pub tried: usize,
}

/// The candidate grids for `market` (see the module's method), every one valid at the current price.
pub fn candidates(market: &Market, base: &GridBase, ind: &Indicators, current: Option<&GridConfig>) -> Vec<GridConfig> {
    let price = ind.price;
    let (lo, hi) = (Decimal::new(5, 3), Decimal::new(45, 2));
    let clamp = |d: Decimal| d.max(lo).min(hi).round_dp(4);
    let daily = ind.atr * Decimal::new(49, 1) / price;
    let mut down: Vec<Decimal> = DAILY_MOVES.iter().map(|k| clamp(daily * Decimal::new(*k, 1))).collect();
    let mut up = down.clone();
    let margin = Decimal::new(1, 2);
    for (_, span) in WINDOWS {
        let w = market.last(span);
        let cs = w.as_slice();
        if let Some(low) = cs.iter().map(|c| c.low).min() {
            down.push(clamp((price - low) / price + margin));
        }
        if let Some(high) = cs.iter().map(|c| c.high).max() {
            up.push(clamp((high - price) / price + margin));
        }
    }
    for v in [&mut down, &mut up] {
        v.sort();
        v.dedup();
    }
    let mut out = Vec::new();
    if let Some(c) = current {
        let s = heuristic_suggestion(c.lower(), c.upper(), c.levels());
        out.extend(validate(&s, base, price, &market.filters).map(|c| c.config));
    }
    for d in &down {
        let lower = market.filters.round_price(price * (Decimal::ONE - d));
        for u in &up {
            let upper = market.filters.round_price(price * (Decimal::ONE + u));
            for &n in &LEVELS {
                let s = heuristic_suggestion(lower, upper, n);
                if let Ok(c) = validate(&s, base, price, &market.filters)
                    && !out.contains(&c.config)
                {
                    out.push(c.config);
                }
            }
        }
    }
    out
}

/// Sweeps `configs` over every window and picks the best (see the module's method); `Err` says why none fits.
pub fn best(configs: &[GridConfig], market: &Market, windows: &[Window]) -> Result<SweepBest, String> {
    if configs.is_empty() {
        return Err("no candidate grid passes validation at this price, capital and filters".into());
    }
    let key = |lower: Decimal, upper: Decimal, levels: usize| (lower, upper, levels);
    let mut per_window: Vec<HashMap<(Decimal, Decimal, usize), BacktestResult>> = Vec::new();
    let mut first_rejection = None;
    for w in windows {
        let report = sweep(configs, &market.filters, &w.candles, None, &AtomicUsize::new(0));
        first_rejection = first_rejection.or(report.first_rejection);
        per_window.push(report.ranked.into_iter().map(|e| (key(e.lower, e.upper, e.levels), e.result)).collect());
    }
    // Tiers: grids that ran and traded (a round trip a day) in every window, then grids that ran in every window,
    // both by their worse window's score; then grids that ran in one window, by their best window's score.
    let days: Vec<u64> = windows.iter().map(|w| (w.candles.len() as u64 / 1440).max(1)).collect();
    let rank = |c: &GridConfig, tier: u8| -> Option<Decimal> {
        let results: Vec<Option<&BacktestResult>> =
            per_window.iter().map(|m| m.get(&key(c.lower(), c.upper(), c.levels()))).collect();
        if tier == 2 {
            return results.into_iter().flatten().map(score).max();
        }
        let all = results.into_iter().collect::<Option<Vec<_>>>()?;
        if tier == 0 && all.iter().zip(&days).any(|(r, d)| r.round_trips < *d) {
            return None;
        }
        all.into_iter().map(score).min()
    };
    let pick = |tier: u8| {
        configs
            .iter()
            .filter_map(|c| rank(c, tier).map(|s| (s, c)))
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.levels().cmp(&a.1.levels())))
            .map(|(_, c)| c.clone())
    };
    let (tier, config) = (0..3).find_map(|t| pick(t).map(|c| (t, c))).ok_or_else(|| {
        format!("no candidate grid could run on the recent candles: {}", first_rejection.unwrap_or_default())
    })?;
    let figures: Vec<Figures> = windows
        .iter()
        .zip(&per_window)
        .map(|(w, m)| match m.get(&key(config.lower(), config.upper(), config.levels())) {
            Some(r) => Figures::of(&config, r),
            None => Figures::backtest(&config, &market.filters, &w.candles),
        })
        .collect();
    let suggestion = describe(&config, windows, &figures, configs.len(), tier);
    Ok(SweepBest { config, figures, suggestion, tried: configs.len() })
}

fn heuristic_suggestion(lower: Decimal, upper: Decimal, n: usize) -> Suggestion {
    Suggestion {
        grid_lower: lower,
        grid_upper: upper,
        num_levels: n,
        confidence: 50,
        reasoning: String::new(),
        risk_level: RiskLevel::Medium,
    }
}

/// The sweep's best as a suggestion: risk from its worse drawdown (under 3 % low, under 10 % medium), confidence
/// 50 plus 15 for each window it made money and beat holding, minus 15 for each it lost money, within 10–90.
fn describe(config: &GridConfig, windows: &[Window], figures: &[Figures], tried: usize, tier: u8) -> Suggestion {
    let capital = config.capital();
    let mut confidence: i64 = 50;
    let mut worst_dd = Decimal::ZERO;
    let mut parts = Vec::new();
    for (w, f) in windows.iter().zip(figures) {
        let hold = Figures::hold(capital, &w.candles).return_pct.unwrap_or_default();
        match (f.return_pct, f.max_drawdown) {
            (Some(ret), Some(dd)) => {
                worst_dd = worst_dd.max(dd);
                if ret > Decimal::ZERO && ret > hold {
                    confidence += 15;
                } else if ret < Decimal::ZERO {
                    confidence -= 15;
                }
                parts.push(format!(
                    "{}: return {}% vs {}% holding, max drawdown {}%, {} round trips",
                    w.name,
                    pct(ret),
                    pct(hold),
                    pct(dd),
                    f.round_trips.unwrap_or(0)
                ));
            }
            _ => parts.push(format!("{}: could not run ({})", w.name, f.error.as_deref().unwrap_or("no figures"))),
        }
    }
    let risk_level = if worst_dd < Decimal::new(3, 2) {
        RiskLevel::Low
    } else if worst_dd < Decimal::new(10, 2) {
        RiskLevel::Medium
    } else {
        RiskLevel::High
    };
    Suggestion {
        grid_lower: config.lower(),
        grid_upper: config.upper(),
        num_levels: config.levels(),
        confidence: u8::try_from(confidence.clamp(10, 90)).unwrap_or(50),
        reasoning: format!(
            "Best of {tried} grids backtested on the recent candles, {}. {}.",
            TIERS[usize::from(tier.min(2))],
            parts.join("; ")
        ),
        risk_level,
    }
}

/// A fraction as a percentage with two places.
pub fn pct(fraction: Decimal) -> Decimal {
    (fraction * Decimal::ONE_HUNDRED).round_dp(2).normalize()
}
