//! Strategies as plugins at the edge: `GET /api/strategies` lists each with its config's JSON Schema; a
//! mean-reversion bot is created, validated field by field (422 naming the field), started on paper, read, tested
//! and stopped through the same routes as a grid.

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::harness::{Backend, Options, spawn_app, spawn_app_with};

both!(strategies_are_listed_with_their_config_schemas, a_mean_reversion_bot_is_validated_created_run_and_stopped);

async fn strategies_are_listed_with_their_config_schemas(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("s@b.co").await;
    let r = app.get("/api/strategies", &token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let list = r.body.as_array().expect("a list");
    let names: Vec<&str> = list.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["grid", "mean_reversion"]);
    let mr = &list[1];
    assert_eq!((mr["bots"].as_bool(), mr["title"].as_str()), (Some(true), Some("Mean reversion")));
    assert_eq!((mr["live"].as_bool(), list[0]["live"].as_bool()), (Some(true), Some(true)));
    let schema = &mr["schema"];
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["required"], json!(["capital"]));
    for field in ["capital", "window", "band", "stop_loss_pct", "fee_rate", "fee_asset"] {
        assert!(schema["properties"][field].is_object(), "{field} in {schema}");
    }
    assert_eq!(schema["properties"]["window"]["maximum"], 500);
    assert_eq!(schema["properties"]["band"]["format"], "decimal");
    let grid = &list[0]["schema"];
    assert_eq!(grid["properties"]["lower_bound"]["x-unit"], "price");
    assert_eq!(grid["x-order"][0], "capital");
    assert_eq!(app.get("/api/strategies", "nope").await.status, StatusCode::UNAUTHORIZED);
    app.finish().await;
}

async fn a_mean_reversion_bot_is_validated_created_run_and_stopped(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let _worker = app.worker();
    let (_, token) = app.signup("m@b.co").await;
    let bot = |config: serde_json::Value| json!({"strategy": "mean_reversion", "pair": "BTC/USDT", "config": config});
    for (config, field) in [
        (json!({"capital": "1000", "band": "0"}), "band"),
        (json!({"capital": "1000", "window": 1}), "window"),
        (json!({"capital": "1000", "window": "x"}), "window"),
        (json!({"band": "2"}), "capital"),
        (json!({"capital": "1000", "stop_loss_pct": "100"}), "stop_loss_pct"),
        (json!({"capital": "1000", "tick_size": "0.01"}), "tick_size"),
        (json!({"capital": "1000", "lower_bound": "1"}), "lower_bound"),
    ] {
        let r = app.post("/api/bots", Some(&token), bot(config.clone())).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{config}: {}", r.text);
        assert_eq!(r.fields(), [field], "{config}: {}", r.text);
    }
    let r = app.post("/api/bots", Some(&token), bot(json!({"capital": 1000, "window": 30, "band": 1.5}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["strategy"], "mean_reversion");
    assert_eq!(r.body["config"]["band"], "1.5");
    assert_eq!(r.body["config"]["fee_asset"], "base", "a bot pays fees as an account without BNB does");

    let stats = app.get(&format!("/api/bots/{id}/stats"), &token).await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.text);
    assert_eq!((stats.body["orders_filled"].as_u64(), stats.body["equity"].as_str()), (Some(0), Some("1000")));
    assert_eq!(stats.body["levels"], json!([]));

    let tested = app
        .post(
            "/api/bots/test-config",
            Some(&token),
            json!({"pair": "BTC/USDT", "strategy": "mean_reversion",
            "config": {"capital": "1000", "window": 30}}),
        )
        .await;
    assert_eq!(tested.status, StatusCode::OK, "{}", tested.text);
    let refused = app
        .post(
            "/api/bots/test-config",
            Some(&token),
            json!({"pair": "BTC/USDT", "strategy": "mean_reversion",
            "config": {"capital": "1000", "window": 501}}),
        )
        .await;
    assert_eq!(refused.fields(), ["window"], "{}", refused.text);

    let started = app.post(&format!("/api/bots/{id}/start"), Some(&token), json!({})).await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.text);
    app.wait_for(&format!("/api/bots/{id}"), &token, |b| b["status"] == "running").await;
    let stats = app.get(&format!("/api/bots/{id}/stats"), &token).await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.text);
    assert_eq!(stats.body["equity"], "1000", "{}", stats.text);
    let summary = app.get("/api/summary", &token).await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.text);
    let runs = app.get(&format!("/api/bots/{id}/runs"), &token).await;
    assert_eq!(runs.status, StatusCode::OK, "{}", runs.text);
    assert_eq!(runs.body[0]["config"]["window"], 30, "{}", runs.text);

    let stopped = app.post(&format!("/api/bots/{id}/stop"), Some(&token), json!({"sell": true})).await;
    assert_eq!(stopped.status, StatusCode::ACCEPTED, "{}", stopped.text);
    app.wait_for(&format!("/api/bots/{id}"), &token, |b| b["status"] == "stopped").await;
    app.finish().await;
}
