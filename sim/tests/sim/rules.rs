//! Binance's 2026 rules: symbol status (`HALT`, `BREAK`, `CANCEL_ONLY`, … refuse new orders), the Price Range
//! Execution Rule (orders expire with `expiryReason` / `eR` = `EXECUTION_RULE_PRICE_RANGE_EXCEEDED`) and the
//! `serverShutdown` event on market streams and the WebSocket API.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

const BTC: (&str, &str) = ("symbol", "BTCUSDT");

async fn status_of(sim: &TestSim) -> Value {
    sim.get("/api/v3/exchangeInfo?symbol=BTCUSDT").await.body["symbols"][0]["status"].clone()
}

#[tokio::test]
async fn a_symbol_off_trading_refuses_new_orders_but_cancels_work() {
    let sim = spawn(&[]).await;
    sim.price("BTCUSDT", "100000.00").await;
    assert_eq!(status_of(&sim).await, "TRADING");
    let resting = sim.limit("BUY", "99000.00", "0.01000", "keep-1").await;
    assert_eq!(resting.status, 200, "{}", resting.body);

    for status in ["HALT", "BREAK", "END_OF_DAY", "CANCEL_ONLY"] {
        let s = sim.control("/sim/symbol-status", json!({"symbol": "BTCUSDT", "status": status})).await;
        assert_eq!(s["status"], status);
        assert_eq!(status_of(&sim).await, status);
        let refused = sim.limit("BUY", "98000.00", "0.01000", "new-1").await;
        assert_eq!((refused.code(), refused.body["msg"].as_str()), (-2010, Some("Market is closed.")), "{status}");
    }
    // While the market is closed nothing trades against the book.
    sim.price("BTCUSDT", "98500.00").await;
    let q = sim.signed(Method::GET, "/api/v3/order", &[BTC, ("origClientOrderId", "keep-1")]).await;
    assert_eq!(q.body["status"], "NEW");
    let c = sim.signed(Method::DELETE, "/api/v3/order", &[BTC, ("origClientOrderId", "keep-1")]).await;
    assert_eq!(c.body["status"], "CANCELED", "{}", c.body);

    sim.control("/sim/symbol-status", json!({"symbol": "BTCUSDT", "status": "TRADING"})).await;
    assert_eq!(sim.limit("BUY", "98000.00", "0.01000", "new-2").await.status, 200);
    let bad = sim.http.post(sim.url("/sim/symbol-status")).json(&json!({"symbol": "BTCUSDT", "status": "NAP"}));
    assert_eq!(bad.send().await.expect("request").status(), 422);
}

#[tokio::test]
async fn resting_orders_outside_a_band_expire_with_the_price_range_reason() {
    let sim = spawn(&[]).await;
    sim.price("BTCUSDT", "100000.00").await;
    let mut ws = sim.ws("/ws-api/v3").await;
    let ts = now_ms();
    let payload = format!("apiKey={KEY}&timestamp={ts}");
    send_json(
        &mut ws,
        json!({"id": 1, "method": "userDataStream.subscribe.signature",
        "params": {"apiKey": KEY, "timestamp": ts, "signature": sign(SECRET, &payload)}}),
    )
    .await;
    assert_eq!(next_json(&mut ws).await["status"], 200);
    sim.limit("BUY", "90000.00", "0.01000", "far-1").await;
    sim.limit("BUY", "99000.00", "0.01000", "near-1").await;

    let out = sim.control("/sim/expire-outside", json!({"symbol": "BTCUSDT", "low": "95000", "high": "105000"})).await;
    assert_eq!(out["expired"], json!(["far-1"]));
    let far = sim.signed(Method::GET, "/api/v3/order", &[BTC, ("origClientOrderId", "far-1")]).await;
    assert_eq!(
        (far.body["status"].as_str(), far.body["expiryReason"].as_str()),
        (Some("EXPIRED"), Some("EXECUTION_RULE_PRICE_RANGE_EXCEEDED"))
    );
    let near = sim.signed(Method::GET, "/api/v3/order", &[BTC, ("origClientOrderId", "near-1")]).await;
    assert_eq!((near.body["status"].as_str(), near.body.get("expiryReason")), (Some("NEW"), None));
    assert_eq!(sim.balance("USDT").await.1, "990.00000000", "the expired order's lock is released");
    let report = loop {
        let v = next_json(&mut ws).await;
        if v["event"]["x"] == "EXPIRED" {
            break v;
        }
    };
    let e = &report["event"];
    assert_eq!(
        (e["c"].as_str(), e["X"].as_str(), e["eR"].as_str()),
        (Some("far-1"), Some("EXPIRED"), Some("EXECUTION_RULE_PRICE_RANGE_EXCEEDED"))
    );
}

#[tokio::test]
async fn a_taker_outside_the_execution_rule_band_expires_instead_of_filling() {
    let sim = spawn(&[]).await;
    sim.price("BTCUSDT", "100000.00").await;
    let rule = json!({"symbol": "BTCUSDT", "reference_price": "90000", "band_pct": "5"});
    let r = sim.control("/sim/execution-rule", rule).await;
    assert_eq!(r["reference_price"], "90000");
    let rules = sim.get("/api/v3/executionRules?symbol=BTCUSDT").await.body;
    assert_eq!(rules["symbolRules"][0]["rules"][0]["ruleType"], "PRICE_RANGE", "{rules}");
    let reference = sim.get("/api/v3/referencePrice?symbol=BTCUSDT").await.body;
    assert_eq!(reference["referencePrice"], "90000.00000000", "{reference}");

    // A buy crossing the last price (100000) would trade there: more than 5 % above the reference price.
    let taker = sim.limit("BUY", "100100.00", "0.01000", "taker-1").await;
    assert_eq!(taker.status, 200, "{}", taker.body);
    assert_eq!(
        (taker.body["status"].as_str(), taker.body["executedQty"].as_str(), taker.body["expiryReason"].as_str()),
        (Some("EXPIRED"), Some("0.00000000"), Some("EXECUTION_RULE_PRICE_RANGE_EXCEEDED"))
    );
    assert_eq!(sim.balance("USDT").await, ("10000.00000000".into(), "0.00000000".into()));
    // A maker resting away from the price is not touched by the rule.
    assert_eq!(sim.limit("BUY", "99000.00", "0.01000", "maker-1").await.body["status"], "NEW");

    sim.control("/sim/execution-rule", json!({"symbol": "BTCUSDT", "band_pct": null})).await;
    let taker = sim.limit("BUY", "100100.00", "0.01000", "taker-2").await;
    assert_eq!(taker.body["status"], "FILLED", "{}", taker.body);
}

#[tokio::test]
async fn server_shutdown_is_announced_on_every_websocket_before_it_closes() {
    let sim = spawn(&[]).await;
    let mut raw = sim.ws("/ws/btcusdt@trade").await;
    let mut combined = sim.ws("/stream?streams=btcusdt@trade").await;
    let mut api = sim.ws("/ws-api/v3").await;
    let started = Instant::now();
    let r = sim.control("/sim/server-shutdown", json!({"close_after_ms": 600})).await;
    assert_eq!(r["close_after_ms"], 600);

    let e = next_json(&mut raw).await;
    assert_eq!(e["e"], "serverShutdown", "{e}");
    assert!(e["E"].is_i64());
    let c = next_json(&mut combined).await;
    assert_eq!((c["stream"].as_str(), c["data"]["e"].as_str()), (Some("!serverShutdown"), Some("serverShutdown")));
    let a = next_json(&mut api).await;
    assert_eq!(a["event"]["e"], "serverShutdown", "{a}");
    assert!(started.elapsed() < Duration::from_millis(600), "announced before the close");
    for ws in [&mut raw, &mut combined, &mut api] {
        assert!(ends_within(ws, 3).await);
    }
    assert!(started.elapsed() >= Duration::from_millis(550), "closed only after close_after_ms");
    // New connections work at once.
    let mut again = sim.ws("/ws/btcusdt@trade").await;
    sim.price("BTCUSDT", "100000.00").await;
    assert_eq!(next_json(&mut again).await["e"], "trade");
}
