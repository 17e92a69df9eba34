//! The strategy runtime contract: the one thing a backtest, a paper bot and a live bot drive. A [`Runtime`] is
//! built from its typed config (or restored from its snapshot), says which orders it wants ([`Wanted`], each with an
//! opaque [`Tag`] that its fill carries back), evaluates every segment of the price path and every candle close
//! (stops and take profit on every price traded, never one point), books fills, says which prices the scheduler must
//! watch, and sums its books up.
//!
//! On the paper venue (and in a backtest) a runtime fills what the path reaches itself, at the order's own price, and
//! returns those fills in order ([`Booked`]); on an exchange it only decides, and fills come back through
//! [`Runtime::on_fill`] at the prices the exchange charged. [`replay`] is the backtest loop over any runtime.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Candles, Error, Side, engine::ChargedFee, ledger::Summary};

/// An order's tag: the strategy's own name for it (a grid's level, a mean-reversion entry), opaque to the rest.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Tag(pub String);

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How an order is sent: resting at its price, or taking the book now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderType {
    Limit,
    Market,
}

/// An order the runtime wants: resting (a limit) or sent now (a market order expected near `price`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wanted {
    pub tag: Tag,
    pub side: Side,
    pub order_type: OrderType,
    pub price: Decimal,
    pub qty: Decimal,
}

/// A fill the runtime booked itself (paper venue, backtest): its order, at the order's price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Booked {
    pub tag: Tag,
    pub side: Side,
    pub price: Decimal,
    pub qty: Decimal,
}

/// A fill an exchange reported for one of the runtime's orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeFill {
    pub tag: Tag,
    pub price: Decimal,
    pub qty: Decimal,
    /// The commission as charged, in base or in quote (another asset valued in quote).
    pub fee: ChargedFee,
}

/// Where the runtime's orders go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Venue {
    /// The paper venue (and a backtest): what the path reaches fills at once, at the order's price.
    Paper,
    /// An exchange: the runtime decides; fills come back through [`Runtime::on_fill`].
    Exchange,
}

/// A position a runtime holds (one at a time): what a sale sells, its entry and the stop that would sell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub qty: Decimal,
    pub entry_price: Decimal,
    pub stop_price: Option<Decimal>,
}

/// What the scheduler must watch for a runtime: a move to or below `below`, or to or above `above`, needs an
/// evaluation; `closes` asks for every closed candle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Watched {
    pub below: Option<Decimal>,
    pub above: Option<Decimal>,
    pub closes: bool,
}

impl Watched {
    /// Whether a move to `price` reaches a watched price.
    pub fn hit(&self, price: Decimal) -> bool {
        self.below.is_some_and(|b| price <= b) || self.above.is_some_and(|a| price >= a)
    }
}

pub trait Runtime: Send + Sync + fmt::Debug {
    /// The registry name.
    fn name(&self) -> &'static str;
    /// The orders it wants resting or sent now.
    fn wanted(&self) -> Result<Vec<Wanted>, Error>;
    /// The price moved from `a` to `b`: fills on `venue` (paper), stops, take profit.
    fn on_segment(&mut self, a: Decimal, b: Decimal, venue: Venue) -> Result<Vec<Booked>, Error>;
    /// A candle closed at `close` (after its path's segments): decisions on closes, and the equity sample.
    fn on_close(&mut self, close: Decimal, venue: Venue) -> Result<Vec<Booked>, Error>;
    /// An exchange filled the order tagged `fill.tag`.
    fn on_fill(&mut self, fill: &ExchangeFill) -> Result<(), Error>;
    /// The prices the scheduler must watch: a segment ending at a price they do not reach changes nothing, so a
    /// driver may skip it.
    fn watched(&self) -> Watched;
    /// The books, the base held valued at `mark`.
    fn summary(&self, mark: Decimal) -> Result<Summary, Error>;
    /// Its state, to restore it without replaying its history; `None` when it restores from the run's fills.
    fn snapshot(&self) -> Result<Option<serde_json::Value>, Error>;
    /// How many closed 1-minute candles before the start it wants ([`Runtime::warm_up`]); none by default.
    fn warm_up_candles(&self) -> usize {
        0
    }
    /// The closes of the candles before the start, oldest first: indicators fill, nothing trades.
    fn warm_up(&mut self, closes: &[Decimal]) -> Result<(), Error> {
        let _ = closes;
        Ok(())
    }
    /// The position it holds, for a strategy that holds one at a time.
    fn position(&self) -> Option<Position> {
        None
    }
    /// Sells what it holds at `price` (a user's stop with a sale): on the paper venue, booked at once.
    fn close_out(&mut self, price: Decimal, venue: Venue) -> Result<Vec<Booked>, Error> {
        let _ = (price, venue);
        Ok(Vec::new())
    }
    /// Whether it has stopped for good (a stop loss or take profit booked).
    fn stopped(&self) -> bool {
        false
    }
}

/// The backtest loop over any runtime: each candle's path (`Candle::path`), segment by segment from the previous
/// point, then its close. Stops once the runtime has stopped. Every fill booked, in order.
pub fn replay(runtime: &mut dyn Runtime, candles: &Candles) -> Result<Vec<Booked>, Error> {
    replay_observed(runtime, candles, |_, _, _| Ok(()))
}

/// [`replay`], calling `after(index, booked, runtime)` once each candle is processed (the one a stop ended
/// included) with the fills booked during it: what a backtest chart records.
pub fn replay_observed(
    runtime: &mut dyn Runtime,
    candles: &Candles,
    mut after: impl FnMut(usize, &[Booked], &dyn Runtime) -> Result<(), Error>,
) -> Result<Vec<Booked>, Error> {
    let mut booked = Vec::new();
    let mut prev = match candles.as_slice().first() {
        Some(c) => c.open,
        None => return Ok(booked),
    };
    for (i, candle) in candles.as_slice().iter().enumerate() {
        let from = booked.len();
        for p in candle.path() {
            booked.extend(runtime.on_segment(prev, p, Venue::Paper)?);
            prev = p;
            if runtime.stopped() {
                after(i, &booked[from..], &*runtime)?;
                return Ok(booked);
            }
        }
        booked.extend(runtime.on_close(candle.close, Venue::Paper)?);
        after(i, &booked[from..], &*runtime)?;
    }
    Ok(booked)
}
