//! `bot_runs`: every run (generation) a bot started, with the pair, mode and run state (config included) it ran
//! with, so each run's history reads with its own config after the bot's settings changed.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{at, fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("bot_runs")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(big_integer("bot_id"))
                .col(integer("generation"))
                .col(string("pair"))
                .col(string("mode"))
                .col(json_binary("state"))
                .col(at("started_at"))
                .col(at("updated_at"))
                .foreign_key(&mut fk("bot_runs", "bot_id", "bots"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_bot_runs_bot_generation")
                .table("bot_runs")
                .col("bot_id")
                .col("generation")
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("bot_runs").if_exists().to_owned()).await
    }
}
