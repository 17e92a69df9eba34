//! Operations: `GET /healthz` (the process answers), `GET /readyz` (the database, the job queue and the exchange
//! answer; 503 naming what does not) and `GET /metrics` (Prometheus text).

use std::time::Duration;

use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use gridbot_platform::db::types::BotStatus;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::ApiContext;

/// How long each readiness check may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(healthz)).routes(routes!(readyz)).routes(routes!(metrics))
}

#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "`{\"status\":\"ok\"}`")))]
async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

#[derive(Debug, Serialize, ToSchema)]
struct Readiness {
    /// `ready` or `unavailable`.
    status: &'static str,
    /// `database`, `queue`, `exchange`: `ok` or why not.
    checks: std::collections::BTreeMap<&'static str, String>,
}

#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, body = Readiness), (status = 503, description = "a dependency does not answer", body = Readiness)))]
async fn readyz(State(ctx): State<ApiContext>) -> (StatusCode, Json<Readiness>) {
    let db = async { ctx.db.bots().list_for_user(0).await.map(|_| ()).map_err(|e| e.to_string()) };
    let queue = async { ctx.rt.queue.ping().await.map_err(|e| e.to_string()) };
    let exchange = async {
        let h = ctx.exchange.health().await;
        if h.reachable { Ok(()) } else { Err(h.error.unwrap_or_else(|| "unreachable".into())) }
    };
    let (db, queue, exchange) = tokio::join!(timed(db), timed(queue), timed(exchange));
    let mut checks = std::collections::BTreeMap::new();
    let mut ready = true;
    for (name, result) in [("database", db), ("queue", queue), ("exchange", exchange)] {
        let shown = match result {
            Ok(()) => "ok".to_owned(),
            Err(cause) => {
                ready = false;
                // The cause (hosts, paths) goes to the log; the answer says only what failed.
                tracing::warn!(check = name, %cause, "not ready");
                if cause == "timed out" { "timed out".to_owned() } else { "failed".to_owned() }
            }
        };
        checks.insert(name, shown);
    }
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(Readiness { status: if ready { "ready" } else { "unavailable" }, checks }))
}

async fn timed(check: impl std::future::Future<Output = Result<(), String>>) -> Result<(), String> {
    tokio::time::timeout(CHECK_TIMEOUT, check).await.unwrap_or_else(|_| Err("timed out".to_owned()))
}

#[utoipa::path(get, path = "/metrics", tag = "operations", responses(
    (status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain")))]
async fn metrics(State(ctx): State<ApiContext>) -> Response {
    const ALL: [BotStatus; 5] =
        [BotStatus::Stopped, BotStatus::Starting, BotStatus::Running, BotStatus::Stopping, BotStatus::Error];
    let bots = match ctx.db.bots().list_with_status(&ALL).await {
        Ok(list) => ALL.iter().map(|s| (s.as_str(), list.iter().filter(|b| b.status == *s).count())).collect(),
        Err(e) => {
            tracing::warn!(error = %e, "metrics: bots not counted");
            Vec::new()
        }
    };
    let text = ctx.metrics.render(&bots);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}
