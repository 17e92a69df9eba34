//! Market stream connections: raw (`/ws/<stream>`) or combined (`/stream?streams=a/b`, each message wrapped as
//! `{"stream":…,"data":…}`), with `SUBSCRIBE`, `UNSUBSCRIBE` and `LIST_SUBSCRIPTIONS`, a ping every 20 s, and a
//! drop when a client has not answered pings for a minute or the drop fault fires.

use std::{
    collections::{BTreeSet, HashMap},
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    extract::{
        Path, Query, State, WebSocketUpgrade,
        ws::{Message, WebSocket},
    },
    response::Response,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::state::{Sim, lock};

const MAX_STREAMS: usize = 1024;

/// Symbols are case-insensitive in stream names; the rest (`kline_1m`) is kept as sent.
fn normalize(stream: &str) -> String {
    match stream.split_once('@') {
        Some((sym, rest)) => format!("{}@{rest}", sym.to_ascii_lowercase()),
        None => stream.to_ascii_lowercase(),
    }
}

pub(super) async fn bare(ws: WebSocketUpgrade, State(sim): State<Arc<Sim>>) -> Response {
    ws.on_upgrade(move |socket| serve(sim, socket, Vec::new(), false))
}

pub(super) async fn raw(ws: WebSocketUpgrade, Path(streams): Path<String>, State(sim): State<Arc<Sim>>) -> Response {
    let list = streams.split('/').filter(|s| !s.is_empty()).map(normalize).collect();
    ws.on_upgrade(move |socket| serve(sim, socket, list, false))
}

pub(super) async fn combined(
    ws: WebSocketUpgrade,
    Query(q): Query<HashMap<String, String>>,
    State(sim): State<Arc<Sim>>,
) -> Response {
    let list =
        q.get("streams").map(|s| s.split('/').filter(|s| !s.is_empty()).map(normalize).collect()).unwrap_or_default();
    ws.on_upgrade(move |socket| serve(sim, socket, list, true))
}

/// Answers one control message; `None` when it needs no answer.
fn command(text: &str, subs: &mut BTreeSet<String>, combined: &mut bool) -> Value {
    let req: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return json!({"error": {"code": 3, "msg": format!("Invalid JSON: {e}")}, "id": null}),
    };
    let id = req.get("id").cloned().unwrap_or(Value::Null);
    if !(id.is_u64() || id.is_string()) {
        return json!({"error": {"code": 2, "msg": "Invalid request: request ID must be an unsigned integer"}, "id": null});
    }
    let params: Vec<String> = req
        .get("params")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(normalize).collect())
        .unwrap_or_default();
    match req.get("method").and_then(Value::as_str) {
        Some("SUBSCRIBE") => {
            if subs.len() + params.len() > MAX_STREAMS {
                return json!({"error": {"code": 2, "msg": "Invalid request: too many streams"}, "id": id});
            }
            subs.extend(params);
            json!({"result": null, "id": id})
        }
        Some("UNSUBSCRIBE") => {
            for p in &params {
                subs.remove(p);
            }
            json!({"result": null, "id": id})
        }
        Some("LIST_SUBSCRIPTIONS") => json!({"result": subs.iter().collect::<Vec<_>>(), "id": id}),
        Some("SET_PROPERTY") => {
            let on = req.get("params").and_then(|p| p.get(1)).and_then(Value::as_bool);
            match on {
                Some(on) => {
                    *combined = on;
                    json!({"result": null, "id": id})
                }
                None => json!({"error": {"code": 1, "msg": "Invalid value type: expected Boolean"}, "id": id}),
            }
        }
        Some("GET_PROPERTY") => json!({"result": *combined, "id": id}),
        _ => {
            json!({"error": {"code": 2, "msg": "Invalid request: unknown variant, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`"}, "id": id})
        }
    }
}

/// Resolves at `at` (never when `None`): the close that follows a `serverShutdown`.
pub(super) async fn closing(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

async fn serve(sim: Arc<Sim>, socket: WebSocket, streams: Vec<String>, mut combined: bool) {
    let mut subs: BTreeSet<String> = streams.into_iter().take(MAX_STREAMS).collect();
    let mut rx = lock(&sim.ex).outbox.market.subscribe();
    let mut drop_rx = sim.ws_drop.subscribe();
    let mut shutdown_rx = sim.ws_shutdown.subscribe();
    let mut close_at: Option<tokio::time::Instant> = None;
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + sim.ws_ping, sim.ws_ping);
    let mut last_pong = Instant::now();
    let (mut tx, mut incoming) = socket.split();
    loop {
        let out: Option<String> = tokio::select! {
            msg = rx.recv() => match msg {
                Ok(m) if subs.contains(&*m.stream) => Some(if combined {
                    format!("{{\"stream\":\"{}\",\"data\":{}}}", m.stream, m.data)
                } else {
                    m.data.to_string()
                }),
                Ok(_) | Err(RecvError::Lagged(_)) => None,
                Err(RecvError::Closed) => break,
            },
            frame = incoming.next() => match frame {
                Some(Ok(Message::Text(t))) => Some(command(t.as_str(), &mut subs, &mut combined).to_string()),
                Some(Ok(Message::Pong(_))) => { last_pong = Instant::now(); None }
                Some(Ok(Message::Ping(_) | Message::Binary(_))) => None,
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            },
            _ = ping.tick() => {
                if last_pong.elapsed() > Duration::from_secs(60).max(sim.ws_ping * 3) {
                    break;
                }
                if tx.send(Message::Ping(Default::default())).await.is_err() {
                    break;
                }
                None
            }
            _ = drop_rx.changed() => break,
            _ = shutdown_rx.changed() => {
                let after = shutdown_rx.borrow_and_update().1;
                close_at = Some(tokio::time::Instant::now() + Duration::from_millis(after));
                let e = crate::rules::shutdown_event();
                Some(if combined { json!({"stream": "!serverShutdown", "data": e}) } else { e }.to_string())
            }
            _ = closing(close_at) => break,
        };
        if let Some(text) = out
            && tx.send(Message::Text(text.into())).await.is_err()
        {
            break;
        }
    }
}
