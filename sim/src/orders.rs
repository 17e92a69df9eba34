//! Orders and user trades, and their JSON shapes: REST responses and `executionReport` events.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::num::fmt8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Buy,
    Sell,
}

impl Side {
    pub fn parse(s: &str) -> Option<Side> {
        match s {
            "BUY" => Some(Side::Buy),
            "SELL" => Some(Side::Sell),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Buy => "BUY",
            Side::Sell => "SELL",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrderType {
    Limit,
    LimitMaker,
    Market,
}

impl OrderType {
    pub fn parse(s: &str) -> Option<OrderType> {
        match s {
            "LIMIT" => Some(OrderType::Limit),
            "LIMIT_MAKER" => Some(OrderType::LimitMaker),
            "MARKET" => Some(OrderType::Market),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            OrderType::Limit => "LIMIT",
            OrderType::LimitMaker => "LIMIT_MAKER",
            OrderType::Market => "MARKET",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tif {
    Gtc,
    Ioc,
    Fok,
}

impl Tif {
    pub fn parse(s: &str) -> Option<Tif> {
        match s {
            "GTC" => Some(Tif::Gtc),
            "IOC" => Some(Tif::Ioc),
            "FOK" => Some(Tif::Fok),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Tif::Gtc => "GTC",
            Tif::Ioc => "IOC",
            Tif::Fok => "FOK",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    New,
    PartiallyFilled,
    Filled,
    Canceled,
    Expired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "NEW",
            Status::PartiallyFilled => "PARTIALLY_FILLED",
            Status::Filled => "FILLED",
            Status::Canceled => "CANCELED",
            Status::Expired => "EXPIRED",
        }
    }
    pub fn is_open(self) -> bool {
        matches!(self, Status::New | Status::PartiallyFilled)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub id: u64,
    pub symbol: String,
    pub api_key: String,
    pub client_id: String,
    pub side: Side,
    pub kind: OrderType,
    pub tif: Tif,
    /// Limit price; zero for MARKET orders.
    pub price: Decimal,
    pub orig_qty: Decimal,
    pub orig_quote_qty: Decimal,
    pub executed: Decimal,
    pub cum_quote: Decimal,
    pub status: Status,
    pub time: i64,
    pub update_time: i64,
    /// What is still locked for this order: quote for a buy, base for a sell.
    pub locked: Decimal,
    /// Why an expired order expired (`expiryReason`, `eR`).
    pub expiry_reason: Option<&'static str>,
}

impl Order {
    pub fn remaining(&self) -> Decimal {
        self.orig_qty - self.executed
    }

    fn tif_str(&self) -> &'static str {
        if self.kind == OrderType::Limit { self.tif.as_str() } else { "GTC" }
    }

    /// Adds `expiryReason` to an order document of an expired order (Binance sends it only then).
    fn with_expiry(&self, mut v: Value) -> Value {
        if let (Some(reason), Some(m)) =
            (self.expiry_reason.filter(|_| self.status == Status::Expired), v.as_object_mut())
        {
            m.insert("expiryReason".into(), reason.into());
        }
        v
    }

    /// `GET /api/v3/order`, `openOrders` and `allOrders` entries.
    pub fn query_json(&self) -> Value {
        self.with_expiry(json!({
            "symbol": self.symbol, "orderId": self.id, "orderListId": -1, "clientOrderId": self.client_id,
            "price": fmt8(self.price), "origQty": fmt8(self.orig_qty), "executedQty": fmt8(self.executed),
            "cummulativeQuoteQty": fmt8(self.cum_quote), "status": self.status.as_str(),
            "timeInForce": self.tif_str(), "type": self.kind.as_str(), "side": self.side.as_str(),
            "stopPrice": fmt8(Decimal::ZERO), "icebergQty": fmt8(Decimal::ZERO), "time": self.time,
            "updateTime": self.update_time, "isWorking": true, "workingTime": self.time,
            "origQuoteOrderQty": fmt8(self.orig_quote_qty), "selfTradePreventionMode": "EXPIRE_MAKER"
        }))
    }

    /// `POST /api/v3/order` response for `newOrderRespType` ACK, RESULT or FULL.
    pub fn new_order_json(&self, resp_type: &str, fills: &[Fill]) -> Value {
        let mut v = json!({
            "symbol": self.symbol, "orderId": self.id, "orderListId": -1, "clientOrderId": self.client_id,
            "transactTime": self.time
        });
        if resp_type == "ACK" {
            return v;
        }
        if let Some(m) = v.as_object_mut() {
            let extra = json!({
                "price": fmt8(self.price), "origQty": fmt8(self.orig_qty), "executedQty": fmt8(self.executed),
                "origQuoteOrderQty": fmt8(self.orig_quote_qty), "cummulativeQuoteQty": fmt8(self.cum_quote),
                "status": self.status.as_str(), "timeInForce": self.tif_str(), "type": self.kind.as_str(),
                "side": self.side.as_str(), "workingTime": self.time, "selfTradePreventionMode": "EXPIRE_MAKER"
            });
            if let Some(e) = extra.as_object() {
                m.extend(e.clone());
            }
            if resp_type == "FULL" {
                m.insert("fills".into(), fills.iter().map(Fill::order_fill_json).collect());
            }
        }
        self.with_expiry(v)
    }

    /// `DELETE /api/v3/order` response; `cancel_id` is the cancel's own client order id.
    pub fn cancel_json(&self, cancel_id: &str, now: i64) -> Value {
        json!({
            "symbol": self.symbol, "origClientOrderId": self.client_id, "orderId": self.id, "orderListId": -1,
            "clientOrderId": cancel_id, "transactTime": now, "price": fmt8(self.price),
            "origQty": fmt8(self.orig_qty), "executedQty": fmt8(self.executed),
            "origQuoteOrderQty": fmt8(self.orig_quote_qty), "cummulativeQuoteQty": fmt8(self.cum_quote),
            "status": self.status.as_str(), "timeInForce": self.tif_str(), "type": self.kind.as_str(),
            "side": self.side.as_str(), "selfTradePreventionMode": "EXPIRE_MAKER"
        })
    }

    /// The `executionReport` event for this order's latest change.
    pub fn execution_report(&self, exec: &str, fill: Option<&Fill>, cancel_id: Option<&str>, now: i64) -> Value {
        let (c, orig) = match cancel_id {
            Some(cid) => (cid, self.client_id.as_str()),
            None => (self.client_id.as_str(), ""),
        };
        let zero = fmt8(Decimal::ZERO);
        let mut v = json!({
            "e": "executionReport", "E": now, "s": self.symbol, "c": c, "S": self.side.as_str(),
            "o": self.kind.as_str(), "f": self.tif_str(), "q": fmt8(self.orig_qty), "p": fmt8(self.price),
            "P": zero, "F": zero, "g": -1, "C": orig, "x": exec, "X": self.status.as_str(), "r": "NONE",
            "i": self.id, "l": fmt8(fill.map_or(Decimal::ZERO, |f| f.qty)),
            "z": fmt8(self.executed), "L": fmt8(fill.map_or(Decimal::ZERO, |f| f.price)),
            "n": fill.map_or("0".to_string(), |f| fmt8(f.commission)),
            "N": fill.map(|f| f.commission_asset.clone()),
            "T": fill.map_or(self.update_time, |f| f.time), "t": fill.map_or(-1, |f| f.id),
            "I": self.id * 2 + u64::from(fill.is_some()), "w": self.status.is_open(),
            "m": fill.is_some_and(|f| f.is_maker), "M": false, "O": self.time, "Z": fmt8(self.cum_quote),
            "Y": fmt8(fill.map_or(Decimal::ZERO, |f| f.quote_qty)), "Q": fmt8(self.orig_quote_qty),
            "W": self.time, "V": "EXPIRE_MAKER"
        });
        if let (Some(reason), Some(m)) =
            (self.expiry_reason.filter(|_| self.status == Status::Expired), v.as_object_mut())
        {
            m.insert("eR".into(), reason.into());
        }
        v
    }
}

/// One fill of a user's order (a row of `myTrades`).
#[derive(Debug, Clone)]
pub(crate) struct Fill {
    pub id: i64,
    pub order_id: u64,
    pub symbol: String,
    pub api_key: String,
    pub side: Side,
    pub price: Decimal,
    pub qty: Decimal,
    pub quote_qty: Decimal,
    pub commission: Decimal,
    pub commission_asset: String,
    pub time: i64,
    pub is_maker: bool,
}

impl Fill {
    pub fn order_fill_json(&self) -> Value {
        json!({
            "price": fmt8(self.price), "qty": fmt8(self.qty), "commission": fmt8(self.commission),
            "commissionAsset": self.commission_asset, "tradeId": self.id
        })
    }

    pub fn my_trade_json(&self) -> Value {
        json!({
            "symbol": self.symbol, "id": self.id, "orderId": self.order_id, "orderListId": -1,
            "price": fmt8(self.price), "qty": fmt8(self.qty), "quoteQty": fmt8(self.quote_qty),
            "commission": fmt8(self.commission), "commissionAsset": self.commission_asset, "time": self.time,
            "isBuyer": self.side == Side::Buy, "isMaker": self.is_maker, "isBestMatch": true
        })
    }
}
