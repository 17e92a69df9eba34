//! Gridbot's HTTP API: the axum application ([`build_app`]) over one [`ApiContext`] — database, market-data
//! exchange and settings — with a router per resource, one error shape ([`error::ApiError`]), JWT auth and rate
//! limits. [`serve`] runs it on any listener, so tests start the real application on port 0.

pub mod auth;
pub mod config;
pub mod crypto;
pub mod error;
pub mod extract;
pub mod jwt;
mod limits;
pub mod openapi;
pub mod routes;

use std::{net::SocketAddr, sync::Arc};

use axum::{Json, Router, extract::DefaultBodyLimit, routing::get};
use gridbot_exchange::Exchange;
use gridbot_platform::Db;
use tokio::net::TcpListener;
use tower_http::{catch_panic::CatchPanicLayer, trace::TraceLayer};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use config::{ApiConfig, RateLimits};
pub use error::{ApiError, ApiResult};

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct ApiContext {
    pub db: Db,
    /// Market data (symbols, prices, candles); trading goes through jobs, not through here.
    pub exchange: Arc<dyn Exchange>,
    pub config: Arc<ApiConfig>,
}

impl ApiContext {
    /// Wires the context around a connected, migrated database.
    pub fn new(db: Db, exchange: Arc<dyn Exchange>, config: ApiConfig) -> ApiContext {
        ApiContext { db, exchange, config: Arc::new(config) }
    }
}

/// The whole application: every route, the body limit, tracing and rate limits.
pub async fn build_app(ctx: ApiContext) -> Router {
    let limits = ctx.config.rate_limits;
    let (public, public_doc) = routes::auth::public_router().split_for_parts();
    let (private, mut doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(routes::auth::router())
        .merge(routes::bots::router())
        .merge(routes::keys::router())
        .merge(routes::market::router())
        .split_for_parts();
    doc.merge(public_doc);
    let doc = Arc::new(doc);
    let app = Router::new()
        .merge(limits::auth(public, &limits))
        .merge(private)
        .route("/api/openapi.json", get(move || std::future::ready(Json(doc.as_ref().clone()))))
        .merge(routes::health::router())
        .fallback(routes::not_found)
        .layer(DefaultBodyLimit::max(ctx.config.body_limit))
        .with_state(ctx);
    limits::api(app, &limits).layer(CatchPanicLayer::custom(panicked)).layer(TraceLayer::new_for_http())
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
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
