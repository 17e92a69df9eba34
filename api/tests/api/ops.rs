//! Operations: `/readyz` (503 naming the failing part), `/metrics`, `/docs`, request ids, the dashboard's static
//! files with `index.html` for page paths, rate limits keyed on the proxy's client address, and 401 on every new
//! route without a valid token.

use std::time::Duration;

use gridbot_api::RateLimits;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Backend, JWT_SECRET, Options, logs, spawn_app, spawn_app_with};

both!(
    readiness_metrics_and_docs,
    request_ids_are_set_and_propagated,
    dashboard_files_and_page_paths,
    proxy_client_address_limits,
    new_routes_need_a_token
);

async fn readiness_metrics_and_docs(backend: Backend) {
    let up = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let r = up.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body, json!({"status": "ready", "checks": {"database": "ok", "queue": "ok", "exchange": "ok"}}));

    let (_, token) = up.signup("a@b.co").await;
    let body =
        json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": crate::fixtures::config("500")});
    let id = up.post("/api/bots", Some(&token), body).await.body["id"].as_i64().unwrap();
    up.get(&format!("/api/bots/{id}"), &token).await;
    up.get("/api/bots/999999", &token).await;
    up.post(&format!("/api/bots/{id}/start"), Some(&token), json!({})).await;
    let m = up.http.get(format!("{}/metrics", up.base)).send().await.unwrap();
    assert_eq!(m.status(), StatusCode::OK);
    assert!(m.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = m.text().await.unwrap();
    for line in [
        "gridbot_http_requests_total{method=\"GET\",route=\"/api/bots/{id}\",status=\"200\"} 1",
        "gridbot_http_requests_total{method=\"GET\",route=\"/api/bots/{id}\",status=\"404\"} 1",
        "gridbot_http_requests_total{method=\"POST\",route=\"/api/auth/register\",status=\"201\"} 1",
        "gridbot_jobs_enqueued_total{job=\"place_grid\"} 1",
        "gridbot_bots{status=\"starting\"} 1",
        "gridbot_bots{status=\"running\"} 0",
        "gridbot_websockets{stream=\"bot\"} 0",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    assert!(text.contains("gridbot_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/bots/{id}\",status=\"200\",le=\"+Inf\"} 1"));

    let docs = up.http.get(format!("{}/docs", up.base)).send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(docs.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = docs.text().await.unwrap();
    assert!(html.contains("/api/openapi.json") && !html.contains("https://"), "self-contained, no CDN");
    up.finish().await;

    // The exchange down: not ready, and the answer says which part.
    let down = spawn_app(backend).await;
    let r = down.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
    assert_eq!(r.body["status"], "unavailable");
    assert_eq!((r.body["checks"]["database"].as_str(), r.body["checks"]["queue"].as_str()), (Some("ok"), Some("ok")));
    assert!(["failed", "timed out"].contains(&r.body["checks"]["exchange"].as_str().unwrap()), "{}", r.text);
    assert!(!r.text.contains("127.0.0.1"), "no internals: {}", r.text);
    assert_eq!(down.call(Method::GET, "/healthz", None, None).await.status, StatusCode::OK);
    down.finish().await;
}

async fn request_ids_are_set_and_propagated(backend: Backend) {
    let app = spawn_app(backend).await;
    let mine =
        app.http.get(format!("{}/healthz", app.base)).header("x-request-id", "req-test-4242").send().await.unwrap();
    assert_eq!(mine.headers()["x-request-id"], "req-test-4242");
    let fresh = app.http.get(format!("{}/api/nothing", app.base)).send().await.unwrap();
    let id = fresh.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    app.finish().await;
    let text = logs().text();
    assert!(text.contains("request_id=req-test-4242"), "the id is in the request's span");
    assert!(text.contains(&format!("request_id={id}")));
}

async fn dashboard_files_and_page_paths(backend: Backend) {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), "<!doctype html><title>Gridbot</title>").unwrap();
    std::fs::create_dir(dist.path().join("assets")).unwrap();
    std::fs::write(dist.path().join("assets/app.js"), "console.log('gridbot')").unwrap();
    let app = spawn_app_with(backend, Options { static_dir: Some(dist.path().to_owned()), ..Options::default() }).await;
    let get = |path: &str| {
        let url = format!("{}{path}", app.base);
        let http = app.http.clone();
        async move {
            let r = http.get(url).send().await.unwrap();
            let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
            (r.status(), ct, r.text().await.unwrap())
        }
    };
    let (s, ct, body) = get("/assets/app.js").await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.contains("javascript"), "{ct}");
    assert_eq!(body, "console.log('gridbot')");
    for page in ["/", "/config", "/bots/3/settings", "/login?next=/"] {
        let (s, ct, body) = get(page).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(ct.starts_with("text/html") && body.contains("<title>Gridbot</title>"), "{page}: {ct} {body}");
    }
    for api in ["/api/nothing", "/api", "/ws/nothing", "/metrics/x", "/docs/x", "/healthz/x", "/readyz/x"] {
        let (s, ct, body) = get(api).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{api}");
        assert!(ct.starts_with("application/json") && body.contains("\"not_found\""), "{api}: {body}");
    }
    app.finish().await;
}

async fn proxy_client_address_limits(backend: Backend) {
    let limits = RateLimits { api_burst: 2, api_refill: Duration::from_secs(60), ..RateLimits::default() };
    let behind =
        spawn_app_with(backend, Options { rate_limits: Some(limits), trust_proxy: true, ..Options::default() }).await;
    let hit = |app: &crate::harness::TestApp, xff: &str| {
        let req = app.http.get(format!("{}/healthz", app.base)).header("x-forwarded-for", xff.to_owned());
        async move { req.send().await.unwrap().status() }
    };
    // The proxy appends the client's address last; whatever the client put before it is ignored.
    assert_eq!(hit(&behind, "1.1.1.1, 203.0.113.1").await, StatusCode::OK);
    assert_eq!(hit(&behind, "2.2.2.2, 203.0.113.1").await, StatusCode::OK);
    assert_eq!(hit(&behind, "3.3.3.3, 203.0.113.1").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(hit(&behind, "203.0.113.2").await, StatusCode::OK, "another client has its own bucket");
    behind.finish().await;

    let direct = spawn_app_with(backend, Options { rate_limits: Some(limits), ..Options::default() }).await;
    assert_eq!(hit(&direct, "203.0.113.1").await, StatusCode::OK);
    assert_eq!(hit(&direct, "203.0.113.2").await, StatusCode::OK);
    assert_eq!(hit(&direct, "203.0.113.3").await, StatusCode::TOO_MANY_REQUESTS, "the header is not trusted");
    direct.finish().await;
}

async fn new_routes_need_a_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let (id, token) = app.signup("a@b.co").await;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let expired =
        gridbot_api::jwt::sign(JWT_SECRET, &gridbot_api::jwt::Claims::new(id, 0, now - 120, now - 60)).unwrap();
    let mut tampered = token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let routes = [
        (Method::POST, "/api/bots/1/start"),
        (Method::POST, "/api/bots/1/stop"),
        (Method::GET, "/api/bots/1/stats"),
        (Method::POST, "/api/bots/test-config"),
        (Method::GET, "/api/summary"),
        (Method::POST, "/api/emergency-stop"),
        (Method::GET, "/api/orders"),
        (Method::GET, "/api/fills"),
        (Method::GET, "/api/trades"),
        (Method::GET, "/api/balance"),
        (Method::GET, "/api/strategies"),
    ];
    for (method, path) in routes {
        for bad in [None, Some(expired.as_str()), Some(tampered.as_str()), Some("garbage")] {
            let body = (method == Method::POST).then(|| json!({}));
            let r = app.call(method.clone(), path, bad, body).await;
            assert_eq!(
                (r.status, r.code()),
                (StatusCode::UNAUTHORIZED, "unauthorized"),
                "{method} {path} {bad:?}: {}",
                r.text
            );
        }
    }
    let s = app.get("/api/strategies", &token).await;
    let names: Vec<&Value> = s.body.as_array().expect("a list").iter().map(|s| &s["name"]).collect();
    assert_eq!(names, [&json!("grid"), &json!("mean_reversion")], "{}", s.text);
    app.finish().await;
}
