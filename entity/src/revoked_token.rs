//! `revoked_tokens`: the id of each access token logged out before it expired, kept until that expiry.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "revoked_tokens")]
pub struct Model {
    /// The token's `jti`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub jti: String,
    pub user_id: i64,
    /// The token's own expiry: after it the row is useless and is purged.
    pub expires_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
