//! Gridbot's scheduler: the clock and the ears. While it holds the leader lock (a second scheduler waits) it runs
//! cron jobs (apalis-cron) that reconcile every running bot, send the users' daily summaries and keep house; one market stream per symbol that
//! running bots trade, which records 1-minute candles, publishes ticks, fills paper orders and enqueues
//! `reconcile_fills` when a price reaches a bot's nearest order or stop; and one user-data stream per live account,
//! which enqueues `reconcile_fills` on every execution report. After any stream gap, every affected bot is
//! reconciled; after a market-stream gap, the matcher first replays the path it missed from the exchange's REST data,
//! and after a restart the path from its last saved mark (see [`mark`]).

mod cron;
mod mark;
mod market;
mod replay;
mod state;
mod user;

use std::{future::Future, sync::Arc, time::Duration};

use gridbot_app::Ctx;
use tokio::sync::watch;

pub use state::Watch;

/// The leader lock's key and lifetime: a scheduler that dies frees it within this time.
const LEADER: &str = "scheduler";
const LEADER_TTL: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct Options {
    /// Cron schedule (seconds first) of the periodic reconciliation: every running live bot at each tick, a paper bot
    /// at one tick in ten.
    pub reconcile_cron: String,
    /// How often the set of running bots, their streams and triggers are refreshed without an event.
    pub refresh_every: Duration,
    /// Symbols whose market stream runs even with no bot on them, so charts stay live.
    pub always: Vec<gridbot_core::Symbol>,
    /// Cron schedule (seconds first) of the users' daily summaries: 00:00 UTC.
    pub daily_summary_cron: String,
}

impl Default for Options {
    fn default() -> Self {
        let always = ["BTC/USDT", "ETH/USDT"].iter().filter_map(|p| p.parse().ok()).collect();
        Options {
            reconcile_cron: "*/30 * * * * *".into(),
            refresh_every: Duration::from_secs(3),
            always,
            daily_summary_cron: "0 0 0 * * *".into(),
        }
    }
}

/// Runs until `shutdown` resolves: waits for the leader lock, leads until shutdown or until the lock is lost, and
/// then waits for it again.
pub async fn run(ctx: Ctx, options: Options, shutdown: impl Future<Output = ()> + Send + 'static) {
    let (stop_tx, stop) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let mut waiting_logged = false;
    while !*stop.borrow() {
        let guard = match ctx.locks.acquire(LEADER, LEADER_TTL, Duration::from_secs(2)).await {
            Ok(Some(g)) => g,
            Ok(None) => {
                if !waiting_logged {
                    tracing::info!("another scheduler is active; waiting for the leader lock");
                    waiting_logged = true;
                }
                continue;
            }
            Err(e) => {
                tracing::warn!(error = %e, "leader lock unavailable; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
        };
        waiting_logged = false;
        tracing::info!("scheduler leading");
        lead(&ctx, &options, guard, stop.clone()).await;
    }
    tracing::info!("scheduler stopped");
}

async fn lead(ctx: &Ctx, options: &Options, mut guard: gridbot_platform::LockGuard, mut stop: watch::Receiver<bool>) {
    let watch = Arc::new(Watch::new(ctx.clone(), options.always.clone()));
    let tasks = vec![
        tokio::spawn(cron::run(ctx.clone(), options.reconcile_cron.clone())),
        tokio::spawn(cron::daily_summaries(ctx.clone(), options.daily_summary_cron.clone())),
        tokio::spawn(Arc::clone(&watch).refresh_loop(options.refresh_every)),
    ];
    let stopping = tokio::select! {
        _ = guard.lost() => {
            tracing::warn!("leader lock lost; stepping down");
            false
        }
        _ = stop.wait_for(|s| *s) => true,
    };
    for t in tasks {
        t.abort();
    }
    watch.stop_streams();
    // At shutdown, the marks processed since their last save; a scheduler that lost the lock leaves them to the
    // new leader, which may have saved newer ones.
    if stopping {
        watch.marks.save_all(&watch.ctx.db).await;
    }
}
