//! The simulator's command-line flags (`gridbot sim …`).

use std::{net::IpAddr, path::PathBuf};

use clap::Parser;
use rust_decimal::Decimal;

use crate::faults::Faults;

/// Flags of the Binance-compatible simulator.
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Port to listen on (0 = any free port).
    #[arg(long, default_value_t = 9100)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Replay a Binance kline CSV, as `[SYMBOL=]FILE` (repeatable, one file per symbol); without it, a random walk.
    #[arg(long, value_name = "[SYMBOL=]FILE")]
    pub replay: Vec<String>,
    /// Candles played per second.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Seed of the random walk (and of the fault draws).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Relative volatility of the random walk per second.
    #[arg(long, default_value_t = 0.0005)]
    pub volatility: f64,
    /// Candles of random-walk history that precede the start (served by `klines`).
    #[arg(long, default_value_t = 500)]
    pub history: usize,
    /// Start paused (`POST /sim/resume` or `/sim/step` to play).
    #[arg(long)]
    pub start_paused: bool,
    /// An account: `KEY:SECRET[:USDT=10000,BTC=1]` (repeatable). Default: `demo-key:demo-secret`.
    #[arg(long = "account", value_name = "KEY:SECRET[:BALANCES]")]
    pub accounts: Vec<String>,
    /// A file of accounts, one `KEY:SECRET[:BALANCES]` a line.
    #[arg(long)]
    pub accounts_file: Option<PathBuf>,
    /// Commission rate of every fill.
    #[arg(long, default_value = "0.001")]
    pub fee_rate: Decimal,
    /// Charge commission in the quote asset on buys too (a simplification some tests ask for; Binance charges a
    /// buy in the base it delivers).
    #[arg(long, conflicts_with = "commission_in_bnb")]
    pub commission_in_quote: bool,
    /// Pay commissions in BNB, as an account with "pay fees with BNB" on: the quote commission's worth of BNB at
    /// BNBUSDT's price, while the account holds enough BNB (else charged as by default).
    #[arg(long)]
    pub commission_in_bnb: bool,
    /// Fill at most this percentage of an order's quantity per touching trade (partial fills).
    #[arg(long)]
    pub partial_fill_pct: Option<Decimal>,
    /// REQUEST_WEIGHT limit per minute.
    #[arg(long, default_value_t = 6000)]
    pub weight_limit: u32,
    /// ORDERS limit per 10 seconds and API key.
    #[arg(long, default_value_t = 100)]
    pub order_limit: u32,
    /// Seconds between the server's WebSocket pings.
    #[arg(long, default_value_t = 20)]
    pub ws_ping_secs: u64,
    #[command(flatten)]
    pub faults: Faults,
}

#[derive(Parser)]
struct Wrapper {
    #[command(flatten)]
    args: SimArgs,
}

impl SimArgs {
    /// Parses flags as the command line would (`["--port", "0", "--start-paused"]`).
    pub fn try_from_flags<I, T>(flags: I) -> Result<SimArgs, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let all = std::iter::once(std::ffi::OsString::from("sim")).chain(flags.into_iter().map(Into::into));
        Wrapper::try_parse_from(all).map(|w| w.args)
    }
}

impl Default for SimArgs {
    fn default() -> SimArgs {
        let none: [&str; 0] = [];
        // The defaults above always parse.
        SimArgs::try_from_flags(none).unwrap_or_else(|e| panic!("default SimArgs: {e}"))
    }
}
