//! The strategy runtime contract on real Binance candles from ../shared/data (the test says so and passes when the
//! data is absent): driving the grid or mean reversion through [`Runtime`] and [`replay`] — the loop a paper bot's
//! market follows — books exactly what each strategy's own backtester books, and a mean-reversion runtime restored
//! from its snapshot every 5,000 candles goes on exactly as one that never stopped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gridbot_core::{
    Candles, SymbolFilters, backtest,
    strategy::{
        GridParams, Registry,
        mean_reversion::{self, MeanReversionConfig},
        runtime::{Venue, replay},
    },
};
use serde_json::json;

fn load(name: &str) -> Option<Candles> {
    let path = format!("{}/../../shared/data/{name}", env!("CARGO_MANIFEST_DIR"));
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(Candles::from_csv(&text).unwrap()),
        Err(_) => {
            eprintln!("note: {path} is absent; nothing to compare");
            None
        }
    }
}

const DATA: &str = "BTCUSDT-1m-2024-07-26_2024-08-25.csv";

#[test]
fn the_grid_through_the_runtime_books_what_its_backtest_books() {
    let Some(candles) = load(DATA) else { return };
    let start = candles.as_slice()[0].open;
    let filters = SymbolFilters::btcusdt();
    let reg = Registry::default();
    for (lower, upper, levels, stop) in
        [("60000", "70000", 20, None), ("55000", "72000", 40, Some("3")), ("64000", "68000", 8, Some("1"))]
    {
        let config = json!({"capital": "10000", "lower_bound": lower, "upper_bound": upper, "grid_levels": levels,
                            "stop_loss_pct": stop, "take_profit_pct": "2", "fee_asset": "base"});
        let want = backtest(&GridParams::from_json(&config).unwrap().to_config().unwrap(), &filters, &candles).unwrap();
        let mut runtime = reg.runtime("grid", &config, &filters, start, None).unwrap();
        let booked = replay(runtime.as_mut(), &candles).unwrap();
        let mark = if runtime.stopped() { want.stop_price.unwrap() } else { candles.as_slice().last().unwrap().close };
        let got = runtime.summary(mark).unwrap();
        assert_eq!(booked.len() as u64, want.orders_filled, "{config}: every grid fill, booked in order");
        assert_eq!(
            (got.orders_filled, got.round_trips, got.realized_pnl, got.fees_paid, got.final_equity, got.max_drawdown),
            (
                want.orders_filled,
                want.round_trips,
                want.realized_pnl,
                want.fees_paid,
                want.final_equity,
                want.max_drawdown
            ),
            "{config}"
        );
    }
}

#[test]
fn mean_reversion_through_the_runtime_books_what_its_backtest_books_and_restores_from_snapshots() {
    let Some(candles) = load(DATA) else { return };
    let filters = SymbolFilters::btcusdt();
    let reg = Registry::default();
    for (window, band, stop) in [(20, "2", None), (60, "1.5", Some("2")), (200, "3", Some("0.5"))] {
        let config = json!({"capital": "10000", "window": window, "band": band, "stop_loss_pct": stop});
        let stored = reg.bot_config("mean_reversion", &config).unwrap();
        let params = mean_reversion::bot_config(&stored, &filters).unwrap();
        let want =
            mean_reversion::backtest(&MeanReversionConfig::new(params.params().clone()).unwrap(), &candles).unwrap();
        let last = candles.as_slice().last().unwrap().close;

        let mut whole = reg.runtime("mean_reversion", &stored, &filters, last, None).unwrap();
        replay(whole.as_mut(), &candles).unwrap();
        let got = whole.summary(last).unwrap();
        assert_eq!(
            (got.orders_filled, got.round_trips, got.realized_pnl, got.fees_paid, got.final_equity, got.max_drawdown),
            (
                want.orders_filled,
                want.round_trips,
                want.realized_pnl,
                want.fees_paid,
                want.final_equity,
                want.max_drawdown
            ),
            "{config}"
        );

        // The same candles, the runtime rebuilt from its snapshot (as a restarted scheduler does) every 5,000.
        let mut rt = reg.runtime("mean_reversion", &stored, &filters, last, None).unwrap();
        let all = candles.as_slice();
        let mut prev = all[0].open;
        for (i, c) in all.iter().enumerate() {
            if i % 5_000 == 4_999 {
                let snapshot = rt.snapshot().unwrap().unwrap();
                rt = reg.runtime("mean_reversion", &stored, &filters, last, Some(&snapshot)).unwrap();
            }
            for p in c.path() {
                rt.on_segment(prev, p, Venue::Paper).unwrap();
                prev = p;
            }
            rt.on_close(c.close, Venue::Paper).unwrap();
        }
        assert_eq!(rt.summary(last).unwrap(), got, "{config}");
    }
}
