//! What the simulator publishes: market stream messages (`trade`, `kline`, `bookTicker`, `24hrTicker`, with
//! Binance's payloads) and user data events for one account.

use std::{collections::HashMap, sync::Arc, time::Instant};

use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::{
    market::{Kline, Market, Tape},
    num::fmt8,
};

/// One message of a market stream: its name (`btcusdt@trade`) and its JSON payload.
#[derive(Debug, Clone)]
pub(crate) struct MarketMsg {
    pub stream: Arc<str>,
    pub data: Arc<str>,
}

/// One user data event (`executionReport`, `outboundAccountPosition`) for the account of `api_key`.
#[derive(Debug, Clone)]
pub(crate) struct UserMsg {
    pub api_key: Arc<str>,
    pub event: Arc<str>,
}

/// The senders of both kinds of event, and the throttle of the 24-hour ticker stream (at most one a second).
#[derive(Debug)]
pub(crate) struct Outbox {
    pub market: broadcast::Sender<MarketMsg>,
    pub user: broadcast::Sender<UserMsg>,
    last_ticker: HashMap<String, Instant>,
}

impl Outbox {
    pub fn new() -> Outbox {
        Outbox { market: broadcast::channel(16_384).0, user: broadcast::channel(16_384).0, last_ticker: HashMap::new() }
    }

    fn listening(&self) -> bool {
        self.market.receiver_count() > 0
    }

    fn send(&self, m: &Market, suffix: &str, data: Value) {
        let stream = format!("{}@{suffix}", m.spec.name.to_ascii_lowercase());
        // No receiver is not an error: nobody listens yet.
        let _ = self.market.send(MarketMsg { stream: stream.into(), data: data.to_string().into() });
    }

    /// Everything a played trade publishes: the trade, its kline (and the kline it closed), the book ticker and,
    /// at most once a second, the 24-hour ticker.
    pub fn trade(&mut self, m: &Market, t: &Tape, closed: Option<&Kline>) {
        if !self.listening() {
            return;
        }
        self.send(
            m,
            "trade",
            json!({"e": "trade", "E": t.time, "s": m.spec.name, "t": t.id, "p": fmt8(t.price), "q": fmt8(t.qty),
                   "T": t.time, "m": t.buyer_maker, "M": true}),
        );
        if let Some(k) = closed {
            self.kline(m, k, t.time);
        }
        if let Some(k) = m.klines.last() {
            self.kline(m, k, t.time);
        }
        self.send(
            m,
            "bookTicker",
            json!({"u": m.book_update_id, "s": m.spec.name, "b": fmt8(m.bid()), "B": fmt8(m.book_qty(0)),
                   "a": fmt8(m.ask()), "A": fmt8(m.book_qty(0))}),
        );
        let due = self.last_ticker.get(m.spec.name).is_none_or(|at| at.elapsed().as_millis() >= 1000);
        if due {
            self.last_ticker.insert(m.spec.name.to_string(), Instant::now());
            self.send(m, "ticker", ticker_event(m));
        }
    }

    /// A kline update (`x` true once closed).
    pub fn kline(&self, m: &Market, k: &Kline, event_time: i64) {
        if !self.listening() {
            return;
        }
        self.send(
            m,
            "kline_1m",
            json!({"e": "kline", "E": event_time, "s": m.spec.name, "k": {
                "t": k.open_time, "T": k.close_time(), "s": m.spec.name, "i": "1m", "f": k.first_trade,
                "L": k.last_trade, "o": fmt8(k.open), "c": fmt8(k.close), "h": fmt8(k.high), "l": fmt8(k.low),
                "v": fmt8(k.volume), "n": k.trades, "x": k.closed, "q": fmt8(k.quote_volume),
                "V": fmt8(k.taker_buy_volume), "Q": fmt8(k.taker_buy_quote), "B": "0"}}),
        );
    }

    pub fn user(&self, api_key: &str, event: Value) {
        let _ = self.user.send(UserMsg { api_key: api_key.into(), event: event.to_string().into() });
    }
}

fn ticker_event(m: &Market) -> Value {
    let s = m.day_stats();
    let change = m.last - s.open;
    json!({
        "e": "24hrTicker", "E": m.last_time, "s": m.spec.name, "p": fmt8(change), "P": percent(change, s.open),
        "w": fmt8(weighted(&s.quote_volume, &s.volume, m)), "x": fmt8(s.prev_close), "c": fmt8(m.last),
        "Q": fmt8(m.last_qty), "b": fmt8(m.bid()), "B": fmt8(m.book_qty(0)), "a": fmt8(m.ask()),
        "A": fmt8(m.book_qty(0)), "o": fmt8(s.open), "h": fmt8(s.high), "l": fmt8(s.low), "v": fmt8(s.volume),
        "q": fmt8(s.quote_volume), "O": s.open_time, "C": s.close_time, "F": s.first_id, "L": s.last_id, "n": s.count
    })
}

/// `change / open` in percent with three decimals, as Binance prints `priceChangePercent`.
pub(crate) fn percent(change: rust_decimal::Decimal, open: rust_decimal::Decimal) -> String {
    if open.is_zero() {
        return "0.000".into();
    }
    let mut p = (change * rust_decimal::Decimal::ONE_HUNDRED / open).round_dp(3);
    p.rescale(3);
    p.to_string()
}

pub(crate) fn weighted(
    quote: &rust_decimal::Decimal,
    base: &rust_decimal::Decimal,
    m: &Market,
) -> rust_decimal::Decimal {
    if base.is_zero() { m.last } else { (quote / base).round_dp(8) }
}

/// The REST `ticker/24hr` document for one symbol.
pub(crate) fn ticker_24hr(m: &Market) -> Value {
    let s = m.day_stats();
    let change = m.last - s.open;
    json!({
        "symbol": m.spec.name, "priceChange": fmt8(change), "priceChangePercent": percent(change, s.open),
        "weightedAvgPrice": fmt8(weighted(&s.quote_volume, &s.volume, m)), "prevClosePrice": fmt8(s.prev_close),
        "lastPrice": fmt8(m.last), "lastQty": fmt8(m.last_qty), "bidPrice": fmt8(m.bid()),
        "bidQty": fmt8(m.book_qty(0)), "askPrice": fmt8(m.ask()), "askQty": fmt8(m.book_qty(0)),
        "openPrice": fmt8(s.open), "highPrice": fmt8(s.high), "lowPrice": fmt8(s.low), "volume": fmt8(s.volume),
        "quoteVolume": fmt8(s.quote_volume), "openTime": s.open_time, "closeTime": s.close_time,
        "firstId": s.first_id, "lastId": s.last_id, "count": s.count
    })
}
