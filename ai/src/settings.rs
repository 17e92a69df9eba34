//! [`ClaudeSettings`] from the binary's settings (`ANTHROPIC_*`, through [`ClaudeSettings::from_lookup`]), and
//! [`ApiKey`], which never shows itself.

use std::{fmt, time::Duration};

use crate::error::SettingsError;

pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
pub const DEFAULT_MODEL: &str = "claude-sonnet-4-5";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_MAX_RETRIES: u32 = 2;

/// An Anthropic API key. `Debug` shows only that one is set; there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }
    /// The key itself, for the `x-api-key` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// How to reach Claude and how patiently.
#[derive(Debug, Clone)]
pub struct ClaudeSettings {
    pub api_key: ApiKey,
    /// `ANTHROPIC_BASE_URL`, without a trailing slash.
    pub base_url: String,
    /// `ANTHROPIC_MODEL`.
    pub model: String,
    /// `ANTHROPIC_TIMEOUT_SECS`: the limit of one attempt, connection included.
    pub timeout: Duration,
    /// `ANTHROPIC_MAX_RETRIES`: further attempts after a 429, 529, 5xx or lost connection.
    pub max_retries: u32,
    /// First back-off delay; doubled on each retry, at most [`ClaudeSettings::max_wait`].
    pub backoff: Duration,
    /// The longest wait between attempts; a `retry-after` beyond it ends the retries at once.
    pub max_wait: Duration,
    pub max_tokens: u32,
}

impl ClaudeSettings {
    /// Settings with `api_key` and every other value at its default.
    pub fn new(api_key: ApiKey) -> Self {
        ClaudeSettings {
            api_key,
            base_url: DEFAULT_BASE_URL.to_owned(),
            model: DEFAULT_MODEL.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(20),
            max_tokens: 1024,
        }
    }

    /// Reads `ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`, `ANTHROPIC_MODEL`, `ANTHROPIC_TIMEOUT_SECS` and
    /// `ANTHROPIC_MAX_RETRIES` through `get` (the binary's one settings source); `None` when no key is set (an empty
    /// value counts as unset).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, SettingsError> {
        let get = |name: &str| get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let Some(key) = get("ANTHROPIC_API_KEY") else { return Ok(None) };
        let mut s = ClaudeSettings::new(ApiKey::new(key));
        if let Some(url) = get("ANTHROPIC_BASE_URL") {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(SettingsError {
                    name: "ANTHROPIC_BASE_URL",
                    reason: format!("{url:?} is not an http(s) URL"),
                });
            }
            s.base_url = url.trim_end_matches('/').to_owned();
        }
        if let Some(model) = get("ANTHROPIC_MODEL") {
            s.model = model;
        }
        if let Some(secs) = get("ANTHROPIC_TIMEOUT_SECS") {
            let n = secs.parse::<u64>().ok().filter(|n| (1..=600).contains(n)).ok_or_else(|| SettingsError {
                name: "ANTHROPIC_TIMEOUT_SECS",
                reason: format!("{secs:?} is not a number of seconds from 1 to 600"),
            })?;
            s.timeout = Duration::from_secs(n);
        }
        if let Some(n) = get("ANTHROPIC_MAX_RETRIES") {
            s.max_retries = n.parse::<u32>().ok().filter(|n| *n <= 10).ok_or_else(|| SettingsError {
                name: "ANTHROPIC_MAX_RETRIES",
                reason: format!("{n:?} is not a number from 0 to 10"),
            })?;
        }
        Ok(Some(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn no_key_means_no_claude_and_defaults_apply() {
        assert!(ClaudeSettings::from_lookup(lookup(&[])).unwrap().is_none());
        assert!(ClaudeSettings::from_lookup(lookup(&[("ANTHROPIC_API_KEY", "  ")])).unwrap().is_none());
        let s = ClaudeSettings::from_lookup(lookup(&[("ANTHROPIC_API_KEY", "sk-ant-secret")])).unwrap().unwrap();
        assert_eq!((s.base_url.as_str(), s.model.as_str()), (DEFAULT_BASE_URL, DEFAULT_MODEL));
        assert_eq!((s.timeout, s.max_retries), (DEFAULT_TIMEOUT, DEFAULT_MAX_RETRIES));
    }

    #[test]
    fn values_are_read_and_checked() {
        let s = ClaudeSettings::from_lookup(lookup(&[
            ("ANTHROPIC_API_KEY", "sk-ant-secret"),
            ("ANTHROPIC_BASE_URL", "http://127.0.0.1:9/"),
            ("ANTHROPIC_MODEL", "claude-x"),
            ("ANTHROPIC_TIMEOUT_SECS", "5"),
            ("ANTHROPIC_MAX_RETRIES", "0"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!((s.base_url.as_str(), s.model.as_str()), ("http://127.0.0.1:9", "claude-x"));
        assert_eq!((s.timeout, s.max_retries), (Duration::from_secs(5), 0));
        for (name, value) in [
            ("ANTHROPIC_TIMEOUT_SECS", "0"),
            ("ANTHROPIC_TIMEOUT_SECS", "soon"),
            ("ANTHROPIC_MAX_RETRIES", "-1"),
            ("ANTHROPIC_BASE_URL", "api.anthropic.com"),
        ] {
            let e = ClaudeSettings::from_lookup(lookup(&[("ANTHROPIC_API_KEY", "k"), (name, value)])).unwrap_err();
            assert_eq!(e.name, name);
        }
    }

    #[test]
    fn debug_never_shows_the_key() {
        let s = ClaudeSettings::new(ApiKey::new("sk-ant-very-secret"));
        let shown = format!("{s:?}");
        assert!(!shown.contains("very-secret") && shown.contains("<redacted>"), "{shown}");
    }
}
