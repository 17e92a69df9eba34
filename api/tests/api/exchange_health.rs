//! `GET /api/exchange/health`: the exchange's clock offset and request weight as the client last saw them, each of
//! the caller's symbols' stream as the scheduler's saved mark and recorded candles show it, and each bot's last
//! exchange error with Binance's code — here a live grid larger than the simulator account, refused with -2010 by
//! the simulator and recorded by the worker. Another user sees none of it; the exchange down is a 200 that says so.

use gridbot_core::{Candle, Decimal, Symbol};
use gridbot_platform::db::types::MarketMark;
use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::harness::{Backend, Options, SIM_KEY, SIM_SECRET, spawn_app, spawn_app_with};

both!(health_says_why_no_orders, health_with_the_exchange_down);

async fn health_says_why_no_orders(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, local_queue: true, ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;
    let keys = app.put("/api/account/api-keys", &token, json!({"api_key": SIM_KEY, "api_secret": SIM_SECRET})).await;
    assert_eq!(keys.status, StatusCode::OK, "{}", keys.text);
    let price: Decimal =
        app.get("/api/market/price/BTCUSDT", &token).await.body["price"].as_str().unwrap().parse().unwrap();
    let (lower, upper) = ((price * Decimal::new(95, 2)).floor(), (price * Decimal::new(105, 2)).floor());
    // The simulator's account holds 100,000 USDT: a grid of 5,000,000 cannot buy its lots.
    let config = json!({"capital": "5000000", "lower_bound": lower.to_string(), "upper_bound": upper.to_string(),
                        "grid_levels": 10, "spacing": "arithmetic", "stop_loss_pct": null, "take_profit_pct": null,
                        "max_daily_loss": null});
    let bot = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "live", "config": config});
    let id = app.post("/api/bots", Some(&token), bot).await.body["id"].as_i64().unwrap();

    let before = app.get("/api/exchange/health", &token).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text);
    let b = &before.body;
    assert_eq!((b["market"].as_str(), b["exchange"]["reachable"].as_bool()), (Some("binance"), Some(true)), "{b}");
    // The simulator's clock is ours: the offset is the measurement's error only; the ping and the time request
    // were counted (the simulator's limit is Binance's 6000).
    assert!(b["exchange"]["clock_offset_ms"].as_i64().unwrap().abs() < 1000, "{b}");
    assert_eq!(b["exchange"]["clock_warning"], false);
    assert!(b["exchange"]["weight_used"].as_u64().unwrap() >= 1, "{b}");
    assert_eq!(b["exchange"]["weight_limit"], 6000, "{b}");
    let stream = &b["streams"][0];
    assert_eq!((stream["symbol"].as_str(), stream["streamed"].as_bool()), (Some("BTCUSDT"), Some(false)), "{b}");
    assert!(stream["last_trade_age_ms"].is_null() && !stream["stale"].as_bool().unwrap(), "no stream yet: {b}");
    assert_eq!(
        b["bots"],
        json!([{"bot_id": id, "pair": "BTC/USDT", "mode": "live", "status": "stopped",
        "reason": null, "last_error": null}])
    );

    let start = app.post(&format!("/api/bots/{id}/start"), Some(&token), json!({"confirm_live": true})).await;
    assert_eq!(start.status, StatusCode::ACCEPTED, "{}", start.text);
    let worker = app.worker();
    let failed =
        app.wait_for("/api/exchange/health", &token, |b| b["bots"][0]["last_error"]["code"].as_i64().is_some()).await;
    worker.stop().await;
    let error = &failed["bots"][0]["last_error"];
    assert_eq!(error["code"], -2010, "{failed}");
    assert!(error["message"].as_str().unwrap().contains("insufficient balance"), "{failed}");
    assert!(error["age_ms"].as_i64().unwrap() >= 0, "{failed}");

    // The scheduler saved its mark and recorded a candle: the stream's last message is that trade.
    let symbol: Symbol = "BTCUSDT".parse().unwrap();
    let minute = chrono::Utc::now().timestamp_millis() / 60_000 * 60_000;
    let mark = MarketMark { trade_id: 4242, time: minute + 30_000, price: Decimal::new(1_000_055, 1) };
    app.db.market_marks().set(&symbol, &mark).await.unwrap();
    let p = Decimal::from(100_000);
    let candle = Candle { open_time: minute - 60_000, open: p, high: p, low: p, close: p, volume: Decimal::ONE };
    app.db.prices().upsert(&symbol, &[candle]).await.unwrap();
    let b = app.get("/api/exchange/health", &token).await.body;
    let stream = &b["streams"][0];
    assert_eq!(stream["last_trade_id"], 4242, "{b}");
    assert_eq!(
        (stream["last_trade_time"].as_i64(), stream["last_trade_price"].as_str()),
        (Some(minute + 30_000), Some("100005.5"))
    );
    assert_eq!(
        (stream["last_candle_time"].as_i64(), stream["candle_lag_ms"].as_i64()),
        (Some(minute - 60_000), Some(0))
    );
    let age = stream["last_trade_age_ms"].as_i64().unwrap();
    assert!((0..60_000).contains(&age), "saved just now: {b}");
    if stream["streamed"] == true {
        assert_eq!(stream["stale"], false, "{b}");
    }

    let (_, eve) = app.signup("eve@b.co").await;
    let other = app.get("/api/exchange/health", &eve).await.body;
    assert_eq!((other["streams"].clone(), other["bots"].clone()), (json!([]), json!([])), "{other}");
    app.finish().await;
}

async fn health_with_the_exchange_down(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let r = app.get("/api/exchange/health", &token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["exchange"]["reachable"], false, "{}", r.text);
    assert!(r.body["exchange"]["error"].is_string(), "{}", r.text);
    let anonymous = app.call(reqwest::Method::GET, "/api/exchange/health", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    app.finish().await;
}
