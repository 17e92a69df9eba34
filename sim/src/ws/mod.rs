//! WebSockets: market streams (`/ws/<stream>`, `/stream?streams=a/b`) and the WebSocket API (`/ws-api/v3`), refused
//! with 503 while the `ws_refuse` fault is on.

mod api;
mod streams;

use std::sync::Arc;

use axum::{
    Router,
    extract::{Request, State},
    http::StatusCode,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};

use crate::state::{Sim, lock};

/// An outage: no WebSocket connection is accepted while `ws_refuse` is on.
async fn outage(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    if lock(&sim.faults).ws_refuse {
        return (StatusCode::SERVICE_UNAVAILABLE, "WebSockets are down (ws_refuse)").into_response();
    }
    next.run(req).await
}

pub(crate) fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/ws", get(streams::bare))
        .route("/ws/{*streams}", get(streams::raw))
        .route("/stream", get(streams::combined))
        .route("/ws-api/v3", get(api::upgrade))
        .layer(middleware::from_fn_with_state(sim.clone(), outage))
        .with_state(sim)
}
