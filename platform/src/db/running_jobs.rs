//! The `running_jobs` repository: one row per job delivery inside its work. A worker writes it before the work
//! starts and deletes it when the work ends, so a row still there when the queue delivers the same task again means
//! the process running it died.
//!
//! Every job pays for these two writes, so on PostgreSQL they commit without waiting for the disk
//! (`synchronous_commit = off` for their transaction alone): a commit survives the worker's process dying, which is
//! what the record guards against; only a crash of the database server itself within its WAL writer's delay may
//! lose one, and a lost record only means the job runs again, as it did before the record existed. SQLite already
//! commits that way ([`super::sqlite_commits`]).
//!
//! On SQLite the records go through the grouped writer ([`super::Db::write`]): the records of all the jobs running at
//! once share its turns. A job still waits for its record's commit, as before.

use chrono::Utc;
use gridbot_core::BotId;
use gridbot_entity::running_job;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Statement, TryInsertResult,
};

use super::Result;
use super::types::RunningJob;
use super::writer::Writer;

/// [`RunningJobs::begin`] on PostgreSQL, in one statement whose commit does not wait for the disk.
const PG_BEGIN: &str = "WITH quick AS (SELECT set_config('synchronous_commit', 'off', true)) \
    INSERT INTO running_jobs (task_id, bot_id, job, owner, started_at) SELECT $1, $2, $3, $4, $5 FROM quick \
    ON CONFLICT (task_id) DO NOTHING";
/// [`RunningJobs::end`] on PostgreSQL, likewise.
const PG_END: &str = "WITH quick AS (SELECT set_config('synchronous_commit', 'off', true)) \
    DELETE FROM running_jobs USING quick WHERE task_id = $1";

#[derive(Debug, Clone, Copy)]
pub struct RunningJobs<'a> {
    pub(crate) conn: &'a DatabaseConnection,
    pub(crate) writer: Option<&'a Writer>,
}

impl RunningJobs<'_> {
    /// Records that task `task_id` (job `job` of `bot`) starts its work under `owner`. When a row of that task is
    /// already there nothing is written and that row is returned: an earlier delivery of the task started and never
    /// ended.
    pub async fn begin(&self, task_id: &str, bot: BotId, job: &str, owner: &str) -> Result<Option<RunningJob>> {
        let begin = Begin { task_id: task_id.to_owned(), bot, job: job.to_owned(), owner: owner.to_owned() };
        match self.writer {
            Some(w) => {
                w.write(self.conn, true, move |tx| Box::pin(async move { Record(&tx.0).begin(&begin).await })).await
            }
            None => Record(self.conn).begin(&begin).await,
        }
    }

    /// The row of task `task_id`, if its work has started and not ended.
    pub async fn get(&self, task_id: &str) -> Result<Option<RunningJob>> {
        Record(self.conn).get(task_id).await
    }

    /// The work of task `task_id` ended (done, failed or quarantined): its row goes.
    pub async fn end(&self, task_id: &str) -> Result<()> {
        match self.writer {
            Some(w) => {
                let task_id = task_id.to_owned();
                w.write(self.conn, true, move |tx| Box::pin(async move { Record(&tx.0).end(&task_id).await })).await
            }
            None => Record(self.conn).end(task_id).await,
        }
    }
}

/// A job starting: what [`RunningJobs::begin`] records.
#[derive(Debug)]
struct Begin {
    task_id: String,
    bot: BotId,
    job: String,
    owner: String,
}

/// The statements of a record, on the pool or inside a transaction.
struct Record<'a, C>(&'a C);

impl<C: ConnectionTrait> Record<'_, C> {
    /// Inserts the record in one statement, or returns the one already there.
    async fn begin(&self, b: &Begin) -> Result<Option<RunningJob>> {
        let Begin { task_id, bot, job, owner } = b;
        let (task_id, job, owner) = (task_id.as_str(), job.as_str(), owner.as_str());
        let row = running_job::ActiveModel {
            task_id: Set(task_id.to_owned()),
            bot_id: Set(bot.0),
            job: Set(job.to_owned()),
            owner: Set(owner.to_owned()),
            started_at: Set(Utc::now()),
        };
        let insert = running_job::Entity::insert(row).on_conflict_do_nothing();
        let inserted = if self.0.get_database_backend() == DbBackend::Postgres {
            let values = [task_id.into(), bot.0.into(), job.into(), owner.into(), Utc::now().into()];
            let n = self.0.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, PG_BEGIN, values)).await?;
            TryInsertResult::Inserted(n.rows_affected())
        } else {
            insert.exec_without_returning(self.0).await?
        };
        match inserted {
            TryInsertResult::Inserted(n) if n > 0 => Ok(None),
            TryInsertResult::Inserted(_) | TryInsertResult::Conflicted | TryInsertResult::Empty => {
                Ok(self.get(task_id).await?)
            }
        }
    }

    async fn get(&self, task_id: &str) -> Result<Option<RunningJob>> {
        let row = running_job::Entity::find_by_id(task_id.to_owned()).one(self.0).await?;
        Ok(row.map(|m| RunningJob {
            task_id: m.task_id,
            bot: BotId(m.bot_id),
            job: m.job,
            owner: m.owner,
            started_at: m.started_at,
        }))
    }

    async fn end(&self, task_id: &str) -> Result<()> {
        if self.0.get_database_backend() == DbBackend::Postgres {
            let values = [task_id.into()];
            self.0.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, PG_END, values)).await?;
        } else {
            running_job::Entity::delete_by_id(task_id.to_owned()).exec(self.0).await?;
        }
        Ok(())
    }
}
