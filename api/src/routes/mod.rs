//! One router per resource, merged by [`crate::build_app`].

pub mod ai;
pub mod auth;
pub mod bots;
pub mod commands;
pub mod daily_pnl;
pub mod docs;
pub mod equity;
pub mod exchange_health;
pub mod health;
pub mod jobs;
pub mod keys;
pub mod market;
pub mod notifications;
pub mod runs;
pub mod sessions;
pub mod stats;
pub mod summary;
pub mod system;
pub mod test_config;
pub mod trading;
pub mod ws;

use axum::{
    extract::{Request, State},
    response::{IntoResponse, Response},
};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::{ApiContext, error::ApiError};

/// Paths that never fall back to the dashboard: an unknown one is the JSON 404.
const NOT_PAGES: [&str; 6] = ["/api", "/ws", "/healthz", "/readyz", "/metrics", "/docs"];

/// Any `/api` path no route matches.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("no such route".into())
}

/// What no route matches: the dashboard's file at that path, else its `index.html` (the Vue router's pages); the
/// JSON 404 under [`NOT_PAGES`] or when no dashboard is configured.
pub async fn fallback(State(ctx): State<ApiContext>, req: Request) -> Response {
    let path = req.uri().path();
    let reserved = NOT_PAGES.iter().any(|p| path == *p || path.strip_prefix(p).is_some_and(|r| r.starts_with('/')));
    let Some(dir) = ctx.config.static_dir.as_ref().filter(|_| !reserved) else {
        return not_found().await.into_response();
    };
    let files = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
    match files.oneshot(req).await {
        Ok(r) => r.into_response(),
        Err(never) => match never {},
    }
}
