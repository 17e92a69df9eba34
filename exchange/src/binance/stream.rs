//! Market streams over one combined-stream WebSocket: trades, 1-minute klines and book tickers. Pings are answered,
//! a dropped or silent connection is re-opened with backoff and jitter (which re-subscribes every stream), the
//! connection is rotated before Binance's 24-hour limit, a `serverShutdown` event makes it reconnect at once (no
//! backoff), and a `Gap` is sent after every reconnect.

use std::{
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};

use futures_util::{SinkExt, StreamExt};
use gridbot_core::{Candle, Symbol};
use serde_json::Value;
use tokio::{sync::mpsc, time::Instant};
use tokio_tungstenite::{connect_async, tungstenite::Message};

use super::{
    parse::{dec, int},
    rest::{backoff, now_ms},
};
use crate::{MarketEvent, Result};

/// Reconnect before Binance's 24-hour connection limit.
const ROTATE_AFTER: Duration = Duration::from_secs(23 * 3600 + 50 * 60);
/// A connection silent this long (no data, no ping) is taken for dead.
const SILENCE: Duration = Duration::from_secs(90);
/// Why a connection was left on `{"e":"serverShutdown","E":…}` (market streams and the WebSocket API): the server is
/// going away, so a new connection is opened at once, without backoff.
pub(super) const SERVER_SHUTDOWN: &str = "serverShutdown: the server is going away";

/// Whether a payload is the `serverShutdown` event.
pub(super) fn is_shutdown(event: &Value) -> bool {
    event.get("e").and_then(Value::as_str) == Some("serverShutdown")
}

/// Starts the stream task; it ends when the receiver is dropped.
pub fn spawn(ws_base: &str, symbols: &[Symbol], last_message: Arc<AtomicI64>) -> mpsc::Receiver<MarketEvent> {
    let streams: Vec<String> = symbols
        .iter()
        .flat_map(|s| {
            let n = s.exchange_name().to_ascii_lowercase();
            [format!("{n}@trade"), format!("{n}@kline_1m"), format!("{n}@bookTicker")]
        })
        .collect();
    let url = format!("{ws_base}/stream?streams={}", streams.join("/"));
    let (tx, rx) = mpsc::channel(8192);
    tokio::spawn(async move {
        let mut attempt = 0u32;
        let mut down_since: Option<i64> = None;
        while !tx.is_closed() {
            match connect_async(url.as_str()).await {
                Ok((ws, _)) => {
                    tracing::info!(%url, "market stream connected");
                    attempt = 0;
                    if let Some(from) = down_since.take()
                        && tx.send(MarketEvent::Gap { from, to: now_ms() }).await.is_err()
                    {
                        return;
                    }
                    let reason = pump(ws, &tx, &last_message).await;
                    tracing::warn!(%reason, "market stream disconnected; reconnecting");
                    down_since = Some(now_ms());
                    if reason == SERVER_SHUTDOWN {
                        continue;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, attempt, "market stream cannot connect");
                    down_since.get_or_insert_with(now_ms);
                }
            }
            attempt += 1;
            tokio::time::sleep(backoff(attempt)).await;
        }
    });
    rx
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Forwards messages until the connection ends; returns why it ended.
async fn pump(mut ws: Ws, tx: &mpsc::Sender<MarketEvent>, last: &AtomicI64) -> String {
    let rotate_at = Instant::now() + ROTATE_AFTER;
    loop {
        let msg = tokio::select! {
            m = tokio::time::timeout(SILENCE, ws.next()) => m,
            _ = tokio::time::sleep_until(rotate_at) => {
                let _ = ws.close(None).await;
                return "rotating before the 24-hour limit".into();
            }
        };
        let msg = match msg {
            Err(_) => return format!("silent for {}s", SILENCE.as_secs()),
            Ok(None) => return "closed by the server".into(),
            Ok(Some(Err(e))) => return e.to_string(),
            Ok(Some(Ok(m))) => m,
        };
        last.store(now_ms(), Ordering::Relaxed);
        match msg {
            Message::Ping(p) => {
                if let Err(e) = ws.send(Message::Pong(p)).await {
                    return e.to_string();
                }
            }
            Message::Text(t) => {
                let Ok(v) = serde_json::from_str::<Value>(&t) else { continue };
                let data = v.get("data").unwrap_or(&v);
                if is_shutdown(data) {
                    let _ = ws.close(None).await;
                    return SERVER_SHUTDOWN.into();
                }
                match event(data) {
                    Ok(Some(e)) => {
                        if tx.send(e).await.is_err() {
                            let _ = ws.close(None).await;
                            return "receiver dropped".into();
                        }
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e, "unreadable market message"),
                }
            }
            Message::Close(_) => return "closed by the server".into(),
            _ => {}
        }
    }
}

/// `trade`, `kline` and `bookTicker` payloads; anything else (subscription answers) is `None`.
pub fn event(d: &Value) -> Result<Option<MarketEvent>> {
    let sym = || d.get("s").and_then(Value::as_str).unwrap_or_default().to_string();
    Ok(match d.get("e").and_then(Value::as_str) {
        Some("trade") => Some(MarketEvent::Trade {
            symbol: sym(),
            price: dec(d, "p")?,
            qty: dec(d, "q")?,
            time: int(d, "T")?,
            trade_id: int(d, "t")?,
        }),
        Some("kline") => {
            let k = &d["k"];
            let candle = Candle {
                open_time: int(k, "t")?,
                open: dec(k, "o")?,
                high: dec(k, "h")?,
                low: dec(k, "l")?,
                close: dec(k, "c")?,
                volume: dec(k, "v")?,
            };
            Some(MarketEvent::Kline {
                symbol: sym(),
                candle,
                closed: k.get("x").and_then(Value::as_bool).unwrap_or(false),
            })
        }
        None if d.get("b").is_some() && d.get("a").is_some() => Some(MarketEvent::BookTicker {
            symbol: sym(),
            bid: dec(d, "b")?,
            bid_qty: dec(d, "B")?,
            ask: dec(d, "a")?,
            ask_qty: dec(d, "A")?,
        }),
        _ => None,
    })
}
