//! `prices`: candles keyed by (symbol, time), made a hypertable when TimescaleDB is available.

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
                .table("prices")
                .if_not_exists()
                .col(at("time"))
                .col(string("symbol"))
                .col(amount(b, "open"))
                .col(amount(b, "high"))
                .col(amount(b, "low"))
                .col(amount(b, "close"))
                .col(amount(b, "volume"))
                .primary_key(Index::create().col("symbol").col("time"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_prices_symbol_time")
                .table("prices")
                .col("symbol")
                .col("time")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        crate::timescale::make_hypertable(m.get_connection()).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("prices").if_exists().to_owned()).await
    }
}
