//! Paper trading: the [`Exchange`] trait over real market prices with simulated money. Market data comes from a
//! source exchange (Binance's public data, or the simulator); orders rest in a [`book::Book`] and fill at their own
//! price when a trade touches them; the fee (`PAPER_FEE_RATE`, handed down by the binary; [`DEFAULT_FEE_RATE`]) is
//! charged in quote. One `Paper` is one user's account.

pub mod book;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use async_trait::async_trait;
use gridbot_core::{Candle, Decimal, Symbol};
use tokio::sync::mpsc;

pub use book::Book;

use crate::{
    Balance, Exchange, ExchangeError, ExchangeOrder, ExecutionReport, Health, MarketEvent, OrderRequest, Result,
    SymbolInfo, Ticker24h, Trade, UserEvent, binance::rest_now_ms,
};

/// The paper fee rate when `PAPER_FEE_RATE` is unset: the spec's default, 0.001.
pub const DEFAULT_FEE_RATE: Decimal = Decimal::from_parts(1, 0, 0, false, 3);

#[derive(Debug)]
pub struct Paper {
    source: Arc<dyn Exchange>,
    book: Mutex<Book>,
    last: Mutex<HashMap<String, Decimal>>,
    subscribers: Mutex<Vec<mpsc::Sender<UserEvent>>>,
}

impl Paper {
    /// A paper account starting with `balances`, priced by `source`.
    pub fn new(source: Arc<dyn Exchange>, fee_rate: Decimal, balances: &[(String, Decimal)]) -> Self {
        Paper {
            source,
            book: Mutex::new(Book::new(fee_rate, balances)),
            last: Mutex::new(HashMap::new()),
            subscribers: Mutex::new(Vec::new()),
        }
    }

    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One market trade: fills what it touches and tells the user stream.
    pub fn on_trade(&self, symbol: &str, price: Decimal, time: i64) -> Vec<ExecutionReport> {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).insert(symbol.to_string(), price);
        let reports = self.book().on_trade(symbol, price, time);
        self.publish(&reports);
        reports
    }

    /// Plays the source's trades of `symbols` into the book until the source stream ends.
    pub fn spawn_feed(self: &Arc<Self>, symbols: Vec<Symbol>) -> tokio::task::JoinHandle<()> {
        let paper = Arc::clone(self);
        tokio::spawn(async move {
            let Ok(mut rx) = paper.source.market_stream(&symbols).await else { return };
            while let Some(e) = rx.recv().await {
                if let MarketEvent::Trade { symbol, price, time, .. } = e {
                    paper.on_trade(&symbol, price, time);
                }
            }
        })
    }

    fn publish(&self, reports: &[ExecutionReport]) {
        if reports.is_empty() {
            return;
        }
        let balances = self.book().balances();
        let mut subs = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        subs.retain(|tx| {
            reports.iter().all(|r| tx.try_send(UserEvent::Execution(Box::new(r.clone()))).is_ok())
                && tx.try_send(UserEvent::Balances { balances: balances.clone(), time: rest_now_ms() }).is_ok()
        });
    }

    async fn last_price(&self, symbol: &Symbol) -> Result<Decimal> {
        let known = self.last.lock().unwrap_or_else(|p| p.into_inner()).get(&symbol.exchange_name()).copied();
        match known {
            Some(p) => Ok(p),
            None => self.source.price(symbol).await,
        }
    }
}

#[async_trait]
impl Exchange for Paper {
    async fn symbols(&self) -> Result<Vec<SymbolInfo>> {
        self.source.symbols().await
    }
    async fn symbol_info(&self, symbol: &Symbol) -> Result<SymbolInfo> {
        self.source.symbol_info(symbol).await
    }
    async fn price(&self, symbol: &Symbol) -> Result<Decimal> {
        self.last_price(symbol).await
    }
    async fn ticker_24h(&self, symbol: &Symbol) -> Result<Ticker24h> {
        self.source.ticker_24h(symbol).await
    }
    async fn klines(&self, symbol: &Symbol, interval: &str, start: Option<i64>, limit: u16) -> Result<Vec<Candle>> {
        self.source.klines(symbol, interval, start, limit).await
    }

    async fn place(&self, order: &OrderRequest) -> Result<ExchangeOrder> {
        let info = self.source.symbol_info(&order.symbol).await?;
        let last = self.last_price(&order.symbol).await?;
        let (placed, reports) = self.book().place(order, &info.filters, last, rest_now_ms())?;
        self.publish(&reports);
        // The answer shows the order as it is after any immediate fill.
        Ok(self.book().order(&placed.symbol, &placed.client_order_id).unwrap_or(placed))
    }

    async fn cancel(&self, symbol: &Symbol, client_order_id: &str) -> Result<ExchangeOrder> {
        let result = self.book().cancel(&symbol.exchange_name(), client_order_id, rest_now_ms());
        match result {
            Ok((order, report)) => {
                self.publish(&[report]);
                Ok(order)
            }
            Err(e) => self.book().order(&symbol.exchange_name(), client_order_id).ok_or(e),
        }
    }

    async fn cancel_all(&self, symbol: &Symbol) -> Result<Vec<ExchangeOrder>> {
        let open = self.book().open_orders(&symbol.exchange_name());
        let mut out = Vec::new();
        for o in open {
            out.push(self.cancel(symbol, &o.client_order_id).await?);
        }
        Ok(out)
    }

    async fn order(&self, symbol: &Symbol, client_order_id: &str) -> Result<Option<ExchangeOrder>> {
        Ok(self.book().order(&symbol.exchange_name(), client_order_id))
    }
    async fn open_orders(&self, symbol: &Symbol) -> Result<Vec<ExchangeOrder>> {
        Ok(self.book().open_orders(&symbol.exchange_name()))
    }
    async fn balances(&self) -> Result<Vec<Balance>> {
        Ok(self.book().balances())
    }
    async fn trades_since(&self, symbol: &Symbol, from_id: Option<i64>) -> Result<Vec<Trade>> {
        Ok(self.book().trades_since(&symbol.exchange_name(), from_id))
    }
    async fn market_stream(&self, symbols: &[Symbol]) -> Result<mpsc::Receiver<MarketEvent>> {
        self.source.market_stream(symbols).await
    }
    async fn user_stream(&self) -> Result<mpsc::Receiver<UserEvent>> {
        let (tx, rx) = mpsc::channel(8192);
        self.subscribers.lock().map_err(|_| ExchangeError::Decode("paper account poisoned".into()))?.push(tx);
        Ok(rx)
    }
    async fn health(&self) -> Health {
        self.source.health().await
    }
}
