//! `GET /api/bots/{id}/stats`: before any run (zeros, the planned grid at the simulator's price, or empty levels with
//! the exchange down) and after one (the engine's figures at the market price).

use chrono::{Duration, Utc};
use gridbot_api::returns::returns;
use gridbot_core::{BotId, Decimal};
use gridbot_platform::{BotChange, Event, book::RunState, db::types::BotStatus};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::fixtures::{config, fake_run};
use crate::harness::{Backend, Options, spawn_app, spawn_app_with};

both!(
    stats_before_any_run,
    stats_of_a_run,
    stats_without_the_exchange,
    returns_of_a_run,
    returns_before_a_mean_reversion_run,
    returns_of_a_mean_reversion_run,
);

fn d(v: &Value) -> Decimal {
    v.as_str().unwrap_or_else(|| panic!("not a decimal string: {v}")).parse().unwrap()
}

/// A config bracketing `price` by 5 % each side.
fn around(price: Decimal) -> Value {
    let mut c = config("500");
    c["lower_bound"] = json!((price * Decimal::new(95, 2)).floor().to_string());
    c["upper_bound"] = json!((price * Decimal::new(105, 2)).floor().to_string());
    c
}

async fn stats_before_any_run(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;
    let price = d(&app.get("/api/market/price/BTCUSDT", &token).await.body["price"]);
    let body = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": around(price)});
    let id = app.post("/api/bots", Some(&token), body).await.body["id"].as_i64().unwrap();
    let r = app.get(&format!("/api/bots/{id}/stats"), &token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let s = &r.body;
    for k in
        ["realized_pnl", "unrealized_pnl", "fees_paid", "max_drawdown", "pnl_today", "grid_profit", "inventory_pnl"]
    {
        assert_eq!(s[k], "0", "{k}: {}", r.text);
    }
    assert_eq!((s["orders_filled"].as_u64(), s["round_trips"].as_u64()), (Some(0), Some(0)));
    assert_eq!((s["open_orders"].as_u64(), s["total_orders"].as_u64()), (Some(0), Some(0)));
    assert_eq!((s["win_rate"].clone(), s["avg_profit"].clone()), (Value::Null, Value::Null));
    assert_eq!(s["equity"], "10000");
    assert_eq!(d(&s["last_price"]), price);
    assert!(d(&s["qty_per_level"]) > Decimal::ZERO, "{}", r.text);
    let levels = s["levels"].as_array().unwrap();
    assert_eq!(levels.len(), 20);
    let states: Vec<&str> = levels.iter().map(|l| l["state"].as_str().unwrap()).collect();
    assert_eq!(states.iter().filter(|s| **s == "empty").count(), 1, "{states:?}");
    assert!(states.iter().all(|s| ["buy", "sell", "empty"].contains(s)));
    assert_eq!(levels[0]["index"], 0);
    assert_eq!(d(&levels[0]["price"]), d(&around(price)["lower_bound"]));
    assert_eq!(d(&s["stop_loss_price"]), d(&around(price)["lower_bound"]) * Decimal::new(98, 2));
    assert_eq!(s["take_profit_price"], Value::Null);
    for k in ["started_at", "running_secs", "total_pnl_pct", "grid_apr", "total_apr"] {
        assert_eq!(s[k], Value::Null, "{k} before any run: {}", r.text);
    }
    assert_eq!((s["total_pnl"].clone(), s["round_trips_24h"].as_u64()), (json!("0"), Some(0)));

    // A grid the price is outside of: levels, all empty, and no quantity.
    let far = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": config("500")});
    let mut far = far;
    far["config"]["lower_bound"] = json!((price * Decimal::TWO).to_string());
    far["config"]["upper_bound"] = json!((price * Decimal::from(3)).to_string());
    let far_id = app.post("/api/bots", Some(&token), far).await.body["id"].as_i64().unwrap();
    let r = app.get(&format!("/api/bots/{far_id}/stats"), &token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["qty_per_level"], "0");
    let levels = r.body["levels"].as_array().unwrap();
    assert!(levels.len() == 20 && levels.iter().all(|l| l["state"] == "empty"), "{}", r.text);

    let (_, eve) = app.signup("eve@b.co").await;
    for path in [format!("/api/bots/{id}/stats"), "/api/bots/0/stats".into(), "/api/bots/x/stats".into()] {
        let r = app.get(&path, &eve).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"), "{path}: {}", r.text);
    }
    app.finish().await;
}

async fn stats_of_a_run(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;
    let body = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": config("500")});
    let id = app.post("/api/bots", Some(&token), body).await.body["id"].as_i64().unwrap();
    let run = fake_run(&app.db, BotId(id), None).await;
    let price = d(&app.get("/api/market/price/BTCUSDT", &token).await.body["price"]);
    let want = run.engine.summary(price);

    let r = app.get(&format!("/api/bots/{id}/stats"), &token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let s = &r.body;
    assert_eq!(d(&s["realized_pnl"]), want.realized_pnl);
    assert_eq!(d(&s["realized_pnl"]), run.realized);
    assert_eq!(d(&s["grid_profit"]), want.realized_pnl);
    assert_eq!(d(&s["unrealized_pnl"]), want.unrealized_pnl);
    assert_eq!(d(&s["inventory_pnl"]), want.unrealized_pnl);
    assert_eq!(d(&s["fees_paid"]), want.fees_paid);
    assert_eq!(d(&s["equity"]), want.final_equity);
    assert_eq!((s["orders_filled"].as_u64(), s["round_trips"].as_u64()), (Some(2), Some(1)));
    assert_eq!(s["win_rate"], "1");
    assert_eq!(d(&s["avg_profit"]), run.realized);
    assert_eq!(d(&s["pnl_today"]), run.realized + want.unrealized_pnl);
    assert_eq!(d(&s["last_price"]), price);
    assert_eq!(d(&s["qty_per_level"]), run.engine.plan().qty);
    assert_eq!(
        (s["open_orders"].as_u64(), s["total_orders"].as_u64()),
        (Some(2), Some(19)),
        "n of the grid's N = 20 - 1"
    );
    assert_eq!(s["stop_loss_price"], "93100");
    let levels = s["levels"].as_array().unwrap();
    assert_eq!(levels.len(), 20);
    assert_eq!(levels[9], json!({"index": 9, "price": "99736.84", "state": "empty"}));
    assert_eq!(levels[8]["state"], "buy");
    assert_eq!(levels[10]["state"], "sell");
    app.finish().await;
}

async fn stats_without_the_exchange(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let body = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": config("500")});
    let id = app.post("/api/bots", Some(&token), body).await.body["id"].as_i64().unwrap();
    let r = app.get(&format!("/api/bots/{id}/stats"), &token).await;
    assert_eq!(r.status, StatusCode::OK, "never a 5xx: {}", r.text);
    assert_eq!((r.body["last_price"].clone(), r.body["levels"].clone()), (Value::Null, json!([])));
    let run = fake_run(&app.db, BotId(id), None).await;
    // A worker publishes its fills after writing them: the cached stats follow.
    app.rt.events.publish(Event::Bot { bot_id: gridbot_core::BotId(id), change: BotChange::Fill }).await;
    let body = app.wait_for(&format!("/api/bots/{id}/stats"), &token, |s| s["orders_filled"] == 2).await;
    assert_eq!(body["last_price"], Value::Null);
    // Valued at the last fill's price instead.
    let mark = run.sell.price.get();
    assert_eq!(d(&body["unrealized_pnl"]), run.engine.summary(mark).unrealized_pnl);
    app.finish().await;
}

/// A run started two days ago: its start, running time (to the stop once stopped), total P&L and APRs; the round
/// trip of the last 24 hours.
async fn returns_of_a_run(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;
    let body = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": config("500")});
    let id = app.post("/api/bots", Some(&token), body).await.body["id"].as_i64().unwrap();
    let bot = BotId(id);
    fake_run(&app.db, bot, None).await;
    let mut run = RunState::from_bot(&app.db.bots().get(bot).await.unwrap()).unwrap().unwrap();
    run.started_at = Utc::now() - Duration::days(2);
    app.db.bots().set_run_state(bot, &run).await.unwrap();
    let running = [BotStatus::Running];
    assert!(app.db.bots().transition(bot, &[BotStatus::Stopped], BotStatus::Running, None).await.unwrap());
    app.rt.events.publish(Event::Bot { bot_id: bot, change: BotChange::Status }).await;

    let s =
        app.wait_for(&format!("/api/bots/{id}/stats"), &token, |s| s["running_secs"].as_i64() > Some(100_000)).await;
    let secs = s["running_secs"].as_i64().unwrap();
    assert!((172_800..172_900).contains(&secs), "{s}");
    let started: chrono::DateTime<Utc> = serde_json::from_value(s["started_at"].clone()).unwrap();
    assert_eq!(started, run.started_at);
    let (realized, unrealized) = (d(&s["realized_pnl"]), d(&s["unrealized_pnl"]));
    assert!(realized > Decimal::ZERO);
    assert_eq!(d(&s["total_pnl"]), realized + unrealized);
    let want = returns(realized, unrealized, Some(Decimal::from(10_000)), Some(secs));
    assert_eq!(d(&s["total_pnl_pct"]), ((realized + unrealized) / Decimal::from(10_000)).round_dp(8));
    assert_eq!(d(&s["grid_apr"]), want.grid_apr.unwrap());
    assert_eq!(d(&s["total_apr"]), want.total_apr.unwrap());
    // About 0.00x a day on 10,000: hundreds of percent a year, as a fraction.
    assert!(d(&s["grid_apr"]) > Decimal::ZERO, "{s}");
    assert_eq!(s["round_trips_24h"], 1);

    // Stopped: the running time ends at the stop.
    assert!(app.db.bots().transition(bot, &running, BotStatus::Stopped, None).await.unwrap());
    let stopped_at = app.db.bots().get(bot).await.unwrap().updated_at;
    app.rt.events.publish(Event::Bot { bot_id: bot, change: BotChange::Status }).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let secs = (stopped_at - run.started_at).num_seconds();
    let s = app.wait_for(&format!("/api/bots/{id}/stats"), &token, |s| s["running_secs"].as_i64() == Some(secs)).await;
    assert_eq!(s["running_secs"].as_i64(), Some(secs), "{s}");
    let want = returns(realized, unrealized, Some(Decimal::from(10_000)), Some(secs));
    assert_eq!(d(&s["grid_apr"]), want.grid_apr.unwrap());
    app.finish().await;
}

/// A mean-reversion bot before its first run: nulls, never a 5xx.
async fn returns_before_a_mean_reversion_run(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;
    let config = json!({"capital": "1000", "window": 20, "band": "2", "stop_loss_pct": null, "fee_rate": "0.001",
                        "fee_asset": "base"});
    let body = json!({"strategy": "mean_reversion", "pair": "BTC/USDT", "mode": "paper", "config": config});
    let r = app.post("/api/bots", Some(&token), body).await;
    let id = r.body["id"].as_i64().unwrap_or_else(|| panic!("{}", r.text));
    let r = app.get(&format!("/api/bots/{id}/stats"), &token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    for k in ["started_at", "running_secs", "total_pnl_pct", "grid_apr", "total_apr"] {
        assert_eq!(r.body[k], Value::Null, "{k}: {}", r.text);
    }
    assert_eq!((r.body["total_pnl"].clone(), r.body["round_trips_24h"].as_u64()), (json!("0"), Some(0)));
    app.finish().await;
}

/// A mean-reversion bot started by a worker, then stopped: its run's start and running time (fixed at the stop), a
/// total P&L of 0 and no APR under a minute.
async fn returns_of_a_mean_reversion_run(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, local_queue: true, ..Options::default() }).await;
    let worker = app.worker();
    let (_, token) = app.signup("a@b.co").await;
    let config = json!({"capital": "1000", "window": 20, "band": "2", "stop_loss_pct": null, "fee_rate": "0.001",
                        "fee_asset": "base"});
    let body = json!({"strategy": "mean_reversion", "pair": "BTC/USDT", "mode": "paper", "config": config});
    let id = app.post("/api/bots", Some(&token), body).await.body["id"].as_i64().unwrap();
    let r = app.post(&format!("/api/bots/{id}/start"), Some(&token), json!({})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let s = app.wait_for(&format!("/api/bots/{id}/stats"), &token, |s| !s["started_at"].is_null()).await;
    assert!(s["running_secs"].as_i64().is_some_and(|r| (0..60).contains(&r)), "{s}");
    assert_eq!((s["total_pnl"].clone(), s["total_pnl_pct"].clone()), (json!("0"), json!("0")), "{s}");
    assert_eq!((s["grid_apr"].clone(), s["total_apr"].clone()), (Value::Null, Value::Null), "under a minute: {s}");

    let r = app.post(&format!("/api/bots/{id}/stop"), Some(&token), json!({})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    app.wait_for(&format!("/api/bots/{id}"), &token, |b| b["status"] == "stopped").await;
    let bot = app.db.bots().get(BotId(id)).await.unwrap();
    let run = RunState::from_bot(&bot).unwrap().unwrap();
    let secs = (bot.updated_at - run.started_at).num_seconds();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let s = app.wait_for(&format!("/api/bots/{id}/stats"), &token, |s| s["running_secs"].as_i64() == Some(secs)).await;
    assert_eq!(serde_json::from_value::<chrono::DateTime<Utc>>(s["started_at"].clone()).unwrap(), run.started_at);
    worker.stop().await;
    app.finish().await;
}
