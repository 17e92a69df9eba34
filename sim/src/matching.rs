//! The matching engine: accounts, orders and fills. Resting LIMIT orders fill at their own price when a played
//! trade touches them (a buy when the trade price is at or below it, a sell at or above); MARKET orders and
//! crossing limits fill at the last price. Balances are locked while orders rest.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use gridbot_core::candles::Candle;
use rand::{Rng, distr::Alphanumeric};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::{
    accounts::Account,
    error::ApiError,
    events::Outbox,
    market::Market,
    num::{floor_to, fmt8},
    orders::{Fill, Order, OrderType, Side, Status, Tif},
    rules::PRICE_RANGE_EXCEEDED,
    symbols::MAX_NUM_ORDERS,
};

/// How fills are charged and sized.
#[derive(Debug, Clone)]
pub(crate) struct EngineConfig {
    pub fee_rate: Decimal,
    /// Charge every commission in the quote asset instead of in the received asset.
    pub commission_in_quote: bool,
    /// Charge commissions in BNB while the account holds enough.
    pub commission_in_bnb: bool,
    /// Fill at most this percentage of an order's quantity per touching trade.
    pub partial_fill_pct: Option<Decimal>,
}

/// A validated new order request.
#[derive(Debug, Clone)]
pub(crate) struct NewOrder {
    pub symbol: String,
    pub side: Side,
    pub kind: OrderType,
    pub tif: Tif,
    pub price: Option<Decimal>,
    pub qty: Option<Decimal>,
    pub quote_qty: Option<Decimal>,
    pub client_id: Option<String>,
}

#[derive(Debug)]
pub(crate) struct Exchange {
    pub cfg: EngineConfig,
    pub markets: BTreeMap<String, Market>,
    pub accounts: HashMap<String, Account>,
    pub orders: BTreeMap<u64, Order>,
    open: BTreeSet<u64>,
    pub fills: Vec<Fill>,
    next_order_id: u64,
    pub outbox: Outbox,
    /// Every order request received (`GET /sim/orders`).
    pub log: Vec<Value>,
}

pub(crate) fn random_client_id() -> String {
    rand::rng().sample_iter(&Alphanumeric).take(22).map(char::from).collect()
}

impl Exchange {
    pub fn new(cfg: EngineConfig, markets: Vec<Market>, accounts: Vec<Account>) -> Exchange {
        Exchange {
            cfg,
            markets: markets.into_iter().map(|m| (m.spec.name.to_string(), m)).collect(),
            accounts: accounts.into_iter().map(|a| (a.api_key.clone(), a)).collect(),
            orders: BTreeMap::new(),
            open: BTreeSet::new(),
            fills: Vec::new(),
            next_order_id: 1,
            outbox: Outbox::new(),
            log: Vec::new(),
        }
    }

    pub fn market(&self, symbol: &str) -> Result<&Market, ApiError> {
        self.markets.get(symbol).ok_or_else(ApiError::invalid_symbol)
    }

    /// Plays one trade: the tape, the streams, then every resting order it touches.
    pub fn play(&mut self, symbol: &str, price: Decimal, qty: Decimal, time: i64, now: i64) {
        let Some(m) = self.markets.get_mut(symbol) else { return };
        let (tape, closed) = m.record(price, qty, time);
        self.outbox.trade(m, &tape, closed.as_ref());
        self.touch(symbol, price, now);
    }

    /// Plays a candle as its four path points, 15 s apart, then closes its kline.
    pub fn play_candle(&mut self, symbol: &str, c: &Candle, now: i64) {
        let Some(m) = self.markets.get(symbol) else { return };
        let step = m.spec.step;
        let qty = floor_to(c.volume / Decimal::from(4), step);
        for (i, p) in c.path().into_iter().enumerate() {
            let q = if i == 3 { (c.volume - qty * Decimal::from(3)).max(Decimal::ZERO) } else { qty };
            self.play(symbol, p, q, c.open_time + 15_000 * i as i64, now);
        }
        if let Some(m) = self.markets.get_mut(symbol)
            && let Some(k) = m.close_kline()
        {
            self.outbox.kline(m, &k, m.last_time);
        }
    }

    fn touch(&mut self, symbol: &str, price: Decimal, now: i64) {
        if !self.markets.get(symbol).is_some_and(Market::trading) {
            return;
        }
        let mut hits: Vec<(Side, Decimal, u64)> = self
            .open
            .iter()
            .filter_map(|id| self.orders.get(id))
            .filter(|o| o.symbol == symbol && o.kind != OrderType::Market)
            .filter(|o| match o.side {
                Side::Buy => price <= o.price,
                Side::Sell => price >= o.price,
            })
            .map(|o| (o.side, o.price, o.id))
            .collect();
        // Buys highest first, sells lowest first, then by age.
        hits.sort_by(|a, b| match a.0 {
            Side::Buy => b.1.cmp(&a.1).then(a.2.cmp(&b.2)),
            Side::Sell => a.1.cmp(&b.1).then(a.2.cmp(&b.2)),
        });
        for (_, limit, id) in hits {
            let Some(o) = self.orders.get(&id) else { continue };
            let step = self.markets.get(symbol).map_or(Decimal::ZERO, |m| m.spec.step);
            let qty = match self.cfg.partial_fill_pct {
                Some(pct) if pct < Decimal::ONE_HUNDRED && !step.is_zero() => {
                    floor_to(o.orig_qty * pct / Decimal::ONE_HUNDRED, step).max(step).min(o.remaining())
                }
                _ => o.remaining(),
            };
            self.execute(id, limit, qty, true, now);
        }
    }

    /// What a buy of `qty` at `price` locks: its cost, plus the commission when that is paid in quote.
    fn buy_cost(&self, price: Decimal, qty: Decimal) -> Decimal {
        let cost = price * qty;
        if self.cfg.commission_in_quote { cost + cost * self.cfg.fee_rate } else { cost }
    }

    /// With BNB commissions on: the BNB worth `commission` of `quote` at BNB's last price, to 8 places.
    fn bnb_commission(&self, quote: &str, commission: Decimal) -> Option<Decimal> {
        if !self.cfg.commission_in_bnb || quote == "BNB" {
            return None;
        }
        let price = self.markets.get(&format!("BNB{quote}"))?.last;
        (price > Decimal::ZERO).then(|| (commission / price).round_dp(8))
    }

    fn execute(&mut self, id: u64, price: Decimal, qty: Decimal, is_maker: bool, now: i64) -> Option<Fill> {
        let o = self.orders.get(&id)?.clone();
        let m = self.markets.get_mut(&o.symbol)?;
        let (base, quote_asset) = (m.spec.base, m.spec.quote);
        let trade_id = m.take_trade_id();
        let fee = self.cfg.fee_rate;
        let quote = price * qty;
        let in_quote = self.cfg.commission_in_quote;
        let release = match o.side {
            Side::Buy if o.kind != OrderType::Market => o.locked.min(self.buy_cost(o.price, qty)),
            Side::Sell if o.kind != OrderType::Market => o.locked.min(qty),
            _ => Decimal::ZERO,
        };
        let in_bnb = self.bnb_commission(quote_asset, quote * fee);
        let acct = self.accounts.get_mut(&o.api_key)?;
        let in_bnb = in_bnb.filter(|bnb| acct.balances.get("BNB").is_some_and(|b| b.free >= *bnb));
        let (commission, commission_asset) = match (o.side, in_bnb) {
            (Side::Buy, Some(bnb)) => {
                let qb = acct.balance(quote_asset);
                qb.locked -= release;
                qb.free += release - quote;
                acct.balance(base).free += qty;
                acct.balance("BNB").free -= bnb;
                (bnb, "BNB")
            }
            (Side::Sell, Some(bnb)) => {
                let bb = acct.balance(base);
                bb.locked -= release;
                bb.free += release - qty;
                acct.balance(quote_asset).free += quote;
                acct.balance("BNB").free -= bnb;
                (bnb, "BNB")
            }
            (Side::Buy, None) => {
                let qb = acct.balance(quote_asset);
                qb.locked -= release;
                qb.free += release;
                let commission = if in_quote { quote * fee } else { qty * fee };
                qb.free -= quote + if in_quote { commission } else { Decimal::ZERO };
                acct.balance(base).free += qty - if in_quote { Decimal::ZERO } else { commission };
                (commission, if in_quote { quote_asset } else { base })
            }
            (Side::Sell, None) => {
                let bb = acct.balance(base);
                bb.locked -= release;
                bb.free += release - qty;
                let commission = quote * fee;
                acct.balance(quote_asset).free += quote - commission;
                (commission, quote_asset)
            }
        };
        acct.update_time = now;
        let fill = Fill {
            id: trade_id,
            order_id: id,
            symbol: o.symbol.clone(),
            api_key: o.api_key.clone(),
            side: o.side,
            price,
            qty,
            quote_qty: quote,
            commission: commission.normalize(),
            commission_asset: commission_asset.to_string(),
            time: now,
            is_maker,
        };
        let order = self.orders.get_mut(&id)?;
        order.locked -= release;
        order.executed += qty;
        order.cum_quote += quote;
        order.update_time = now;
        if order.remaining().is_zero() {
            order.status = Status::Filled;
            self.open.remove(&id);
            let leftover = std::mem::take(&mut order.locked);
            if !leftover.is_zero() {
                let asset = if order.side == Side::Buy { quote_asset } else { base };
                unlock(&mut self.accounts, &o.api_key, asset, leftover);
            }
        } else {
            order.status = Status::PartiallyFilled;
        }
        let order = order.clone();
        self.fills.push(fill.clone());
        self.report(&order, "TRADE", Some(&fill), None, now);
        Some(fill)
    }

    /// Sends the order's `executionReport` and the account's position in the symbol's two assets.
    fn report(&self, o: &Order, exec: &str, fill: Option<&Fill>, cancel_id: Option<&str>, now: i64) {
        self.outbox.user(&o.api_key, o.execution_report(exec, fill, cancel_id, now));
        let (Some(m), Some(a)) = (self.markets.get(&o.symbol), self.accounts.get(&o.api_key)) else { return };
        let pos: Vec<Value> = [m.spec.base, m.spec.quote]
            .iter()
            .map(|asset| {
                let b = a.balances.get(*asset).copied().unwrap_or_default();
                json!({"a": asset, "f": fmt8(b.free), "l": fmt8(b.locked)})
            })
            .collect();
        self.outbox.user(&o.api_key, json!({"e": "outboundAccountPosition", "E": now, "u": a.update_time, "B": pos}));
    }

    /// Places an order for the account of `api_key` (which exists). Returns the order and its immediate fills.
    pub fn place(&mut self, api_key: &str, req: NewOrder, now: i64) -> Result<(Order, Vec<Fill>), ApiError> {
        let m = self.market(&req.symbol)?;
        let spec = m.spec.clone();
        let (last, trading) = (m.last, m.trading());
        // A taker trades at the last price: outside the execution rule's band it expires instead.
        let in_range = m.price_range.as_ref().is_none_or(|r| r.allows(last, last));
        let market = req.kind == OrderType::Market;
        let (price, qty, quote_qty) = if market {
            let qty = match (req.qty, req.quote_qty) {
                (Some(q), None) => q,
                (None, Some(qq)) => floor_to(qq / last, spec.step),
                _ => {
                    return Err(ApiError::new(
                        -1102,
                        "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!",
                    ));
                }
            };
            (last, qty, req.quote_qty.unwrap_or_default())
        } else {
            let price = req.price.ok_or_else(|| ApiError::missing("price"))?;
            let qty = req.qty.ok_or_else(|| ApiError::missing("quantity"))?;
            spec.check_price(price).map_err(ApiError::filter)?;
            (price, qty, Decimal::ZERO)
        };
        spec.check_qty(qty, market).map_err(ApiError::filter)?;
        spec.check_notional(qty * price).map_err(ApiError::filter)?;
        let mine = self.open.iter().filter_map(|id| self.orders.get(id)).filter(|o| o.api_key == api_key);
        let mut on_symbol = 0;
        for o in mine {
            if o.symbol == req.symbol {
                on_symbol += 1;
            }
            if req.client_id.as_deref() == Some(o.client_id.as_str()) {
                return Err(ApiError::new(-2010, "Duplicate order sent."));
            }
        }
        if on_symbol >= MAX_NUM_ORDERS && !market {
            return Err(ApiError::filter("MAX_NUM_ORDERS"));
        }
        if !trading {
            return Err(ApiError::new(-2010, "Market is closed."));
        }
        let crosses = match req.side {
            Side::Buy => market || price > last,
            Side::Sell => market || price < last,
        };
        if req.kind == OrderType::LimitMaker && crosses {
            return Err(ApiError::new(-2010, "Order would immediately match and take."));
        }
        let (lock_asset, lock) = match req.side {
            Side::Buy => (spec.quote, self.buy_cost(if market { last } else { price }, qty)),
            Side::Sell => (spec.base, qty),
        };
        let acct = self.accounts.get_mut(api_key).ok_or_else(ApiError::rejected_key)?;
        if acct.free(lock_asset) < lock {
            return Err(ApiError::insufficient_balance());
        }
        let id = self.next_order_id;
        self.next_order_id += 1;
        let resting_lock = if market { Decimal::ZERO } else { lock };
        let b = acct.balance(lock_asset);
        b.free -= resting_lock;
        b.locked += resting_lock;
        acct.update_time = now;
        let order = Order {
            id,
            symbol: req.symbol.clone(),
            api_key: api_key.to_string(),
            client_id: req.client_id.unwrap_or_else(random_client_id),
            side: req.side,
            kind: req.kind,
            tif: req.tif,
            price: if market { Decimal::ZERO } else { price },
            orig_qty: qty,
            orig_quote_qty: quote_qty,
            executed: Decimal::ZERO,
            cum_quote: Decimal::ZERO,
            status: Status::New,
            time: now,
            update_time: now,
            locked: resting_lock,
            expiry_reason: None,
        };
        self.orders.insert(id, order.clone());
        self.open.insert(id);
        self.report(&order, "NEW", None, None, now);
        let mut fills = Vec::new();
        if crosses && !in_range {
            self.expire(id, PRICE_RANGE_EXCEEDED, now);
        } else if crosses {
            fills.extend(self.execute(id, last, qty, false, now));
        } else if req.tif != Tif::Gtc {
            let reason =
                if req.tif == Tif::Ioc { "UNFILLED_IOC_QUANTITY_EXPIRED" } else { "UNFILLED_FOK_ORDER_EXPIRED" };
            self.expire(id, reason, now);
        }
        let order = self.orders.get(&id).cloned().ok_or_else(ApiError::no_such_order)?;
        Ok((order, fills))
    }

    /// Expires an open order for `reason` (its `expiryReason`).
    fn expire(&mut self, id: u64, reason: &'static str, now: i64) -> Option<Order> {
        self.orders.get_mut(&id)?.expiry_reason = Some(reason);
        self.finish(id, Status::Expired, None, now)
    }

    /// Expires the symbol's open limit orders priced below `low` or above `high` as the Price Range Execution Rule
    /// does; returns their client order ids.
    pub fn expire_outside(
        &mut self,
        symbol: &str,
        low: Option<Decimal>,
        high: Option<Decimal>,
        now: i64,
    ) -> Vec<String> {
        let out: Vec<u64> = self
            .open
            .iter()
            .filter_map(|id| self.orders.get(id))
            .filter(|o| o.symbol == symbol && o.kind != OrderType::Market)
            .filter(|o| low.is_some_and(|l| o.price < l) || high.is_some_and(|h| o.price > h))
            .map(|o| o.id)
            .collect();
        out.into_iter().filter_map(|id| self.expire(id, PRICE_RANGE_EXCEEDED, now)).map(|o| o.client_id).collect()
    }

    /// Ends an open order (cancel or expiry), unlocking what it held.
    fn finish(&mut self, id: u64, status: Status, cancel_id: Option<&str>, now: i64) -> Option<Order> {
        let o = self.orders.get_mut(&id)?;
        o.status = status;
        o.update_time = now;
        let leftover = std::mem::take(&mut o.locked);
        let o = o.clone();
        self.open.remove(&id);
        let m = self.markets.get(&o.symbol)?;
        let asset = if o.side == Side::Buy { m.spec.quote } else { m.spec.base };
        unlock(&mut self.accounts, &o.api_key, asset, leftover);
        if let Some(a) = self.accounts.get_mut(&o.api_key) {
            a.update_time = now;
        }
        let exec = if status == Status::Canceled { "CANCELED" } else { "EXPIRED" };
        self.report(&o, exec, None, cancel_id, now);
        Some(o)
    }

    /// An order of the account on `symbol`, by id or client order id.
    pub fn find(&self, api_key: &str, symbol: &str, id: Option<u64>, client_id: Option<&str>) -> Option<&Order> {
        match (id, client_id) {
            (Some(id), _) => self.orders.get(&id).filter(|o| o.api_key == api_key && o.symbol == symbol),
            (None, Some(c)) => {
                let mine = |o: &&Order| o.api_key == api_key && o.symbol == symbol && o.client_id == c;
                // An open order wins over older closed ones with the same client id.
                self.open
                    .iter()
                    .filter_map(|i| self.orders.get(i))
                    .find(mine)
                    .or_else(|| self.orders.values().rev().find(mine))
            }
            (None, None) => None,
        }
    }

    pub fn cancel(
        &mut self,
        api_key: &str,
        symbol: &str,
        id: Option<u64>,
        client_id: Option<&str>,
        cancel_id: &str,
        now: i64,
    ) -> Result<Order, ApiError> {
        let o = self.find(api_key, symbol, id, client_id).ok_or_else(ApiError::unknown_order)?;
        if !o.status.is_open() {
            return Err(ApiError::unknown_order());
        }
        let id = o.id;
        self.finish(id, Status::Canceled, Some(cancel_id), now).ok_or_else(ApiError::unknown_order)
    }

    pub fn open_orders(&self, api_key: &str, symbol: Option<&str>) -> Vec<&Order> {
        self.open
            .iter()
            .filter_map(|id| self.orders.get(id))
            .filter(|o| o.api_key == api_key && symbol.is_none_or(|s| o.symbol == s))
            .collect()
    }

    pub fn cancel_all(&mut self, api_key: &str, symbol: &str, now: i64) -> Result<Vec<(Order, String)>, ApiError> {
        let ids: Vec<u64> = self.open_orders(api_key, Some(symbol)).iter().map(|o| o.id).collect();
        if ids.is_empty() {
            return Err(ApiError::unknown_order());
        }
        Ok(ids
            .into_iter()
            .filter_map(|id| {
                let cid = random_client_id();
                self.finish(id, Status::Canceled, Some(&cid), now).map(|o| (o, cid))
            })
            .collect())
    }
}

/// Moves `amount` of `asset` from locked back to free in the account of `key`.
fn unlock(accounts: &mut HashMap<String, Account>, key: &str, asset: &str, amount: Decimal) {
    if let Some(b) = accounts.get_mut(key).map(|a| a.balance(asset)) {
        b.locked -= amount;
        b.free += amount;
    }
}
