//! The `dead_jobs` repository: the quarantine. A job lands here when it was running as its process died, or when it
//! failed for good; it is never run again. Listed newest first, per user (their bots') or all (the operator).

use chrono::Utc;
use gridbot_core::BotId;
use gridbot_entity::dead_job;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::Result;
use super::types::{DeadJob, DeadJobKind};

#[derive(Debug, Clone, Copy)]
pub struct DeadJobs<'a>(pub(crate) &'a DatabaseConnection);

/// What is known of a job as it is quarantined.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDeadJob<'a> {
    pub bot: BotId,
    pub user_id: i64,
    pub job_name: &'a str,
    pub job: serde_json::Value,
    pub task_id: Option<&'a str>,
    pub kind: DeadJobKind,
    pub reason: &'a str,
}

impl DeadJobs<'_> {
    /// Puts a job in the quarantine; returns its row's id.
    pub async fn record(&self, new: &NewDeadJob<'_>) -> Result<i64> {
        let row = dead_job::ActiveModel {
            bot_id: Set(new.bot.0),
            user_id: Set(new.user_id),
            job_name: Set(new.job_name.to_owned()),
            job: Set(new.job.clone()),
            task_id: Set(new.task_id.map(str::to_owned)),
            kind: Set(new.kind.as_str().to_owned()),
            reason: Set(new.reason.to_owned()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(self.0)
        .await?;
        Ok(row.id)
    }

    /// The dead jobs of `user_id`'s bots, newest first: at most `limit`, older than the id `before` when given.
    pub async fn list_for_user(&self, user_id: i64, before: Option<i64>, limit: u64) -> Result<Vec<DeadJob>> {
        page(dead_job::Entity::find().filter(dead_job::Column::UserId.eq(user_id)), before, Some(limit), self.0).await
    }

    /// Every dead job, newest first: at most `limit` when given.
    pub async fn list(&self, limit: Option<u64>) -> Result<Vec<DeadJob>> {
        page(dead_job::Entity::find(), None, limit, self.0).await
    }
}

async fn page(
    query: Select<dead_job::Entity>,
    before: Option<i64>,
    limit: Option<u64>,
    conn: &DatabaseConnection,
) -> Result<Vec<DeadJob>> {
    let mut query = query.order_by_desc(dead_job::Column::Id);
    if let Some(before) = before {
        query = query.filter(dead_job::Column::Id.lt(before));
    }
    if let Some(limit) = limit {
        query = query.limit(limit);
    }
    let rows = query.all(conn).await?;
    rows.into_iter()
        .map(|m| {
            Ok(DeadJob {
                id: m.id,
                bot: BotId(m.bot_id),
                user_id: m.user_id,
                job_name: m.job_name,
                job: m.job,
                task_id: m.task_id,
                kind: m.kind.parse()?,
                reason: m.reason,
                created_at: m.created_at,
            })
        })
        .collect()
}
