//! `gridbot optimize`: a parameter sweep over a candle file — the grid's bounds and levels, or mean reversion's
//! window, band and stop loss — ranked by `gridbot_core::sweep::calmar`.

use std::path::PathBuf;

use anyhow::bail;
use gridbot_core::{
    Decimal, Spacing,
    strategy::mean_reversion::{
        self, MeanReversionParams,
        sweep::{MeanReversionSweep, sweep as sweep_mean_reversion},
    },
    sweep::{Range, SweepSpec, sweep},
};
use serde_json::json;

use super::{FilterArgs, backtest::parse_spacing, decimal, read_candles};
use crate::progress::Progress;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Binance kline CSV (open_time,open,high,low,close,volume; header optional).
    #[arg(long)]
    pub candles: PathBuf,
    /// The strategy: `grid` or `mean_reversion`.
    #[arg(long, default_value = "grid")]
    pub strategy: String,
    #[arg(long, value_parser = decimal)]
    pub capital: Decimal,
    /// Lower bounds to try, FROM:TO:STEP (or one value). Default: 80%..98% of the first open, step 2%.
    #[arg(long, value_parser = decimal_range)]
    pub lower: Option<Range<Decimal>>,
    /// Upper bounds to try, FROM:TO:STEP (or one value). Default: 102%..120% of the first open, step 2%.
    #[arg(long, value_parser = decimal_range)]
    pub upper: Option<Range<Decimal>>,
    /// Level counts to try, FROM:TO:STEP (or one value). Default: 10:50:10.
    #[arg(long, value_parser = levels_range)]
    pub levels: Option<Range<usize>>,
    /// Spacings to try, comma-separated. Default: arithmetic.
    #[arg(long, value_delimiter = ',', value_parser = parse_spacing)]
    pub spacing: Vec<Spacing>,
    /// mean_reversion: moving-average windows to try, FROM:TO:STEP (or one value). Default: 10:100:10.
    #[arg(long, value_parser = levels_range)]
    pub window: Option<Range<usize>>,
    /// mean_reversion: bands to try, in standard deviations, FROM:TO:STEP (or one value). Default: 1:3:0.5.
    #[arg(long, value_parser = decimal_range)]
    pub band: Option<Range<Decimal>>,
    #[arg(long, default_value = "0.001", value_parser = decimal)]
    pub fee_rate: Decimal,
    /// What pays the fees: `quote` or `base` (see `gridbot backtest --help`).
    #[arg(long, default_value = "quote", value_parser = super::backtest::parse_fee_asset)]
    pub fee_asset: gridbot_core::FeeAsset,
    /// One stop loss (the grid), or FROM:TO:STEP to try (mean_reversion). Default: none.
    #[arg(long, value_parser = decimal_range)]
    pub stop_loss_pct: Option<Range<Decimal>>,
    #[arg(long, value_parser = decimal)]
    pub take_profit_pct: Option<Decimal>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// How many of the best configurations to show.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    #[arg(long)]
    pub json: bool,
}

fn decimal_range(s: &str) -> Result<Range<Decimal>, String> {
    let parts: Vec<&str> = s.split(':').collect();
    match parts.as_slice() {
        [v] => Ok(Range::one(decimal(v)?)),
        [from, to, step] => Ok(Range { from: decimal(from)?, to: decimal(to)?, step: decimal(step)? }),
        _ => Err(format!("expected FROM:TO:STEP or one value, got {s:?}")),
    }
}

fn levels_range(s: &str) -> Result<Range<usize>, String> {
    let n = |v: &str| v.trim().parse::<usize>().map_err(|_| format!("not a whole number: {v:?}"));
    let parts: Vec<&str> = s.split(':').collect();
    match parts.as_slice() {
        [v] => Ok(Range { from: n(v)?, to: n(v)?, step: 1 }),
        [from, to, step] => Ok(Range { from: n(from)?, to: n(to)?, step: n(step)? }),
        _ => Err(format!("expected FROM:TO:STEP or one value, got {s:?}")),
    }
}

/// The flags given that only the other strategy reads.
fn foreign_flags(a: &Args) -> Vec<&'static str> {
    let grid = [
        ("--lower", a.lower.is_some()),
        ("--upper", a.upper.is_some()),
        ("--levels", a.levels.is_some()),
        ("--spacing", !a.spacing.is_empty()),
        ("--take-profit-pct", a.take_profit_pct.is_some()),
    ];
    let mean_reversion = [("--window", a.window.is_some()), ("--band", a.band.is_some())];
    let other: &[_] = if a.strategy == mean_reversion::NAME { &grid } else { &mean_reversion };
    other.iter().filter(|(_, on)| *on).map(|(flag, _)| *flag).collect()
}

pub fn run(a: Args) -> anyhow::Result<()> {
    if a.strategy != "grid" && a.strategy != mean_reversion::NAME {
        bail!("unknown strategy {:?}; known: grid, {}", a.strategy, mean_reversion::NAME);
    }
    let foreign = foreign_flags(&a);
    if !foreign.is_empty() {
        bail!("{} does not take {}", a.strategy, foreign.join(", "));
    }
    if a.strategy == mean_reversion::NAME {
        return run_mean_reversion(a);
    }
    let stop_loss_pct = match a.stop_loss_pct {
        Some(r) if r.from != r.to && !r.step.is_zero() => bail!("the grid's sweep takes one --stop-loss-pct"),
        r => r.map(|r| r.from),
    };
    let filters = a.filters.filters()?;
    let candles = read_candles(&a.candles)?;
    let p = candles.as_slice()[0].open;
    let around = |from: i64, to: i64| Range {
        from: filters.round_price(p * Decimal::new(from, 2)),
        to: filters.round_price(p * Decimal::new(to, 2)),
        step: filters.round_price(p * Decimal::new(2, 2)),
    };
    let spec = SweepSpec {
        lower: a.lower.unwrap_or_else(|| around(80, 98)),
        upper: a.upper.unwrap_or_else(|| around(102, 120)),
        levels: a.levels.unwrap_or(Range { from: 10, to: 50, step: 10 }),
        spacings: a.spacing,
        capital: a.capital,
        fee_rate: a.fee_rate,
        fee_asset: a.fee_asset,
        stop_loss_pct,
        take_profit_pct: a.take_profit_pct,
    };
    let configs = spec.configs()?;
    if configs.is_empty() {
        bail!("no configuration to try: every lower bound is at or above every upper bound");
    }
    let progress = Progress::start("sweeping", configs.len());
    let report = sweep(&configs, &filters, &candles, a.threads, &progress.done);
    progress.finish();
    if report.ranked.is_empty() {
        bail!(
            "all {} configurations were refused; the first: {}",
            report.tried,
            report.first_rejection.unwrap_or_default()
        );
    }
    let top: Vec<_> = report.ranked.iter().take(a.top).collect();
    if a.json {
        let out = json!({"tried": report.tried, "rejected": report.rejected, "first_rejection": report.first_rejection, "top": top});
        println!("{out}");
        return Ok(());
    }
    println!(
        "{} configurations, {} refused{}; ranked by return / max(drawdown, 1%)",
        report.tried,
        report.rejected,
        report.first_rejection.map(|r| format!(" (first: {r})")).unwrap_or_default()
    );
    println!(
        "{:>4} {:>12} {:>12} {:>6} {:>10} {:>8} {:>12} {:>9} {:>8}",
        "rank", "lower", "upper", "levels", "spacing", "score", "realized", "return", "max dd"
    );
    for (i, e) in top.iter().enumerate() {
        let r = &e.result;
        println!(
            "{:>4} {:>12} {:>12} {:>6} {:>10} {:>8} {:>12} {:>8}% {:>7}%",
            i + 1,
            e.lower,
            e.upper,
            e.levels,
            e.spacing.to_string(),
            e.score.round_dp(3),
            r.realized_pnl.round_dp(2),
            (r.total_return * Decimal::ONE_HUNDRED).round_dp(2),
            (r.max_drawdown * Decimal::ONE_HUNDRED).round_dp(2)
        );
    }
    Ok(())
}

fn run_mean_reversion(a: Args) -> anyhow::Result<()> {
    let filters = a.filters.filters()?;
    let candles = read_candles(&a.candles)?;
    let spec = MeanReversionSweep {
        window: a.window.unwrap_or(Range { from: 10, to: 100, step: 10 }),
        band: a.band.unwrap_or(Range { from: Decimal::ONE, to: Decimal::new(3, 0), step: Decimal::new(5, 1) }),
        stop_loss_pct: a.stop_loss_pct,
        base: MeanReversionParams {
            fee_rate: a.fee_rate,
            fee_asset: a.fee_asset,
            tick_size: filters.tick_size,
            step_size: filters.step_size,
            min_notional: filters.min_notional,
            ..MeanReversionParams::with_capital(a.capital)
        },
    };
    let configs = spec.configs()?;
    let progress = Progress::start("sweeping", configs.len());
    let report = sweep_mean_reversion(&configs, &candles, a.threads, &progress.done);
    progress.finish();
    if report.ranked.is_empty() {
        bail!("all {} configurations failed; the first: {}", report.tried, report.first_rejection.unwrap_or_default());
    }
    let top: Vec<_> = report.ranked.iter().take(a.top).collect();
    if a.json {
        let out = json!({"tried": report.tried, "rejected": report.rejected, "first_rejection": report.first_rejection, "top": top});
        println!("{out}");
        return Ok(());
    }
    println!(
        "{} configurations, {} failed{}; ranked by return / max(drawdown, 1%)",
        report.tried,
        report.rejected,
        report.first_rejection.map(|r| format!(" (first: {r})")).unwrap_or_default()
    );
    println!(
        "{:>4} {:>6} {:>6} {:>6} {:>8} {:>7} {:>12} {:>9} {:>8}",
        "rank", "window", "band", "stop", "score", "trips", "realized", "return", "max dd"
    );
    for (i, e) in top.iter().enumerate() {
        let r = &e.result;
        println!(
            "{:>4} {:>6} {:>6} {:>6} {:>8} {:>7} {:>12} {:>8}% {:>7}%",
            i + 1,
            e.window,
            e.band.to_string(),
            e.stop_loss_pct.map_or("-".to_string(), |s| s.to_string()),
            e.score.round_dp(3),
            r.round_trips,
            r.realized_pnl.round_dp(2),
            (r.total_return * Decimal::ONE_HUNDRED).round_dp(2),
            (r.max_drawdown * Decimal::ONE_HUNDRED).round_dp(2)
        );
    }
    Ok(())
}
