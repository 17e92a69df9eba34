//! User data through the WebSocket API: `userDataStream.subscribe.signature` (the listenKey endpoints were switched
//! off in 2026), `executionReport` and `outboundAccountPosition` events, re-subscribed after every reconnect with a
//! `Gap` so the caller reconciles; a `serverShutdown` event makes it reconnect at once.

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::{connect_async, tungstenite::Message};

use super::{
    config::Credentials,
    parse,
    rest::{Rest, backoff, now_ms},
    sign::{sign, ws_payload},
    stream::{SERVER_SHUTDOWN, is_shutdown},
};
use crate::{Balance, UserEvent};

pub fn spawn(ws_api: &str, creds: Credentials, rest: Arc<Rest>, last: Arc<AtomicI64>) -> mpsc::Receiver<UserEvent> {
    let url = ws_api.to_string();
    let (tx, rx) = mpsc::channel(4096);
    tokio::spawn(async move {
        let mut attempt = 0u32;
        let mut down_since: Option<i64> = None;
        while !tx.is_closed() {
            match session(&url, &creds, &rest, &tx, &last, &mut down_since, &mut attempt).await {
                Ok(reason) if reason == SERVER_SHUTDOWN => {
                    tracing::warn!(%reason, "user-data stream ended; reconnecting at once");
                    down_since.get_or_insert_with(now_ms);
                    continue;
                }
                Ok(reason) => tracing::warn!(%reason, "user-data stream ended; reconnecting"),
                Err(e) => tracing::warn!(error = %e, attempt, "user-data stream failed; reconnecting"),
            }
            down_since.get_or_insert_with(now_ms);
            attempt += 1;
            tokio::time::sleep(backoff(attempt)).await;
        }
    });
    rx
}

async fn session(
    url: &str,
    creds: &Credentials,
    rest: &Rest,
    tx: &mpsc::Sender<UserEvent>,
    last: &AtomicI64,
    down_since: &mut Option<i64>,
    attempt: &mut u32,
) -> Result<String, String> {
    let (mut ws, _) = connect_async(url).await.map_err(|e| e.to_string())?;
    let timestamp = rest.server_now().to_string();
    let params = [("apiKey", creds.api_key.clone()), ("timestamp", timestamp.clone())];
    let signature = sign(&creds.secret, &ws_payload(&params));
    let request = json!({"id": format!("sub-{}", now_ms()), "method": "userDataStream.subscribe.signature",
        "params": {"apiKey": creds.api_key, "timestamp": timestamp.parse::<i64>().unwrap_or_default(), "signature": signature}});
    ws.send(Message::text(request.to_string())).await.map_err(|e| e.to_string())?;
    while let Some(msg) = ws.next().await {
        let msg = msg.map_err(|e| e.to_string())?;
        last.store(now_ms(), Ordering::Relaxed);
        let text = match msg {
            Message::Text(t) => t,
            Message::Ping(p) => {
                ws.send(Message::Pong(p)).await.map_err(|e| e.to_string())?;
                continue;
            }
            Message::Close(_) => return Ok("closed by the server".into()),
            _ => continue,
        };
        let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
        if let Some(status) = v.get("status").and_then(Value::as_i64) {
            if status != 200 {
                return Err(format!("subscription refused ({status}): {}", v["error"]));
            }
            tracing::info!("user-data stream subscribed");
            *attempt = 0;
            if let Some(from) = down_since.take()
                && tx.send(UserEvent::Gap { from, to: now_ms() }).await.is_err()
            {
                return Ok("receiver dropped".into());
            }
            continue;
        }
        let Some(event) = v.get("event") else { continue };
        if is_shutdown(event) {
            let _ = ws.close(None).await;
            return Ok(SERVER_SHUTDOWN.into());
        }
        let out = match event.get("e").and_then(Value::as_str) {
            Some("executionReport") => match parse::execution_report(event) {
                Ok(r) => UserEvent::Execution(Box::new(r)),
                Err(e) => {
                    tracing::warn!(error = %e, "unreadable execution report");
                    continue;
                }
            },
            Some("outboundAccountPosition") => UserEvent::Balances {
                balances: event["B"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|b| {
                        Some(Balance {
                            asset: b["a"].as_str()?.to_string(),
                            free: parse::dec(b, "f").ok()?,
                            locked: parse::dec(b, "l").ok()?,
                        })
                    })
                    .collect(),
                time: event["E"].as_i64().unwrap_or_default(),
            },
            _ => continue,
        };
        if tx.send(out).await.is_err() {
            return Ok("receiver dropped".into());
        }
    }
    Ok("connection ended".into())
}
