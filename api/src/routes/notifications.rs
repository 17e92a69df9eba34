//! `GET/PUT /api/notifications`, `POST /api/notifications/webhook-secret` and `POST /api/notifications/test`: where a
//! user's notifications go (a signed webhook, a Telegram chat) and which events. The webhook's signing secret is made
//! here, shown once (in the answer that made it) and stored sealed; the Telegram bot token is write-only. Neither is
//! ever returned again nor logged. A test answers 200 with each channel's outcome, whatever the receivers did.

use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use gridbot_app::notify::{Outcome, webhook};
use gridbot_platform::db::{NotificationSettings, NotificationUpdate, NotifyOn, SecretChange};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    ApiContext,
    auth::AuthUser,
    crypto,
    error::{ApiError, ApiResult},
    extract::ApiJson,
    openapi::ErrorBody,
};

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new()
        .routes(routes!(get_notifications, save_notifications))
        .routes(routes!(rotate_webhook_secret))
        .routes(routes!(test_notifications))
}

/// A user's notification settings. Secrets are never shown: only whether they are set.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationsOut {
    /// Off: nothing is sent (a test still is).
    pub enabled: bool,
    /// Where the signed JSON is posted (`http` or `https`); null: no webhook.
    pub webhook_url: Option<String>,
    pub webhook_secret_set: bool,
    pub telegram_token_set: bool,
    /// The Telegram chat (a number, or `@channel`); null: no Telegram.
    pub telegram_chat_id: Option<String>,
    pub notify_fills: bool,
    pub notify_stops: bool,
    pub notify_errors: bool,
    /// Each bot's P&L for the day, at 00:00 UTC.
    pub notify_daily_summary: bool,
    /// The last notification every channel took.
    pub last_delivered_at: Option<DateTime<Utc>>,
    /// The last failed delivery: the channel and the receiver's error (cleared when the settings are saved).
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// The webhook's signing secret, only in the answer that made it (the first save with a webhook URL): store it
    /// now, it is never shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<String>,
}

impl From<NotificationSettings> for NotificationsOut {
    fn from(s: NotificationSettings) -> Self {
        NotificationsOut {
            enabled: s.enabled,
            webhook_url: s.webhook_url,
            webhook_secret_set: s.webhook_secret_enc.is_some(),
            telegram_token_set: s.telegram_token_enc.is_some(),
            telegram_chat_id: s.telegram_chat_id,
            notify_fills: s.on.fill,
            notify_stops: s.on.stop,
            notify_errors: s.on.error,
            notify_daily_summary: s.on.daily_summary,
            last_delivered_at: s.last_delivered_at,
            last_error: s.last_error,
            last_error_at: s.last_error_at,
            webhook_secret: None,
        }
    }
}

/// Every setting; the Telegram token is write-only.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationsIn {
    pub enabled: bool,
    /// `http://` or `https://`, at most 2048 characters, no credentials in it; null or empty: no webhook.
    pub webhook_url: Option<String>,
    /// A chat id (an integer, negative for groups) or a public `@channel`; null or empty: no Telegram.
    pub telegram_chat_id: Option<String>,
    /// The bot token from @BotFather (`123456:ABC…`). Absent or null keeps the stored one; empty removes it.
    pub telegram_token: Option<String>,
    pub notify_fills: bool,
    pub notify_stops: bool,
    pub notify_errors: bool,
    pub notify_daily_summary: bool,
}

impl std::fmt::Debug for NotificationsIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationsIn").field("enabled", &self.enabled).finish_non_exhaustive()
    }
}

/// A new signing secret, shown this once.
#[derive(Serialize, ToSchema)]
pub struct WebhookSecretOut {
    /// `whsec_…`: the HMAC-SHA256 key of `X-Gridbot-Signature`.
    pub webhook_secret: String,
}

impl std::fmt::Debug for WebhookSecretOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecretOut { <redacted> }")
    }
}

/// What one channel did with the test.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelResultOut {
    /// `webhook` or `telegram`.
    pub channel: &'static str,
    pub delivered: bool,
    /// Why not: the receiver's HTTP status, Telegram's `description`, or the connection's error.
    pub error: Option<String>,
}

/// One result per configured channel; none when no channel is configured.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestOut {
    pub results: Vec<ChannelResultOut>,
}

impl From<Outcome> for ChannelResultOut {
    fn from(o: Outcome) -> Self {
        ChannelResultOut { channel: o.channel.as_str(), delivered: o.delivered, error: o.error }
    }
}

#[utoipa::path(get, path = "/api/notifications", tag = "notifications", security(("bearer" = [])), responses(
    (status = 200, body = NotificationsOut)))]
async fn get_notifications(State(ctx): State<ApiContext>, user: AuthUser) -> ApiResult<Json<NotificationsOut>> {
    let settings = ctx.db.notifications().get(user.id).await?;
    Ok(Json(settings.unwrap_or_else(|| NotificationSettings::empty(user.id)).into()))
}

#[utoipa::path(put, path = "/api/notifications", tag = "notifications", security(("bearer" = [])),
    request_body = NotificationsIn, responses((status = 200, body = NotificationsOut), (status = 422, body = ErrorBody)))]
async fn save_notifications(
    State(ctx): State<ApiContext>,
    user: AuthUser,
    ApiJson(body): ApiJson<NotificationsIn>,
) -> ApiResult<Json<NotificationsOut>> {
    let webhook_url = blank_is_none(body.webhook_url.as_deref()).map(webhook_url).transpose()?;
    let telegram_chat_id = blank_is_none(body.telegram_chat_id.as_deref()).map(chat_id).transpose()?;
    let key = &ctx.config.encryption_key;
    let telegram_token = match body.telegram_token.as_deref().map(str::trim) {
        None => SecretChange::Keep,
        Some("") => SecretChange::Clear,
        Some(t) => SecretChange::Set(crypto::encrypt(key, user.id, "telegram_token", bot_token(t)?)?),
    };
    let stored = ctx.db.notifications().get(user.id).await?;
    let mut new_secret = None;
    let webhook_secret = match stored.as_ref().and_then(|s| s.webhook_secret_enc.as_ref()) {
        None if webhook_url.is_some() => {
            let secret = webhook::new_secret();
            let sealed = crypto::encrypt(key, user.id, "webhook_secret", &secret)?;
            new_secret = Some(secret);
            SecretChange::Set(sealed)
        }
        _ => SecretChange::Keep,
    };
    let on = NotifyOn {
        fill: body.notify_fills,
        stop: body.notify_stops,
        error: body.notify_errors,
        daily_summary: body.notify_daily_summary,
    };
    let update =
        NotificationUpdate { enabled: body.enabled, webhook_url, telegram_chat_id, on, webhook_secret, telegram_token };
    let saved = ctx.db.notifications().save(user.id, &update).await?;
    tracing::info!(user_id = user.id, enabled = saved.enabled, "notification settings saved");
    let mut out = NotificationsOut::from(saved);
    out.webhook_secret = new_secret;
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/notifications/webhook-secret", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = WebhookSecretOut)))]
async fn rotate_webhook_secret(State(ctx): State<ApiContext>, user: AuthUser) -> ApiResult<Json<WebhookSecretOut>> {
    let secret = webhook::new_secret();
    let sealed = crypto::encrypt(&ctx.config.encryption_key, user.id, "webhook_secret", &secret)?;
    ctx.db.notifications().set_webhook_secret(user.id, &sealed).await?;
    tracing::info!(user_id = user.id, "webhook signing secret rotated");
    Ok(Json(WebhookSecretOut { webhook_secret: secret }))
}

#[utoipa::path(post, path = "/api/notifications/test", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = TestOut)))]
async fn test_notifications(State(ctx): State<ApiContext>, user: AuthUser) -> ApiResult<Json<TestOut>> {
    let outcomes = ctx.rt.notifier.test(&ctx.db, user.id).await?;
    tracing::info!(
        user_id = user.id,
        channels = outcomes.len(),
        delivered = outcomes.iter().filter(|o| o.delivered).count(),
        "test notification sent"
    );
    Ok(Json(TestOut { results: outcomes.into_iter().map(ChannelResultOut::from).collect() }))
}

fn blank_is_none(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

/// An `http`/`https` URL with a host and no credentials, at most 2048 characters.
fn webhook_url(text: &str) -> ApiResult<String> {
    const FIELD: &str = "webhook_url";
    if text.len() > 2048 {
        return Err(ApiError::field(FIELD, "must be at most 2048 characters"));
    }
    let url = url::Url::parse(text).map_err(|e| ApiError::field(FIELD, format!("not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ApiError::field(FIELD, "must be an http:// or https:// URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ApiError::field(FIELD, "must name a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ApiError::field(FIELD, "must not hold credentials (user:password@)"));
    }
    Ok(url.to_string())
}

/// A Telegram chat id: an integer, or `@` and 5 to 32 letters, digits or underscores.
fn chat_id(text: &str) -> ApiResult<String> {
    let numeric = text.parse::<i64>().is_ok();
    let channel = text
        .strip_prefix('@')
        .is_some_and(|n| (5..=32).contains(&n.len()) && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    if numeric || channel {
        Ok(text.to_owned())
    } else {
        Err(ApiError::field("telegram_chat_id", "must be a chat id (an integer) or a public @channel name"))
    }
}

/// A bot token as @BotFather gives it: the bot's number, `:`, and 20 to 100 letters, digits, `_` or `-`.
fn bot_token(text: &str) -> ApiResult<&str> {
    let ok = text.split_once(':').is_some_and(|(id, secret)| {
        (1..=20).contains(&id.len())
            && id.chars().all(|c| c.is_ascii_digit())
            && (20..=100).contains(&secret.len())
            && secret.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    });
    if ok {
        Ok(text)
    } else {
        Err(ApiError::field("telegram_token", "must be a bot token as @BotFather gives it (123456:ABC…)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_checked_at_the_edge() {
        assert_eq!(
            webhook_url("https://hooks.example.com/x?y=1").ok().as_deref(),
            Some("https://hooks.example.com/x?y=1")
        );
        assert_eq!(webhook_url("http://127.0.0.1:9000").ok().as_deref(), Some("http://127.0.0.1:9000/"));
        let long = format!("https://example.com/{}", "a".repeat(2048));
        for bad in [
            "ftp://example.com",
            "example.com/hook",
            "https://user:pw@example.com/",
            "file:///etc/passwd",
            long.as_str(),
        ] {
            assert!(webhook_url(bad).is_err(), "{bad}");
        }
        for good in ["123456789", "-1001234567890", "@gridbot_alerts"] {
            assert!(chat_id(good).is_ok(), "{good}");
        }
        for bad in ["@abc", "chat", "12 34", "@with space", "99999999999999999999"] {
            assert!(chat_id(bad).is_err(), "{bad}");
        }
        assert!(bot_token("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw").is_ok());
        for bad in [
            "123456789",
            ":AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
            "12:short",
            "1:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/../x",
        ] {
            assert!(bot_token(bad).is_err(), "{bad}");
        }
    }
}
