//! A whole stack on real parts: the database (a fresh PostgreSQL database, or a SQLite file), the job queue, events
//! and locks (Redis under a namespace of the test's own, or embedded), the simulator as the market and the live
//! exchange, the scheduler, and workers each on a runtime of its own thread.

use std::{sync::Arc, time::Duration};

use gridbot_app::{Ctx, LiveAccounts};
use gridbot_core::{BotId, Decimal};
use gridbot_exchange::binance::{Binance, config::Endpoints};
use gridbot_platform::{
    Db, EventBus, Locks, Queue, Settings,
    db::types::{Bot, BotMode, BotStatus, NewBot},
};
use gridbot_sim::{SimArgs, SimHandle};
use tokio::sync::watch;

pub const KEY: [u8; 32] = [7u8; 32];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct Stack {
    pub ctx: Ctx,
    pub settings: Settings,
    pub sim: SimHandle,
    pub http: reqwest::Client,
    stop: watch::Sender<bool>,
    threads: Vec<std::thread::JoinHandle<()>>,
    options: gridbot_scheduler::Options,
    /// The running scheduler: its own stop switch and task, so a test can stop and restart it alone.
    scheduler: Option<(watch::Sender<bool>, tokio::task::JoinHandle<()>)>,
    _dir: tempfile::TempDir,
}

impl Stack {
    pub async fn start(backend: Backend, workers: usize) -> Stack {
        Stack::start_on(backend, workers, &[]).await
    }

    /// [`Stack::start`] with the simulator started with `sim_flags` too (an account, a commission mode).
    pub async fn start_on(backend: Backend, workers: usize, sim_flags: &[&str]) -> Stack {
        let options = gridbot_scheduler::Options {
            reconcile_cron: "*/5 * * * * *".into(),
            refresh_every: Duration::from_secs(1),
            ..Default::default()
        };
        Stack::start_with(backend, workers, options, sim_flags).await
    }

    pub async fn start_with(
        backend: Backend,
        workers: usize,
        options: gridbot_scheduler::Options,
        sim_flags: &[&str],
    ) -> Stack {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
        let dir = tempfile::tempdir().expect("tempdir");
        let ns = format!("gbtest-{}", uuid::Uuid::new_v4().simple());
        let settings = match backend {
            Backend::Sqlite => {
                let mut s = Settings::sqlite(&dir.path().join("gridbot.db"));
                s.jobs_db = Some(dir.path().join("jobs.db"));
                s
            }
            Backend::Postgres => {
                let name = ns.replace('-', "_");
                let admin =
                    sea_orm::Database::connect("postgres://postgres@127.0.0.1:5432/postgres").await.expect("pg");
                sea_orm::ConnectionTrait::execute_unprepared(&admin, &format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create database");
                admin.close().await.expect("close");
                Settings::postgres(&format!("postgres://postgres@127.0.0.1:5432/{name}"))
                    .with_redis("redis://127.0.0.1:6379/")
            }
        }
        .with_namespace(&ns);
        let db = gridbot_platform::connect(&settings).await.expect("database");
        gridbot_platform::migrate(&db).await.expect("migrations");
        // Binance's default commission: a buy pays in the base it delivers, a sell in the quote.
        let flags = ["--port", "0", "--start-paused"].iter().chain(sim_flags);
        let args = SimArgs::try_from_flags(flags).expect("sim flags");
        let sim = gridbot_sim::start(args).await.expect("simulator");
        let endpoints = Endpoints::single_host(&sim.rest_url, &sim.ws_url, &sim.ws_api_url);
        let ctx = Ctx::new(
            db,
            Queue::connect(&settings).await.expect("queue"),
            EventBus::connect(&settings).await.expect("events"),
            Locks::connect(&settings).await.expect("locks"),
            Arc::new(Binance::new(endpoints.clone(), None).expect("client")),
            Arc::new(LiveAccounts::new(endpoints, Some(KEY))),
        );
        let (stop, _) = watch::channel(false);
        let http = reqwest::Client::new();
        let threads = Vec::new();
        let mut stack = Stack { ctx, settings, sim, http, stop, threads, options, scheduler: None, _dir: dir };
        for i in 0..workers {
            stack.spawn_worker(&format!("w{i}"));
        }
        stack.start_scheduler();
        stack
    }

    /// Starts the scheduler (again), as `gridbot scheduler` would start on the same database.
    pub fn start_scheduler(&mut self) {
        assert!(self.scheduler.is_none(), "the scheduler is already running");
        let (stop, rx) = watch::channel(false);
        let task = tokio::spawn(gridbot_scheduler::run(self.ctx.clone(), self.options.clone(), wait(rx)));
        self.scheduler = Some((stop, task));
    }

    /// Stops the scheduler as a shutdown signal would, and waits until it has stopped; workers go on.
    pub async fn stop_scheduler(&mut self) {
        if let Some((stop, task)) = self.scheduler.take() {
            let _ = stop.send(true);
            task.await.expect("scheduler task");
        }
    }

    /// A worker on a runtime of its own, with its own connections, as another process would have.
    pub fn spawn_worker(&mut self, name: &str) {
        // Embedded, the workers share the process's queue, event bus and locks, as in `gridbot serve`.
        let shared = self
            .settings
            .redis_url
            .is_none()
            .then(|| (self.ctx.events.clone(), self.ctx.locks.clone(), self.ctx.queue.clone()));
        let (settings, market, live, rx, name) = (
            self.settings.clone(),
            Arc::clone(&self.ctx.market),
            Arc::clone(&self.ctx.live),
            self.stop.subscribe(),
            name.to_owned(),
        );
        self.threads.push(std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("rt");
            rt.block_on(async move {
                let ctx = Ctx::new(
                    gridbot_platform::connect(&settings).await.expect("database"),
                    match &shared {
                        Some((_, _, queue)) => queue.clone(),
                        None => Queue::connect(&settings).await.expect("queue"),
                    },
                    match &shared {
                        Some((events, _, _)) => events.clone(),
                        None => EventBus::connect(&settings).await.expect("events"),
                    },
                    match &shared {
                        Some((_, locks, _)) => locks.clone(),
                        None => Locks::connect(&settings).await.expect("locks"),
                    },
                    market,
                    live,
                );
                gridbot_worker::run(ctx, &name, 4, wait(rx)).await.expect("worker");
            });
        }));
    }

    pub fn db(&self) -> &Db {
        &self.ctx.db
    }

    /// A user with the simulator's demo account stored as their (encrypted) keys.
    pub async fn user(&self) -> i64 {
        let u =
            self.db().users().create(&format!("{}@e2e.test", uuid::Uuid::new_v4().simple()), "x").await.expect("user");
        let k = gridbot_platform::crypto::encrypt(&KEY, u.id, "api_key", "demo-key").expect("seal");
        let s = gridbot_platform::crypto::encrypt(&KEY, u.id, "api_secret", "demo-secret").expect("seal");
        self.db().users().set_api_keys(u.id, &k, &s).await.expect("keys");
        u.id
    }

    pub async fn bot(&self, user: i64, mode: BotMode, config: serde_json::Value) -> Bot {
        let new =
            NewBot { user_id: user, strategy: "grid".into(), symbol: "BTC/USDT".parse().expect("pair"), mode, config };
        self.db().bots().create(&new).await.expect("bot")
    }

    /// The simulator's demo account, signed in as the live bots trade.
    pub fn account(&self) -> Binance {
        let endpoints = Endpoints::single_host(&self.sim.rest_url, &self.sim.ws_url, &self.sim.ws_api_url);
        let keys = gridbot_exchange::binance::config::Credentials::new("demo-key", "demo-secret");
        Binance::new(endpoints, Some(keys)).expect("client")
    }

    /// Plays one trade at `price` on the simulator.
    pub async fn price(&self, price: Decimal) {
        let r = self
            .http
            .post(format!("{}/sim/price", self.sim.rest_url))
            .json(&serde_json::json!({"symbol": "BTCUSDT", "price": price.to_string()}))
            .send()
            .await
            .expect("sim price");
        assert!(r.status().is_success(), "sim refused price {price}: {}", r.text().await.unwrap_or_default());
    }

    /// A control call on the simulator.
    pub async fn control(&self, path: &str, body: serde_json::Value) {
        let r = self.http.post(format!("{}{path}", self.sim.rest_url)).json(&body).send().await.expect("sim control");
        assert!(r.status().is_success(), "sim refused {path}");
    }

    /// Starts `bot` and waits until its grid rests on the exchange.
    pub async fn run_bot(&self, bot: &Bot) {
        gridbot_app::commands::start(&self.ctx, bot).await.expect("start");
        self.until(20, "the bot to run with its grid resting", || async {
            let orders = self.db().orders().list_for_bot(bot.id).await.expect("orders");
            self.status(bot.id).await == BotStatus::Running
                && orders.iter().filter(|o| o.status == gridbot_platform::db::types::OrderStatus::Open).count() > 0
        })
        .await;
    }

    /// Waits until `check` holds, polling; panics with `what` after `secs`.
    pub async fn until<F, Fut>(&self, secs: u64, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        while !check().await {
            assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn status(&self, bot: BotId) -> BotStatus {
        self.db().bots().get(bot).await.expect("bot").status
    }

    pub async fn shutdown(mut self) {
        self.stop_scheduler().await;
        let _ = self.stop.send(true);
        for t in self.threads {
            let _ = tokio::task::spawn_blocking(move || t.join()).await;
        }
    }
}

/// Each price a flat candle, so a backtest's path visits exactly these points, one minute apart.
pub fn flat(path: &[Decimal]) -> gridbot_core::Candles {
    let candles = path
        .iter()
        .enumerate()
        .map(|(i, &p)| gridbot_core::Candle {
            open_time: i as i64 * 60_000,
            open: p,
            high: p,
            low: p,
            close: p,
            volume: Decimal::ONE,
        })
        .collect();
    gridbot_core::Candles::new(candles).expect("candles")
}

async fn wait(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}
