//! A job's failure, and whether trying again can help.

use gridbot_exchange::ExchangeError;
use gridbot_platform::{DbError, QueueError};

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct JobError {
    pub message: String,
    pub retryable: bool,
    /// The exchange refused a new order because the symbol is not trading: placing pauses, the bot is not failed.
    pub market_closed: bool,
    /// The failure came from the exchange (a refusal or no answer), recorded among the bot's exchange errors.
    pub exchange: Option<ExchangeFault>,
}

/// What the exchange said, beside the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExchangeFault {
    /// Binance's error code ([`ExchangeError::code`]); `None` for a failure without one.
    pub code: Option<i64>,
}

impl JobError {
    pub fn fatal(message: impl Into<String>) -> Self {
        JobError { message: message.into(), retryable: false, market_closed: false, exchange: None }
    }
    pub fn retry(message: impl Into<String>) -> Self {
        JobError { message: message.into(), retryable: true, market_closed: false, exchange: None }
    }
    /// The exchange's error code, when the exchange refused (Binance's `-2010`, …).
    pub fn code(&self) -> Option<i64> {
        self.exchange.and_then(|x| x.code)
    }
    /// The same failure, caused by the exchange's `e`.
    pub fn caused_by(mut self, e: &ExchangeError) -> Self {
        self.exchange = Some(ExchangeFault { code: e.code() });
        self
    }
}

impl From<ExchangeError> for JobError {
    fn from(e: ExchangeError) -> Self {
        let market_closed = matches!(e, ExchangeError::MarketClosed(_));
        JobError {
            retryable: e.is_retryable(),
            message: e.to_string(),
            market_closed,
            exchange: Some(ExchangeFault { code: e.code() }),
        }
    }
}

impl From<DbError> for JobError {
    fn from(e: DbError) -> Self {
        let retryable = matches!(e, DbError::Database { retryable: true, .. });
        JobError { retryable, message: e.to_string(), market_closed: false, exchange: None }
    }
}

impl From<QueueError> for JobError {
    fn from(e: QueueError) -> Self {
        JobError::retry(e.to_string())
    }
}

impl From<gridbot_core::Error> for JobError {
    fn from(e: gridbot_core::Error) -> Self {
        JobError::fatal(e.to_string())
    }
}
