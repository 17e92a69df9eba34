//! Notifications end to end: a paper bot's fills and its stop, booked by the workers (two processes' worth on
//! PostgreSQL with Redis), each reach the user's webhook exactly once, with the figures the books hold.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{Router, body::Bytes, extract::State};
use gridbot_platform::{
    crypto::encrypt,
    db::{
        NotificationUpdate, NotifyOn, SecretChange,
        types::{BotMode, BotStatus},
    },
};
use rust_decimal_macros::dec;
use serde_json::Value;

use crate::grid::{config, settled};
use crate::harness::{Backend, KEY, Stack};

/// A webhook receiver on 127.0.0.1:0 that keeps every body it gets (and answers 200).
struct Hook {
    url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Hook {
    async fn start() -> Hook {
        let bodies: Arc<Mutex<Vec<Value>>> = Arc::default();
        let app = Router::new()
            .fallback(|State(b): State<Arc<Mutex<Vec<Value>>>>, body: Bytes| async move {
                b.lock().unwrap().push(serde_json::from_slice(&body).unwrap_or(Value::Null));
            })
            .with_state(Arc::clone(&bodies));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/gridbot", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Hook { url, bodies }
    }

    fn of(&self, event: &str) -> Vec<Value> {
        self.bodies.lock().unwrap().iter().filter(|b| b["event"] == event).cloned().collect()
    }
}

/// `user`'s notifications, every event, to `hook`.
async fn notify(stack: &Stack, user: i64, hook: &Hook) {
    let secret = encrypt(&KEY, user, "webhook_secret", "whsec_e2e").unwrap();
    let update = NotificationUpdate {
        enabled: true,
        webhook_url: Some(hook.url.clone()),
        telegram_chat_id: None,
        on: NotifyOn::default(),
        webhook_secret: SecretChange::Set(secret),
        telegram_token: SecretChange::Keep,
    };
    stack.db().notifications().save(user, &update).await.unwrap();
}

async fn run(backend: Backend, workers: usize) {
    let hook = Hook::start().await;
    let stack = Stack::start(backend, workers).await;
    stack.price(dec!(100000)).await;
    let user = stack.user().await;
    notify(&stack, user, &hook).await;
    let bot = stack.bot(user, BotMode::Paper, config()).await;
    stack.run_bot(&bot).await;
    settled(&stack, bot.id, 0).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // A buy at 99,000, then its sale at 100,000: a round trip, beside the initial buy.
    stack.price(dec!(98900)).await;
    settled(&stack, bot.id, 1).await;
    stack.price(dec!(100100)).await;
    settled(&stack, bot.id, 2).await;

    let fills = stack.db().fills().list_for_bot(bot.id).await.unwrap();
    assert_eq!(fills.len(), 3, "the initial buy and a round trip: {fills:?}");
    stack.until(10, "a webhook per fill", || async { hook.of("fill").len() >= fills.len() }).await;
    // Room for a duplicate to arrive, were one sent.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let sent = hook.of("fill");
    let mut ids: HashMap<String, &Value> = HashMap::new();
    for body in &sent {
        assert!(ids.insert(body["id"].as_str().unwrap().to_owned(), body).is_none(), "sent twice: {body}");
    }
    assert_eq!(sent.len(), fills.len(), "one webhook per fill: {sent:?}");
    for f in &fills {
        let body =
            ids.get(&format!("fill-{}-{}", bot.id.0, f.order_id)).unwrap_or_else(|| panic!("no webhook for {f:?}"));
        assert_eq!((body["bot_id"].as_i64(), body["side"].as_str()), (Some(bot.id.0), Some(f.side.as_str())));
        assert_eq!(body["price"].as_str(), Some(f.price.get().normalize().to_string().as_str()));
        assert_eq!(body["qty"].as_str(), Some(f.qty.get().normalize().to_string().as_str()));
        let pnl = f.pnl.map(|p| Value::String(p.normalize().to_string())).unwrap_or(Value::Null);
        assert_eq!(body["pnl"], pnl, "the sale carries its realized P&L");
    }

    // Stopped by the user: one stop, saying so.
    let b = stack.db().bots().get(bot.id).await.unwrap();
    gridbot_app::commands::stop(&stack.ctx, &b, false).await.unwrap();
    stack.until(20, "the bot to stop", || async { stack.status(bot.id).await == BotStatus::Stopped }).await;
    stack.until(10, "the stop's webhook", || async { !hook.of("stop").is_empty() }).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let stops = hook.of("stop");
    assert_eq!(stops.len(), 1, "{stops:?}");
    assert_eq!((stops[0]["reason"].as_str(), stops[0]["bot_id"].as_i64()), (Some("user"), Some(bot.id.0)));
    let settings = stack.db().notifications().get(user).await.unwrap().unwrap();
    assert!(settings.last_delivered_at.is_some() && settings.last_error.is_none(), "{settings:?}");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_paper_bots_fills_and_stop_reach_the_webhook_once_on_sqlite() {
    run(Backend::Sqlite, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_paper_bots_fills_and_stop_reach_the_webhook_once_on_postgres_with_two_workers() {
    run(Backend::Postgres, 2).await;
}

/// A live bot whose stored key the exchange refuses: its start fails for good, and its user hears of it once, with
/// the exchange's error code.
async fn refused(backend: Backend) {
    let hook = Hook::start().await;
    let stack = Stack::start(backend, 1).await;
    stack.price(dec!(100000)).await;
    let user = stack.db().users().create(&format!("{}@e2e.test", uuid::Uuid::new_v4().simple()), "x").await.unwrap();
    let key = encrypt(&KEY, user.id, "api_key", "not-a-key-of-the-exchange").unwrap();
    let secret = encrypt(&KEY, user.id, "api_secret", "not-its-secret").unwrap();
    stack.db().users().set_api_keys(user.id, &key, &secret).await.unwrap();
    notify(&stack, user.id, &hook).await;
    let bot = stack.bot(user.id, BotMode::Live, config()).await;
    gridbot_app::commands::start(&stack.ctx, &bot).await.unwrap();
    stack.until(60, "the bot to fail", || async { stack.status(bot.id).await == BotStatus::Error }).await;
    stack.until(10, "the error's webhook", || async { !hook.of("error").is_empty() }).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let errors = hook.of("error");
    assert_eq!(errors.len(), 1, "{errors:?}");
    let reason = stack.db().bots().get(bot.id).await.unwrap().stop_reason.unwrap();
    assert_eq!((errors[0]["bot_id"].as_i64(), errors[0]["message"].as_str()), (Some(bot.id.0), Some(reason.as_str())));
    let code = errors[0]["code"].as_i64();
    assert!(matches!(code, Some(-2015 | -2014 | -1022)), "the exchange's code: {:?} ({reason})", errors[0]);
    assert_eq!(errors[0]["mode"], "live");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bot_the_exchange_refuses_reaches_the_webhook_once_with_its_code_on_sqlite() {
    refused(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bot_the_exchange_refuses_reaches_the_webhook_once_with_its_code_on_postgres() {
    refused(Backend::Postgres).await;
}
