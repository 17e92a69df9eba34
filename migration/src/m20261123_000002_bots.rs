//! `bots`, `bot_events` and `ai_suggestions`.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{at, fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("bots")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(string("strategy"))
                .col(string("pair"))
                .col(string("mode"))
                .col(string("status"))
                .col(json_binary("config"))
                .col(big_integer("generation").default(0))
                .col(text_null("stop_reason"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .foreign_key(&mut fk("bots", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("bots", "user_id")).await?;
        m.create_table(
            Table::create()
                .table("bot_events")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(big_integer("bot_id"))
                .col(string("kind"))
                .col(string_null("from_status"))
                .col(string_null("to_status"))
                .col(text_null("reason"))
                .col(at("created_at"))
                .foreign_key(&mut fk("bot_events", "bot_id", "bots"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("bot_events", "bot_id")).await?;
        m.create_table(
            Table::create()
                .table("ai_suggestions")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(big_integer_null("bot_id"))
                .col(string_null("pair"))
                .col(json_binary("request"))
                .col(json_binary_null("response"))
                .col(json_binary_null("backtest"))
                .col(string("status"))
                .col(string("source"))
                .col(at("created_at"))
                .foreign_key(&mut fk("ai_suggestions", "bot_id", "bots"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["ai_suggestions", "bot_events", "bots"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}

/// A plain index `ix_{table}_{column}`.
pub fn index(table: &'static str, column: &'static str) -> IndexCreateStatement {
    Index::create().name(format!("ix_{table}_{column}")).table(table).col(column).if_not_exists().to_owned()
}
