//! [`DbError`]: the one error of the database layer; unique violations are typed, connectivity is retryable.

use sea_orm::{DbErr, SqlErr};

pub type Result<T, E = DbError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("client order id {0} already exists")]
    DuplicateClientOrderId(String),
    #[error("already exists: {0}")]
    Conflict(String),
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error("stored {what} is invalid: {reason}")]
    Invalid { what: &'static str, reason: String },
    #[error("database error: {message}")]
    Database { message: String, retryable: bool },
}

impl DbError {
    /// Whether trying again may succeed (a lost connection, an exhausted pool).
    pub fn is_retryable(&self) -> bool {
        matches!(self, DbError::Database { retryable: true, .. })
    }
    pub(crate) fn not_found(entity: &'static str, id: impl ToString) -> Self {
        DbError::NotFound { entity, id: id.to_string() }
    }
    pub(crate) fn invalid(what: &'static str, reason: impl ToString) -> Self {
        DbError::Invalid { what, reason: reason.to_string() }
    }
}

impl From<DbErr> for DbError {
    fn from(e: DbErr) -> Self {
        if let Some(SqlErr::UniqueConstraintViolation(msg)) = e.sql_err() {
            return DbError::Conflict(msg);
        }
        let retryable = matches!(e, DbErr::Conn(_) | DbErr::ConnectionAcquire(_));
        DbError::Database { message: e.to_string(), retryable }
    }
}

impl From<gridbot_core::Error> for DbError {
    fn from(e: gridbot_core::Error) -> Self {
        DbError::invalid("value", e)
    }
}
