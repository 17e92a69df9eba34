//! The job queue: one queue of [`Job`]s on apalis, in Redis when `REDIS_URL` is set (any number of worker
//! processes), otherwise in a SQLite file of its own (durable across restarts, woken by SQLite's update hook so a job
//! pushed in this process starts at once). [`Queue::push`] enqueues; [`Queue::work`] runs workers until shutdown.

use std::{future::Future, path::PathBuf, sync::Arc, time::Duration};

use apalis::prelude::*;
use apalis_redis::RedisStorage;
use apalis_sqlite::{SqliteStorage, callback::HookCallbackListener};
use async_trait::async_trait;
use gridbot_core::{BotId, Decimal};
use serde::{Deserialize, Serialize};

use crate::Settings;

/// A unit of work on one bot. Every handler is idempotent: running a job twice changes nothing twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "job", rename_all = "snake_case")]
pub enum Job {
    /// Validate the grid, buy the initial inventory, place every grid order, mark the bot running.
    PlaceGrid { bot: i64 },
    /// Compare the database with the exchange, book fills, place counter-orders, repair what a crash left; `price`
    /// is the tick that triggered it (risk limits are checked at it), else the market's.
    ReconcileFills { bot: i64, reason: String, price: Option<Decimal> },
    /// Make the resting orders equal the engine's desired set.
    Rebalance { bot: i64 },
    /// Cancel every open order (and sell the base when `sell`), mark the bot stopped with `reason`.
    StopBot { bot: i64, reason: String, sell: bool },
}

impl Job {
    pub fn bot(&self) -> BotId {
        match self {
            Job::PlaceGrid { bot }
            | Job::ReconcileFills { bot, .. }
            | Job::Rebalance { bot }
            | Job::StopBot { bot, .. } => BotId(*bot),
        }
    }
    pub fn name(&self) -> &'static str {
        match self {
            Job::PlaceGrid { .. } => "place_grid",
            Job::ReconcileFills { .. } => "reconcile_fills",
            Job::Rebalance { .. } => "rebalance",
            Job::StopBot { .. } => "stop_bot",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("job queue (redis): {0}")]
    Redis(String),
    #[error("job queue (sqlite): {0}")]
    Sqlite(String),
}

/// What a worker does with a job. Errors are the handler's own business (retries, marking the bot `error`): a job
/// that returns is done.
#[async_trait]
pub trait JobHandler: Send + Sync + std::fmt::Debug + 'static {
    async fn handle(&self, job: Job);
}

#[derive(Clone)]
pub enum Queue {
    Redis(RedisStorage<Job>),
    Sqlite {
        storage: SqliteStorage<Job>,
        path: PathBuf,
        /// Wakes the first worker of this process when a job is written; later workers poll.
        listener: Arc<std::sync::Mutex<Option<HookCallbackListener>>>,
    },
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Queue::Redis(_) => f.write_str("Queue::Redis"),
            Queue::Sqlite { path, .. } => write!(f, "Queue::Sqlite({})", path.display()),
        }
    }
}

/// How often an idle worker looks for jobs in Redis (pushes in this process wake it at once in SQLite).
const POLL: Duration = Duration::from_millis(5);
/// A worker that misses heartbeats this long is dead and its jobs go back to the queue.
const HEARTBEAT: Duration = Duration::from_secs(2);

impl Queue {
    /// Redis when `settings.redis_url` is set, else the SQLite file `settings.jobs_path()`.
    pub async fn connect(settings: &Settings) -> Result<Queue, QueueError> {
        match &settings.redis_url {
            Some(url) => {
                let conn = apalis_redis::connect(url.as_str()).await.map_err(|e| QueueError::Redis(e.to_string()))?;
                let config = apalis_redis::Config::default()
                    .queue(queue_name(settings))
                    .heartbeat_interval(HEARTBEAT)
                    .missed_heartbeats(3)
                    .persist_results(false);
                Ok(Queue::Redis(RedisStorage::new(conn).with_config(config)))
            }
            None => {
                let path = settings.jobs_path();
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| QueueError::Sqlite(format!("{}: {e}", dir.display())))?;
                }
                let url = format!("sqlite://{}?mode=rwc", path.display());
                let (pool, listener) =
                    SqliteStorage::connect_with_callback(&url).map_err(|e| QueueError::Sqlite(e.to_string()))?;
                SqliteStorage::setup(&pool).await.map_err(|e| QueueError::Sqlite(e.to_string()))?;
                let storage = SqliteStorage::new(&pool).with_config(sqlite_config(&queue_name(settings)));
                Ok(Queue::Sqlite { storage, path, listener: Arc::new(std::sync::Mutex::new(Some(listener))) })
            }
        }
    }

    pub fn is_distributed(&self) -> bool {
        matches!(self, Queue::Redis(_))
    }

    /// Enqueues `job`; it is durable once this returns.
    pub async fn push(&self, job: Job) -> Result<(), QueueError> {
        tracing::debug!(bot = %job.bot(), job = job.name(), "enqueue");
        match self {
            Queue::Redis(s) => s.clone().push(job).await.map_err(|e| QueueError::Redis(e.to_string())),
            Queue::Sqlite { storage, .. } => {
                storage.clone().push(job).await.map_err(|e| QueueError::Sqlite(e.to_string()))?;
                Ok(())
            }
        }
    }

    /// Whether the store answers.
    pub async fn ping(&self) -> Result<(), QueueError> {
        match self {
            Queue::Redis(s) => {
                let mut conn = s.clone().get_connection().clone();
                redis::cmd("PING")
                    .query_async::<String>(&mut conn)
                    .await
                    .map_err(|e| QueueError::Redis(e.to_string()))?;
            }
            Queue::Sqlite { storage, .. } => {
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
        match self {
            Queue::Redis(s) => WorkerBuilder::new(name)
                .backend(s.clone().poll_with_interval(POLL))
                .data(handler)
                .concurrency(concurrency.max(1))
                .build(dispatch)
                .run_until(signal)
                .await
                .map_err(|e| QueueError::Redis(e.to_string())),
            Queue::Sqlite { storage, listener, .. } => {
                let listener = listener.lock().unwrap_or_else(|p| p.into_inner()).take();
                let mut strategy = Strategy::new().interval(Duration::from_millis(50));
                if let Some(listener) = listener {
                    strategy = strategy.stream(futures_util::StreamExt::ready_chunks(listener, 16));
                }
                WorkerBuilder::new(name)
                    .backend(storage.clone().poll_with_strategy(strategy))
                    .data(handler)
                    .concurrency(concurrency.max(1))
                    .build(dispatch)
                    .run_until(signal)
                    .await
                    .map_err(|e| QueueError::Sqlite(e.to_string()))
            }
        }
    }
}

fn sqlite_config(queue: &str) -> apalis_sqlite::Config {
    apalis_sqlite::Config::default().queue(queue).heartbeat_interval(HEARTBEAT)
}

/// The queue's name in either store: `{namespace}:jobs`.
fn queue_name(settings: &Settings) -> String {
    format!("{}:jobs", settings.namespace)
}

async fn dispatch(job: Job, handler: Data<Arc<dyn JobHandler>>) -> Result<(), BoxDynError> {
    handler.handle(job).await;
    Ok(())
}
