//! `gridbot backtest`: one grid over a candle file.

use std::path::PathBuf;

use gridbot_core::{BacktestResult, Decimal, FeeAsset, GridConfig, GridConfigInput, Spacing, backtest};

use super::{FilterArgs, decimal, read_candles};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Binance kline CSV (open_time,open,high,low,close,volume; header optional).
    #[arg(long)]
    pub candles: PathBuf,
    #[arg(long, value_parser = decimal)]
    pub lower: Decimal,
    #[arg(long, value_parser = decimal)]
    pub upper: Decimal,
    /// Number of price lines, 2..=200.
    #[arg(long)]
    pub levels: usize,
    #[arg(long, default_value = "arithmetic", value_parser = parse_spacing)]
    pub spacing: Spacing,
    /// Quote committed to the grid.
    #[arg(long, value_parser = decimal)]
    pub capital: Decimal,
    /// Fee per fill, as a fraction of notional.
    #[arg(long, default_value = "0.001", value_parser = decimal)]
    pub fee_rate: Decimal,
    /// What pays the fees: `quote` (also how fees paid in BNB are modelled) or `base` (Binance's default without
    /// BNB: a buy pays in the base it receives).
    #[arg(long, default_value = "quote", value_parser = parse_fee_asset)]
    pub fee_asset: FeeAsset,
    #[arg(long, value_parser = decimal)]
    pub stop_loss_pct: Option<Decimal>,
    #[arg(long, value_parser = decimal)]
    pub take_profit_pct: Option<Decimal>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Print one JSON object with the result names of spec/grid.md.
    #[arg(long)]
    pub json: bool,
}

pub fn parse_spacing(s: &str) -> Result<Spacing, String> {
    s.parse().map_err(|e: gridbot_core::Error| e.to_string())
}

pub fn parse_fee_asset(s: &str) -> Result<FeeAsset, String> {
    s.parse().map_err(|e: gridbot_core::Error| e.to_string())
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let config = GridConfig::new(GridConfigInput {
        lower: a.lower,
        upper: a.upper,
        levels: a.levels,
        spacing: a.spacing,
        capital: a.capital,
        fee_rate: a.fee_rate,
        fee_asset: a.fee_asset,
        stop_loss_pct: a.stop_loss_pct,
        take_profit_pct: a.take_profit_pct,
        max_daily_loss: None,
    })?;
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

/// A readable summary of one backtest.
pub fn summary(r: &BacktestResult) -> String {
    let pct = |d: Decimal| format!("{}%", (d * Decimal::ONE_HUNDRED).round_dp(2));
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
