//! `notification_settings`: per user, where notifications go (a signed webhook, a Telegram chat), which events are
//! sent, the secrets sealed like API keys (AES-256-GCM, `v1:` + base64), the last delivery's outcome, and the last
//! day whose summary was sent (so that two schedulers never send one twice).

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{at, fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("notification_settings")
                .if_not_exists()
                .col(big_integer("user_id").primary_key())
                .col(boolean("enabled"))
                .col(text_null("webhook_url"))
                .col(text_null("webhook_secret_enc"))
                .col(text_null("telegram_token_enc"))
                .col(string_null("telegram_chat_id"))
                .col(boolean("on_fill"))
                .col(boolean("on_stop"))
                .col(boolean("on_error"))
                .col(boolean("on_daily_summary"))
                .col(timestamp_with_time_zone_null("last_delivered_at"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone_null("last_error_at"))
                .col(string_null("summary_sent_for"))
                .col(at("updated_at"))
                .foreign_key(&mut fk("notification_settings", "user_id", "users"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("notification_settings").if_exists().to_owned()).await
    }
}
