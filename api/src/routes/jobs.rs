//! `GET /api/jobs/dead`: the quarantine of the caller's bots — jobs that were running when their process died, or
//! that failed for good — newest first, a bounded page at a time. Each one's bot is `error` with the same reason.

use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use gridbot_platform::db::types::DeadJob;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    ApiContext,
    auth::AuthUser,
    error::{ApiError, ApiResult},
    openapi::ErrorBody,
    routes::trading::{RawQuery, query_map},
};

const DEFAULT_LIMIT: u64 = 50;
const MAX_LIMIT: u64 = 200;

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(dead))
}

/// A quarantined job.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadJobOut {
    pub id: i64,
    pub bot_id: i64,
    /// `place_grid`, `reconcile_fills`, `rebalance` or `stop_bot`.
    pub job: String,
    /// `crashed`: it was running when its process died, and was not run again. `failed`: its last attempt failed,
    /// or it panicked.
    pub kind: &'static str,
    /// Why, as the bot's `stop_reason` shows it.
    pub reason: String,
    /// The job as it was queued (`{"job": "place_grid", "bot": 7}`).
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl From<DeadJob> for DeadJobOut {
    fn from(d: DeadJob) -> Self {
        DeadJobOut {
            id: d.id,
            bot_id: d.bot.0,
            job: d.job_name,
            kind: d.kind.as_str(),
            reason: d.reason,
            payload: d.job,
            created_at: d.created_at,
        }
    }
}

#[utoipa::path(get, path = "/api/jobs/dead", tag = "jobs", security(("bearer" = [])), params(
    ("limit" = Option<u64>, Query, description = "1 to 200 (default 50)"),
    ("before" = Option<i64>, Query, description = "only jobs older than this id (the last `id` of the previous page)")),
    responses((status = 200, body = [DeadJobOut]), (status = 422, body = ErrorBody)))]
async fn dead(State(ctx): State<ApiContext>, user: AuthUser, query: RawQuery) -> ApiResult<Json<Vec<DeadJobOut>>> {
    let q = query_map(query)?;
    let limit = match q.get("limit") {
        None => DEFAULT_LIMIT,
        Some(l) => l
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| ApiError::field("limit", format!("must be a whole number from 1 to {MAX_LIMIT}")))?,
    };
    let before = match q.get("before") {
        None => None,
        Some(b) => Some(
            b.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::field("before", "must be a dead job's id (a whole number)"))?,
        ),
    };
    let jobs = ctx.db.dead_jobs().list_for_user(user.id, before, limit).await?;
    Ok(Json(jobs.into_iter().map(DeadJobOut::from).collect()))
}
