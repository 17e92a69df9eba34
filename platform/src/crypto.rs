//! Exchange credentials at rest: AES-256-GCM with a random 96-bit nonce per value, bound to the user and the field
//! by associated data; stored as `v1:` + base64(nonce ‖ ciphertext). Shared by the API (which stores keys) and the
//! workers (which trade with them).

use aes_gcm::{
    Aes256Gcm, KeyInit, Nonce,
    aead::{Aead, Payload},
};
use base64::{Engine, engine::general_purpose::STANDARD};

/// A value that cannot be sealed or opened; the message never holds the value itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CryptoError(pub String);

const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;

/// Encrypts `plain` for `user_id`'s `field` (`api_key`, `api_secret`).
pub fn encrypt(key: &[u8; 32], user_id: i64, field: &str, plain: &str) -> Result<String, CryptoError> {
    let cipher = Aes256Gcm::new_from_slice(key).map_err(|e| CryptoError(e.to_string()))?;
    let nonce_bytes: [u8; NONCE_LEN] = rand::random();
    let aad = aad(user_id, field);
    let sealed = cipher
        .encrypt(&Nonce::from(nonce_bytes), Payload { msg: plain.as_bytes(), aad: aad.as_bytes() })
        .map_err(|_| CryptoError("encryption failed".into()))?;
    let mut out = nonce_bytes.to_vec();
    out.extend_from_slice(&sealed);
    Ok(format!("{PREFIX}{}", STANDARD.encode(out)))
}

/// Decrypts a value made by [`encrypt`] for the same user and field.
pub fn decrypt(key: &[u8; 32], user_id: i64, field: &str, stored: &str) -> Result<String, CryptoError> {
    let bad = || CryptoError(format!("stored {field} of user {user_id} cannot be decrypted"));
    let raw = STANDARD.decode(stored.strip_prefix(PREFIX).ok_or_else(bad)?).map_err(|_| bad())?;
    if raw.len() <= NONCE_LEN {
        return Err(bad());
    }
    let (nonce, sealed) = raw.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| bad())?;
    let cipher = Aes256Gcm::new_from_slice(key).map_err(|e| CryptoError(e.to_string()))?;
    let aad = aad(user_id, field);
    let plain = cipher.decrypt(&Nonce::from(nonce), Payload { msg: sealed, aad: aad.as_bytes() }).map_err(|_| bad())?;
    String::from_utf8(plain).map_err(|_| bad())
}

fn aad(user_id: i64, field: &str) -> String {
    format!("gridbot:user:{user_id}:{field}")
}

/// `ENCRYPTION_KEY`: 32 bytes in base64.
pub fn parse_key(text: &str) -> Result<[u8; 32], String> {
    let bytes = STANDARD.decode(text.trim()).map_err(|e| format!("not base64: {e}"))?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| format!("decodes to {} bytes, not 32", bytes.len()))
}

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
    fn keys_parse_from_base64_of_32_bytes() {
        assert_eq!(parse_key(&STANDARD.encode([7u8; 32])).expect("key"), [7u8; 32]);
        assert!(parse_key("not base64!").is_err());
        assert!(parse_key(&STANDARD.encode([7u8; 16])).is_err());
    }
}
