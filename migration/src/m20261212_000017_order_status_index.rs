//! An index on `orders (bot_id, status)`: a bot's resting orders (what the paper account holds locked, what a job
//! re-reads, what the matcher rests on) are found without reading every order the bot ever filled.

use sea_orm_migration::prelude::*;

const NAME: &str = "ix_orders_bot_id_status";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let index = Index::create().name(NAME).table("orders").col("bot_id").col("status").if_not_exists().to_owned();
        m.create_index(index).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(NAME).table("orders").to_owned()).await
    }
}
