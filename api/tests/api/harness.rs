//! `spawn_app`: a fresh database, the real application on port 0 and an HTTP client; and `both!`, which runs one
//! async test fn on SQLite and on PostgreSQL.

use std::{sync::Arc, time::Duration};

use gridbot_api::{ApiConfig, ApiContext, RateLimits, build_app, serve};
use gridbot_exchange::{
    Exchange,
    binance::{Binance, Endpoints},
};
use gridbot_platform::{Db, Settings, connect, migrate};
use gridbot_sim::{SimArgs, SimHandle, start};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use tokio::{sync::oneshot, task::JoinHandle};

pub const JWT_SECRET: &[u8] = b"test secret of at least thirty-two bytes";
pub const ENCRYPTION_KEY: [u8; 32] = [42; 32];
pub const PASSWORD: &str = "correct horse battery";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Serve market data from a simulator (otherwise from an exchange that is down).
    pub sim: bool,
    pub rate_limits: Option<RateLimits>,
}

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub db: Db,
    pub sim: Option<SimHandle>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
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

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, Options::default()).await
}

pub async fn spawn_app_with(backend: Backend, options: Options) -> TestApp {
    logs();
    let (settings, pg_name, dir) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            (Settings::sqlite(&dir.path().join("gridbot.db")), None, Some(dir))
        }
        Backend::Postgres => {
            let name = format!("gb_api_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(format!("{}/postgres", pg_server())).await.unwrap();
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
            admin.close().await.unwrap();
            (Settings::postgres(&format!("{}/{name}", pg_server())), Some(name), None)
        }
    };
    let db = connect(&settings).await.unwrap();
    migrate(&db).await.unwrap();

    let sim = if options.sim {
        Some(start(SimArgs::try_from_flags(["--port", "0", "--start-paused"]).unwrap()).await.unwrap())
    } else {
        None
    };
    let endpoints = match &sim {
        Some(s) => Endpoints::single_host(&s.rest_url, &s.ws_url, &s.ws_api_url),
        // Nothing listens on port 9 of localhost: an exchange that is down.
        None => Endpoints::single_host("http://127.0.0.1:9", "ws://127.0.0.1:9", "ws://127.0.0.1:9/ws-api/v3"),
    };
    let exchange: Arc<dyn Exchange> = Arc::new(Binance::with_timeout(endpoints, None, Duration::from_secs(5)).unwrap());

    let mut config = ApiConfig::new(JWT_SECRET, ENCRYPTION_KEY);
    config.bcrypt_cost = 4;
    if let Some(limits) = options.rate_limits {
        config.rate_limits = limits;
    }
    let ctx = ApiContext::new(db.clone(), exchange, config);
    let app = build_app(ctx).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        serve(listener, app, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    TestApp { base, http: reqwest::Client::new(), db, sim, stop: Some(stop), server: Some(server), pg_name, _dir: dir }
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
        self.db.clone().close().await.unwrap();
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
