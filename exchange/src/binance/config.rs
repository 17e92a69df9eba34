//! Where Binance is and who we are there: hosts from the binary's settings, credentials that never print.

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
    /// `BINANCE_WS_API_URL` override each one. Read through `get` (the binary's one settings source); a blank value
    /// counts as unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let var = |k: &str| get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
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
    fn hosts_default_to_the_testnet_and_each_can_be_overridden() {
        assert_eq!(Endpoints::from_lookup(|_| None), Endpoints::testnet());
        let main = Endpoints::from_lookup(|k| (k == "BINANCE_TESTNET").then(|| "false".to_owned()));
        assert_eq!(main, Endpoints::mainnet());
        let sim = Endpoints::from_lookup(|k| (k == "BINANCE_REST_URL").then(|| "http://127.0.0.1:9/".to_owned()));
        assert_eq!((sim.rest.as_str(), sim.ws), ("http://127.0.0.1:9", Endpoints::testnet().ws));
    }

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
