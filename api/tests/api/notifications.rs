//! Notifications: settings with write-only secrets (sealed at rest, never returned or logged), the test button
//! against local receivers (a signed webhook checked here with HMAC-SHA256, Telegram's Bot API path, chat and text),
//! each channel's failure reported with a 200, and the daily summary sent once per user and day.

use std::sync::Arc;

use gridbot_api::crypto;
use gridbot_app::notify::{NotifySettings, send_daily_summaries};
use gridbot_core::BotId;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::both;
use crate::fixtures::{config, fake_run};
use crate::harness::{Backend, Customize, ENCRYPTION_KEY, Options, TestApp, logs, spawn_app, spawn_app_with};
use crate::receiver::Receiver;

both!(
    settings_keep_secrets_write_only,
    bad_settings_are_a_422_naming_the_field,
    the_test_reaches_a_signed_webhook_and_telegram,
    failing_receivers_answer_per_channel_with_a_200,
    the_daily_summary_goes_once_per_day,
    notification_secrets_are_never_logged,
);

const TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

fn settings(webhook: Option<&str>, chat: Option<&str>, token: Option<&str>) -> Value {
    let mut body = json!({"enabled": true, "webhook_url": webhook, "telegram_chat_id": chat, "notify_fills": true,
        "notify_stops": true, "notify_errors": false, "notify_daily_summary": true});
    if let Some(t) = token {
        body["telegram_token"] = json!(t);
    }
    body
}

/// The app with Telegram's Bot API at `telegram` (a local receiver).
async fn app_with_telegram(backend: Backend, telegram: &str) -> TestApp {
    let url = telegram.to_owned();
    let customize: Customize = Arc::new(move |mut ctx| {
        let settings = NotifySettings { telegram_api_url: url.clone(), ..NotifySettings::default() };
        ctx.rt = ctx.rt.with_notify_settings(settings);
        ctx
    });
    spawn_app_with(backend, Options { customize: Some(customize), ..Options::default() }).await
}

/// Checks `X-Gridbot-Signature` as a receiver would: HMAC-SHA256 of `timestamp.body` keyed by the secret.
fn signed_by(secret: &str, timestamp: &str, body: &[u8], signature: &str) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    signature
        .strip_prefix("sha256=")
        .and_then(|h| hex::decode(h).ok())
        .is_some_and(|sig| mac.verify_slice(&sig).is_ok())
}

async fn settings_keep_secrets_write_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let (id, token) = app.signup("n@b.co").await;
    let empty = app.get("/api/notifications", &token).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.text);
    assert_eq!(
        (&empty.body["enabled"], &empty.body["webhook_url"], &empty.body["telegram_token_set"]),
        (&json!(true), &Value::Null, &json!(false))
    );

    let put = app
        .put("/api/notifications", &token, settings(Some("https://hooks.example.com/gb"), Some("-100123"), Some(TOKEN)))
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    let secret = put.body["webhook_secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_") && secret.len() > 40, "{secret}");
    assert_eq!((&put.body["webhook_secret_set"], &put.body["telegram_token_set"]), (&json!(true), &json!(true)));
    assert_eq!((&put.body["telegram_chat_id"], &put.body["notify_errors"]), (&json!("-100123"), &json!(false)));

    let row = app.db.notifications().get(id).await.unwrap().unwrap();
    let (secret_enc, token_enc) = (row.webhook_secret_enc.unwrap(), row.telegram_token_enc.unwrap());
    assert!(!secret_enc.contains(&secret[6..20]) && !token_enc.contains(&TOKEN[10..]), "sealed at rest");
    assert_eq!(crypto::decrypt(&ENCRYPTION_KEY, id, "webhook_secret", &secret_enc).unwrap(), secret);
    assert_eq!(crypto::decrypt(&ENCRYPTION_KEY, id, "telegram_token", &token_enc).unwrap(), TOKEN);

    // Saved again without the token and with the webhook: both secrets stay, and no secret is shown again.
    let again = app
        .put("/api/notifications", &token, settings(Some("https://hooks.example.com/gb"), Some("-100123"), None))
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert!(again.body.get("webhook_secret").is_none(), "{}", again.text);
    assert_eq!(again.body["telegram_token_set"], true);
    let get = app.get("/api/notifications", &token).await;
    for r in [&put, &again, &get] {
        assert!(!r.text.contains(TOKEN) && !r.text.contains(&secret_enc) && !r.text.contains(&token_enc), "{}", r.text);
    }
    assert!(!get.text.contains(&secret), "{}", get.text);

    // Rotating shows a new secret once; an empty token removes it.
    let rotated = app.post("/api/notifications/webhook-secret", Some(&token), json!({})).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text);
    let new_secret = rotated.body["webhook_secret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    let sealed = app.db.notifications().get(id).await.unwrap().unwrap().webhook_secret_enc.unwrap();
    assert_eq!(crypto::decrypt(&ENCRYPTION_KEY, id, "webhook_secret", &sealed).unwrap(), new_secret);
    assert!(!app.get("/api/notifications", &token).await.text.contains(new_secret));
    let cleared = app.put("/api/notifications", &token, settings(None, None, Some(""))).await;
    assert_eq!((&cleared.body["telegram_token_set"], &cleared.body["webhook_url"]), (&json!(false), &Value::Null));

    // Another user sees their own defaults.
    let (_, other) = app.signup("other@b.co").await;
    assert_eq!(app.get("/api/notifications", &other).await.body["webhook_secret_set"], false);
    app.finish().await;
}

async fn bad_settings_are_a_422_naming_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let (id, token) = app.signup("n@b.co").await;
    let mut unknown = settings(None, None, None);
    unknown["webhook_secret"] = json!("mine");
    let mut wrong_type = settings(None, None, None);
    wrong_type["notify_fills"] = json!("yes");
    let mut missing = settings(None, None, None);
    missing.as_object_mut().unwrap().remove("enabled");
    let cases = [
        (settings(Some("ftp://example.com/x"), None, None), "webhook_url"),
        (settings(Some("not a url"), None, None), "webhook_url"),
        (settings(Some("https://user:pw@example.com/"), None, None), "webhook_url"),
        (settings(Some(&format!("https://example.com/{}", "a".repeat(3000))), None, None), "webhook_url"),
        (settings(None, Some("chat"), None), "telegram_chat_id"),
        (settings(None, Some("1"), Some("123:short/../../x")), "telegram_token"),
        (unknown, "webhook_secret"),
        (wrong_type, "notify_fills"),
        (missing, "enabled"),
    ];
    for (body, field) in cases {
        let r = app.put("/api/notifications", &token, body.clone()).await;
        assert_eq!((r.status, r.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_owned()]), "{body}");
        assert!(!r.text.contains("short/../../x"), "the token is not echoed: {}", r.text);
    }
    let huge = json!({"enabled": true, "webhook_url": "x".repeat(2_000_000)});
    assert_eq!(app.put("/api/notifications", &token, huge).await.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(app.db.notifications().get(id).await.unwrap().is_none(), "nothing was saved");
    app.finish().await;
}

async fn the_test_reaches_a_signed_webhook_and_telegram(backend: Backend) {
    let webhook = Receiver::start(200, json!({"received": true})).await;
    let telegram = Receiver::start(200, json!({"ok": true, "result": {"message_id": 1}})).await;
    let app = app_with_telegram(backend, &telegram.url).await;
    let (_, token) = app.signup("n@b.co").await;
    let put = app
        .put(
            "/api/notifications",
            &token,
            settings(Some(&format!("{}/hook", webhook.url)), Some("-100123"), Some(TOKEN)),
        )
        .await;
    let secret = put.body["webhook_secret"].as_str().unwrap().to_owned();

    let r = app.post("/api/notifications/test", Some(&token), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.body["results"],
        json!([{"channel": "webhook", "delivered": true, "error": null},
               {"channel": "telegram", "delivered": true, "error": null}])
    );

    let hook = &webhook.wait_for(1).await[0];
    assert_eq!((hook.path.as_str(), hook.header("content-type").as_str()), ("/hook", "application/json"));
    let (ts, sig) = (hook.header("x-gridbot-timestamp"), hook.header("x-gridbot-signature"));
    assert!(signed_by(&secret, &ts, &hook.body, &sig), "signature {sig} over {ts}");
    assert!(!signed_by("whsec_wrong", &ts, &hook.body, &sig), "the check can fail");
    let body = hook.json();
    assert_eq!((&body["event"], &body["bot_id"]), (&json!("test"), &Value::Null));
    assert!(chrono::DateTime::parse_from_rfc3339(body["time"].as_str().unwrap()).is_ok(), "{body}");
    let sent_at: i64 = ts.parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - sent_at).abs() < 300, "a current timestamp: {ts}");

    let tg = &telegram.wait_for(1).await[0];
    assert_eq!(tg.path, format!("/bot{TOKEN}/sendMessage"));
    let msg = tg.json();
    assert_eq!(msg["chat_id"], json!(-100123));
    assert!(msg["text"].as_str().unwrap().contains("test notification"), "{msg}");
    assert!(msg.get("parse_mode").is_none(), "plain text");
    app.finish().await;
}

async fn failing_receivers_answer_per_channel_with_a_200(backend: Backend) {
    let webhook = Receiver::start(500, json!({"oops": true})).await;
    let telegram =
        Receiver::start(400, json!({"ok": false, "error_code": 400, "description": "Bad Request: chat not found"}))
            .await;
    let app = app_with_telegram(backend, &telegram.url).await;
    let (_, token) = app.signup("n@b.co").await;

    let none = app.post("/api/notifications/test", Some(&token), json!({})).await;
    assert_eq!((none.status, &none.body["results"]), (StatusCode::OK, &json!([])), "no channel: nothing to test");

    app.put("/api/notifications", &token, settings(Some(&webhook.url), Some("42"), Some(TOKEN))).await;
    let r = app.post("/api/notifications/test", Some(&token), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let results = r.body["results"].as_array().unwrap();
    assert_eq!((results[0]["channel"].as_str(), &results[0]["delivered"]), (Some("webhook"), &json!(false)));
    assert_eq!(results[0]["error"], "the receiver answered HTTP 500 Internal Server Error");
    assert_eq!((results[1]["channel"].as_str(), &results[1]["delivered"]), (Some("telegram"), &json!(false)));
    assert_eq!(results[1]["error"], "Telegram answered 400: Bad Request: chat not found");
    assert!(!r.text.contains(TOKEN), "{}", r.text);

    // Nobody listens on port 9: a connection refused, said so. Half a Telegram setup says what is missing.
    app.put("/api/notifications", &token, settings(Some("http://127.0.0.1:9/hook"), None, None)).await;
    let r = app.post("/api/notifications/test", Some(&token), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let error = r.body["results"][0]["error"].as_str().unwrap();
    assert!(error.starts_with("could not connect"), "{error}");
    assert_eq!(r.body["results"][1], json!({"channel": "telegram", "delivered": false, "error": "no chat id is set"}));
    app.finish().await;
}

async fn the_daily_summary_goes_once_per_day(backend: Backend) {
    let webhook = Receiver::start(200, json!({})).await;
    let app = spawn_app(backend).await;
    let (id, token) = app.signup("n@b.co").await;
    let put = app.put("/api/notifications", &token, settings(Some(&webhook.url), None, None)).await;
    let secret = put.body["webhook_secret"].as_str().unwrap().to_owned();
    let body = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": config("500")});
    let bot = app.post("/api/bots", Some(&token), body).await.body["id"].as_i64().unwrap();
    let run = fake_run(&app.db, BotId(bot), None).await;
    // A user who wants summaries but has no channel gets none, and is not counted.
    let (_, quiet) = app.signup("quiet@b.co").await;
    assert_eq!(app.put("/api/notifications", &quiet, settings(None, None, None)).await.status, StatusCode::OK);

    let today = chrono::Utc::now().date_naive();
    assert_eq!(send_daily_summaries(&app.db, &app.rt.notifier, today).await.unwrap(), 1);
    assert_eq!(send_daily_summaries(&app.db, &app.rt.notifier, today).await.unwrap(), 0, "once per day");
    let got = webhook.wait_for(1).await;
    let summary = got[0].json();
    assert!(signed_by(
        &secret,
        &got[0].header("x-gridbot-timestamp"),
        &got[0].body,
        &got[0].header("x-gridbot-signature")
    ));
    assert_eq!((&summary["event"], &summary["date"]), (&json!("daily_summary"), &json!(today.to_string())));
    let row = &summary["bots"][0];
    assert_eq!(
        (row["bot_id"].as_i64(), row["fills"].as_u64(), row["round_trips"].as_u64()),
        (Some(bot), Some(3), Some(1))
    );
    let realized = run.realized.normalize().to_string();
    assert_eq!((row["realized_pnl"].as_str(), row["quote_asset"].as_str()), (Some(realized.as_str()), Some("USDT")));
    assert_eq!(summary["total_realized_pnl"], json!({"USDT": realized}));

    // The next day is sent again; the delivery is recorded.
    let tomorrow = today.succ_opt().unwrap();
    assert_eq!(send_daily_summaries(&app.db, &app.rt.notifier, tomorrow).await.unwrap(), 1);
    let got = webhook.wait_for(2).await;
    assert_eq!(got[1].json()["bots"], json!([]), "the bot is stopped and did not trade that day");
    assert!(app.db.notifications().get(id).await.unwrap().unwrap().last_delivered_at.is_some());
    app.finish().await;
}

/// Everything the suite logs while secrets are saved, refused and used: no token or signing secret appears (the
/// capture is global, so every other test's logs are checked too).
async fn notification_secrets_are_never_logged(backend: Backend) {
    let telegram = Receiver::start(401, json!({"ok": false, "description": "Unauthorized"})).await;
    let app = app_with_telegram(backend, &telegram.url).await;
    let (_, token) = app.signup("n@b.co").await;
    let put =
        app.put("/api/notifications", &token, settings(Some("http://127.0.0.1:9/x"), Some("42"), Some(TOKEN))).await;
    let secret = put.body["webhook_secret"].as_str().unwrap().to_owned();
    app.put("/api/notifications", &token, settings(None, Some("42"), Some("999:not a token with spaces"))).await;
    let rotated = app.post("/api/notifications/webhook-secret", Some(&token), json!({})).await;
    let rotated = rotated.body["webhook_secret"].as_str().unwrap().to_owned();
    let r = app.post("/api/notifications/test", Some(&token), json!({})).await;
    assert_eq!(r.body["results"][1]["error"], "Telegram answered 401: Unauthorized", "{}", r.text);
    app.finish().await;
    let text = logs().text();
    assert!(text.contains("test notification sent"), "the logs were captured");
    for s in [TOKEN, &TOKEN[10..], &secret, &secret[6..], &rotated, "not a token with spaces"] {
        assert!(!text.contains(s), "a secret was logged: {s}");
    }
}
