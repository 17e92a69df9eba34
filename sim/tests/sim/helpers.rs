//! Starting a simulator and talking to it: signed REST calls, control calls, WebSocket reads.

use std::time::Duration;

use futures_util::StreamExt;
use gridbot_sim::{SimArgs, SimHandle, start};
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode, header::HeaderMap};
use serde_json::Value;
use sha2::Sha256;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async, tungstenite::Message};

pub const KEY: &str = "demo-key";
pub const SECRET: &str = "demo-secret";

pub type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

pub struct TestSim {
    pub handle: SimHandle,
    pub http: reqwest::Client,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> i64 {
        self.body["code"].as_i64().unwrap_or(0)
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }
}

/// Starts a paused simulator on port 0 with extra flags.
pub async fn spawn(flags: &[&str]) -> TestSim {
    let mut all = vec!["--port", "0", "--start-paused"];
    all.extend_from_slice(flags);
    let args = SimArgs::try_from_flags(all).expect("flags");
    let handle = start(args).await.expect("simulator starts");
    TestSim { handle, http: reqwest::Client::new() }
}

pub fn sign(secret: &str, payload: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("hmac key");
    mac.update(payload.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub fn encode(params: &[(&str, String)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        s.append_pair(k, v);
    }
    s.finish()
}

async fn reply(resp: reqwest::Response) -> Reply {
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply { status, headers, body }
}

impl TestSim {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.handle.rest_url)
    }

    pub async fn get(&self, path: &str) -> Reply {
        reply(self.http.get(self.url(path)).send().await.expect("request")).await
    }

    /// A signed call with every parameter (and the signature) in the query string.
    pub async fn signed_as(
        &self,
        key: &str,
        secret: &str,
        method: Method,
        path: &str,
        params: &[(&str, &str)],
    ) -> Reply {
        let mut all: Vec<(&str, String)> = params.iter().map(|(k, v)| (*k, v.to_string())).collect();
        all.push(("timestamp", now_ms().to_string()));
        let q = encode(&all);
        let url = format!("{}?{q}&signature={}", self.url(path), sign(secret, &q));
        reply(self.http.request(method, url).header("X-MBX-APIKEY", key).send().await.expect("request")).await
    }

    pub async fn signed(&self, method: Method, path: &str, params: &[(&str, &str)]) -> Reply {
        self.signed_as(KEY, SECRET, method, path, params).await
    }

    /// A raw call: query and form body as given, API key header.
    pub async fn raw(&self, method: Method, path: &str, query: &str, body: &str, key: Option<&str>) -> Reply {
        let url = if query.is_empty() { self.url(path) } else { format!("{}?{query}", self.url(path)) };
        let mut req = self.http.request(method, url);
        if let Some(k) = key {
            req = req.header("X-MBX-APIKEY", k);
        }
        if !body.is_empty() {
            req = req.header("content-type", "application/x-www-form-urlencoded").body(body.to_string());
        }
        reply(req.send().await.expect("request")).await
    }

    pub async fn control(&self, path: &str, body: Value) -> Value {
        let resp = self.http.post(self.url(path)).json(&body).send().await.expect("control request");
        assert!(resp.status().is_success(), "{path} answered {}", resp.status());
        resp.json().await.expect("control json")
    }

    pub async fn price(&self, symbol: &str, price: &str) {
        self.control("/sim/price", serde_json::json!({"symbol": symbol, "price": price})).await;
    }

    pub async fn state(&self) -> Value {
        self.get("/sim/state").await.body
    }

    pub async fn limit(&self, side: &str, price: &str, qty: &str, client_id: &str) -> Reply {
        self.signed(
            Method::POST,
            "/api/v3/order",
            &[
                ("symbol", "BTCUSDT"),
                ("side", side),
                ("type", "LIMIT"),
                ("timeInForce", "GTC"),
                ("quantity", qty),
                ("price", price),
                ("newClientOrderId", client_id),
            ],
        )
        .await
    }

    pub async fn balance(&self, asset: &str) -> (String, String) {
        let acct = self.signed(Method::GET, "/api/v3/account", &[]).await.body;
        let b = acct["balances"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|b| b["asset"] == asset)
            .cloned()
            .unwrap_or_default();
        (b["free"].as_str().unwrap_or("0").to_string(), b["locked"].as_str().unwrap_or("0").to_string())
    }

    pub async fn ws(&self, path: &str) -> Ws {
        let (ws, _) = connect_async(format!("{}{path}", self.handle.ws_url)).await.expect("websocket connects");
        ws
    }
}

/// The next JSON text message (pings are skipped); panics after 5 s.
pub async fn next_json(ws: &mut Ws) -> Value {
    let read = async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => return serde_json::from_str(t.as_str()).expect("json message"),
                Some(Ok(_)) => continue,
                other => panic!("websocket ended: {other:?}"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), read).await.expect("a message within 5 s")
}

/// The next message whose `key` field equals `value`.
pub async fn next_where(ws: &mut Ws, key: &str, value: &str) -> Value {
    loop {
        let v = next_json(ws).await;
        if v[key] == value {
            return v;
        }
    }
}

/// Whether the socket ends (closed or dropped) within `secs`.
pub async fn ends_within(ws: &mut Ws, secs: u64) -> bool {
    let read = async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => continue,
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(secs), read).await.is_ok()
}

pub async fn send_json(ws: &mut Ws, v: Value) {
    use futures_util::SinkExt;
    ws.send(Message::Text(v.to_string().into())).await.expect("send");
}

/// Polls `/sim/state` until `pred` holds (at most 10 s).
pub async fn wait_state(sim: &TestSim, pred: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..200 {
        let s = sim.state().await;
        if pred(&s) {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("state never reached: {}", sim.state().await);
}

/// The next message answering request `id`.
pub async fn next_id(ws: &mut Ws, id: u64) -> Value {
    loop {
        let v = next_json(ws).await;
        if v["id"] == id {
            return v;
        }
    }
}
