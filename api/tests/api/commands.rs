//! Start and stop (202, a job each), the live refusals (422 `api_keys`, `confirm_live`), the daily loss refusal
//! (409, counting every run's fills of today), a start while running (409), bad bodies (422), and another user's bot
//! (404).

use gridbot_core::{BotId, Decimal};
use gridbot_platform::db::types::BotStatus;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::fixtures::{cancel_resting, config, fake_run};
use crate::harness::{Backend, Options, SIM_KEY, SIM_SECRET, spawn_app, spawn_app_with};

both!(
    start_and_stop_a_paper_bot,
    live_start_needs_keys_and_confirmation,
    daily_loss_refuses_a_start,
    daily_loss_counts_the_earlier_runs_of_today,
    commands_refuse_bad_input,
    a_failed_bot_with_live_orders_is_stopped_before_it_starts
);

fn bot(mode: &str, max_daily_loss: &str) -> Value {
    json!({"strategy": "grid", "pair": "BTC/USDT", "mode": mode, "config": config(max_daily_loss)})
}

async fn start_and_stop_a_paper_bot(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let id = app.post("/api/bots", Some(&token), bot("paper", "500")).await.body["id"].as_i64().unwrap();

    // No body at all is fine for a paper bot.
    let r = app.call(reqwest::Method::POST, &format!("/api/bots/{id}/start"), Some(&token), None).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!((r.body["id"].as_i64(), r.body["status"].as_str()), (Some(id), Some("starting")));
    assert_eq!(r.body["generation"], 1, "a start begins a new generation");

    let again = app.post(&format!("/api/bots/{id}/start"), Some(&token), json!({})).await;
    assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "conflict"), "{}", again.text);
    let put = app.put(&format!("/api/bots/{id}"), &token, json!({"mode": "live"})).await;
    assert_eq!(put.status, StatusCode::CONFLICT, "{}", put.text);

    let stop = app.post(&format!("/api/bots/{id}/stop"), Some(&token), json!({"sell": true})).await;
    assert_eq!(stop.status, StatusCode::ACCEPTED, "{}", stop.text);
    assert_eq!(stop.body["status"], "stopping");
    assert_eq!(stop.body["stop_reason"], "stopped by the user");

    // Stopping a stopped bot answers it as it is.
    app.db.bots().set_status(BotId(id), BotStatus::Stopped, None).await.unwrap();
    let idle = app.call(reqwest::Method::POST, &format!("/api/bots/{id}/stop"), Some(&token), None).await;
    assert_eq!((idle.status, idle.body["status"].as_str()), (StatusCode::ACCEPTED, Some("stopped")), "{}", idle.text);

    // Another user sees none of it.
    let (_, other) = app.signup("eve@b.co").await;
    for path in [format!("/api/bots/{id}/start"), format!("/api/bots/{id}/stop"), "/api/bots/999999/start".into()] {
        let r = app.post(&path, Some(&other), json!({})).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"), "{path}: {}", r.text);
    }
    let none = app.post("/api/emergency-stop", Some(&other), json!({})).await;
    assert_eq!(none.status, StatusCode::OK, "{}", none.text);
    assert_eq!(none.body, json!({"stopped_bots": [], "cancelled_orders": [], "failures": []}));
    assert_eq!(app.get(&format!("/api/bots/{id}"), &token).await.body["status"], "stopped");
    app.finish().await;
}

async fn live_start_needs_keys_and_confirmation(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let id = app.post("/api/bots", Some(&token), bot("live", "500")).await.body["id"].as_i64().unwrap();
    let path = format!("/api/bots/{id}/start");

    let bare = app.post(&path, Some(&token), json!({})).await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bare.text);
    assert_eq!(bare.fields(), vec!["api_keys".to_owned(), "confirm_live".to_owned()]);
    let confirmed = app.post(&path, Some(&token), json!({"confirm_live": true})).await;
    assert_eq!((confirmed.status, confirmed.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["api_keys".to_owned()]));

    let keys = app.put("/api/account/api-keys", &token, json!({"api_key": SIM_KEY, "api_secret": SIM_SECRET})).await;
    assert_eq!(keys.status, StatusCode::OK, "{}", keys.text);
    for body in [json!({}), json!({"confirm_live": false})] {
        let r = app.post(&path, Some(&token), body.clone()).await;
        assert_eq!(
            (r.status, r.fields()),
            (StatusCode::UNPROCESSABLE_ENTITY, vec!["confirm_live".to_owned()]),
            "{body}"
        );
    }
    let none = app.call(reqwest::Method::POST, &path, Some(&token), None).await;
    assert_eq!(none.fields(), vec!["confirm_live".to_owned()], "{}", none.text);
    assert_eq!(app.get(&format!("/api/bots/{id}"), &token).await.body["status"], "stopped", "nothing started");

    let ok = app.post(&path, Some(&token), json!({"confirm_live": true})).await;
    assert_eq!((ok.status, ok.body["status"].as_str()), (StatusCode::ACCEPTED, Some("starting")), "{}", ok.text);
    for r in [&bare, &confirmed, &keys, &ok] {
        assert!(!r.text.contains(SIM_KEY) && !r.text.contains(SIM_SECRET), "{}", r.text);
    }
    app.finish().await;
}

/// A restart after a daily-loss stop does not reset the budget: the earlier run's loss today still counts.
async fn daily_loss_counts_the_earlier_runs_of_today(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;
    let id = app.post("/api/bots", Some(&token), bot("paper", "500")).await.body["id"].as_i64().unwrap();
    fake_run(&app.db, BotId(id), Some(Decimal::from(5000))).await;
    // A later run, without a loss of its own.
    app.db.bots().bump_generation(BotId(id)).await.unwrap();
    fake_run(&app.db, BotId(id), None).await;
    let r = app.post(&format!("/api/bots/{id}/start"), Some(&token), json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "conflict"), "{}", r.text);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("daily loss limit"), "{}", r.text);
    app.finish().await;
}

async fn daily_loss_refuses_a_start(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;
    let lossy = app.post("/api/bots", Some(&token), bot("paper", "500")).await.body["id"].as_i64().unwrap();
    fake_run(&app.db, BotId(lossy), Some(Decimal::from(5000))).await;
    let r = app.post(&format!("/api/bots/{lossy}/start"), Some(&token), json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "conflict"), "{}", r.text);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("daily loss limit"), "{}", r.text);
    assert_eq!(app.get(&format!("/api/bots/{lossy}"), &token).await.body["status"], "stopped");

    // The same run with a wider limit starts.
    let fine = app.post("/api/bots", Some(&token), bot("paper", "100000")).await.body["id"].as_i64().unwrap();
    let run = fake_run(&app.db, BotId(fine), Some(Decimal::from(5000))).await;
    cancel_resting(&app.db, &run).await; // it was stopped
    let ok = app.post(&format!("/api/bots/{fine}/start"), Some(&token), json!({})).await;
    assert_eq!(ok.status, StatusCode::ACCEPTED, "{}", ok.text);
    app.finish().await;
}

async fn commands_refuse_bad_input(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let id = app.post("/api/bots", Some(&token), bot("paper", "500")).await.body["id"].as_i64().unwrap();
    let cases = [
        ("start", json!({"confirm_live": "yes"}), "confirm_live"),
        ("start", json!({"surprise": 1}), "surprise"),
        ("start", json!([true]), "body"),
        ("stop", json!({"sell": "x"}), "sell"),
        ("stop", json!({"sell": true, "now": 1}), "now"),
    ];
    for (cmd, body, field) in cases {
        let r = app.post(&format!("/api/bots/{id}/{cmd}"), Some(&token), body.clone()).await;
        assert_eq!(
            (r.status, r.fields()),
            (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_owned()]),
            "{cmd} {body}: {}",
            r.text
        );
    }
    let raw = app.post_raw(&format!("/api/bots/{id}/start"), Some(&token), "text/plain", b"go".to_vec()).await;
    assert_eq!((raw.status, raw.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["body".to_owned()]), "{}", raw.text);
    assert_eq!(app.get(&format!("/api/bots/{id}"), &token).await.body["status"], "stopped");
    app.finish().await;
}

async fn a_failed_bot_with_live_orders_is_stopped_before_it_starts(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;
    let id = app.post("/api/bots", Some(&token), bot("paper", "500")).await.body["id"].as_i64().unwrap();
    let run = fake_run(&app.db, BotId(id), None).await; // two orders rest
    app.db
        .bots()
        .set_status(BotId(id), BotStatus::Error, Some("place_grid was running when its process stopped"))
        .await
        .unwrap();
    let r = app.post(&format!("/api/bots/{id}/start"), Some(&token), json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "conflict"), "{}", r.text);
    assert!(r.text.contains("2 orders") && r.text.contains("stop the bot"), "{}", r.text);
    let after = app.get(&format!("/api/bots/{id}"), &token).await.body;
    assert_eq!(
        (after["status"].as_str(), after["generation"].as_u64()),
        (Some("error"), Some(0)),
        "nothing moved: {after}"
    );
    // Once they are cancelled (what the stop does), it starts.
    for o in &run.resting {
        let zero = gridbot_core::Qty::new(Decimal::ZERO).unwrap();
        let cancelled = gridbot_platform::db::types::OrderStatus::Cancelled;
        app.db
            .orders()
            .update_state(&o.client_order_id, None, cancelled, zero, None, Decimal::ZERO, None)
            .await
            .unwrap();
    }
    let r = app.post(&format!("/api/bots/{id}/start"), Some(&token), json!({})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    app.finish().await;
}
