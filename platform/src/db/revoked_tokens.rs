//! The `revoked_tokens` repository: the ids of access tokens logged out before they expired. Every API process
//! sharing the database sees a logout; rows whose token has expired are purged on each new logout, so the table
//! holds at most the tokens logged out within one token lifetime.

use chrono::{DateTime, Utc};
use gridbot_entity::revoked_token;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

use super::Result;

#[derive(Debug, Clone, Copy)]
pub struct RevokedTokens<'a>(pub(crate) &'a DatabaseConnection);

impl RevokedTokens<'_> {
    /// Revokes token `jti` of `user_id` until `expires_at` (its own expiry); revoking it again changes nothing.
    /// Purges the rows of tokens that have expired since.
    pub async fn revoke(&self, jti: &str, user_id: i64, expires_at: DateTime<Utc>) -> Result<()> {
        let row =
            revoked_token::ActiveModel { jti: Set(jti.to_owned()), user_id: Set(user_id), expires_at: Set(expires_at) };
        revoked_token::Entity::insert(row)
            .on_conflict_do_nothing_on([revoked_token::Column::Jti])
            .exec_without_returning(self.0)
            .await?;
        self.purge(Utc::now()).await?;
        Ok(())
    }

    /// Whether token `jti` was revoked.
    pub async fn is_revoked(&self, jti: &str) -> Result<bool> {
        Ok(revoked_token::Entity::find_by_id(jti.to_owned()).count(self.0).await? > 0)
    }

    /// Deletes the rows of tokens expired by `now`; returns how many.
    pub async fn purge(&self, now: DateTime<Utc>) -> Result<u64> {
        let res =
            revoked_token::Entity::delete_many().filter(revoked_token::Column::ExpiresAt.lt(now)).exec(self.0).await?;
        Ok(res.rows_affected)
    }
}
