//! An index on `fills.order_id`: a job asks which of its bot's filled orders have no fill booked yet, without
//! reading every fill.

use sea_orm_migration::prelude::*;

use crate::m20261123_000002_bots::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("fills", "order_id")).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_fills_order_id").table("fills").to_owned()).await
    }
}
