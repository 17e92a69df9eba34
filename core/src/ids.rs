//! Identifiers: [`BotId`], order [`Side`], and the deterministic [`ClientOrderId`].

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BotId(pub i64);

impl fmt::Display for BotId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Buy => "buy",
            Side::Sell => "sell",
        }
    }
    pub fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }
}

impl FromStr for Side {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "buy" => Ok(Side::Buy),
            "sell" => Ok(Side::Sell),
            _ => Err(Error::field("side", format!("must be buy or sell, got {s:?}"))),
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A client order id, valid for Binance (`^[a-zA-Z0-9-_]{1,36}$`).
///
/// Grid orders get ids derived from bot, generation, level, side and the level's order sequence, so a retried job
/// produces the same id and the exchange refuses a duplicate instead of placing a second order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientOrderId(String);

impl ClientOrderId {
    pub fn parse(s: &str) -> Result<Self, Error> {
        let ok = !s.is_empty() && s.len() <= 36 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if ok {
            Ok(ClientOrderId(s.to_owned()))
        } else {
            Err(Error::field("client_order_id", format!("must match ^[a-zA-Z0-9-_]{{1,36}}$, got {s:?}")))
        }
    }

    /// `gb{bot}-{generation}-{level}{b|s}{seq}`, numbers in base 36: the `seq`-th order placed on that level and
    /// side. At most 34 characters for any bot id, generation, level and sequence.
    pub fn grid(bot: BotId, generation: u32, level: usize, side: Side, seq: u32) -> Self {
        let s = match side {
            Side::Buy => 'b',
            Side::Sell => 's',
        };
        let (b, g, l, n) = (base36(bot.0 as u64), base36(generation.into()), base36(level as u64), base36(seq.into()));
        ClientOrderId(format!("gb{b}-{g}-{l}{s}{n}"))
    }

    /// The market order that replaces the grid order `grid(bot, generation, level, side, seq)` when that order was
    /// placed too late to fill as the price passed it (after a crash): the same id with an `r`.
    pub fn repair(bot: BotId, generation: u32, level: usize, side: Side, seq: u32) -> Self {
        ClientOrderId(format!("{}r", Self::grid(bot, generation, level, side, seq).0))
    }

    /// The `attempt`-th order placed again on a level after the exchange expired the one before it (the Price Range
    /// Execution Rule): `{grid id}_{attempt}`, `attempt` ≥ 1 in base 36. Fails when that is longer than 36.
    pub fn retry(&self, attempt: u32) -> Result<Self, Error> {
        ClientOrderId::parse(&format!("{}_{}", self.0, base36(attempt.into())))
    }

    /// The initial inventory's market buy of a generation.
    pub fn initial(bot: BotId, generation: u32) -> Self {
        ClientOrderId(format!("gb{}-{}-init", base36(bot.0 as u64), base36(generation.into())))
    }

    /// A stop's market sale of a generation.
    pub fn stop(bot: BotId, generation: u32) -> Self {
        ClientOrderId(format!("gb{}-{}-stop", base36(bot.0 as u64), base36(generation.into())))
    }

    /// A strategy runtime's order of a generation, named by its tag: `gb{bot}-{generation}-t{tag}`. Fails when the
    /// tag has characters Binance refuses or the id is longer than 36.
    pub fn tagged(bot: BotId, generation: u32, tag: &str) -> Result<Self, Error> {
        ClientOrderId::parse(&format!("gb{}-{}-t{tag}", base36(bot.0 as u64), base36(generation.into())))
    }

    /// What every order id of one generation of a bot starts with.
    pub fn generation_prefix(bot: BotId, generation: u32) -> String {
        format!("gb{}-{}-", base36(bot.0 as u64), base36(generation.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ClientOrderId {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        ClientOrderId::parse(&s)
    }
}

impl From<ClientOrderId> for String {
    fn from(c: ClientOrderId) -> String {
        c.0
    }
}

impl fmt::Display for ClientOrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::with_capacity(13);
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_ids_are_valid_and_distinct() {
        let longest = ClientOrderId::grid(BotId(i64::MAX), u32::MAX, 199, Side::Sell, u32::MAX);
        assert!(ClientOrderId::parse(longest.as_str()).is_ok(), "{longest} is {} chars", longest.as_str().len());
        let a = ClientOrderId::grid(BotId(1), 0, 3, Side::Buy, 0);
        let b = ClientOrderId::grid(BotId(1), 0, 3, Side::Buy, 1);
        let c = ClientOrderId::grid(BotId(1), 1, 3, Side::Buy, 0);
        assert!(a != b && a != c && b != c);
        assert_eq!(a.as_str(), "gb1-0-3b0");
        assert_eq!(ClientOrderId::grid(BotId(36), 1, 199, Side::Sell, 37).as_str(), "gb10-1-5js11");
        let prefix = ClientOrderId::generation_prefix(BotId(36), 1);
        assert!(ClientOrderId::grid(BotId(36), 1, 199, Side::Sell, 37).as_str().starts_with(&prefix));
        assert!(ClientOrderId::initial(BotId(36), 1).as_str().starts_with(&prefix));
        assert!(!ClientOrderId::grid(BotId(36), 11, 0, Side::Buy, 0).as_str().starts_with(&prefix));
        assert!(!ClientOrderId::grid(BotId(1), 1, 0, Side::Buy, 0).as_str().starts_with(&prefix));
    }

    #[test]
    fn retry_ids_are_fresh_and_never_a_grid_id() {
        let a = ClientOrderId::grid(BotId(1), 0, 3, Side::Buy, 1);
        let r1 = a.retry(1).expect("short enough");
        assert_eq!(r1.as_str(), "gb1-0-3b1_1");
        assert_ne!(a.retry(2).expect("short enough"), r1);
        assert!(r1.as_str().starts_with(&ClientOrderId::generation_prefix(BotId(1), 0)));
        let longest = ClientOrderId::grid(BotId(i64::MAX), u32::MAX, 199, Side::Sell, u32::MAX);
        assert!(longest.retry(35).is_ok(), "36 characters");
        assert!(longest.retry(36).is_err(), "longer than Binance allows");
    }

    #[test]
    fn invalid_ids_are_refused() {
        assert!(ClientOrderId::parse("").is_err());
        assert!(ClientOrderId::parse("has space").is_err());
        assert!(ClientOrderId::parse(&"x".repeat(37)).is_err());
    }
}
