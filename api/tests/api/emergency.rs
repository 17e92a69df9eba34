//! The emergency stop with no worker running: a live bot's grid is placed at the simulator by a real worker, the
//! worker stops, and `POST /api/emergency-stop` alone cancels every order at the exchange. The keys used stay out of
//! every response and every log line.

use std::time::Duration;

use gridbot_core::{Decimal, Symbol};
use gridbot_exchange::{
    Exchange,
    binance::{Binance, Credentials, Endpoints},
};
use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::harness::{Backend, Options, SIM_KEY, SIM_SECRET, logs, spawn_app_with};

both!(emergency_stop_cancels_at_the_exchange_without_workers);

async fn emergency_stop_cancels_at_the_exchange_without_workers(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, local_queue: true, ..Options::default() }).await;
    let sim = app.sim.as_ref().unwrap();
    let account = Binance::new(
        Endpoints::single_host(&sim.rest_url, &sim.ws_url, &sim.ws_api_url),
        Some(Credentials::new(SIM_KEY, SIM_SECRET)),
    )
    .unwrap();
    let symbol: Symbol = "BTCUSDT".parse().unwrap();
    let (_, token) = app.signup("a@b.co").await;
    let keys = app.put("/api/account/api-keys", &token, json!({"api_key": SIM_KEY, "api_secret": SIM_SECRET})).await;
    assert_eq!(keys.status, StatusCode::OK, "{}", keys.text);

    let price: Decimal =
        app.get("/api/market/price/BTCUSDT", &token).await.body["price"].as_str().unwrap().parse().unwrap();
    let (lower, upper) = ((price * Decimal::new(95, 2)).floor(), (price * Decimal::new(105, 2)).floor());
    let config = json!({"capital": "2000", "lower_bound": lower.to_string(), "upper_bound": upper.to_string(),
                        "grid_levels": 10, "spacing": "arithmetic", "stop_loss_pct": null, "take_profit_pct": null,
                        "max_daily_loss": null});
    let created = app
        .post(
            "/api/bots",
            Some(&token),
            json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "live", "config": config}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_i64().unwrap();
    let start = app.post(&format!("/api/bots/{id}/start"), Some(&token), json!({"confirm_live": true})).await;
    assert_eq!(start.status, StatusCode::ACCEPTED, "{}", start.text);

    // A worker places the grid at the simulator, then goes away.
    let worker = app.worker();
    app.wait_for(&format!("/api/bots/{id}"), &token, |b| b["status"] == "running" || b["status"] == "error").await;
    worker.stop().await;
    let bot = app.get(&format!("/api/bots/{id}"), &token).await;
    assert_eq!(bot.body["status"], "running", "{}", bot.text);
    let resting = account.open_orders(&symbol).await.unwrap();
    assert_eq!(resting.len(), 9, "a buy or a sell on every level but one: {resting:?}");
    let stats = app.get(&format!("/api/bots/{id}/stats"), &token).await;
    assert_eq!(stats.body["open_orders"], 9, "{}", stats.text);

    let r = app.post("/api/emergency-stop", Some(&token), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["stopped_bots"], json!([id]), "{}", r.text);
    assert_eq!(r.body["failures"], json!([]), "{}", r.text);
    let cancelled = r.body["cancelled_orders"].as_array().unwrap();
    assert_eq!(cancelled.len(), 9, "{}", r.text);
    for c in cancelled {
        assert_eq!(c["bot_id"], id);
        assert!(["buy", "sell"].contains(&c["side"].as_str().unwrap()), "{c}");
        assert!(c["price"].as_str().unwrap().parse::<Decimal>().is_ok(), "{c}");
    }
    let left = account.open_orders(&symbol).await.unwrap();
    assert!(left.is_empty(), "the simulator still has open orders: {left:?}");
    let bot = app.get(&format!("/api/bots/{id}"), &token).await;
    assert_eq!(
        (bot.body["status"].as_str(), bot.body["stop_reason"].as_str()),
        (Some("stopped"), Some("emergency stop"))
    );
    let open = app.get(&format!("/api/orders?bot_id={id}&status=new,open,partially_filled"), &token).await;
    assert_eq!(open.body, json!([]), "{}", open.text);

    for reply in [&keys, &start, &bot, &r, &stats] {
        assert!(!reply.text.contains(SIM_KEY) && !reply.text.contains(SIM_SECRET), "{}", reply.text);
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    app.finish().await;
    let text = logs().text();
    assert!(text.contains("emergency stop"), "the logs were captured");
    assert!(
        !text.contains(SIM_KEY) && !text.contains(SIM_SECRET) && !text.contains(&SIM_SECRET[..20]),
        "a key was logged"
    );
}
