//! Bots: CRUD, the contract's JSON, 404 across users, 422 naming the field for every bad config input, and
//! changes refused (409) unless the bot is stopped or in error.

use gridbot_core::BotId;
use gridbot_platform::db::types::BotStatus;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Backend, Customize, Options, spawn_app, spawn_app_with};

both!(
    bots_crud,
    another_users_bot_is_not_found,
    bad_config_inputs_name_the_field,
    changes_only_while_stopped,
    a_paused_running_bot_shows_its_notice,
    a_paper_bot_naming_no_fee_rate_pays_the_paper_fee_rate,
    the_exchange_vets_the_pair_and_the_bounds_at_save
);

fn config() -> Value {
    json!({"capital": "10000", "lower_bound": "95000", "upper_bound": 105000, "grid_levels": 20,
           "spacing": "arithmetic", "stop_loss_pct": 2, "take_profit_pct": null, "max_daily_loss": "500"})
}

fn new_bot() -> Value {
    json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": config()})
}

async fn bots_crud(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    assert_eq!(app.get("/api/bots", &token).await.body, json!([]));

    let created = app
        .post(
            "/api/bots",
            Some(&token),
            json!({"strategy": "grid", "pair": "btcusdt",
        "mode": "paper", "config": config()}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let bot = created.body.clone();
    let id = bot["id"].as_i64().unwrap();
    assert_eq!(bot["strategy"], "grid");
    assert_eq!(bot["pair"], "BTC/USDT");
    assert_eq!((bot["mode"].as_str(), bot["status"].as_str()), (Some("paper"), Some("stopped")));
    assert_eq!(bot["generation"], 0);
    assert_eq!(bot["stop_reason"], Value::Null);
    assert_eq!(
        bot["config"],
        json!({"capital": "10000", "lower_bound": "95000", "upper_bound": "105000", "grid_levels": 20,
               "spacing": "arithmetic", "fee_asset": "base", "stop_loss_pct": "2", "take_profit_pct": null,
               "max_daily_loss": "500"})
    );
    for key in ["created_at", "updated_at"] {
        let t = bot[key].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(t).is_ok(), "{key}: {t}");
    }

    assert_eq!(app.get(&format!("/api/bots/{id}"), &token).await.body, bot);
    let list = app.get("/api/bots", &token).await;
    assert_eq!(list.body, json!([bot]));

    let mut changed = config();
    changed["grid_levels"] = json!(10);
    changed["spacing"] = json!("geometric");
    let put = app.put(&format!("/api/bots/{id}"), &token, json!({"config": changed, "pair": "ETH-USDT"})).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    assert_eq!((put.body["pair"].as_str(), put.body["mode"].as_str()), (Some("ETH/USDT"), Some("paper")));
    assert_eq!(
        (put.body["config"]["grid_levels"].as_i64(), put.body["config"]["spacing"].as_str()),
        (Some(10), Some("geometric"))
    );
    let live = app.put(&format!("/api/bots/{id}"), &token, json!({"mode": "live"})).await;
    assert_eq!((live.status, live.body["mode"].as_str()), (StatusCode::OK, Some("live")), "{}", live.text);
    assert_eq!(live.body["config"]["grid_levels"], 10, "an absent key keeps its value");

    let del = app.delete(&format!("/api/bots/{id}"), &token).await;
    assert_eq!(del.status, StatusCode::NO_CONTENT, "{}", del.text);
    assert_eq!(app.get(&format!("/api/bots/{id}"), &token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.delete(&format!("/api/bots/{id}"), &token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/bots", &token).await.body, json!([]));
    app.finish().await;
}

async fn another_users_bot_is_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, alice) = app.signup("alice@b.co").await;
    let (_, bob) = app.signup("bob@b.co").await;
    let id = app.post("/api/bots", Some(&alice), new_bot()).await.body["id"].as_i64().unwrap();
    let path = format!("/api/bots/{id}");

    for (method, body) in [(Method::GET, None), (Method::PUT, Some(json!({"mode": "live"}))), (Method::DELETE, None)] {
        let r = app.call(method.clone(), &path, Some(&bob), body).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"), "{method} {path}: {}", r.text);
    }
    assert_eq!(app.get("/api/bots", &bob).await.body, json!([]));
    for missing in ["/api/bots/999999", "/api/bots/abc", "/api/bots/-1", "/api/bots/99999999999999999999999"] {
        let r = app.get(missing, &alice).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{missing}: {}", r.text);
    }
    // Alice's bot is untouched.
    let mine = app.get(&path, &alice).await;
    assert_eq!((mine.status, mine.body["mode"].as_str()), (StatusCode::OK, Some("paper")));
    app.finish().await;
}

async fn bad_config_inputs_name_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let id = app.post("/api/bots", Some(&token), new_bot()).await.body["id"].as_i64().unwrap();
    let cases: Vec<(&str, Value, &str)> = vec![
        ("capital", json!("abc"), "capital"),
        ("capital", json!(0), "capital"),
        ("capital", json!(-5), "capital"),
        ("capital", json!(true), "capital"),
        ("lower_bound", json!("1e5"), "lower_bound"),
        ("lower_bound", json!(0), "lower_bound"),
        ("lower_bound", json!(200000), "lower_bound"),
        ("upper_bound", json!(false), "upper_bound"),
        ("upper_bound", json!("x"), "upper_bound"),
        // Once accepted, then a panic at start that took the whole server down.
        ("upper_bound", json!("10000000000000000000000000000"), "upper_bound"),
        ("capital", json!("10000000000000"), "capital"),
        ("fee_asset", json!("bnb"), "fee_asset"),
        ("grid_levels", json!(1), "grid_levels"),
        ("grid_levels", json!(100000), "grid_levels"),
        ("grid_levels", json!(-3), "grid_levels"),
        ("grid_levels", json!(2.5), "grid_levels"),
        ("grid_levels", json!("20"), "grid_levels"),
        ("spacing", json!("fibonacci"), "spacing"),
        ("stop_loss_pct", json!(-1), "stop_loss_pct"),
        ("stop_loss_pct", json!(150), "stop_loss_pct"),
        ("take_profit_pct", json!(-1), "take_profit_pct"),
        ("max_daily_loss", json!(-10), "max_daily_loss"),
        ("fee_rate", json!(2), "fee_rate"),
        ("surprise", json!(1), "surprise"),
    ];
    for (key, value, field) in cases {
        let mut cfg = config();
        cfg[key] = value.clone();
        let mut body = new_bot();
        body["config"] = cfg.clone();
        for r in [
            app.post("/api/bots", Some(&token), body).await,
            app.put(&format!("/api/bots/{id}"), &token, json!({"config": cfg})).await,
        ] {
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{key}={value}: {}", r.text);
            assert!(r.fields().contains(&field.to_owned()), "{key}={value}: {}", r.text);
        }
    }
    for key in ["capital", "lower_bound", "upper_bound", "grid_levels"] {
        let mut body = new_bot();
        body["config"].as_object_mut().unwrap().remove(key);
        let r = app.post("/api/bots", Some(&token), body).await;
        assert_eq!((r.status, r.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec![key.to_owned()]), "{}", r.text);
    }
    let top: Vec<(&str, Value, &str)> = vec![
        ("pair", json!("BTC"), "pair"),
        ("pair", json!("!!/USDT"), "pair"),
        ("pair", json!(7), "pair"),
        ("mode", json!("margin"), "mode"),
        ("strategy", json!("martingale"), "strategy"),
        // Another strategy names the grid's fields it does not have.
        ("strategy", json!("mean_reversion"), "grid_levels"),
        ("config", json!("none"), "config"),
    ];
    for (key, value, field) in top {
        let mut body = new_bot();
        body[key] = value.clone();
        let r = app.post("/api/bots", Some(&token), body).await;
        assert_eq!(
            (r.status, r.fields()),
            (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_owned()]),
            "{key}={value}: {}",
            r.text
        );
    }
    let r = app.put(&format!("/api/bots/{id}"), &token, json!({"pair": "nope"})).await;
    assert_eq!((r.status, r.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["pair".to_owned()]), "{}", r.text);
    // Nothing changed.
    assert_eq!(app.get(&format!("/api/bots/{id}"), &token).await.body["config"]["grid_levels"], 20);
    assert_eq!(app.get("/api/bots", &token).await.body.as_array().unwrap().len(), 1);
    app.finish().await;
}

async fn changes_only_while_stopped(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let id = app.post("/api/bots", Some(&token), new_bot()).await.body["id"].as_i64().unwrap();
    let path = format!("/api/bots/{id}");
    for status in [BotStatus::Starting, BotStatus::Running, BotStatus::Stopping] {
        app.db.bots().set_status(BotId(id), status, None).await.unwrap();
        let put = app.put(&path, &token, json!({"mode": "live"})).await;
        assert_eq!((put.status, put.code()), (StatusCode::CONFLICT, "conflict"), "{}", put.text);
        let del = app.delete(&path, &token).await;
        assert_eq!(del.status, StatusCode::CONFLICT, "{}", del.text);
    }
    assert_eq!(app.get(&path, &token).await.body["mode"], "paper");
    app.db.bots().set_status(BotId(id), BotStatus::Error, Some("exchange refused")).await.unwrap();
    let put = app.put(&path, &token, json!({"mode": "live"})).await;
    assert_eq!((put.status, put.body["mode"].as_str()), (StatusCode::OK, Some("live")), "{}", put.text);
    assert_eq!(app.delete(&path, &token).await.status, StatusCode::NO_CONTENT);
    app.finish().await;
}

/// A running bot that places nothing (its symbol is not trading) says why in `notice`; a stopped one's reason stays
/// `stop_reason`.
async fn a_paused_running_bot_shows_its_notice(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let id = app.post("/api/bots", Some(&token), new_bot()).await.body["id"].as_i64().unwrap();
    // The list is read from the database (a single bot may come from the API's short-lived cache).
    let listed = || async { app.get("/api/bots", &token).await.body[0].clone() };
    assert_eq!(listed().await["notice"], Value::Null);
    let why = "placing paused — market closed: BTC/USDT is HALT: new orders are refused";
    app.db.bots().set_status(BotId(id), BotStatus::Running, Some(why)).await.unwrap();
    let bot = listed().await;
    assert_eq!((bot["status"].as_str(), bot["notice"].as_str()), (Some("running"), Some(why)));
    assert_eq!(bot["stop_reason"], Value::Null);
    app.db.bots().set_status(BotId(id), BotStatus::Stopped, Some("stopped by the user")).await.unwrap();
    let bot = listed().await;
    assert_eq!((bot["stop_reason"].as_str(), &bot["notice"]), (Some("stopped by the user"), &Value::Null));
    app.finish().await;
}

async fn a_paper_bot_naming_no_fee_rate_pays_the_paper_fee_rate(backend: Backend) {
    let customize: Customize = std::sync::Arc::new(|mut ctx| {
        ctx.rt = ctx.rt.clone().with_paper_fee_rate(gridbot_core::Decimal::new(75, 5));
        ctx
    });
    let app = spawn_app_with(backend, Options { customize: Some(customize), ..Options::default() }).await;
    let (_, token) = app.signup("fees@b.co").await;
    let paper = app.post("/api/bots", Some(&token), new_bot()).await;
    assert_eq!(paper.body["config"]["fee_rate"], "0.00075", "{}", paper.text);
    let mut live = new_bot();
    live["mode"] = json!("live");
    let live = app.post("/api/bots", Some(&token), live).await;
    assert_eq!(live.body["config"]["fee_rate"], Value::Null, "a live bot pays what its exchange charges");
    let mut named = new_bot();
    named["config"]["fee_rate"] = json!("0.002");
    let named = app.post("/api/bots", Some(&token), named).await;
    assert_eq!(named.body["config"]["fee_rate"], "0.002", "a rate the config names is kept");
    app.finish().await;
}

async fn the_exchange_vets_the_pair_and_the_bounds_at_save(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("vet@b.co").await;
    let mut unlisted = new_bot();
    unlisted["pair"] = json!("FOO/BAR");
    let r = app.post("/api/bots", Some(&token), unlisted).await;
    assert_eq!((r.status, r.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["pair".to_owned()]), "{}", r.text);
    let mut above = new_bot();
    above["config"]["upper_bound"] = json!("2000000");
    let r = app.post("/api/bots", Some(&token), above).await;
    assert_eq!(r.fields(), vec!["upper_bound".to_owned()], "the simulator's BTCUSDT tops out at 1,000,000: {}", r.text);
    let mut no_stop = new_bot();
    no_stop["config"]["stop_loss_pct"] = json!("0");
    let r = app.post("/api/bots", Some(&token), no_stop).await;
    assert_eq!(r.fields(), vec!["stop_loss_pct".to_owned()], "{}", r.text);
    // A listed pair and bounds within its filters are saved; moving it to an unlisted pair is refused.
    let ok = app.post("/api/bots", Some(&token), new_bot()).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text);
    let id = ok.body["id"].as_i64().unwrap();
    let r = app.put(&format!("/api/bots/{id}"), &token, json!({"pair": "FOO/BAR"})).await;
    assert_eq!(r.fields(), vec!["pair".to_owned()], "{}", r.text);
    app.finish().await;
}
