//! HMAC-SHA256 request signatures, as Binance specifies them (lowercase hex).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The signature of `payload` (for REST: the percent-encoded query string immediately followed by the body).
pub fn sign(secret: &str, payload: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(payload.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The WebSocket API's payload: every parameter but `signature`, sorted by name, `name=value` joined by `&`,
/// not percent-encoded.
pub fn ws_payload(params: &[(&str, String)]) -> String {
    let mut sorted: Vec<_> = params.iter().filter(|(k, _)| *k != "signature").collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    sorted.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    // Binance's published test vectors (spec/binance.md).
    const KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    const SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

    #[test]
    fn rest_query_vector() {
        let q = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
        assert_eq!(sign(SECRET, q), "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
    }

    #[test]
    fn rest_query_plus_body_vector() {
        let q = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC";
        let body = "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
        assert_eq!(
            sign(SECRET, &format!("{q}{body}")),
            "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77"
        );
    }

    #[test]
    fn websocket_api_vector() {
        let params = [
            ("symbol", "BTCUSDT".to_string()),
            ("side", "SELL".into()),
            ("type", "LIMIT".into()),
            ("timeInForce", "GTC".into()),
            ("quantity", "0.01000000".into()),
            ("price", "52000.00".into()),
            ("recvWindow", "100".into()),
            ("timestamp", "1645423376532".into()),
            ("apiKey", KEY.into()),
        ];
        let payload = ws_payload(&params);
        assert!(payload.starts_with("apiKey=vmPU") && payload.ends_with("type=LIMIT"), "{payload}");
        assert_eq!(sign(SECRET, &payload), "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24");
    }
}
