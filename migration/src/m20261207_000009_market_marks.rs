//! `market_marks`: per symbol, the last trade the paper matcher processed (its id, time and price), so a restarted
//! scheduler replays the trades after it before going on live.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{amount, at};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table("market_marks")
                .if_not_exists()
                .col(string("symbol").primary_key())
                .col(big_integer("trade_id"))
                .col(at("time"))
                .col(amount(b, "price"))
                .col(at("updated_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("market_marks").if_exists().to_owned()).await
    }
}
