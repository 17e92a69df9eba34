//! The subcommands, and what they share: reading candles, parsing decimals, one-line errors.

pub mod api;
pub mod backtest;
pub mod jobs;
pub mod migrate;
pub mod optimize;
pub mod roles;
pub mod scheduler;
pub mod serve;
pub mod worker;

use std::{path::Path, process::ExitCode, str::FromStr};

use anyhow::Context;
use clap::error::ErrorKind;
use gridbot_core::{Candles, Decimal, SymbolFilters};

/// The async runtime of the server roles.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// Prints help and version as clap does; any other parse error as one line.
pub fn usage_error(e: clap::Error) -> ExitCode {
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    }
    let text = e.render().to_string();
    eprintln!("{}", text.lines().next().unwrap_or("error: invalid arguments").trim_end());
    ExitCode::from(2)
}

/// A decimal written exactly (`0.001`, not `1e-3`).
pub fn decimal(s: &str) -> Result<Decimal, String> {
    Decimal::from_str_exact(s.trim())
        .or_else(|_| Decimal::from_str(s.trim()))
        .map_err(|_| format!("not a decimal number: {s:?}"))
}

pub fn read_candles(path: &Path) -> anyhow::Result<Candles> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Candles::from_csv(&text).with_context(|| format!("{}", path.display()))
}

/// The symbol filters a backtest uses; BTCUSDT's unless given.
#[derive(Debug, Clone, clap::Args)]
pub struct FilterArgs {
    /// PRICE_FILTER tick size (default 0.01).
    #[arg(long, value_parser = decimal)]
    pub tick_size: Option<Decimal>,
    /// LOT_SIZE step size (default 0.00001).
    #[arg(long, value_parser = decimal)]
    pub step_size: Option<Decimal>,
    /// NOTIONAL minimum order value, in quote (default 5).
    #[arg(long, value_parser = decimal)]
    pub min_notional: Option<Decimal>,
}

impl FilterArgs {
    pub fn filters(&self) -> anyhow::Result<SymbolFilters> {
        let btc = SymbolFilters::btcusdt();
        Ok(SymbolFilters::new(
            self.tick_size.unwrap_or(btc.tick_size),
            self.step_size.unwrap_or(btc.step_size),
            self.min_notional.unwrap_or(btc.min_notional),
        )?)
    }

    /// The filter flags given.
    pub fn given(&self) -> Vec<&'static str> {
        [
            ("--tick-size", self.tick_size.is_some()),
            ("--step-size", self.step_size.is_some()),
            ("--min-notional", self.min_notional.is_some()),
        ]
        .into_iter()
        .filter(|(_, on)| *on)
        .map(|(flag, _)| flag)
        .collect()
    }
}
