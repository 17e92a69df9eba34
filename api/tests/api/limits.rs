//! Rate limits (429 with Retry-After in the contract's shape), `/healthz`, unknown routes.

use std::time::Duration;

use gridbot_api::RateLimits;
use reqwest::{Method, StatusCode};

use crate::both;
use crate::harness::{Backend, Options, PASSWORD, Reply, TestApp, spawn_app, spawn_app_with};

both!(
    auth_rate_limit_answers_429,
    health_and_unknown_routes,
    a_body_over_the_limit_answers_413,
    failed_logins_are_limited_per_account,
    authenticated_requests_count_per_user
);

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
        ..RateLimits::default()
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

/// `POST /api/auth/login` from client `ip`, as a trusted proxy would forward it.
async fn login_from(app: &TestApp, ip: &str, email: &str, password: &str) -> Reply {
    let req = app.http.post(format!("{}/api/auth/login", app.base)).header("x-forwarded-for", ip);
    let r = req.json(&serde_json::json!({"email": email, "password": password})).send().await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    Reply { status, headers, body: serde_json::from_str(&text).unwrap_or_default(), text }
}

/// Guesses at one account from many addresses (each under the per-IP limit) are limited per account: 5 wrong
/// passwords, then 429 for that email whatever the address or password, while other accounts log in; an email
/// without an account is limited the same way, so the answer does not tell which emails are registered.
async fn failed_logins_are_limited_per_account(backend: Backend) {
    let app = spawn_app_with(backend, Options { trust_proxy: true, ..Options::default() }).await;
    let (_, victim) = app.signup("victim@b.co").await;
    app.signup("other@b.co").await;
    for i in 0..5 {
        let r = login_from(&app, &format!("203.0.113.{i}"), "victim@b.co", "guess number {i}").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "guess {i}: {}", r.text);
    }
    for (ip, password) in [("198.51.100.1", "guess number 6"), ("198.51.100.2", PASSWORD)] {
        let r = login_from(&app, ip, "Victim@B.co ", password).await;
        assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"), "{}", r.text);
        let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
    }
    // The account's password change counts the same tries.
    let change = serde_json::json!({"current_password": PASSWORD, "new_password": "correct horse battery staple 42"});
    let r = app.post("/api/auth/password", Some(&victim), change).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);

    let other = login_from(&app, "203.0.113.0", "other@b.co", PASSWORD).await;
    assert_eq!(other.status, StatusCode::OK, "another account still logs in: {}", other.text);
    for i in 0..5 {
        let r = login_from(&app, &format!("192.0.2.{i}"), "nobody@b.co", "guess").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    }
    let r = login_from(&app, "192.0.2.9", "nobody@b.co", "guess").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    app.finish().await;
}

/// A request with a valid token counts in its user's bucket: one user's flood is refused while another user behind
/// the same address, and the address's own requests without a token, still pass.
async fn authenticated_requests_count_per_user(backend: Backend) {
    let limits = RateLimits { api_burst: 10, api_refill: Duration::from_secs(60), ..RateLimits::default() };
    let app = spawn_app_with(backend, Options { rate_limits: Some(limits), ..Options::default() }).await;
    let (_, alice) = app.signup("alice@b.co").await; // two requests in the address's bucket
    let (_, bob) = app.signup("bob@b.co").await; // two more
    for i in 0..10 {
        assert_eq!(app.get("/api/auth/me", &alice).await.status, StatusCode::OK, "request {i}");
    }
    let flood = app.get("/api/auth/me", &alice).await;
    assert_eq!((flood.status, flood.code()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"), "{}", flood.text);
    assert!(flood.headers.contains_key("retry-after"));
    for i in 0..8 {
        assert_eq!(app.get("/api/auth/me", &bob).await.status, StatusCode::OK, "bob's request {i}");
    }
    assert_eq!(app.login("bob@b.co", PASSWORD).await.status, StatusCode::OK, "a login counts by address");
    assert_eq!(app.call(Method::GET, "/healthz", None, None).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/auth/me", &alice).await.status, StatusCode::TOO_MANY_REQUESTS, "alice waits");
    app.finish().await;
}
