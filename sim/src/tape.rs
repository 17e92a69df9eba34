//! The tape as Binance serves it (`GET /api/v3/aggTrades`): the last [`TAPE_KEEP`] trades played on each symbol.
//! Every played trade is its own aggregate (one taker, one price), so its aggregate id is its trade id (`f` = `l` =
//! `a`); older trades are forgotten, as Binance's history is not, but a grid's gap replay never reaches that far.

use serde_json::{Value, json};

use crate::{
    error::ApiError,
    market::{Market, Tape},
    num::fmt8,
};

/// How many played trades each symbol keeps for `aggTrades`.
pub(crate) const TAPE_KEEP: usize = 100_000;
/// The widest `startTime`–`endTime` window Binance accepts.
const HOUR_MS: i64 = 3_600_000;

/// What an `aggTrades` request selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AggQuery {
    /// Aggregate ids from this one on (inclusive).
    FromId(i64),
    /// Times in `[start, end]`, both inclusive.
    Window { start: i64, end: i64 },
    /// The most recent trades.
    Recent,
}

impl AggQuery {
    /// Binance's rules: a window of at most an hour (one bound alone reaches an hour from it); `fromId` is not
    /// combined with times here, so a client never relies on how the two would mix.
    pub fn parse(from_id: Option<i64>, start: Option<i64>, end: Option<i64>) -> Result<AggQuery, ApiError> {
        match (from_id, start, end) {
            (Some(id), None, None) => Ok(AggQuery::FromId(id)),
            (Some(_), _, _) => Err(ApiError::new(-1128, "Combination of optional parameters invalid.")),
            (None, None, None) => Ok(AggQuery::Recent),
            (None, Some(s), None) => Ok(AggQuery::Window { start: s, end: s.saturating_add(HOUR_MS) }),
            (None, None, Some(e)) => Ok(AggQuery::Window { start: e.saturating_sub(HOUR_MS), end: e }),
            (None, Some(s), Some(e)) if e < s => {
                Err(ApiError::new(-1128, "Combination of optional parameters invalid."))
            }
            (None, Some(s), Some(e)) if e - s > HOUR_MS => {
                Err(ApiError::new(-1127, "More than 1 hours between startTime and endTime."))
            }
            (None, Some(start), Some(end)) => Ok(AggQuery::Window { start, end }),
        }
    }
}

impl Market {
    /// Up to `limit` trades of the tape that `q` selects, oldest first.
    pub fn agg_trades(&self, q: AggQuery, limit: usize) -> Vec<Tape> {
        match q {
            AggQuery::FromId(id) => {
                let from = self.tape.partition_point(|t| t.id < id);
                self.tape.range(from..).take(limit).copied().collect()
            }
            AggQuery::Window { start, end } => {
                self.tape.iter().filter(|t| (start..=end).contains(&t.time)).take(limit).copied().collect()
            }
            AggQuery::Recent => self.tape.range(self.tape.len().saturating_sub(limit)..).copied().collect(),
        }
    }
}

/// One row of `aggTrades`.
pub(crate) fn agg_doc(t: &Tape) -> Value {
    json!({"a": t.id, "p": fmt8(t.price), "q": fmt8(t.qty), "f": t.id, "l": t.id, "T": t.time, "m": t.buyer_maker,
           "M": true})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbols::listed;
    use rust_decimal_macros::dec;

    #[test]
    fn the_tape_answers_by_id_by_time_and_most_recent() {
        let mut m = Market::new(listed().remove(0), dec!(100), 0);
        for (i, p) in [dec!(100), dec!(99), dec!(101), dec!(102)].into_iter().enumerate() {
            m.record(p, dec!(1), i as i64 * 1000);
        }
        let ids = |v: Vec<Tape>| v.iter().map(|t| t.id).collect::<Vec<_>>();
        assert_eq!(ids(m.agg_trades(AggQuery::FromId(2), 2)), [2, 3]);
        assert_eq!(ids(m.agg_trades(AggQuery::parse(None, Some(1000), Some(2000)).expect("valid"), 10)), [2, 3]);
        assert_eq!(ids(m.agg_trades(AggQuery::Recent, 1)), [4]);
        assert!(m.agg_trades(AggQuery::FromId(9), 10).is_empty());
        assert_eq!(AggQuery::parse(None, Some(0), Some(HOUR_MS + 1)).expect_err("too wide").code, -1127);
        assert_eq!(AggQuery::parse(Some(1), Some(0), None).expect_err("combined").code, -1128);
    }

    #[test]
    fn the_tape_keeps_its_last_trades() {
        let mut m = Market::new(listed().remove(0), dec!(100), 0);
        for i in 0..=TAPE_KEEP as i64 {
            m.record(dec!(100), dec!(1), i);
        }
        assert_eq!(m.tape.len(), TAPE_KEEP);
        assert_eq!(m.tape.front().map(|t| t.id), Some(2));
        assert_eq!(m.agg_trades(AggQuery::FromId(1), 1).first().map(|t| t.id), Some(2));
    }
}
