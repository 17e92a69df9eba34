//! The `notification_settings` repository: one row per user — channels, events, sealed secrets (the caller seals and
//! opens them with [`crate::crypto`]), the last delivery's outcome, and the last day whose summary was sent.

use chrono::{DateTime, Utc};
use gridbot_entity::notification_setting as row;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    sea_query::{Expr, SimpleExpr},
};

use super::{DbError, Result};

#[derive(Debug, Clone, Copy)]
pub struct Notifications<'a>(pub(crate) &'a DatabaseConnection);

/// Which events a user is told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotifyOn {
    pub fill: bool,
    pub stop: bool,
    pub error: bool,
    pub daily_summary: bool,
}

impl Default for NotifyOn {
    fn default() -> Self {
        NotifyOn { fill: true, stop: true, error: true, daily_summary: true }
    }
}

/// A user's notification settings as stored; the secrets stay sealed.
#[derive(Clone, PartialEq, Eq)]
pub struct NotificationSettings {
    pub user_id: i64,
    pub enabled: bool,
    pub webhook_url: Option<String>,
    pub webhook_secret_enc: Option<String>,
    pub telegram_token_enc: Option<String>,
    pub telegram_chat_id: Option<String>,
    pub on: NotifyOn,
    pub last_delivered_at: Option<DateTime<Utc>>,
    /// The last failed delivery's channel and reason (never a secret).
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for NotificationSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationSettings")
            .field("user_id", &self.user_id)
            .field("enabled", &self.enabled)
            .field("webhook", &self.webhook_url.is_some())
            .field("telegram", &self.telegram_chat_id.is_some())
            .field("on", &self.on)
            .finish_non_exhaustive()
    }
}

impl NotificationSettings {
    /// What a user who never saved any has: enabled, every event, no channel.
    pub fn empty(user_id: i64) -> Self {
        NotificationSettings {
            user_id,
            enabled: true,
            webhook_url: None,
            webhook_secret_enc: None,
            telegram_token_enc: None,
            telegram_chat_id: None,
            on: NotifyOn::default(),
            last_delivered_at: None,
            last_error: None,
            last_error_at: None,
        }
    }
}

/// A sealed secret's change on save.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum SecretChange {
    #[default]
    Keep,
    Clear,
    /// The new value, sealed.
    Set(String),
}

impl std::fmt::Debug for SecretChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SecretChange::Keep => "Keep",
            SecretChange::Clear => "Clear",
            SecretChange::Set(_) => "Set(<sealed>)",
        })
    }
}

/// Everything a save replaces; the secrets as [`SecretChange`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationUpdate {
    pub enabled: bool,
    pub webhook_url: Option<String>,
    pub telegram_chat_id: Option<String>,
    pub on: NotifyOn,
    pub webhook_secret: SecretChange,
    pub telegram_token: SecretChange,
}

impl Notifications<'_> {
    pub async fn get(&self, user_id: i64) -> Result<Option<NotificationSettings>> {
        Ok(row::Entity::find_by_id(user_id).one(self.0).await?.map(from_row))
    }

    /// Saves `u` for `user_id` (creating the row on first save) and clears the last delivery error, which was about
    /// the settings before.
    pub async fn save(&self, user_id: i64, u: &NotificationUpdate) -> Result<NotificationSettings> {
        self.ensure(user_id).await?;
        let mut update = row::Entity::update_many()
            .col_expr(row::Column::Enabled, Expr::value(u.enabled))
            .col_expr(row::Column::WebhookUrl, Expr::value(u.webhook_url.clone()))
            .col_expr(row::Column::TelegramChatId, Expr::value(u.telegram_chat_id.clone()))
            .col_expr(row::Column::OnFill, Expr::value(u.on.fill))
            .col_expr(row::Column::OnStop, Expr::value(u.on.stop))
            .col_expr(row::Column::OnError, Expr::value(u.on.error))
            .col_expr(row::Column::OnDailySummary, Expr::value(u.on.daily_summary))
            .col_expr(row::Column::LastError, Expr::value(Option::<String>::None))
            .col_expr(row::Column::LastErrorAt, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(row::Column::UpdatedAt, Expr::value(Utc::now()));
        if let Some(v) = secret(&u.webhook_secret) {
            update = update.col_expr(row::Column::WebhookSecretEnc, v);
        }
        if let Some(v) = secret(&u.telegram_token) {
            update = update.col_expr(row::Column::TelegramTokenEnc, v);
        }
        update.filter(row::Column::UserId.eq(user_id)).exec(self.0).await?;
        self.get(user_id).await?.ok_or_else(|| DbError::not_found("notification settings", user_id))
    }

    /// Replaces the webhook's sealed signing secret (creating the row with the defaults when there is none).
    pub async fn set_webhook_secret(&self, user_id: i64, sealed: &str) -> Result<()> {
        self.ensure(user_id).await?;
        row::Entity::update_many()
            .col_expr(row::Column::WebhookSecretEnc, Expr::value(sealed))
            .col_expr(row::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(row::Column::UserId.eq(user_id))
            .exec(self.0)
            .await?;
        Ok(())
    }

    /// Records a delivery's outcome: `Ok` stamps the last delivery, `Err(reason)` the last error.
    pub async fn record_delivery(&self, user_id: i64, outcome: Result<(), &str>) -> Result<()> {
        let now = Utc::now();
        let update = match outcome {
            Ok(()) => row::Entity::update_many().col_expr(row::Column::LastDeliveredAt, Expr::value(now)),
            Err(reason) => row::Entity::update_many()
                .col_expr(row::Column::LastError, Expr::value(reason))
                .col_expr(row::Column::LastErrorAt, Expr::value(now)),
        };
        update.filter(row::Column::UserId.eq(user_id)).exec(self.0).await?;
        Ok(())
    }

    /// The users who want a daily summary (enabled, with the event on).
    pub async fn wanting_daily_summary(&self) -> Result<Vec<NotificationSettings>> {
        let rows = row::Entity::find()
            .filter(row::Column::Enabled.eq(true))
            .filter(row::Column::OnDailySummary.eq(true))
            .all(self.0)
            .await?;
        Ok(rows.into_iter().map(from_row).collect())
    }

    /// Claims the summary of `day` (`YYYY-MM-DD`) for `user_id`: `true` for exactly one caller, however many
    /// processes ask (a compare-and-set on the last day sent).
    pub async fn claim_daily_summary(&self, user_id: i64, day: &str) -> Result<bool> {
        let res = row::Entity::update_many()
            .col_expr(row::Column::SummarySentFor, Expr::value(day))
            .filter(row::Column::UserId.eq(user_id))
            .filter(
                Condition::any().add(row::Column::SummarySentFor.is_null()).add(row::Column::SummarySentFor.lt(day)),
            )
            .exec(self.0)
            .await?;
        Ok(res.rows_affected == 1)
    }

    /// The row of `user_id`, inserted with the defaults when missing.
    async fn ensure(&self, user_id: i64) -> Result<()> {
        let d = NotificationSettings::empty(user_id);
        let new = row::ActiveModel {
            user_id: Set(user_id),
            enabled: Set(d.enabled),
            webhook_url: Set(None),
            webhook_secret_enc: Set(None),
            telegram_token_enc: Set(None),
            telegram_chat_id: Set(None),
            on_fill: Set(d.on.fill),
            on_stop: Set(d.on.stop),
            on_error: Set(d.on.error),
            on_daily_summary: Set(d.on.daily_summary),
            last_delivered_at: Set(None),
            last_error: Set(None),
            last_error_at: Set(None),
            summary_sent_for: Set(None),
            updated_at: Set(Utc::now()),
        };
        row::Entity::insert(new)
            .on_conflict_do_nothing_on([row::Column::UserId])
            .exec_without_returning(self.0)
            .await?;
        Ok(())
    }
}

/// The column's new value for a change; `None` keeps it.
fn secret(change: &SecretChange) -> Option<SimpleExpr> {
    match change {
        SecretChange::Keep => None,
        SecretChange::Clear => Some(Expr::value(Option::<String>::None)),
        SecretChange::Set(sealed) => Some(Expr::value(sealed.clone())),
    }
}

fn from_row(m: row::Model) -> NotificationSettings {
    NotificationSettings {
        user_id: m.user_id,
        enabled: m.enabled,
        webhook_url: m.webhook_url,
        webhook_secret_enc: m.webhook_secret_enc,
        telegram_token_enc: m.telegram_token_enc,
        telegram_chat_id: m.telegram_chat_id,
        on: NotifyOn { fill: m.on_fill, stop: m.on_stop, error: m.on_error, daily_summary: m.on_daily_summary },
        last_delivered_at: m.last_delivered_at,
        last_error: m.last_error,
        last_error_at: m.last_error_at,
    }
}
