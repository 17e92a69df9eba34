//! `bots.run_state`: what a running grid was started with (start price, the symbol's filters, the stop booked),
//! so that any worker rebuilds the same engine from the database.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if !m.has_column("bots", "run_state").await? {
            m.alter_table(Table::alter().table("bots").add_column(json_binary_null("run_state")).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("bots").drop_column("run_state").to_owned()).await
    }
}
