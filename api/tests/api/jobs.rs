//! `GET /api/jobs/dead`: the caller's quarantined jobs, newest first, in pages; never another user's; 401 without a
//! token and 422 on a bad page.

use gridbot_core::BotId;
use gridbot_platform::db::{NewDeadJob, types::DeadJobKind};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both;
use crate::fixtures::config;
use crate::harness::{Backend, TestApp, spawn_app};

both!(dead_jobs_of_the_callers_bots_newest_first, dead_jobs_refuse_bad_pages);

async fn bury(app: &TestApp, bot: i64, user: i64, kind: DeadJobKind, reason: &str) -> i64 {
    let new = NewDeadJob {
        bot: BotId(bot),
        user_id: user,
        job_name: "place_grid",
        job: json!({"job": "place_grid", "bot": bot}),
        task_id: Some("01TASK"),
        kind,
        reason,
    };
    app.db.dead_jobs().record(&new).await.unwrap()
}

async fn dead_jobs_of_the_callers_bots_newest_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let (alice, token) = app.signup("a@b.co").await;
    let (eve, eve_token) = app.signup("eve@b.co").await;
    let body = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": config("500")});
    let bot = app.post("/api/bots", Some(&token), body.clone()).await.body["id"].as_i64().unwrap();
    let evil = app.post("/api/bots", Some(&eve_token), body).await.body["id"].as_i64().unwrap();
    assert_eq!(app.get("/api/jobs/dead", &token).await.body, json!([]));

    let crash = "place_grid was running when its process stopped; not replayed";
    let first = bury(&app, bot, alice, DeadJobKind::Crashed, crash).await;
    let second = bury(&app, bot, alice, DeadJobKind::Failed, "place_grid failed: the job panicked (boom)").await;
    bury(&app, evil, eve, DeadJobKind::Failed, "eve's").await;

    let r = app.get("/api/jobs/dead", &token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let list = r.body.as_array().unwrap();
    assert_eq!(list.len(), 2, "only the caller's: {}", r.text);
    assert_eq!((list[0]["id"].as_i64(), list[1]["id"].as_i64()), (Some(second), Some(first)), "newest first");
    let d = &list[1];
    assert_eq!(
        (d["bot_id"].as_i64(), d["job"].as_str(), d["kind"].as_str()),
        (Some(bot), Some("place_grid"), Some("crashed"))
    );
    assert_eq!(d["reason"], crash);
    assert_eq!(d["payload"], json!({"job": "place_grid", "bot": bot}));
    assert!(d["created_at"].is_string());
    assert_eq!(list[0]["kind"], "failed");

    let page = app.get("/api/jobs/dead?limit=1", &token).await.body;
    assert_eq!(page.as_array().unwrap().len(), 1);
    let next = app.get(&format!("/api/jobs/dead?limit=1&before={}", page[0]["id"]), &token).await.body;
    assert_eq!(next[0]["id"].as_i64(), Some(first), "the next page");
    assert_eq!(app.get(&format!("/api/jobs/dead?before={first}"), &token).await.body, json!([]));

    let anonymous = app.call(Method::GET, "/api/jobs/dead", None, None).await;
    assert_eq!((anonymous.status, anonymous.code()), (StatusCode::UNAUTHORIZED, "unauthorized"));
    app.finish().await;
}

async fn dead_jobs_refuse_bad_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=x", "limit"),
        ("before=soon", "before"),
        ("limit=-1", "limit"),
    ] {
        let r = app.get(&format!("/api/jobs/dead?{query}"), &token).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {}", r.text);
        assert_eq!(r.fields(), vec![field.to_owned()], "{query}");
    }
    assert_eq!(app.get("/api/jobs/dead?limit=200", &token).await.status, StatusCode::OK);
    app.finish().await;
}
