//! Sessions: `users.token_version`, carried in every access token so that bumping it ends every session of the
//! user at once ("log out everywhere", a password change), and `revoked_tokens`, the ids of single tokens logged out
//! before they expired. A revoked id is kept only until its token would have expired anyway.

use sea_orm_migration::{prelude::*, schema};

use crate::columns::{at, fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if !m.has_column("users", "token_version").await? {
            let column = schema::big_integer("token_version").default(0).to_owned();
            m.alter_table(Table::alter().table("users").add_column(column).to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table("revoked_tokens")
                .if_not_exists()
                .col(schema::string("jti").primary_key())
                .col(schema::big_integer("user_id"))
                .col(at("expires_at"))
                .foreign_key(&mut fk("revoked_tokens", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_revoked_tokens_expires_at")
                .table("revoked_tokens")
                .col("expires_at")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("revoked_tokens").if_exists().to_owned()).await?;
        m.alter_table(Table::alter().table("users").drop_column("token_version").to_owned()).await
    }
}
