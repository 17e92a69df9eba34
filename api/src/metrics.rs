//! [`Metrics`]: counters kept by the API and rendered as Prometheus text on `GET /metrics` — requests by route, method
//! and status with a latency histogram, jobs the API enqueued, open WebSockets. Hand-rolled: a read-locked map of
//! atomic counters, so recording a request takes no write lock once its series exists.

use std::{
    collections::HashMap,
    fmt::Write as _,
    sync::{
        Arc, RwLock,
        atomic::{AtomicI64, AtomicU64, Ordering},
    },
    time::Instant,
};

use axum::{
    extract::{MatchedPath, Request, State},
    middleware::Next,
    response::Response,
};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

#[derive(Debug, Default)]
struct Series {
    count: AtomicU64,
    /// Sum of latencies, in microseconds.
    sum_us: AtomicU64,
    buckets: [AtomicU64; BUCKETS.len()],
}

type Key = (String, String, u16);

#[derive(Debug, Default)]
pub struct Metrics {
    requests: RwLock<HashMap<Key, Arc<Series>>>,
    jobs: RwLock<HashMap<&'static str, Arc<AtomicU64>>>,
    ws_bot: AtomicI64,
    ws_market: AtomicI64,
}

/// Which WebSocket stream a connection counts under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Bot,
    Market,
}

/// Holds one open WebSocket in the gauge until dropped.
#[derive(Debug)]
pub struct WsGuard {
    metrics: Arc<Metrics>,
    stream: Stream,
}

impl Drop for WsGuard {
    fn drop(&mut self) {
        self.metrics.gauge(self.stream).fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    pub fn record(&self, method: &str, route: &str, status: u16, elapsed: std::time::Duration) {
        let series = self.series(method, route, status);
        series.count.fetch_add(1, Ordering::Relaxed);
        let us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        series.sum_us.fetch_add(us, Ordering::Relaxed);
        let secs = elapsed.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            series.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    fn series(&self, method: &str, route: &str, status: u16) -> Arc<Series> {
        let read = self.requests.read().unwrap_or_else(|p| p.into_inner());
        // Looking up by a borrowed tuple would need a custom key type; one small allocation per request is fine.
        let key = (method.to_owned(), route.to_owned(), status);
        if let Some(s) = read.get(&key) {
            return Arc::clone(s);
        }
        drop(read);
        let mut write = self.requests.write().unwrap_or_else(|p| p.into_inner());
        Arc::clone(write.entry(key).or_default())
    }

    /// Counts a job the API put on the queue.
    pub fn job_enqueued(&self, job: &'static str) {
        let read = self.jobs.read().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = read.get(job) {
            c.fetch_add(1, Ordering::Relaxed);
            return;
        }
        drop(read);
        let mut write = self.jobs.write().unwrap_or_else(|p| p.into_inner());
        write.entry(job).or_default().fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an open WebSocket until the guard drops.
    pub fn ws_open(self: &Arc<Self>, stream: Stream) -> WsGuard {
        self.gauge(stream).fetch_add(1, Ordering::Relaxed);
        WsGuard { metrics: Arc::clone(self), stream }
    }

    fn gauge(&self, stream: Stream) -> &AtomicI64 {
        match stream {
            Stream::Bot => &self.ws_bot,
            Stream::Market => &self.ws_market,
        }
    }

    /// The Prometheus text exposition of every counter, plus `bots` (bots by status, counted by the caller).
    pub fn render(&self, bots: &[(&str, usize)]) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP gridbot_http_requests_total HTTP requests answered, by route, method and status.\n");
        out.push_str("# TYPE gridbot_http_requests_total counter\n");
        let requests = self.requests.read().unwrap_or_else(|p| p.into_inner());
        let mut keys: Vec<&Key> = requests.keys().collect();
        keys.sort();
        for key @ (method, route, status) in &keys {
            let s = &requests[*key];
            let labels = format!("method=\"{method}\",route=\"{}\",status=\"{status}\"", escape(route));
            let _ = writeln!(out, "gridbot_http_requests_total{{{labels}}} {}", s.count.load(Ordering::Relaxed));
        }
        out.push_str("# HELP gridbot_http_request_duration_seconds Time to answer an HTTP request.\n");
        out.push_str("# TYPE gridbot_http_request_duration_seconds histogram\n");
        for key @ (method, route, status) in &keys {
            let s = &requests[*key];
            let labels = format!("method=\"{method}\",route=\"{}\",status=\"{status}\"", escape(route));
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(&s.buckets) {
                cumulative += n.load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "gridbot_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let count = s.count.load(Ordering::Relaxed);
            let _ = writeln!(out, "gridbot_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}");
            let sum = s.sum_us.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(out, "gridbot_http_request_duration_seconds_sum{{{labels}}} {sum}");
            let _ = writeln!(out, "gridbot_http_request_duration_seconds_count{{{labels}}} {count}");
        }
        drop(requests);
        out.push_str("# HELP gridbot_jobs_enqueued_total Jobs this API process put on the queue, by job.\n");
        out.push_str("# TYPE gridbot_jobs_enqueued_total counter\n");
        let jobs = self.jobs.read().unwrap_or_else(|p| p.into_inner());
        let mut names: Vec<_> = jobs.iter().map(|(k, v)| (*k, v.load(Ordering::Relaxed))).collect();
        names.sort();
        for (job, n) in names {
            let _ = writeln!(out, "gridbot_jobs_enqueued_total{{job=\"{job}\"}} {n}");
        }
        drop(jobs);
        out.push_str("# HELP gridbot_bots Bots by status (every user).\n# TYPE gridbot_bots gauge\n");
        for (status, n) in bots {
            let _ = writeln!(out, "gridbot_bots{{status=\"{status}\"}} {n}");
        }
        out.push_str("# HELP gridbot_websockets Open WebSocket connections, by stream.\n");
        out.push_str("# TYPE gridbot_websockets gauge\n");
        let _ = writeln!(out, "gridbot_websockets{{stream=\"bot\"}} {}", self.ws_bot.load(Ordering::Relaxed));
        let _ = writeln!(out, "gridbot_websockets{{stream=\"market\"}} {}", self.ws_market.load(Ordering::Relaxed));
        out
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Middleware: records each request under its route template (`/api/bots/{id}`), or `unmatched`.
pub async fn track(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |m| m.as_str()).to_owned();
    let response = next.run(req).await;
    metrics.record(&method, &route, response.status().as_u16(), started.elapsed());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Arc::new(Metrics::default());
        m.record("GET", "/api/bots/{id}", 200, std::time::Duration::from_micros(700));
        m.record("GET", "/api/bots/{id}", 200, std::time::Duration::from_millis(30));
        m.job_enqueued("place_grid");
        let guard = m.ws_open(Stream::Market);
        let text = m.render(&[("running", 2)]);
        let line = "gridbot_http_requests_total{method=\"GET\",route=\"/api/bots/{id}\",status=\"200\"} 2";
        assert!(text.contains(line), "{text}");
        assert!(text.contains("le=\"0.001\"} 1\n") && text.contains("le=\"+Inf\"} 2\n"), "{text}");
        assert!(text.contains("gridbot_jobs_enqueued_total{job=\"place_grid\"} 1"));
        assert!(text.contains("gridbot_bots{status=\"running\"} 2"));
        assert!(text.contains("gridbot_websockets{stream=\"market\"} 1"));
        drop(guard);
        assert!(m.render(&[]).contains("gridbot_websockets{stream=\"market\"} 0"));
    }
}
