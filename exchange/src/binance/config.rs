//! Where Binance is and who we are there: hosts from the environment, credentials that never print.

use std::fmt;

/// Base URLs of the three Binance services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// `https://api.binance.com` (the REST API is under `/api/v3`).
    pub rest: String,
    /// `wss://stream.binance.com:9443` (market streams under `/ws` and `/stream`).
    pub ws: String,
    /// `wss://ws-api.binance.com:443/ws-api/v3`.
    pub ws_api: String,
}

impl Endpoints {
    pub fn mainnet() -> Self {
        Endpoints {
            rest: "https://api.binance.com".into(),
            ws: "wss://stream.binance.com:9443".into(),
            ws_api: "wss://ws-api.binance.com:443/ws-api/v3".into(),
        }
    }

    pub fn testnet() -> Self {
        Endpoints {
            rest: "https://testnet.binance.vision".into(),
            ws: "wss://stream.testnet.binance.vision".into(),
            ws_api: "wss://ws-api.testnet.binance.vision/ws-api/v3".into(),
        }
    }

    /// `BINANCE_TESTNET` (default true) picks the hosts; `BINANCE_REST_URL`, `BINANCE_WS_URL` and
    /// `BINANCE_WS_API_URL` override each one.
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let testnet =
            var("BINANCE_TESTNET").is_none_or(|v| !matches!(v.to_ascii_lowercase().as_str(), "false" | "0" | "no"));
        let base = if testnet { Endpoints::testnet() } else { Endpoints::mainnet() };
        Endpoints {
            rest: var("BINANCE_REST_URL").unwrap_or(base.rest),
            ws: var("BINANCE_WS_URL").unwrap_or(base.ws),
            ws_api: var("BINANCE_WS_API_URL").unwrap_or(base.ws_api),
        }
        .trimmed()
    }

    /// All three pointed at one host (the simulator serves them all).
    pub fn single_host(rest: &str, ws: &str, ws_api: &str) -> Self {
        Endpoints { rest: rest.into(), ws: ws.into(), ws_api: ws_api.into() }.trimmed()
    }

    fn trimmed(mut self) -> Self {
        for u in [&mut self.rest, &mut self.ws, &mut self.ws_api] {
            while u.ends_with('/') {
                u.pop();
            }
        }
        self
    }
}

/// An API key and its secret. `Debug` shows neither.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub api_key: String,
    pub secret: String,
}

impl Credentials {
    pub fn new(api_key: impl Into<String>, secret: impl Into<String>) -> Self {
        Credentials { api_key: api_key.into(), secret: secret.into() }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Credentials({})", mask(&self.api_key))
    }
}

/// `abcd…wxyz`: enough to recognise a key, not to use it. Shorter than 12 characters shows nothing.
pub fn mask(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 12 {
        return "…".into();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_print() {
        let c = Credentials::new(
            "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
            "NhqPtmdSJYdKjVHjA7PZj4Mge3R5",
        );
        let shown = format!("{c:?}");
        assert_eq!(shown, "Credentials(vmPU…Eh8A)");
        assert!(!shown.contains("NhqP"));
        assert_eq!(mask("short"), "…");
    }
}
