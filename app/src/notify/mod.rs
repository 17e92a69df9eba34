//! Notifications: fills, stops, errors and a daily summary, to each user's signed webhook and Telegram chat.
//!
//! **Never in trading's way.** [`Notifier::send`] spawns the delivery and returns at once; each request is bounded
//! ([`NotifySettings::timeout`], 5 s), at most [`PARALLEL`] deliveries run at a time, and a failure is logged
//! (channel and reason, never a secret nor the Telegram URL, which holds the token) and kept as the user's
//! `last_error`, shown by `GET /api/notifications`.
//!
//! **Once per event, however many workers.** A notification is sent by the process that recorded its event, right
//! after the write that only one process can win: a fill's insert (unique per bot and exchange trade id: a retried
//! job's second insert is a conflict and sends nothing), a runtime fill's transaction (written only while its run
//! is current), the compare-and-set status change to `stopped` or `error`, and for a daily summary the
//! compare-and-set of the user's last summarized day. No queue is involved: a notification job would add a second
//! delivery guarantee to reason about (a retried job sends twice) for no gain, since the event's own write already
//! elects one sender. The price is at-most-once: a process killed between the write and the request loses that
//! notification (the event itself is still in the database and on the dashboard).

mod daily;
mod message;
mod telegram;
pub mod webhook;

use std::{sync::Arc, time::Duration};

use gridbot_platform::{
    Db, DbError,
    crypto::decrypt,
    db::{NotificationSettings, types::Bot},
};
use serde::Serialize;
use tokio::sync::Semaphore;

pub use daily::{send_daily_summaries, summary_day};
pub use message::{Kind, Message};

/// The Bot API's host unless `TELEGRAM_API_URL` says otherwise.
pub const DEFAULT_TELEGRAM_API_URL: &str = "https://api.telegram.org";
/// How many deliveries run at once in a process; more wait for a slot.
pub const PARALLEL: usize = 16;

/// How notifications are delivered, as the binary read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifySettings {
    /// `TELEGRAM_API_URL`: the Bot API's base URL (tests point it at a local receiver).
    pub telegram_api_url: String,
    /// The limit of one request to a receiver.
    pub timeout: Duration,
}

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings { telegram_api_url: DEFAULT_TELEGRAM_API_URL.to_owned(), timeout: Duration::from_secs(5) }
    }
}

/// A channel of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Webhook,
    Telegram,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Telegram => "telegram",
        }
    }
}

/// What one channel did with a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub channel: Channel,
    pub delivered: bool,
    /// Why it was not: the receiver's HTTP status, Telegram's `description`, or the connection's error.
    pub error: Option<String>,
}

/// Why a delivery failed, safe to show and to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(pub String);

impl Failure {
    /// A request that got no answer; the URL (the Telegram token is in it) is left out.
    fn from_reqwest(e: reqwest::Error) -> Failure {
        if e.is_timeout() {
            return Failure("no answer in time (timed out)".into());
        }
        let mut cause = String::new();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            cause = s.to_string();
            source = s.source();
        }
        let what = if e.is_connect() { "could not connect" } else { "the request failed" };
        Failure(if cause.is_empty() { what.to_owned() } else { format!("{what}: {cause}") })
    }
}

/// Delivers notifications; cloning shares it.
#[derive(Clone)]
pub struct Notifier {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    telegram_api_url: String,
    /// `ENCRYPTION_KEY`: opens the stored secrets; without it nothing can be sent.
    key: Option<[u8; 32]>,
    slots: Semaphore,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier").field("telegram_api_url", &self.inner.telegram_api_url).finish_non_exhaustive()
    }
}

impl Notifier {
    /// A notifier that opens the stored secrets with `key`.
    pub fn new(settings: NotifySettings, key: Option<[u8; 32]>) -> Notifier {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Gridbot/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        let telegram_api_url = settings.telegram_api_url.trim_end_matches('/').to_owned();
        Notifier { inner: Arc::new(Inner { http, telegram_api_url, key, slots: Semaphore::new(PARALLEL) }) }
    }

    /// Tells `bot`'s user about `msg` in the background, when they want this kind of event.
    pub fn about(&self, db: &Db, bot: &Bot, msg: Message) {
        self.send(db, bot.user_id, msg);
    }

    /// Tells `user_id` about `msg` in the background, when they want this kind of event; returns at once.
    pub fn send(&self, db: &Db, user_id: i64, msg: Message) {
        let (this, db) = (self.clone(), db.clone());
        tokio::spawn(async move { this.send_now(&db, user_id, &msg).await });
    }

    /// Sends a test to every channel `user_id` configured, whatever the toggles; each channel's outcome.
    pub async fn test(&self, db: &Db, user_id: i64) -> Result<Vec<Outcome>, DbError> {
        let settings = db.notifications().get(user_id).await?.unwrap_or_else(|| NotificationSettings::empty(user_id));
        Ok(self.deliver(&settings, &Message::test()).await)
    }

    /// Tells `bot`'s user about each of `msgs` (a job's fills), in order, in the background: their settings are read
    /// once for all of them. Returns at once.
    pub fn about_all(&self, db: &Db, bot: &Bot, msgs: Vec<Message>) {
        if msgs.is_empty() {
            return;
        }
        let (this, db, user_id) = (self.clone(), db.clone(), bot.user_id);
        tokio::spawn(async move { this.send_all_now(&db, user_id, &msgs).await });
    }

    async fn send_now(&self, db: &Db, user_id: i64, msg: &Message) {
        self.send_all_now(db, user_id, std::slice::from_ref(msg)).await;
    }

    async fn send_all_now(&self, db: &Db, user_id: i64, msgs: &[Message]) {
        let settings = match db.reader().notifications().get(user_id).await {
            Ok(Some(s)) if s.enabled => s,
            Ok(_) => return,
            Err(e) => return tracing::warn!(user_id, error = %e, "notification settings not read"),
        };
        for msg in msgs.iter().filter(|m| m.kind.wanted(&settings.on)) {
            self.deliver_recorded(db, &settings, msg).await;
        }
    }

    /// Delivers `msg` and records the outcome as the user's last delivery or last error.
    async fn deliver_recorded(&self, db: &Db, settings: &NotificationSettings, msg: &Message) {
        let outcomes = self.deliver(settings, msg).await;
        if outcomes.is_empty() {
            return;
        }
        let (user_id, event) = (settings.user_id, msg.kind.as_str());
        let mut failed = Vec::new();
        for o in &outcomes {
            match &o.error {
                Some(e) => {
                    tracing::warn!(user_id, bot = ?msg.bot_id, event, channel = o.channel.as_str(), error = %e, "notification not delivered");
                    failed.push(format!("{}: {e}", o.channel.as_str()));
                }
                None => {
                    tracing::debug!(user_id, bot = ?msg.bot_id, event, channel = o.channel.as_str(), "notification delivered")
                }
            }
        }
        let joined = failed.join("; ");
        let outcome = if failed.is_empty() { Ok(()) } else { Err(joined.as_str()) };
        if let Err(e) = db.notifications().record_delivery(user_id, outcome).await {
            tracing::warn!(user_id, error = %e, "notification outcome not recorded");
        }
    }

    /// Sends `msg` to each configured channel at once; one outcome per channel.
    async fn deliver(&self, s: &NotificationSettings, msg: &Message) -> Vec<Outcome> {
        let _slot = self.inner.slots.acquire().await;
        let webhook = async {
            let url = s.webhook_url.as_deref()?;
            let result = match self.open(s.user_id, "webhook_secret", s.webhook_secret_enc.as_deref()) {
                Ok(secret) => webhook::send(&self.inner.http, url, &secret, msg).await,
                Err(e) => Err(e),
            };
            Some(outcome(Channel::Webhook, result))
        };
        let telegram = async {
            let result = match (s.telegram_token_enc.as_deref(), s.telegram_chat_id.as_deref()) {
                (None, None) => return None,
                (Some(token), Some(chat)) => match self.open(s.user_id, "telegram_token", Some(token)) {
                    Ok(token) => {
                        telegram::send(&self.inner.http, &self.inner.telegram_api_url, &token, chat, msg).await
                    }
                    Err(e) => Err(e),
                },
                (None, Some(_)) => Err(Failure("no bot token is set".into())),
                (Some(_), None) => Err(Failure("no chat id is set".into())),
            };
            Some(outcome(Channel::Telegram, result))
        };
        let (w, t) = tokio::join!(webhook, telegram);
        [w, t].into_iter().flatten().collect()
    }

    /// A stored secret, opened.
    fn open(&self, user_id: i64, field: &str, sealed: Option<&str>) -> Result<String, Failure> {
        let sealed = sealed.ok_or_else(|| Failure(format!("no {} is set", field.replace('_', " "))))?;
        let key = self.inner.key.ok_or_else(|| Failure("ENCRYPTION_KEY is not set: secrets cannot be read".into()))?;
        decrypt(&key, user_id, field, sealed)
            .map_err(|_| Failure(format!("the stored {} cannot be read", field.replace('_', " "))))
    }
}

/// `bot` stopped for `reason`, a change this process made: its user is told, unless it was a trailing move (the bot
/// starts again by itself).
pub(crate) fn stopped(ctx: &crate::Ctx, bot: &Bot, reason: &str) {
    if reason != crate::reconcile::TRAILING {
        ctx.notifier.about(&ctx.db, bot, Message::stop(bot, reason));
    }
}

/// `bot` failed with `reason` (`code`: the exchange's error code), a change this process made: its user is told.
pub fn failed(ctx: &crate::Ctx, bot: &Bot, reason: &str, code: Option<i64>) {
    ctx.notifier.about(&ctx.db, bot, Message::error(bot, reason, code));
}

fn outcome(channel: Channel, result: Result<(), Failure>) -> Outcome {
    match result {
        Ok(()) => Outcome { channel, delivered: true, error: None },
        Err(Failure(e)) => Outcome { channel, delivered: false, error: Some(e) },
    }
}
