//! AI suggestions: optimize answers 201 with its backtests (the sweep's best without Claude; Claude's answer through
//! a local stand-in), accept changes the bot's config to exactly the suggestion, reject changes nothing, a running
//! bot is not changed (409), another user's suggestions are 404, bad input is a 422 naming the field.

use std::sync::Arc;

use axum::{Json, Router, routing::post};
use gridbot_ai::{Advisor, ApiKey, ClaudeSettings};
use gridbot_core::BotId;
use gridbot_platform::db::types::BotStatus;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Backend, Options, TestApp, spawn_app_with};

both!(
    optimize_answers_with_backtests,
    accept_applies_exactly_the_suggestion,
    reject_changes_nothing,
    a_running_bot_is_not_changed,
    another_users_suggestions_are_not_found,
    bad_input_names_the_field,
    claudes_answer_comes_through,
);

const FIGURES: [&str; 9] = [
    "lower",
    "upper",
    "levels",
    "realized_pnl",
    "final_equity",
    "return_pct",
    "max_drawdown",
    "round_trips",
    "win_rate",
];

/// The app on the simulator, with the sweep alone (whatever the environment says about Claude).
async fn app(backend: Backend) -> TestApp {
    let customize: crate::harness::Customize =
        Arc::new(|ctx| ctx.with_advisor(Advisor::without_claude("no ANTHROPIC_API_KEY is set")));
    spawn_app_with(backend, Options { sim: true, customize: Some(customize), ..Options::default() }).await
}

fn config() -> Value {
    json!({"capital": "10000", "lower_bound": "95000", "upper_bound": "105000", "grid_levels": 20,
           "spacing": "arithmetic", "stop_loss_pct": "2", "take_profit_pct": null, "max_daily_loss": "500"})
}

async fn bot(app: &TestApp, token: &str) -> Value {
    let r =
        app.post("/api/bots", Some(token), json!({"strategy": "grid", "pair": "BTC/USDT", "config": config()})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body
}

async fn optimize(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app.post("/api/ai/optimize", Some(token), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body
}

async fn optimize_answers_with_backtests(backend: Backend) {
    let app = app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let b = bot(&app, &token).await;
    let id = b["id"].as_i64().unwrap();

    let s = optimize(&app, &token, json!({"pair": "BTCUSDT", "capital": 10000, "bot_id": id})).await;
    assert_eq!((s["bot_id"].as_i64(), s["pair"].as_str()), (Some(id), Some("BTC/USDT")));
    assert_eq!((s["status"].as_str(), s["source"].as_str()), (Some("pending"), Some("heuristic")));
    assert_eq!(s["fallback_reason"], "no ANTHROPIC_API_KEY is set");
    let sug = &s["suggestion"];
    let (lower, upper) = (dec(&sug["grid_lower"]), dec(&sug["grid_upper"]));
    assert!(lower < upper, "{sug}");
    assert!((2..=200).contains(&sug["num_levels"].as_u64().unwrap()));
    assert!(sug["confidence"].as_u64().unwrap() <= 100 && sug["reasoning"].as_str().is_some_and(|r| !r.is_empty()));
    assert!(["low", "medium", "high"].contains(&sug["risk_level"].as_str().unwrap()));
    let windows: Vec<&str> = s["backtests"].as_array().unwrap().iter().map(|w| w["window"].as_str().unwrap()).collect();
    assert_eq!(windows, ["7d", "30d"]);
    for w in s["backtests"].as_array().unwrap() {
        for who in ["suggested", "current", "sweep_best", "hold"] {
            for key in FIGURES {
                assert!(w[who].get(key).is_some(), "{who}.{key} missing: {w}");
            }
        }
        assert_eq!(w["suggested"]["lower"], sug["grid_lower"]);
        assert_eq!(w["suggested"]["levels"], sug["num_levels"]);
        assert!(w["suggested"]["final_equity"].is_string(), "{w}");
        assert_eq!(w["current"]["lower"], "95000", "the bot's config is the current one");
        assert!(w["hold"]["return_pct"].is_string() && w["hold"]["lower"].is_null());
    }
    assert!(chrono::DateTime::parse_from_rfc3339(s["created_at"].as_str().unwrap()).is_ok());
    // Beside the suggestion, its 7-day backtest to draw: the window's candles, its fills, its equity ending where
    // its figures say.
    let chart = &s["chart"];
    let candles = chart["candles"].as_array().unwrap_or_else(|| panic!("no chart: {s}"));
    assert_eq!(candles.len() as u64, s["backtests"][0]["candles"].as_u64().unwrap(), "minutes of history: {chart}");
    let equity = chart["equity"].as_array().unwrap();
    assert_eq!(equity.len(), candles.len());
    let last = dec(&equity.last().unwrap()["equity"]).round_dp(8).normalize();
    assert_eq!(last, dec(&s["backtests"][0]["suggested"]["final_equity"]), "{chart}");
    assert_eq!(chart["fills"][0]["kind"], "initial", "{chart}");
    assert_eq!(
        chart["fills"].as_array().unwrap().len() as u64 + chart["fills_omitted"].as_u64().unwrap(),
        chart["fills_total"].as_u64().unwrap()
    );

    // Without a bot: a pair's suggestion, with no current config.
    let loose = optimize(&app, &token, json!({"pair": "BTC/USDT", "capital": "2500"})).await;
    assert_eq!(loose["bot_id"], Value::Null);
    assert_eq!(loose["backtests"][0]["current"], Value::Null);

    let all = app.get("/api/ai/suggestions", &token).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text);
    // Lists leave the charts out.
    let listed = |mut v: Value| {
        v["chart"] = Value::Null;
        v
    };
    assert_eq!(all.body, json!([listed(loose.clone()), listed(s.clone())]), "newest first");
    let mine = app.get(&format!("/api/ai/suggestions?bot_id={id}"), &token).await;
    assert_eq!(mine.body, json!([listed(s.clone())]));
    // The fetched candles were kept for the next request.
    let stored = app
        .db
        .prices()
        .range(&"BTC/USDT".parse().unwrap(), chrono::DateTime::UNIX_EPOCH, chrono::Utc::now())
        .await
        .unwrap();
    assert!(stored.len() > 100, "{}", stored.len());
    app.finish().await;
}

async fn accept_applies_exactly_the_suggestion(backend: Backend) {
    let app = app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let b = bot(&app, &token).await;
    let id = b["id"].as_i64().unwrap();
    let s = optimize(&app, &token, json!({"pair": "BTC/USDT", "capital": "10000", "bot_id": id})).await;

    let r = app.post(&format!("/api/ai/suggestions/{}/accept", s["id"]), Some(&token), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["suggestion"]["status"], "accepted");
    let mut want = config();
    want["fee_asset"] = json!("base");
    want["lower_bound"] = s["suggestion"]["grid_lower"].clone();
    want["upper_bound"] = s["suggestion"]["grid_upper"].clone();
    want["grid_levels"] = s["suggestion"]["num_levels"].clone();
    assert_eq!(r.body["bot"]["config"], want, "the suggested bounds and levels, the rest unchanged");
    assert_eq!(app.get(&format!("/api/bots/{id}"), &token).await.body["config"], want);

    let again = app.post(&format!("/api/ai/suggestions/{}/accept", s["id"]), Some(&token), json!({})).await;
    assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "conflict"), "{}", again.text);
    let reject = app.post(&format!("/api/ai/suggestions/{}/reject", s["id"]), Some(&token), json!({})).await;
    assert_eq!(reject.status, StatusCode::CONFLICT, "{}", reject.text);

    // A suggestion without a bot is accepted with `bot: null`.
    let loose = optimize(&app, &token, json!({"pair": "BTC/USDT", "capital": "10000"})).await;
    let r = app.post(&format!("/api/ai/suggestions/{}/accept", loose["id"]), Some(&token), json!({})).await;
    assert_eq!((r.status, r.body["bot"].clone()), (StatusCode::OK, Value::Null), "{}", r.text);
    app.finish().await;
}

async fn reject_changes_nothing(backend: Backend) {
    let app = app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let b = bot(&app, &token).await;
    let id = b["id"].as_i64().unwrap();
    let s = optimize(&app, &token, json!({"pair": "BTC/USDT", "capital": "10000", "bot_id": id})).await;

    let r = app.post(&format!("/api/ai/suggestions/{}/reject", s["id"]), Some(&token), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let mut want = s.clone();
    want["status"] = json!("rejected");
    assert_eq!(r.body, want);
    assert_eq!(app.get(&format!("/api/bots/{id}"), &token).await.body, b, "the bot is untouched");
    let twice = app.post(&format!("/api/ai/suggestions/{}/reject", s["id"]), Some(&token), json!({})).await;
    assert_eq!((twice.status, twice.body["status"].as_str()), (StatusCode::OK, Some("rejected")));
    let accept = app.post(&format!("/api/ai/suggestions/{}/accept", s["id"]), Some(&token), json!({})).await;
    assert_eq!(accept.status, StatusCode::CONFLICT, "{}", accept.text);
    assert_eq!(app.get(&format!("/api/bots/{id}"), &token).await.body, b);
    app.finish().await;
}

async fn a_running_bot_is_not_changed(backend: Backend) {
    let app = app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let b = bot(&app, &token).await;
    let id = b["id"].as_i64().unwrap();
    let s = optimize(&app, &token, json!({"pair": "BTC/USDT", "capital": "10000", "bot_id": id})).await;
    app.db.bots().set_status(BotId(id), BotStatus::Running, None).await.unwrap();

    let r = app.post(&format!("/api/ai/suggestions/{}/accept", s["id"]), Some(&token), json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "conflict"), "{}", r.text);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("running"), "{}", r.text);
    let now = app.get(&format!("/api/bots/{id}"), &token).await.body;
    assert_eq!((now["config"].clone(), now["status"].as_str()), (b["config"].clone(), Some("running")));
    let list = app.get(&format!("/api/ai/suggestions?bot_id={id}"), &token).await;
    assert_eq!(list.body[0]["status"], "pending", "the suggestion can still be accepted once the bot stops");
    app.finish().await;
}

async fn another_users_suggestions_are_not_found(backend: Backend) {
    let app = app(backend).await;
    let (_, alice) = app.signup("alice@b.co").await;
    let (_, bob) = app.signup("bob@b.co").await;
    let b = bot(&app, &alice).await;
    let id = b["id"].as_i64().unwrap();
    let s = optimize(&app, &alice, json!({"pair": "BTC/USDT", "capital": "10000", "bot_id": id})).await;
    let loose = optimize(&app, &alice, json!({"pair": "BTC/USDT", "capital": "10000"})).await;

    for sid in [&s["id"], &loose["id"]] {
        for action in ["accept", "reject"] {
            let r = app.post(&format!("/api/ai/suggestions/{sid}/{action}"), Some(&bob), json!({})).await;
            assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"), "{action}: {}", r.text);
        }
    }
    assert_eq!(app.get("/api/ai/suggestions", &bob).await.body, json!([]));
    assert_eq!(app.get(&format!("/api/ai/suggestions?bot_id={id}"), &bob).await.status, StatusCode::NOT_FOUND);
    let r = app.post("/api/ai/optimize", Some(&bob), json!({"pair": "BTC/USDT", "capital": "1", "bot_id": id})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    for missing in ["999999", "abc", "-1"] {
        let r = app.post(&format!("/api/ai/suggestions/{missing}/accept"), Some(&alice), json!({})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{missing}: {}", r.text);
    }
    // Alice's are untouched.
    let list = app.get("/api/ai/suggestions", &alice).await.body;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(list.as_array().unwrap().iter().all(|x| x["status"] == "pending"));
    assert_eq!(app.get(&format!("/api/bots/{id}"), &alice).await.body, b);
    app.finish().await;
}

async fn bad_input_names_the_field(backend: Backend) {
    let app = app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let id = bot(&app, &token).await["id"].as_i64().unwrap();
    let mut inverted = config();
    inverted["lower_bound"] = json!("110000");
    let cases: Vec<(Value, &str)> = vec![
        (json!({"capital": "10000"}), "pair"),
        (json!({"pair": "XYZ", "capital": "10000"}), "pair"),
        (json!({"pair": "ETH/USDT", "capital": "10000", "bot_id": id}), "pair"),
        (json!({"pair": "BTC/USDT"}), "capital"),
        (json!({"pair": "BTC/USDT", "capital": "abc"}), "capital"),
        (json!({"pair": "BTC/USDT", "capital": 0}), "capital"),
        (json!({"pair": "BTC/USDT", "capital": "-5"}), "capital"),
        (json!({"pair": "BTC/USDT", "capital": "0.000000001"}), "capital"),
        (json!({"pair": "BTC/USDT", "capital": "1"}), "capital"),
        (json!({"pair": "BTC/USDT", "capital": "100", "bot_id": "x"}), "bot_id"),
        (json!({"pair": "BTC/USDT", "capital": "100", "current_config": inverted}), "lower_bound"),
        (json!({"pair": "BTC/USDT", "capital": "100", "current_config": {"capital": "1"}}), "lower_bound"),
        (json!({"pair": "BTC/USDT", "capital": "100", "volatility": 0.3}), "volatility"),
    ];
    for (body, field) in cases {
        let r = app.post("/api/ai/optimize", Some(&token), body.clone()).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation"), "{body}: {}", r.text);
        assert_eq!(r.fields(), [field], "{body}: {}", r.text);
    }
    for (query, field) in [("bot_id=abc", "bot_id"), ("limit=0", "limit"), ("limit=9999", "limit")] {
        let r = app.get(&format!("/api/ai/suggestions?{query}"), &token).await;
        assert_eq!((r.status, r.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_owned()]), "{query}");
    }
    assert_eq!(app.get("/api/ai/suggestions", &token).await.body, json!([]), "nothing was stored");
    app.finish().await;
}

/// Claude played by a local server that answers ±3 % around the price it is told.
async fn claudes_answer_comes_through(backend: Backend) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let claude = tokio::spawn(async move {
        let app = Router::new().route("/v1/messages", post(fake_claude));
        axum::serve(listener, app).await.unwrap();
    });
    let customize: crate::harness::Customize = Arc::new(move |ctx| {
        let mut s = ClaudeSettings::new(ApiKey::new("sk-ant-api-test-key"));
        s.base_url = url.clone();
        ctx.with_advisor(Advisor::with_claude(s).unwrap())
    });
    let app = spawn_app_with(backend, Options { sim: true, customize: Some(customize), ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;
    let s = optimize(&app, &token, json!({"pair": "BTC/USDT", "capital": "10000"})).await;
    assert_eq!((s["source"].as_str(), s["fallback_reason"].clone()), (Some("claude"), Value::Null), "{s}");
    assert_eq!((s["suggestion"]["num_levels"].as_u64(), s["suggestion"]["confidence"].as_u64()), (Some(12), Some(66)));
    assert_eq!(s["backtests"][1]["suggested"]["lower"], s["suggestion"]["grid_lower"]);
    assert!(!crate::harness::logs().text().contains("sk-ant-api-test-key"), "the key is never logged");
    app.finish().await;
    claude.abort();
}

async fn fake_claude(headers: axum::http::HeaderMap, Json(body): Json<Value>) -> Json<Value> {
    assert_eq!(headers["x-api-key"], "sk-ant-api-test-key");
    let prompt = body["messages"][0]["content"].as_str().unwrap_or_default();
    let price: f64 = prompt
        .lines()
        .find_map(|l| l.strip_prefix("Current price: "))
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(100_000.0);
    let input = json!({"grid_lower": format!("{:.2}", price * 0.97), "grid_upper": format!("{:.2}", price * 1.03),
        "num_levels": 12, "confidence": 66, "reasoning": "A range around the price.", "risk_level": "low"});
    Json(json!({"type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
        "content": [{"type": "tool_use", "id": "toolu_1", "name": body["tool_choice"]["name"], "input": input}],
        "stop_reason": "tool_use", "usage": {"input_tokens": 1, "output_tokens": 1}}))
}

fn dec(v: &Value) -> rust_decimal::Decimal {
    v.as_str().unwrap().parse().unwrap()
}
