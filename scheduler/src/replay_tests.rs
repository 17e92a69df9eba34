//! The replay against the simulator: trades played while nobody listened come back in order, exactly for a short
//! gap, and for a long one through klines' candle paths between exact first and last minutes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gridbot_exchange::binance::{Binance, Endpoints};
use gridbot_sim::{SimArgs, SimHandle};
use rust_decimal_macros::dec;
use serde_json::json;

use super::*;

async fn sim() -> (SimHandle, Binance) {
    let args = SimArgs::try_from_flags(["--port", "0", "--start-paused"]).unwrap();
    let sim = gridbot_sim::start(args).await.unwrap();
    let client = Binance::new(Endpoints::single_host(&sim.rest_url, &sim.ws_url, &sim.ws_api_url), None).unwrap();
    (sim, client)
}

async fn control(sim: &SimHandle, path: &str, body: serde_json::Value) {
    let r = reqwest::Client::new().post(format!("{}{path}", sim.rest_url)).json(&body).send().await.unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
}

async fn play(sim: &SimHandle, price: Decimal) {
    control(sim, "/sim/price", json!({"symbol": "BTCUSDT", "price": price.to_string()})).await;
}

fn prices(path: &[Point]) -> Vec<Decimal> {
    path.iter().map(|p| p.price).collect()
}

#[tokio::test]
async fn a_short_gap_replays_every_missed_trade_once() {
    let (sim, client) = sim().await;
    let btc: Symbol = "BTC/USDT".parse().unwrap();
    play(&sim, dec!(100000)).await;
    let last = client.agg_trades(&btc, None, None, None, 1).await.unwrap()[0];
    let seen = Seen { time: last.time, trade_id: last.last_trade_id };
    let played = [dec!(99500), dec!(98000), dec!(98000), dec!(101000)];
    for p in played {
        play(&sim, p).await;
    }
    let path = missed(&client, &btc, seen, 5_000).await.unwrap();
    assert_eq!(prices(&path), played);
    assert!(path.iter().all(|p| p.seen.is_some_and(|s| s.trade_id > seen.trade_id)));
    let end = path.iter().fold(Last { price: dec!(100000), seen: Some(seen) }, |l, p| l.to(*p));
    assert_eq!(end.price, dec!(101000));
    assert!(end.covers(seen.trade_id + 4) && !end.covers(seen.trade_id + 5), "live trades after the replay go on");
    // Caught up: nothing missed since.
    let again = missed(&client, &btc, end.seen.unwrap(), 5_000).await.unwrap();
    assert!(again.is_empty());
}

#[tokio::test]
async fn a_long_gap_replays_candle_paths_between_exact_ends() {
    let (sim, client) = sim().await;
    let btc: Symbol = "BTC/USDT".parse().unwrap();
    play(&sim, dec!(100000)).await;
    let first = client.agg_trades(&btc, None, None, None, 1).await.unwrap()[0];
    let seen = Seen { time: first.time, trade_id: first.last_trade_id };
    play(&sim, dec!(100010)).await;
    // Played candles: four trades each, the candle's path, 15 s apart.
    control(&sim, "/sim/step", json!({"candles": 90})).await;
    let exact = missed(&client, &btc, seen, 5_000).await.unwrap();
    assert_eq!(exact.len(), 1 + 90 * 4);
    let long = missed(&client, &btc, seen, 2 * HOUR_MS).await.unwrap();
    assert_eq!(prices(&long), prices(&exact), "a played candle's path is its trades");
    let candle_points = long.iter().filter(|p| p.seen.is_none()).count();
    assert_eq!(candle_points, 89 * 4, "every minute but the first and the last from klines");
    assert_eq!(long.last(), exact.last(), "the last minute's trades, exactly");
}
