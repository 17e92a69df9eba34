//! `GET /healthz`: the process is up and answering.

use axum::{Json, Router, routing::get};
use serde_json::{Value, json};

use crate::ApiContext;

pub fn router() -> Router<ApiContext> {
    Router::new().route("/healthz", get(healthz))
}

async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}
