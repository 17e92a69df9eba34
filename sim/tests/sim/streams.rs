//! Market streams: raw and combined connections, SUBSCRIBE, payload shapes, drops.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_raw_trade_stream_carries_binance_payloads() {
    let sim = spawn(&[]).await;
    let mut ws = sim.ws("/ws/btcusdt@trade").await;
    sim.price("BTCUSDT", "100100.50").await;
    let t = next_json(&mut ws).await;
    assert_eq!(
        (t["e"].as_str(), t["s"].as_str(), t["p"].as_str()),
        (Some("trade"), Some("BTCUSDT"), Some("100100.50000000"))
    );
    for field in ["E", "t", "T"] {
        assert!(t[field].is_i64(), "{field} in {t}");
    }
    assert!(t["q"].is_string() && t["m"].is_boolean());
}

#[tokio::test]
async fn combined_streams_wrap_each_message() {
    let sim = spawn(&[]).await;
    let mut ws = sim.ws("/stream?streams=btcusdt@trade/btcusdt@bookTicker").await;
    sim.price("BTCUSDT", "100000.00").await;
    let a = next_json(&mut ws).await;
    let b = next_json(&mut ws).await;
    assert_eq!(a["stream"], "btcusdt@trade");
    assert_eq!(a["data"]["p"], "100000.00000000");
    assert_eq!(b["stream"], "btcusdt@bookTicker");
    let book = &b["data"];
    assert_eq!((book["b"].as_str(), book["a"].as_str()), (Some("100000.00000000"), Some("100000.01000000")));
    assert!(book["u"].is_u64() && book["B"].is_string() && book["A"].is_string());
}

#[tokio::test]
async fn subscribe_list_and_unsubscribe() {
    let sim = spawn(&[]).await;
    let mut ws = sim.ws("/ws").await;
    send_json(&mut ws, json!({"method": "SUBSCRIBE", "params": ["btcusdt@kline_1m", "BTCUSDT@ticker"], "id": 1})).await;
    assert_eq!(next_json(&mut ws).await, json!({"result": null, "id": 1}));
    send_json(&mut ws, json!({"method": "LIST_SUBSCRIPTIONS", "id": 2})).await;
    assert_eq!(next_json(&mut ws).await, json!({"result": ["btcusdt@kline_1m", "btcusdt@ticker"], "id": 2}));

    sim.price("BTCUSDT", "100200.00").await;
    let k = next_where(&mut ws, "e", "kline").await;
    let kk = &k["k"];
    assert_eq!(
        (kk["i"].as_str(), kk["c"].as_str(), kk["x"].as_bool()),
        (Some("1m"), Some("100200.00000000"), Some(false))
    );
    assert_eq!(kk["T"].as_i64(), kk["t"].as_i64().map(|t| t + 59_999));
    for field in ["o", "h", "l", "v", "q"] {
        assert!(kk[field].is_string(), "{field} in {k}");
    }
    let t = next_where(&mut ws, "e", "24hrTicker").await;
    assert_eq!(t["c"], "100200.00000000");
    for field in ["p", "P", "o", "h", "l", "v", "q", "b", "a"] {
        assert!(t[field].is_string(), "{field} in {t}");
    }

    send_json(&mut ws, json!({"method": "UNSUBSCRIBE", "params": ["btcusdt@kline_1m", "btcusdt@ticker"], "id": 3}))
        .await;
    assert_eq!(next_id(&mut ws, 3).await, json!({"result": null, "id": 3}));
    send_json(&mut ws, json!({"method": "LIST_SUBSCRIPTIONS", "id": 4})).await;
    assert_eq!(next_id(&mut ws, 4).await["result"], json!([]));
    send_json(&mut ws, json!({"method": "NOPE", "id": 5})).await;
    assert_eq!(next_json(&mut ws).await["error"]["code"], 2);
}

#[tokio::test]
async fn websockets_are_dropped_on_demand_and_on_a_timer() {
    let sim = spawn(&[]).await;
    let mut a = sim.ws("/ws/btcusdt@trade").await;
    let mut b = sim.ws("/ws-api/v3").await;
    sim.control("/sim/drop-ws", json!({})).await;
    assert!(ends_within(&mut a, 3).await);
    assert!(ends_within(&mut b, 3).await);

    let s = sim.control("/sim/faults", json!({"ws_drop_every_secs": 1})).await;
    assert_eq!(s["ws_drop_every_secs"], 1);
    let mut c = sim.ws("/ws/btcusdt@trade").await;
    assert!(ends_within(&mut c, 3).await);
}
