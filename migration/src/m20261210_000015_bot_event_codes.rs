//! `bot_events.code`: the exchange's own error code (Binance's `-2010`, `-1021`, …) of an `exchange_error` event, so
//! that the health panel can say which refusal stopped a bot's orders. `NULL` for every other event, and for an
//! exchange failure that has no code (the network, an HTTP 418 ban).

use sea_orm_migration::{prelude::*, schema::big_integer_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.has_column("bot_events", "code").await? {
            return Ok(());
        }
        m.alter_table(Table::alter().table("bot_events").add_column(big_integer_null("code")).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("bot_events").drop_column("code").to_owned()).await
    }
}
