//! One symbol's market: last price, the tape of played trades (the last [`TAPE_KEEP`]), 1-minute klines built from
//! them, 24-hour statistics and the synthetic order book around the last price.

use std::collections::VecDeque;

use rust_decimal::Decimal;

use crate::{rules::PriceRange, symbols::SymbolSpec, tape::TAPE_KEEP};

pub(crate) const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;

/// A 1-minute kline built from played trades.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Kline {
    pub open_time: i64,
    pub open: Decimal,
    pub high: Decimal,
    pub low: Decimal,
    pub close: Decimal,
    pub volume: Decimal,
    pub quote_volume: Decimal,
    pub taker_buy_volume: Decimal,
    pub taker_buy_quote: Decimal,
    pub trades: u64,
    pub first_trade: i64,
    pub last_trade: i64,
    pub closed: bool,
}

impl Kline {
    pub fn close_time(&self) -> i64 {
        self.open_time + MINUTE_MS - 1
    }
}

/// A played trade on the tape.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tape {
    pub id: i64,
    pub price: Decimal,
    pub qty: Decimal,
    pub time: i64,
    /// The buyer was the maker (the price moved down).
    pub buyer_maker: bool,
}

/// Rolling 24-hour statistics, as in `ticker/24hr`.
#[derive(Debug, Clone)]
pub(crate) struct DayStats {
    pub open: Decimal,
    pub high: Decimal,
    pub low: Decimal,
    pub prev_close: Decimal,
    pub volume: Decimal,
    pub quote_volume: Decimal,
    pub open_time: i64,
    pub close_time: i64,
    pub first_id: i64,
    pub last_id: i64,
    pub count: u64,
}

#[derive(Debug)]
pub(crate) struct Market {
    pub spec: SymbolSpec,
    pub last: Decimal,
    pub last_qty: Decimal,
    pub last_time: i64,
    pub next_trade_id: i64,
    pub klines: Vec<Kline>,
    /// The played trades, oldest first, at most [`TAPE_KEEP`] of them (`aggTrades` serves these).
    pub tape: VecDeque<Tape>,
    pub book_update_id: u64,
    /// `TRADING`, or one of the statuses that refuse new orders ([`crate::rules::STATUSES`]).
    pub status: &'static str,
    /// The Price Range Execution Rule, when the symbol has one.
    pub price_range: Option<PriceRange>,
}

impl Market {
    pub fn new(spec: SymbolSpec, price: Decimal, time: i64) -> Market {
        Market {
            spec,
            last: price,
            last_qty: Decimal::ZERO,
            last_time: time,
            next_trade_id: 1,
            klines: Vec::new(),
            tape: VecDeque::new(),
            book_update_id: 1,
            status: "TRADING",
            price_range: None,
        }
    }

    /// Whether new orders are accepted and resting orders match.
    pub fn trading(&self) -> bool {
        self.status == "TRADING"
    }

    pub fn take_trade_id(&mut self) -> i64 {
        let id = self.next_trade_id;
        self.next_trade_id += 1;
        id
    }

    /// Adds a trade to the tape and its kline. Returns the trade and, when the trade opened a new minute,
    /// the previous kline that it closed.
    pub fn record(&mut self, price: Decimal, qty: Decimal, time: i64) -> (Tape, Option<Kline>) {
        let id = self.take_trade_id();
        let tape = Tape { id, price, qty, time, buyer_maker: price < self.last };
        self.last = price;
        self.last_qty = qty;
        self.last_time = time;
        self.book_update_id += 1;
        if self.tape.len() >= TAPE_KEEP {
            self.tape.pop_front();
        }
        self.tape.push_back(tape);
        let bucket = time - time.rem_euclid(MINUTE_MS);
        let mut closed = None;
        match self.klines.last_mut() {
            Some(k) if k.open_time == bucket => {
                k.high = k.high.max(price);
                k.low = k.low.min(price);
                k.close = price;
                add_volume(k, &tape);
            }
            last => {
                if let Some(k) = last.filter(|k| !k.closed) {
                    k.closed = true;
                    closed = Some(k.clone());
                }
                let mut k = Kline {
                    open_time: bucket,
                    open: price,
                    high: price,
                    low: price,
                    close: price,
                    volume: Decimal::ZERO,
                    quote_volume: Decimal::ZERO,
                    taker_buy_volume: Decimal::ZERO,
                    taker_buy_quote: Decimal::ZERO,
                    trades: 0,
                    first_trade: id,
                    last_trade: id,
                    closed: false,
                };
                add_volume(&mut k, &tape);
                self.klines.push(k);
            }
        }
        (tape, closed)
    }

    /// Marks the current kline closed (the end of a played candle) and returns it.
    pub fn close_kline(&mut self) -> Option<Kline> {
        let k = self.klines.last_mut()?;
        k.closed = true;
        Some(k.clone())
    }

    /// Appends a finished kline without playing it (history before the simulation starts).
    pub fn push_history(&mut self, k: Kline) {
        self.last = k.close;
        self.last_time = k.close_time();
        self.klines.push(k);
    }

    /// The time for a trade played by hand: the next minute when the current kline is closed, else just after the
    /// last trade.
    pub fn manual_trade_time(&self) -> i64 {
        match self.klines.last() {
            Some(k) if k.closed => k.open_time + MINUTE_MS,
            Some(_) => self.last_time + 1,
            None => self.last_time,
        }
    }

    /// Where the next generated candle starts: the minute after the last kline.
    pub fn next_minute(&self) -> i64 {
        match self.klines.last() {
            Some(k) => k.open_time + MINUTE_MS,
            None => self.last_time - self.last_time.rem_euclid(MINUTE_MS),
        }
    }

    pub fn bid(&self) -> Decimal {
        self.last
    }

    pub fn ask(&self) -> Decimal {
        self.last + self.spec.tick
    }

    /// Quantity shown at level `i` (0 = best) of the synthetic book.
    pub fn book_qty(&self, i: usize) -> Decimal {
        let factor = Decimal::from(1 + (i * 7) % 11);
        (self.spec.book_qty * factor / Decimal::from(4)).round_dp(self.spec.step.scale())
    }

    /// Statistics over the klines of the last 24 hours of market time.
    pub fn day_stats(&self) -> DayStats {
        let since = self.last_time - DAY_MS;
        let start = self.klines.partition_point(|k| k.open_time <= since);
        let window = &self.klines[start..];
        let prev_close = start.checked_sub(1).map_or(Decimal::ZERO, |i| self.klines[i].close);
        let mut s = DayStats {
            open: window.first().map_or(self.last, |k| k.open),
            high: self.last,
            low: self.last,
            prev_close,
            volume: Decimal::ZERO,
            quote_volume: Decimal::ZERO,
            open_time: since + 1,
            close_time: self.last_time,
            first_id: window.first().map_or(-1, |k| k.first_trade),
            last_id: window.last().map_or(-1, |k| k.last_trade),
            count: 0,
        };
        for k in window {
            s.high = s.high.max(k.high);
            s.low = s.low.min(k.low);
            s.volume += k.volume;
            s.quote_volume += k.quote_volume;
            s.count += k.trades;
        }
        s
    }

    /// Klines with `open_time` in `[start, end]`: the first `limit` from `start` when it is given, else the last
    /// `limit` up to `end`.
    pub fn klines_between(&self, start: Option<i64>, end: Option<i64>, limit: usize) -> &[Kline] {
        let lo = start.map_or(0, |s| self.klines.partition_point(|k| k.open_time < s));
        let hi = end.map_or(self.klines.len(), |e| self.klines.partition_point(|k| k.open_time <= e)).max(lo);
        if start.is_some() {
            &self.klines[lo..hi.min(lo + limit)]
        } else {
            &self.klines[lo.max(hi.saturating_sub(limit))..hi]
        }
    }
}

fn add_volume(k: &mut Kline, t: &Tape) {
    let quote = t.price * t.qty;
    k.volume += t.qty;
    k.quote_volume += quote;
    if !t.buyer_maker {
        k.taker_buy_volume += t.qty;
        k.taker_buy_quote += quote;
    }
    if t.qty > Decimal::ZERO || k.trades == 0 {
        k.trades += 1;
    }
    k.last_trade = t.id;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbols::listed;
    use rust_decimal_macros::dec;

    #[test]
    fn klines_follow_trades_by_minute() {
        let spec = listed().remove(0);
        let mut m = Market::new(spec, dec!(100), 0);
        m.record(dec!(100), dec!(1), 0);
        m.record(dec!(90), dec!(1), 15_000);
        m.record(dec!(110), dec!(1), 30_000);
        let (_, closed) = m.record(dec!(105), dec!(1), 60_000);
        let k = closed.expect("valid");
        assert_eq!((k.open, k.high, k.low, k.close, k.volume), (dec!(100), dec!(110), dec!(90), dec!(110), dec!(3)));
        assert_eq!(m.klines.len(), 2);
        assert_eq!(m.klines_between(None, None, 1)[0].open_time, 60_000);
        assert_eq!(m.klines_between(Some(0), None, 1)[0].open_time, 0);
        assert_eq!(m.klines_between(None, Some(59_999), 10).len(), 1);
        let s = m.day_stats();
        assert_eq!((s.high, s.low, s.volume, s.count), (dec!(110), dec!(90), dec!(4), 4));
    }
}
