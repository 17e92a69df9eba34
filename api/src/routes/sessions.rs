//! Ending sessions: `POST /api/auth/logout` (this token), `POST /api/auth/logout-all` (every token of the user) and
//! `POST /api/auth/password` (a new password; every other session ends and the caller gets a fresh token). This
//! process refuses an ended token at once, other API processes within [`crate::sessions::TTL`].

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::{TokenOut, hash_password, verify_password};
use crate::{
    ApiContext,
    auth::AuthSession,
    error::{ApiError, ApiResult},
    extract::ApiJson,
    openapi::ErrorBody,
    password,
};

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(logout)).routes(routes!(logout_all)).routes(routes!(change_password))
}

#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", security(("bearer" = [])), responses(
    (status = 204, description = "this token is refused from now on; the user's other tokens keep working")))]
async fn logout(State(ctx): State<ApiContext>, session: AuthSession) -> ApiResult<StatusCode> {
    let token = &session.token;
    let expires_at = i64::try_from(token.exp).ok().and_then(|s| DateTime::<Utc>::from_timestamp(s, 0));
    let expires_at = expires_at.ok_or_else(|| ApiError::Unauthorized("invalid token".into()))?;
    ctx.db.revoked_tokens().revoke(&token.jti, token.user, expires_at).await?;
    ctx.sessions.logged_out(token);
    tracing::info!(user_id = token.user, "logged out");
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/auth/logout-all", tag = "auth", security(("bearer" = [])), responses(
    (status = 204, description = "every token of the user, this one included, is refused from now on")))]
async fn logout_all(State(ctx): State<ApiContext>, session: AuthSession) -> ApiResult<StatusCode> {
    let user = session.user.id;
    let version = ctx.db.users().bump_token_version(user).await?;
    ctx.sessions.version_bumped(user, version);
    tracing::info!(user_id = user, "logged out everywhere");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange { <redacted> }")
    }
}

/// A wrong current password is a 422 naming `current_password`, not a 401: the caller's token is fine, and a 401
/// would log the dashboard out.
#[utoipa::path(post, path = "/api/auth/password", tag = "auth", security(("bearer" = [])), request_body = PasswordChange, responses(
    (status = 200, body = TokenOut, description = "the password is changed, every other session of the user ended; use this token from now on"),
    (status = 422, body = ErrorBody, description = "`current_password` is wrong, or `new_password` is too short, too long, too easy to guess (zxcvbn's advice) or the current one"),
    (status = 429, body = ErrorBody, description = "too many wrong passwords for this account (counted with logins); retry after `Retry-After` seconds")))]
async fn change_password(
    State(ctx): State<ApiContext>,
    session: AuthSession,
    ApiJson(body): ApiJson<PasswordChange>,
) -> ApiResult<Json<TokenOut>> {
    let user = ctx.db.users().get(session.user.id).await.map_err(|e| match ApiError::from(e) {
        ApiError::NotFound(_) => ApiError::Unauthorized("account no longer exists".into()),
        other => other,
    })?;
    password::vet("new_password", &body.new_password, &user.email).await?;
    if body.new_password == body.current_password {
        return Err(ApiError::field("new_password", "must differ from the current password"));
    }
    ctx.logins.attempt(&user.email).map_err(|retry_after| ApiError::RateLimited { retry_after })?;
    if !verify_password(&ctx, body.current_password, Some(user.password_hash)).await? {
        return Err(ApiError::field("current_password", "is wrong"));
    }
    ctx.logins.succeeded(&user.email);
    let hash = hash_password(&ctx, body.new_password).await?;
    let version = ctx.db.users().set_password(user.id, &hash).await?;
    ctx.sessions.version_bumped(user.id, version);
    tracing::info!(user_id = user.id, "password changed; other sessions ended");
    Ok(Json(TokenOut::issue(&ctx, user.id, version)?))
}
