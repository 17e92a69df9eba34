//! A local stand-in for the Messages API: axum on 127.0.0.1 port 0 answering `POST /v1/messages` with scripted
//! replies, one per request, and recording what it was sent.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use serde_json::{Value, json};

/// One scripted reply.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    /// A 200 with one `tool_use` block calling `propose_grid` with `input`.
    pub fn tool_use(input: Value) -> Reply {
        Reply::json(
            200,
            json!({"id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                   "content": [{"type": "tool_use", "id": "toolu_01", "name": "propose_grid", "input": input}],
                   "stop_reason": "tool_use", "usage": {"input_tokens": 800, "output_tokens": 90}}),
        )
    }
    /// A 200 with text only.
    pub fn text(text: &str) -> Reply {
        Reply::json(
            200,
            json!({"id": "msg_02", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                   "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                   "usage": {"input_tokens": 800, "output_tokens": 40}}),
        )
    }
    /// The API's error shape.
    pub fn error(status: u16, kind: &str, message: &str) -> Reply {
        Reply::json(status, json!({"type": "error", "error": {"type": kind, "message": message}}))
    }
    pub fn json(status: u16, body: Value) -> Reply {
        Reply { status, headers: vec![], body: body.to_string(), delay: Duration::ZERO }
    }
    pub fn raw(status: u16, body: &str) -> Reply {
        Reply { status, headers: vec![], body: body.to_owned(), delay: Duration::ZERO }
    }
    pub fn header(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_owned()));
        self
    }
    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

/// A request the fake received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub headers: HeaderMap,
    pub body: Value,
    pub at: Instant,
}

#[derive(Default)]
struct Script {
    replies: Mutex<VecDeque<Reply>>,
    seen: Mutex<Vec<Seen>>,
}

pub struct FakeClaude {
    pub url: String,
    script: Arc<Script>,
    server: tokio::task::JoinHandle<()>,
}

impl FakeClaude {
    pub async fn start(replies: Vec<Reply>) -> FakeClaude {
        let script = Arc::new(Script { replies: Mutex::new(replies.into()), seen: Mutex::default() });
        let app = Router::new().route("/v1/messages", post(messages)).with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeClaude { url, script, server }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.script.seen.lock().unwrap().clone()
    }
}

impl Drop for FakeClaude {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn messages(State(script): State<Arc<Script>>, headers: HeaderMap, body: Bytes) -> Response {
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    script.seen.lock().unwrap().push(Seen { headers, body, at: Instant::now() });
    let reply = script.replies.lock().unwrap().pop_front();
    let Some(reply) = reply else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the script has no more replies").into_response();
    };
    tokio::time::sleep(reply.delay).await;
    let mut response = (StatusCode::from_u16(reply.status).unwrap(), reply.body).into_response();
    response.headers_mut().insert("content-type", "application/json".parse().unwrap());
    for (name, value) in reply.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}
