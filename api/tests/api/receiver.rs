//! A local receiver for notifications: an HTTP server on 127.0.0.1:0 that records every request (path, headers,
//! body) and answers each with one status and JSON body.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, Uri},
    response::IntoResponse,
};
use serde_json::Value;
use tokio::sync::oneshot;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    }
}

#[derive(Clone)]
struct Shared {
    got: Arc<Mutex<Vec<Received>>>,
    status: StatusCode,
    answer: Value,
}

pub struct Receiver {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
    _stop: oneshot::Sender<()>,
}

impl Receiver {
    /// Answers every request with `status` and `answer`.
    pub async fn start(status: u16, answer: Value) -> Receiver {
        let got = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared { got: Arc::clone(&got), status: StatusCode::from_u16(status).unwrap(), answer };
        let app = Router::new().fallback(record).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Receiver { url, got, _stop: stop }
    }

    pub fn requests(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits (10 s at most) until `n` requests came, and returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.requests();
            if got.len() >= n {
                return got;
            }
            assert!(tokio::time::Instant::now() < deadline, "{} of {n} requests came: {got:?}", got.len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn record(State(s): State<Shared>, uri: Uri, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    s.got.lock().unwrap().push(Received { path: uri.path().to_owned(), headers, body: body.to_vec() });
    (s.status, axum::Json(s.answer.clone()))
}
