//! A job that dies with its process is quarantined, never replayed: a live bot's `place_grid` is held inside its work
//! by the simulator (every REST answer delayed), its process is killed with SIGKILL, and a new process takes the
//! queue over. The job must not run again (the simulator never sees an order of that run), its bot must be `error`
//! with the reason, the dead list must show it, everything else must go on, and starting the bot again must work.
//! Embedded (`gridbot serve`, SQLite) and distributed (`gridbot worker` on PostgreSQL and Redis).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    sync::Arc,
    time::Duration,
};

use base64::{Engine, engine::general_purpose::STANDARD};
use gridbot_app::{Ctx, LiveAccounts};
use gridbot_core::{BotId, ClientOrderId};
use gridbot_exchange::binance::{Binance, config::Endpoints};
use gridbot_platform::{
    EventBus, Locks, Queue, Settings,
    db::types::{BotMode, BotStatus, DeadJobKind, NewBot},
};
use gridbot_sim::SimHandle;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};

const API_KEY: &str = "quarantine-test-api-key-01";
const API_SECRET: &str = "quarantine-test-api-secret-01";
const REASON: &str = "place_grid was running when its process stopped; not replayed";

/// A child process, killed (SIGKILL) when dropped.
struct Proc(Child);

impl Proc {
    fn kill(&mut self) {
        self.0.kill().expect("SIGKILL");
        self.0.wait().expect("reaped");
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn log_to(path: &Path) -> Stdio {
    let file = std::fs::OpenOptions::new().create(true).append(true).open(path).expect("log file");
    Stdio::from(file)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn sim() -> SimHandle {
    let account = format!("{API_KEY}:{API_SECRET}:USDT=100000,BTC=1");
    let args = gridbot_sim::SimArgs::try_from_flags(["--port", "0", "--start-paused", "--account", &account]).unwrap();
    let sim = gridbot_sim::start(args).await.unwrap();
    sim_call(&sim, "/sim/price", json!({"symbol": "BTCUSDT", "price": "100000"})).await;
    sim
}

async fn sim_call(sim: &SimHandle, path: &str, body: Value) {
    let r = reqwest::Client::new().post(format!("{}{path}", sim.rest_url)).json(&body).send().await.unwrap();
    assert!(r.status().is_success(), "sim refused {path}");
}

/// Every REST answer of the simulator held `ms` milliseconds (0: none).
async fn latency(sim: &SimHandle, ms: u64) {
    sim_call(sim, "/sim/faults", json!({"latency_ms": ms})).await;
}

/// The client order ids of every new order the simulator was sent.
async fn sim_orders(sim: &SimHandle) -> Vec<String> {
    let log: Vec<Value> = reqwest::get(format!("{}/sim/orders", sim.rest_url)).await.unwrap().json().await.unwrap();
    log.iter()
        .filter(|e| e["action"] == "new")
        .filter_map(|e| e["client_order_id"].as_str().map(str::to_owned))
        .collect()
}

fn sim_env(cmd: &mut Command, sim: &SimHandle) {
    cmd.env("BINANCE_REST_URL", &sim.rest_url)
        .env("BINANCE_WS_URL", &sim.ws_url)
        .env("BINANCE_WS_API_URL", &sim.ws_api_url)
        .env("RUST_LOG", "info,sqlx=warn,sea_orm=warn,apalis=warn")
        .env("NO_COLOR", "1");
}

/// Whether `bot`'s `place_grid` is recorded inside its work in the database at `url`.
async fn place_grid_running(url: &str, bot: i64) -> bool {
    let Ok(conn) = Database::connect(url).await else { return false };
    let sql = format!("SELECT count(*) AS n FROM running_jobs WHERE bot_id = {bot} AND job = 'place_grid'");
    let row = conn.query_one_raw(Statement::from_string(conn.get_database_backend(), sql)).await;
    let n: i64 = row.ok().flatten().and_then(|r| r.try_get("", "n").ok()).unwrap_or(0);
    let _ = conn.close().await;
    n > 0
}

async fn until<F, Fut>(secs: u64, what: &str, log: impl Fn() -> String, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}\n{}", log());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Api {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }
    async fn get(&self, path: &str) -> Value {
        self.send(reqwest::Method::GET, path, None).await.1
    }
    async fn open_orders(&self, bot: i64) -> usize {
        self.get(&format!("/api/orders?bot_id={bot}&status=open")).await.as_array().map_or(0, Vec::len)
    }
    async fn filled_orders(&self, bot: i64) -> usize {
        self.get(&format!("/api/orders?bot_id={bot}&status=filled")).await.as_array().map_or(0, Vec::len)
    }
}

/// `gridbot serve` in `dir` on `port`, against the simulator; stderr appended to `dir/serve.log`.
fn serve(dir: &Path, port: u16, sim: &SimHandle) -> Proc {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gridbot"));
    cmd.env_clear().current_dir(dir).args(["serve", "--workers", "2", "--bind", &format!("127.0.0.1:{port}")]);
    sim_env(&mut cmd, sim);
    cmd.stdout(Stdio::null()).stderr(log_to(&dir.join("serve.log")));
    Proc(cmd.spawn().expect("gridbot serve starts"))
}

async fn up(api: &Api, log: impl Fn() -> String) {
    until(60, "serve to answer", log, || async { api.http.get(format!("{}/healthz", api.base)).send().await.is_ok() })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_killed_inside_its_work_is_quarantined_when_serve_restarts() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let log = || std::fs::read_to_string(dir.path().join("serve.log")).unwrap_or_default();
    let port = free_port();
    let mut first = serve(dir.path(), port, &sim);
    let mut api = Api { http: reqwest::Client::new(), base: format!("http://127.0.0.1:{port}"), token: None };
    up(&api, log).await;
    let creds = json!({"email": "trader@quarantine.test", "password": "correct horse battery"});
    let (status, body) = api.send(reqwest::Method::POST, "/api/auth/register", Some(creds.clone())).await;
    assert_eq!(status, 201, "{body}");
    let (_, body) = api.send(reqwest::Method::POST, "/api/auth/login", Some(creds)).await;
    api.token = Some(body["access_token"].as_str().unwrap().to_owned());
    let keys = json!({"api_key": API_KEY, "api_secret": API_SECRET});
    assert_eq!(api.send(reqwest::Method::PUT, "/api/account/api-keys", Some(keys)).await.0, 200);
    let config = json!({"capital": "4000", "lower_bound": "95000", "upper_bound": "105000", "grid_levels": 11});
    let new = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "live", "config": config});
    let live = Some(json!({"confirm_live": true}));

    // Bot B runs, its grid resting. It trades paper: a live bot is swept every 30 s, and a sweep landing while the
    // exchange is slowed below would leave B's job inside its work too when serve dies.
    let paper = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": config});
    let b = api.send(reqwest::Method::POST, "/api/bots", Some(paper)).await.1["id"].as_i64().unwrap();
    assert_eq!(api.send(reqwest::Method::POST, &format!("/api/bots/{b}/start"), None).await.0, 202);
    until(60, "bot B to run", log, || async {
        api.get(&format!("/api/bots/{b}")).await["status"] == "running" && api.open_orders(b).await == 10
    })
    .await;

    // Bot A's place_grid is held inside its work (the exchange answers nothing for 30 s); serve dies there.
    let a = api.send(reqwest::Method::POST, "/api/bots", Some(new)).await.1["id"].as_i64().unwrap();
    latency(&sim, 30_000).await;
    assert_eq!(api.send(reqwest::Method::POST, &format!("/api/bots/{a}/start"), live.clone()).await.0, 202);
    let db_url = format!("sqlite://{}?mode=rw", dir.path().join("data/gridbot.db").display());
    until(20, "A's place_grid to be inside its work", log, || place_grid_running(&db_url, a)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    first.kill();
    latency(&sim, 0).await;
    let run = ClientOrderId::generation_prefix(BotId(a), 1);
    assert!(!sim_orders(&sim).await.iter().any(|id| id.starts_with(&run)), "no order of A's run was sent");

    // Restarted: the job is quarantined, not run; A is `error` with the reason; the dead list shows it.
    let port = free_port();
    let _second = serve(dir.path(), port, &sim);
    api.base = format!("http://127.0.0.1:{port}");
    up(&api, log).await;
    until(60, "bot A to be quarantined", log, || async {
        api.get(&format!("/api/bots/{a}")).await["status"] == "error"
    })
    .await;
    let bot_a = api.get(&format!("/api/bots/{a}")).await;
    assert_eq!(bot_a["stop_reason"], REASON, "{bot_a}");
    let dead = api.get("/api/jobs/dead").await;
    let list = dead.as_array().unwrap();
    assert_eq!(list.len(), 1, "{dead}");
    assert_eq!((list[0]["bot_id"].as_i64(), list[0]["job"].as_str()), (Some(a), Some("place_grid")));
    assert_eq!((list[0]["kind"].as_str(), list[0]["reason"].as_str()), (Some("crashed"), Some(REASON)));
    // Time for a replay to show, were there one.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let sent = sim_orders(&sim).await;
    assert!(!sent.iter().any(|id| id.starts_with(&run)), "the job did not run again: {sent:?}\n{}", log());
    assert_eq!(api.open_orders(a).await, 0);

    // The operator's view lists it.
    let out = Command::new(env!("CARGO_BIN_EXE_gridbot"))
        .env_clear()
        .current_dir(dir.path())
        .args(["jobs", "dead", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!((lines[0]["bot_id"].as_i64(), lines[0]["kind"].as_str()), (Some(a), Some("crashed")));
    let table = Command::new(env!("CARGO_BIN_EXE_gridbot"))
        .env_clear()
        .current_dir(dir.path())
        .args(["jobs", "dead"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&table.stdout).contains(REASON));

    // The other bot goes on trading: a fill is booked and its counter-order placed.
    let filled = api.filled_orders(b).await;
    sim_call(&sim, "/sim/price", json!({"symbol": "BTCUSDT", "price": "98990"})).await;
    until(30, "bot B to book the fill and rest its counter-order", log, || async {
        api.filled_orders(b).await > filled && api.open_orders(b).await == 10
    })
    .await;
    assert_eq!(api.get(&format!("/api/bots/{b}")).await["status"], "running");

    // A starts again: a normal start, in a new generation.
    let (status, body) = api.send(reqwest::Method::POST, &format!("/api/bots/{a}/start"), live).await;
    assert_eq!(status, 202, "{body}");
    until(60, "bot A to run again", log, || async {
        api.get(&format!("/api/bots/{a}")).await["status"] == "running" && api.open_orders(a).await > 0
    })
    .await;
    let bot_a = api.get(&format!("/api/bots/{a}")).await;
    assert_eq!((bot_a["generation"].as_i64(), &bot_a["stop_reason"]), (Some(2), &Value::Null), "{bot_a}");
    let next = ClientOrderId::generation_prefix(BotId(a), 2);
    assert!(sim_orders(&sim).await.iter().any(|id| id.starts_with(&next)));
    assert_eq!(api.get("/api/jobs/dead").await.as_array().map(Vec::len), Some(1));
    assert!(api.http.get(format!("{}/healthz", api.base)).send().await.unwrap().status().is_success());
}

const KEY: [u8; 32] = [5u8; 32];

/// `gridbot worker` on PostgreSQL and Redis under `ns`, against the simulator; stderr appended to `log`.
fn worker(db_url: &str, ns: &str, sim: &SimHandle, log: &Path) -> Proc {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gridbot"));
    cmd.env_clear()
        .args(["worker", "--concurrency", "2", "--name", "quarantine-worker"])
        .env("DATABASE_URL", db_url)
        .env("REDIS_URL", "redis://127.0.0.1:6379/")
        .env("GRIDBOT_NAMESPACE", ns)
        .env("ENCRYPTION_KEY", STANDARD.encode(KEY));
    sim_env(&mut cmd, sim);
    cmd.stdout(Stdio::null()).stderr(log_to(log));
    Proc(cmd.spawn().expect("gridbot worker starts"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_distributed_workers_orphan_is_quarantined_by_the_next_worker() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let ns = format!("gbquar-{}", uuid::Uuid::new_v4().simple());
    let name = ns.replace('-', "_");
    let admin = Database::connect("postgres://postgres@127.0.0.1:5432/postgres").await.unwrap();
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
    let db_url = format!("postgres://postgres@127.0.0.1:5432/{name}");
    let settings = Settings::postgres(&db_url).with_redis("redis://127.0.0.1:6379/").with_namespace(&ns);
    let db = gridbot_platform::connect(&settings).await.unwrap();
    gridbot_platform::migrate(&db).await.unwrap();
    let sim = sim().await;
    let endpoints = Endpoints::single_host(&sim.rest_url, &sim.ws_url, &sim.ws_api_url);
    let ctx = Ctx::new(
        db.clone(),
        Queue::connect(&settings).await.unwrap(),
        EventBus::connect(&settings).await.unwrap(),
        Locks::connect(&settings).await.unwrap(),
        Arc::new(Binance::new(endpoints.clone(), None).unwrap()),
        Arc::new(LiveAccounts::new(endpoints, Some(KEY))),
    );
    let user = db.users().create("quarantine@e2e.test", "x").await.unwrap();
    let k = gridbot_platform::crypto::encrypt(&KEY, user.id, "api_key", API_KEY).unwrap();
    let s = gridbot_platform::crypto::encrypt(&KEY, user.id, "api_secret", API_SECRET).unwrap();
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

    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("worker.log");
    let log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    // The worker checks the exchange as it starts: it is up before the exchange goes slow.
    let mut first = worker(&db_url, &ns, &sim, &log_path);
    until(30, "the first worker to start", log, || async { log().contains("worker started") }).await;
    latency(&sim, 30_000).await;
    gridbot_app::commands::start(&ctx, &bot).await.unwrap();
    until(20, "place_grid to be inside its work", log, || place_grid_running(&db_url, bot.id.0)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    first.kill();
    latency(&sim, 0).await;

    // The next worker gets the orphan back from Redis once the dead one's heartbeats are overdue, and quarantines it.
    let _second = worker(&db_url, &ns, &sim, &log_path);
    until(60, "the orphan to be quarantined", log, || async {
        db.bots().get(bot.id).await.unwrap().status == BotStatus::Error
    })
    .await;
    let b = db.bots().get(bot.id).await.unwrap();
    assert_eq!(b.stop_reason.as_deref(), Some(REASON));
    let dead = db.dead_jobs().list_for_user(user.id, None, 10).await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!((dead[0].bot, dead[0].kind, dead[0].job_name.as_str()), (bot.id, DeadJobKind::Crashed, "place_grid"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(sim_orders(&sim).await.is_empty(), "the job did not run again\n{}", log());

    // Started again, the live worker places the grid of the new generation.
    gridbot_app::commands::start(&ctx, &b).await.unwrap();
    until(60, "the bot to run again", log, || async {
        db.bots().get(bot.id).await.unwrap().status == BotStatus::Running
    })
    .await;
    let next = ClientOrderId::generation_prefix(bot.id, 2);
    let sent = sim_orders(&sim).await;
    assert!(!sent.is_empty() && sent.iter().all(|id| id.starts_with(&next)), "{sent:?}");
}
