//! [`MeanReversionEngine`]: the state machine of `spec/mean-reversion.md`. Flat or long; at each candle close the
//! signals may decide an order; while long, a segment of the candle path may reach the stop first.
//!
//! An order is decided and booked in two steps — [`on_close`](MeanReversionEngine::on_close) or
//! [`on_segment`](MeanReversionEngine::on_segment) decide it, [`wanted`](MeanReversionEngine::wanted) shows it,
//! [`book_fill`](MeanReversionEngine::book_fill) books it — so a runtime can place it on an exchange in between;
//! the backtester books each decision at once, at its own price. While an order waits to be booked, closes still
//! join the window but decide nothing.
//!
//! Books are exact integers in units fixed when the engine is built: prices × 10^8; quantities × 10^dq (the step's
//! places); base × 10^(dq + df) (df: the fee rate's places); fill prices × 10^ps, `ps = 8 + e` where e is the places
//! of `1 - s/100`, so that stop prices are whole; money × 10^(dq + df + ps), in which every notional, fee and
//! equity is whole. Every product is checked: an overflow is an [`Error::Overflow`], never a rounded figure.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{
    MeanReversionConfig,
    books::{Books, exact},
    signal::{Band, Window},
};
use crate::{
    Error, FeeAsset, Side,
    ledger::Summary,
    units::{PRICE_DP, price_to_int, to_int},
};

/// Why the engine wants an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderReason {
    /// The close fell below the lower band while flat.
    Entry,
    /// The close returned to the mean while long.
    Exit,
    /// The path reached the stop price while long.
    StopLoss,
}

/// An order the engine wants: a market order expected to fill at `price` (a stop sells at the stop price).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub side: Side,
    pub qty: Decimal,
    pub price: Decimal,
    pub reason: OrderReason,
}

/// The position while long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Lot {
    /// `q`, the quantity bought (quantity units).
    pub(super) bought: i128,
    /// The position sold: `q` with fees in quote, `s = floor_to_step(r + carry)` with fees in base.
    pub(super) sell: i128,
    /// What the buy cost in quote, its fee included when paid in quote (money units).
    pub(super) cost: i128,
    /// The buy's price (× 10^8) and the stop price it makes (× 10^ps).
    pub(super) entry: i64,
    pub(super) stop: Option<i128>,
}

/// An order decided and not yet booked: quantity units, price × 10^ps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pending {
    pub(super) side: Side,
    pub(super) qty: i128,
    pub(super) price: i128,
    pub(super) reason: OrderReason,
}

/// The engine's integer units (see the module's doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Units {
    pub(super) dq: u32,
    pub(super) df: u32,
    pub(super) ps: u32,
    /// `10^(ps - 8)`: a price × 10^8 times this is a fill price.
    pub(super) ten_e: i128,
    /// `step_size` in quantity units, `10^df` and the fee rate in its units.
    pub(super) step: i128,
    pub(super) one: i128,
    pub(super) fee: i128,
    /// `1 - s/100` × 10^e, with a stop loss.
    pub(super) stop_factor: Option<i128>,
    /// `min_notional` × 10^(dq + 8).
    pub(super) min_notional: i128,
}

#[derive(Debug, Clone)]
pub struct MeanReversionEngine {
    pub(super) config: MeanReversionConfig,
    pub(super) u: Units,
    pub(super) band: Band,
    pub(super) window: Window,
    pub(super) lot: Option<Lot>,
    pub(super) pending: Option<Pending>,
    /// Base held outside the position (fees in base leave less than a step over), and all base held: the
    /// position plus the carry; base units.
    pub(super) carry: i128,
    pub(super) held: i128,
    /// A path point (× 10^8) at or below this reaches the stop; `i64::MIN` when no stop can trigger.
    pub(super) trigger: i64,
    pub(super) books: Books,
}

fn overflow(what: &str) -> Error {
    Error::Overflow(what.to_string())
}

/// `a * b * c`, checked.
#[inline]
fn mul3(a: i128, b: i128, c: i128, what: &str) -> Result<i128, Error> {
    a.checked_mul(b).and_then(|v| v.checked_mul(c)).ok_or_else(|| overflow(what))
}

fn places(d: Decimal) -> u32 {
    d.normalize().scale()
}

fn price_int(p: Decimal) -> Result<i64, Error> {
    match price_to_int(p) {
        Some(v) if v > 0 => Ok(v),
        _ => Err(Error::field(
            "price",
            format!("{p} must be greater than 0, with at most {PRICE_DP} decimal places, and at most 9.2e10"),
        )),
    }
}

impl MeanReversionEngine {
    /// A flat bot holding its capital in quote, with an empty window.
    pub fn new(config: &MeanReversionConfig) -> Result<Self, Error> {
        let f = config.fee_rate();
        let filters = config.filters();
        let (dq, df) = (places(filters.step_size), places(f));
        let stop_factor = config
            .stop_loss_pct()
            .map(|s| (Decimal::ONE - s / Decimal::ONE_HUNDRED).normalize())
            .map(|m| (m.scale(), m.mantissa()));
        let e = stop_factor.map_or(0, |(e, _)| e);
        let ps = PRICE_DP + e;
        let dm = dq + df + ps;
        let capital = to_int(config.capital(), dm)
            .filter(|c| *c < 10i128.pow(36))
            .ok_or_else(|| overflow(&format!("capital {} in units of 10^-{dm}", config.capital())))?;
        let whole = |v: Decimal, dp: u32, what: &str| to_int(v, dp).ok_or_else(|| overflow(what));
        let u = Units {
            dq,
            df,
            ps,
            ten_e: 10i128.pow(e),
            step: whole(filters.step_size, dq, "step_size")?,
            one: 10i128.pow(df),
            fee: whole(f, df, "fee_rate")?,
            stop_factor: stop_factor.map(|(_, m)| m),
            min_notional: whole(filters.min_notional, dq + PRICE_DP, "min_notional")?,
        };
        Ok(MeanReversionEngine {
            config: config.clone(),
            u,
            band: Band::new(config.band())?,
            window: Window::new(config.window()),
            lot: None,
            pending: None,
            carry: 0,
            held: 0,
            trigger: i64::MIN,
            books: Books::new(dm, capital),
        })
    }

    pub fn config(&self) -> &MeanReversionConfig {
        &self.config
    }

    /// Fills the window with closes from before the start (live and paper: the last n − 1 closed candles the
    /// exchange serves), trading nothing.
    pub fn warm_up(&mut self, closes: &[Decimal]) -> Result<(), Error> {
        closes.iter().try_for_each(|c| self.window.push(price_int(*c)?))
    }

    /// A candle closed at `close`: it joins the window and the signals may decide an order. Returns the order
    /// wanted after it: the new one, or the one still waiting to be booked (which blocks new decisions).
    pub fn on_close(&mut self, close: Decimal) -> Result<Option<Order>, Error> {
        self.decide_at_close(price_int(close)?)?;
        self.wanted()
    }

    /// The price moved from `a` to `b` (the candle path, or consecutive trades): a sale at the stop price when the
    /// segment goes down to it while long.
    pub fn on_segment(&mut self, a: Decimal, b: Decimal) -> Result<Option<Order>, Error> {
        let (a, b) = (price_int(a)?, price_int(b)?);
        if b < a && b <= self.trigger && self.pending.is_none() {
            self.decide_stop();
            return self.wanted();
        }
        Ok(None)
    }

    /// The order decided and not yet booked.
    pub fn wanted(&self) -> Result<Option<Order>, Error> {
        self.pending
            .map(|p| {
                Ok(Order {
                    side: p.side,
                    qty: exact(p.qty, self.u.dq)?,
                    price: exact(p.price, self.u.ps)?,
                    reason: p.reason,
                })
            })
            .transpose()
    }

    /// Books the wanted order as filled at `price`, its fee as the config models it (`fee_rate`, `fee_asset`).
    pub fn book_fill(&mut self, price: Decimal) -> Result<(), Error> {
        let p = to_int(price, self.u.ps).filter(|p| *p > 0).ok_or_else(|| {
            Error::field("price", format!("{price} must be greater than 0 with at most {} decimal places", self.u.ps))
        })?;
        self.book(p)
    }

    /// Decides to sell the position at `price` (a user's stop), as an exit, replacing any order waiting; `None`
    /// when flat.
    pub fn close_out(&mut self, price: Decimal) -> Result<Option<Order>, Error> {
        let Some(lot) = self.lot else { return Ok(None) };
        let p = to_int(price, self.u.ps).filter(|p| *p > 0).ok_or_else(|| {
            Error::field("price", format!("{price} must be greater than 0 with at most {} decimal places", self.u.ps))
        })?;
        self.pending = Some(Pending { side: Side::Sell, qty: lot.sell, price: p, reason: OrderReason::Exit });
        self.wanted()
    }

    /// Samples the equity, marked at `mark`, for the max drawdown (a backtest samples after every candle).
    pub fn sample_equity(&mut self, mark: Decimal) -> Result<(), Error> {
        self.sample(price_int(mark)?)
    }

    /// Base held: the position and the carry.
    pub fn base_held(&self) -> Result<Decimal, Error> {
        exact(self.held, self.u.dq + self.u.df)
    }

    /// The position held, in base (what a sale sells), when long.
    pub fn position(&self) -> Result<Option<Decimal>, Error> {
        self.lot.map(|l| exact(l.sell, self.u.dq)).transpose()
    }

    /// The books with the base held valued at `mark`, under the result names of the specs.
    pub fn summary(&self, mark: Decimal) -> Result<Summary, Error> {
        let b = &self.books;
        let equity = self.equity(price_int(mark)?)?;
        let money = |v: i128| b.money(v);
        let realized = money(b.realized)?;
        let avg_profit = match b.round_trips {
            0 => None,
            n => realized.checked_div(Decimal::from(n)).map(|v| v.normalize()),
        };
        Ok(Summary {
            orders_filled: b.orders_filled,
            round_trips: b.round_trips,
            realized_pnl: realized,
            fees_paid: money(b.fees)?,
            final_equity: money(equity)?,
            unrealized_pnl: money(equity - b.capital - b.realized)?,
            max_drawdown: b.drawdown.max()?,
            win_rate: b.win_rate()?,
            avg_profit,
            quote_balance: money(b.quote)?,
            base_balance: self.base_held()?,
            mark: mark.normalize(),
            stopped: None,
        })
    }

    /// Positions sold by the stop loss, and entry signals skipped (`q == 0` or below `min_notional`).
    pub fn stop_losses(&self) -> u64 {
        self.books.stop_losses
    }
    pub fn skipped_entries(&self) -> u64 {
        self.books.skipped_entries
    }

    // The integer paths, shared by the public calls above and the backtester's hot loop.

    /// Pushes the close and decides an order, if any.
    #[inline]
    pub(super) fn decide_at_close(&mut self, c: i64) -> Result<(), Error> {
        self.window.push(c)?;
        if self.pending.is_some() || !self.window.is_full() {
            return Ok(());
        }
        match self.lot {
            Some(lot) => {
                if self.window.exit(c) {
                    let price = i128::from(c) * self.u.ten_e;
                    self.pending = Some(Pending { side: Side::Sell, qty: lot.sell, price, reason: OrderReason::Exit });
                }
            }
            None => {
                if self.window.entry(c, &self.band)? {
                    self.size_entry(c)?;
                }
            }
        }
        Ok(())
    }

    /// The buy at close `c`: `q = floor_to_step(quote / (c * (1 + f)))` (fees in quote) or
    /// `floor_to_step(quote / c)` (in base), skipped when `q == 0` or `q * c < min_notional`.
    #[inline(never)]
    fn size_entry(&mut self, c: i64) -> Result<(), Error> {
        let u = &self.u;
        let reserve = match self.config.fee_asset() {
            FeeAsset::Quote => u.one + u.fee,
            FeeAsset::Base => u.one,
        };
        // q * c * reserve * 10^e <= quote, in money units.
        let per_step = mul3(u.step, i128::from(c), reserve, "a step's cost")?
            .checked_mul(u.ten_e)
            .ok_or_else(|| overflow("a step's cost"))?;
        let q = self.books.quote / per_step * u.step;
        let notional = q.checked_mul(i128::from(c)).ok_or_else(|| overflow("the buy's notional"))?;
        if q == 0 || notional < u.min_notional {
            self.books.skipped_entries += 1;
            return Ok(());
        }
        let price = i128::from(c) * u.ten_e;
        self.pending = Some(Pending { side: Side::Buy, qty: q, price, reason: OrderReason::Entry });
        Ok(())
    }

    /// While long with a stop, a sale of the position at the stop price.
    #[inline(never)]
    pub(super) fn decide_stop(&mut self) {
        if let Some(Lot { sell, stop: Some(stop), .. }) = self.lot {
            self.pending = Some(Pending { side: Side::Sell, qty: sell, price: stop, reason: OrderReason::StopLoss });
        }
    }

    /// Books the pending order at `p` (× 10^ps).
    pub(super) fn book(&mut self, p: i128) -> Result<(), Error> {
        let pending = self.pending.ok_or_else(|| Error::State("no order is waiting to be booked".into()))?;
        match pending.side {
            Side::Buy => self.book_buy(pending.qty, p)?,
            Side::Sell => self.book_sell(pending.qty, p, pending.reason)?,
        }
        self.pending = None;
        Ok(())
    }

    fn book_buy(&mut self, q: i128, p: i128) -> Result<(), Error> {
        let u = self.u;
        if p % u.ten_e != 0 {
            return Err(Error::field("price", format!("a buy fills at a price of at most {PRICE_DP} places")));
        }
        let entry = i64::try_from(p / u.ten_e).map_err(|_| overflow("the buy's price"))?;
        let fee = mul3(q, p, u.fee, "the buy's fee")?;
        let (cost, delivered) = match self.config.fee_asset() {
            FeeAsset::Quote => (mul3(q, p, u.one + u.fee, "the buy's cost")?, q * u.one),
            FeeAsset::Base => (mul3(q, p, u.one, "the buy's cost")?, q * (u.one - u.fee)),
        };
        if cost > self.books.quote {
            return Err(Error::State("the buy costs more than the quote held".into()));
        }
        // The carry rule: the position is what the delivered base and the carry make in whole steps.
        let total = delivered + self.carry;
        let sold = total - total % (u.step * u.one);
        self.carry = total - sold;
        self.held += delivered;
        let stop = u.stop_factor.map(|m| i128::from(entry) * m);
        self.trigger = stop.map_or(i64::MIN, |s| i64::try_from(s / u.ten_e).unwrap_or(i64::MAX));
        self.lot = Some(Lot { bought: q, sell: sold / u.one, cost, entry, stop });
        let b = &mut self.books;
        b.quote -= cost;
        b.fees += fee;
        b.orders_filled += 1;
        Ok(())
    }

    fn book_sell(&mut self, s: i128, p: i128, reason: OrderReason) -> Result<(), Error> {
        let u = self.u;
        let lot = self.lot.ok_or_else(|| Error::State("a sale while flat".into()))?;
        let proceeds = mul3(s, p, u.one - u.fee, "the sale's proceeds")?;
        let fee = mul3(s, p, u.fee, "the sale's fee")?;
        let profit = proceeds - lot.cost;
        self.held -= s * u.one;
        self.lot = None;
        self.trigger = i64::MIN;
        let b = &mut self.books;
        b.quote = b.quote.checked_add(proceeds).ok_or_else(|| overflow("the quote balance"))?;
        b.fees = b.fees.checked_add(fee).ok_or_else(|| overflow("the fees paid"))?;
        b.realized = b.realized.checked_add(profit).ok_or_else(|| overflow("the realized P&L"))?;
        b.orders_filled += 1;
        b.round_trips += 1;
        b.wins += u64::from(profit > 0);
        b.stop_losses += u64::from(reason == OrderReason::StopLoss);
        Ok(())
    }

    /// `quote + base held * mark`, mark × 10^8, in money units.
    #[inline]
    pub(super) fn equity(&self, mark: i64) -> Result<i128, Error> {
        if self.held == 0 {
            return Ok(self.books.quote);
        }
        mul3(self.held, i128::from(mark), self.u.ten_e, "the equity")?
            .checked_add(self.books.quote)
            .ok_or_else(|| overflow("the equity"))
    }

    #[inline]
    pub(super) fn sample(&mut self, mark: i64) -> Result<(), Error> {
        let equity = self.equity(mark)?;
        self.books.drawdown.sample(equity);
        Ok(())
    }
}
