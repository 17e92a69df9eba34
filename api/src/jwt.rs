//! Access tokens: HS256 JWTs whose subject is the user id, issued at login and checked by [`crate::auth::AuthUser`].
//! Each carries its user's token version (`ver`: bumping it ends every session of the user) and an id of its own
//! (`jti`: logging out revokes that one token).

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
    /// The user's token version when the token was issued.
    pub ver: i64,
    /// The token's own id: 128 random bits in hex.
    pub jti: String,
}

impl Claims {
    /// Claims for `user_id` at token version `version`, valid from `iat` to `exp` (UNIX seconds), with a fresh id.
    pub fn new(user_id: i64, version: i64, iat: u64, exp: u64) -> Self {
        Claims { sub: user_id.to_string(), iat, exp, ver: version, jti: format!("{:032x}", rand::random::<u128>()) }
    }
}

/// What a valid token says: whose it is, at which token version, its id and its expiry (UNIX seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: i64,
    pub version: i64,
    pub jti: String,
    pub exp: u64,
}

/// Signs a token for `user_id` at token version `version` that expires after `ttl`.
pub fn issue(secret: &[u8], user_id: i64, version: i64, ttl: Duration) -> Result<String, ApiError> {
    let now = get_current_timestamp();
    sign(secret, &Claims::new(user_id, version, now, now + ttl.as_secs()))
}

/// Signs any claims (tests use it for expired tokens).
pub fn sign(secret: &[u8], claims: &Claims) -> Result<String, ApiError> {
    encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret)).map_err(ApiError::internal)
}

/// The session of a well-signed, unexpired token; 401 otherwise. Whether the session is still open (user, version,
/// logout) is [`crate::sessions::SessionCache`]'s to say.
pub fn verify(secret: &[u8], token: &str) -> Result<Session, ApiError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "sub", "jti"]);
    let data = decode::<Claims>(token, &DecodingKey::from_secret(secret), &validation).map_err(|e| {
        tracing::debug!(error = %e, "token refused");
        match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => ApiError::Unauthorized("token expired".into()),
            _ => ApiError::Unauthorized("invalid token".into()),
        }
    })?;
    let Claims { sub, exp, ver, jti, .. } = data.claims;
    let user = sub.parse().map_err(|_| ApiError::Unauthorized("invalid token".into()))?;
    if jti.is_empty() || jti.len() > 64 {
        return Err(ApiError::Unauthorized("invalid token".into()));
    }
    Ok(Session { user, version: ver, jti, exp })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_refuse_tampering_and_expiry() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let token = issue(secret, 42, 3, Duration::from_secs(60)).expect("signed");
        let session = verify(secret, &token).expect("valid");
        assert_eq!((session.user, session.version, session.jti.len()), (42, 3, 32));
        let other = verify(secret, &issue(secret, 42, 3, Duration::from_secs(60)).expect("signed")).expect("valid");
        assert_ne!(session.jti, other.jti, "every token has its own id");
        assert!(verify(b"another secret, also 32 bytes long", &token).is_err());
        let mut tampered = token.clone();
        tampered.insert(tampered.len() - 2, 'x');
        assert!(verify(secret, &tampered).is_err());
        let now = get_current_timestamp();
        let old = sign(secret, &Claims::new(42, 0, now - 100, now - 10)).expect("signed");
        assert!(matches!(verify(secret, &old), Err(ApiError::Unauthorized(m)) if m == "token expired"));
    }

    #[test]
    fn a_token_without_version_or_id_is_invalid() {
        #[derive(Serialize)]
        struct Before {
            sub: String,
            iat: u64,
            exp: u64,
        }
        let secret = b"0123456789abcdef0123456789abcdef";
        let now = get_current_timestamp();
        let key = EncodingKey::from_secret(secret);
        let before = Before { sub: "42".into(), iat: now, exp: now + 60 };
        let token = encode(&Header::new(Algorithm::HS256), &before, &key).expect("signed");
        assert!(matches!(verify(secret, &token), Err(ApiError::Unauthorized(m)) if m == "invalid token"));
        let empty_id =
            sign(secret, &Claims { jti: String::new(), ..Claims::new(42, 0, now, now + 60) }).expect("signed");
        assert!(verify(secret, &empty_id).is_err());
    }
}
