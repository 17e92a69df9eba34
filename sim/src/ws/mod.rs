//! WebSockets: market streams (`/ws/<stream>`, `/stream?streams=a/b`) and the WebSocket API (`/ws-api/v3`).

mod api;
mod streams;

use std::sync::Arc;

use axum::{Router, routing::get};

use crate::state::Sim;

pub(crate) fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/ws", get(streams::bare))
        .route("/ws/{*streams}", get(streams::raw))
        .route("/stream", get(streams::combined))
        .route("/ws-api/v3", get(api::upgrade))
        .with_state(sim)
}
