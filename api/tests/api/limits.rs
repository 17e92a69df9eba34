//! Rate limits (429 with Retry-After in the contract's shape), `/healthz`, unknown routes.

use std::time::Duration;

use gridbot_api::RateLimits;
use reqwest::{Method, StatusCode};

use crate::both;
use crate::harness::{Backend, Options, PASSWORD, spawn_app, spawn_app_with};

both!(auth_rate_limit_answers_429, health_and_unknown_routes, a_body_over_the_limit_answers_413);

/// The body limit (64 KiB) is a 413 in the contract's shape, on a public route and behind the token alike.
async fn a_body_over_the_limit_answers_413(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("big@b.co").await;
    let big = serde_json::json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": {"pad": "x".repeat(70_000)}});
    let r = app.post("/api/bots", Some(&token), big.clone()).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"), "{}", r.text);
    let r = app.post("/api/auth/login", None, serde_json::json!({"email": "x".repeat(70_000), "password": "p"})).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
    app.finish().await;
}

async fn auth_rate_limit_answers_429(backend: Backend) {
    let limits = RateLimits {
        auth_burst: 3,
        auth_refill: Duration::from_secs(30),
        api_burst: 100,
        api_refill: Duration::from_millis(10),
    };
    let app = spawn_app_with(backend, Options { rate_limits: Some(limits), ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await; // two auth requests
    let third = app.login("a@b.co", PASSWORD).await;
    assert_eq!(third.status, StatusCode::OK, "{}", third.text);
    let r = app.login("a@b.co", PASSWORD).await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"), "{}", r.text);
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    let reg = app.register("b@b.co", PASSWORD).await;
    assert_eq!(reg.status, StatusCode::TOO_MANY_REQUESTS, "{}", reg.text);
    // Other routes keep their own, looser limit.
    assert_eq!(app.get("/api/auth/me", &token).await.status, StatusCode::OK);
    app.finish().await;
}

async fn health_and_unknown_routes(backend: Backend) {
    let app = spawn_app(backend).await;
    let h = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!((h.status, h.body["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (_, token) = app.signup("a@b.co").await;
    let r = app.get("/api/nothing/here", &token).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"), "{}", r.text);
    app.finish().await;
}
