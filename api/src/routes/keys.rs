//! `PUT/GET/DELETE /api/account/api-keys`: Binance credentials, stored only as AES-256-GCM ciphertext and shown
//! only masked (`abcd…wxyz`). Neither the key nor the secret is ever logged or returned.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    ApiContext,
    auth::AuthUser,
    crypto,
    error::{ApiError, ApiResult},
    extract::ApiJson,
    openapi::ErrorBody,
};

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(set, show, clear))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct KeysIn {
    api_key: String,
    api_secret: String,
}

impl std::fmt::Debug for KeysIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeysIn { <redacted> }")
    }
}

#[derive(Debug, Serialize, ToSchema)]
struct KeysOut {
    configured: bool,
    api_key_masked: Option<String>,
}

#[utoipa::path(put, path = "/api/account/api-keys", tag = "account", security(("bearer" = [])), request_body = KeysIn, responses(
    (status = 200, body = KeysOut), (status = 422, body = ErrorBody)))]
async fn set(
    State(ctx): State<ApiContext>,
    user: AuthUser,
    ApiJson(body): ApiJson<KeysIn>,
) -> ApiResult<Json<KeysOut>> {
    let api_key = check("api_key", &body.api_key)?;
    let api_secret = check("api_secret", &body.api_secret)?;
    let key = &ctx.config.encryption_key;
    let key_enc = crypto::encrypt(key, user.id, "api_key", api_key)?;
    let secret_enc = crypto::encrypt(key, user.id, "api_secret", api_secret)?;
    ctx.db.users().set_api_keys(user.id, &key_enc, &secret_enc).await?;
    tracing::info!(user_id = user.id, "api keys stored");
    Ok(Json(KeysOut { configured: true, api_key_masked: Some(crypto::mask(api_key)) }))
}

#[utoipa::path(get, path = "/api/account/api-keys", tag = "account", security(("bearer" = [])), responses((status = 200, body = KeysOut)))]
async fn show(State(ctx): State<ApiContext>, user: AuthUser) -> ApiResult<Json<KeysOut>> {
    let u = ctx.db.users().get(user.id).await?;
    let masked = match u.api_key_enc {
        Some(enc) => Some(crypto::mask(&crypto::decrypt(&ctx.config.encryption_key, user.id, "api_key", &enc)?)),
        None => None,
    };
    Ok(Json(KeysOut { configured: masked.is_some(), api_key_masked: masked }))
}

#[utoipa::path(delete, path = "/api/account/api-keys", tag = "account", security(("bearer" = [])), responses((status = 204)))]
async fn clear(State(ctx): State<ApiContext>, user: AuthUser) -> ApiResult<StatusCode> {
    ctx.db.users().clear_api_keys(user.id).await?;
    tracing::info!(user_id = user.id, "api keys deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// Binance keys and secrets are 64 alphanumerics; accept 16 to 128 visible ASCII characters.
fn check<'a>(field: &'static str, value: &'a str) -> ApiResult<&'a str> {
    let v = value.trim();
    if !(16..=128).contains(&v.len()) || !v.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::field(field, "must be 16 to 128 visible ASCII characters"));
    }
    Ok(v)
}
