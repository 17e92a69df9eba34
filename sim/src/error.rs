//! Binance's error shape `{"code":-1121,"msg":"Invalid symbol."}` with its HTTP status, and the codes the
//! simulator answers with.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code} {msg}")]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: i64,
    pub msg: String,
}

impl ApiError {
    pub fn new(code: i64, msg: impl Into<String>) -> ApiError {
        let status = match code {
            -2014 | -2015 => StatusCode::UNAUTHORIZED,
            -1000 => StatusCode::INTERNAL_SERVER_ERROR,
            -1003 | -1015 => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError { status, code, msg: msg.into() }
    }
    pub fn with_status(mut self, status: StatusCode) -> ApiError {
        self.status = status;
        self
    }
    pub fn missing(name: &str) -> ApiError {
        ApiError::new(-1102, format!("Mandatory parameter '{name}' was not sent, was empty/null, or malformed."))
    }
    pub fn illegal(name: &str, range: &str) -> ApiError {
        ApiError::new(-1100, format!("Illegal characters found in parameter '{name}'; legal range is '{range}'."))
    }
    pub fn invalid_symbol() -> ApiError {
        ApiError::new(-1121, "Invalid symbol.")
    }
    pub fn filter(name: &str) -> ApiError {
        ApiError::new(-1013, format!("Filter failure: {name}"))
    }
    pub fn insufficient_balance() -> ApiError {
        ApiError::new(-2010, "Account has insufficient balance for requested action.")
    }
    pub fn unknown_order() -> ApiError {
        ApiError::new(-2011, "Unknown order sent.")
    }
    pub fn no_such_order() -> ApiError {
        ApiError::new(-2013, "Order does not exist.")
    }
    pub fn bad_key_format() -> ApiError {
        ApiError::new(-2014, "API-key format invalid.")
    }
    pub fn rejected_key() -> ApiError {
        ApiError::new(-2015, "Invalid API-key, IP, or permissions for action.")
    }
    pub fn body(&self) -> serde_json::Value {
        json!({"code": self.code, "msg": self.msg})
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}
