//! `notification_settings`: a user's notification channels (webhook, Telegram), the events sent, the sealed secrets,
//! and the last delivery's outcome.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub enabled: bool,
    pub webhook_url: Option<String>,
    /// The webhook's signing secret, sealed (`gridbot_platform::crypto`, field `webhook_secret`).
    pub webhook_secret_enc: Option<String>,
    /// The Telegram bot token, sealed (field `telegram_token`).
    pub telegram_token_enc: Option<String>,
    pub telegram_chat_id: Option<String>,
    pub on_fill: bool,
    pub on_stop: bool,
    pub on_error: bool,
    pub on_daily_summary: bool,
    pub last_delivered_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTimeUtc>,
    /// The last UTC day (`YYYY-MM-DD`) whose summary was sent.
    pub summary_sent_for: Option<String>,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
