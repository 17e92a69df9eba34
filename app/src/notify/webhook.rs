//! The webhook channel: `POST <url>` with the JSON body, signed Stripe-style — `X-Gridbot-Timestamp: <unix
//! seconds>` and `X-Gridbot-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed by the secret>`.
//! Redirects are not followed; a receiver answers with any 2xx.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{Failure, message::Message};

pub const TIMESTAMP_HEADER: &str = "X-Gridbot-Timestamp";
pub const SIGNATURE_HEADER: &str = "X-Gridbot-Signature";

/// `sha256=<hex>`: the signature of `body` sent at `timestamp` (unix seconds) with `secret`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length: this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A new signing secret: `whsec_` and 32 random bytes in hex.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("whsec_{}", hex::encode(bytes))
}

/// Posts `msg` to `url`, signed with `secret`.
pub(super) async fn send(http: &reqwest::Client, url: &str, secret: &str, msg: &Message) -> Result<(), Failure> {
    let body = msg.body();
    let timestamp = chrono::Utc::now().timestamp();
    let response = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, signature(secret, timestamp, &body))
        .body(body)
        .send()
        .await
        .map_err(Failure::from_reqwest)?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    Err(Failure(format!("the receiver answered HTTP {}", status_text(status))))
}

/// `500 Internal Server Error`.
fn status_text(status: reqwest::StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_timestamp_dot_body() {
        // echo -n '1700000000.{"a":1}' | openssl dgst -sha256 -hmac 'whsec_test'
        let sig = signature("whsec_test", 1_700_000_000, br#"{"a":1}"#);
        assert_eq!(sig, "sha256=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789");
        assert_ne!(sig, signature("whsec_test", 1_700_000_001, br#"{"a":1}"#), "the timestamp is signed");
        assert_ne!(sig, signature("whsec_other", 1_700_000_000, br#"{"a":1}"#), "the secret keys it");
        let s = new_secret();
        assert!(s.starts_with("whsec_") && s.len() == 6 + 64, "{s}");
        assert_ne!(s, new_secret());
    }
}
