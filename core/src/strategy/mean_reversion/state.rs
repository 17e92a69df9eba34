//! [`MeanReversionState`]: everything a mean-reversion engine knows, in exact decimals, so that a bot restarted
//! from it continues exactly as if it had never stopped.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{
    MeanReversionConfig,
    books::{Drawdown, exact},
    engine::{Lot, MeanReversionEngine, Order, Pending},
};
use crate::{
    Error, Side,
    units::{PRICE_DP, price_to_int, to_int},
};

/// The position while long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionState {
    /// `q`, the quantity bought.
    pub bought: Decimal,
    /// What a sale sells.
    pub qty: Decimal,
    /// What the buy cost in quote (its fee included when paid in quote).
    pub cost: Decimal,
    pub entry_price: Decimal,
    pub stop_price: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeanReversionState {
    /// The window's closes, oldest first (at most `window` of them).
    pub closes: Vec<Decimal>,
    pub position: Option<PositionState>,
    /// The order decided and not yet booked.
    pub wanted: Option<Order>,
    pub carry: Decimal,
    pub quote: Decimal,
    pub realized_pnl: Decimal,
    pub fees_paid: Decimal,
    pub orders_filled: u64,
    pub round_trips: u64,
    pub wins: u64,
    pub stop_losses: u64,
    pub skipped_entries: u64,
    /// The running equity peak, the lowest equity since it, and the worst earlier `(peak, low)`.
    pub equity_peak: Decimal,
    pub equity_low: Decimal,
    pub worst_fall: Option<(Decimal, Decimal)>,
}

impl MeanReversionEngine {
    /// The engine's state, to store and [`restore`](Self::restore) later.
    pub fn state(&self) -> Result<MeanReversionState, Error> {
        let (u, b) = (&self.u, &self.books);
        let money = |v: i128| b.money(v);
        let position = self
            .lot
            .map(|l| {
                Ok::<_, Error>(PositionState {
                    bought: exact(l.bought, u.dq)?,
                    qty: exact(l.sell, u.dq)?,
                    cost: money(l.cost)?,
                    entry_price: exact(i128::from(l.entry), PRICE_DP)?,
                    stop_price: l.stop.map(|s| exact(s, u.ps)).transpose()?,
                })
            })
            .transpose()?;
        let dd = &b.drawdown;
        Ok(MeanReversionState {
            closes: self.window.closes().map(|c| exact(i128::from(c), PRICE_DP)).collect::<Result<_, _>>()?,
            position,
            wanted: self.wanted()?,
            carry: exact(self.carry, u.dq + u.df)?,
            quote: money(b.quote)?,
            realized_pnl: money(b.realized)?,
            fees_paid: money(b.fees)?,
            orders_filled: b.orders_filled,
            round_trips: b.round_trips,
            wins: b.wins,
            stop_losses: b.stop_losses,
            skipped_entries: b.skipped_entries,
            equity_peak: money(dd.peak)?,
            equity_low: money(dd.low)?,
            worst_fall: dd.worst.map(|(p, l)| Ok::<_, Error>((money(p)?, money(l)?))).transpose()?,
        })
    }

    /// An engine in the state `state` under `config` (the config it ran with).
    pub fn restore(config: &MeanReversionConfig, state: &MeanReversionState) -> Result<Self, Error> {
        let mut e = MeanReversionEngine::new(config)?;
        let (dq, df, ps, dm) = (e.u.dq, e.u.df, e.u.ps, e.books.dp);
        let int = |v: Decimal, dp: u32, what: &str| {
            to_int(v, dp).ok_or_else(|| Error::State(format!("{what} {v} does not fit this config's units")))
        };
        if state.closes.len() > config.window() {
            return Err(Error::State(format!("{} closes for a window of {}", state.closes.len(), config.window())));
        }
        for c in &state.closes {
            e.window.push(price_to_int(*c).ok_or_else(|| Error::State(format!("close {c} is not a price")))?)?;
        }
        if let Some(p) = &state.position {
            let entry = price_to_int(p.entry_price)
                .ok_or_else(|| Error::State(format!("entry price {} is not a price", p.entry_price)))?;
            let stop = e.u.stop_factor.map(|m| i128::from(entry) * m);
            let stored = p.stop_price.map(|s| int(s, ps, "stop price")).transpose()?;
            if stop != stored {
                return Err(Error::State("the stop price does not follow from the entry and stop_loss_pct".into()));
            }
            e.trigger = stop.map_or(i64::MIN, |s| i64::try_from(s / e.u.ten_e).unwrap_or(i64::MAX));
            e.lot = Some(Lot {
                bought: int(p.bought, dq, "bought")?,
                sell: int(p.qty, dq, "qty")?,
                cost: int(p.cost, dm, "cost")?,
                entry,
                stop,
            });
        }
        if let Some(o) = &state.wanted {
            let long = e.lot.is_some();
            if long != (o.side == Side::Sell) {
                return Err(Error::State(format!("a wanted {} does not fit the position", o.side.as_str())));
            }
            e.pending = Some(Pending {
                side: o.side,
                qty: int(o.qty, dq, "qty")?,
                price: int(o.price, ps, "price")?,
                reason: o.reason,
            });
        }
        e.carry = int(state.carry, dq + df, "carry")?;
        e.held = e.carry + e.lot.map_or(0, |l| l.sell * e.u.one);
        let b = &mut e.books;
        b.quote = int(state.quote, dm, "quote")?;
        b.realized = int(state.realized_pnl, dm, "realized_pnl")?;
        b.fees = int(state.fees_paid, dm, "fees_paid")?;
        b.orders_filled = state.orders_filled;
        b.round_trips = state.round_trips;
        b.wins = state.wins;
        b.stop_losses = state.stop_losses;
        b.skipped_entries = state.skipped_entries;
        let worst = match state.worst_fall {
            Some((p, l)) => Some((int(p, dm, "worst_fall")?, int(l, dm, "worst_fall")?)),
            None => None,
        };
        b.drawdown = Drawdown {
            peak: int(state.equity_peak, dm, "equity_peak")?,
            low: int(state.equity_low, dm, "equity_low")?,
            worst,
        };
        Ok(e)
    }
}
