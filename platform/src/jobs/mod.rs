//! The job queue: one queue of [`Job`]s on apalis, in Redis when `REDIS_URL` is set (any number of worker
//! processes), otherwise in a SQLite file of its own (durable across restarts; a job pushed in this process wakes its
//! workers at once). [`Queue::push`] enqueues; [`Queue::work`] runs workers until shutdown.

use std::{future::Future, path::PathBuf, sync::Arc, time::Duration};

use apalis::prelude::*;
use apalis_redis::RedisStorage;
use apalis_sqlite::SqliteStorage;
use async_trait::async_trait;
use gridbot_core::{BotId, Decimal};
use serde::{Deserialize, Serialize};

use crate::Settings;

mod pending;
use pending::Pending;

/// A unit of work on one bot. Every handler is idempotent: running a job twice changes nothing twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "job", rename_all = "snake_case")]
pub enum Job {
    /// Validate the grid, buy the initial inventory, place every grid order, mark the bot running.
    PlaceGrid { bot: BotId },
    /// Compare the database with the exchange, book fills, place counter-orders, repair what a crash left; `price`
    /// is the tick that triggered it (risk limits are checked at it), else the market's.
    ReconcileFills { bot: BotId, reason: String, price: Option<Decimal> },
    /// [`Job::ReconcileFills`] of each of `bots`, in one job: a price move reaching hundreds of bots costs the queue
    /// and the crash guard a few jobs, not one per bot. Each bot runs as its own reconcile would, under its own lock
    /// (one busy is sent back to the queue alone).
    ReconcileMany { bots: Vec<BotId>, reason: String, price: Option<Decimal> },
    /// Make the resting orders equal the engine's desired set.
    Rebalance { bot: BotId },
    /// Cancel every open order (and sell the base when `sell`), mark the bot stopped with `reason`.
    StopBot { bot: BotId, reason: String, sell: bool },
}

impl Job {
    /// The bot the job is about; the first of a [`Job::ReconcileMany`] (see [`Job::bots`]; bot 0 for an empty one,
    /// which runs nothing).
    pub fn bot(&self) -> BotId {
        self.bots().first().copied().unwrap_or(BotId(0))
    }
    /// Every bot the job is about.
    pub fn bots(&self) -> &[BotId] {
        match self {
            Job::PlaceGrid { bot }
            | Job::ReconcileFills { bot, .. }
            | Job::Rebalance { bot }
            | Job::StopBot { bot, .. } => std::slice::from_ref(bot),
            Job::ReconcileMany { bots, .. } => bots,
        }
    }
    /// The reconciles of a [`Job::ReconcileMany`], one per bot; nothing for another job.
    pub fn reconciles(&self) -> Vec<Job> {
        match self {
            Job::ReconcileMany { bots, reason, price } => {
                bots.iter().map(|&bot| Job::ReconcileFills { bot, reason: reason.clone(), price: *price }).collect()
            }
            _ => Vec::new(),
        }
    }
    pub fn name(&self) -> &'static str {
        match self {
            Job::PlaceGrid { .. } => "place_grid",
            Job::ReconcileFills { .. } => "reconcile_fills",
            Job::ReconcileMany { .. } => "reconcile_many",
            Job::Rebalance { .. } => "rebalance",
            Job::StopBot { .. } => "stop_bot",
        }
    }
}

/// One delivery of a job by the queue. A dead worker's task is delivered again under the same `task_id` (both
/// stores put it back as it was), so a delivery that finds a record of its own task already running knows that
/// task's process died; `attempt` is the store's count (apalis-sqlite adds one for each such return,
/// apalis-redis does not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub task_id: String,
    pub attempt: usize,
}

impl Delivery {
    /// A job run without the queue (called directly): a task id of its own, never delivered again.
    pub fn direct() -> Self {
        Delivery { task_id: format!("direct-{}", uuid::Uuid::new_v4().simple()), attempt: 0 }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("job queue (redis): {0}")]
    Redis(String),
    #[error("job queue (sqlite): {0}")]
    Sqlite(String),
}

/// What a worker does with a job. Errors are the handler's own business (retries, marking the bot `error`,
/// quarantine): a job that returns is done.
#[async_trait]
pub trait JobHandler: Send + Sync + std::fmt::Debug + 'static {
    async fn handle(&self, job: Job, delivery: Delivery);
}

#[derive(Clone)]
pub struct Queue {
    store: Store,
    pending: Pending,
}

#[derive(Clone)]
enum Store {
    Redis {
        storage: RedisStorage<Job>,
        client: redis::Client,
        /// [`Queue::push`] publishes here after every job: it wakes the idle workers. (apalis-redis 1.0 means to
        /// publish one itself, but its flag reaches its script as `true`, not the `1` the script checks.)
        available: String,
    },
    Sqlite {
        storage: SqliteStorage<Job>,
        path: PathBuf,
        /// The workers of this process: [`Queue::push`] wakes them once its job is committed.
        idle: Arc<std::sync::Mutex<Vec<tokio::sync::mpsc::Sender<()>>>>,
    },
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.store {
            Store::Redis { .. } => f.write_str("Queue::Redis"),
            Store::Sqlite { path, .. } => write!(f, "Queue::Sqlite({})", path.display()),
        }
    }
}

/// How often an idle worker looks for jobs when no push woke it (a push wakes it at once: over Redis pub/sub, or
/// in-process for SQLite).
const POLL: Duration = Duration::from_millis(50);
/// A worker that misses heartbeats this long is dead and its jobs go back to the queue.
const HEARTBEAT: Duration = Duration::from_secs(2);

impl Queue {
    /// Redis when `settings.redis_url` is set, else the SQLite file `settings.jobs_path()`.
    pub async fn connect(settings: &Settings) -> Result<Queue, QueueError> {
        match &settings.redis_url {
            Some(url) => {
                let conn = apalis_redis::connect(url.as_str()).await.map_err(|e| QueueError::Redis(e.to_string()))?;
                let client = redis::Client::open(url.as_str()).map_err(|e| QueueError::Redis(e.to_string()))?;
                let config = apalis_redis::Config::default()
                    .queue(queue_name(settings))
                    .heartbeat_interval(HEARTBEAT)
                    .missed_heartbeats(3)
                    .persist_results(false);
                let available = format!("{}:pushed", config.active_jobs_list());
                let pending =
                    Pending::Redis { conn: conn.clone(), prefix: format!("{}:reconcile-waiting:", settings.namespace) };
                let storage = RedisStorage::new(conn).with_config(config);
                Ok(Queue { store: Store::Redis { storage, client, available }, pending })
            }
            None => {
                let path = settings.jobs_path();
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| QueueError::Sqlite(format!("{}: {e}", dir.display())))?;
                }
                let storage = sqlite_storage(&path).await?;
                let storage = storage.with_config(sqlite_config(&queue_name(settings)));
                let store = Store::Sqlite { storage, path, idle: Arc::default() };
                Ok(Queue { store, pending: Pending::Local(Arc::default()) })
            }
        }
    }

    pub fn is_distributed(&self) -> bool {
        matches!(self.store, Store::Redis { .. })
    }

    /// Enqueues `job`; it is durable once this returns.
    pub async fn push(&self, job: Job) -> Result<(), QueueError> {
        self.push_all(vec![job]).await
    }

    /// Enqueues `jobs` together (one write to the store, one wake-up of the workers); durable once this returns.
    pub async fn push_all(&self, jobs: Vec<Job>) -> Result<(), QueueError> {
        if jobs.is_empty() {
            return Ok(());
        }
        for job in &jobs {
            for bot in job.bots() {
                tracing::debug!(%bot, job = job.name(), "enqueue");
            }
        }
        match &self.store {
            Store::Redis { storage, available, .. } => {
                let mut storage = storage.clone();
                storage.push_bulk(jobs).await.map_err(|e| QueueError::Redis(e.to_string()))?;
                let woken: Result<i64, _> = redis::cmd("PUBLISH")
                    .arg(available)
                    .arg(1)
                    .query_async(&mut storage.get_connection().clone())
                    .await;
                if let Err(e) = woken {
                    tracing::debug!(error = %e, "workers not woken; they poll");
                }
                Ok(())
            }
            Store::Sqlite { storage, idle, .. } => {
                storage.clone().push_bulk(jobs).await.map_err(|e| QueueError::Sqlite(e.to_string()))?;
                // A full channel already holds a wake-up; a closed one belongs to a worker that stopped.
                idle.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .retain(|w| !matches!(w.try_send(()), Err(tokio::sync::mpsc::error::TrySendError::Closed(()))));
                Ok(())
            }
        }
    }

    /// Enqueues a reconcile of `bot` unless one already waits to start, which then runs at `price` (when given)
    /// instead of its own. Returns whether a job was pushed.
    pub async fn push_reconcile(&self, bot: BotId, reason: &str, price: Option<Decimal>) -> Result<bool, QueueError> {
        Ok(self.push_reconciles(&[bot], reason, price).await? == 1)
    }

    /// [`Queue::push_reconcile`] for each of `bots`, the new reconciles written together, [`RECONCILES_PER_JOB`] to a
    /// job: a price move reaching hundreds of bots costs one write to the queue and a few jobs, not one each. Returns
    /// how many bots' reconciles were pushed.
    pub async fn push_reconciles(
        &self,
        bots: &[BotId],
        reason: &str,
        price: Option<Decimal>,
    ) -> Result<usize, QueueError> {
        let fresh = match self.pending.mark_all(bots, price).await {
            Ok(fresh) => fresh,
            Err((marked, e)) => {
                self.unmark(&marked).await;
                return Err(e);
            }
        };
        if fresh.len() < bots.len() {
            tracing::debug!(waiting = bots.len() - fresh.len(), reason, "reconciles already waiting");
        }
        let jobs = match fresh.as_slice() {
            [bot] => vec![Job::ReconcileFills { bot: *bot, reason: reason.into(), price }],
            _ => fresh
                .chunks(RECONCILES_PER_JOB)
                .map(|bots| Job::ReconcileMany { bots: bots.to_vec(), reason: reason.into(), price })
                .collect(),
        };
        if let Err(e) = self.push_all(jobs).await {
            self.unmark(&fresh).await;
            return Err(e);
        }
        Ok(fresh.len())
    }

    /// Clears the marks of reconciles that were not pushed after all, so the next trigger pushes them.
    async fn unmark(&self, bots: &[BotId]) {
        for &bot in bots {
            let _ = self.pending.take(bot).await;
        }
    }

    /// Called by the worker as a reconcile of `bot` starts, holding the bot's lock: a trigger from now on enqueues a
    /// new reconcile. Returns the newest price the waiting triggers asked for.
    pub async fn start_reconcile(&self, bot: BotId) -> Result<Option<Decimal>, QueueError> {
        self.pending.take(bot).await
    }

    /// Deletes the jobs that are over (done, killed, failed for good) from the SQLite queue and returns how many. The
    /// queue keeps them otherwise, and its table (and what reads it) would grow with the queue's age. A worker prunes
    /// as it starts and every [`PRUNE_EVERY`]. Redis keeps no finished job (`persist_results(false)`): nothing to do
    /// there.
    pub async fn prune(&self) -> Result<u64, QueueError> {
        match &self.store {
            Store::Redis { .. } => Ok(0),
            Store::Sqlite { storage, .. } => {
                let done = sqlx::query(
                    "DELETE FROM Jobs WHERE status IN ('Done', 'Killed') OR (status = 'Failed' AND attempts >= max_attempts)",
                )
                .execute(storage.pool())
                .await
                .map_err(|e| QueueError::Sqlite(e.to_string()))?;
                Ok(done.rows_affected())
            }
        }
    }

    /// How many jobs the SQLite queue holds, waiting, running or over (Redis: 0).
    pub async fn kept_jobs(&self) -> Result<u64, QueueError> {
        match &self.store {
            Store::Redis { .. } => Ok(0),
            Store::Sqlite { storage, .. } => {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM Jobs")
                    .fetch_one(storage.pool())
                    .await
                    .map_err(|e| QueueError::Sqlite(e.to_string()))?;
                Ok(u64::try_from(n).unwrap_or_default())
            }
        }
    }

    /// Whether the store answers.
    pub async fn ping(&self) -> Result<(), QueueError> {
        match &self.store {
            Store::Redis { storage, .. } => {
                let mut conn = storage.clone().get_connection().clone();
                redis::cmd("PING")
                    .query_async::<String>(&mut conn)
                    .await
                    .map_err(|e| QueueError::Redis(e.to_string()))?;
            }
            Store::Sqlite { storage, .. } => {
                storage.pool().acquire().await.map_err(|e| QueueError::Sqlite(e.to_string()))?;
            }
        }
        Ok(())
    }

    /// Runs one worker named `name` plus a random suffix, taking up to `concurrency` jobs at once, until `shutdown`
    /// resolves; jobs in flight then finish before this returns. (The suffix: the queue refuses a name whose last
    /// holder still looks alive, so a worker restarted after a crash must not reuse it; the dead one's jobs go back to
    /// the queue once its heartbeats stop.)
    pub async fn work(
        &self,
        name: &str,
        concurrency: usize,
        handler: Arc<dyn JobHandler>,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), QueueError> {
        let signal = async move {
            shutdown.await;
            Ok::<(), std::io::Error>(())
        };
        let name = format!("{name}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let name = name.as_str();
        match &self.store {
            Store::Redis { storage, client, available } => {
                let woken = wake_on_push(client, available);
                let strategy = Strategy::new().interval(POLL).stream(woken);
                WorkerBuilder::new(name)
                    .backend(storage.clone().poll_with_strategy(strategy))
                    .data(handler)
                    .concurrency(concurrency.max(1))
                    .build(dispatch)
                    .run_until(signal)
                    .await
                    .map_err(|e| QueueError::Redis(e.to_string()))
            }
            Store::Sqlite { storage, idle, .. } => {
                let (tx, rx) = tokio::sync::mpsc::channel(1);
                idle.lock().unwrap_or_else(|p| p.into_inner()).push(tx);
                let strategy = Strategy::new().interval(POLL).stream(Woken(rx));
                let pruner = tokio::spawn(prune_every(self.clone(), PRUNE_EVERY));
                let worked = WorkerBuilder::new(name)
                    .backend(storage.clone().poll_with_strategy(strategy))
                    .data(handler)
                    .concurrency(concurrency.max(1))
                    .build(dispatch)
                    .run_until(signal)
                    .await
                    .map_err(|e| QueueError::Sqlite(e.to_string()));
                pruner.abort();
                worked
            }
        }
    }
}

/// How many bots' reconciles one job runs when a trigger reaches many ([`Job::ReconcileMany`]): small enough that a
/// move's jobs spread over every worker's slots, large enough that the queue and the crash guard cost a few jobs a
/// move.
pub const RECONCILES_PER_JOB: usize = 16;

/// How often a worker on the SQLite queue deletes the jobs that are over ([`Queue::prune`]): the queue's table and its
/// eight indexes then hold about a second's jobs. A prune is an indexed delete.
pub const PRUNE_EVERY: Duration = Duration::from_secs(1);

/// Prunes `queue` now and every `every`, until aborted; a failure is logged and tried again next time.
async fn prune_every(queue: Queue, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    loop {
        ticks.tick().await;
        match queue.prune().await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(jobs = n, "finished jobs pruned from the queue"),
            Err(e) => tracing::warn!(error = %e, "finished jobs not pruned; next time"),
        }
    }
}

/// Yields whenever [`Queue::push`] announces a job on `channel` (Redis pub/sub), so an idle worker starts it at once
/// instead of at its next poll. Resubscribes after a lost connection; the poll interval covers the gap.
fn wake_on_push(client: &redis::Client, channel: &str) -> Woken {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let (client, channel) = (client.clone(), channel.to_owned());
    tokio::spawn(async move {
        while !tx.is_closed() {
            match client.get_async_pubsub().await {
                Ok(mut pubsub) => {
                    if pubsub.subscribe(&channel).await.is_ok() {
                        let mut messages = pubsub.into_on_message();
                        while futures_util::StreamExt::next(&mut messages).await.is_some() {
                            if let Err(tokio::sync::mpsc::error::TrySendError::Closed(())) = tx.try_send(()) {
                                return;
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "job queue wake-up channel lost; polling meanwhile"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    Woken(rx)
}

/// The wake-ups of [`wake_on_push`], or of [`Queue::push`] in this process; never ends while the worker runs.
struct Woken(tokio::sync::mpsc::Receiver<()>);

impl futures_util::Stream for Woken {
    type Item = ();
    fn poll_next(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<()>> {
        self.0.poll_recv(cx)
    }
}

/// The queue's SQLite file, committing as the database does ([`crate::db::sqlite_commits`]: a job survives the
/// process crashing). apalis's setup sets `synchronous = OFF` on the connection it runs on: it gets a
/// pool of its own.
async fn sqlite_storage(path: &std::path::Path) -> Result<SqliteStorage<Job>, QueueError> {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    let err = |e: &dyn std::fmt::Display| QueueError::Sqlite(format!("{}: {e}", path.display()));
    let options =
        SqliteConnectOptions::new().filename(path).create_if_missing(true).busy_timeout(Duration::from_secs(5));
    let options = crate::db::sqlite_commits(options);
    let setup = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await.map_err(|e| err(&e))?;
    SqliteStorage::setup(&setup).await.map_err(|e| err(&e))?;
    plan_acknowledgements_by_id(&setup).await.map_err(|e| err(&e))?;
    setup.close().await;
    // One connection, as for the database (crate::db::connect): the queue's writers (pushes, fetches, acknowledgements,
    // heartbeats) take turns in the pool instead of in SQLite's sleeping busy handler, and apalis's transactions,
    // which read before they write, never find the lock taken by another connection of this process.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .map_err(|e| err(&e))?;
    Ok(SqliteStorage::new(&pool))
}

/// apalis-sqlite's acknowledgement (`queries/task/ack.sql`: an `UPDATE Jobs … FROM json_each(?1)` on `Jobs.id` and
/// `Jobs.lock_by`) is planned by SQLite, without statistics, as a search of `Jobs` by `lock_by` — every job the worker
/// holds, done ones included — with the acknowledged batch parsed again for each: in a thousand bots' price move that
/// parsing was a quarter of the process's CPU (perf: SQLite's JSON functions on the queue's connection), and it grows
/// with the jobs the queue holds. Statistics that say what is true of a queue's workers — `lock_by` tells few jobs
/// apart — make SQLite read the batch once and look each job up by id instead: the plan of the upstream fix
/// (`AND Jobs.id IN (SELECT task_id FROM j)`), without a fork. Connections opened afterwards plan with them.
async fn plan_acknowledgements_by_id(pool: &sqlx::SqlitePool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    // Creates `sqlite_stat1` when missing, reading no table.
    sqlx::query("ANALYZE sqlite_schema").execute(&mut *tx).await?;
    sqlx::query("DELETE FROM sqlite_stat1 WHERE tbl = 'Jobs' AND idx = 'LIdx'").execute(&mut *tx).await?;
    sqlx::query("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('Jobs', 'LIdx', '1000000 1000000')")
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

fn sqlite_config(queue: &str) -> apalis_sqlite::Config {
    apalis_sqlite::Config::default().queue(queue).heartbeat_interval(HEARTBEAT)
}

/// The queue's name in either store: `{namespace}:jobs`.
fn queue_name(settings: &Settings) -> String {
    format!("{}:jobs", settings.namespace)
}

async fn dispatch(
    job: Job,
    handler: Data<Arc<dyn JobHandler>>,
    id: Option<TaskId>,
    attempt: Attempt,
) -> Result<(), BoxDynError> {
    let delivery = match id {
        Some(id) => Delivery { task_id: id.to_string(), attempt: attempt.current() },
        None => {
            tracing::warn!(bot = %job.bot(), job = job.name(), "the queue gave the job no task id");
            Delivery::direct()
        }
    };
    // On the runtime's worker threads: the worker's own future is polled wherever its owner runs it (`serve` joins
    // it on the main thread), and a thousand bots' jobs on one thread wait for each other.
    let handler = Arc::clone(&handler);
    let (bot, name) = (job.bot(), job.name());
    if let Err(e) = tokio::spawn(async move { handler.handle(job, delivery).await }).await {
        tracing::error!(%bot, job = name, error = %e, "job task ended abnormally");
    }
    Ok(())
}
