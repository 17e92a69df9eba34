//! The AI suite: the Claude client and the advisor against a local server that speaks the Messages API, and the
//! advisor's market loaded from the database and the simulator. Every test checks that the API key never appears
//! in the captured logs (every crate, TRACE level) nor in an error.

// Test helpers outside `#[test]` fns panic on failure on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod advisor;
mod claude;
mod fake;
mod history;

use std::{
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

use gridbot_ai::{ApiKey, ClaudeSettings};

/// The key every test uses; it must never be seen anywhere but in the `x-api-key` header.
pub const KEY: &str = "sk-ant-test-0123456789-DO-NOT-LOG";

/// Settings pointing at `url`, with short waits.
pub fn settings(url: &str) -> ClaudeSettings {
    let mut s = ClaudeSettings::new(ApiKey::new(KEY));
    s.base_url = url.to_owned();
    s.timeout = Duration::from_secs(5);
    s.backoff = Duration::from_millis(20);
    s.max_wait = Duration::from_secs(5);
    s
}

/// Asserts the key appears in none of the captured logs, nor in `shown` (an error's Display or Debug).
pub fn assert_no_key(shown: &str) {
    assert!(!shown.contains(KEY), "the API key leaked: {shown}");
    let logs = logs().text();
    assert!(!logs.contains(KEY), "the API key leaked into the logs");
    assert!(!logs.contains("DO-NOT-LOG"), "part of the API key leaked into the logs");
}

/// Every log line of the test binary at TRACE level, kept in memory (a global subscriber, set once).
pub fn logs() -> &'static Logs {
    static LOGS: OnceLock<Logs> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Logs::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(logs.clone())
            .with_ansi(false)
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        logs
    })
}

#[derive(Debug, Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;
    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}
