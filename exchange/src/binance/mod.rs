//! Binance spot: signed REST with weight limits and a synced clock, filters checked before anything is sent, order
//! placement that resolves an unknown outcome before retrying, and the market and user-data WebSockets.

pub mod config;
mod limiter;
mod parse;
mod rest;
pub mod sign;
mod stream;
mod user_stream;

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
    time::{Duration, Instant},
};

use async_trait::async_trait;
use gridbot_core::{Candle, Decimal, Side, Symbol};
use reqwest::Method;
use serde_json::Value;
use tokio::sync::{RwLock, mpsc};

pub use config::{Credentials, Endpoints};
pub use rest::now_ms as rest_now_ms;
use rest::{Rest, Security};

use crate::{
    AggTrade, Balance, Exchange, ExchangeError, ExchangeOrder, Health, MarketEvent, OrderRequest, OrderType, Result,
    SymbolInfo, Ticker24h, Trade, UserEvent,
};

/// How many times a placement whose outcome was unknown is looked up and sent again.
const PLACE_ATTEMPTS: u32 = 4;

#[derive(Debug)]
pub struct Binance {
    rest: Arc<Rest>,
    endpoints: Endpoints,
    symbols: RwLock<HashMap<String, SymbolInfo>>,
    /// When a stream last delivered a message (ms since the epoch; 0 = never).
    last_stream_message: Arc<AtomicI64>,
}

impl Binance {
    /// `GET /api/v3/myTrades` with `params`, oldest first.
    async fn my_trades(&self, params: &[(&str, String)], weight: u32) -> Result<Vec<Trade>> {
        let v = self.signed(Method::GET, "/api/v3/myTrades", params, weight).await?;
        let mut trades: Vec<Trade> = v
            .as_array()
            .ok_or_else(|| ExchangeError::Decode("myTrades: not an array".into()))?
            .iter()
            .map(parse::trade)
            .collect::<Result<_>>()?;
        trades.sort_by_key(|t| t.id);
        Ok(trades)
    }

    /// A client for `endpoints`; without credentials only public data works.
    pub fn new(endpoints: Endpoints, credentials: Option<Credentials>) -> Result<Self> {
        Self::with_timeout(endpoints, credentials, Duration::from_secs(10))
    }

    pub fn with_timeout(endpoints: Endpoints, credentials: Option<Credentials>, timeout: Duration) -> Result<Self> {
        Ok(Binance {
            rest: Arc::new(Rest::new(&endpoints.rest, credentials, timeout)?),
            endpoints,
            symbols: RwLock::new(HashMap::new()),
            last_stream_message: Arc::new(AtomicI64::new(0)),
        })
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    async fn load_symbols(&self) -> Result<()> {
        let v = self.rest.call(Method::GET, "/api/v3/exchangeInfo", &[], 20, Security::None).await?;
        if let Some(limit) = v["rateLimits"].as_array().and_then(|ls| {
            ls.iter()
                .find(|l| l["rateLimitType"] == "REQUEST_WEIGHT" && l["interval"] == "MINUTE")
                .and_then(|l| l["limit"].as_u64())
        }) {
            self.rest.limiter.set_limit(limit as u32);
        }
        let mut map = HashMap::new();
        for s in v["symbols"].as_array().into_iter().flatten() {
            if let (Ok(info), Some(name)) = (parse::symbol_info(s), s["symbol"].as_str()) {
                map.insert(name.to_string(), info);
            }
        }
        *self.symbols.write().await = map;
        Ok(())
    }

    /// The symbol's filters and status: from the cache while it trades; asked for again while it does not, so a
    /// symbol that trades again is seen at once.
    async fn info(&self, symbol: &Symbol) -> Result<SymbolInfo> {
        let name = symbol.exchange_name();
        if let Some(i) = self.symbols.read().await.get(&name).filter(|i| i.status == TRADING) {
            return Ok(i.clone());
        }
        self.load_symbols().await?;
        self.symbols.read().await.get(&name).cloned().ok_or_else(|| ExchangeError::InvalidSymbol(symbol.pair()))
    }

    async fn signed(&self, method: Method, path: &str, params: &[(&str, String)], weight: u32) -> Result<Value> {
        self.rest.call(method, path, params, weight, Security::Signed).await
    }

    async fn send_order(&self, order: &OrderRequest, info: &SymbolInfo) -> Result<ExchangeOrder> {
        let f = &info.filters;
        let mut params = vec![
            ("symbol", order.symbol.exchange_name()),
            ("side", if order.side == Side::Buy { "BUY" } else { "SELL" }.to_string()),
            ("quantity", parse::format_to(order.qty, f.step_size)),
            ("newClientOrderId", order.client_order_id.to_string()),
            ("newOrderRespType", "RESULT".to_string()),
        ];
        match order.order_type {
            OrderType::Limit => {
                params.push(("type", "LIMIT".into()));
                params.push(("timeInForce", "GTC".into()));
                params.push(("price", parse::format_to(order.price.unwrap_or_default(), f.tick_size)));
            }
            OrderType::Market => params.push(("type", "MARKET".into())),
        }
        parse::order(&self.signed(Method::POST, "/api/v3/order", &params, 1).await?)
    }
}

const TRADING: &str = "TRADING";

fn closed(symbol: &Symbol, status: &str) -> ExchangeError {
    ExchangeError::MarketClosed(format!("{} is {status}: new orders are refused", symbol.pair()))
}

/// Checks an order against the symbol's filters before it is sent.
fn check_filters(order: &OrderRequest, info: &SymbolInfo) -> Result<()> {
    let f = &info.filters;
    if info.status != TRADING {
        return Err(closed(&order.symbol, &info.status));
    }
    match (order.order_type, order.price) {
        (OrderType::Limit, Some(price)) => f.check_order(price, order.qty).map_err(ExchangeError::Filter),
        (OrderType::Limit, None) => Err(ExchangeError::Filter("a limit order needs a price".into())),
        // A market order has no price of its own: its value is checked at the expected price, when given.
        (OrderType::Market, expected) => f
            .check_qty(order.qty)
            .and_then(|()| expected.map_or(Ok(()), |p| f.check_notional(p, order.qty)))
            .map_err(ExchangeError::Filter),
    }
}

#[async_trait]
impl Exchange for Binance {
    async fn symbols(&self) -> Result<Vec<SymbolInfo>> {
        self.load_symbols().await?;
        let mut v: Vec<_> = self.symbols.read().await.values().cloned().collect();
        v.sort_by_key(|s| s.symbol.exchange_name());
        Ok(v)
    }

    async fn symbol_info(&self, symbol: &Symbol) -> Result<SymbolInfo> {
        self.info(symbol).await
    }

    async fn price(&self, symbol: &Symbol) -> Result<Decimal> {
        let v = self
            .rest
            .call(Method::GET, "/api/v3/ticker/price", &[("symbol", symbol.exchange_name())], 2, Security::None)
            .await?;
        parse::dec(&v, "price")
    }

    async fn ticker_24h(&self, symbol: &Symbol) -> Result<Ticker24h> {
        let v = self
            .rest
            .call(Method::GET, "/api/v3/ticker/24hr", &[("symbol", symbol.exchange_name())], 2, Security::None)
            .await?;
        Ok(Ticker24h {
            last_price: parse::dec(&v, "lastPrice")?,
            high: parse::dec(&v, "highPrice")?,
            low: parse::dec(&v, "lowPrice")?,
            volume: parse::dec(&v, "volume")?,
            quote_volume: parse::dec(&v, "quoteVolume")?,
            price_change_percent: parse::dec(&v, "priceChangePercent")?,
        })
    }

    async fn klines(&self, symbol: &Symbol, interval: &str, start: Option<i64>, limit: u16) -> Result<Vec<Candle>> {
        let mut params = vec![
            ("symbol", symbol.exchange_name()),
            ("interval", interval.to_string()),
            ("limit", limit.min(1000).to_string()),
        ];
        if let Some(s) = start {
            params.push(("startTime", s.to_string()));
        }
        let v = self.rest.call(Method::GET, "/api/v3/klines", &params, 2, Security::None).await?;
        v.as_array()
            .ok_or_else(|| ExchangeError::Decode("klines: not an array".into()))?
            .iter()
            .map(parse::kline_row)
            .collect()
    }

    async fn agg_trades(
        &self,
        symbol: &Symbol,
        from_id: Option<i64>,
        start: Option<i64>,
        end: Option<i64>,
        limit: u16,
    ) -> Result<Vec<AggTrade>> {
        let mut params = vec![("symbol", symbol.exchange_name()), ("limit", limit.clamp(1, 1000).to_string())];
        for (name, value) in [("fromId", from_id), ("startTime", start), ("endTime", end)] {
            if let Some(v) = value {
                params.push((name, v.to_string()));
            }
        }
        let v = self.rest.call(Method::GET, "/api/v3/aggTrades", &params, 4, Security::None).await?;
        let mut trades: Vec<AggTrade> = v
            .as_array()
            .ok_or_else(|| ExchangeError::Decode("aggTrades: not an array".into()))?
            .iter()
            .map(parse::agg_trade)
            .collect::<Result<_>>()?;
        trades.sort_by_key(|t| t.id);
        Ok(trades)
    }

    /// Never places a second order for one client id: when the outcome of a placement is unknown (5xx, timeout),
    /// the order is looked up by its client id before anything is sent again.
    async fn place(&self, order: &OrderRequest) -> Result<ExchangeOrder> {
        let info = self.info(&order.symbol).await?;
        check_filters(order, &info)?;
        let id = order.client_order_id.as_str();
        for attempt in 1..=PLACE_ATTEMPTS {
            match self.send_order(order, &info).await {
                Err(ExchangeError::Connectivity(e)) => {
                    tracing::warn!(client_order_id = id, error = %e, attempt, "placement outcome unknown; looking the order up");
                    tokio::time::sleep(rest::backoff(attempt)).await;
                    match self.order(&order.symbol, id).await {
                        Ok(Some(found)) => return Ok(found),
                        Ok(None) => continue,
                        Err(e) if e.is_retryable() => continue,
                        Err(e) => return Err(e),
                    }
                }
                Err(ExchangeError::MarketClosed(msg)) => {
                    // The symbol stopped trading since it was cached: learn its status for the next calls.
                    tracing::warn!(client_order_id = id, %msg, "order refused: the market is closed");
                    if let Err(e) = self.load_symbols().await {
                        tracing::warn!(error = %e, "exchange info not refreshed");
                    }
                    let status = self.symbols.read().await.get(&order.symbol.exchange_name()).map(|i| i.status.clone());
                    return Err(match status {
                        Some(s) if s != TRADING => closed(&order.symbol, &s),
                        _ => ExchangeError::MarketClosed(msg),
                    });
                }
                Err(ExchangeError::DuplicateOrder(msg)) => {
                    // A previous attempt did land: answer with that order.
                    return self.order(&order.symbol, id).await?.ok_or(ExchangeError::DuplicateOrder(msg));
                }
                other => return other,
            }
        }
        Err(ExchangeError::Connectivity(format!("order {id} could not be placed after {PLACE_ATTEMPTS} attempts")))
    }

    async fn cancel(&self, symbol: &Symbol, client_order_id: &str) -> Result<ExchangeOrder> {
        let params = [("symbol", symbol.exchange_name()), ("origClientOrderId", client_order_id.to_string())];
        match self.signed(Method::DELETE, "/api/v3/order", &params, 1).await {
            Ok(v) => parse::order(&v),
            // Already gone, or the outcome is unknown: what the exchange has now is the answer.
            Err(e @ (ExchangeError::UnknownOrder(_) | ExchangeError::Connectivity(_))) => {
                self.order(symbol, client_order_id).await?.ok_or(e)
            }
            Err(e) => Err(e),
        }
    }

    async fn cancel_all(&self, symbol: &Symbol) -> Result<Vec<ExchangeOrder>> {
        match self.signed(Method::DELETE, "/api/v3/openOrders", &[("symbol", symbol.exchange_name())], 1).await {
            Ok(v) => v.as_array().map_or(Ok(Vec::new()), |a| {
                a.iter().filter(|o| o.get("orderId").is_some()).map(parse::order).collect()
            }),
            Err(ExchangeError::UnknownOrder(_)) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    async fn order(&self, symbol: &Symbol, client_order_id: &str) -> Result<Option<ExchangeOrder>> {
        let params = [("symbol", symbol.exchange_name()), ("origClientOrderId", client_order_id.to_string())];
        match self.signed(Method::GET, "/api/v3/order", &params, 4).await {
            Ok(v) => parse::order(&v).map(Some),
            Err(ExchangeError::UnknownOrder(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn open_orders(&self, symbol: &Symbol) -> Result<Vec<ExchangeOrder>> {
        let v = self.signed(Method::GET, "/api/v3/openOrders", &[("symbol", symbol.exchange_name())], 6).await?;
        v.as_array()
            .ok_or_else(|| ExchangeError::Decode("openOrders: not an array".into()))?
            .iter()
            .map(parse::order)
            .collect()
    }

    async fn balances(&self) -> Result<Vec<Balance>> {
        let v = self.signed(Method::GET, "/api/v3/account", &[("omitZeroBalances", "true".into())], 20).await?;
        v["balances"]
            .as_array()
            .ok_or_else(|| ExchangeError::Decode("account: no balances".into()))?
            .iter()
            .map(parse::balance)
            .collect()
    }

    async fn order_trades(&self, symbol: &Symbol, order_id: i64) -> Result<Vec<Trade>> {
        // Weight 5 with an order id.
        self.my_trades(&[("symbol", symbol.exchange_name()), ("orderId", order_id.to_string())], 5).await
    }

    async fn trades_since(&self, symbol: &Symbol, from_id: Option<i64>) -> Result<Vec<Trade>> {
        let mut params = vec![("symbol", symbol.exchange_name()), ("limit", "1000".to_string())];
        if let Some(id) = from_id {
            params.push(("fromId", id.to_string()));
        }
        self.my_trades(&params, 20).await
    }

    async fn market_stream(&self, symbols: &[Symbol]) -> Result<mpsc::Receiver<MarketEvent>> {
        Ok(stream::spawn(&self.endpoints.ws, symbols, self.last_stream_message.clone()))
    }

    async fn user_stream(&self) -> Result<mpsc::Receiver<UserEvent>> {
        let creds = self
            .rest
            .credentials()
            .cloned()
            .ok_or_else(|| ExchangeError::Auth { code: -2014, msg: "no API key configured".into() })?;
        Ok(user_stream::spawn(&self.endpoints.ws_api, creds, self.rest.clone(), self.last_stream_message.clone()))
    }

    async fn health(&self) -> Health {
        let t = Instant::now();
        let ping = self.rest.call(Method::GET, "/api/v3/ping", &[], 1, Security::None).await;
        let latency = t.elapsed().as_millis() as u64;
        let clock = if ping.is_ok() { self.rest.sync_clock().await.err() } else { None };
        let (used, limit) = self.rest.limiter.usage();
        let last = self.last_stream_message.load(Ordering::Relaxed);
        Health {
            reachable: ping.is_ok(),
            latency_ms: ping.is_ok().then_some(latency),
            time_offset_ms: self.rest.offset_ms(),
            weight_used: used,
            weight_limit: limit,
            last_stream_message_ms: (last > 0).then(|| (rest::now_ms() - last).max(0) as u64),
            error: ping.err().or(clock).map(|e| e.to_string()),
        }
    }
}
