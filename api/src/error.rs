//! [`ApiError`]: the one error of the HTTP edge and its JSON shape `{"error":{"code","message","fields"?}}`.
//! A 5xx is logged with its cause; its body never shows internals.

use std::collections::BTreeMap;

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use gridbot_exchange::ExchangeError;
use gridbot_platform::DbError;
use serde_json::json;

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 422: the input is invalid; `fields` names each failing key of the body (or query/path).
    #[error("{message}")]
    Validation { message: String, fields: BTreeMap<String, String> },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// 413: the body is over the limit.
    #[error("{0}")]
    TooLarge(String),
    /// 429 with `Retry-After` seconds.
    #[error("too many requests; retry after {retry_after}s")]
    RateLimited { retry_after: u64 },
    /// 502: the exchange failed; `message` is safe to show, `cause` is logged.
    #[error("{message}")]
    Exchange { message: String, cause: String },
    /// 500: logged with its cause, answered as "internal error".
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 422 naming one field.
    pub fn field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        let (field, reason) = (field.into(), reason.into());
        ApiError::Validation { message: format!("{field}: {reason}"), fields: BTreeMap::from([(field, reason)]) }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Exchange { .. } => StatusCode::BAD_GATEWAY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Validation { .. } => "validation",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::TooLarge(_) => "payload_too_large",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Exchange { .. } => "exchange",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                "internal error".to_owned()
            }
            ApiError::Exchange { message, cause } => {
                tracing::warn!(%cause, "exchange error");
                message.clone()
            }
            other => other.to_string(),
        };
        let body = match &self {
            ApiError::Validation { fields, .. } => {
                json!({"error": {"code": self.code(), "message": message, "fields": fields}})
            }
            _ => json!({"error": {"code": self.code(), "message": message}}),
        };
        let mut response = (status, Json(body)).into_response();
        if let ApiError::RateLimited { retry_after } = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        response
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound { entity, .. } => ApiError::NotFound(format!("{entity} not found")),
            DbError::Conflict(_) | DbError::DuplicateClientOrderId(_) => ApiError::Conflict("already exists".into()),
            other => ApiError::internal(other),
        }
    }
}

impl From<gridbot_platform::crypto::CryptoError> for ApiError {
    fn from(e: gridbot_platform::crypto::CryptoError) -> Self {
        ApiError::internal(e)
    }
}

impl From<gridbot_core::Error> for ApiError {
    fn from(e: gridbot_core::Error) -> Self {
        use gridbot_core::Error as E;
        let message = e.to_string();
        let fields: BTreeMap<String, String> = match &e {
            E::Invalid(v) => v.iter().map(|f| (f.field.to_owned(), f.reason.clone())).collect(),
            E::CapitalTooSmall { .. } => BTreeMap::from([("capital".to_owned(), message.clone())]),
            E::TooDense { .. } => BTreeMap::from([("grid_levels".to_owned(), message.clone())]),
            E::PriceOutsideGrid { .. } => BTreeMap::from([("lower_bound".to_owned(), message.clone())]),
            E::Strategy(_) => BTreeMap::from([("strategy".to_owned(), message.clone())]),
            E::UnknownField { field, strategy, known } => {
                BTreeMap::from([(field.clone(), format!("unknown field; the {strategy} config has {known}"))])
            }
            E::Csv { .. } | E::State(_) | E::Overflow(_) => BTreeMap::new(),
        };
        ApiError::Validation { message, fields }
    }
}

impl From<ExchangeError> for ApiError {
    fn from(e: ExchangeError) -> Self {
        let cause = e.to_string();
        match e {
            ExchangeError::InvalidSymbol(_) => ApiError::NotFound("unknown symbol".into()),
            ExchangeError::Filter(reason) => ApiError::field("symbol", reason),
            ExchangeError::RateLimited { .. } | ExchangeError::Banned { .. } => {
                ApiError::Exchange { message: "the exchange is rate limiting us; try again shortly".into(), cause }
            }
            ExchangeError::Connectivity(_) | ExchangeError::Timestamp(_) | ExchangeError::Decode(_) => {
                ApiError::Exchange { message: "the exchange is unavailable; try again shortly".into(), cause }
            }
            _ => ApiError::Exchange { message: "the exchange refused the request".into(), cause },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes_follow_the_contract() {
        let cases = [
            (ApiError::field("lower_bound", "x"), 422, "validation"),
            (ApiError::Unauthorized("x".into()), 401, "unauthorized"),
            (ApiError::NotFound("x".into()), 404, "not_found"),
            (ApiError::Conflict("x".into()), 409, "conflict"),
            (ApiError::RateLimited { retry_after: 3 }, 429, "rate_limited"),
            (ApiError::internal("secret detail"), 500, "internal"),
        ];
        for (e, status, code) in cases {
            assert_eq!((e.status().as_u16(), e.code()), (status, code));
        }
        let core = ApiError::from(gridbot_core::Error::field("lower", "must be below upper"));
        assert!(matches!(core, ApiError::Validation { ref fields, .. } if fields.contains_key("lower")));
        assert_eq!(ApiError::from(DbError::Conflict("users_email_key".into())).status(), StatusCode::CONFLICT);
    }
}
