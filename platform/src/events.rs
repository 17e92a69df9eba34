//! Live events: what changed on a bot and what the market did, published by workers and the scheduler and read by
//! the API's WebSockets and the scheduler. In one process an in-process broadcast; across processes Redis pub/sub
//! (one channel per bot and per market symbol, `{namespace}:events:bot:{id}` and `{namespace}:events:market:{SYMBOL}`).
//! Events are notifications: delivery is at most once, and a listener that lags reloads from the database.

use std::sync::Arc;

use futures_util::StreamExt;
use gridbot_core::{BotId, Candle, Decimal};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::Settings;

/// What changed about a bot; listeners reload the part they show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BotChange {
    /// Its status or stop reason.
    Status,
    /// Its resting orders.
    Orders,
    /// A fill was booked (and with it the P&L).
    Fill,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Bot { bot_id: BotId, change: BotChange },
    Trade { symbol: String, price: Decimal, qty: Decimal, time: i64 },
    Kline { symbol: String, candle: Candle, closed: bool },
}

/// Where an event goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Channel {
    Bot(BotId),
    /// A market symbol in exchange form, `BTCUSDT`.
    Market(String),
}

impl Channel {
    fn name(&self) -> String {
        match self {
            Channel::Bot(id) => format!("bot:{}", id.0),
            Channel::Market(s) => format!("market:{s}"),
        }
    }
    #[cfg(test)]
    fn parse(name: &str) -> Option<Channel> {
        if let Some(id) = name.strip_prefix("bot:") {
            return id.parse().ok().map(|id| Channel::Bot(BotId(id)));
        }
        name.strip_prefix("market:").map(|s| Channel::Market(s.to_owned()))
    }
}

impl Event {
    /// The channel this event belongs on.
    pub fn channel(&self) -> Channel {
        match self {
            Event::Bot { bot_id, .. } => Channel::Bot(*bot_id),
            Event::Trade { symbol, .. } | Event::Kline { symbol, .. } => Channel::Market(symbol.clone()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("event bus (redis): {0}")]
pub struct EventError(String);

/// Publishes and fans out events. Cloning shares the bus.
#[derive(Clone)]
pub struct EventBus {
    local: broadcast::Sender<Arc<Event>>,
    redis: Option<redis::aio::ConnectionManager>,
    /// `{namespace}:events:`
    prefix: String,
}

impl std::fmt::Debug for EventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventBus").field("redis", &self.redis.is_some()).finish()
    }
}

/// How many events a slow listener may fall behind before it misses some (and is told so).
const CAPACITY: usize = 4096;

impl EventBus {
    /// In-process only.
    pub fn local() -> EventBus {
        EventBus { local: broadcast::channel(CAPACITY).0, redis: None, prefix: String::new() }
    }

    /// Redis pub/sub when `settings.redis_url` is set (every event published anywhere reaches this process's
    /// listeners), else in-process.
    pub async fn connect(settings: &Settings) -> Result<EventBus, EventError> {
        let Some(url) = &settings.redis_url else { return Ok(EventBus::local()) };
        let prefix = format!("{}:events:", settings.namespace);
        let client = redis::Client::open(url.as_str()).map_err(|e| EventError(e.to_string()))?;
        let conn = client.get_connection_manager().await.map_err(|e| EventError(e.to_string()))?;
        let mut pubsub = client.get_async_pubsub().await.map_err(|e| EventError(e.to_string()))?;
        pubsub.psubscribe(format!("{prefix}*")).await.map_err(|e| EventError(e.to_string()))?;
        let local = broadcast::channel(CAPACITY).0;
        let tx = local.clone();
        tokio::spawn(async move {
            let mut messages = pubsub.into_on_message();
            while let Some(msg) = messages.next().await {
                match serde_json::from_slice::<Event>(msg.get_payload_bytes()) {
                    Ok(e) => {
                        let _ = tx.send(Arc::new(e));
                    }
                    Err(e) => tracing::warn!(channel = msg.get_channel_name(), error = %e, "unreadable event"),
                }
            }
            tracing::error!("event subscription to redis ended");
        });
        Ok(EventBus { local, redis: Some(conn), prefix })
    }

    /// Publishes `event` on its channel. Losing an event loses nothing stored; failures are logged, not returned.
    pub async fn publish(&self, event: Event) {
        match &self.redis {
            Some(conn) => {
                let channel = format!("{}{}", self.prefix, event.channel().name());
                let payload = match serde_json::to_vec(&event) {
                    Ok(p) => p,
                    Err(e) => return tracing::warn!(error = %e, "event not serializable"),
                };
                let mut conn = conn.clone();
                if let Err(e) = redis::cmd("PUBLISH").arg(&channel).arg(payload).query_async::<i64>(&mut conn).await {
                    tracing::warn!(%channel, error = %e, "event not published");
                }
            }
            None => {
                let _ = self.local.send(Arc::new(event));
            }
        }
    }

    /// Every event on `channel` from now on; `None` for every channel.
    pub fn subscribe(&self, channel: Option<Channel>) -> Subscription {
        Subscription { rx: self.local.subscribe(), channel }
    }
}

#[derive(Debug)]
pub struct Subscription {
    rx: broadcast::Receiver<Arc<Event>>,
    channel: Option<Channel>,
}

/// What a listener receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    Event(Arc<Event>),
    /// This many events were missed: reload from the database.
    Lagged(u64),
}

impl Subscription {
    /// The next event of the channel; `None` when the bus is gone.
    pub async fn recv(&mut self) -> Option<Received> {
        loop {
            match self.rx.recv().await {
                Ok(e) if self.channel.as_ref().is_none_or(|c| *c == e.channel()) => return Some(Received::Event(e)),
                Ok(_) => continue,
                Err(broadcast::error::RecvError::Lagged(n)) => return Some(Received::Lagged(n)),
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_round_trip() {
        for c in [Channel::Bot(BotId(42)), Channel::Market("BTCUSDT".into())] {
            assert_eq!(Channel::parse(&c.name()), Some(c));
        }
        assert_eq!(Channel::parse("other:1"), None);
    }

    #[tokio::test]
    async fn local_subscribers_get_their_channel_only() {
        let bus = EventBus::local();
        let mut bot = bus.subscribe(Some(Channel::Bot(BotId(1))));
        let mut all = bus.subscribe(None);
        bus.publish(Event::Trade { symbol: "BTCUSDT".into(), price: Decimal::ONE, qty: Decimal::ONE, time: 1 }).await;
        bus.publish(Event::Bot { bot_id: gridbot_core::BotId(1), change: BotChange::Fill }).await;
        let got = bot.recv().await;
        assert_eq!(
            got,
            Some(Received::Event(Arc::new(Event::Bot { bot_id: gridbot_core::BotId(1), change: BotChange::Fill })))
        );
        assert!(matches!(all.recv().await, Some(Received::Event(e)) if matches!(*e, Event::Trade { .. })));
    }
}
