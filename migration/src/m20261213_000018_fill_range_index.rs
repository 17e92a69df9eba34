//! Indexes of the tables every fill writes, for what they are read by: `fills (bot_id, id)`, so a bot's fills after
//! the last one read are one range of the index whatever the bot's history (the summary's ledgers, brought forward);
//! `orders (bot_id)` dropped, since `orders (bot_id, status)` (migration 000017) serves every read by bot and each
//! order written or updated kept one index more up to date.

use sea_orm_migration::prelude::*;

use crate::m20261123_000002_bots::index;

const NAME: &str = "ix_fills_bot_id_id";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(Index::create().name(NAME).table("fills").col("bot_id").col("id").if_not_exists().to_owned())
            .await?;
        m.drop_index(Index::drop().name("ix_orders_bot_id").table("orders").if_exists().to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("orders", "bot_id")).await?;
        m.drop_index(Index::drop().name(NAME).table("fills").to_owned()).await
    }
}
