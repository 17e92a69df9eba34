//! [`MarketHub`]: one fan-out per market symbol for `WS /ws/market/{symbol}`. A task per watched symbol reads the
//! symbol's events from the bus, writes each message once, and hands the same bytes to every socket of that
//! symbol; it ends once no socket has listened for a minute.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::extract::ws::Utf8Bytes;
use gridbot_platform::{Channel, EventBus, Received};
use tokio::sync::broadcast;

/// Messages a slow socket may fall behind before it skips some.
const BACKLOG: usize = 1024;
/// How often an idle symbol's task checks whether anyone still listens.
const IDLE_CHECK: Duration = Duration::from_secs(60);

type Hubs = Arc<Mutex<HashMap<String, broadcast::Sender<Utf8Bytes>>>>;

#[derive(Debug, Default, Clone)]
pub struct MarketHub {
    hubs: Hubs,
}

impl MarketHub {
    /// The messages of `symbol` (exchange form) from now on, starting its task when it has none.
    pub fn subscribe(&self, bus: &EventBus, symbol: &str) -> broadcast::Receiver<Utf8Bytes> {
        let mut hubs = self.hubs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = hubs.get(symbol) {
            return tx.subscribe();
        }
        let (tx, rx) = broadcast::channel(BACKLOG);
        hubs.insert(symbol.to_owned(), tx.clone());
        let sub = bus.subscribe(Some(Channel::Market(symbol.to_owned())));
        tokio::spawn(relay(Arc::clone(&self.hubs), symbol.to_owned(), sub, tx));
        rx
    }
}

async fn relay(hubs: Hubs, symbol: String, mut sub: gridbot_platform::Subscription, tx: broadcast::Sender<Utf8Bytes>) {
    let mut idle = tokio::time::interval(IDLE_CHECK);
    idle.tick().await;
    loop {
        tokio::select! {
            received = sub.recv() => match received {
                None => break,
                Some(Received::Lagged(n)) => tracing::debug!(%symbol, missed = n, "market relay lagged"),
                Some(Received::Event(e)) => {
                    if let Some(text) = crate::routes::ws::market_message(&e) {
                        let _ = tx.send(Utf8Bytes::from(text));
                    }
                }
            },
            _ = idle.tick() => {
                // Under the map's lock, so that no socket subscribes between the check and the removal.
                let mut map = hubs.lock().unwrap_or_else(|p| p.into_inner());
                if tx.receiver_count() == 0 {
                    map.remove(&symbol);
                    return;
                }
            }
        }
    }
    // The bus is gone: forget this relay so a later socket starts a new one.
    let mut map = hubs.lock().unwrap_or_else(|p| p.into_inner());
    if map.get(&symbol).is_some_and(|t| t.same_channel(&tx)) {
        map.remove(&symbol);
    }
}
