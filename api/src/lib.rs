//! Gridbot's HTTP API: the axum application ([`build_app`]) over one [`ApiContext`] — database, market-data
//! exchange, the worker's context for bot commands, and settings — with a router per resource, WebSockets fed by the
//! event bus, one error shape ([`error::ApiError`]), JWT auth, rate limits, request ids, metrics and the dashboard's
//! static files. [`serve`] runs it on any listener, so tests start the real application on port 0.

pub mod auth;
pub mod backtest_chart;
pub mod bot_cache;
pub mod config;
pub mod crypto;
pub mod daily;
pub mod error;
pub mod extract;
pub mod jwt;
pub mod ledgers;
pub mod limits;
pub mod login_throttle;
pub mod market_cache;
pub mod market_hub;
pub mod metrics;
pub mod openapi;
pub mod password;
pub mod returns;
pub mod routes;
pub mod run_curve;
pub mod sessions;
pub mod views;

use std::{net::SocketAddr, sync::Arc};

use axum::{Json, Router, extract::DefaultBodyLimit, http::Request, routing::get};
use gridbot_exchange::Exchange;
use gridbot_platform::Db;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use config::{ApiConfig, MarketSource, RateLimits};
pub use error::{ApiError, ApiResult};

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct ApiContext {
    pub db: Db,
    /// Market data (symbols, prices, candles); trading goes through jobs, not through here.
    pub exchange: Arc<dyn Exchange>,
    pub config: Arc<ApiConfig>,
    /// The worker's context — queue, events, locks, live accounts — that the bot commands run with.
    pub rt: gridbot_app::Ctx,
    /// Recent prices and symbol filters, so that hot reads do not each ask the exchange.
    pub market: Arc<market_cache::MarketCache>,
    /// Bot rows and books for the hot reads.
    pub bots: Arc<bot_cache::BotCache>,
    /// Per bot, the sums `/api/summary` adds up, brought forward with each new fill.
    pub ledgers: Arc<ledgers::Ledgers>,
    /// Which sessions are open (user exists, token version current, token not logged out), so every authenticated
    /// request and WebSocket checks its token cheaply.
    pub sessions: Arc<sessions::SessionCache>,
    /// Failed password checks per account, for the per-account login limit.
    pub logins: Arc<login_throttle::LoginThrottle>,
    /// One fan-out per watched market symbol for the market WebSockets.
    pub hub: market_hub::MarketHub,
    pub metrics: Arc<metrics::Metrics>,
    /// The AI advisor: Claude when `ANTHROPIC_API_KEY` is set, the backtest sweep alone otherwise.
    pub ai: Arc<gridbot_ai::Advisor>,
}

impl ApiContext {
    /// Wires the context around the worker's (a connected, migrated database, the queue, events, locks, market
    /// data and live accounts). The advisor is the backtest sweep alone until [`ApiContext::with_advisor`] gives
    /// the one the binary built from its settings.
    pub fn new(rt: gridbot_app::Ctx, config: ApiConfig) -> ApiContext {
        let limits = config.rate_limits;
        let logins =
            Arc::new(login_throttle::LoginThrottle::new(limits.login_failures_burst, limits.login_failures_refill));
        ApiContext {
            db: rt.db.clone(),
            exchange: Arc::clone(&rt.market),
            config: Arc::new(config),
            ai: Arc::new(gridbot_ai::Advisor::without_claude("no ANTHROPIC_API_KEY is set")),
            market: Arc::default(),
            bots: Arc::default(),
            ledgers: Arc::default(),
            sessions: Arc::default(),
            logins,
            hub: market_hub::MarketHub::default(),
            metrics: Arc::default(),
            rt,
        }
    }

    /// The same context with another advisor: the binary's, from `ANTHROPIC_*` (tests give one that talks to a
    /// local stand-in for Claude).
    pub fn with_advisor(mut self, advisor: gridbot_ai::Advisor) -> Self {
        self.ai = Arc::new(advisor);
        self
    }
}

/// The whole application: every route, the body limit, rate limits, metrics, request ids and tracing.
pub async fn build_app(ctx: ApiContext) -> Router {
    let limits = ctx.config.rate_limits;
    let ip = limits::ClientIp { trust_proxy: ctx.config.trust_proxy };
    let client = limits::ClientKey {
        ip,
        secret: Arc::from(ctx.config.jwt_secret.as_slice()),
        sessions: Arc::clone(&ctx.sessions),
    };
    ctx.market.follow(&ctx.rt.events);
    ctx.bots.follow(&ctx.rt.events);
    let metrics = Arc::clone(&ctx.metrics);
    let (public, public_doc) = routes::auth::public_router().split_for_parts();
    let (private, mut doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(routes::auth::router())
        .merge(routes::sessions::router())
        .merge(routes::bots::router())
        .merge(routes::keys::router())
        .merge(routes::notifications::router())
        .merge(routes::market::router())
        .merge(routes::ai::router())
        .merge(routes::commands::router())
        .merge(routes::stats::router())
        .merge(routes::runs::router())
        .merge(routes::equity::router())
        .merge(routes::daily_pnl::router())
        .merge(routes::test_config::router())
        .merge(routes::trading::router())
        .merge(routes::jobs::router())
        .merge(routes::summary::router())
        .merge(routes::ws::router())
        .merge(routes::health::router())
        .merge(routes::exchange_health::router())
        .merge(routes::system::router())
        .split_for_parts();
    doc.merge(public_doc);
    utoipa::Modify::modify(&openapi::StandardErrors, &mut doc);
    let doc = Arc::new(doc);
    let bots = Arc::clone(&ctx.bots);
    let app = Router::new()
        .merge(limits::auth(public, &limits, ip))
        .merge(private)
        .route("/api/openapi.json", get(move || std::future::ready(Json(doc.as_ref().clone()))))
        .route("/docs", get(routes::docs::page))
        .fallback(routes::fallback)
        .layer(axum::middleware::from_fn_with_state(bots, forget_on_write))
        .layer(DefaultBodyLimit::max(ctx.config.body_limit))
        .with_state(ctx);
    limits::api(app, &limits, client)
        .layer(CatchPanicLayer::custom(panicked))
        .layer(axum::middleware::from_fn_with_state(metrics, metrics::track))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(request_span))
                .layer(PropagateRequestIdLayer::x_request_id()),
        )
}

/// Any request that may write (not GET or HEAD) drops the cached bots once it is answered, so what this API changed
/// is read back fresh.
async fn forget_on_write(
    axum::extract::State(bots): axum::extract::State<Arc<bot_cache::BotCache>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let writes = !matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD);
    let response = next.run(req).await;
    if writes {
        bots.clear();
    }
    response
}

/// The span of one request: method, path (never the query, which carries WebSocket tokens) and request id.
fn request_span<B>(req: &Request<B>) -> tracing::Span {
    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
}

/// A handler that panicked answers the contract's 500, logged like any internal error.
fn panicked(cause: Box<dyn std::any::Any + Send>) -> axum::response::Response {
    let text = cause
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| cause.downcast_ref::<&str>().copied())
        .unwrap_or("panic");
    axum::response::IntoResponse::into_response(ApiError::internal(format!("handler panicked: {text}")))
}

/// Serves `app` on `listener` until `shutdown` resolves; client addresses reach the rate limiter.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tracing::info!(addr = ?listener.local_addr().ok(), "api listening");
    // Without TCP_NODELAY a small WebSocket frame written while the previous one is unacknowledged waits for the
    // client's delayed ACK (up to 40 ms).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
    });
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
