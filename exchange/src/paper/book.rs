//! The paper account's book: balances (free and locked), orders and trades, and the matching of resting orders
//! against trade prices by the touch rule of `spec/grid.md` (a buy fills at its price when a trade is at or below
//! it, a sell when a trade is at or above it). The fee is charged in quote on every fill.

use std::collections::{BTreeMap, HashMap};

use gridbot_core::{Decimal, Side, Symbol, SymbolFilters};

use crate::{
    Balance, ExchangeError, ExchangeOrder, ExecutionReport, OrderRequest, OrderStatus, OrderType, Result, Trade,
};

#[derive(Debug, Clone)]
pub struct Book {
    pub fee_rate: Decimal,
    balances: BTreeMap<String, (Decimal, Decimal)>,
    orders: Vec<(Symbol, ExchangeOrder)>,
    /// Indices of the orders still resting, so a trade looks at those only.
    open: Vec<usize>,
    /// `(symbol, client id)` → index of the latest order with that id.
    by_client_id: HashMap<(String, String), usize>,
    trades: Vec<Trade>,
    next_order_id: i64,
    next_trade_id: i64,
}

impl Book {
    pub fn new(fee_rate: Decimal, balances: &[(String, Decimal)]) -> Self {
        Book {
            fee_rate,
            balances: balances.iter().map(|(a, v)| (a.clone(), (*v, Decimal::ZERO))).collect(),
            orders: Vec::new(),
            open: Vec::new(),
            by_client_id: HashMap::new(),
            trades: Vec::new(),
            next_order_id: 1,
            next_trade_id: 1,
        }
    }

    pub fn balances(&self) -> Vec<Balance> {
        self.balances
            .iter()
            .map(|(a, (f, l))| Balance { asset: a.clone(), free: f.normalize(), locked: l.normalize() })
            .collect()
    }

    fn bal(&mut self, asset: &str) -> &mut (Decimal, Decimal) {
        self.balances.entry(asset.to_string()).or_default()
    }

    /// What an order locks, as Binance locks it: the notional in quote for a buy, the base for a sell. A buy's fee
    /// is taken from free quote when it fills (the spec's sizing reserves no fee for the grid's buys).
    fn lock_for(&self, side: Side, price: Decimal, qty: Decimal, symbol: &Symbol) -> (String, Decimal) {
        match side {
            Side::Buy => (symbol.quote().to_string(), price * qty),
            Side::Sell => (symbol.base().to_string(), qty),
        }
    }

    /// Accepts an order as Binance would (filters, duplicate client id, balance); a market order, or a limit order
    /// already crossed by `last`, fills at once. Returns the order and the reports of what happened.
    pub fn place(
        &mut self,
        req: &OrderRequest,
        filters: &SymbolFilters,
        last: Decimal,
        now: i64,
    ) -> Result<(ExchangeOrder, Vec<ExecutionReport>)> {
        let id = req.client_order_id.as_str();
        if self.order(&req.symbol.exchange_name(), id).is_some_and(|o| o.status.is_open()) {
            return Err(ExchangeError::DuplicateOrder(id.to_string()));
        }
        let price = match req.order_type {
            OrderType::Limit => req.price.ok_or_else(|| ExchangeError::Filter("a limit order needs a price".into()))?,
            OrderType::Market => last,
        };
        filters.check_qty(req.qty).map_err(ExchangeError::Filter)?;
        if req.order_type == OrderType::Limit {
            filters.check_price(price).map_err(ExchangeError::Filter)?;
        }
        filters.check_notional(price, req.qty).map_err(ExchangeError::Filter)?;
        let crossed = match req.side {
            Side::Buy => last <= price,
            Side::Sell => last >= price,
        };
        let immediate = req.order_type == OrderType::Market || crossed;
        let (asset, amount) = self.lock_for(req.side, price, req.qty, &req.symbol);
        // A buy that fills at once must also have its fee.
        let fee_now = if immediate && req.side == Side::Buy { amount * self.fee_rate } else { Decimal::ZERO };
        let bal = self.bal(&asset);
        if bal.0 < amount + fee_now {
            let needed = (amount + fee_now).normalize();
            return Err(ExchangeError::InsufficientBalance(format!(
                "{needed} {asset} needed, {} free",
                bal.0.normalize()
            )));
        }
        bal.0 -= amount;
        bal.1 += amount;
        let order = ExchangeOrder {
            symbol: req.symbol.exchange_name(),
            order_id: self.next_order_id,
            client_order_id: id.to_string(),
            side: req.side,
            order_type: req.order_type,
            price,
            orig_qty: req.qty,
            executed_qty: Decimal::ZERO,
            cumulative_quote: Decimal::ZERO,
            status: OrderStatus::New,
            time: now,
            expiry_reason: None,
        };
        self.next_order_id += 1;
        self.orders.push((req.symbol.clone(), order));
        let i = self.orders.len() - 1;
        self.open.push(i);
        self.by_client_id.insert((req.symbol.exchange_name(), id.to_string()), i);
        let mut reports = vec![self.report(i, "NEW", None, now)];
        if immediate {
            reports.push(self.fill(i, now));
        }
        Ok((self.orders[i].1.clone(), reports))
    }

    /// A trade at `price` on `symbol`: fills every touched order, buys highest first, then sells lowest first.
    pub fn on_trade(&mut self, symbol: &str, price: Decimal, now: i64) -> Vec<ExecutionReport> {
        let mut touched: Vec<usize> = self
            .open
            .iter()
            .copied()
            .filter(|&i| {
                let o = &self.orders[i].1;
                o.symbol == symbol
                    && o.status.is_open()
                    && match o.side {
                        Side::Buy => price <= o.price,
                        Side::Sell => price >= o.price,
                    }
            })
            .collect();
        touched.sort_by(|&a, &b| {
            let (oa, ob) = (&self.orders[a].1, &self.orders[b].1);
            match oa.side {
                Side::Buy => ob.price.cmp(&oa.price),
                Side::Sell => oa.price.cmp(&ob.price),
            }
        });
        touched.into_iter().map(|i| self.fill(i, now)).collect()
    }

    fn fill(&mut self, i: usize, now: i64) -> ExecutionReport {
        let (symbol, o) = self.orders[i].clone();
        let qty = o.orig_qty - o.executed_qty;
        let notional = qty * o.price;
        let fee = notional * self.fee_rate;
        let (base, quote) = (symbol.base().to_string(), symbol.quote().to_string());
        match o.side {
            Side::Buy => {
                let q = self.bal(&quote);
                q.1 -= notional;
                q.0 -= fee;
                self.bal(&base).0 += qty;
            }
            Side::Sell => {
                self.bal(&base).1 -= qty;
                self.bal(&quote).0 += notional - fee;
            }
        }
        let trade = Trade {
            id: self.next_trade_id,
            order_id: o.order_id,
            symbol: o.symbol.clone(),
            price: o.price,
            qty,
            quote_qty: notional,
            commission: fee.normalize(),
            commission_asset: quote,
            time: now,
            is_buyer: o.side == Side::Buy,
            is_maker: o.order_type == OrderType::Limit,
        };
        self.next_trade_id += 1;
        let order = &mut self.orders[i].1;
        order.executed_qty = order.orig_qty;
        order.cumulative_quote += notional;
        order.status = OrderStatus::Filled;
        self.open.retain(|&j| j != i);
        let report = self.report(i, "TRADE", Some(&trade), now);
        self.trades.push(trade);
        report
    }

    pub fn cancel(
        &mut self,
        symbol: &str,
        client_order_id: &str,
        now: i64,
    ) -> Result<(ExchangeOrder, ExecutionReport)> {
        let i = *self
            .by_client_id
            .get(&(symbol.to_string(), client_order_id.to_string()))
            .ok_or_else(|| ExchangeError::UnknownOrder(format!("no order {client_order_id}")))?;
        if !self.orders[i].1.status.is_open() {
            return Err(ExchangeError::UnknownOrder(format!("order {client_order_id} is not open")));
        }
        let (sym, o) = self.orders[i].clone();
        let (asset, amount) = self.lock_for(o.side, o.price, o.orig_qty - o.executed_qty, &sym);
        let bal = self.bal(&asset);
        bal.1 -= amount;
        bal.0 += amount;
        self.orders[i].1.status = OrderStatus::Canceled;
        self.open.retain(|&j| j != i);
        Ok((self.orders[i].1.clone(), self.report(i, "CANCELED", None, now)))
    }

    pub fn order(&self, symbol: &str, client_order_id: &str) -> Option<ExchangeOrder> {
        self.orders
            .iter()
            .rev()
            .find(|(_, o)| o.symbol == symbol && o.client_order_id == client_order_id)
            .map(|(_, o)| o.clone())
    }

    pub fn open_orders(&self, symbol: &str) -> Vec<ExchangeOrder> {
        self.open.iter().map(|&i| &self.orders[i].1).filter(|o| o.symbol == symbol).cloned().collect()
    }

    pub fn trades_since(&self, symbol: &str, from_id: Option<i64>) -> Vec<Trade> {
        // Trade ids ascend: start at the first one at or after `from_id`.
        let start = self.trades.partition_point(|t| t.id < from_id.unwrap_or(0));
        self.trades[start..].iter().filter(|t| t.symbol == symbol).cloned().collect()
    }

    fn report(&self, i: usize, execution: &str, trade: Option<&Trade>, now: i64) -> ExecutionReport {
        let o = &self.orders[i].1;
        ExecutionReport {
            symbol: o.symbol.clone(),
            client_order_id: o.client_order_id.clone(),
            side: o.side,
            order_type: o.order_type,
            qty: o.orig_qty,
            price: o.price,
            execution_type: execution.to_string(),
            status: o.status,
            order_id: o.order_id,
            last_qty: trade.map_or(Decimal::ZERO, |t| t.qty),
            last_price: trade.map_or(Decimal::ZERO, |t| t.price),
            cumulative_qty: o.executed_qty,
            cumulative_quote: o.cumulative_quote,
            commission: trade.map_or(Decimal::ZERO, |t| t.commission),
            commission_asset: trade.map(|t| t.commission_asset.clone()),
            time: now,
            trade_id: trade.map_or(-1, |t| t.id),
            expiry_reason: None,
        }
    }
}
