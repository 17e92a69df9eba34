//! `GET /api/v3/aggTrades`: the played trades by id, by time and most recent, Binance's window rule and weight, and
//! the WebSocket outage switch that keeps a dropped stream down while trades are played.

use crate::helpers::*;

#[tokio::test]
async fn played_trades_are_served_as_aggregate_trades() {
    let sim = spawn(&[]).await;
    for p in ["100000.00", "99500.50", "100200.00", "100100.00"] {
        sim.price("BTCUSDT", p).await;
    }
    let recent = sim.get("/api/v3/aggTrades?symbol=BTCUSDT&limit=3").await;
    assert_eq!(recent.header("x-mbx-used-weight-1m").as_deref(), Some("4"), "aggTrades weighs 4");
    let rows = recent.body.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 3);
    let r = &rows[0];
    assert_eq!(r["p"], "99500.50000000");
    assert_eq!(r["q"], "0.00001000", "a hand-played trade trades the minimum quantity");
    assert_eq!((r["f"].as_i64(), r["l"].as_i64()), (r["a"].as_i64(), r["a"].as_i64()));
    assert_eq!((r["m"].as_bool(), r["M"].as_bool()), (Some(true), Some(true)), "a move down: the buyer made");
    assert_eq!(rows[1]["m"], false);
    let (first, time) = (r["a"].as_i64().unwrap_or_default(), r["T"].as_i64().unwrap_or_default());
    assert!(
        rows.windows(2).all(|w| w[0]["a"].as_i64() < w[1]["a"].as_i64() && w[0]["T"].as_i64() <= w[1]["T"].as_i64())
    );

    let from = sim.get(&format!("/api/v3/aggTrades?symbol=BTCUSDT&fromId={first}&limit=2")).await.body;
    let prices: Vec<_> = from.as_array().into_iter().flatten().map(|r| r["p"].clone()).collect();
    assert_eq!(prices, ["99500.50000000", "100200.00000000"]);
    let window = format!("/api/v3/aggTrades?symbol=BTCUSDT&startTime={time}&endTime={}", time + 3_600_000);
    let by_time = sim.get(&window).await.body;
    assert_eq!(by_time.as_array().map(Vec::len), Some(3), "from the second trade on: {by_time}");
    assert_eq!(by_time[0]["a"].as_i64(), Some(first));
    let all = sim.get("/api/v3/aggTrades?symbol=BTCUSDT").await.body;
    assert_eq!(all.as_array().map(Vec::len), Some(4), "only played trades are on the tape");

    let wide = format!("/api/v3/aggTrades?symbol=BTCUSDT&startTime={time}&endTime={}", time + 3_600_001);
    assert_eq!(sim.get(&wide).await.code(), -1127, "a window over an hour is refused");
    assert_eq!(sim.get("/api/v3/aggTrades?symbol=BTCUSDT&fromId=1&startTime=0").await.code(), -1128);
    assert_eq!(sim.get("/api/v3/aggTrades?symbol=NOPE").await.code(), -1121);
    assert_eq!(sim.get("/api/v3/aggTrades").await.code(), -1102);
}

#[tokio::test]
async fn websockets_stay_down_while_refused() {
    let sim = spawn(&[]).await;
    let mut ws = sim.ws("/ws/btcusdt@trade").await;
    sim.control("/sim/faults", serde_json::json!({"ws_refuse": true})).await;
    sim.control("/sim/drop-ws", serde_json::json!({})).await;
    assert!(ends_within(&mut ws, 5).await, "the open stream is dropped");
    let url = format!("{}/ws/btcusdt@trade", sim.handle.ws_url);
    assert!(tokio_tungstenite::connect_async(url.as_str()).await.is_err(), "no new connection while refused");
    assert_eq!(sim.state().await["faults"]["ws_refuse"], true);
    sim.control("/sim/faults", serde_json::json!({"ws_refuse": false})).await;
    let mut ws = sim.ws("/ws/btcusdt@trade").await;
    sim.price("BTCUSDT", "100000.00").await;
    assert_eq!(next_json(&mut ws).await["p"], "100000.00000000");
}
