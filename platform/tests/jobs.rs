//! The job queue, on the SQLite queue and on Redis (127.0.0.1:6379). Reconcile coalescing: while a reconcile of a
//! bot waits, triggers only update the price it will run at; once a worker starts it, the next trigger enqueues anew.
//! Re-delivery: a worker that dies inside a job leaves its task to the queue, which delivers it again to another
//! worker under the same task id (what the worker's quarantine recognises it by).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use async_trait::async_trait;
use gridbot_core::BotId;
use gridbot_platform::{Delivery, Job, JobHandler, Queue, RECONCILES_PER_JOB, Settings};
use rust_decimal_macros::dec;

#[derive(Debug, Default)]
struct Recorder(Mutex<Vec<Job>>);

#[async_trait]
impl JobHandler for Recorder {
    async fn handle(&self, job: Job, _delivery: Delivery) {
        self.0.lock().unwrap().push(job);
    }
}

/// Records each delivery; the first one never ends (its worker dies inside it).
#[derive(Debug, Default)]
struct DiesInside(Mutex<Vec<Delivery>>);

#[async_trait]
impl JobHandler for DiesInside {
    async fn handle(&self, _job: Job, delivery: Delivery) {
        let first = {
            let mut seen = self.0.lock().unwrap();
            seen.push(delivery);
            seen.len() == 1
        };
        if first {
            std::future::pending::<()>().await;
        }
    }
}

async fn delivered(handler: &DiesInside, n: usize, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    while handler.0.lock().unwrap().len() < n {
        assert!(tokio::time::Instant::now() < deadline, "delivery {n} did not come");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn redelivery(settings: Settings) {
    let queue = Queue::connect(&settings).await.expect("queue");
    queue.push(Job::PlaceGrid { bot: BotId(5) }).await.unwrap();
    let handler = Arc::new(DiesInside::default());
    // The first worker takes the job and dies inside it: its future is dropped, so no shutdown, no heartbeat.
    let dies = queue.work("dies", 1, Arc::clone(&handler) as Arc<dyn JobHandler>, std::future::pending());
    tokio::select! {
        r = dies => panic!("the worker stopped by itself: {r:?}"),
        () = delivered(&handler, 1, Duration::from_secs(10)) => {}
    }
    // Another worker gets the task again once the dead one's heartbeats are overdue.
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let work = queue.work("lives", 1, Arc::clone(&handler) as Arc<dyn JobHandler>, async {
        let _ = stopped.await;
    });
    let watch = async {
        delivered(&handler, 2, Duration::from_secs(30)).await;
        let _ = stop.send(());
    };
    let (worked, ()) = tokio::join!(work, watch);
    worked.unwrap();
    let seen = handler.0.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0].task_id, seen[1].task_id, "delivered again under the same task id");
    assert!(!seen[0].task_id.is_empty() && !seen[0].task_id.starts_with("direct-"), "{seen:?}");
}

async fn coalescing(settings: Settings) {
    let queue = Queue::connect(&settings).await.expect("queue");
    assert!(queue.push_reconcile(BotId(7), "price", Some(dec!(100))).await.unwrap(), "the first trigger enqueues");
    assert!(!queue.push_reconcile(BotId(7), "execution report", Some(dec!(101))).await.unwrap(), "coalesced");
    assert!(!queue.push_reconcile(BotId(7), "user stream gap", None).await.unwrap(), "coalesced");
    assert!(queue.push_reconcile(BotId(8), "price", None).await.unwrap(), "another bot has its own");
    // The worker starts bot 7's reconcile: the newest price asked for (a trigger with none keeps it).
    assert_eq!(queue.start_reconcile(BotId(7)).await.unwrap(), Some(dec!(101)));
    assert_eq!(queue.start_reconcile(BotId(7)).await.unwrap(), None, "taken once");
    assert!(
        queue.push_reconcile(BotId(7), "price", Some(dec!(99))).await.unwrap(),
        "after the start, a trigger enqueues"
    );

    // Exactly three jobs reached the queue.
    let (got, jobs) = reconciles_run(&queue, 3).await;
    assert_eq!(got, vec![(7, Some(dec!(99))), (7, Some(dec!(100))), (8, None)]);
    assert_eq!(jobs, 3);
}

/// The reconciles of a price move reaching many bots go to the queue in one write, each coalesced as one would be.
async fn bulk_coalescing(settings: Settings) {
    let queue = Queue::connect(&settings).await.expect("queue");
    assert_eq!(queue.push_reconciles(&[], "price", None).await.unwrap(), 0);
    assert!(queue.push_reconcile(BotId(8), "price", Some(dec!(100))).await.unwrap());
    let bots = [BotId(7), BotId(8), BotId(9)];
    assert_eq!(queue.push_reconciles(&bots, "price", Some(dec!(102))).await.unwrap(), 2, "bot 8's was waiting");
    assert_eq!(queue.push_reconciles(&bots, "price", None).await.unwrap(), 0, "all three wait now");
    assert_eq!(queue.start_reconcile(BotId(8)).await.unwrap(), Some(dec!(102)), "bot 8's runs at the newest price");
    let (got, jobs) = reconciles_run(&queue, 3).await;
    assert_eq!(got, vec![(7, Some(dec!(102))), (8, Some(dec!(100))), (9, Some(dec!(102)))]);
    assert_eq!(jobs, 2, "bot 8's alone, then one job for the move's two new reconciles");
}

/// A move reaching more bots than one job runs is split over several jobs, every bot's reconcile in exactly one.
async fn bulk_split(settings: Settings) {
    let queue = Queue::connect(&settings).await.expect("queue");
    let n = RECONCILES_PER_JOB * 2 + 3;
    let bots: Vec<BotId> = (1..=n as i64).map(BotId).collect();
    assert_eq!(queue.push_reconciles(&bots, "price", Some(dec!(5))).await.unwrap(), n);
    let (got, jobs) = reconciles_run(&queue, n).await;
    assert_eq!(got, bots.iter().map(|b| (b.0, Some(dec!(5)))).collect::<Vec<_>>());
    assert_eq!(jobs, 3);
}

/// A move reaching more bots than Redis marks in one call (500): every bot is marked once, the second push finds
/// them all waiting, and each mark holds the newest price.
async fn many_marks(settings: Settings) {
    let queue = Queue::connect(&settings).await.expect("queue");
    let bots: Vec<BotId> = (1..=1_203).map(BotId).collect();
    assert!(queue.push_reconcile(BotId(600), "price", Some(dec!(1))).await.unwrap());
    assert_eq!(queue.push_reconciles(&bots, "price", Some(dec!(2))).await.unwrap(), 1_202, "bot 600's was waiting");
    assert_eq!(queue.push_reconciles(&bots, "price", None).await.unwrap(), 0, "all of them wait now");
    for bot in [1, 500, 501, 600, 1_001, 1_203] {
        assert_eq!(queue.start_reconcile(BotId(bot)).await.unwrap(), Some(dec!(2)), "bot {bot}");
    }
    assert_eq!(queue.push_reconciles(&bots[..2], "price", None).await.unwrap(), 1, "bot 1 was started: a new one");
}

/// Runs a worker until it has handled `n` reconciles (and a little longer, to see any extra one); the reconciles it
/// ran, sorted (a batch's one per bot), and how many jobs they came in. (The worker's future is not `Send` in
/// general: joined, not spawned.)
async fn reconciles_run(queue: &Queue, n: usize) -> (Vec<(i64, Option<rust_decimal::Decimal>)>, usize) {
    let recorder = Arc::new(Recorder::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handler: Arc<dyn JobHandler> = Arc::clone(&recorder) as Arc<dyn JobHandler>;
    let work = queue.work("coalesce-test", 1, handler, async {
        let _ = stopped.await;
    });
    let watch = async {
        for _ in 0..100 {
            if recorder.0.lock().unwrap().iter().map(|j| j.bots().len()).sum::<usize>() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let _ = stop.send(());
    };
    let (worked, ()) = tokio::join!(work, watch);
    worked.unwrap();
    let jobs = recorder.0.lock().unwrap().clone();
    let mut got: Vec<(i64, Option<rust_decimal::Decimal>)> = jobs
        .iter()
        .flat_map(|j| match j {
            Job::ReconcileFills { bot, price, .. } => vec![(bot.0, *price)],
            Job::ReconcileMany { bots, price, .. } => bots.iter().map(|b| (b.0, *price)).collect(),
            other => panic!("unexpected job {other:?}"),
        })
        .collect();
    got.sort();
    (got, jobs.len())
}

/// A reconcile that never starts (its job lost) does not silence the bot: after a few seconds a trigger enqueues again.
async fn lost_reconcile(settings: Settings) {
    let queue = Queue::connect(&settings).await.expect("queue");
    assert!(queue.push_reconcile(BotId(3), "price", None).await.unwrap());
    assert!(!queue.push_reconcile(BotId(3), "price", None).await.unwrap());
    tokio::time::sleep(Duration::from_millis(5200)).await;
    assert!(queue.push_reconcile(BotId(3), "price", None).await.unwrap(), "the mark of a job never started expires");
}

fn sqlite() -> (tempfile::TempDir, Settings) {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::sqlite(&dir.path().join("gridbot.db"));
    settings.jobs_db = Some(dir.path().join("jobs.db"));
    (dir, settings)
}

fn redis() -> Settings {
    let ns = format!("gbtest-{}", uuid::Uuid::new_v4().simple());
    Settings::postgres("postgres://postgres@127.0.0.1:5432/unused")
        .with_redis("redis://127.0.0.1:6379/")
        .with_namespace(&ns)
}

#[tokio::test]
async fn reconciles_coalesce_on_the_sqlite_queue() {
    let (_dir, settings) = sqlite();
    coalescing(settings).await;
}

#[tokio::test]
async fn reconciles_coalesce_on_redis() {
    coalescing(redis()).await;
}

#[tokio::test]
async fn reconciles_pushed_together_coalesce_on_the_sqlite_queue() {
    let (_dir, settings) = sqlite();
    bulk_coalescing(settings).await;
}

#[tokio::test]
async fn reconciles_pushed_together_coalesce_on_redis() {
    bulk_coalescing(redis()).await;
}

#[tokio::test]
async fn a_move_reaching_a_thousand_bots_marks_each_once_on_the_sqlite_queue() {
    let (_dir, settings) = sqlite();
    many_marks(settings).await;
}

#[tokio::test]
async fn a_move_reaching_a_thousand_bots_marks_each_once_on_redis() {
    many_marks(redis()).await;
}

#[tokio::test]
async fn a_big_move_is_split_over_jobs_on_the_sqlite_queue() {
    let (_dir, settings) = sqlite();
    bulk_split(settings).await;
}

#[tokio::test]
async fn a_big_move_is_split_over_jobs_on_redis() {
    bulk_split(redis()).await;
}

#[tokio::test]
async fn a_dead_workers_task_comes_back_under_its_id_on_the_sqlite_queue() {
    let (_dir, settings) = sqlite();
    redelivery(settings).await;
}

#[tokio::test]
async fn a_dead_workers_task_comes_back_under_its_id_on_redis() {
    redelivery(redis()).await;
}

#[tokio::test]
async fn a_lost_reconcile_expires_on_the_sqlite_queue() {
    let (_dir, settings) = sqlite();
    lost_reconcile(settings).await;
}

#[tokio::test]
async fn a_lost_reconcile_expires_on_redis() {
    lost_reconcile(redis()).await;
}

/// The SQLite queue does not keep what it finished: waiting jobs stay, finished ones are pruned.
#[tokio::test]
async fn finished_jobs_are_pruned_from_the_sqlite_queue() {
    let (_dir, settings) = sqlite();
    let queue = Queue::connect(&settings).await.expect("queue");
    for bot in 0..30 {
        queue.push(Job::Rebalance { bot: BotId(bot) }).await.unwrap();
    }
    assert_eq!(queue.prune().await.unwrap(), 0, "waiting jobs are kept");
    assert_eq!(queue.kept_jobs().await.unwrap(), 30);
    let handler = Arc::new(Recorder::default());
    let work = queue.work("pruned", 2, Arc::clone(&handler) as Arc<dyn JobHandler>, std::future::pending());
    let pruned = async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let handled = handler.0.lock().unwrap().len();
            queue.prune().await.unwrap();
            let kept = queue.kept_jobs().await.unwrap();
            if handled == 30 && kept == 0 {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "{handled} handled, {kept} kept");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::select! {
        r = work => panic!("the worker stopped by itself: {r:?}"),
        () = pruned => {}
    }
}

/// The plan of apalis-sqlite 1.0's acknowledgement (`queries/task/ack.sql`, as it sends it).
const ACK_PLAN: &str = "EXPLAIN QUERY PLAN WITH j AS (SELECT value ->> 'task_id' AS task_id, value ->> 'attempt' AS attempt, \
    value ->> 'result' AS result, value ->> 'status' AS status FROM json_each(?1)) \
    UPDATE Jobs SET status = j.status, attempts = j.attempt, last_result = j.result, done_at = strftime('%s', 'now') \
    FROM j WHERE Jobs.id = j.task_id AND Jobs.lock_by = ?2";

/// An acknowledgement looks each acknowledged job up by id, whatever the queue holds: not every job its worker holds,
/// with the batch parsed again for each (its cost grew with the queue's jobs), on a new queue file and on one opened
/// again.
#[tokio::test]
async fn the_sqlite_queue_acknowledges_jobs_by_id() {
    let (_dir, settings) = sqlite();
    for _ in 0..2 {
        let queue = Queue::connect(&settings).await.unwrap();
        queue.push_reconcile(BotId(1), "price", None).await.unwrap();
        let path = settings.jobs_path();
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
        let plan: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(ACK_PLAN).bind("[]").bind("worker").fetch_all(&pool).await.unwrap();
        let steps: Vec<&str> = plan.iter().map(|(.., step)| step.as_str()).collect();
        assert!(steps.iter().any(|s| s.starts_with("SEARCH Jobs") && s.contains("(id=?)")), "{steps:?}");
        assert!(!steps.iter().any(|s| s.contains("LIdx")), "{steps:?}");
        pool.close().await;
    }
}
