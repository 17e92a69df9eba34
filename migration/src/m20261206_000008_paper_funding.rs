//! `paper_balances.funded_at`: when a paper account was funded (at registration, or reset by its user). Its balances
//! are the funding moved by every paper fill since.

use sea_orm_migration::{prelude::*, schema};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.has_column("paper_balances", "funded_at").await? {
            return Ok(());
        }
        let column = schema::timestamp_with_time_zone_null("funded_at");
        m.alter_table(Table::alter().table("paper_balances").add_column(column).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("paper_balances").drop_column("funded_at").to_owned()).await
    }
}
