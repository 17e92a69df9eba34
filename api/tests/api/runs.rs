//! A bot's history is per run: changing a stopped bot's settings ends its last run (kept, with the config it ran
//! with, in `GET /api/bots/{id}/runs`); the stats, summary and balance read on without a 500, whatever the stored
//! state; a run whose orders still rest cannot be ended.

use gridbot_core::{BotId, Decimal};
use gridbot_platform::{book::RunState, db::types::BotChanges};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::fixtures::{cancel_resting, config, fake_run};
use crate::harness::{Backend, Options, TestApp, spawn_app_with};

both!(
    editing_a_stopped_bot_ends_its_run_and_keeps_its_history,
    a_run_with_resting_orders_cannot_be_ended,
    reads_survive_a_run_state_that_no_longer_fits_the_bot
);

fn d(v: &Value) -> Decimal {
    v.as_str().unwrap_or_else(|| panic!("not a decimal string: {v}")).parse().unwrap()
}

/// Every read a trader's dashboard makes of the bot answers 200.
async fn reads_answer(app: &TestApp, token: &str, id: i64) -> Value {
    for path in
        [format!("/api/bots/{id}"), "/api/summary".into(), "/api/balance".into(), format!("/api/bots/{id}/runs")]
    {
        let r = app.get(&path, token).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
    }
    let r = app.get(&format!("/api/bots/{id}/stats"), token).await;
    assert_eq!(r.status, StatusCode::OK, "stats: {}", r.text);
    r.body
}

async fn editing_a_stopped_bot_ends_its_run_and_keeps_its_history(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;
    let body = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": config("500")});
    let id = app.post("/api/bots", Some(&token), body).await.body["id"].as_i64().unwrap();
    let run = fake_run(&app.db, BotId(id), None).await;
    cancel_resting(&app.db, &run).await;
    let before = reads_answer(&app, &token, id).await;
    assert_eq!(d(&before["realized_pnl"]), run.realized);
    let total_before = d(&app.get("/api/summary", &token).await.body["pnl_total"]);

    // Wider bounds, more levels: the run's fills no longer fit this grid.
    let mut wider = config("500");
    wider["lower_bound"] = json!("90000");
    wider["upper_bound"] = json!("110000");
    wider["grid_levels"] = json!(30);
    let r = app.put(&format!("/api/bots/{id}"), &token, json!({"config": wider})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // The stats are the new run's, not started: zeros and the new grid.
    let s = reads_answer(&app, &token, id).await;
    assert_eq!((s["realized_pnl"].as_str(), s["orders_filled"].as_u64()), (Some("0"), Some(0)), "{s}");
    let levels = s["levels"].as_array().unwrap();
    assert_eq!((levels.len(), d(&levels[0]["price"])), (30, Decimal::from(90_000)), "{s}");
    // What the run realized stays in the account's total; the lots it held left the bot's books (the balance still
    // shows them).
    assert_ne!(total_before, run.realized, "before, the total also held the lots' value change");
    assert_eq!(d(&app.get("/api/summary", &token).await.body["pnl_total"]), run.realized);

    // The ended run, with the config it ran with and its own figures.
    let runs = app.get(&format!("/api/bots/{id}/runs"), &token).await.body;
    let list = runs.as_array().unwrap();
    assert_eq!(list.len(), 1, "{runs}");
    let old = &list[0];
    assert_eq!(old["current"], false);
    assert_eq!(old["pair"], "BTC/USDT");
    assert_eq!(old["mode"], "paper");
    assert_eq!(
        (d(&old["config"]["lower_bound"]), old["config"]["grid_levels"].as_u64()),
        (Decimal::from(95_000), Some(20))
    );
    assert_eq!(d(&old["realized_pnl"]), run.realized);
    assert_eq!(old["orders_filled"].as_u64(), Some(2), "grid fills, as the stats count them: {old}");
    assert_eq!(old["fills"].as_u64(), Some(3), "the initial buy, a buy and its sell: {old}");
    assert_eq!(old["win_rate"], "1");
    assert_eq!(old["round_trips"].as_u64(), Some(1));
    assert_eq!(d(&old["fees_paid"]), run.engine.summary(Decimal::ZERO).fees_paid);

    // The same settings again change nothing and end nothing.
    let r = app.put(&format!("/api/bots/{id}"), &token, json!({"config": wider})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (_, eve) = app.signup("eve@b.co").await;
    let r = app.get(&format!("/api/bots/{id}/runs"), &eve).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"), "another user's bot: {}", r.text);
    app.finish().await;
}

async fn a_run_with_resting_orders_cannot_be_ended(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;
    let body = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": config("500")});
    let id = app.post("/api/bots", Some(&token), body).await.body["id"].as_i64().unwrap();
    let run = fake_run(&app.db, BotId(id), None).await; // a bot that failed mid-run: two orders rest
    let mut wider = config("500");
    wider["upper_bound"] = json!("106000");
    let r = app.put(&format!("/api/bots/{id}"), &token, json!({"config": wider.clone()})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "conflict"), "{}", r.text);
    assert!(r.text.contains("2 orders"), "{}", r.text);
    let s = reads_answer(&app, &token, id).await;
    assert_eq!(d(&s["realized_pnl"]), run.realized, "the run is untouched");
    cancel_resting(&app.db, &run).await;
    let r = app.put(&format!("/api/bots/{id}"), &token, json!({"config": wider})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.finish().await;
}

async fn reads_survive_a_run_state_that_no_longer_fits_the_bot(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;
    let body = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": config("500")});
    let id = app.post("/api/bots", Some(&token), body).await.body["id"].as_i64().unwrap();
    let run = fake_run(&app.db, BotId(id), None).await;
    cancel_resting(&app.db, &run).await;
    // As a run started before runs recorded their config, edited before edits ended runs: its fills cannot be booked
    // on the bot's grid any more.
    let bot = app.db.bots().get(BotId(id)).await.unwrap();
    let mut state = RunState::from_bot(&bot).unwrap().unwrap();
    state.config = None;
    app.db.bots().set_run_state(BotId(id), &state).await.unwrap();
    let mut moved = config("500");
    moved["lower_bound"] = json!("80000");
    moved["grid_levels"] = json!(7);
    let changes = BotChanges { config: Some(moved), ..BotChanges::default() };
    assert!(app.db.bots().update_if_idle(BotId(id), changes).await.unwrap());
    let s = reads_answer(&app, &token, id).await;
    assert_eq!(s["orders_filled"].as_u64(), Some(0), "the run's books are unreadable: the stats read as not started");
    let runs = app.get(&format!("/api/bots/{id}/runs"), &token).await.body;
    assert_eq!(d(&runs[0]["realized_pnl"]), run.realized, "the run's own fills still tell its P&L: {runs}");
    app.finish().await;
}
