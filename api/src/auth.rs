//! [`AuthUser`]: the extractor of the caller's identity from `Authorization: Bearer <JWT>`; 401 when the token is
//! missing, malformed, tampered with or expired, or its user does not exist.

use axum::{extract::FromRequestParts, http::header, http::request::Parts};

use crate::{ApiContext, error::ApiError, jwt};

/// The authenticated caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthUser {
    pub id: i64,
}

impl FromRequestParts<ApiContext> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, ctx: &ApiContext) -> Result<Self, ApiError> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| ApiError::Unauthorized("missing Authorization: Bearer token".into()))?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::Unauthorized("expected Authorization: Bearer <token>".into()))?;
        let id = jwt::verify(&ctx.config.jwt_secret, token)?;
        if !ctx.users.exists(&ctx.db, id).await? {
            return Err(ApiError::Unauthorized("the token's user does not exist".into()));
        }
        Ok(AuthUser { id })
    }
}
