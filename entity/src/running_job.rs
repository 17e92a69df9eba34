//! `running_jobs`: a job delivery inside its work right now; a delivery that finds its own row was running when its
//! process died.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "running_jobs")]
pub struct Model {
    /// The queue's id of the task; the same when a dead worker's task is delivered again.
    #[sea_orm(primary_key, auto_increment = false)]
    pub task_id: String,
    pub bot_id: i64,
    /// The job's name (`place_grid`, `reconcile_fills`, …).
    pub job: String,
    /// The worker that runs it (an id per worker, new each time one starts).
    pub owner: String,
    pub started_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
