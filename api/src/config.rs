//! [`ApiConfig`]: the API's settings, as the binary read them ([`ApiConfig::from_lookup`]) — bind address, JWT secret and expiry, the key that
//! encrypts stored exchange credentials, rate limits, the request body limit, the dashboard's directory and whether
//! a reverse proxy's `X-Forwarded-For` is trusted. Secrets redact themselves.

use gridbot_core::Decimal;
use std::{fmt, net::SocketAddr, path::PathBuf, time::Duration};

/// Where `gridbot api` listens when `GRIDBOT_BIND` is unset.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// The built dashboard served when `GRIDBOT_STATIC_DIR` is unset and this directory exists.
pub const DEFAULT_STATIC_DIR: &str = "frontend/dist";

#[derive(Clone)]
pub struct ApiConfig {
    pub bind: SocketAddr,
    /// HS256 secret of the access tokens (`JWT_SECRET`, at least 32 bytes).
    pub jwt_secret: Vec<u8>,
    /// Lifetime of an access token (`JWT_EXPIRY_SECS`, default one day).
    pub token_ttl: Duration,
    /// AES-256-GCM key of stored API credentials (`ENCRYPTION_KEY`, 32 bytes in base64).
    pub encryption_key: [u8; 32],
    /// bcrypt cost of password hashes (12 in production; tests use the minimum, 4).
    pub bcrypt_cost: u32,
    pub rate_limits: RateLimits,
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// The built dashboard (`GRIDBOT_STATIC_DIR`): its files, and `index.html` for every page path. `None`: no
    /// dashboard, and unknown paths answer the JSON 404.
    pub static_dir: Option<PathBuf>,
    /// Rate-limit by the client address a reverse proxy appended to `X-Forwarded-For` (`GRIDBOT_TRUST_PROXY=true`)
    /// instead of the connection's peer address. Only behind a proxy that appends it: a client reaching the API
    /// directly could otherwise forge the header and get a fresh bucket per request.
    pub trust_proxy: bool,
    /// What a new paper account is funded with, and what a reset restores (`PAPER_FUNDING`, `ASSET=AMOUNT,…`,
    /// default `USDT=10000`).
    pub paper_funding: Vec<(String, Decimal)>,
    /// Where market data comes from, as the binary decided it (`GET /api/system`); [`MarketSource::BINANCE`] by
    /// default.
    pub market: MarketSource,
}

/// The market the process trades on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketSource {
    /// The built-in simulator's market (else Binance's).
    pub simulator: bool,
    /// The simulator was chosen or fallen back to: its prices are not real.
    pub offline: bool,
    /// Real milliseconds one 1-minute candle takes; `None` when unknown.
    pub candle_ms: Option<u64>,
}

impl MarketSource {
    pub const BINANCE: MarketSource = MarketSource { simulator: false, offline: false, candle_ms: Some(60_000) };

    /// The built-in simulator playing `candles_per_second`.
    pub fn simulator(candles_per_second: f64) -> MarketSource {
        let ms = 1000.0 / candles_per_second;
        // A finite, positive pace in whole milliseconds (at least 1); anything else is unknown.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let candle_ms = (ms.is_finite() && ms > 0.0).then(|| (ms.round() as u64).max(1));
        MarketSource { simulator: true, offline: true, candle_ms }
    }
}

/// The default funding of a paper account: 10,000 USDT.
pub fn default_paper_funding() -> Vec<(String, Decimal)> {
    vec![("USDT".to_owned(), Decimal::new(10_000, 0))]
}

/// `ASSET=AMOUNT,…` (`USDT=10000,BTC=0.5`): each asset 2 to 20 letters or digits, each amount at least 0.
pub fn parse_funding(text: &str) -> Result<Vec<(String, Decimal)>, String> {
    text.split(',')
        .map(|part| {
            let (asset, amount) = part.split_once('=').ok_or_else(|| format!("{part:?} is not ASSET=AMOUNT"))?;
            let asset = asset.trim().to_ascii_uppercase();
            if !(2..=20).contains(&asset.len()) || !asset.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(format!("{asset:?} is not an asset name"));
            }
            let amount: Decimal =
                amount.trim().parse().map_err(|_| format!("{:?} is not a decimal amount", amount.trim()))?;
            if amount.is_sign_negative() || amount.scale() > 8 || amount > Decimal::new(1_000_000_000_000, 0) {
                return Err(format!("{amount} must be between 0 and 10^12 with at most 8 decimal places"));
            }
            Ok((asset, amount.normalize()))
        })
        .collect()
}

/// Token buckets: `burst` at once, then one more every `refill`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Every route: a request with a valid token counts in its user's bucket, any other in its client IP's.
    pub api_burst: u32,
    pub api_refill: Duration,
    /// Register and login, per client IP: stricter, against password guessing.
    pub auth_burst: u32,
    pub auth_refill: Duration,
    /// Wrong passwords per account (normalized email), from any address, at login and password change: 5 tries,
    /// then one more a minute (five idle minutes forgive them all); a right password clears them. Counted in each
    /// API process's memory.
    pub login_failures_burst: u32,
    pub login_failures_refill: Duration,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            api_burst: 120,
            api_refill: Duration::from_millis(100),
            auth_burst: 10,
            auth_refill: Duration::from_secs(6),
            login_failures_burst: 5,
            login_failures_refill: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is required: {hint}")]
    Missing { name: &'static str, hint: &'static str },
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

impl ApiConfig {
    /// Settings with the given secrets and every other value at its default.
    pub fn new(jwt_secret: &[u8], encryption_key: [u8; 32]) -> Self {
        ApiConfig {
            bind: DEFAULT_BIND.parse().unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 8080))),
            jwt_secret: jwt_secret.to_vec(),
            token_ttl: Duration::from_secs(86_400),
            encryption_key,
            bcrypt_cost: bcrypt::DEFAULT_COST,
            rate_limits: RateLimits::default(),
            body_limit: 64 * 1024,
            static_dir: None,
            trust_proxy: false,
            paper_funding: default_paper_funding(),
            market: MarketSource::BINANCE,
        }
    }

    /// Reads `GRIDBOT_BIND`, `JWT_SECRET`, `JWT_EXPIRY_SECS`, `ENCRYPTION_KEY`, `GRIDBOT_STATIC_DIR` (default
    /// [`DEFAULT_STATIC_DIR`] when it exists), `GRIDBOT_TRUST_PROXY` (default false) and `PAPER_FUNDING` (default
    /// `USDT=10000`) through `get` (the binary's one settings source); a blank value counts as unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let secret = get("JWT_SECRET").ok_or(ConfigError::Missing {
            name: "JWT_SECRET",
            hint: "a random string of at least 32 bytes (openssl rand -base64 48)",
        })?;
        if secret.len() < 32 {
            return Err(ConfigError::Invalid { name: "JWT_SECRET", reason: "shorter than 32 bytes".into() });
        }
        let key = get("ENCRYPTION_KEY").ok_or(ConfigError::Missing {
            name: "ENCRYPTION_KEY",
            hint: "32 random bytes in base64 (openssl rand -base64 32)",
        })?;
        let mut config = ApiConfig::new(secret.as_bytes(), parse_key(&key)?);
        if let Some(bind) = get("GRIDBOT_BIND") {
            config.bind = bind
                .parse()
                .map_err(|e| ConfigError::Invalid { name: "GRIDBOT_BIND", reason: format!("{bind:?}: {e}") })?;
        }
        if let Some(secs) = get("JWT_EXPIRY_SECS") {
            let secs: u64 = secs.parse().ok().filter(|s| *s > 0).ok_or_else(|| ConfigError::Invalid {
                name: "JWT_EXPIRY_SECS",
                reason: format!("{secs:?} is not a positive number of seconds"),
            })?;
            config.token_ttl = Duration::from_secs(secs);
        }
        config.static_dir = match get("GRIDBOT_STATIC_DIR") {
            Some(dir) => Some(PathBuf::from(dir)),
            None => Some(PathBuf::from(DEFAULT_STATIC_DIR)).filter(|d| d.is_dir()),
        };
        if let Some(flag) = get("GRIDBOT_TRUST_PROXY") {
            config.trust_proxy = match flag.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" => false,
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "GRIDBOT_TRUST_PROXY",
                        reason: format!("{flag:?} is not true or false"),
                    });
                }
            };
        }
        if let Some(funding) = get("PAPER_FUNDING") {
            config.paper_funding =
                parse_funding(&funding).map_err(|reason| ConfigError::Invalid { name: "PAPER_FUNDING", reason })?;
        }
        Ok(config)
    }
}

fn parse_key(text: &str) -> Result<[u8; 32], ConfigError> {
    gridbot_platform::crypto::parse_key(text).map_err(|reason| ConfigError::Invalid { name: "ENCRYPTION_KEY", reason })
}

impl fmt::Debug for ApiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiConfig")
            .field("bind", &self.bind)
            .field("jwt_secret", &"<redacted>")
            .field("token_ttl", &self.token_ttl)
            .field("encryption_key", &"<redacted>")
            .field("bcrypt_cost", &self.bcrypt_cost)
            .field("rate_limits", &self.rate_limits)
            .field("body_limit", &self.body_limit)
            .field("static_dir", &self.static_dir)
            .field("trust_proxy", &self.trust_proxy)
            .field("market", &self.market)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::{Engine, engine::general_purpose::STANDARD};
    use std::collections::HashMap;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn secrets_are_required_and_checked() {
        let key = STANDARD.encode([7u8; 32]);
        let secret = "s".repeat(40);
        assert!(matches!(ApiConfig::from_lookup(lookup(&[])), Err(ConfigError::Missing { name: "JWT_SECRET", .. })));
        let short = ApiConfig::from_lookup(lookup(&[("JWT_SECRET", "short"), ("ENCRYPTION_KEY", &key)]));
        assert!(matches!(short, Err(ConfigError::Invalid { name: "JWT_SECRET", .. })));
        let bad_key = ApiConfig::from_lookup(lookup(&[("JWT_SECRET", &secret), ("ENCRYPTION_KEY", "AAAA")]));
        assert!(matches!(bad_key, Err(ConfigError::Invalid { name: "ENCRYPTION_KEY", .. })));
        let ok = ApiConfig::from_lookup(lookup(&[
            ("JWT_SECRET", &secret),
            ("ENCRYPTION_KEY", &key),
            ("GRIDBOT_BIND", "0.0.0.0:9000"),
            ("JWT_EXPIRY_SECS", "60"),
            ("GRIDBOT_STATIC_DIR", "/srv/dist"),
            ("GRIDBOT_TRUST_PROXY", "true"),
        ]))
        .expect("valid settings");
        assert_eq!(ok.bind.port(), 9000);
        assert_eq!((ok.static_dir.as_deref(), ok.trust_proxy), (Some(std::path::Path::new("/srv/dist")), true));
        let proxy = ApiConfig::from_lookup(lookup(&[
            ("JWT_SECRET", &secret),
            ("ENCRYPTION_KEY", &key),
            ("GRIDBOT_TRUST_PROXY", "maybe"),
        ]));
        assert!(matches!(proxy, Err(ConfigError::Invalid { name: "GRIDBOT_TRUST_PROXY", .. })));
        assert_eq!(ok.token_ttl, Duration::from_secs(60));
        assert_eq!(ok.encryption_key, [7u8; 32]);
        let shown = format!("{ok:?}");
        assert!(!shown.contains(&secret) && shown.contains("<redacted>"));
    }
}
