//! Crash safety: a `gridbot worker` process is killed with SIGKILL at random moments while prices move through a
//! live grid on the simulator, and restarted each time. Afterwards no client order id reached the exchange twice,
//! every trade of the exchange is booked, and the ledger equals the exchange's own trades exactly. A job a kill
//! caught inside its work is quarantined when the queue hands it out again, not replayed, and its bot is `error`:
//! the test then stops the bot as its user would, which books what filled and cancels the rest.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::{HashMap, HashSet},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::Duration,
};

use base64::{Engine, engine::general_purpose::STANDARD};
use gridbot_app::{Ctx, LiveAccounts};
use gridbot_core::{Decimal, Symbol};
use gridbot_exchange::{
    Exchange,
    binance::{
        Binance,
        config::{Credentials, Endpoints},
    },
};
use gridbot_platform::{
    EventBus, Locks, Queue, Settings,
    db::types::{BotMode, BotStatus, DeadJobKind, NewBot, OrderStatus},
};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::{Value, json};

const KEY: [u8; 32] = [9u8; 32];

struct Env {
    vars: Vec<(&'static str, String)>,
}

impl Env {
    fn worker(&self) -> Child {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gridbot"));
        cmd.args(["worker", "--concurrency", "4", "--name", "crash-worker"]);
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(std::env::temp_dir().join("gridbot-crash-worker.log"));
        let err = log.map(Stdio::from).unwrap_or_else(|_| Stdio::null());
        cmd.stdout(Stdio::null()).stderr(err).spawn().expect("gridbot worker starts")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workers_killed_at_random_moments_lose_nothing_and_duplicate_nothing() {
    let ns = format!("gbcrash-{}", uuid::Uuid::new_v4().simple());
    let name = ns.replace('-', "_");
    let admin = sea_orm::Database::connect("postgres://postgres@127.0.0.1:5432/postgres").await.unwrap();
    sea_orm::ConnectionTrait::execute_unprepared(&admin, &format!("CREATE DATABASE {name}")).await.unwrap();
    let db_url = format!("postgres://postgres@127.0.0.1:5432/{name}");
    let settings = Settings::postgres(&db_url).with_redis("redis://127.0.0.1:6379/").with_namespace(&ns);
    let db = gridbot_platform::connect(&settings).await.unwrap();
    gridbot_platform::migrate(&db).await.unwrap();
    let args = gridbot_sim::SimArgs::try_from_flags(["--port", "0", "--start-paused"]).unwrap();
    let sim = gridbot_sim::start(args).await.unwrap();
    let endpoints = Endpoints::single_host(&sim.rest_url, &sim.ws_url, &sim.ws_api_url);
    let ctx = Ctx::new(
        db.clone(),
        Queue::connect(&settings).await.unwrap(),
        EventBus::connect(&settings).await.unwrap(),
        Locks::connect(&settings).await.unwrap(),
        Arc::new(Binance::new(endpoints.clone(), None).unwrap()),
        Arc::new(LiveAccounts::new(endpoints.clone(), Some(KEY))),
    );
    let (stop, rx) = tokio::sync::watch::channel(false);
    let options = gridbot_scheduler::Options {
        reconcile_cron: "*/2 * * * * *".into(),
        refresh_every: Duration::from_secs(1),
        ..Default::default()
    };
    tokio::spawn(gridbot_scheduler::run(ctx.clone(), options, async move {
        let mut rx = rx;
        let _ = rx.wait_for(|s| *s).await;
    }));
    let env = Env {
        vars: vec![
            ("DATABASE_URL", db_url.clone()),
            ("REDIS_URL", "redis://127.0.0.1:6379/".into()),
            ("GRIDBOT_NAMESPACE", ns.clone()),
            ("BINANCE_REST_URL", sim.rest_url.clone()),
            ("BINANCE_WS_URL", sim.ws_url.clone()),
            ("BINANCE_WS_API_URL", sim.ws_api_url.clone()),
            ("ENCRYPTION_KEY", STANDARD.encode(KEY)),
            ("RUST_LOG", "warn,gridbot_worker=info,gridbot_app=info".into()),
        ],
    };
    let http = reqwest::Client::new();
    let price = |p: Decimal| {
        let (http, url) = (http.clone(), format!("{}/sim/price", sim.rest_url));
        async move {
            let r = http.post(url).json(&json!({"symbol": "BTCUSDT", "price": p.to_string()})).send().await.unwrap();
            assert!(r.status().is_success());
        }
    };
    price(Decimal::from(100_000)).await;
    let user = db.users().create("crash@e2e.test", "x").await.unwrap();
    let k = gridbot_platform::crypto::encrypt(&KEY, user.id, "api_key", "demo-key").unwrap();
    let s = gridbot_platform::crypto::encrypt(&KEY, user.id, "api_secret", "demo-secret").unwrap();
    db.users().set_api_keys(user.id, &k, &s).await.unwrap();
    let config = json!({"capital": "4000", "lower_bound": "95000", "upper_bound": "105000", "grid_levels": 11});
    let new = NewBot {
        user_id: user.id,
        strategy: "grid".into(),
        symbol: "BTC/USDT".parse().unwrap(),
        mode: BotMode::Live,
        config,
    };
    let bot = db.bots().create(&new).await.unwrap();
    gridbot_app::commands::start(&ctx, &bot).await.unwrap();

    let mut worker = env.worker();
    let placed = tokio::time::Instant::now() + Duration::from_secs(30);
    while db.orders().list_with_status(bot.id, &[OrderStatus::Open]).await.unwrap().len() < 10 {
        assert!(tokio::time::Instant::now() < placed, "the grid was not placed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut rng = StdRng::seed_from_u64(7);
    let mut kills = 0;
    for _ in 0..14 {
        // A price somewhere in the grid, so most moves cross levels.
        price(Decimal::from(rng.random_range(95_300..104_700) / 10 * 10)).await;
        tokio::time::sleep(Duration::from_millis(rng.random_range(150..1500))).await;
        worker.kill().expect("SIGKILL");
        worker.wait().expect("reaped");
        kills += 1;
        worker = env.worker();
    }
    assert!(kills >= 10);

    // Let the restarted worker take back every orphaned job — one a kill caught inside its work is quarantined, its
    // bot `error`; any other is run — and repair and book everything.
    let client = Binance::new(endpoints, Some(Credentials::new("demo-key", "demo-secret"))).unwrap();
    let symbol: Symbol = "BTC/USDT".parse().unwrap();
    let mut deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    // By then the live worker has taken back every job of the last one killed.
    let handed_back = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut stopped = false;
    let (ledger, exchange, trades) = loop {
        let trades = client.trades_since(&symbol, None).await.unwrap();
        let (ledger, exchange) = (ledger(&db, bot.id).await, per_order(&trades));
        let b = db.bots().get(bot.id).await.unwrap();
        let orphans = if tokio::time::Instant::now() < handed_back { 1 } else { orphaned_runs(&db_url).await };
        if orphans == 0 && b.status == BotStatus::Error && !stopped {
            // Quarantined, never replayed; the user stops the bot, which books what filled and cancels the rest.
            let dead = db.dead_jobs().list_for_user(user.id, None, 50).await.unwrap();
            assert!(
                dead.iter().any(|d| d.kind == DeadJobKind::Crashed && Some(&d.reason) == b.stop_reason.as_ref()),
                "the bot failed for a quarantined job: {:?} {dead:?}",
                b.stop_reason
            );
            gridbot_app::commands::stop(&ctx, &b, false).await.unwrap();
            stopped = true;
            deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        }
        let settled = if stopped { b.status == BotStatus::Stopped } else { b.status == BotStatus::Running };
        if orphans == 0 && settled && ledger == exchange {
            break (ledger, exchange, trades);
        }
        if tokio::time::Instant::now() > deadline {
            break (ledger, exchange, trades);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    worker.kill().ok();
    worker.wait().ok();
    let _ = stop.send(true);

    // 1. No client order id was accepted twice by the exchange.
    let log: Vec<Value> = http.get(format!("{}/sim/orders", sim.rest_url)).send().await.unwrap().json().await.unwrap();
    let accepted: Vec<&str> = log
        .iter()
        .filter(|e| e["action"] == "new" && e["result"] == "accepted")
        .filter_map(|e| e["client_order_id"].as_str())
        .collect();
    let unique: HashSet<&str> = accepted.iter().copied().collect();
    assert_eq!(unique.len(), accepted.len(), "a client order id reached the exchange twice");
    assert!(accepted.len() > 12, "the run placed orders: {}", accepted.len());

    // 2. Every exchange trade is booked, and the ledger equals the trades exactly (quantity, quote and commission
    //    with its asset, per order), on Binance's default commission (a buy pays in base).
    assert!(trades.len() > 5, "the run traded: {}", trades.len());
    if ledger != exchange {
        let b = db.bots().get(bot.id).await.unwrap();
        for o in db.orders().list_for_bot(bot.id).await.unwrap() {
            eprintln!(
                "{} {:?} {:?} {} {:?}",
                o.client_order_id,
                o.level,
                o.exchange_order_id,
                o.status.as_str(),
                o.side
            );
        }
        eprintln!("bot {:?} {:?}", b.status, b.stop_reason);
    }
    assert_eq!(ledger, exchange, "the ledger equals the exchange's trades");
}

/// Job runs recorded as started more than 10 s ago: runs a kill cut short whose task the queue has not handed out
/// again yet (it does once the dead worker's heartbeats are 6 s overdue).
async fn orphaned_runs(db_url: &str) -> i64 {
    use sea_orm::ConnectionTrait;
    let conn = sea_orm::Database::connect(db_url).await.unwrap();
    let sql = "SELECT count(*) AS n FROM running_jobs WHERE started_at < now() - interval '10 seconds'";
    let row = conn.query_one_raw(sea_orm::Statement::from_string(conn.get_database_backend(), sql)).await.unwrap();
    conn.close().await.unwrap();
    row.unwrap().try_get("", "n").unwrap()
}

type PerOrder = HashMap<String, (Decimal, Decimal, Decimal, String)>;

/// Base quantity, quote value and commission (with its asset) traded per exchange order id.
fn per_order(trades: &[gridbot_exchange::Trade]) -> PerOrder {
    let mut m = PerOrder::new();
    for t in trades {
        let e = m.entry(t.order_id.to_string()).or_default();
        e.0 += t.qty;
        e.1 += t.quote_qty;
        e.2 += t.commission;
        e.3 = t.commission_asset.clone();
    }
    normalized(m)
}

/// The same from the bot's booked fills.
async fn ledger(db: &gridbot_platform::Db, bot: gridbot_core::BotId) -> PerOrder {
    let orders = db.orders().list_for_bot(bot).await.unwrap();
    let mut m = PerOrder::new();
    for f in db.fills().list_for_bot(bot).await.unwrap() {
        let o = orders.iter().find(|o| o.id == f.order_id).unwrap();
        let e = m.entry(o.exchange_order_id.clone().unwrap_or_default()).or_default();
        e.0 += f.qty.get();
        e.1 += f.qty.get() * f.price.get();
        e.2 += f.fee;
        e.3 = f.fee_asset.unwrap_or_default();
    }
    normalized(m)
}

fn normalized(m: PerOrder) -> PerOrder {
    m.into_iter().map(|(k, (q, v, fee, asset))| (k, (q.normalize(), v.normalize(), fee.normalize(), asset))).collect()
}
