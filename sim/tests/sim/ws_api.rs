//! The WebSocket API: ping, time, and execution reports after `userDataStream.subscribe.signature`.

use serde_json::{Value, json};

use crate::helpers::*;

fn subscribe_request(id: u64, secret: &str, timestamp: i64) -> Value {
    // Signed over the parameters sorted by name (apiKey included), not percent-encoded.
    let payload = format!("apiKey={KEY}&timestamp={timestamp}");
    json!({"id": id, "method": "userDataStream.subscribe.signature",
           "params": {"apiKey": KEY, "timestamp": timestamp, "signature": sign(secret, &payload)}})
}

#[tokio::test]
async fn execution_reports_follow_every_order_change() {
    let sim = spawn(&[]).await;
    let mut ws = sim.ws("/ws-api/v3").await;
    send_json(&mut ws, json!({"id": "p", "method": "ping"})).await;
    let pong = next_json(&mut ws).await;
    assert_eq!((pong["id"].as_str(), pong["status"].as_i64(), &pong["result"]), (Some("p"), Some(200), &json!({})));
    send_json(&mut ws, json!({"id": 1, "method": "time"})).await;
    assert!(next_json(&mut ws).await["result"]["serverTime"].is_i64());

    send_json(&mut ws, subscribe_request(2, "wrong", now_ms())).await;
    let bad = next_json(&mut ws).await;
    assert_eq!((bad["status"].as_i64(), bad["error"]["code"].as_i64()), (Some(400), Some(-1022)));
    send_json(&mut ws, subscribe_request(3, SECRET, now_ms() - 60_000)).await;
    assert_eq!(next_json(&mut ws).await["error"]["code"], -1021);
    send_json(&mut ws, subscribe_request(4, SECRET, now_ms())).await;
    let ok = next_json(&mut ws).await;
    assert_eq!(ok["result"], json!({"subscriptionId": 0}), "{ok}");

    sim.price("BTCUSDT", "100000.00").await;
    let placed = sim.limit("BUY", "99000.00", "0.01000", "ws-1").await;
    let id = placed.body["orderId"].as_u64();
    let new = next_json(&mut ws).await;
    assert_eq!(new["subscriptionId"], 0);
    let e = &new["event"];
    assert_eq!(
        (e["e"].as_str(), e["x"].as_str(), e["X"].as_str(), e["c"].as_str()),
        (Some("executionReport"), Some("NEW"), Some("NEW"), Some("ws-1"))
    );
    assert_eq!(
        (e["i"].as_u64(), e["S"].as_str(), e["o"].as_str(), e["t"].as_i64()),
        (id, Some("BUY"), Some("LIMIT"), Some(-1))
    );
    assert_eq!((e["p"].as_str(), e["q"].as_str()), (Some("99000.00000000"), Some("0.01000000")));
    let pos = next_json(&mut ws).await;
    assert_eq!(pos["event"]["e"], "outboundAccountPosition");
    let usdt =
        pos["event"]["B"].as_array().into_iter().flatten().find(|b| b["a"] == "USDT").cloned().unwrap_or_default();
    assert_eq!((usdt["f"].as_str(), usdt["l"].as_str()), (Some("9010.00000000"), Some("990.00000000")));

    sim.price("BTCUSDT", "98000.00").await;
    let fill = next_json(&mut ws).await;
    let e = &fill["event"];
    assert_eq!(
        (e["x"].as_str(), e["X"].as_str(), e["l"].as_str(), e["L"].as_str()),
        (Some("TRADE"), Some("FILLED"), Some("0.01000000"), Some("99000.00000000"))
    );
    assert_eq!(
        (e["z"].as_str(), e["Z"].as_str(), e["n"].as_str(), e["N"].as_str()),
        (Some("0.01000000"), Some("990.00000000"), Some("0.00001000"), Some("BTC"))
    );
    assert!(e["t"].as_i64().unwrap_or(-1) > 0);
    assert_eq!(next_json(&mut ws).await["event"]["e"], "outboundAccountPosition");

    sim.limit("SELL", "105000.00", "0.00500", "ws-2").await;
    next_json(&mut ws).await;
    next_json(&mut ws).await;
    sim.signed(reqwest::Method::DELETE, "/api/v3/order", &[("symbol", "BTCUSDT"), ("origClientOrderId", "ws-2")]).await;
    let cancel = next_json(&mut ws).await;
    assert_eq!((cancel["event"]["x"].as_str(), cancel["event"]["C"].as_str()), (Some("CANCELED"), Some("ws-2")));
}
