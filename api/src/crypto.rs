//! Exchange credentials at rest: AES-256-GCM with a random 96-bit nonce per value, bound to the user and the field
//! by associated data; stored as `v1:` + base64(nonce ‖ ciphertext). And [`mask`], the only form ever shown.

use aes_gcm::{
    Aes256Gcm, KeyInit, Nonce,
    aead::{Aead, Payload},
};
use base64::{Engine, engine::general_purpose::STANDARD};

use crate::error::ApiError;

const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;

/// Encrypts `plain` for `user_id`'s `field` (`api_key`, `api_secret`).
pub fn encrypt(key: &[u8; 32], user_id: i64, field: &str, plain: &str) -> Result<String, ApiError> {
    let cipher = Aes256Gcm::new_from_slice(key).map_err(ApiError::internal)?;
    let nonce_bytes: [u8; NONCE_LEN] = rand::random();
    let aad = aad(user_id, field);
    let sealed = cipher
        .encrypt(&Nonce::from(nonce_bytes), Payload { msg: plain.as_bytes(), aad: aad.as_bytes() })
        .map_err(|_| ApiError::internal("encryption failed"))?;
    let mut out = nonce_bytes.to_vec();
    out.extend_from_slice(&sealed);
    Ok(format!("{PREFIX}{}", STANDARD.encode(out)))
}

/// Decrypts a value made by [`encrypt`] for the same user and field.
pub fn decrypt(key: &[u8; 32], user_id: i64, field: &str, stored: &str) -> Result<String, ApiError> {
    let bad = || ApiError::internal(format!("stored {field} of user {user_id} cannot be decrypted"));
    let raw = STANDARD.decode(stored.strip_prefix(PREFIX).ok_or_else(bad)?).map_err(|_| bad())?;
    if raw.len() <= NONCE_LEN {
        return Err(bad());
    }
    let (nonce, sealed) = raw.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| bad())?;
    let cipher = Aes256Gcm::new_from_slice(key).map_err(ApiError::internal)?;
    let aad = aad(user_id, field);
    let plain = cipher.decrypt(&Nonce::from(nonce), Payload { msg: sealed, aad: aad.as_bytes() }).map_err(|_| bad())?;
    String::from_utf8(plain).map_err(|_| bad())
}

fn aad(user_id: i64, field: &str) -> String {
    format!("gridbot:user:{user_id}:{field}")
}

/// `abcd…wxyz`: the first and last four characters (one definition, shared with the exchange's credentials).
pub use gridbot_exchange::binance::config::mask;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypts_with_fresh_nonces_and_binds_user_and_field() {
        let key = [9u8; 32];
        let a = encrypt(&key, 1, "api_key", "my-api-key-123456").expect("sealed");
        let b = encrypt(&key, 1, "api_key", "my-api-key-123456").expect("sealed");
        assert_ne!(a, b, "a random nonce per value");
        assert!(!a.contains("my-api-key"));
        assert_eq!(decrypt(&key, 1, "api_key", &a).expect("opened"), "my-api-key-123456");
        assert!(decrypt(&key, 2, "api_key", &a).is_err(), "another user's row");
        assert!(decrypt(&key, 1, "api_secret", &a).is_err(), "another field");
        assert!(decrypt(&[8u8; 32], 1, "api_key", &a).is_err(), "another key");
        assert!(decrypt(&key, 1, "api_key", "v1:AAAA").is_err());
    }

    #[test]
    fn masks_show_only_the_ends() {
        assert_eq!(mask("abcdEFGHIJKLwxyz"), "abcd…wxyz");
        assert_eq!(mask("short"), "…");
        assert_eq!(mask("elevenchars"), "…", "too short to show eight of its characters");
    }
}
