//! API keys: stored only as ciphertext (read back through the users repository), shown only masked, never in any
//! response whole.

use gridbot_api::crypto;
use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::harness::{Backend, ENCRYPTION_KEY, logs, spawn_app};

both!(keys_are_encrypted_and_only_masked, keys_refuse_bad_input, keys_are_never_logged);

const KEY: &str = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvWxWXYZ";
const SECRET: &str = "SeCrEt0123456789SeCrEt0123456789SeCrEt0123456789SeCrEt0123456789";

async fn keys_are_encrypted_and_only_masked(backend: Backend) {
    let app = spawn_app(backend).await;
    let (id, token) = app.signup("a@b.co").await;
    let empty = app.get("/api/account/api-keys", &token).await;
    assert_eq!(empty.body, json!({"configured": false, "api_key_masked": null}), "{}", empty.text);

    let put = app.put("/api/account/api-keys", &token, json!({"api_key": KEY, "api_secret": SECRET})).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    assert_eq!(put.body, json!({"configured": true, "api_key_masked": "AbCd…WXYZ"}));

    let row = app.db.users().get(id).await.unwrap();
    let (key_enc, secret_enc) = (row.api_key_enc.unwrap(), row.api_secret_enc.unwrap());
    for (stored, plain) in [(&key_enc, KEY), (&secret_enc, SECRET)] {
        assert_ne!(stored, plain);
        assert!(!stored.contains(&plain[..16]), "{stored}");
    }
    assert_eq!(crypto::decrypt(&ENCRYPTION_KEY, id, "api_key", &key_enc).unwrap(), KEY);
    assert_eq!(crypto::decrypt(&ENCRYPTION_KEY, id, "api_secret", &secret_enc).unwrap(), SECRET);

    let get = app.get("/api/account/api-keys", &token).await;
    assert_eq!(get.body, json!({"configured": true, "api_key_masked": "AbCd…WXYZ"}));
    let me = app.get("/api/auth/me", &token).await;
    assert_eq!(me.body["has_api_keys"], true);
    for r in [&put, &get, &me] {
        assert!(!r.text.contains(KEY) && !r.text.contains(SECRET) && !r.text.contains(&key_enc), "{}", r.text);
    }

    let del = app.delete("/api/account/api-keys", &token).await;
    assert_eq!(del.status, StatusCode::NO_CONTENT, "{}", del.text);
    assert_eq!(app.get("/api/account/api-keys", &token).await.body["configured"], false);
    let row = app.db.users().get(id).await.unwrap();
    assert_eq!((row.api_key_enc, row.api_secret_enc), (None, None));
    assert_eq!(app.get("/api/auth/me", &token).await.body["has_api_keys"], false);
    app.finish().await;
}

async fn keys_refuse_bad_input(backend: Backend) {
    let app = spawn_app(backend).await;
    let (id, token) = app.signup("a@b.co").await;
    let cases = [
        (json!({"api_key": "short", "api_secret": SECRET}), "api_key"),
        (json!({"api_key": KEY, "api_secret": "with spaces in the secret value"}), "api_secret"),
        (json!({"api_key": KEY}), "api_secret"),
        (json!({"api_key": 1, "api_secret": SECRET}), "api_key"),
    ];
    for (body, field) in cases {
        let r = app.put("/api/account/api-keys", &token, body.clone()).await;
        assert_eq!((r.status, r.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_owned()]), "{body}");
        assert!(!r.text.contains(SECRET) && !r.text.contains(KEY), "{}", r.text);
    }
    assert_eq!(app.db.users().get(id).await.unwrap().api_key_enc, None);
    app.finish().await;
}

/// Everything the suite logs, at TRACE level, while keys are stored, shown and refused: neither key nor secret
/// appears (the capture is global, so every other test's logs are checked too).
async fn keys_are_never_logged(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    app.put("/api/account/api-keys", &token, json!({"api_key": KEY, "api_secret": SECRET})).await;
    app.get("/api/account/api-keys", &token).await;
    app.put("/api/account/api-keys", &token, json!({"api_key": KEY, "api_secret": "bad secret with spaces"})).await;
    app.finish().await;
    let text = logs().text();
    assert!(text.contains("api keys stored"), "the logs were captured");
    assert!(!text.contains(KEY) && !text.contains(SECRET) && !text.contains(&KEY[..16]), "a key was logged");
}
