//! The engine on real Binance candles from ../shared/data (a seeded random walk where the data is absent):
//! the backtester's integer hot path and the engine's decimal API make the same fills over whole files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gridbot_core::{
    Candle, Candles, Decimal, GridConfig, GridConfigInput, Spacing, SymbolFilters, backtest::backtest_report,
    engine::GridEngine,
};
use rust_decimal_macros::dec;

fn load(name: &str) -> Candles {
    let path = format!("{}/../../shared/data/{name}", env!("CARGO_MANIFEST_DIR"));
    match std::fs::read_to_string(&path) {
        Ok(text) => Candles::from_csv(&text).unwrap(),
        Err(_) => {
            eprintln!("note: {path} is absent; using a seeded random walk instead");
            seeded_walk(43_000, 100_000)
        }
    }
}

/// A deterministic walk of `n` one-minute candles around `start` (xorshift; ~0.05 % per minute).
fn seeded_walk(n: usize, start: i64) -> Candles {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s % 2001) as i64 - 1000
    };
    let mut close = start * 100;
    let candles = (0..n)
        .map(|i| {
            let open = close;
            close = (open + next() * 5).max(100);
            let (hi, lo) = (open.max(close) + next().abs(), open.min(close) - next().abs());
            let d = |v: i64| Decimal::new(v, 2);
            Candle {
                open_time: i as i64 * 60_000,
                open: d(open),
                high: d(hi),
                low: d(lo.max(1)),
                close: d(close),
                volume: dec!(1),
            }
        })
        .collect();
    Candles::new(candles).unwrap()
}

fn check(file: &str, lower: Decimal, upper: Decimal, levels: usize, spacing: Spacing, sl: Option<Decimal>) {
    let candles = load(file);
    let first = candles.as_slice()[0].open;
    let (lower, upper) =
        if lower < first && first < upper { (lower, upper) } else { (first * dec!(0.9), first * dec!(1.1)) };
    let config = GridConfig::new(GridConfigInput {
        lower: lower.round_dp(2),
        upper: upper.round_dp(2),
        levels,
        spacing,
        capital: dec!(10000),
        fee_rate: dec!(0.001),
        fee_asset: Default::default(),
        stop_loss_pct: sl,
        take_profit_pct: None,
        max_daily_loss: None,
    })
    .unwrap();
    let filters = SymbolFilters::btcusdt();
    let report = backtest_report(&config, &filters, &candles).unwrap();
    let mut engine = GridEngine::start(&config, &filters, first).unwrap();
    let mut fills = Vec::new();
    let mut prev = first;
    for p in candles.path_points() {
        fills.extend(engine.on_segment(prev, p).unwrap());
        prev = p;
    }
    let expected: Vec<_> = report.fills.iter().map(|f| (f.side, f.level)).collect();
    assert_eq!(fills, expected, "{file}");
    assert!(report.result.orders_filled > 0, "{file}: a grid around the start price trades");
    let mark = if engine.is_stopped() {
        engine.ledger().stop().unwrap().price
    } else {
        candles.as_slice().last().unwrap().close
    };
    assert_eq!(engine.summary(mark).realized_pnl, report.result.realized_pnl);
}

#[test]
fn three_months_of_btc() {
    check("BTCUSDT-1m-2025-05-20_2025-08-18.csv", dec!(100000), dec!(120000), 40, Spacing::Arithmetic, None);
}

#[test]
fn eth_geometric() {
    check("ETHUSDT-1m-2025-05-20_2025-08-18.csv", dec!(2300), dec!(3000), 60, Spacing::Geometric, None);
}

#[test]
fn crash_with_stop_loss() {
    check("BTCUSDT-1m-2024-07-26_2024-08-25.csv", dec!(62000), dec!(70000), 25, Spacing::Arithmetic, Some(dec!(3)));
}

#[test]
fn trading_halt_gap() {
    check("BTCUSDT-1m-2023-03-16_2023-05-01-with-halt.csv", dec!(22000), dec!(30000), 30, Spacing::Arithmetic, None);
}
