//! The grid's books: quote balance, realized P&L, fees, fill and round-trip counts, and max drawdown.
//!
//! Amounts are kept as exact integers in money units of `10^-dp` quote, chosen per grid so that every fill's
//! notional and fee is a whole number of units (`dp` = price places + step places + fee places). A stop's sales,
//! at a price that need not be on tick, are booked in exact decimals beside them.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::units::{from_int, ratio};

/// Why a grid stopped by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    StopLoss,
    TakeProfit,
}

impl StopReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::StopLoss => "stop_loss",
            StopReason::TakeProfit => "take_profit",
        }
    }
}

/// The sale of every lot when a stop triggers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StopBooking {
    pub reason: StopReason,
    pub price: Decimal,
    /// Lots sold (each a round trip).
    pub lots: u32,
    /// Base sold.
    pub qty: Decimal,
    pub proceeds: Decimal,
    pub profit: Decimal,
    pub fees: Decimal,
    pub wins: u32,
}

/// The largest fall from a running peak of equity, as a fraction of that peak.
#[derive(Debug, Clone, Default)]
pub(crate) struct Drawdown {
    peak: i128,
    /// Below this equity a sample may be a new worst (for the current peak); kept so that most samples cost two
    /// integer comparisons.
    threshold: i128,
    worst: f64,
    worst_at: (i128, i128),
}

impl Drawdown {
    pub(crate) fn new(start: i128) -> Self {
        Drawdown { peak: start, threshold: start, worst: 0.0, worst_at: (start, start) }
    }

    /// One equity sample. The ratio is compared in `f64` only to pick the worst sample; the reported value is
    /// computed exactly from that sample's integers.
    #[inline(always)]
    pub(crate) fn sample(&mut self, equity: i128) {
        if equity > self.peak {
            self.peak = equity;
            // The equity at which the fall from this peak equals the worst so far, rounded up a little so that
            // no candidate is missed; candidates are then compared exactly as before.
            let fall = (self.peak as f64 * self.worst * (1.0 - 1e-9)) as i128;
            self.threshold = self.peak - fall;
        } else if equity < self.threshold {
            self.new_low(equity);
        }
    }

    #[inline(never)]
    fn new_low(&mut self, equity: i128) {
        if self.peak <= 0 {
            return;
        }
        let r = (self.peak - equity) as f64 / self.peak as f64;
        if r > self.worst {
            self.worst = r;
            self.worst_at = (self.peak, equity);
        }
        self.threshold = self.threshold.min(equity);
    }

    pub(crate) fn peak(&self) -> i128 {
        self.peak
    }

    pub(crate) fn max(&self) -> Decimal {
        let (peak, eq) = self.worst_at;
        ratio(peak - eq, peak)
    }
}

#[derive(Debug, Clone)]
pub struct Ledger {
    /// Decimal places of the money units.
    pub(crate) dp: u32,
    pub(crate) capital: i128,
    pub(crate) quote: i128,
    pub(crate) realized: i128,
    pub(crate) fees: i128,
    pub(crate) orders_filled: u64,
    pub(crate) round_trips: u64,
    pub(crate) wins: u64,
    pub(crate) stop: Option<StopBooking>,
    pub(crate) drawdown: Drawdown,
    /// Drawdown at the stop sample, computed in decimals (the stop price need not be on tick).
    pub(crate) stop_drawdown: Option<Decimal>,
}

/// What the books say, in decimals, with the result names of `spec/grid.md`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub orders_filled: u64,
    pub round_trips: u64,
    pub realized_pnl: Decimal,
    pub fees_paid: Decimal,
    pub final_equity: Decimal,
    pub unrealized_pnl: Decimal,
    pub max_drawdown: Decimal,
    pub win_rate: Option<Decimal>,
    /// Realized P&L per round trip; null when there are none.
    pub avg_profit: Option<Decimal>,
    pub quote_balance: Decimal,
    pub base_balance: Decimal,
    /// The price the base was valued at.
    pub mark: Decimal,
    pub stopped: Option<StopReason>,
}

impl Ledger {
    pub(crate) fn new(dp: u32, capital: i128) -> Self {
        Ledger {
            dp,
            capital,
            quote: capital,
            realized: 0,
            fees: 0,
            orders_filled: 0,
            round_trips: 0,
            wins: 0,
            stop: None,
            drawdown: Drawdown::new(capital),
            stop_drawdown: None,
        }
    }

    pub fn stop(&self) -> Option<&StopBooking> {
        self.stop.as_ref()
    }

    pub(crate) fn money(&self, v: i128) -> Decimal {
        from_int(v, self.dp)
    }

    /// Books a stop's sales and samples the equity after them; `kept` is what the base left unsold (the carry of
    /// fees in base) is worth at the stop price.
    pub(crate) fn book_stop(&mut self, booking: StopBooking, kept: Decimal) {
        let equity = self.money(self.quote) + booking.proceeds + kept;
        let peak = self.money(self.drawdown.peak());
        if peak > Decimal::ZERO && equity < peak {
            self.stop_drawdown = Some(((peak - equity) / peak).normalize());
        }
        self.stop = Some(booking);
    }

    /// The books valued with `base` held at `mark` (at the stop price once stopped).
    pub fn summary(&self, base: Decimal, mark: Decimal) -> Summary {
        let stop = self.stop.as_ref();
        let extra = |f: fn(&StopBooking) -> Decimal| stop.map(f).unwrap_or_default();
        let realized = self.money(self.realized) + extra(|s| s.profit);
        let fees = self.money(self.fees) + extra(|s| s.fees);
        let quote = self.money(self.quote) + extra(|s| s.proceeds);
        let mark = stop.map_or(mark, |s| s.price);
        let final_equity = (quote + base * mark).normalize();
        let round_trips = self.round_trips + stop.map_or(0, |s| u64::from(s.lots));
        let wins = self.wins + stop.map_or(0, |s| u64::from(s.wins));
        let per_trip = |v: Decimal| (round_trips > 0).then(|| (v / Decimal::from(round_trips)).normalize());
        let dd = self.drawdown.max();
        Summary {
            orders_filled: self.orders_filled,
            round_trips,
            realized_pnl: realized.normalize(),
            fees_paid: fees.normalize(),
            final_equity,
            unrealized_pnl: (final_equity - self.money(self.capital) - realized).normalize(),
            max_drawdown: self.stop_drawdown.map_or(dd, |s| s.max(dd)),
            win_rate: per_trip(Decimal::from(wins)),
            avg_profit: per_trip(realized),
            quote_balance: quote.normalize(),
            base_balance: base.normalize(),
            mark: mark.normalize(),
            stopped: stop.map(|s| s.reason),
        }
    }
}
