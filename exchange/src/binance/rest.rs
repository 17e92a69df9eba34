//! The REST plumbing: query building, HMAC signing with a synced clock, weight limits, and Binance's errors mapped
//! to [`ExchangeError`]. Idempotent reads are retried on connectivity errors; writes are not (the caller decides).

use std::{
    sync::atomic::{AtomicI64, Ordering},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::Mutex;

use super::{config::Credentials, limiter::WeightLimiter, sign::sign};
use crate::{ExchangeError, Result};

/// How often the server-time offset is refreshed.
const CLOCK_REFRESH: Duration = Duration::from_secs(600);
/// Attempts for a request that was refused for rate or time and may be sent again.
const MAX_ATTEMPTS: u32 = 4;
/// Longest `Retry-After` we wait out inside one call; longer ones are returned as errors.
const MAX_INLINE_WAIT: Duration = Duration::from_secs(65);
pub const RECV_WINDOW_MS: u64 = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Public market data.
    None,
    /// TRADE and USER_DATA: API key header, timestamp and signature.
    Signed,
}

#[derive(Debug)]
pub struct Rest {
    http: reqwest::Client,
    base: String,
    credentials: Option<Credentials>,
    pub limiter: WeightLimiter,
    /// Server time minus local time, ms.
    offset_ms: AtomicI64,
    synced_at: Mutex<Option<Instant>>,
}

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}

impl Rest {
    pub fn new(base: &str, credentials: Option<Credentials>, timeout: Duration) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5))
            .user_agent("gridbot")
            .build()
            .map_err(|e| ExchangeError::Connectivity(e.to_string()))?;
        Ok(Rest {
            http,
            base: base.to_string(),
            credentials,
            limiter: WeightLimiter::new(6000),
            offset_ms: AtomicI64::new(0),
            synced_at: Mutex::new(None),
        })
    }

    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    /// Local time corrected to the server's clock, ms.
    pub fn server_now(&self) -> i64 {
        now_ms() + self.offset_ms()
    }

    /// Measures the server-time offset (`GET /api/v3/time`), halving the round trip.
    pub async fn sync_clock(&self) -> Result<()> {
        let sent = now_ms();
        let v = self.send(Method::GET, "/api/v3/time", &[], 1, Security::None).await?;
        let server = v["serverTime"].as_i64().ok_or_else(|| ExchangeError::Decode(format!("time: {v}")))?;
        let local = (sent + now_ms()) / 2;
        self.offset_ms.store(server - local, Ordering::Relaxed);
        *self.synced_at.lock().await = Some(Instant::now());
        tracing::debug!(offset_ms = server - local, "clock synced with the exchange");
        Ok(())
    }

    async fn ensure_clock(&self) -> Result<()> {
        let stale = self.synced_at.lock().await.is_none_or(|t| t.elapsed() > CLOCK_REFRESH);
        if stale { self.sync_clock().await } else { Ok(()) }
    }

    /// Sends one request, waiting out 429s and re-syncing the clock once on -1021.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        params: &[(&str, String)],
        weight: u32,
        security: Security,
    ) -> Result<Value> {
        if security == Security::Signed {
            self.ensure_clock().await?;
        }
        let mut resynced = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.send(method.clone(), path, params, weight, security).await {
                Err(ExchangeError::RateLimited { retry_after })
                    if attempt < MAX_ATTEMPTS && retry_after <= MAX_INLINE_WAIT =>
                {
                    tracing::warn!(path, retry_after_s = retry_after.as_secs(), "rate limited (429); waiting it out");
                    self.limiter.acquire(0).await;
                }
                Err(ExchangeError::Timestamp(msg)) if !resynced => {
                    tracing::warn!(path, %msg, "timestamp outside the receive window (-1021); re-syncing the clock");
                    resynced = true;
                    self.sync_clock().await?;
                }
                Err(ExchangeError::Connectivity(e)) if method == Method::GET && attempt < MAX_ATTEMPTS => {
                    tracing::warn!(path, error = %e, attempt, "exchange unreachable; retrying a read");
                    tokio::time::sleep(backoff(attempt)).await;
                }
                other => return other,
            }
        }
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        params: &[(&str, String)],
        weight: u32,
        security: Security,
    ) -> Result<Value> {
        self.limiter.acquire(weight).await;
        let mut req;
        if security == Security::Signed {
            let creds = self
                .credentials
                .as_ref()
                .ok_or_else(|| ExchangeError::Auth { code: -2014, msg: "no API key configured".into() })?;
            let extra = [("recvWindow", RECV_WINDOW_MS.to_string()), ("timestamp", self.server_now().to_string())];
            let mut q = encode(params.iter().chain(extra.iter()));
            let signature = sign(&creds.secret, &q);
            q.push_str("&signature=");
            q.push_str(&signature);
            req = self.http.request(method, format!("{}{path}?{q}", self.base)).header("X-MBX-APIKEY", &creds.api_key);
        } else {
            let q = encode(params.iter());
            let url = if q.is_empty() { format!("{}{path}", self.base) } else { format!("{}{path}?{q}", self.base) };
            req = self.http.request(method, url);
        }
        req = req.header("Accept", "application/json");
        let resp = req.send().await.map_err(|e| ExchangeError::Connectivity(describe(&e)))?;
        if let Some(used) = header_u32(&resp, "x-mbx-used-weight-1m") {
            self.limiter.observe(used);
        }
        let status = resp.status();
        let retry_after = header_u32(&resp, "retry-after").map(|s| Duration::from_secs(s.into()));
        let body = resp.text().await.map_err(|e| ExchangeError::Connectivity(describe(&e)))?;
        match status {
            StatusCode::TOO_MANY_REQUESTS => {
                let retry_after = retry_after.unwrap_or(Duration::from_secs(1));
                self.limiter.block(retry_after);
                Err(ExchangeError::RateLimited { retry_after })
            }
            StatusCode::IM_A_TEAPOT => {
                let retry_after = retry_after.unwrap_or(Duration::from_secs(120));
                self.limiter.block(retry_after);
                Err(ExchangeError::Banned { retry_after })
            }
            s if s.is_server_error() => Err(ExchangeError::Connectivity(format!("HTTP {s}: {}", snippet(&body)))),
            s => {
                let v: Value = serde_json::from_str(&body)
                    .map_err(|_| ExchangeError::Decode(format!("HTTP {s}: {}", snippet(&body))))?;
                match v.get("code").and_then(Value::as_i64) {
                    Some(code) if !s.is_success() || code < 0 => {
                        Err(ExchangeError::from_code(code, v.get("msg").and_then(Value::as_str).unwrap_or_default()))
                    }
                    _ if !s.is_success() => {
                        Err(ExchangeError::Rejected { code: i64::from(s.as_u16()), msg: snippet(&body) })
                    }
                    _ => Ok(v),
                }
            }
        }
    }
}

/// `k=v&…`, percent-encoded.
fn encode<'a>(params: impl Iterator<Item = &'a (&'a str, String)>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        query.append_pair(k, v);
    }
    query.finish()
}

/// 200 ms, 400 ms, 800 ms, … (capped at 5 s), with ±50 % jitter.
pub fn backoff(attempt: u32) -> Duration {
    let base = 200u64.saturating_mul(1 << attempt.min(5)).min(5000);
    Duration::from_millis(base / 2 + rand::random_range(0..=base))
}

fn header_u32(resp: &reqwest::Response, name: &str) -> Option<u32> {
    resp.headers().get(name)?.to_str().ok()?.trim().parse().ok()
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "request timed out".into()
    } else if e.is_connect() {
        format!("cannot connect: {e}")
    } else {
        e.to_string()
    }
}

fn snippet(body: &str) -> String {
    body.chars().take(200).collect()
}
