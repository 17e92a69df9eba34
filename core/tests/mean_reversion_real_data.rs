//! Mean reversion on real Binance candles from ../shared/data (the test says so and passes when the data is
//! absent): the engine's decimal API — path segments, closes, wanted orders, fills — driven candle by candle and
//! restored from its JSON state every 10,000 candles, books exactly what the backtester's integer path books.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gridbot_core::{
    Candles,
    strategy::mean_reversion::{MeanReversionConfig, MeanReversionEngine, MeanReversionState, backtest},
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

fn drive(config: &MeanReversionConfig, candles: &Candles) -> MeanReversionEngine {
    let mut e = MeanReversionEngine::new(config).unwrap();
    let all = candles.as_slice();
    let mut prev = all[0].open;
    for (i, c) in all.iter().enumerate() {
        if i % 10_000 == 9_999 {
            let text = serde_json::to_string(&e.state().unwrap()).unwrap();
            let state: MeanReversionState = serde_json::from_str(&text).unwrap();
            e = MeanReversionEngine::restore(config, &state).unwrap();
        }
        for p in c.path() {
            if let Some(stop) = e.on_segment(prev, p).unwrap() {
                e.book_fill(stop.price).unwrap();
            }
            prev = p;
        }
        if let Some(order) = e.on_close(c.close).unwrap() {
            e.book_fill(order.price).unwrap();
        }
        e.sample_equity(c.close).unwrap();
    }
    e
}

#[test]
fn the_decimal_api_restored_along_the_way_books_what_the_backtest_books() {
    let cases = [
        (
            "BTCUSDT-1m-2021-11-11_2021-12-11.csv",
            json!({"capital": "10000", "window": 30, "band": "2",
            "stop_loss_pct": "0.5", "fee_asset": "base"}),
        ),
        (
            "ETHUSDT-1m-2025-05-20_2025-08-18.csv",
            json!({"capital": "2500.5", "window": 120, "band": "2.75",
            "stop_loss_pct": "1.25", "fee_rate": "0.00075", "step_size": "0.0001"}),
        ),
    ];
    for (file, config) in cases {
        let Some(candles) = load(file) else { continue };
        let config = MeanReversionConfig::from_json(&config).unwrap();
        let r = backtest(&config, &candles).unwrap();
        assert!(r.round_trips > 50 && r.stop_losses > 5, "{file}: the case trades and stops: {r:?}");
        let e = drive(&config, &candles);
        let s = e.summary(candles.as_slice()[candles.len() - 1].close).unwrap();
        assert_eq!(
            (s.orders_filled, s.round_trips, s.realized_pnl, s.fees_paid, s.final_equity, s.unrealized_pnl),
            (r.orders_filled, r.round_trips, r.realized_pnl, r.fees_paid, r.final_equity, r.unrealized_pnl),
            "{file}"
        );
        assert_eq!((s.max_drawdown, s.win_rate), (r.max_drawdown, r.win_rate), "{file}");
        assert_eq!((e.stop_losses(), e.skipped_entries()), (r.stop_losses, r.skipped_entries), "{file}");
    }
}
