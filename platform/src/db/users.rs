//! The `users` repository.

use chrono::Utc;
use gridbot_entity::user;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use sea_orm::sea_query::Expr;

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

fn to_user(m: user::Model) -> User {
    User {
        id: m.id,
        email: m.email,
        password_hash: m.password_hash,
        api_key_enc: m.api_key_enc,
        api_secret_enc: m.api_secret_enc,
        created_at: m.created_at,
    }
}
