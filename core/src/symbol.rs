//! Trading pairs. `BTCUSDT`, `BTC/USDT`, `btc-usdt` and `BTC_USDT` all parse to the same [`Symbol`].

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::Error;

/// Quote assets recognised when a pair is written without a separator (`BTCUSDT`), longest first.
const QUOTES: &[&str] =
    &["FDUSD", "USDT", "USDC", "TUSD", "BUSD", "EUR", "TRY", "BRL", "JPY", "BTC", "ETH", "BNB", "DAI"];

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Symbol {
    base: String,
    quote: String,
}

impl Symbol {
    pub fn new(base: &str, quote: &str) -> Result<Self, Error> {
        let ok = |s: &str| !s.is_empty() && s.len() <= 12 && s.chars().all(|c| c.is_ascii_alphanumeric());
        if !ok(base) || !ok(quote) {
            return Err(Error::field("pair", format!("not a trading pair: {base}/{quote}")));
        }
        Ok(Symbol { base: base.to_ascii_uppercase(), quote: quote.to_ascii_uppercase() })
    }
    pub fn base(&self) -> &str {
        &self.base
    }
    pub fn quote(&self) -> &str {
        &self.quote
    }
    /// The exchange's name: `BTCUSDT`.
    pub fn exchange_name(&self) -> String {
        format!("{}{}", self.base, self.quote)
    }
    /// The display name: `BTC/USDT`.
    pub fn pair(&self) -> String {
        format!("{}/{}", self.base, self.quote)
    }
}

impl FromStr for Symbol {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let t = s.trim();
        if let Some((b, q)) = t.split_once(['/', '-', '_']) {
            return Symbol::new(b, q);
        }
        let up = t.to_ascii_uppercase();
        QUOTES
            .iter()
            .find(|q| up.len() > q.len() && up.ends_with(*q))
            .map(|q| Symbol::new(&up[..up.len() - q.len()], q))
            .unwrap_or_else(|| {
                Err(Error::field("pair", format!("unknown quote asset in {t:?}; write it as BASE/QUOTE")))
            })
    }
}

impl TryFrom<String> for Symbol {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        s.parse()
    }
}

impl From<Symbol> for String {
    fn from(s: Symbol) -> String {
        s.pair()
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.base, self.quote)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_parses_to_one_symbol() {
        for s in ["BTCUSDT", "BTC/USDT", "btc-usdt", "btc_usdt", " BtcUsdt "] {
            let sym: Symbol = s.parse().unwrap();
            assert_eq!((sym.base(), sym.quote()), ("BTC", "USDT"), "{s}");
            assert_eq!(sym.exchange_name(), "BTCUSDT");
            assert_eq!(sym.pair(), "BTC/USDT");
        }
        let eth: Symbol = "ETHBTC".parse().unwrap();
        assert_eq!((eth.base(), eth.quote()), ("ETH", "BTC"));
    }

    #[test]
    fn garbage_is_refused() {
        for s in ["", "USDT", "BTC/", "/USDT", "BT C/USDT", "XYZ", "BTC/US$T"] {
            assert!(s.parse::<Symbol>().is_err(), "{s}");
        }
    }
}
