//! `fills.fee_quote`: the quote value of a commission paid in neither asset of the symbol (BNB), priced when the
//! fill was booked, so that a bot's books rebuilt from its fills book it again exactly. `NULL` when the fee was paid
//! in the symbol's base or quote.

use sea_orm_migration::prelude::*;

use crate::columns::amount_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.has_column("fills", "fee_quote").await? {
            return Ok(());
        }
        let backend = m.get_database_backend();
        m.alter_table(Table::alter().table("fills").add_column(amount_null(backend, "fee_quote")).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("fills").drop_column("fee_quote").to_owned()).await
    }
}
