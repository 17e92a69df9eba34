//! The grid engine: the state machine of `spec/grid.md`.
//!
//! Started at a price, it sizes the grid, buys the initial inventory and rests a buy below and a sell above the one
//! empty level. Each fill books into the [`Ledger`] and yields the counter-order one level away. Because buys always
//! sit below the empty level and sells above it, the whole order book is the empty level's index: the engine's hot
//! path is integer comparisons against it.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::{
    Error, GridConfig, Side, SymbolFilters,
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
    pub stop_loss_price: Option<Decimal>,
    pub take_profit_price: Option<Decimal>,
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
    /// Whether the sell resting at a level holds a lot bought at the start (basis = start price).
    initial_lot: Vec<bool>,
    /// Orders placed per level so far.
    seq: Vec<u32>,
    // Per-level money, exact in ledger units.
    buy_cost: Vec<i128>,
    buy_fee: Vec<i128>,
    sell_proceeds: Vec<i128>,
    sell_fee: Vec<i128>,
    /// Cost of one initial lot, fee included.
    init_cost: i128,
    /// Value of one lot per integer price unit, in ledger units.
    lot_value: i128,
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
    /// Value of the lots held per integer price unit, in ledger units.
    held_value: i128,
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
        let c = config.capital();
        let lots = n - 1 - k;
        let below: Decimal = levels[..k].iter().sum();
        let denominator = below + Decimal::from(lots) * start_price * (Decimal::ONE + f);
        let q = filters.floor_qty(c / denominator);
        if q.is_zero() {
            return Err(Error::CapitalTooSmall {
                levels: n,
                detail: format!("{c} buys less than one step ({}) per level", filters.step_size),
            });
        }
        if q * p0 < filters.min_notional {
            return Err(Error::CapitalTooSmall {
                levels: n,
                detail: format!(
                    "{q} per level is worth {} at the lowest level, below the minimum order of {}",
                    (q * p0).normalize(),
                    filters.min_notional
                ),
            });
        }

        // Exact integer units: price × 10^8, qty × 10^dq, fee × 10^df; money × 10^(8 + dq + df).
        let (dq, df) = (places(filters.step_size).max(places(q)), places(f));
        let dp = PRICE_DP + dq + df;
        let overflow = || Error::field("capital", "amounts too large to book exactly".to_string());
        let q_int = to_int(q, dq).ok_or_else(overflow)?;
        let one = 10i128.pow(df);
        let f_int = to_int(f, df).ok_or_else(overflow)?;
        let capital = to_int(c, dp).ok_or_else(overflow)?;
        let lv = levels.iter().map(|p| price_int(*p, "lower")).collect::<Result<Vec<_>, _>>()?;
        let p_int = i128::from(price_int(start_price, "price")?);
        let notional = |p: i64| q_int * i128::from(p);
        let init_cost = q_int * p_int * (one + f_int);
        let sl = config.stop_loss_price();
        let tp = config.take_profit_price();
        let mut ledger = Ledger::new(dp, capital);
        ledger.quote -= init_cost * lots as i128;
        ledger.fees += q_int * p_int * f_int * lots as i128;

        Ok(GridEngine {
            plan: GridPlan {
                levels,
                start_price: start_price.normalize(),
                empty_level: k,
                qty: q,
                initial_lots: lots,
                capital: c,
                fee_rate: f,
                stop_loss_price: sl,
                take_profit_price: tp,
            },
            buy_cost: lv.iter().map(|&p| notional(p) * (one + f_int)).collect(),
            buy_fee: lv.iter().map(|&p| notional(p) * f_int).collect(),
            sell_proceeds: lv.iter().map(|&p| notional(p) * (one - f_int)).collect(),
            sell_fee: lv.iter().map(|&p| notional(p) * f_int).collect(),
            initial_lot: (0..n).map(|i| i > k).collect(),
            seq: vec![0; n],
            lv,
            empty: k,
            init_cost,
            lot_value: q_int * one,
            sl_trigger: sl.map_or(i64::MIN, |s| to_int_rounded(s, PRICE_DP, false)),
            sl_fill: sl.map_or(i64::MAX, |s| to_int_rounded(s, PRICE_DP, true)),
            tp_trigger: tp.map_or(i64::MAX, |t| to_int_rounded(t, PRICE_DP, true)),
            tp_fill: tp.map_or(i64::MIN, |t| to_int_rounded(t, PRICE_DP, false)),
            lo: 0,
            hi: 0,
            held_value: 0,
            ledger,
        }
        .refreshed())
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
            (self.lo, self.hi, self.held_value) = (i64::MIN, i64::MAX, 0);
            return;
        }
        let next_buy = if self.empty > 0 { self.lv[self.empty - 1] } else { i64::MIN };
        let next_sell = if self.empty + 1 < n { self.lv[self.empty + 1] } else { i64::MAX };
        self.lo = next_buy.max(self.sl_trigger);
        self.hi = next_sell.min(self.tp_trigger);
        self.held_value = (n - 1 - self.empty) as i128 * self.lot_value;
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
    pub fn base_held(&self) -> Decimal {
        Decimal::from(self.lots()) * self.plan.qty
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
            qty: self.plan.qty,
            seq: self.seq[level],
        }
    }

    /// Books a fill reported by an exchange and returns the counter-order. A buy can only fill on the level just
    /// below the empty one and a sell just above it: fills must be booked in the order they happened.
    pub fn book_fill(&mut self, side: Side, level: usize) -> Result<OrderIntent, Error> {
        if self.is_stopped() {
            return Err(Error::State("the grid is stopped".into()));
        }
        match side {
            Side::Buy if level + 1 == self.empty => {
                self.fill_buy();
                Ok(self.order_at(level + 1))
            }
            Side::Sell if level == self.empty + 1 && level < self.lv.len() => {
                self.fill_sell();
                Ok(self.order_at(level - 1))
            }
            _ => Err(Error::State(format!(
                "no {side} order rests on level {level} (empty level is {}; buys below it, sells above)",
                self.empty
            ))),
        }
    }

    #[inline(always)]
    fn fill_buy(&mut self) {
        let i = self.empty - 1;
        self.ledger.quote -= self.buy_cost[i];
        self.ledger.fees += self.buy_fee[i];
        self.ledger.orders_filled += 1;
        self.initial_lot[i + 1] = false;
        self.seq[i + 1] += 1;
        self.empty = i;
        self.refresh();
    }

    #[inline(always)]
    fn fill_sell(&mut self) {
        let j = self.empty + 1;
        let cost = if self.initial_lot[j] { self.init_cost } else { self.buy_cost[j - 1] };
        let profit = self.sell_proceeds[j] - cost;
        self.ledger.quote += self.sell_proceeds[j];
        self.ledger.fees += self.sell_fee[j];
        self.ledger.realized += profit;
        self.ledger.orders_filled += 1;
        self.ledger.round_trips += 1;
        self.ledger.wins += u64::from(profit > 0);
        self.initial_lot[j] = false;
        self.seq[j - 1] += 1;
        self.empty = j;
        self.refresh();
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
        let eq = self.ledger.quote + self.held_value * i128::from(price);
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
    /// with its fee. Nothing is booked after this.
    pub fn stop(&mut self, reason: StopReason, price: Decimal) -> &StopBooking {
        if self.ledger.stop.is_none() {
            let (q, f) = (self.plan.qty, self.plan.fee_rate);
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
                let basis = if self.initial_lot[j] { self.plan.start_price } else { self.plan.levels[j - 1] };
                let fee = q * price * f;
                let profit = q * (price - basis) - q * basis * f - fee;
                booking.lots += 1;
                booking.qty += q;
                booking.proceeds += q * price - fee;
                booking.fees += fee;
                booking.profit += profit;
                booking.wins += u32::from(profit > Decimal::ZERO);
            }
            for v in [&mut booking.qty, &mut booking.proceeds, &mut booking.fees, &mut booking.profit] {
                *v = v.normalize();
            }
            self.ledger.book_stop(booking);
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
