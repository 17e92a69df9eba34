//! The exchange's one error type. Every variant says whether retrying can help ([`ExchangeError::is_retryable`]).

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    /// The network failed or the exchange answered 5xx: the request may or may not have been executed.
    #[error("exchange unreachable: {0}")]
    Connectivity(String),
    /// Over a rate limit (HTTP 429 / -1003); wait `retry_after`.
    #[error("rate limited by the exchange; retry after {}s", .retry_after.as_secs())]
    RateLimited { retry_after: Duration },
    /// The IP is banned for hammering after 429s (HTTP 418).
    #[error("IP banned by the exchange for {}s (too many requests after a 429)", .retry_after.as_secs())]
    Banned { retry_after: Duration },
    /// -1021: our clock is outside the exchange's receive window even after a re-sync.
    #[error("timestamp outside the exchange's receive window (-1021): {0}")]
    Timestamp(String),
    /// -1022, -2014, -2015: the key, its permissions or the signature are wrong.
    #[error("API key rejected ({code}): {msg}")]
    Auth { code: i64, msg: String },
    /// -2010 with a balance message.
    #[error("insufficient balance: {0}")]
    InsufficientBalance(String),
    /// -2010 "Duplicate order sent.": an open order already has this client id.
    #[error("duplicate order: an open order already has client id {0}")]
    DuplicateOrder(String),
    /// -2011 / -2013: no such order.
    #[error("unknown order: {0}")]
    UnknownOrder(String),
    /// -1013 from the exchange, or the same check done before sending.
    #[error("filter failure: {0}")]
    Filter(String),
    /// The symbol is not `TRADING` (`HALT`, `BREAK`, `END_OF_DAY`, `CANCEL_ONLY`): new orders are refused, cancels
    /// work. -2010 "Market is closed.", or the symbol's status seen before sending.
    #[error("market closed: {0}")]
    MarketClosed(String),
    /// -1121, or a symbol the exchange does not list.
    #[error("invalid symbol: {0}")]
    InvalidSymbol(String),
    /// Any other refusal, with Binance's code and message.
    #[error("exchange refused the request ({code}): {msg}")]
    Rejected { code: i64, msg: String },
    /// A response we could not read.
    #[error("unexpected answer from the exchange: {0}")]
    Decode(String),
}

impl ExchangeError {
    /// Whether the same request may succeed later.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ExchangeError::Connectivity(_)
                | ExchangeError::RateLimited { .. }
                | ExchangeError::Banned { .. }
                | ExchangeError::Timestamp(_)
        )
    }

    /// Binance's error code for this refusal: the one it answered, or the one it answers for the same refusal when
    /// the check was ours before sending (a filter, a closed market, an unknown symbol). `None` for failures without
    /// a code: the network or a 5xx (`Connectivity` keeps the code in its text when Binance sent one), an HTTP 418 ban,
    /// an unreadable answer.
    pub fn code(&self) -> Option<i64> {
        match self {
            ExchangeError::RateLimited { .. } => Some(-1003),
            ExchangeError::Timestamp(_) => Some(-1021),
            ExchangeError::Auth { code, .. } | ExchangeError::Rejected { code, .. } => Some(*code),
            ExchangeError::InsufficientBalance(_) | ExchangeError::DuplicateOrder(_) => Some(-2010),
            ExchangeError::MarketClosed(_) => Some(-2010),
            ExchangeError::UnknownOrder(_) => Some(-2013),
            ExchangeError::Filter(_) => Some(-1013),
            ExchangeError::InvalidSymbol(_) => Some(-1121),
            ExchangeError::Connectivity(_) | ExchangeError::Banned { .. } | ExchangeError::Decode(_) => None,
        }
    }

    /// Maps a Binance error body's code and message.
    pub fn from_code(code: i64, msg: &str) -> Self {
        let m = msg.to_string();
        match code {
            -1003 => ExchangeError::RateLimited { retry_after: Duration::from_secs(60) },
            -1021 => ExchangeError::Timestamp(m),
            -1022 | -2014 | -2015 => ExchangeError::Auth { code, msg: m },
            -2010 | -1013 if market_closed(msg) => ExchangeError::MarketClosed(m),
            -1013 => ExchangeError::Filter(m),
            -1121 => ExchangeError::InvalidSymbol(m),
            -2011 | -2013 => ExchangeError::UnknownOrder(m),
            -2010 if msg.to_ascii_lowercase().contains("duplicate") => ExchangeError::DuplicateOrder(m),
            -2010 if msg.to_ascii_lowercase().contains("balance") => ExchangeError::InsufficientBalance(m),
            -1000 | -1001 | -1006 | -1007 | -1008 => ExchangeError::Connectivity(format!("{code}: {m}")),
            _ => ExchangeError::Rejected { code, msg: m },
        }
    }
}

/// Binance's refusals of a new order on a symbol that is not trading.
fn market_closed(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    m.contains("market is closed") || m.contains("not possible in this trading phase")
}

pub type Result<T, E = ExchangeError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_typed_errors_with_retry_advice() {
        assert!(ExchangeError::from_code(-1021, "ts").is_retryable());
        assert!(ExchangeError::from_code(-1003, "weight").is_retryable());
        assert!(ExchangeError::from_code(-1001, "disconnected").is_retryable());
        let dup = ExchangeError::from_code(-2010, "Duplicate order sent.");
        assert!(matches!(dup, ExchangeError::DuplicateOrder(_)) && !dup.is_retryable());
        let bal = ExchangeError::from_code(-2010, "Account has insufficient balance for requested action.");
        assert!(matches!(bal, ExchangeError::InsufficientBalance(_)));
        assert!(matches!(ExchangeError::from_code(-1013, "Filter failure: LOT_SIZE"), ExchangeError::Filter(_)));
        assert!(matches!(ExchangeError::from_code(-2015, "Invalid API-key"), ExchangeError::Auth { .. }));
        assert!(matches!(ExchangeError::from_code(-2013, "Order does not exist."), ExchangeError::UnknownOrder(_)));
        assert!(!ExchangeError::from_code(-1121, "Invalid symbol.").is_retryable());
        assert_eq!(ExchangeError::from_code(-2015, "Invalid API-key").code(), Some(-2015));
        assert_eq!(ExchangeError::from_code(-1111, "Precision is over the maximum.").code(), Some(-1111));
        assert_eq!(ExchangeError::Connectivity("reset".into()).code(), None);
        let closed = ExchangeError::from_code(-2010, "Market is closed.");
        assert!(matches!(closed, ExchangeError::MarketClosed(_)) && !closed.is_retryable());
    }

    #[test]
    fn each_refusal_keeps_binances_code() {
        for (code, msg) in [
            (-1003, "Too much request weight used"),
            (-1021, "Timestamp for this request is outside of the recvWindow."),
            (-2015, "Invalid API-key, IP, or permissions for action."),
            (-2010, "Account has insufficient balance for requested action."),
            (-2010, "Duplicate order sent."),
            (-2010, "Market is closed."),
            (-2013, "Order does not exist."),
            (-1013, "Filter failure: LOT_SIZE"),
            (-1121, "Invalid symbol."),
            (-1102, "Mandatory parameter 'quantity' was not sent."),
        ] {
            assert_eq!(ExchangeError::from_code(code, msg).code(), Some(code), "{code} {msg}");
        }
        assert_eq!(ExchangeError::Connectivity("reset".into()).code(), None);
        assert_eq!(ExchangeError::Banned { retry_after: Duration::from_secs(1) }.code(), None);
    }
}
