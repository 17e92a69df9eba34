//! Register, login and `me`; 401 for missing, malformed, tampered, foreign and expired tokens.

use gridbot_api::{RateLimits, jwt};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both;
use crate::harness::{Backend, JWT_SECRET, Options, PASSWORD, spawn_app, spawn_app_with};

both!(
    register_login_me,
    register_refuses_bad_input,
    register_refuses_weak_passwords,
    login_refuses_wrong_credentials,
    bad_tokens_answer_401
);

async fn register_login_me(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.register("Trader@Example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["email"], "trader@example.com");
    let id = r.body["id"].as_i64().unwrap();

    let again = app.register("trader@example.com", PASSWORD).await;
    assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "conflict"), "{}", again.text);

    let l = app.login("TRADER@example.com", PASSWORD).await;
    assert_eq!(l.status, StatusCode::OK, "{}", l.text);
    assert_eq!(l.body["token_type"], "Bearer");
    assert_eq!(l.body["expires_in"], 86_400);
    let token = l.body["access_token"].as_str().unwrap();

    let me = app.get("/api/auth/me", token).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(me.body, json!({"id": id, "email": "trader@example.com", "has_api_keys": false}));
    assert!(!r.text.contains("password") && !l.text.contains(PASSWORD));
    app.finish().await;
}

async fn register_refuses_bad_input(backend: Backend) {
    // More register calls than the default auth burst.
    let limits = RateLimits { auth_burst: 100, ..RateLimits::default() };
    let app = spawn_app_with(backend, Options { rate_limits: Some(limits), ..Options::default() }).await;
    let cases = [
        (json!({"email": "not-an-email", "password": PASSWORD}), "email"),
        (json!({"email": "", "password": PASSWORD}), "email"),
        (json!({"email": "a@b.co", "password": "short"}), "password"),
        (json!({"email": "a@b.co", "password": "x".repeat(73)}), "password"),
        (json!({"email": "a@b.co"}), "password"),
        (json!({"email": 5, "password": PASSWORD}), "email"),
        (json!({"email": "a@b.co", "password": PASSWORD, "admin": true}), "admin"),
        (json!([1, 2]), "body"),
    ];
    for (body, field) in cases {
        let r = app.post("/api/auth/register", None, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.text);
        assert_eq!(r.code(), "validation");
        assert_eq!(r.fields(), vec![field.to_owned()], "{body}: {}", r.text);
    }
    let malformed = app.post_raw("/api/auth/register", None, "application/json", b"{\"email\":".to_vec()).await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", malformed.text);
    let not_json = app.post_raw("/api/auth/register", None, "text/plain", b"hello".to_vec()).await;
    assert_eq!(not_json.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", not_json.text);
    let huge = app.post_raw("/api/auth/register", None, "application/json", vec![b' '; 100 * 1024]).await;
    assert_eq!((huge.status, huge.code()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"), "{}", huge.text);
    app.finish().await;
}

/// zxcvbn's verdict, with its advice as the 422's reason: common passwords, keyboard rows, repeats, sequences and the
/// email itself plus digits are refused; a passphrase passes.
async fn register_refuses_weak_passwords(backend: Backend) {
    let limits = RateLimits { auth_burst: 100, ..RateLimits::default() };
    let app = spawn_app_with(backend, Options { rate_limits: Some(limits), ..Options::default() }).await;
    let email = "satoshi@example.com";
    for weak in ["aaaaaaaaaa", "password123", "Password1!", "qwertyuiop", "1234567890", "satoshi@example.com2024"] {
        let r = app.register(email, weak).await;
        assert_eq!((r.status, r.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["password".to_owned()]), "{weak}");
        let reason = r.body["error"]["fields"]["password"].as_str().unwrap();
        assert!(reason.starts_with("is too easy to guess. ") && reason.len() > 30, "{weak}: {reason}");
        assert!(r.body["error"]["message"].as_str().unwrap().starts_with("password: is too easy to guess"));
    }
    let common = app.register(email, "password123").await;
    assert!(common.text.contains("common password"), "{}", common.text);
    let r = app.register(email, "correct horse battery staple 42").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(app.login(email, "correct horse battery staple 42").await.status, StatusCode::OK);
    app.finish().await;
}

async fn login_refuses_wrong_credentials(backend: Backend) {
    let app = spawn_app(backend).await;
    app.signup("a@b.co").await;
    for (email, password) in [("a@b.co", "wrong password!"), ("nobody@b.co", PASSWORD)] {
        let r = app.login(email, password).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "unauthorized"), "{}", r.text);
        assert!(r.body["error"].get("fields").is_none());
    }
    app.finish().await;
}

async fn bad_tokens_answer_401(backend: Backend) {
    let app = spawn_app(backend).await;
    let (id, token) = app.signup("a@b.co").await;
    let mut tampered = token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let expired = jwt::sign(JWT_SECRET, &jwt::Claims::new(id, 0, now - 120, now - 60)).unwrap();
    let foreign =
        jwt::issue(b"some other secret of thirty-two bytes!!", id, 0, std::time::Duration::from_secs(60)).unwrap();
    let unknown_user = jwt::issue(JWT_SECRET, id + 1000, 0, std::time::Duration::from_secs(60)).unwrap();

    let none = app.call(Method::GET, "/api/auth/me", None, None).await;
    assert_eq!((none.status, none.code()), (StatusCode::UNAUTHORIZED, "unauthorized"));
    for bad in [&tampered, &expired, &foreign, &unknown_user, &"garbage".to_owned()] {
        let r = app.get("/api/auth/me", bad).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNAUTHORIZED, "unauthorized"), "{bad}: {}", r.text);
    }
    let basic = app
        .http
        .get(format!("{}/api/auth/me", app.base))
        .header("authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
    for path in ["/api/bots", "/api/bots/1", "/api/account/api-keys", "/api/market/symbols"] {
        let r = app.call(Method::GET, path, None, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}: {}", r.text);
        let r = app.get(path, &expired).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}: {}", r.text);
        // A well-signed token of a user that does not exist is refused everywhere, not only by /me.
        let r = app.get(path, &unknown_user).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}: {}", r.text);
    }
    for (path, body) in [("/api/bots", serde_json::json!({})), ("/api/ai/optimize", serde_json::json!({}))] {
        let r = app.post(path, Some(&unknown_user), body).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}: {}", r.text);
    }
    assert_eq!(app.get("/api/auth/me", &token).await.status, StatusCode::OK);
    app.finish().await;
}
