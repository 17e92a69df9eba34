//! `users` and `paper_balances`.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{amount, at, fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table("users")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(string_uniq("email"))
                .col(string("password_hash"))
                .col(text_null("api_key_enc"))
                .col(text_null("api_secret_enc"))
                .col(at("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("paper_balances")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(string("asset"))
                .col(amount(b, "free"))
                .col(amount(b, "locked"))
                .foreign_key(&mut fk("paper_balances", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_paper_balances_user_asset")
                .table("paper_balances")
                .col("user_id")
                .col("asset")
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("paper_balances").if_exists().to_owned()).await?;
        m.drop_table(Table::drop().table("users").if_exists().to_owned()).await
    }
}
