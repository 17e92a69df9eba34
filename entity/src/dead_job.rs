//! `dead_jobs`: the quarantine — a job that was running when its process died, or that failed for good, kept with
//! its bot, user and reason, never run again.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "dead_jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bot_id: i64,
    pub user_id: i64,
    /// The job's name (`place_grid`, `reconcile_fills`, …).
    pub job_name: String,
    /// The job as it was queued.
    pub job: Json,
    /// The queue's id of the task, when it came from the queue.
    pub task_id: Option<String>,
    /// `crashed` (its process died while it ran) or `failed` (its last attempt failed, or it panicked).
    pub kind: String,
    pub reason: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
