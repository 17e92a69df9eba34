//! The grid engine: the state machine of `spec/grid.md`.
//!
//! Started at a price, it sizes the grid, buys the initial inventory and rests a buy below and a sell above the one
//! empty level. Each fill books into the [`Ledger`] and yields the counter-order one level away. Because buys always
//! sit below the empty level and sells above it, the whole order book is the empty level's index: the engine's hot
//! path is integer comparisons against it.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::{
    Error, FeeAsset, GridConfig, Side, SymbolFilters,
    ledger::{Ledger, StopBooking, StopReason, Summary},
    levels::grid_levels,
    units::{PRICE_DP, from_int, price_to_int, to_int, to_int_rounded},
};

/// What the grid was built as when it started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GridPlan {
    /// The rounded level prices, increasing.
    pub levels: Vec<Decimal>,
    pub start_price: Decimal,
    /// The level left empty at the start: the one nearest the start price (the lower on a tie).
    pub empty_level: usize,
    /// `q`: base quantity of every order.
    pub qty: Decimal,
    /// Lots bought at the start, one per level above the empty one.
    pub initial_lots: usize,
    pub capital: Decimal,
    pub fee_rate: Decimal,
    /// What pays the fees the engine models (a charged fill books what the exchange reported instead).
    pub fee_asset: FeeAsset,
    pub stop_loss_price: Option<Decimal>,
    pub take_profit_price: Option<Decimal>,
}

/// The commission an exchange charged for one fill, by what paid it: `base` in the symbol's base asset (it
/// shrinks what a buy delivers), `quote` in quote, or the quote value of a fee paid in another asset (BNB), which
/// is booked as a fee in quote and leaves the lot whole.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChargedFee {
    pub base: Decimal,
    pub quote: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    Limit,
    Market,
}

/// An order the engine wants on the exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderIntent {
    pub side: Side,
    pub kind: OrderKind,
    /// The grid level of a limit order.
    pub level: Option<usize>,
    /// The limit price; for a market order the price it is expected near.
    pub price: Decimal,
    pub qty: Decimal,
    /// How many orders were placed on this level before this one: with bot, generation, level and side it makes
    /// the order's client id ([`crate::ClientOrderId::grid`]).
    pub seq: u32,
}

/// What rests on one level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LevelState {
    Buy,
    Sell,
    Empty,
}

#[derive(Debug, Clone)]
pub struct GridEngine {
    plan: GridPlan,
    /// Level prices × 10^8.
    lv: Vec<i64>,
    empty: usize,
    /// Orders placed per level so far.
    seq: Vec<u32>,
    // Exact integer units: price × 10^8, quantity × 10^dq, fee rate × 10^df, base × 10^(dq + df) and money
    // × 10^(8 + dq + df).
    dq: u32,
    /// `10^df`, the fee rate's unit.
    one: i128,
    /// Per level: quote a modelled buy of q pays (its fee included when fees are in quote), and its fee.
    buy_cost: Vec<i128>,
    buy_fee: Vec<i128>,
    /// Per level: quote received, net of the fee, and the fee, per quantity unit sold.
    sell_net: Vec<i128>,
    sell_fee: Vec<i128>,
    /// Per level: the base the sell resting there offers (its lot's sell quantity), in quantity units, and what
    /// that lot's buy cost in quote, fee included when it was paid in quote.
    lot_qty: Vec<i128>,
    lot_cost: Vec<i128>,
    /// `q` in quantity units, and the base a modelled buy of q delivers, in base units.
    q_int: i128,
    received: i128,
    /// `step_size` in base units.
    step: i128,
    /// Base held outside the lots (fees in base leave less than a step over), in base units.
    carry: i128,
    /// Base held — every lot's sell quantity plus the carry — in base units; times a price it is money.
    held: i128,
    /// A down move to `<= sl_trigger` stops; buys at `>= sl_fill` fill first. `i64::MIN` when unset.
    sl_trigger: i64,
    sl_fill: i64,
    /// An up move to `>= tp_trigger` stops; sells at `<= tp_fill` fill first. `i64::MAX` when unset.
    tp_trigger: i64,
    tp_fill: i64,
    /// Hot-path triggers, kept current by [`Self::refresh`]: a point at or below `lo` may fill a buy or stop; at or
    /// above `hi` may fill a sell or take profit. Anything strictly between does nothing.
    lo: i64,
    hi: i64,
    ledger: Ledger,
}

fn price_int(p: Decimal, what: &'static str) -> Result<i64, Error> {
    price_to_int(p)
        .ok_or_else(|| Error::field(what, format!("{p} has more than {PRICE_DP} decimal places or is too large")))
}

fn places(d: Decimal) -> u32 {
    d.normalize().scale()
}

impl GridEngine {
    /// Builds the grid at `start_price` and books the initial inventory's buy.
    pub fn start(config: &GridConfig, filters: &SymbolFilters, start_price: Decimal) -> Result<Self, Error> {
        let n = config.levels();
        let levels = grid_levels(config.lower(), config.upper(), n, config.spacing(), filters.tick_size)?;
        let (p0, top) = (levels[0], levels[n - 1]);
        if !(p0 < start_price && start_price < top) {
            return Err(Error::PriceOutsideGrid {
                price: start_price.to_string(),
                lower: p0.to_string(),
                upper: top.to_string(),
            });
        }
        // Nearest level; on a tie the lower index (min_by_key keeps the first minimum).
        let k = (0..n).min_by_key(|&i| (levels[i] - start_price).abs()).unwrap_or(0);
        let f = config.fee_rate();
        let fee_asset = config.fee_asset();
        let c = config.capital();
        let lots = n - 1 - k;
        let below: Decimal = levels[..k].iter().sum();
        // Fees in base are paid out of what a buy delivers: the sizing reserves no quote for them.
        let reserve = match fee_asset {
            FeeAsset::Quote => Decimal::ONE + f,
            FeeAsset::Base => Decimal::ONE,
        };
        let denominator = below + Decimal::from(lots) * start_price * reserve;
        let q = filters.floor_qty(c / denominator);
        let too_small = |detail: String| Error::CapitalTooSmall { levels: n, detail };
        if q.is_zero() {
            return Err(too_small(format!("{c} buys less than one step ({}) per level", filters.step_size)));
        }
        if q * p0 < filters.min_notional {
            return Err(too_small(format!(
                "{q} per level is worth {} at the lowest level, below the minimum order of {}",
                (q * p0).normalize(),
                filters.min_notional
            )));
        }
        if fee_asset == FeeAsset::Base {
            let sold = filters.floor_qty(q * (Decimal::ONE - f));
            if sold * p0 < filters.min_notional {
                return Err(too_small(format!(
                    "{q} per level delivers {sold} to sell after the fee in base, worth {} at the lowest level, \
                     below the minimum order of {}",
                    (sold * p0).normalize(),
                    filters.min_notional
                )));
            }
        }

        // Base units are fine enough for any commission an exchange reports (8 places), and money units for any
        // commission's quote value (16).
        let dq = places(filters.step_size).max(places(q));
        let df = places(f).max(PRICE_DP.saturating_sub(dq));
        let dp = PRICE_DP + dq + df;
        let overflow = || Error::field("capital", "amounts too large to book exactly".to_string());
        let q_int = to_int(q, dq).ok_or_else(overflow)?;
        let one = 10i128.pow(df);
        let f_int = to_int(f, df).ok_or_else(overflow)?;
        let capital = to_int(c, dp).ok_or_else(overflow)?;
        let step = to_int(filters.step_size, dq).ok_or_else(overflow)? * one;
        let lv = levels.iter().map(|p| price_int(*p, "lower")).collect::<Result<Vec<_>, _>>()?;
        let p_int = i128::from(price_int(start_price, "price")?);
        // Every later amount is at most a few of these, summed over the fills: keep it far from i128's limit.
        let top_int = i128::from(lv[n - 1].max(price_int(start_price, "price")?));
        let largest = q_int
            .checked_mul(top_int)
            .and_then(|v| v.checked_mul(one + f_int))
            .and_then(|v| v.checked_mul(n as i128 + 1))
            .filter(|v| *v < 10i128.pow(33));
        if largest.is_none() || capital >= 10i128.pow(33) {
            return Err(overflow());
        }
        let fee_in_quote = i128::from(fee_asset == FeeAsset::Quote);
        let buy_cost = |p: i128| q_int * p * (one + f_int * fee_in_quote);
        let received = match fee_asset {
            FeeAsset::Quote => q_int * one,
            FeeAsset::Base => q_int * (one - f_int),
        };
        let sl = config.stop_loss_price();
        let tp = config.take_profit_price();
        let mut ledger = Ledger::new(dp, capital);
        ledger.quote -= buy_cost(p_int) * lots as i128;
        ledger.fees += q_int * p_int * f_int * lots as i128;

        let mut engine = GridEngine {
            plan: GridPlan {
                levels,
                start_price: start_price.normalize(),
                empty_level: k,
                qty: q,
                initial_lots: lots,
                capital: c,
                fee_rate: f,
                fee_asset,
                stop_loss_price: sl,
                take_profit_price: tp,
            },
            buy_cost: lv.iter().map(|&p| buy_cost(i128::from(p))).collect(),
            buy_fee: lv.iter().map(|&p| q_int * i128::from(p) * f_int).collect(),
            sell_net: lv.iter().map(|&p| i128::from(p) * (one - f_int)).collect(),
            sell_fee: lv.iter().map(|&p| i128::from(p) * f_int).collect(),
            lot_qty: vec![q_int; n],
            lot_cost: vec![0; n],
            seq: vec![0; n],
            lv,
            empty: k,
            dq,
            one,
            q_int,
            received,
            step,
            carry: 0,
            held: 0,
            sl_trigger: sl.map_or(i64::MIN, |s| to_int_rounded(s, PRICE_DP, false)),
            sl_fill: sl.map_or(i64::MAX, |s| to_int_rounded(s, PRICE_DP, true)),
            tp_trigger: tp.map_or(i64::MAX, |t| to_int_rounded(t, PRICE_DP, true)),
            tp_fill: tp.map_or(i64::MIN, |t| to_int_rounded(t, PRICE_DP, false)),
            lo: 0,
            hi: 0,
            ledger,
        };
        // The initial buy delivers one share per lot, given to the sells above the empty level in order.
        for j in k + 1..n {
            engine.make_lot(j, received, buy_cost(p_int));
        }
        Ok(engine.refreshed())
    }

    /// Gives the sell on level `j` a lot made of `delivered` base (plus the carry, by the spec's carry rule) that
    /// cost `cost` quote.
    #[inline(always)]
    fn make_lot(&mut self, j: usize, delivered: i128, cost: i128) {
        let total = delivered + self.carry;
        let sold = if self.carry == 0 && delivered == self.q_int * self.one {
            total
        } else {
            total - total.rem_euclid(self.step)
        };
        self.carry = total - sold;
        self.lot_qty[j] = sold / self.one;
        self.lot_cost[j] = cost;
        self.held += delivered;
    }

    fn refreshed(mut self) -> Self {
        self.refresh();
        self
    }

    /// Recomputes the hot-path triggers after the empty level moved or the grid stopped.
    #[inline(always)]
    fn refresh(&mut self) {
        let n = self.lv.len();
        if self.ledger.stop.is_some() {
            (self.lo, self.hi) = (i64::MIN, i64::MAX);
            return;
        }
        let next_buy = if self.empty > 0 { self.lv[self.empty - 1] } else { i64::MIN };
        let next_sell = if self.empty + 1 < n { self.lv[self.empty + 1] } else { i64::MAX };
        self.lo = next_buy.max(self.sl_trigger);
        self.hi = next_sell.min(self.tp_trigger);
    }

    pub fn plan(&self) -> &GridPlan {
        &self.plan
    }
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }
    /// The level that has no order.
    pub fn empty_level(&self) -> usize {
        self.empty
    }
    pub fn is_stopped(&self) -> bool {
        self.ledger.stop.is_some()
    }
    /// Lots held: one per resting sell.
    pub fn lots(&self) -> usize {
        if self.is_stopped() { 0 } else { self.lv.len() - 1 - self.empty }
    }
    /// The sell quantity of the lot on `level` (what its sell offers, or offered once sold).
    pub(crate) fn lot_qty(&self, level: usize) -> Decimal {
        from_int(self.lot_qty.get(level).copied().unwrap_or_default(), self.dq)
    }

    /// Base the lots hold: what their sells offer, and what a stop sells.
    pub fn lots_base(&self) -> Decimal {
        if self.is_stopped() {
            return Decimal::ZERO;
        }
        let units: i128 = self.lot_qty[self.empty + 1..].iter().sum();
        from_int(units, self.dq)
    }

    /// Base held: every lot's sell quantity and the carry (all that is left once stopped).
    pub fn base_held(&self) -> Decimal {
        from_int(self.held, self.dq + self.one.ilog10())
    }

    /// The initial market buy, when the grid starts with lots to hold.
    pub fn initial_buy(&self) -> Option<OrderIntent> {
        let lots = self.plan.initial_lots;
        (lots > 0).then(|| OrderIntent {
            side: Side::Buy,
            kind: OrderKind::Market,
            level: None,
            price: self.plan.start_price,
            qty: (self.plan.qty * Decimal::from(lots)).normalize(),
            seq: 0,
        })
    }

    /// The limit orders that should rest now: a buy on every level below the empty one, a sell on every level above.
    pub fn resting_orders(&self) -> Vec<OrderIntent> {
        if self.is_stopped() {
            return Vec::new();
        }
        (0..self.lv.len()).filter(|&i| i != self.empty).map(|i| self.order_at(i)).collect()
    }

    pub fn level_states(&self) -> Vec<LevelState> {
        (0..self.lv.len())
            .map(|i| match i {
                _ if self.is_stopped() => LevelState::Empty,
                i if i < self.empty => LevelState::Buy,
                i if i > self.empty => LevelState::Sell,
                _ => LevelState::Empty,
            })
            .collect()
    }

    fn order_at(&self, level: usize) -> OrderIntent {
        OrderIntent {
            side: if level < self.empty { Side::Buy } else { Side::Sell },
            kind: OrderKind::Limit,
            level: Some(level),
            price: self.plan.levels[level],
            qty: if level < self.empty { self.plan.qty } else { from_int(self.lot_qty[level], self.dq) },
            seq: self.seq[level],
        }
    }

    /// Books a fill reported by an exchange, its fee as the grid models it (`fee_rate`, `fee_asset`), and returns
    /// the counter-order. A buy can only fill on the level just below the empty level and a sell just above it:
    /// fills must be booked in the order they happened.
    pub fn book_fill(&mut self, side: Side, level: usize) -> Result<OrderIntent, Error> {
        self.check_fill(side, level)?;
        match side {
            Side::Buy => self.fill_buy(),
            Side::Sell => self.fill_sell(),
        }
        Ok(self.counter_order(side, level))
    }

    /// [`Self::book_fill`] with the commission the exchange charged instead of the modelled one: a fee in base
    /// shrinks what the buy delivers (the lot's sell quantity follows by the carry rule), a fee in quote, or the
    /// quote value of one in another asset, comes out of the quote and leaves the lot whole.
    pub fn book_charged_fill(&mut self, side: Side, level: usize, fee: ChargedFee) -> Result<OrderIntent, Error> {
        self.check_fill(side, level)?;
        let dp = self.ledger.dp;
        let base_dp = dp - PRICE_DP;
        let amount = |v: Decimal, dp: u32| {
            to_int(v, dp)
                .filter(|v| *v >= 0)
                .ok_or_else(|| Error::State(format!("commission {v} is negative or finer than the books' {dp} places")))
        };
        let (base_fee, quote_fee) = (amount(fee.base, base_dp)?, amount(fee.quote, dp)?);
        let price = i128::from(self.lv[level]);
        let notional = self.q_int * price * self.one;
        match side {
            Side::Buy => {
                let delivered = self.q_int * self.one - base_fee;
                if delivered < 0 {
                    return Err(Error::State(format!("commission {} is more than the base bought", fee.base)));
                }
                self.ledger.quote -= notional + quote_fee;
                self.ledger.fees += base_fee * price + quote_fee;
                self.ledger.orders_filled += 1;
                self.seq[level + 1] += 1;
                self.empty = level;
                self.make_lot(level + 1, delivered, notional + quote_fee);
            }
            Side::Sell => {
                let gross = self.lot_qty[level] * price * self.one;
                let fee = base_fee * price + quote_fee;
                self.close_lot(level, gross - fee, fee);
            }
        }
        self.refresh();
        Ok(self.counter_order(side, level))
    }

    fn check_fill(&self, side: Side, level: usize) -> Result<(), Error> {
        if self.is_stopped() {
            return Err(Error::State("the grid is stopped".into()));
        }
        match side {
            Side::Buy if level + 1 == self.empty => Ok(()),
            Side::Sell if level == self.empty + 1 && level < self.lv.len() => Ok(()),
            _ => Err(Error::State(format!(
                "no {side} order rests on level {level} (empty level is {}; buys below it, sells above)",
                self.empty
            ))),
        }
    }

    fn counter_order(&self, side: Side, level: usize) -> OrderIntent {
        match side {
            Side::Buy => self.order_at(level + 1),
            Side::Sell => self.order_at(level - 1),
        }
    }

    #[inline(always)]
    fn fill_buy(&mut self) {
        let i = self.empty - 1;
        self.ledger.quote -= self.buy_cost[i];
        self.ledger.fees += self.buy_fee[i];
        self.ledger.orders_filled += 1;
        self.seq[i + 1] += 1;
        self.empty = i;
        self.make_lot(i + 1, self.received, self.buy_cost[i]);
        self.refresh();
    }

    #[inline(always)]
    fn fill_sell(&mut self) {
        let j = self.empty + 1;
        let qty = self.lot_qty[j];
        self.close_lot(j, qty * self.sell_net[j], qty * self.sell_fee[j]);
        self.refresh();
    }

    /// Closes the lot the sell on level `j` holds as a round trip: `net` quote received, `fee` paid.
    #[inline(always)]
    fn close_lot(&mut self, j: usize, net: i128, fee: i128) {
        let profit = net - self.lot_cost[j];
        self.ledger.quote += net;
        self.ledger.fees += fee;
        self.ledger.realized += profit;
        self.ledger.orders_filled += 1;
        self.ledger.round_trips += 1;
        self.ledger.wins += u64::from(profit > 0);
        self.held -= self.lot_qty[j] * self.one;
        self.seq[j - 1] += 1;
        self.empty = j;
    }

    /// Moves the price along one segment of the path, from `a` to `b` (both × 10^8), filling what it touches and
    /// stopping when it reaches a stop. Calls `on_fill(side, level)` for every grid fill. Returns true once stopped.
    ///
    /// Buys always rest strictly below the current price and sells strictly above, so a point strictly between the
    /// `lo` and `hi` triggers does nothing: the common case is two comparisons.
    #[inline(always)]
    pub(crate) fn segment<F: FnMut(Side, usize)>(&mut self, a: i64, b: i64, on_fill: &mut F) -> bool {
        if b > self.lo && b < self.hi {
            return false;
        }
        self.segment_slow(a, b, on_fill)
    }

    #[inline(never)]
    fn segment_slow<F: FnMut(Side, usize)>(&mut self, a: i64, b: i64, on_fill: &mut F) -> bool {
        if b < a {
            if b <= self.sl_trigger {
                while self.empty > 0 && self.lv[self.empty - 1] >= self.sl_fill {
                    self.fill_buy();
                    on_fill(Side::Buy, self.empty);
                }
                self.stop_at(StopReason::StopLoss);
                return true;
            }
            while self.empty > 0 && self.lv[self.empty - 1] >= b {
                self.fill_buy();
                on_fill(Side::Buy, self.empty);
            }
        } else if b > a {
            if b >= self.tp_trigger {
                while self.empty + 1 < self.lv.len() && self.lv[self.empty + 1] <= self.tp_fill {
                    self.fill_sell();
                    on_fill(Side::Sell, self.empty);
                }
                self.stop_at(StopReason::TakeProfit);
                return true;
            }
            while self.empty + 1 < self.lv.len() && self.lv[self.empty + 1] <= b {
                self.fill_sell();
                on_fill(Side::Sell, self.empty);
            }
        }
        false
    }

    /// [`Self::segment`] for decimal prices, as a live price stream delivers them; returns the fills `(side, level)`.
    pub fn on_segment(&mut self, a: Decimal, b: Decimal) -> Result<Vec<(Side, usize)>, Error> {
        let (a, b) = (price_int(a, "price")?, price_int(b, "price")?);
        let mut fills = Vec::new();
        if !self.is_stopped() {
            self.segment(a, b, &mut |side, level| fills.push((side, level)));
        }
        Ok(fills)
    }

    /// Samples the equity at `price` (× 10^8) for the drawdown and returns it, in ledger units.
    #[inline(always)]
    pub(crate) fn sample_equity(&mut self, price: i64) -> i128 {
        let eq = self.ledger.quote + self.held * i128::from(price);
        self.ledger.drawdown.sample(eq);
        eq
    }

    /// The stop a price triggers, if any: at or below the stop-loss price, or at or above the take-profit price.
    pub fn stop_triggered(&self, price: Decimal) -> Option<StopReason> {
        if self.is_stopped() {
            return None;
        }
        match (self.plan.stop_loss_price, self.plan.take_profit_price) {
            (Some(s), _) if price <= s => Some(StopReason::StopLoss),
            (_, Some(t)) if price >= t => Some(StopReason::TakeProfit),
            _ => None,
        }
    }

    fn stop_at(&mut self, reason: StopReason) {
        let price = match reason {
            StopReason::StopLoss => self.plan.stop_loss_price,
            StopReason::TakeProfit => self.plan.take_profit_price,
        };
        if let Some(price) = price {
            self.stop(reason, price);
        }
    }

    /// Stops the grid at `price`: every order is cancelled and every lot sold at `price`, each sale a round trip
    /// with its fee; the carry is kept. Nothing is booked after this.
    pub fn stop(&mut self, reason: StopReason, price: Decimal) -> &StopBooking {
        if self.ledger.stop.is_none() {
            let f = self.plan.fee_rate;
            let mut booking = StopBooking {
                reason,
                price,
                lots: 0,
                qty: Decimal::ZERO,
                proceeds: Decimal::ZERO,
                profit: Decimal::ZERO,
                fees: Decimal::ZERO,
                wins: 0,
            };
            for j in self.empty + 1..self.lv.len() {
                let qty = from_int(self.lot_qty[j], self.dq);
                let fee = qty * price * f;
                let profit = qty * price - fee - self.ledger.money(self.lot_cost[j]);
                booking.lots += 1;
                booking.qty += qty;
                booking.proceeds += qty * price - fee;
                booking.fees += fee;
                booking.profit += profit;
                booking.wins += u32::from(profit > Decimal::ZERO);
                self.held -= self.lot_qty[j] * self.one;
            }
            for v in [&mut booking.qty, &mut booking.proceeds, &mut booking.fees, &mut booking.profit] {
                *v = v.normalize();
            }
            let kept = self.base_held() * price;
            self.ledger.book_stop(booking, kept);
            self.refresh();
        }
        self.ledger.stop.as_ref().expect("booked above")
    }

    /// The books, with the base held valued at `mark` (the stop price once stopped).
    pub fn summary(&self, mark: Decimal) -> Summary {
        self.ledger.summary(self.base_held(), mark)
    }

    /// The quote balance now, in decimals.
    pub fn quote_balance(&self) -> Decimal {
        from_int(self.ledger.quote, self.ledger.dp)
    }
}
