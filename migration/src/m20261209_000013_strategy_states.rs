//! `strategy_states`: per bot, the snapshot of its strategy runtime for its current run (generation), so a runtime
//! restores without replaying its history.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{at, fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("strategy_states")
                .if_not_exists()
                .col(big_integer("bot_id").primary_key())
                .col(integer("generation"))
                .col(json_binary("state"))
                .col(big_integer("fills"))
                .col(at("updated_at"))
                .foreign_key(&mut fk("strategy_states", "bot_id", "bots"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("strategy_states").if_exists().to_owned()).await
    }
}
