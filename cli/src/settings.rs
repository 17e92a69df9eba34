//! Every setting of the server roles, read once here — the only code that reads the environment — and handed down
//! as typed values. One [`Source`] answers every name: the process environment first, then, for `gridbot serve`,
//! the secrets it generates into `./data/secrets.env` on first run.

use std::{fmt, path::Path};

use anyhow::Context;
use base64::{Engine, engine::general_purpose::STANDARD};
use gridbot_ai::{Advisor, ClaudeSettings};
use gridbot_api::ApiConfig;
use gridbot_app::notify::{DEFAULT_TELEGRAM_API_URL, NotifySettings};
use gridbot_core::Decimal;
use gridbot_exchange::binance::config::Endpoints;
use gridbot_platform::Settings;

/// Where `serve` keeps the secrets it generates when `JWT_SECRET` / `ENCRYPTION_KEY` are not set.
pub const LOCAL_SECRETS: &str = "./data/secrets.env";

/// The names a role's settings are read from: the environment, then a file of `NAME=value` lines.
#[derive(Clone, Default)]
pub struct Source {
    file: Vec<(String, String)>,
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.file.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Source").field("file_names", &names).finish()
    }
}

impl Source {
    /// The process environment alone (`api`, `worker`, `scheduler`, `migrate`).
    pub fn env() -> Source {
        Source::default()
    }

    /// The environment, then the secrets file at `path` when `JWT_SECRET` or `ENCRYPTION_KEY` is unset there; the
    /// file is generated (random secrets, mode 0600) when missing.
    pub fn with_local_secrets(path: &Path) -> anyhow::Result<Source> {
        let env = Source::env();
        if env.get("JWT_SECRET").is_some() && env.get("ENCRYPTION_KEY").is_some() {
            return Ok(env);
        }
        if !path.exists() {
            generate_secrets(path)?;
        }
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Ok(Source::with_file(&text))
    }

    /// The environment, then `text`'s `NAME=value` lines (`#` comments and other lines ignored).
    fn with_file(text: &str) -> Source {
        let file = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        Source { file }
    }

    /// The value of `name`, trimmed; a blank value counts as unset.
    pub fn get(&self, name: &str) -> Option<String> {
        let env = std::env::var(name).ok();
        self.pick(env, name)
    }

    fn pick(&self, env: Option<String>, name: &str) -> Option<String> {
        let set = |v: &String| !v.trim().is_empty();
        env.filter(set)
            .or_else(|| self.file.iter().find(|(k, v)| k == name && set(v)).map(|(_, v)| v.clone()))
            .map(|v| v.trim().to_owned())
    }

    /// `get` as a closure, for the libraries' `from_lookup` constructors.
    pub fn lookup(&self) -> impl Fn(&str) -> Option<String> + '_ {
        |name| self.get(name)
    }
}

/// What every server role builds its worker context from.
#[derive(Clone)]
pub struct RoleSettings {
    /// `DATABASE_URL`, `REDIS_URL`, `GRIDBOT_JOBS_DB`, `GRIDBOT_NAMESPACE`.
    pub platform: Settings,
    /// `BINANCE_TESTNET`, `BINANCE_REST_URL`, `BINANCE_WS_URL`, `BINANCE_WS_API_URL`.
    pub endpoints: Endpoints,
    /// `ENCRYPTION_KEY`: decrypts stored API keys; `None` refuses live trading (a set but invalid key is an error).
    pub encryption_key: Option<[u8; 32]>,
    /// `PAPER_FEE_RATE` (default 0.001), stored on the worker context.
    pub paper_fee_rate: Decimal,
    /// `TELEGRAM_API_URL` (default `https://api.telegram.org`): where notifications reach Telegram's Bot API.
    pub notify: NotifySettings,
}

impl fmt::Debug for RoleSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoleSettings")
            .field("platform", &self.platform)
            .field("endpoints", &self.endpoints)
            .field("encryption_key", &self.encryption_key.map(|_| "<redacted>"))
            .field("paper_fee_rate", &self.paper_fee_rate)
            .field("notify", &self.notify)
            .finish()
    }
}

impl RoleSettings {
    pub fn read(source: &Source) -> anyhow::Result<RoleSettings> {
        let encryption_key = source
            .get("ENCRYPTION_KEY")
            .map(|v| gridbot_platform::crypto::parse_key(&v).map_err(|e| anyhow::anyhow!("ENCRYPTION_KEY: {e}")))
            .transpose()?;
        let paper_fee_rate = match source.get("PAPER_FEE_RATE") {
            Some(v) => fee_rate(&v).map_err(|e| anyhow::anyhow!("PAPER_FEE_RATE is invalid: {e}"))?,
            None => gridbot_core::config::default_fee_rate(),
        };
        let notify = NotifySettings {
            telegram_api_url: match source.get("TELEGRAM_API_URL") {
                Some(v) => base_url(&v).map_err(|e| anyhow::anyhow!("TELEGRAM_API_URL is invalid: {e}"))?,
                None => DEFAULT_TELEGRAM_API_URL.to_owned(),
            },
            ..NotifySettings::default()
        };
        Ok(RoleSettings {
            platform: Settings::from_lookup(source.lookup()),
            endpoints: Endpoints::from_lookup(source.lookup()),
            encryption_key,
            paper_fee_rate,
            notify,
        })
    }
}

/// An `http://` or `https://` base URL, without its trailing slash.
fn base_url(text: &str) -> Result<String, String> {
    let rest = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') => Ok(text.trim_end_matches('/').to_owned()),
        _ => Err(format!("{text:?} is not an http:// or https:// URL")),
    }
}

/// A fee rate: an exact decimal from 0 (inclusive) to 1 (exclusive).
fn fee_rate(text: &str) -> Result<Decimal, String> {
    let rate = crate::commands::decimal(text)?;
    if rate < Decimal::ZERO || rate >= Decimal::ONE {
        return Err(format!("{text:?} is not a rate from 0 to below 1 (0.001 is 0.1 %)"));
    }
    Ok(rate)
}

/// The API's settings (`GRIDBOT_BIND`, `JWT_*`, `ENCRYPTION_KEY`, `GRIDBOT_STATIC_DIR`, `GRIDBOT_TRUST_PROXY`).
pub fn api(source: &Source) -> anyhow::Result<ApiConfig> {
    Ok(ApiConfig::from_lookup(source.lookup())?)
}

/// The AI advisor: Claude when `ANTHROPIC_API_KEY` is set, the backtest sweep alone otherwise.
pub fn advisor(source: &Source) -> Advisor {
    Advisor::from_settings(ClaudeSettings::from_lookup(source.lookup()))
}

fn generate_secrets(path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let jwt: [u8; 48] = rand::random();
    let key: [u8; 32] = rand::random();
    let text = format!(
        "# Generated by `gridbot serve` on first run; set JWT_SECRET and ENCRYPTION_KEY to use your own.\nJWT_SECRET={}\nENCRYPTION_KEY={}\n",
        STANDARD.encode(jwt),
        STANDARD.encode(key)
    );
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    tracing::warn!(file = %path.display(), "JWT_SECRET / ENCRYPTION_KEY not set: generated local secrets");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_wins_over_the_file_and_blanks_are_unset() {
        let s = Source::with_file("# generated\nJWT_SECRET=from-file\nENCRYPTION_KEY=key\nEMPTY=\n");
        assert_eq!(s.pick(Some("from-env ".into()), "JWT_SECRET").as_deref(), Some("from-env"));
        assert_eq!(s.pick(Some("  ".into()), "JWT_SECRET").as_deref(), Some("from-file"));
        assert_eq!(s.pick(None, "ENCRYPTION_KEY").as_deref(), Some("key"));
        assert_eq!((s.pick(None, "EMPTY"), s.pick(None, "OTHER")), (None, None));
    }

    #[test]
    fn generated_secrets_are_valid_and_kept() {
        let dir = std::env::temp_dir().join(format!("gridbot-settings-{}", std::process::id()));
        let path = dir.join("data/secrets.env");
        generate_secrets(&path).expect("written");
        let file = Source::with_file(&std::fs::read_to_string(&path).expect("read"));
        let key = file.pick(None, "ENCRYPTION_KEY").expect("a key");
        assert!(gridbot_platform::crypto::parse_key(&key).is_ok());
        let config = ApiConfig::from_lookup(|n| file.pick(None, n)).expect("the API accepts them");
        assert_eq!(config.encryption_key.to_vec(), STANDARD.decode(&key).expect("base64"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_telegram_api_url_is_an_http_url() {
        assert_eq!(base_url("http://127.0.0.1:9/").as_deref(), Ok("http://127.0.0.1:9"));
        assert_eq!(base_url("https://api.telegram.org").as_deref(), Ok("https://api.telegram.org"));
        for bad in ["api.telegram.org", "ftp://x", "https://", "http:///path"] {
            assert!(base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fee_rates_are_checked() {
        assert_eq!(fee_rate("0.00075"), Ok(Decimal::new(75, 5)));
        assert_eq!(gridbot_core::config::default_fee_rate(), Decimal::new(1, 3));
        for bad in ["-0.001", "1", "0.1%", "lots"] {
            assert!(fee_rate(bad).is_err(), "{bad}");
        }
    }
}
