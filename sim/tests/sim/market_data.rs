//! Public endpoints: ping, time, exchangeInfo, tickers, klines, depth; weight headers.

use crate::helpers::*;

#[tokio::test]
async fn public_endpoints_answer_like_binance() {
    let sim = spawn(&[]).await;
    let ping = sim.get("/api/v3/ping").await;
    assert_eq!(ping.body, serde_json::json!({}));
    assert_eq!(ping.header("x-mbx-used-weight-1m").as_deref(), Some("1"));
    let t = sim.get("/api/v3/time").await.body["serverTime"].as_i64().unwrap_or_default();
    assert!((t - now_ms()).abs() < 5_000);

    let info = sim.get("/api/v3/exchangeInfo?symbol=BTCUSDT").await;
    let used: u32 = info.header("x-mbx-used-weight-1m").and_then(|w| w.parse().ok()).unwrap_or_default();
    assert!((20..=22).contains(&used), "exchangeInfo weighs 20 (the minute may have turned): {used}");
    let s = &info.body["symbols"][0];
    assert_eq!(
        (s["symbol"].as_str(), s["baseAsset"].as_str(), s["quoteAsset"].as_str()),
        (Some("BTCUSDT"), Some("BTC"), Some("USDT"))
    );
    let filter = |t: &str| {
        s["filters"].as_array().into_iter().flatten().find(|f| f["filterType"] == t).cloned().unwrap_or_default()
    };
    assert_eq!(filter("PRICE_FILTER")["tickSize"], "0.01000000");
    assert_eq!(filter("LOT_SIZE")["stepSize"], "0.00001000");
    assert_eq!(filter("LOT_SIZE")["minQty"], "0.00001000");
    assert_eq!(filter("NOTIONAL")["minNotional"], "5.00000000");
    assert_eq!(filter("MAX_NUM_ORDERS")["maxNumOrders"], 200);
    assert_eq!(info.body["rateLimits"][0]["rateLimitType"], "REQUEST_WEIGHT");
    let all = sim.get("/api/v3/exchangeInfo").await.body;
    let eth =
        all["symbols"].as_array().into_iter().flatten().find(|s| s["symbol"] == "ETHUSDT").cloned().unwrap_or_default();
    assert_eq!(eth["filters"][1]["stepSize"], "0.00010000");
    assert_eq!(sim.get("/api/v3/exchangeInfo?symbol=NOPE").await.code(), -1121);

    sim.price("BTCUSDT", "101234.56").await;
    let p = sim.get("/api/v3/ticker/price?symbol=BTCUSDT").await.body;
    assert_eq!(p, serde_json::json!({"symbol": "BTCUSDT", "price": "101234.56000000"}));
    // BTCUSDT, ETHUSDT and BNBUSDT (which values commissions paid in BNB).
    assert_eq!(sim.get("/api/v3/ticker/price").await.body.as_array().map(Vec::len), Some(3));
    let t24 = sim.get("/api/v3/ticker/24hr?symbol=BTCUSDT").await.body;
    assert_eq!(t24["lastPrice"], "101234.56000000");
    for field in ["highPrice", "lowPrice", "volume", "quoteVolume", "priceChangePercent", "openPrice"] {
        assert!(t24[field].is_string(), "{field} in {t24}");
    }

    let k = sim.get("/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=3").await.body;
    let rows = k.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2][4], "101234.56000000");
    assert_eq!(rows[0].as_array().map(Vec::len), Some(12));
    assert_eq!(rows[0][6].as_i64(), rows[0][0].as_i64().map(|t| t + 59_999));
    let history = sim.get("/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1000").await.body;
    assert_eq!(history.as_array().map(Vec::len), Some(501), "500 candles of history and the live one");

    let d = sim.get("/api/v3/depth?symbol=BTCUSDT&limit=5").await.body;
    assert_eq!(d["bids"][0][0], "101234.56000000");
    assert_eq!(d["asks"][0][0], "101234.57000000");
    assert_eq!(d["bids"].as_array().map(Vec::len), Some(5));
    assert_eq!(sim.get("/api/v3/klines?symbol=BTCUSDT").await.code(), -1102);
}

#[tokio::test]
async fn the_random_walk_moves_at_the_chosen_speed() {
    let sim = spawn(&["--seed", "42"]).await;
    let before = sim.state().await["last_prices"]["BTCUSDT"].clone();
    sim.control("/sim/speed", serde_json::json!({"candles_per_second": 200})).await;
    sim.control("/sim/resume", serde_json::json!({})).await;
    let s = wait_state(&sim, |s| s["candles_played"].as_u64() >= Some(20)).await;
    assert_eq!(s["paused"], false);
    assert_eq!(s["done"], false);
    assert_eq!(s["mode"], "random_walk");
    assert_ne!(s["last_prices"]["BTCUSDT"], before);
    let s = sim.control("/sim/pause", serde_json::json!({})).await;
    assert_eq!(s["paused"], true);
    let price: f64 = s["last_prices"]["BTCUSDT"].as_str().unwrap_or("0").parse().unwrap_or(0.0);
    assert!((80_000.0..120_000.0).contains(&price), "{price}");
    let eth: f64 = s["last_prices"]["ETHUSDT"].as_str().unwrap_or("0").parse().unwrap_or(0.0);
    assert!((2_400.0..3_600.0).contains(&eth), "{eth}");
}
