//! `POST /api/auth/register`, `POST /api/auth/login` (HS256 JWT) and `GET /api/auth/me`. Login is limited per
//! client IP (the router's layer) and per account ([`crate::login_throttle`]); the session routes are in
//! [`super::sessions`].

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    ApiContext,
    auth::AuthUser,
    error::{ApiError, ApiResult},
    extract::ApiJson,
    jwt,
    openapi::ErrorBody,
    password,
};

/// Longest email an account can have (register refuses longer ones).
const MAX_EMAIL_BYTES: usize = 254;

/// Register and login: the routes under the stricter rate limit.
pub fn public_router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(register)).routes(routes!(login))
}

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(me))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Credentials {
    email: String,
    password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("email", &self.email).field("password", &"<redacted>").finish()
    }
}

#[derive(Debug, Serialize, ToSchema)]
struct UserOut {
    id: i64,
    email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TokenOut {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
}

impl TokenOut {
    /// A fresh token of `user_id` at token version `version`.
    pub(crate) fn issue(ctx: &ApiContext, user_id: i64, version: i64) -> ApiResult<TokenOut> {
        let ttl = ctx.config.token_ttl;
        let access_token = jwt::issue(&ctx.config.jwt_secret, user_id, version, ttl)?;
        Ok(TokenOut { access_token, token_type: "Bearer", expires_in: ttl.as_secs() })
    }
}

#[derive(Debug, Serialize, ToSchema)]
struct MeOut {
    id: i64,
    email: String,
    has_api_keys: bool,
}

#[utoipa::path(post, path = "/api/auth/register", tag = "auth", request_body = Credentials, responses(
    (status = 201, body = UserOut), (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody, description = "a bad email, or a password too short, too long or too easy to guess (zxcvbn's advice in `fields.password`)")))]
async fn register(
    State(ctx): State<ApiContext>,
    ApiJson(body): ApiJson<Credentials>,
) -> ApiResult<(StatusCode, Json<UserOut>)> {
    let email = parse_email(&body.email)?;
    password::vet("password", &body.password, &email).await?;
    if ctx.db.users().by_email(&email).await?.is_some() {
        return Err(ApiError::Conflict("email already registered".into()));
    }
    let hash = hash_password(&ctx, body.password).await?;
    let user = ctx.db.users().create(&email, &hash).await.map_err(|e| match ApiError::from(e) {
        ApiError::Conflict(_) => ApiError::Conflict("email already registered".into()),
        other => other,
    })?;
    ctx.db.paper_balances().fund(user.id, &ctx.config.paper_funding).await?;
    tracing::info!(user_id = user.id, "user registered");
    Ok((StatusCode::CREATED, Json(UserOut { id: user.id, email: user.email })))
}

#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = Credentials, responses(
    (status = 200, body = TokenOut), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
    (status = 429, body = ErrorBody, description = "too many logins from this address, or too many wrong passwords for this email from any address; retry after `Retry-After` seconds")))]
async fn login(State(ctx): State<ApiContext>, ApiJson(body): ApiJson<Credentials>) -> ApiResult<Json<TokenOut>> {
    let refused = || ApiError::Unauthorized("wrong email or password".into());
    let email = body.email.trim().to_ascii_lowercase();
    if email.len() > MAX_EMAIL_BYTES {
        // No account has such an email (register refuses it); not worth a slot in the throttle.
        return Err(refused());
    }
    ctx.logins.attempt(&email).map_err(|retry_after| ApiError::RateLimited { retry_after })?;
    let user = ctx.db.users().by_email(&email).await?;
    // Without an account, still spend a bcrypt verification so timing does not tell which emails exist.
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let ok = verify_password(&ctx, body.password, stored).await?;
    let user = user.filter(|_| ok).ok_or_else(refused)?;
    ctx.logins.succeeded(&email);
    Ok(Json(TokenOut::issue(&ctx, user.id, user.token_version)?))
}

/// Whether `password` matches the bcrypt hash `stored`; without one, a dummy hash is verified all the same, so that
/// an unknown email takes as long as a wrong password.
pub(crate) async fn verify_password(ctx: &ApiContext, password: String, stored: Option<String>) -> ApiResult<bool> {
    let cost = ctx.config.bcrypt_cost;
    tokio::task::spawn_blocking(move || {
        let hash = stored.unwrap_or_else(|| dummy_hash(cost).to_owned());
        bcrypt::verify(password, &hash).unwrap_or(false)
    })
    .await
    .map_err(ApiError::internal)
}

/// The bcrypt hash of `password` at the configured cost.
pub(crate) async fn hash_password(ctx: &ApiContext, password: String) -> ApiResult<String> {
    let cost = ctx.config.bcrypt_cost;
    tokio::task::spawn_blocking(move || bcrypt::hash(password, cost))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
}

/// A hash to verify against when the email is unknown, made once at the configured cost.
fn dummy_hash(cost: u32) -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| bcrypt::hash("gridbot: no such account", cost).unwrap_or_default())
}

#[utoipa::path(get, path = "/api/auth/me", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = MeOut), (status = 401, body = ErrorBody)))]
async fn me(State(ctx): State<ApiContext>, user: AuthUser) -> ApiResult<Json<MeOut>> {
    let u = ctx.db.users().get(user.id).await.map_err(|e| match ApiError::from(e) {
        ApiError::NotFound(_) => ApiError::Unauthorized("account no longer exists".into()),
        other => other,
    })?;
    Ok(Json(MeOut { id: u.id, email: u.email, has_api_keys: u.api_key_enc.is_some() }))
}

/// Trims and lowercases; refuses anything that is not `local@domain.tld` without spaces.
pub fn parse_email(raw: &str) -> ApiResult<String> {
    let email = raw.trim().to_ascii_lowercase();
    let bad = |why: &str| ApiError::field("email", why);
    if email.is_empty() {
        return Err(bad("is required"));
    }
    if email.len() > MAX_EMAIL_BYTES {
        return Err(bad("must be at most 254 characters"));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(bad("must look like name@example.com"));
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if local.is_empty() || !domain_ok || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("must look like name@example.com"));
    }
    Ok(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(parse_email("  A@B.co ").ok().as_deref(), Some("a@b.co"));
        for bad in ["", "ab.co", "@b.co", "a@b", "a@.b.co", "a@b..co", "a b@c.co", "a@b.co."] {
            assert!(parse_email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn dummy_hash_is_a_bcrypt_hash() {
        assert!(matches!(bcrypt::verify("anything", dummy_hash(4)), Ok(false)));
    }
}
