//! WebSockets, fed by the event bus. `WS /ws/bot/{id}?token=`: a snapshot (`status`, `stats`) on connect, then on
//! every event of the bot the parts it names reloaded from the database — `status`, `order` (each new or changed
//! order), `fill` (each new fill) and `stats`; a listener that lagged reloads everything. `WS /ws/market/{symbol}?token=`:
//! the market's `trade` and `kline` events. A missing, bad or expired token closes with 4401, and so does a token
//! that expires or whose session ends (logout, log out everywhere, password change) while connected: the session is
//! checked again every [`RECHECK`] through the session cache (so within [`RECHECK`] of a logout in this process, and
//! [`crate::sessions::TTL`] plus [`RECHECK`] of one in another). Another user's or an unknown bot closes with 4404, a
//! malformed symbol with 4422.

use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

use axum::{
    extract::{
        Path, Query, State,
        rejection::QueryRejection,
        ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade},
    },
    response::Response,
};
use chrono::{DateTime, Utc};
use futures_util::{FutureExt, SinkExt, StreamExt, stream::SplitSink};
use gridbot_core::{BotId, Symbol};
use gridbot_exchange::ExchangeError;
use gridbot_platform::{BotChange, Channel, DbError, Event, Received, Subscription, db::types::OrderStatus};
use serde_json::{Value, json};
use tokio::sync::broadcast;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    ApiContext,
    auth::{AuthUser, open_session},
    error::ApiError,
    jwt::Session,
    metrics::Stream,
    routes::{bots::BotOut, stats::bot_stats},
    sessions::Closed,
    views::{OrderOut, dec, fills_out},
};

pub const UNAUTHORIZED: u16 = 4401;
pub const NOT_FOUND: u16 = 4404;
pub const INVALID: u16 = 4422;
/// How often the server pings an idle client (proxies drop silent connections).
const PING_EVERY: Duration = Duration::from_secs(30);
/// How often an open socket checks that its token's session is still open.
pub const RECHECK: Duration = Duration::from_secs(1);
/// Events taken together before one reload.
const COALESCE: usize = 256;

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(bot_ws)).routes(routes!(market_ws))
}

type Sender = SplitSink<WebSocket, Message>;

/// The token's open session, or the close code to end the connection with.
async fn authorize(
    ctx: &ApiContext,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Session, u16> {
    let token =
        query.ok().and_then(|Query(q)| q.get("token").cloned()).filter(|t| !t.is_empty()).ok_or(UNAUTHORIZED)?;
    open_session(ctx, &token).await.map_err(|_| UNAUTHORIZED)
}

/// A check of the session in flight.
type Check = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Result<(), Closed>, DbError>> + Send>>;

/// Ends a socket whose token expires or whose session ends while it is open.
struct Watch {
    session: Session,
    expiry: std::pin::Pin<Box<tokio::time::Sleep>>,
    recheck: tokio::time::Interval,
    /// Kept across the stream's other events, so a check that waits on the database is never dropped half-way.
    pending: Option<Check>,
}

impl Watch {
    fn new(session: Session) -> Self {
        let expiry = Box::pin(tokio::time::sleep(until(session.exp)));
        let recheck = tokio::time::interval_at(tokio::time::Instant::now() + RECHECK, RECHECK);
        Watch { session, expiry, recheck, pending: None }
    }

    /// Resolves with the reason to close with 4401: the token expired, or its session was ended. A database error
    /// while checking keeps the socket open (the next check retries). Safe to drop at any await.
    async fn ended(&mut self, ctx: &ApiContext) -> &'static str {
        loop {
            if self.pending.is_none() {
                tokio::select! {
                    () = &mut self.expiry => return "token expired",
                    _ = self.recheck.tick() => {
                        let (ctx, session) = (ctx.clone(), self.session.clone());
                        self.pending = Some(Box::pin(async move { ctx.sessions.check(&ctx.db, &session).await }));
                    }
                }
            }
            let Some(check) = self.pending.as_mut() else { continue };
            tokio::select! {
                () = &mut self.expiry => return "token expired",
                result = check => {
                    self.pending = None;
                    match result {
                        Ok(Ok(())) => {}
                        Ok(Err(closed)) => return closed.message(),
                        Err(e) => tracing::debug!(error = %e, "websocket: session not checked"),
                    }
                }
            }
        }
    }
}

fn refuse(ws: WebSocketUpgrade, code: u16) -> Response {
    let reason = match code {
        UNAUTHORIZED => "missing, invalid or expired token",
        NOT_FOUND => "not found",
        INVALID => "invalid symbol",
        _ => "internal error",
    };
    ws.on_upgrade(move |mut socket| async move {
        let frame = CloseFrame { code, reason: Utf8Bytes::from_static(reason) };
        let _ = socket.send(Message::Close(Some(frame))).await;
    })
}

#[utoipa::path(get, path = "/ws/bot/{id}", tag = "websockets", params(("id" = i64, Path), ("token" = String, Query)),
    responses((status = 101, description = "WebSocket of `status`, `order`, `fill`, `stats` and `error` messages; closed with 4401 for a bad token, 4404 for a bot that is not yours")))]
async fn bot_ws(
    State(ctx): State<ApiContext>,
    Path(id): Path<String>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    ws: WebSocketUpgrade,
) -> Response {
    let session = match authorize(&ctx, query).await {
        Ok(s) => s,
        Err(code) => return refuse(ws, code),
    };
    let bot = match crate::routes::bots::owned_bot(&ctx, AuthUser { id: session.user }, &id).await {
        Ok(b) => b,
        Err(ApiError::NotFound(_)) => return refuse(ws, NOT_FOUND),
        Err(e) => {
            tracing::error!(error = %e, "bot websocket: bot not loaded");
            return refuse(ws, 1011);
        }
    };
    // Subscribed before the upgrade answers, so no event after the client sees the connection is missed.
    let sub = ctx.rt.events.subscribe(Some(Channel::Bot(bot.id)));
    ws.on_upgrade(move |socket| bot_stream(ctx, bot.id, sub, socket, session))
}

async fn bot_stream(ctx: ApiContext, bot: BotId, mut sub: Subscription, socket: WebSocket, session: Session) {
    let _open = ctx.metrics.ws_open(Stream::Bot);
    let (mut tx, mut rx) = socket.split();
    let mut view = BotView { ctx: ctx.clone(), bot, orders: HashMap::new(), fills: HashSet::new() };
    if view.load(&mut tx, Changes::snapshot()).await.is_err() {
        return;
    }
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    let mut watch = Watch::new(session);
    loop {
        tokio::select! {
            received = sub.recv() => {
                let Some(first) = received else { break close(&mut tx, 1001, "server shutting down").await };
                let mut changes = Changes::default();
                changes.add(&first);
                for _ in 0..COALESCE {
                    match sub.recv().now_or_never() {
                        Some(Some(more)) => changes.add(&more),
                        _ => break,
                    }
                }
                match view.load(&mut tx, changes).await {
                    Ok(()) => {}
                    Err(Gone::Client) => break,
                    Err(Gone::Bot) => break close(&mut tx, NOT_FOUND, "bot deleted").await,
                }
            }
            incoming = rx.next() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => if tx.send(Message::Ping(Default::default())).await.is_err() { break },
            why = watch.ended(&ctx) => break close(&mut tx, UNAUTHORIZED, why).await,
        }
    }
}

/// What to reload.
#[derive(Debug, Default, Clone, Copy)]
struct Changes {
    status: bool,
    orders: bool,
    fills: bool,
    /// The first load: remember orders and fills without sending them.
    snapshot: bool,
}

impl Changes {
    fn snapshot() -> Self {
        Changes { status: true, orders: true, fills: true, snapshot: true }
    }
    fn add(&mut self, r: &Received) {
        match r {
            Received::Event(e) => match e.as_ref() {
                Event::Bot { change: BotChange::Status, .. } => self.status = true,
                Event::Bot { change: BotChange::Orders, .. } => self.orders = true,
                Event::Bot { change: BotChange::Fill, .. } => {
                    self.fills = true;
                    self.orders = true;
                }
                _ => {}
            },
            Received::Lagged(_) => {
                self.status = true;
                self.orders = true;
                self.fills = true;
            }
        }
    }
}

enum Gone {
    Client,
    Bot,
}

/// What the client has been shown of the bot.
struct BotView {
    ctx: ApiContext,
    bot: BotId,
    orders: HashMap<i64, (OrderStatus, String, DateTime<Utc>)>,
    fills: HashSet<i64>,
}

impl BotView {
    /// Reloads what `changes` names and sends it, then the stats; a database failure is sent as an `error` message.
    async fn load(&mut self, tx: &mut Sender, changes: Changes) -> Result<(), Gone> {
        let bot = match self.ctx.db.bots().get(self.bot).await {
            Ok(b) => b,
            Err(gridbot_platform::DbError::NotFound { .. }) => return Err(Gone::Bot),
            Err(e) => return report(tx, &e.to_string()).await,
        };
        if changes.status {
            send(tx, &json!({"type": "status", "bot": BotOut::from(bot.clone())})).await?;
        }
        if changes.orders {
            let list = match self.ctx.db.orders().list_for_bot(self.bot).await {
                Ok(list) => list,
                Err(e) => return report(tx, &e.to_string()).await,
            };
            for o in &list {
                let seen = (o.status, o.filled.get().normalize().to_string(), o.updated_at);
                if self.orders.insert(o.id, seen.clone()).as_ref() != Some(&seen) && !changes.snapshot {
                    send(tx, &json!({"type": "order", "order": OrderOut::from(o)})).await?;
                }
            }
        }
        if changes.fills {
            let list = match self.ctx.db.fills().list_for_bot(self.bot).await {
                Ok(list) => list,
                Err(e) => return report(tx, &e.to_string()).await,
            };
            for f in fills_out(&list) {
                if self.fills.insert(f.id) && !changes.snapshot {
                    send(tx, &json!({"type": "fill", "fill": f})).await?;
                }
            }
        }
        match bot_stats(&self.ctx, &bot, false).await {
            Ok(stats) => send(tx, &json!({"type": "stats", "stats": stats})).await,
            Err(e) => report(tx, &e.to_string()).await,
        }
    }
}

fn error_message(cause: &str) -> Value {
    tracing::warn!(%cause, "bot websocket: reload failed");
    json!({"type": "error", "message": "could not reload the bot; the next change retries"})
}

async fn report(tx: &mut Sender, cause: &str) -> Result<(), Gone> {
    send(tx, &error_message(cause)).await
}

async fn send(tx: &mut Sender, message: &Value) -> Result<(), Gone> {
    tx.send(Message::Text(message.to_string().into())).await.map_err(|_| Gone::Client)
}

async fn close(tx: &mut Sender, code: u16, reason: &'static str) {
    let _ = tx.send(Message::Close(Some(CloseFrame { code, reason: Utf8Bytes::from_static(reason) }))).await;
}

/// The time left until `exp` (UNIX seconds).
fn until(exp: u64) -> Duration {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Duration::from_secs(exp).saturating_sub(now)
}

#[utoipa::path(get, path = "/ws/market/{symbol}", tag = "websockets", params(("symbol" = String, Path), ("token" = String, Query)),
    responses((status = 101, description = "WebSocket of `trade` and `kline` messages; closed with 4401 for a bad token, 4404 for a symbol the exchange does not list, 4422 for a malformed one")))]
async fn market_ws(
    State(ctx): State<ApiContext>,
    Path(raw): Path<String>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    ws: WebSocketUpgrade,
) -> Response {
    let session = match authorize(&ctx, query).await {
        Ok(s) => s,
        Err(code) => return refuse(ws, code),
    };
    let Ok(symbol) = raw.parse::<Symbol>() else { return refuse(ws, INVALID) };
    if let Err(ExchangeError::InvalidSymbol(_)) = ctx.market.symbol_info(ctx.exchange.as_ref(), &symbol).await {
        return refuse(ws, NOT_FOUND);
    }
    // Subscribed before the upgrade answers, so no tick after the client sees the connection is missed.
    let sub = ctx.hub.subscribe(&ctx.rt.events, &symbol.exchange_name());
    ws.on_upgrade(move |socket| market_stream(ctx, sub, socket, session))
}

async fn market_stream(ctx: ApiContext, mut sub: broadcast::Receiver<Utf8Bytes>, socket: WebSocket, session: Session) {
    let _open = ctx.metrics.ws_open(Stream::Market);
    let (mut tx, mut rx) = socket.split();
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    let mut watch = Watch::new(session);
    loop {
        tokio::select! {
            received = sub.recv() => match received {
                Err(broadcast::error::RecvError::Closed) => break close(&mut tx, 1001, "server shutting down").await,
                Err(broadcast::error::RecvError::Lagged(n)) => tracing::debug!(missed = n, "market websocket lagged"),
                Ok(text) => {
                    if tx.send(Message::Text(text)).await.is_err() {
                        break;
                    }
                }
            },
            incoming = rx.next() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => if tx.send(Message::Ping(Default::default())).await.is_err() { break },
            why = watch.ended(&ctx) => break close(&mut tx, UNAUTHORIZED, why).await,
        }
    }
}

/// The contract's `trade` and `kline` messages.
pub fn market_message(e: &Event) -> Option<String> {
    let v = match e {
        Event::Trade { symbol, price, qty, time } => {
            json!({"type": "trade", "symbol": symbol, "price": dec(*price), "qty": dec(*qty), "time": time})
        }
        Event::Kline { symbol, candle, closed } => json!({"type": "kline", "symbol": symbol, "candle": {
            "time": candle.open_time.div_euclid(1000), "open": dec(candle.open), "high": dec(candle.high),
            "low": dec(candle.low), "close": dec(candle.close), "volume": dec(candle.volume), "closed": closed}}),
        Event::Bot { .. } => return None,
    };
    Some(v.to_string())
}
