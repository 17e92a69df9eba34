//! Access tokens: HS256 JWTs whose subject is the user id, issued at login and checked by [`crate::auth::AuthUser`].

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode, get_current_timestamp};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    pub iat: u64,
    pub exp: u64,
}

/// Signs a token for `user_id` that expires after `ttl`.
pub fn issue(secret: &[u8], user_id: i64, ttl: Duration) -> Result<String, ApiError> {
    let now = get_current_timestamp();
    sign(secret, &Claims { sub: user_id.to_string(), iat: now, exp: now + ttl.as_secs() })
}

/// Signs any claims (tests use it for expired tokens).
pub fn sign(secret: &[u8], claims: &Claims) -> Result<String, ApiError> {
    encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret)).map_err(ApiError::internal)
}

/// The user id of a valid, unexpired token; 401 otherwise.
pub fn verify(secret: &[u8], token: &str) -> Result<i64, ApiError> {
    verify_until(secret, token).map(|(user, _)| user)
}

/// The user id of a valid, unexpired token and its expiry (UNIX seconds); 401 otherwise.
pub fn verify_until(secret: &[u8], token: &str) -> Result<(i64, u64), ApiError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "sub"]);
    let data = decode::<Claims>(token, &DecodingKey::from_secret(secret), &validation).map_err(|e| {
        tracing::debug!(error = %e, "token refused");
        match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => ApiError::Unauthorized("token expired".into()),
            _ => ApiError::Unauthorized("invalid token".into()),
        }
    })?;
    let user = data.claims.sub.parse().map_err(|_| ApiError::Unauthorized("invalid token".into()))?;
    Ok((user, data.claims.exp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_refuse_tampering_and_expiry() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let token = issue(secret, 42, Duration::from_secs(60)).expect("signed");
        assert_eq!(verify(secret, &token).expect("valid"), 42);
        assert!(verify(b"another secret, also 32 bytes long", &token).is_err());
        let mut tampered = token.clone();
        tampered.insert(tampered.len() - 2, 'x');
        assert!(verify(secret, &tampered).is_err());
        let now = get_current_timestamp();
        let old = sign(secret, &Claims { sub: "42".into(), iat: now - 100, exp: now - 10 }).expect("signed");
        assert!(matches!(verify(secret, &old), Err(ApiError::Unauthorized(m)) if m == "token expired"));
    }
}
