//! One grid backtest over three months of BTCUSDT 1-minute candles (130,708, already parsed — the longest series the
//! data has; no year of it), a 1,000-configuration sweep over them, and the same for mean reversion (one backtest,
//! a 100-configuration sweep). Reads ../shared/data; uses a seeded random walk of the same length when it is absent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{hint::black_box, sync::atomic::AtomicUsize};

use criterion::{Criterion, criterion_group, criterion_main};
use gridbot_core::{
    Candle, Candles, Decimal, GridConfig, GridConfigInput, Spacing, SymbolFilters, backtest,
    strategy::mean_reversion::{self, MeanReversionConfig, MeanReversionParams, sweep::MeanReversionSweep},
    sweep::{Range, SweepSpec, sweep},
};

const FILE: &str = "BTCUSDT-1m-2025-05-20_2025-08-18.csv";

fn candles() -> Candles {
    let path = format!("{}/../../shared/data/{FILE}", env!("CARGO_MANIFEST_DIR"));
    if let Ok(text) = std::fs::read_to_string(&path) {
        return Candles::from_csv(&text).expect("valid data");
    }
    eprintln!("note: {path} is absent; benchmarking a seeded random walk of 130,708 candles instead");
    let mut s: u64 = 7;
    let mut close: i64 = 10_557_373;
    let v = (0..130_708)
        .map(|i| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let open = close;
            close = (open + ((s >> 33) % 20001) as i64 - 10000).max(1_000_000);
            let d = |x: i64| Decimal::new(x, 2);
            Candle {
                open_time: i * 60_000,
                open: d(open),
                high: d(open.max(close) + 500),
                low: d(open.min(close) - 500),
                close: d(close),
                volume: Decimal::ONE,
            }
        })
        .collect();
    Candles::new(v).expect("valid walk")
}

fn bench(c: &mut Criterion) {
    let candles = candles();
    let filters = SymbolFilters::btcusdt();
    let config = GridConfig::new(GridConfigInput {
        lower: Decimal::new(95_000, 0),
        upper: Decimal::new(125_000, 0),
        levels: 50,
        spacing: Spacing::Arithmetic,
        capital: Decimal::new(10_000, 0),
        fee_rate: Decimal::new(1, 3),
        fee_asset: Default::default(),
        stop_loss_pct: None,
        take_profit_pct: None,
        max_daily_loss: None,
    })
    .expect("valid config");
    c.bench_function("backtest 130k candles, 50 levels", |b| {
        b.iter(|| backtest(black_box(&config), &filters, &candles))
    });

    // 10 lowers × 10 uppers × 5 level counts × 2 spacings = 1,000 configurations.
    let spec = SweepSpec {
        lower: Range { from: Decimal::new(90_000, 0), to: Decimal::new(103_500, 0), step: Decimal::new(1_500, 0) },
        upper: Range { from: Decimal::new(108_000, 0), to: Decimal::new(126_000, 0), step: Decimal::new(2_000, 0) },
        levels: Range { from: 10, to: 50, step: 10 },
        spacings: vec![Spacing::Arithmetic, Spacing::Geometric],
        capital: Decimal::new(10_000, 0),
        fee_rate: Decimal::new(1, 3),
        fee_asset: Default::default(),
        stop_loss_pct: None,
        take_profit_pct: None,
    };
    let configs = spec.configs().expect("valid sweep");
    assert_eq!(configs.len(), 1000);
    let mut g = c.benchmark_group("sweep");
    g.sample_size(10);
    g.bench_function("1000 configs x 130k candles, all cores", |b| {
        b.iter(|| sweep(black_box(&configs), &filters, &candles, None, &AtomicUsize::new(0)))
    });
    g.finish();
}

fn bench_mean_reversion(c: &mut Criterion) {
    let candles = candles();
    let base = MeanReversionParams {
        window: 20,
        band: Decimal::TWO,
        stop_loss_pct: Some(Decimal::ONE),
        ..MeanReversionParams::with_capital(Decimal::new(10_000, 0))
    };
    let config = MeanReversionConfig::new(base.clone()).expect("valid config");
    let r = mean_reversion::backtest(&config, &candles).expect("runs");
    assert!(r.round_trips > 1000, "the bench trades: {} round trips", r.round_trips);
    c.bench_function("mean reversion 130k candles, window 20, band 2, stop 1%", |b| {
        b.iter(|| mean_reversion::backtest(black_box(&config), &candles))
    });

    // 10 windows × 5 bands × 2 stop losses = 100 configurations.
    let spec = MeanReversionSweep {
        window: Range { from: 10, to: 100, step: 10 },
        band: Range { from: Decimal::ONE, to: Decimal::new(3, 0), step: Decimal::new(5, 1) },
        stop_loss_pct: Some(Range { from: Decimal::ONE, to: Decimal::TWO, step: Decimal::ONE }),
        base,
    };
    let configs = spec.configs().expect("valid sweep");
    assert_eq!(configs.len(), 100);
    let mut g = c.benchmark_group("mean reversion sweep");
    g.sample_size(10);
    g.bench_function("100 configs x 130k candles, all cores", |b| {
        b.iter(|| mean_reversion::sweep::sweep(black_box(&configs), &candles, None, &AtomicUsize::new(0)))
    });
    g.finish();
}

criterion_group!(benches, bench, bench_mean_reversion);
criterion_main!(benches);
