//! Ending sessions: logout revokes one token, "log out everywhere" every token of the user (HTTP and WebSockets), a
//! password change every other token and answers a fresh one; another API process over the same database refuses
//! them within the session cache's TTL.

use std::time::{Duration, Instant};

use gridbot_api::{routes::ws::RECHECK, sessions::TTL};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both;
use crate::harness::{Backend, PASSWORD, TestApp, close_code, close_code_within, spawn_app};

both!(logout_revokes_only_that_token, logout_everywhere_ends_every_session, a_password_change_ends_other_sessions);

const NEW_PASSWORD: &str = "correct horse battery staple 42";

async fn me(app: &TestApp, token: &str) -> StatusCode {
    app.get("/api/auth/me", token).await.status
}

/// A second token of a registered user.
async fn login(app: &TestApp, email: &str, password: &str) -> String {
    let r = app.login(email, password).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["access_token"].as_str().unwrap().to_owned()
}

/// Polls `GET /api/auth/me` at `base` until it answers 401; how long that took.
async fn refused_within(app: &TestApp, base: &str, token: &str, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let status = app.get_at(base, "/api/auth/me", token).await.status;
        if status == StatusCode::UNAUTHORIZED {
            return start.elapsed();
        }
        assert_eq!(status, StatusCode::OK);
        assert!(start.elapsed() < limit, "still accepted after {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn logout_revokes_only_that_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, first) = app.signup("trader@b.co").await;
    let second = login(&app, "trader@b.co", PASSWORD).await;
    let peer = app.peer().await;
    assert_eq!(app.get_at(&peer.base, "/api/auth/me", &first).await.status, StatusCode::OK, "the peer knows it");
    let mut socket = app.ws("/ws/market/BTCUSDT", Some(&first)).await;
    let mut other_socket = app.ws("/ws/market/BTCUSDT", Some(&second)).await;

    let r = app.call(Method::POST, "/api/auth/logout", Some(&first), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(me(&app, &first).await, StatusCode::UNAUTHORIZED, "refused at once by the process that logged out");
    assert_eq!(me(&app, &second).await, StatusCode::OK, "the user's other token still works");
    let again = app.call(Method::POST, "/api/auth/logout", Some(&first), None).await;
    assert_eq!((again.status, again.code()), (StatusCode::UNAUTHORIZED, "unauthorized"), "{}", again.text);
    assert_eq!(close_code_within(&mut socket, RECHECK + Duration::from_secs(2)).await, Some(4401));

    // Another process over the same database refuses it within the cache's TTL; the other token still works there.
    let took = refused_within(&app, &peer.base, &first, TTL + Duration::from_secs(2)).await;
    assert!(took <= TTL + Duration::from_secs(1), "{took:?}");
    assert_eq!(app.get_at(&peer.base, "/api/auth/me", &second).await.status, StatusCode::OK);
    assert_eq!(me(&app, &second).await, StatusCode::OK);
    let open = tokio::time::timeout(RECHECK * 2, futures_util::StreamExt::next(&mut other_socket)).await;
    assert!(open.is_err(), "the other token's socket stays open: {open:?}");
    app.finish().await;
}

async fn logout_everywhere_ends_every_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, first) = app.signup("trader@b.co").await;
    let second = login(&app, "trader@b.co", PASSWORD).await;
    let (_, bystander) = app.signup("bystander@b.co").await;
    let peer = app.peer().await;
    let mut here = app.ws("/ws/market/BTCUSDT", Some(&second)).await;
    let mut there = peer.ws("/ws/market/BTCUSDT", &first).await;
    assert_eq!(app.get_at(&peer.base, "/api/auth/me", &second).await.status, StatusCode::OK);

    let r = app.call(Method::POST, "/api/auth/logout-all", Some(&first), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    for token in [&first, &second] {
        let r = app.get("/api/auth/me", token).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "unauthorized"), "{}", r.text);
    }
    assert_eq!(close_code_within(&mut here, RECHECK + Duration::from_secs(2)).await, Some(4401));
    // The other process: within its cache's TTL, for HTTP and for its open socket.
    refused_within(&app, &peer.base, &second, TTL + Duration::from_secs(2)).await;
    assert_eq!(close_code_within(&mut there, TTL + RECHECK + Duration::from_secs(2)).await, Some(4401));
    // A refused token cannot open a socket either.
    let mut late = app.ws("/ws/market/BTCUSDT", Some(&first)).await;
    assert_eq!(close_code(&mut late).await, Some(4401));

    assert_eq!(me(&app, &bystander).await, StatusCode::OK, "other users are untouched");
    let fresh = login(&app, "trader@b.co", PASSWORD).await;
    assert_eq!(me(&app, &fresh).await, StatusCode::OK, "logging in again works");
    assert_eq!(app.get_at(&peer.base, "/api/auth/me", &fresh).await.status, StatusCode::OK);
    app.finish().await;
}

async fn a_password_change_ends_other_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, caller) = app.signup("trader@b.co").await;
    let other = login(&app, "trader@b.co", PASSWORD).await;
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});

    // Refusals change nothing: a wrong current password, a weak or unchanged new one, a malformed body.
    let wrong = app.post("/api/auth/password", Some(&caller), change("not my password", NEW_PASSWORD)).await;
    assert_eq!((wrong.status, wrong.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["current_password".into()]));
    let weak = app.post("/api/auth/password", Some(&caller), change(PASSWORD, "password123")).await;
    assert_eq!((weak.status, weak.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["new_password".into()]));
    let advice = weak.body["error"]["fields"]["new_password"].as_str().unwrap();
    assert!(advice.starts_with("is too easy to guess. ") && advice.contains("common password"), "{advice}");
    let same = app.post("/api/auth/password", Some(&caller), change(PASSWORD, PASSWORD)).await;
    assert_eq!((same.status, same.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["new_password".into()]));
    let missing = app.post("/api/auth/password", Some(&caller), json!({"new_password": NEW_PASSWORD})).await;
    assert_eq!((missing.status, missing.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["current_password".into()]));
    let anonymous = app.post("/api/auth/password", None, change(PASSWORD, NEW_PASSWORD)).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!((me(&app, &caller).await, me(&app, &other).await), (StatusCode::OK, StatusCode::OK));

    let r = app.post("/api/auth/password", Some(&caller), change(PASSWORD, NEW_PASSWORD)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.body["token_type"].as_str(), r.body["expires_in"].as_u64()), (Some("Bearer"), Some(86_400)));
    assert!(!r.text.contains(NEW_PASSWORD));
    let fresh = r.body["access_token"].as_str().unwrap();
    assert_eq!(me(&app, fresh).await, StatusCode::OK, "the answered token works");
    assert_eq!(me(&app, &caller).await, StatusCode::UNAUTHORIZED, "the token it was changed with is replaced");
    assert_eq!(me(&app, &other).await, StatusCode::UNAUTHORIZED, "every other session is logged out");
    assert_eq!(app.login("trader@b.co", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    login(&app, "trader@b.co", NEW_PASSWORD).await;
    app.finish().await;
}
