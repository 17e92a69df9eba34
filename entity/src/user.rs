//! `users`: an account, its bcrypt password hash, its encrypted Binance credentials and the version its access
//! tokens must carry.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub email: String,
    pub password_hash: String,
    pub api_key_enc: Option<String>,
    pub api_secret_enc: Option<String>,
    pub created_at: DateTimeUtc,
    /// Bumped by "log out everywhere" and a password change: a token carrying an older version is refused.
    pub token_version: i64,
}

impl ActiveModelBehavior for ActiveModel {}
