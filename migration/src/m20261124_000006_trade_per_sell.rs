//! One round trip per grid sell: `trades.sell_order_id` is unique, so a round trip written twice (two jobs of a bot
//! overlapping after a lost lock) is refused by the database instead of counting its profit twice.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "ux_trades_sell_order";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let index = Index::create().name(NAME).table("trades").col("sell_order_id").unique().if_not_exists().to_owned();
        m.create_index(index).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(NAME).table("trades").to_owned()).await
    }
}
