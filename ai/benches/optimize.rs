//! The whole optimize request except Claude — snapshot, candidate grids, the sweep over the 7- and 30-day windows,
//! and the backtests of the suggestion, the current config and holding — on the last 30 days (43,200 candles) of
//! BTCUSDT 1-minute data, from the candles as the database hands them over. Target: under 1 s.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{hint::black_box, time::Duration};

use criterion::{Criterion, criterion_group, criterion_main};
use gridbot_ai::{Advisor, Market, OptimizeRequest};
use gridbot_core::{Candle, Candles, Decimal, GridConfig, GridConfigInput, Spacing, SymbolFilters};

const FILE: &str = "BTCUSDT-1m-2025-05-20_2025-08-18.csv";
const MINUTES: usize = 30 * 1440;

fn last_30_days() -> Vec<Candle> {
    let path = format!("{}/../../shared/data/{FILE}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let all = Candles::from_csv(&text).expect("valid data");
    all.tail(MINUTES).as_slice().to_vec()
}

fn bench(c: &mut Criterion) {
    let raw = last_30_days();
    let price = raw.last().unwrap().close;
    let current = GridConfig::new(GridConfigInput {
        lower: (price * Decimal::new(95, 2)).round_dp(2),
        upper: (price * Decimal::new(105, 2)).round_dp(2),
        levels: 20,
        spacing: Spacing::Arithmetic,
        capital: Decimal::new(10_000, 0),
        fee_rate: Decimal::new(1, 3),
        fee_asset: Default::default(),
        stop_loss_pct: None,
        take_profit_pct: None,
        max_daily_loss: None,
    })
    .unwrap();
    let request = OptimizeRequest { capital: Decimal::new(10_000, 0), current: Some(current), strategy: "grid".into() };
    let advisor = Advisor::without_claude("benchmark");
    let mut group = c.benchmark_group("optimize");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.bench_function("30 days of 1m candles, no Claude", |b| {
        b.iter(|| {
            let market = Market {
                symbol: "BTC/USDT".parse().unwrap(),
                filters: SymbolFilters::btcusdt(),
                candles: Candles::new(black_box(raw.clone())).unwrap(),
            };
            advisor.advise_offline(&request, &market).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
