//! `spawn_app`: a fresh database, the worker's context around it (a job queue in a SQLite file, or in Redis for the
//! PostgreSQL run; in-process events and locks; live accounts at the simulator), the real application on port 0 and
//! an HTTP client; `both!`, which runs one async test fn on SQLite and on PostgreSQL; WebSocket helpers; and a
//! worker that tests start and stop.

use std::{path::PathBuf, sync::Arc, time::Duration};

use futures_util::StreamExt;
use gridbot_api::{ApiConfig, ApiContext, RateLimits, build_app, serve};
use gridbot_app::{Ctx, LiveAccounts};
use gridbot_exchange::{
    Exchange,
    binance::{Binance, Endpoints},
};
use gridbot_platform::{Db, EventBus, Locks, Queue, Settings, connect, migrate};
use gridbot_sim::{SimArgs, SimHandle, start};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use tokio::{sync::oneshot, task::JoinHandle};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};

pub const JWT_SECRET: &[u8] = b"test secret of at least thirty-two bytes";
pub const ENCRYPTION_KEY: [u8; 32] = [42; 32];
pub const PASSWORD: &str = "correct horse battery";
/// The simulator's account: tests store these as a user's Binance keys.
pub const SIM_KEY: &str = "SimKey0123456789abcdefGHIJKLmnopqrstuvWXYZ0123456789abcdefGHIJKL";
pub const SIM_SECRET: &str = "SimSecret0123456789abcdefGHIJKLmnopqrstuvWXYZ0123456789abcdefGHI";

pub type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Changes the context before the app is built (e.g. `with_advisor`).
pub type Customize = Arc<dyn Fn(ApiContext) -> ApiContext + Send + Sync>;

#[derive(Clone, Default)]
pub struct Options {
    /// Serve market data from a simulator (otherwise from an exchange that is down).
    pub sim: bool,
    pub rate_limits: Option<RateLimits>,
    /// The job queue in a SQLite file of the test's own even on PostgreSQL (a test that runs a worker must not take
    /// other tests' jobs from the shared Redis queue).
    pub local_queue: bool,
    pub trust_proxy: bool,
    pub static_dir: Option<PathBuf>,
    pub customize: Option<Customize>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("sim", &self.sim)
            .field("local_queue", &self.local_queue)
            .finish_non_exhaustive()
    }
}

pub struct TestApp {
    pub base: String,
    /// `ws://host:port`.
    pub ws_base: String,
    pub http: reqwest::Client,
    pub db: Db,
    pub sim: Option<SimHandle>,
    /// The context the API runs commands with: publish events on `rt.events`, run workers over it.
    pub rt: Ctx,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    pg_name: Option<String>,
    _dir: tempfile::TempDir,
}

/// A second API server over a [`TestApp`]'s database (see [`TestApp::peer`]).
pub struct Peer {
    pub base: String,
    pub ws_base: String,
    _stop: oneshot::Sender<()>,
}

impl Peer {
    /// Opens `path?token=` as a WebSocket at this server.
    pub async fn ws(&self, path: &str, token: &str) -> Ws {
        tokio_tungstenite::connect_async(format!("{}{path}?token={token}", self.ws_base)).await.unwrap().0
    }
}

/// A response: status, headers and JSON body (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// The names in a 422's `error.fields`.
    pub fn fields(&self) -> Vec<String> {
        self.body["error"]["fields"].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default()
    }
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }
}

pub fn pg_server() -> String {
    std::env::var("GRIDBOT_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// The Redis of the PostgreSQL run's job queue: logical database 3, and a namespace per test (its database's name),
/// so that jobs these tests push (and nobody takes) never reach another test's worker or another suite's; `finish`
/// deletes the namespace's keys.
pub fn redis_url() -> String {
    std::env::var("GRIDBOT_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379/3".to_owned())
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, Options::default()).await
}

pub async fn spawn_app_with(backend: Backend, options: Options) -> TestApp {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let (settings, pg_name) = match backend {
        Backend::Sqlite => (Settings::sqlite(&dir.path().join("gridbot.db")), None),
        Backend::Postgres => {
            let name = format!("gb_api_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(format!("{}/postgres", pg_server())).await.unwrap();
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
            admin.close().await.unwrap();
            let pg = Settings::postgres(&format!("{}/{name}", pg_server()));
            // Its own namespace in Redis: no other test (nor a worker of another suite) sees its jobs.
            let pg = pg.with_namespace(&name);
            (if options.local_queue { pg } else { pg.with_redis(&redis_url()) }, Some(name))
        }
    };
    let db = connect(&settings).await.unwrap();
    migrate(&db).await.unwrap();
    let mut queue_settings = settings.clone();
    queue_settings.jobs_db = Some(dir.path().join("jobs.db"));
    let queue = Queue::connect(&queue_settings).await.unwrap();

    let sim = if options.sim {
        let account = format!("{SIM_KEY}:{SIM_SECRET}:USDT=100000,BTC=2,ETH=10");
        let flags = ["--port", "0", "--start-paused", "--account", account.as_str()];
        Some(start(SimArgs::try_from_flags(flags).unwrap()).await.unwrap())
    } else {
        None
    };
    let endpoints = match &sim {
        Some(s) => Endpoints::single_host(&s.rest_url, &s.ws_url, &s.ws_api_url),
        // Nothing listens on port 9 of localhost: an exchange that is down.
        None => Endpoints::single_host("http://127.0.0.1:9", "ws://127.0.0.1:9", "ws://127.0.0.1:9/ws-api/v3"),
    };
    let exchange: Arc<dyn Exchange> =
        Arc::new(Binance::with_timeout(endpoints.clone(), None, Duration::from_secs(5)).unwrap());
    let rt = Ctx::new(
        db.clone(),
        queue,
        EventBus::local(),
        Locks::local(),
        exchange,
        Arc::new(LiveAccounts::new(endpoints, Some(ENCRYPTION_KEY))),
    );

    let mut config = ApiConfig::new(JWT_SECRET, ENCRYPTION_KEY);
    config.bcrypt_cost = 4;
    if let Some(limits) = options.rate_limits {
        config.rate_limits = limits;
    }
    config.trust_proxy = options.trust_proxy;
    config.static_dir = options.static_dir.clone();
    let mut ctx = ApiContext::new(rt.clone(), config);
    if let Some(customize) = &options.customize {
        ctx = customize(ctx);
    }
    let app = build_app(ctx).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (base, ws_base) = (format!("http://{addr}"), format!("ws://{addr}"));
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        serve(listener, app, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    TestApp {
        base,
        ws_base,
        http: reqwest::Client::new(),
        db,
        sim,
        rt,
        stop: Some(stop),
        server: Some(server),
        pg_name,
        _dir: dir,
    }
}

/// A worker over the app's queue, running until [`Worker::stop`].
pub struct Worker {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Worker {
    /// Asks it to stop and waits until its jobs in flight are done.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(30), t).await.expect("the worker stops").unwrap();
        }
    }
}

impl TestApp {
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        reply(req.send().await.unwrap()).await
    }

    /// Starts a worker on the app's context (its queue, events, locks, live accounts).
    pub fn worker(&self) -> Worker {
        let (stop, stopped) = oneshot::channel::<()>();
        let rt = self.rt.clone();
        // The worker's future is not provably `Send` (a higher-ranked lifetime inside apalis), so it runs on a
        // blocking thread of this runtime instead of as a task; the test's own thread drives IO and timers.
        let handle = tokio::runtime::Handle::current();
        let task = tokio::task::spawn_blocking(move || {
            handle
                .block_on(rt.queue.clone().work("api-test-worker", 2, Arc::new(TestWorker(rt)), async {
                    let _ = stopped.await;
                }))
                .unwrap();
        });
        Worker { stop: Some(stop), task: Some(task) }
    }

    /// Opens `path` (with `?token=` when given) as a WebSocket.
    pub async fn ws(&self, path: &str, token: Option<&str>) -> Ws {
        let url = match token {
            Some(t) => format!("{}{path}?token={t}", self.ws_base),
            None => format!("{}{path}", self.ws_base),
        };
        tokio_tungstenite::connect_async(url).await.unwrap().0
    }

    /// Polls `GET path` until `done` holds for its body (10 s at most).
    pub async fn wait_for(&self, path: &str, token: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let r = self.get(path, token).await;
            if done(&r.body) {
                return r.body;
            }
            assert!(tokio::time::Instant::now() < deadline, "timed out waiting on {path}: {}", r.text);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::POST, path, token, Some(body)).await
    }
    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }
    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Posts raw bytes with a content type.
    pub async fn post_raw(&self, path: &str, token: Option<&str>, content_type: &str, body: Vec<u8>) -> Reply {
        let mut req = self.http.post(format!("{}{path}", self.base)).header("content-type", content_type).body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        reply(req.send().await.unwrap()).await
    }

    pub async fn register(&self, email: &str, password: &str) -> Reply {
        self.post("/api/auth/register", None, serde_json::json!({"email": email, "password": password})).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.post("/api/auth/login", None, serde_json::json!({"email": email, "password": password})).await
    }

    /// Registers `email` and returns its user id and an access token.
    pub async fn signup(&self, email: &str) -> (i64, String) {
        let r = self.register(email, PASSWORD).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let l = self.login(email, PASSWORD).await;
        assert_eq!(l.status, StatusCode::OK, "{}", l.text);
        (r.body["id"].as_i64().unwrap(), l.body["access_token"].as_str().unwrap().to_owned())
    }

    /// Another API process over the same database, queue and events: its own session cache, login throttle and
    /// rate limits. Serves until dropped.
    pub async fn peer(&self) -> Peer {
        let mut config = ApiConfig::new(JWT_SECRET, ENCRYPTION_KEY);
        config.bcrypt_cost = 4;
        let app = build_app(ApiContext::new(self.rt.clone(), config)).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = serve(listener, app, async {
                let _ = stopped.await;
            })
            .await;
        });
        Peer { base: format!("http://{addr}"), ws_base: format!("ws://{addr}"), _stop: stop }
    }

    /// `GET path` at another server (a [`Peer`]'s `base`).
    pub async fn get_at(&self, base: &str, path: &str, token: &str) -> Reply {
        reply(self.http.get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap()).await
    }

    pub async fn finish(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
        }
        if let Some(sim) = self.sim.take() {
            sim.shutdown().await;
        }
        let _ = self.db.clone().close().await;
        if let Some(name) = self.pg_name.as_deref() {
            let client = redis::Client::open(redis_url()).unwrap();
            let mut conn = client.get_multiplexed_async_connection().await.unwrap();
            let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{name}:*")).query_async(&mut conn).await.unwrap();
            if !keys.is_empty() {
                let _: () = redis::cmd("DEL").arg(keys).query_async(&mut conn).await.unwrap();
            }
        }
        if let Some(name) = self.pg_name.take() {
            let admin = Database::connect(format!("{}/postgres", pg_server())).await.unwrap();
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.unwrap();
            admin.close().await.unwrap();
        }
    }
}

/// A test that panicked before `finish` still drops its PostgreSQL database.
impl Drop for TestApp {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else { return };
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                if let Ok(admin) = Database::connect(format!("{}/postgres", pg_server())).await {
                    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

async fn reply(r: reqwest::Response) -> Reply {
    let status = r.status();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, headers, body, text }
}

/// `both!(name)` runs `name(Backend)` as `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::harness::Backend::Sqlite).await;
            }
            #[tokio::test]
            async fn postgres() {
                super::$name($crate::harness::Backend::Postgres).await;
            }
        }
    )+};
}

/// Every log line of the test binary at TRACE level, kept in memory (a global subscriber, set once).
pub fn logs() -> &'static Logs {
    static LOGS: std::sync::OnceLock<Logs> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Logs::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(logs.clone())
            .with_ansi(false)
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        logs
    })
}

#[derive(Clone, Default)]
pub struct Logs(Arc<std::sync::Mutex<Vec<u8>>>);

impl Logs {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;
    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}

/// The next JSON text message (5 s at most); pings and pongs are skipped.
pub async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next()).await.expect("a message within 5 s");
        match msg.expect("the socket is open").unwrap() {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("expected a text message, got {other:?}"),
        }
    }
}

/// The next JSON message of type `kind`, skipping others (5 s at most each).
pub async fn next_of(ws: &mut Ws, kind: &str) -> Value {
    for _ in 0..50 {
        let m = next_json(ws).await;
        if m["type"] == kind {
            return m;
        }
    }
    panic!("no {kind} message among the next 50");
}

/// The close code the server ends the socket with (5 s at most).
pub async fn close_code(ws: &mut Ws) -> Option<u16> {
    close_code_within(ws, Duration::from_secs(5)).await
}

/// The close code the server ends the socket with, waiting `limit` at most.
pub async fn close_code_within(ws: &mut Ws, limit: Duration) -> Option<u16> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next()).await.expect("a close in time");
        match msg {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| f.code.into()),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return None,
        }
    }
}

/// The API's tests run jobs through the application layer's runner as a worker does, without the worker crate (the
/// API does not depend on it): one job of a bot at a time (its lock), a retryable failure retried a few times.
/// Quarantine is the worker's own, tested in its crate.
#[derive(Debug)]
struct TestWorker(Ctx);

#[async_trait::async_trait]
impl gridbot_platform::JobHandler for TestWorker {
    async fn handle(&self, job: gridbot_platform::Job, _: gridbot_platform::Delivery) {
        let ctx = &self.0;
        let Ok(Some(lock)) = ctx.locks.bot(job.bot(), std::time::Duration::from_secs(30)).await else {
            let _ = ctx.queue.push(job).await;
            return;
        };
        let job = gridbot_app::runner::take(ctx, job).await;
        for _ in 0..6 {
            let result = gridbot_app::runner::execute(ctx, &job, &lock).await;
            if let Err(e) = &result {
                gridbot_app::exchange_errors::note(ctx, job.bot(), e).await;
            }
            match result {
                Err(e) if e.retryable => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
                Err(e) => return tracing::warn!(bot = %job.bot(), error = %e.message, "test job failed"),
                Ok(()) => return,
            }
        }
    }
}
