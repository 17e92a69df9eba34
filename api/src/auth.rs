//! [`AuthUser`] and [`AuthSession`]: the extractors of the caller's identity from `Authorization: Bearer <JWT>`; 401
//! when the token is missing, malformed, tampered with or expired, its user does not exist, or its session was
//! ended (logged out, logged out everywhere, password changed).

use axum::{extract::FromRequestParts, http::header, http::request::Parts};

use crate::{ApiContext, error::ApiError, jwt};

/// The authenticated caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthUser {
    pub id: i64,
}

/// The authenticated caller and the token it called with (the session routes revoke that token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthSession {
    pub user: AuthUser,
    pub token: jwt::Session,
}

/// The token of an `Authorization: Bearer <token>` header, if it is one.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The session of `token` if it is valid and still open; 401 otherwise.
pub async fn open_session(ctx: &ApiContext, token: &str) -> Result<jwt::Session, ApiError> {
    let session = jwt::verify(&ctx.config.jwt_secret, token)?;
    ctx.sessions.check(&ctx.db, &session).await?.map_err(|closed| ApiError::Unauthorized(closed.message().into()))?;
    Ok(session)
}

impl FromRequestParts<ApiContext> for AuthSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, ctx: &ApiContext) -> Result<Self, ApiError> {
        if !parts.headers.contains_key(header::AUTHORIZATION) {
            return Err(ApiError::Unauthorized("missing Authorization: Bearer token".into()));
        }
        let token = bearer(&parts.headers)
            .ok_or_else(|| ApiError::Unauthorized("expected Authorization: Bearer <token>".into()))?;
        let token = open_session(ctx, token).await?;
        Ok(AuthSession { user: AuthUser { id: token.user }, token })
    }
}

impl FromRequestParts<ApiContext> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, ctx: &ApiContext) -> Result<Self, ApiError> {
        AuthSession::from_request_parts(parts, ctx).await.map(|s| s.user)
    }
}
