//! The crate's errors: [`ClaudeError`] (what calling Claude can end in; retryable ones are retried before they
//! surface), [`SettingsError`], and [`AdvisorError`] (why no suggestion at all could be made).
//!
//! No error ever carries the API key: request headers are never formatted, and the API's own messages pass
//! through [`crate::claude::redact`] first.

use std::time::Duration;

use gridbot_exchange::ExchangeError;
use gridbot_platform::DbError;

/// An `ANTHROPIC_*` variable that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name} is invalid: {reason}")]
pub struct SettingsError {
    pub name: &'static str,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaudeError {
    /// One attempt took longer than the configured timeout.
    #[error("Claude did not answer within {}s", .0.as_secs_f64())]
    Timeout(Duration),
    /// No connection could be made (after the retries).
    #[error("could not reach Claude: {0}")]
    Connect(String),
    /// 429, 529 or 5xx after every retry, or a `retry-after` longer than we wait.
    #[error("Claude is unavailable (HTTP {status} {kind}) after {attempts} attempt(s): {message}")]
    Unavailable { status: u16, kind: String, message: String, attempts: u32 },
    /// Any other refusal by the API (400 invalid request, 401 bad key, 403, 404 unknown model, 413): not retried.
    #[error("Claude refused the request (HTTP {status} {kind}): {message}")]
    Refused { status: u16, kind: String, message: String },
    /// The response was not the Messages API's JSON.
    #[error("Claude's response could not be read: {0}")]
    Decode(String),
    /// The answer did not call the tool (text only, cut off by `max_tokens`, or a refusal).
    #[error("Claude answered without calling {tool} (stop_reason {stop_reason}): {text}")]
    NoToolUse { tool: String, stop_reason: String, text: String },
}

impl ClaudeError {
    /// Whether another attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ClaudeError::Connect(_) | ClaudeError::Unavailable { .. })
    }
}

/// Why no suggestion could be made. Claude failing is not one of them: the sweep's best stands in.
#[derive(Debug, thiserror::Error)]
pub enum AdvisorError {
    /// The request itself is invalid (capital, the current config); fields are named.
    #[error(transparent)]
    Invalid(#[from] gridbot_core::Error),
    /// No candles to reason on.
    #[error("no candles for {0} yet")]
    NoCandles(String),
    /// Not one grid of the sweep fits the price, the capital and the filters.
    #[error("no grid fits: {0}")]
    NoGrid(String),
    #[error(transparent)]
    Exchange(#[from] ExchangeError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("internal error: {0}")]
    Internal(String),
}
