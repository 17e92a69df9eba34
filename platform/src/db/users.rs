//! The `users` repository.

use chrono::Utc;
use gridbot_entity::user;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, TransactionTrait,
};

use super::types::User;
use super::{DbError, Result};

#[derive(Debug, Clone, Copy)]
pub struct Users<'a>(pub(crate) &'a DatabaseConnection);

impl Users<'_> {
    /// A new user; a taken email is [`DbError::Conflict`].
    pub async fn create(&self, email: &str, password_hash: &str) -> Result<User> {
        let m = user::ActiveModel {
            email: Set(email.to_owned()),
            password_hash: Set(password_hash.to_owned()),
            api_key_enc: Set(None),
            api_secret_enc: Set(None),
            created_at: Set(Utc::now()),
            token_version: Set(0),
            ..Default::default()
        }
        .insert(self.0)
        .await?;
        Ok(to_user(m))
    }

    pub async fn get(&self, id: i64) -> Result<User> {
        let m = user::Entity::find_by_id(id).one(self.0).await?.ok_or_else(|| DbError::not_found("user", id))?;
        Ok(to_user(m))
    }

    pub async fn by_email(&self, email: &str) -> Result<Option<User>> {
        Ok(user::Entity::find().filter(user::Column::Email.eq(email)).one(self.0).await?.map(to_user))
    }

    /// The version the user's access tokens must carry; `None` when there is no such user.
    pub async fn token_version(&self, id: i64) -> Result<Option<i64>> {
        Ok(user::Entity::find_by_id(id)
            .select_only()
            .column(user::Column::TokenVersion)
            .into_tuple::<i64>()
            .one(self.0)
            .await?)
    }

    /// Bumps the user's token version, so that every token issued before is refused ("log out everywhere"), and
    /// returns the new version.
    pub async fn bump_token_version(&self, id: i64) -> Result<i64> {
        let txn = self.0.begin().await?;
        let version = bump(&txn, id, None).await?;
        txn.commit().await?;
        Ok(version)
    }

    /// Replaces the password hash and bumps the token version in one transaction (every session is logged out), and
    /// returns the new version, which the caller's fresh token carries.
    pub async fn set_password(&self, id: i64, password_hash: &str) -> Result<i64> {
        let txn = self.0.begin().await?;
        let version = bump(&txn, id, Some(password_hash)).await?;
        txn.commit().await?;
        Ok(version)
    }

    /// Stores already-encrypted API credentials.
    pub async fn set_api_keys(&self, id: i64, key_enc: &str, secret_enc: &str) -> Result<()> {
        let res = user::Entity::update_many()
            .col_expr(user::Column::ApiKeyEnc, key_enc.into())
            .col_expr(user::Column::ApiSecretEnc, secret_enc.into())
            .filter(user::Column::Id.eq(id))
            .exec(self.0)
            .await?;
        if res.rows_affected == 0 { Err(DbError::not_found("user", id)) } else { Ok(()) }
    }

    /// Forgets the user's API credentials.
    pub async fn clear_api_keys(&self, id: i64) -> Result<()> {
        user::Entity::update_many()
            .col_expr(user::Column::ApiKeyEnc, Expr::value(Option::<String>::None))
            .col_expr(user::Column::ApiSecretEnc, Expr::value(Option::<String>::None))
            .filter(user::Column::Id.eq(id))
            .exec(self.0)
            .await?;
        Ok(())
    }
}

/// Bumps the version (and sets the hash) inside the caller's transaction, then reads the version back: the row stays
/// locked until the commit, so the version read is the one this update wrote.
async fn bump(txn: &impl ConnectionTrait, id: i64, password_hash: Option<&str>) -> Result<i64> {
    let mut update = user::Entity::update_many()
        .col_expr(user::Column::TokenVersion, Expr::col(user::Column::TokenVersion).add(1))
        .filter(user::Column::Id.eq(id));
    if let Some(hash) = password_hash {
        update = update.col_expr(user::Column::PasswordHash, Expr::value(hash));
    }
    if update.exec(txn).await?.rows_affected == 0 {
        return Err(DbError::not_found("user", id));
    }
    let version = user::Entity::find_by_id(id)
        .select_only()
        .column(user::Column::TokenVersion)
        .into_tuple::<i64>()
        .one(txn)
        .await?;
    version.ok_or_else(|| DbError::not_found("user", id))
}

fn to_user(m: user::Model) -> User {
    User {
        id: m.id,
        email: m.email,
        password_hash: m.password_hash,
        api_key_enc: m.api_key_enc,
        api_secret_enc: m.api_secret_enc,
        created_at: m.created_at,
        token_version: m.token_version,
    }
}
