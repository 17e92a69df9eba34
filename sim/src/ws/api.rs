//! The WebSocket API (`/ws-api/v3`): `ping`, `time`, and user data through `userDataStream.subscribe.signature`,
//! after which every order change of the account arrives as `{"subscriptionId":N,"event":{…}}`.

use std::{sync::Arc, time::Instant};

use axum::{
    extract::{
        State, WebSocketUpgrade,
        ws::{Message, WebSocket},
    },
    response::Response,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::{
    error::ApiError,
    rest::params::check_timestamp,
    signing::{signature_matches, ws_payload},
    state::{Sim, lock, now_ms},
};

pub(super) async fn upgrade(ws: WebSocketUpgrade, State(sim): State<Arc<Sim>>) -> Response {
    ws.on_upgrade(move |socket| serve(sim, socket))
}

/// The user data subscriptions of one connection: (subscription id, API key).
#[derive(Debug, Default)]
struct Session {
    subs: Vec<(u64, String)>,
    next_id: u64,
}

fn param_i64(params: &Map<String, Value>, name: &str) -> Result<Option<i64>, ApiError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| ApiError::illegal(name, "^[0-9]{1,20}$")),
        Some(Value::String(s)) => s.parse().map(Some).map_err(|_| ApiError::illegal(name, "^[0-9]{1,20}$")),
        Some(_) => Err(ApiError::illegal(name, "^[0-9]{1,20}$")),
    }
}

/// Checks a signed WebSocket API request and returns its API key.
fn auth(sim: &Sim, params: &Map<String, Value>) -> Result<String, ApiError> {
    let key = params.get("apiKey").and_then(Value::as_str).ok_or_else(|| ApiError::missing("apiKey"))?;
    let secret = lock(&sim.ex).accounts.get(key).map(|a| a.secret.clone()).ok_or_else(ApiError::rejected_key)?;
    let timestamp = param_i64(params, "timestamp")?.ok_or_else(|| ApiError::missing("timestamp"))?;
    let signature = params.get("signature").and_then(Value::as_str).ok_or_else(|| ApiError::missing("signature"))?;
    if !signature_matches(&secret, &ws_payload(params), signature) {
        return Err(ApiError::new(-1022, "Signature for this request is not valid."));
    }
    check_timestamp(timestamp, param_i64(params, "recvWindow")?, sim.server_now())?;
    Ok(key.to_string())
}

fn handle(sim: &Sim, session: &mut Session, method: &str, params: &Map<String, Value>) -> Result<Value, ApiError> {
    match method {
        "ping" => Ok(json!({})),
        "time" => Ok(json!({"serverTime": sim.server_now()})),
        "userDataStream.subscribe.signature" => {
            let key = auth(sim, params)?;
            let id = session.next_id;
            session.next_id += 1;
            session.subs.push((id, key));
            Ok(json!({"subscriptionId": id}))
        }
        "userDataStream.unsubscribe" => {
            match param_i64(params, "subscriptionId")? {
                Some(id) => session.subs.retain(|(s, _)| *s as i64 != id),
                None => session.subs.clear(),
            }
            Ok(json!({}))
        }
        "session.subscriptions" => {
            Ok(Value::Array(session.subs.iter().map(|(id, _)| json!({"subscriptionId": id})).collect()))
        }
        _ => Err(ApiError::new(-1020, "This operation is not supported.")),
    }
}

fn respond(sim: &Sim, session: &mut Session, text: &str) -> Value {
    let req: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) => {
            let e = ApiError::new(-2, "Invalid JSON");
            return json!({"id": null, "status": 400, "error": e.body()});
        }
    };
    let id = req.get("id").cloned().unwrap_or(Value::Null);
    let method = req.get("method").and_then(Value::as_str).unwrap_or_default();
    let empty = Map::new();
    let params = req.get("params").and_then(Value::as_object).unwrap_or(&empty);
    let used = lock(&sim.limits).used(now_ms());
    let limit = lock(&sim.limits).weight_per_minute;
    let rate_limits = json!([{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": limit, "count": used}]);
    match handle(sim, session, method, params) {
        Ok(result) => json!({"id": id, "status": 200, "result": result, "rateLimits": rate_limits}),
        Err(e) => json!({"id": id, "status": e.status.as_u16(), "error": e.body(), "rateLimits": rate_limits}),
    }
}

async fn serve(sim: Arc<Sim>, socket: WebSocket) {
    let mut session = Session::default();
    let mut rx = lock(&sim.ex).outbox.user.subscribe();
    let mut drop_rx = sim.ws_drop.subscribe();
    let mut shutdown_rx = sim.ws_shutdown.subscribe();
    let mut close_at: Option<tokio::time::Instant> = None;
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + sim.ws_ping, sim.ws_ping);
    let mut last_pong = Instant::now();
    let (mut tx, mut incoming) = socket.split();
    loop {
        let out: Vec<String> = tokio::select! {
            msg = rx.recv() => match msg {
                Ok(m) => session
                    .subs
                    .iter()
                    .filter(|(_, key)| *key == *m.api_key)
                    .map(|(id, _)| format!("{{\"subscriptionId\":{id},\"event\":{}}}", m.event))
                    .collect(),
                Err(RecvError::Lagged(_)) => Vec::new(),
                Err(RecvError::Closed) => break,
            },
            frame = incoming.next() => match frame {
                Some(Ok(Message::Text(t))) => {
                    let latency = lock(&sim.faults).latency_ms;
                    if latency > 0 {
                        tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
                    }
                    vec![respond(&sim, &mut session, t.as_str()).to_string()]
                }
                Some(Ok(Message::Pong(_))) => { last_pong = Instant::now(); Vec::new() }
                Some(Ok(Message::Ping(_) | Message::Binary(_))) => Vec::new(),
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            },
            _ = ping.tick() => {
                if last_pong.elapsed() > std::time::Duration::from_secs(60).max(sim.ws_ping * 3) {
                    break;
                }
                if tx.send(Message::Ping(Default::default())).await.is_err() {
                    break;
                }
                Vec::new()
            }
            _ = drop_rx.changed() => break,
            _ = shutdown_rx.changed() => {
                let after = shutdown_rx.borrow_and_update().1;
                close_at = Some(tokio::time::Instant::now() + std::time::Duration::from_millis(after));
                vec![json!({"event": crate::rules::shutdown_event()}).to_string()]
            }
            _ = super::streams::closing(close_at) => break,
        };
        for text in out {
            if tx.send(Message::Text(text.into())).await.is_err() {
                return;
            }
        }
    }
}
