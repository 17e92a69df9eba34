//! The quarantine: a job that fails its last retry, or whose task is delivered again after the worker running it
//! died, lands in `dead_jobs` with its bot marked `error` and the reason; the latter is not run again, not even sent
//! back to the queue when its bot's lock is busy. Starting the bot afterwards is a normal start in a new generation.

use gridbot_core::ClientOrderId;
use gridbot_platform::{
    Delivery, Job, JobHandler,
    db::types::{BotMode, BotStatus, DeadJobKind, OrderStatus},
};
use gridbot_worker::Handler;
use rust_decimal_macros::dec;
use serde_json::{Value, json};

use crate::grid::config;
use crate::harness::{Backend, Stack};

/// The client order ids the simulator accepted or refused, in order.
async fn sim_orders(stack: &Stack) -> Vec<String> {
    let log: Vec<Value> =
        stack.http.get(format!("{}/sim/orders", stack.sim.rest_url)).send().await.unwrap().json().await.unwrap();
    log.iter()
        .filter(|e| e["action"] == "new")
        .filter_map(|e| e["client_order_id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_job_failing_its_last_retry_is_quarantined_and_the_bot_starts_again() {
    let stack = Stack::start(Backend::Sqlite, 1).await;
    stack.price(dec!(100000)).await;
    let user = stack.user().await;
    let bot = stack.bot(user, BotMode::Live, config()).await;
    // Every REST call answers 5xx: place_grid is retried with backoff, then fails for good.
    stack.control("/sim/faults", json!({"fail_rate": 1.0})).await;
    gridbot_app::commands::start(&stack.ctx, &bot).await.unwrap();
    stack.until(60, "the bot to fail", || async { stack.status(bot.id).await == BotStatus::Error }).await;
    let failed = stack.db().bots().get(bot.id).await.unwrap();
    let reason = failed.stop_reason.clone().unwrap();
    assert!(reason.starts_with("place_grid failed: "), "{reason}");

    let dead = stack.db().dead_jobs().list_for_user(user, None, 10).await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    let d = &dead[0];
    assert_eq!((d.bot, d.user_id, d.job_name.as_str(), d.kind), (bot.id, user, "place_grid", DeadJobKind::Failed));
    assert_eq!(d.reason, reason, "the dead list and the card give one reason");
    assert_eq!(d.job, json!({"job": "place_grid", "bot": bot.id.0}));
    let task = d.task_id.as_deref().expect("a queued job has its task id");
    assert!(stack.db().running_jobs().get(task).await.unwrap().is_none(), "its run's record is gone");
    assert!(stack.db().dead_jobs().list_for_user(user + 1, None, 10).await.unwrap().is_empty(), "another user's");

    stack.control("/sim/faults", json!({"fail_rate": 0.0})).await;
    stack.run_bot(&failed).await;
    let running = stack.db().bots().get(bot.id).await.unwrap();
    assert_eq!((running.status, running.generation, running.stop_reason), (BotStatus::Running, 2, None));
    assert_eq!(stack.db().dead_jobs().list_for_user(user, None, 10).await.unwrap().len(), 1);
    stack.shutdown().await;
}

async fn crashed_task_is_not_run(backend: Backend) {
    let stack = Stack::start(backend, 0).await;
    stack.price(dec!(100000)).await;
    let user = stack.user().await;
    let bot = stack.bot(user, BotMode::Live, config()).await;
    gridbot_app::commands::start(&stack.ctx, &bot).await.unwrap();
    // A worker that died inside this task left its record; the queue now delivers the task again.
    let task = format!("redelivered-{}", uuid::Uuid::new_v4().simple());
    let found = stack.db().running_jobs().begin(&task, bot.id, "place_grid", "pid1-dead").await.unwrap();
    assert_eq!(found, None, "the first delivery's record is written");
    let job = Job::PlaceGrid { bot: bot.id };
    let worker = Handler::new(stack.ctx.clone());
    worker.handle(job.clone(), Delivery { task_id: task.clone(), attempt: 2 }).await;

    let b = stack.db().bots().get(bot.id).await.unwrap();
    let reason = "place_grid was running when its process stopped; not replayed";
    assert_eq!((b.status, b.stop_reason.as_deref()), (BotStatus::Error, Some(reason)));
    assert!(stack.db().orders().list_for_bot(bot.id).await.unwrap().is_empty(), "the job did not run");
    assert!(sim_orders(&stack).await.is_empty(), "no order reached the exchange");
    let dead = stack.db().dead_jobs().list_for_user(user, None, 10).await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!((dead[0].kind, dead[0].reason.as_str()), (DeadJobKind::Crashed, reason));
    assert_eq!(dead[0].task_id.as_deref(), Some(task.as_str()));
    assert!(stack.db().running_jobs().get(&task).await.unwrap().is_none(), "the record is cleared");

    // Started again: a new generation, placed as any start is.
    gridbot_app::commands::start(&stack.ctx, &b).await.unwrap();
    worker.handle(job, Delivery::direct()).await;
    let b = stack.db().bots().get(bot.id).await.unwrap();
    assert_eq!((b.status, b.generation), (BotStatus::Running, 2));
    let resting = stack.db().orders().list_with_status(bot.id, &[OrderStatus::Open]).await.unwrap();
    assert_eq!(resting.len(), 10, "the grid rests");
    let prefix = ClientOrderId::generation_prefix(bot.id, 2);
    let sent = sim_orders(&stack).await;
    assert!(!sent.is_empty() && sent.iter().all(|id| id.starts_with(&prefix)), "{sent:?}");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_task_redelivered_after_its_worker_died_is_quarantined_not_run_on_sqlite() {
    crashed_task_is_not_run(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_task_redelivered_after_its_worker_died_is_quarantined_not_run_on_postgres() {
    crashed_task_is_not_run(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_redelivered_task_that_finds_its_bot_locked_is_quarantined_not_sent_back() {
    let stack = Stack::start(Backend::Sqlite, 0).await;
    stack.price(dec!(100000)).await;
    let user = stack.user().await;
    let bot = stack.bot(user, BotMode::Live, config()).await;
    gridbot_app::commands::start(&stack.ctx, &bot).await.unwrap();
    let task = format!("redelivered-{}", uuid::Uuid::new_v4().simple());
    stack.db().running_jobs().begin(&task, bot.id, "place_grid", "pid1-dead").await.unwrap();
    let held = stack.ctx.locks.bot(bot.id, std::time::Duration::from_secs(1)).await.unwrap().expect("the lock");
    let worker = Handler::new(stack.ctx.clone()).with_lock_wait(std::time::Duration::from_millis(100));
    worker.handle(Job::PlaceGrid { bot: bot.id }, Delivery { task_id: task.clone(), attempt: 2 }).await;
    drop(held);

    let b = stack.db().bots().get(bot.id).await.unwrap();
    let reason = "place_grid was running when its process stopped; not replayed";
    assert_eq!((b.status, b.stop_reason.as_deref()), (BotStatus::Error, Some(reason)));
    let dead = stack.db().dead_jobs().list_for_user(user, None, 10).await.unwrap();
    assert_eq!(dead.iter().map(|d| d.kind).collect::<Vec<_>>(), vec![DeadJobKind::Crashed]);
    assert!(stack.db().running_jobs().get(&task).await.unwrap().is_none());
    // A task with no record, meeting a busy lock, only goes back to the queue.
    let other = stack.bot(user, BotMode::Live, config()).await;
    gridbot_app::commands::start(&stack.ctx, &other).await.unwrap();
    let held = stack.ctx.locks.bot(other.id, std::time::Duration::from_secs(1)).await.unwrap().expect("the lock");
    worker.handle(Job::PlaceGrid { bot: other.id }, Delivery::direct()).await;
    drop(held);
    assert_eq!(stack.status(other.id).await, BotStatus::Starting);
    assert_eq!(stack.db().dead_jobs().list_for_user(user, None, 10).await.unwrap().len(), 1);
    stack.shutdown().await;
}

/// A batch of reconciles delivered again after its worker died inside it is not replayed, and its bots are not
/// quarantined for it: each goes back to the queue alone (where a crash it causes again is its own). A bot of a batch
/// whose lock is busy goes back alone too, without holding the batch.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_redelivered_after_its_worker_died_sends_each_bot_back_alone() {
    let stack = Stack::start(Backend::Sqlite, 0).await;
    stack.price(dec!(100000)).await;
    let user = stack.user().await;
    let a = stack.bot(user, BotMode::Paper, config()).await;
    let b = stack.bot(user, BotMode::Paper, config()).await;
    let batch = Job::ReconcileMany { bots: vec![a.id, b.id], reason: "price".into(), price: None };
    let task = format!("redelivered-{}", uuid::Uuid::new_v4().simple());
    stack.db().running_jobs().begin(&task, a.id, "reconcile_many", "pid1-dead").await.unwrap();
    let before = stack.ctx.queue.kept_jobs().await.unwrap();
    let worker = Handler::new(stack.ctx.clone());
    worker.handle(batch.clone(), Delivery { task_id: task.clone(), attempt: 2 }).await;

    assert!(stack.db().dead_jobs().list_for_user(user, None, 10).await.unwrap().is_empty(), "nothing quarantined");
    for bot in [a.id, b.id] {
        assert_ne!(stack.status(bot).await, BotStatus::Error);
    }
    assert!(stack.db().running_jobs().get(&task).await.unwrap().is_none(), "the batch's record is cleared");
    assert_eq!(stack.ctx.queue.kept_jobs().await.unwrap(), before + 2, "one reconcile per bot, alone");

    // A first delivery: bot a's lock is busy, so its reconcile goes back alone; the batch ends with its record.
    let held = stack.ctx.locks.bot(a.id, std::time::Duration::from_secs(1)).await.unwrap().expect("the lock");
    let fresh = format!("fresh-{}", uuid::Uuid::new_v4().simple());
    worker.handle(batch, Delivery { task_id: fresh.clone(), attempt: 0 }).await;
    drop(held);
    assert_eq!(stack.ctx.queue.kept_jobs().await.unwrap(), before + 3);
    assert!(stack.db().running_jobs().get(&fresh).await.unwrap().is_none());
    assert!(stack.db().dead_jobs().list_for_user(user, None, 10).await.unwrap().is_empty());
    stack.shutdown().await;
}
