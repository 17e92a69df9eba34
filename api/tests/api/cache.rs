//! The bot cache behind `GET /api/bots/{id}` and its stats: with an hour-long TTL, only a bot's events and writes
//! through the API can refresh what these reads return — so each refresh seen here is one of those.

use std::{sync::Arc, time::Duration};

use gridbot_api::bot_cache::BotCache;
use gridbot_core::BotId;
use gridbot_platform::{BotChange, Event, db::types::BotStatus};
use serde_json::json;

use crate::both;
use crate::fixtures::{config, fake_run};
use crate::harness::{Backend, Customize, Options, TestApp, spawn_app_with};

both!(reads_follow_events_and_writes);

async fn status(app: &TestApp, id: i64, token: &str) -> String {
    app.get(&format!("/api/bots/{id}"), token).await.body["status"].as_str().unwrap().to_owned()
}

/// Reads `path` until `done`, for up to 10 s (the TTL is an hour: a stale entry would never turn).
async fn turns(app: &TestApp, path: &str, token: &str, done: impl Fn(&serde_json::Value) -> bool) {
    for _ in 0..200 {
        if done(&app.get(path, token).await.body) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path} never changed");
}

async fn reads_follow_events_and_writes(backend: Backend) {
    let customize: Customize = Arc::new(|mut ctx| {
        ctx.bots = Arc::new(BotCache::with_ttl(Duration::from_secs(3600)));
        ctx
    });
    let app = spawn_app_with(backend, Options { customize: Some(customize), ..Options::default() }).await;
    let (_, token) = app.signup("cache@b.co").await;
    let body = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": config("500")});
    let id = app.post("/api/bots", Some(&token), body).await.body["id"].as_i64().unwrap();
    assert_eq!(status(&app, id, &token).await, "stopped");

    // Written behind the API's back with no event: the cached row is still served.
    let bots = app.db.bots();
    assert!(bots.transition(BotId(id), &[BotStatus::Stopped], BotStatus::Error, Some("test")).await.unwrap());
    assert_eq!(status(&app, id, &token).await, "stopped", "the row should come from the cache");

    // The bot's event drops it.
    app.rt.events.publish(Event::Bot { bot_id: gridbot_core::BotId(id), change: BotChange::Status }).await;
    turns(&app, &format!("/api/bots/{id}"), &token, |b| b["status"] == "error").await;

    // A write through the API is read back at once.
    let mut changed = config("500");
    changed["grid_levels"] = json!(12);
    let r = app.put(&format!("/api/bots/{id}"), &token, json!({"config": changed})).await;
    assert_eq!(r.status, reqwest::StatusCode::OK, "{}", r.text);
    assert_eq!(app.get(&format!("/api/bots/{id}"), &token).await.body["config"]["grid_levels"], 12);

    // The stats' book likewise: a run written behind the API's back shows after its fill event.
    let stats = format!("/api/bots/{id}/stats");
    assert_eq!(app.get(&stats, &token).await.body["orders_filled"], 0);
    fake_run(&app.db, BotId(id), None).await;
    assert_eq!(app.get(&stats, &token).await.body["orders_filled"], 0, "the book should come from the cache");
    app.rt.events.publish(Event::Bot { bot_id: gridbot_core::BotId(id), change: BotChange::Fill }).await;
    turns(&app, &stats, &token, |s| s["orders_filled"] == 2).await;
    app.finish().await;
}
