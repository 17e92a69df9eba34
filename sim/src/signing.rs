//! The signature check, written from `spec/binance.md`: HMAC-SHA256 in lowercase hex over the REST query string
//! followed by the body, or over the WebSocket API's parameters sorted by name.

use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

/// Lowercase hex HMAC-SHA256 of `payload` under `secret`.
#[cfg(test)]
pub(crate) fn hmac_hex(secret: &str, payload: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(payload.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Constant-time comparison of a received signature (hex, any case) with the expected one.
pub(crate) fn signature_matches(secret: &str, payload: &str, signature: &str) -> bool {
    let Ok(given) = hex::decode(signature) else { return false };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return false };
    mac.update(payload.as_bytes());
    mac.verify_slice(&given).is_ok()
}

/// Splits the `signature=` pair out of a raw (percent-encoded) query string or body.
/// Returns the string without it and the signature's raw value, if there was one.
pub(crate) fn strip_signature(raw: &str) -> (String, Option<String>) {
    let mut sig = None;
    let kept: Vec<&str> = raw
        .split('&')
        .filter(|pair| match pair.strip_prefix("signature=") {
            Some(v) => {
                sig = Some(v.to_string());
                false
            }
            None => true,
        })
        .collect();
    if sig.is_none() {
        return (raw.to_string(), None);
    }
    (kept.join("&"), sig)
}

/// The REST payload that is signed: the query string immediately followed by the body, both without `signature`.
pub(crate) fn rest_payload(query: &str, body: &str) -> (String, Option<String>) {
    let (q, sq) = strip_signature(query);
    let (b, sb) = strip_signature(body);
    (format!("{q}{b}"), sq.or(sb))
}

/// The WebSocket API payload: every parameter but `signature`, sorted by name, `name=value` joined by `&`,
/// values as sent (not percent-encoded).
pub(crate) fn ws_payload(params: &Map<String, Value>) -> String {
    let mut pairs: Vec<(&String, String)> = params
        .iter()
        .filter(|(k, _)| k.as_str() != "signature")
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k, v)
        })
        .collect();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    const SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

    #[test]
    fn query_string_vector() {
        let q = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
        let sig = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
        assert_eq!(hmac_hex(SECRET, q), sig);
        let (payload, got) = rest_payload(&format!("{q}&signature={sig}"), "");
        assert_eq!(payload, q);
        assert!(signature_matches(SECRET, &payload, &got.unwrap_or_default()));
        assert!(!signature_matches(SECRET, &payload, &sig.replace('c', "d")));
        assert!(!signature_matches(SECRET, &payload, "not hex"));
    }

    #[test]
    fn query_and_body_vector() {
        let q = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC";
        let body = "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
        let sig = "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77";
        let (payload, got) = rest_payload(q, &format!("{body}&signature={sig}"));
        assert_eq!(payload, format!("{q}{body}"));
        assert_eq!(got.as_deref(), Some(sig));
        assert!(signature_matches(SECRET, &payload, sig));
    }

    #[test]
    fn websocket_api_vector() {
        let params = json!({
            "symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC",
            "quantity": "0.01000000", "price": "52000.00", "recvWindow": 100, "timestamp": 1645423376532u64,
            "apiKey": KEY, "signature": "ignored"
        });
        let payload = ws_payload(params.as_object().unwrap_or(&Map::new()));
        assert_eq!(
            payload,
            format!(
                "apiKey={KEY}&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT\
                 &timeInForce=GTC&timestamp=1645423376532&type=LIMIT"
            )
        );
        assert_eq!(hmac_hex(SECRET, &payload), "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24");
    }
}
