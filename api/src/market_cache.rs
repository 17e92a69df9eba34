//! [`MarketCache`]: the last price and the exchange filters of each symbol, kept briefly so that stats, summaries and
//! WebSocket reloads do not each ask the exchange. Prices are refreshed by the market's trade events when a scheduler
//! publishes them, else fetched again after [`PRICE_TTL`]; one request refreshes a stale entry while others wait.
//! A fetch is cut after [`FETCH_TIMEOUT`]; after a failure the exchange is not asked again for [`RETRY_AFTER`], and a
//! price up to [`STALE_OK`] old is served meanwhile.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use gridbot_core::{Decimal, Symbol};
use gridbot_exchange::{Exchange, ExchangeError, SymbolInfo};
use gridbot_platform::{Event, EventBus, Received};

/// How long a fetched price is served.
pub const PRICE_TTL: Duration = Duration::from_secs(2);
/// How long a symbol's filters are served.
pub const INFO_TTL: Duration = Duration::from_secs(600);
/// The longest a reader waits for the exchange.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(2);
/// After a failed fetch, how long readers get the failure (or a stale price) without asking again.
pub const RETRY_AFTER: Duration = Duration::from_secs(2);
/// The oldest price served while the exchange does not answer.
pub const STALE_OK: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
pub struct MarketCache {
    prices: RwLock<HashMap<String, (Decimal, Instant)>>,
    infos: RwLock<HashMap<String, (SymbolInfo, Instant)>>,
    /// When a fetch for the symbol last failed, and why.
    failed: RwLock<HashMap<String, (Instant, String)>>,
    /// Serializes refreshes, so a stale entry costs one exchange request, not one per waiting caller.
    refresh: tokio::sync::Mutex<()>,
}

impl MarketCache {
    /// The symbol's price, at most [`PRICE_TTL`] old.
    pub async fn price(&self, exchange: &dyn Exchange, symbol: &Symbol) -> Result<Decimal, ExchangeError> {
        let name = symbol.exchange_name();
        if let Some(p) = fresh(&self.prices, &name, PRICE_TTL) {
            return Ok(p);
        }
        let fallback = |e: ExchangeError| fresh(&self.prices, &name, STALE_OK).ok_or(e);
        if let Some(e) = self.recent_failure(&name) {
            return fallback(e);
        }
        let _one = self.refresh.lock().await;
        if let Some(p) = fresh(&self.prices, &name, PRICE_TTL) {
            return Ok(p);
        }
        if let Some(e) = self.recent_failure(&name) {
            return fallback(e);
        }
        match self.fetch(&name, exchange.price(symbol)).await {
            Ok(price) => {
                self.set_price(&name, price);
                Ok(price)
            }
            Err(e) => fallback(e),
        }
    }

    /// The symbol's info and filters, at most [`INFO_TTL`] old.
    pub async fn symbol_info(&self, exchange: &dyn Exchange, symbol: &Symbol) -> Result<SymbolInfo, ExchangeError> {
        let name = symbol.exchange_name();
        if let Some(i) = fresh(&self.infos, &name, INFO_TTL) {
            return Ok(i);
        }
        if let Some(e) = self.recent_failure(&name) {
            return Err(e);
        }
        let _one = self.refresh.lock().await;
        if let Some(i) = fresh(&self.infos, &name, INFO_TTL) {
            return Ok(i);
        }
        if let Some(e) = self.recent_failure(&name) {
            return Err(e);
        }
        let info = self.fetch(&name, exchange.symbol_info(symbol)).await?;
        self.infos.write().unwrap_or_else(|p| p.into_inner()).insert(name, (info.clone(), Instant::now()));
        Ok(info)
    }

    /// Runs `call` under [`FETCH_TIMEOUT`]; a connectivity failure (or timeout) is remembered for [`RETRY_AFTER`].
    async fn fetch<T>(
        &self,
        name: &str,
        call: impl std::future::Future<Output = Result<T, ExchangeError>>,
    ) -> Result<T, ExchangeError> {
        let result = tokio::time::timeout(FETCH_TIMEOUT, call)
            .await
            .unwrap_or_else(|_| Err(ExchangeError::Connectivity("the exchange did not answer in time".into())));
        if let Err(
            e @ (ExchangeError::Connectivity(_) | ExchangeError::RateLimited { .. } | ExchangeError::Banned { .. }),
        ) = &result
        {
            self.failed
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .insert(name.to_owned(), (Instant::now(), e.to_string()));
        }
        result
    }

    fn recent_failure(&self, name: &str) -> Option<ExchangeError> {
        let failed = self.failed.read().unwrap_or_else(|p| p.into_inner());
        let (_, why) = failed.get(name).filter(|(at, _)| at.elapsed() < RETRY_AFTER)?;
        Some(ExchangeError::Connectivity(format!("recently unreachable: {why}")))
    }

    pub fn set_price(&self, symbol: &str, price: Decimal) {
        self.prices.write().unwrap_or_else(|p| p.into_inner()).insert(symbol.to_owned(), (price, Instant::now()));
    }

    /// Keeps prices current from the bus's trade events until the bus closes.
    pub fn follow(self: &Arc<Self>, bus: &EventBus) {
        let mut sub = bus.subscribe(None);
        let cache = Arc::downgrade(self);
        tokio::spawn(async move {
            while let Some(received) = sub.recv().await {
                let Some(cache) = cache.upgrade() else { return };
                if let Received::Event(e) = received
                    && let Event::Trade { symbol, price, .. } = e.as_ref()
                {
                    cache.set_price(symbol, *price);
                }
            }
        });
    }
}

fn fresh<T: Clone>(map: &RwLock<HashMap<String, (T, Instant)>>, key: &str, ttl: Duration) -> Option<T> {
    let map = map.read().unwrap_or_else(|p| p.into_inner());
    map.get(key).filter(|(_, at)| at.elapsed() < ttl).map(|(v, _)| v.clone())
}
