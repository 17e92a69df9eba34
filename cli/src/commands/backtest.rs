//! `gridbot backtest`: one strategy over a candle file — the grid from its flags or `--config`, mean reversion from
//! `--config`.

use std::path::PathBuf;

use anyhow::bail;
use gridbot_core::{
    BacktestResult, Decimal, FeeAsset, GridConfig, GridConfigInput, Spacing, backtest,
    strategy::{
        GridParams, OutOfRange, Registry,
        mean_reversion::{self, MeanReversionConfig, MeanReversionResult},
    },
};

use super::{FilterArgs, decimal, read_candles};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Binance kline CSV (open_time,open,high,low,close,volume; header optional).
    #[arg(long)]
    pub candles: PathBuf,
    /// The strategy: `grid` or `mean_reversion`.
    #[arg(long, default_value = "grid")]
    pub strategy: String,
    /// The strategy's config as JSON, or @FILE. mean_reversion: its inputs in spec/mean-reversion.md (`capital`,
    /// `window`, `band`, `stop_loss_pct`, `fee_rate`, `fee_asset`, `tick_size`, `step_size`, `min_notional`).
    /// grid: a bot's config (`capital`, `lower_bound`, `upper_bound`, `grid_levels`, `spacing`, `fee_rate`,
    /// `fee_asset` — `base` unless said, as for a bot —, `stop_loss_pct`, `take_profit_pct`) instead of the grid's
    /// flags, with the filter flags.
    #[arg(long, value_parser = json_config)]
    pub config: Option<serde_json::Value>,
    #[arg(long, value_parser = decimal)]
    pub lower: Option<Decimal>,
    #[arg(long, value_parser = decimal)]
    pub upper: Option<Decimal>,
    /// Number of price lines, 2..=200.
    #[arg(long)]
    pub levels: Option<usize>,
    /// `arithmetic` (the default) or `geometric`.
    #[arg(long, value_parser = parse_spacing)]
    pub spacing: Option<Spacing>,
    /// Quote committed to the grid.
    #[arg(long, value_parser = decimal)]
    pub capital: Option<Decimal>,
    /// Fee per fill, as a fraction of notional (default 0.001).
    #[arg(long, value_parser = decimal)]
    pub fee_rate: Option<Decimal>,
    /// What pays the fees: `quote` (the default; also how fees paid in BNB are modelled) or `base` (Binance's
    /// default without BNB: a buy pays in the base it receives).
    #[arg(long, value_parser = parse_fee_asset)]
    pub fee_asset: Option<FeeAsset>,
    #[arg(long, value_parser = decimal)]
    pub stop_loss_pct: Option<Decimal>,
    #[arg(long, value_parser = decimal)]
    pub take_profit_pct: Option<Decimal>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Print one JSON object whose first keys are the result names of the strategy's spec.
    #[arg(long)]
    pub json: bool,
}

pub fn parse_spacing(s: &str) -> Result<Spacing, String> {
    s.parse().map_err(|e: gridbot_core::Error| e.to_string())
}

pub fn parse_fee_asset(s: &str) -> Result<FeeAsset, String> {
    s.parse().map_err(|e: gridbot_core::Error| e.to_string())
}

/// JSON text, or `@FILE` holding it.
fn json_config(s: &str) -> Result<serde_json::Value, String> {
    let text = match s.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?,
        None => s.to_string(),
    };
    serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))
}

impl Args {
    /// The grid flags given.
    fn grid_flags(&self) -> Vec<&'static str> {
        let given = [
            ("--lower", self.lower.is_some()),
            ("--upper", self.upper.is_some()),
            ("--levels", self.levels.is_some()),
            ("--spacing", self.spacing.is_some()),
            ("--capital", self.capital.is_some()),
            ("--fee-rate", self.fee_rate.is_some()),
            ("--fee-asset", self.fee_asset.is_some()),
            ("--stop-loss-pct", self.stop_loss_pct.is_some()),
            ("--take-profit-pct", self.take_profit_pct.is_some()),
        ];
        given.into_iter().filter(|(_, on)| *on).map(|(flag, _)| flag).collect()
    }
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let registry = Registry::default();
    if !registry.contains(&a.strategy) {
        bail!("unknown strategy {:?}; known: {}", a.strategy, registry.names().join(", "));
    }
    let flags = a.grid_flags();
    if a.config.is_some() && !flags.is_empty() {
        bail!("--config holds the whole config: leave out {}", flags.join(", "));
    }
    if a.strategy == mean_reversion::NAME {
        return run_mean_reversion(a);
    }
    let config = match &a.config {
        Some(json) => grid_from_json(json)?,
        None => grid_from_flags(&a)?,
    };
    let filters = a.filters.filters()?;
    let candles = read_candles(&a.candles)?;
    let r = backtest(&config, &filters, &candles)?;
    if a.json {
        println!("{}", serde_json::to_string(&r)?);
    } else {
        print!("{}", summary(&r));
    }
    Ok(())
}

fn grid_from_flags(a: &Args) -> anyhow::Result<GridConfig> {
    let (Some(lower), Some(upper), Some(levels), Some(capital)) = (a.lower, a.upper, a.levels, a.capital) else {
        bail!("the grid needs --lower, --upper, --levels and --capital, or --config JSON");
    };
    Ok(GridConfig::new(GridConfigInput {
        lower,
        upper,
        levels,
        spacing: a.spacing.unwrap_or_default(),
        capital,
        fee_rate: a.fee_rate.unwrap_or_else(gridbot_core::config::default_fee_rate),
        fee_asset: a.fee_asset.unwrap_or_default(),
        stop_loss_pct: a.stop_loss_pct,
        take_profit_pct: a.take_profit_pct,
        max_daily_loss: None,
    })?)
}

/// A bot's grid config (the API's JSON); errors name its fields.
fn grid_from_json(json: &serde_json::Value) -> anyhow::Result<GridConfig> {
    let params = GridParams::from_json(json)?;
    if params.out_of_range != OutOfRange::Hold {
        bail!("out_of_range: a bot's policy when the price leaves the grid; the backtest models only `hold`");
    }
    Ok(params.to_config()?)
}

fn run_mean_reversion(a: Args) -> anyhow::Result<()> {
    let Some(json) = &a.config else {
        bail!("--strategy mean_reversion needs --config JSON (at least {{\"capital\": …}})");
    };
    let filters = a.filters.given();
    if !filters.is_empty() {
        bail!(
            "mean_reversion reads its filters from --config (tick_size, step_size, min_notional): leave out {}",
            filters.join(", ")
        );
    }
    let config = MeanReversionConfig::from_json(json)?;
    let candles = read_candles(&a.candles)?;
    let r = mean_reversion::backtest(&config, &candles)?;
    if a.json {
        println!("{}", serde_json::to_string(&r)?);
    } else {
        print!("{}", mean_reversion_summary(&config, &r));
    }
    Ok(())
}

fn pct(d: Decimal) -> String {
    format!("{}%", (d * Decimal::ONE_HUNDRED).round_dp(2))
}

/// A readable summary of one mean-reversion backtest.
pub fn mean_reversion_summary(c: &MeanReversionConfig, r: &MeanReversionResult) -> String {
    let stop = c.stop_loss_pct().map_or("no stop".to_string(), |s| format!("stop {s}%"));
    let lines = [
        format!("mean reversion  window {}, band {} stdev, {stop}, fees in {}", c.window(), c.band(), c.fee_asset()),
        format!("candles         {}", r.candles),
        format!(
            "orders filled   {}  ({} stop losses, {} entries skipped)",
            r.orders_filled, r.stop_losses, r.skipped_entries
        ),
        format!("round trips     {}  (win rate {})", r.round_trips, r.win_rate.map_or("n/a".to_string(), pct)),
        format!("realized P&L    {}", r.realized_pnl.round_dp(8)),
        format!("unrealized P&L  {}", r.unrealized_pnl.round_dp(8)),
        format!("fees paid       {}", r.fees_paid.round_dp(8)),
        format!(
            "final equity    {}  ({} vs holding {})",
            r.final_equity.round_dp(8),
            pct(r.total_return),
            pct(r.hold_return)
        ),
        format!("max drawdown    {}", pct(r.max_drawdown)),
        format!("at the end      {}", if r.long { format!("long {} base", r.base_held) } else { "flat".to_string() }),
    ];
    lines.join("\n") + "\n"
}

/// A readable summary of one backtest.
pub fn summary(r: &BacktestResult) -> String {
    let opt = |d: Option<Decimal>, f: &dyn Fn(Decimal) -> String| d.map_or("n/a".to_string(), f);
    let lines = [
        format!("grid            {} levels, {} .. {}", r.levels.len(), r.levels[0], r.levels[r.levels.len() - 1]),
        format!("start           {} (empty level {}, {} lots bought)", r.start_price, r.empty_level, r.initial_lots),
        format!("qty per level   {}", r.qty_per_level),
        format!("candles         {}", r.candles),
        format!("orders filled   {}", r.orders_filled),
        format!("round trips     {}  (win rate {})", r.round_trips, opt(r.win_rate, &pct)),
        format!("realized P&L    {}", r.realized_pnl.round_dp(8)),
        format!("unrealized P&L  {}", r.unrealized_pnl.round_dp(8)),
        format!("fees paid       {}", r.fees_paid.round_dp(8)),
        format!(
            "final equity    {}  ({} vs holding {})",
            r.final_equity.round_dp(8),
            pct(r.total_return),
            pct(r.hold_return)
        ),
        format!("max drawdown    {}", pct(r.max_drawdown)),
        format!(
            "stopped         {}",
            r.stopped.map_or("no".to_string(), |s| format!("{} at {}", s.as_str(), r.stop_price.unwrap_or_default()))
        ),
    ];
    lines.join("\n") + "\n"
}
