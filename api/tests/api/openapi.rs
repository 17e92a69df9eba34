//! `GET /api/openapi.json` documents every route — `/api`, the WebSockets and the operations endpoints — with the
//! bearer scheme and the error shape.

use reqwest::{Method, StatusCode};

use crate::both;
use crate::harness::{Backend, spawn_app};

both!(openapi_lists_every_route);

const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/auth/register"),
    ("post", "/api/auth/login"),
    ("get", "/api/auth/me"),
    ("post", "/api/auth/logout"),
    ("post", "/api/auth/logout-all"),
    ("post", "/api/auth/password"),
    ("get", "/api/bots"),
    ("post", "/api/bots"),
    ("get", "/api/bots/{id}"),
    ("put", "/api/bots/{id}"),
    ("delete", "/api/bots/{id}"),
    ("put", "/api/account/api-keys"),
    ("get", "/api/account/api-keys"),
    ("delete", "/api/account/api-keys"),
    ("get", "/api/notifications"),
    ("put", "/api/notifications"),
    ("post", "/api/notifications/webhook-secret"),
    ("post", "/api/notifications/test"),
    ("get", "/api/market/symbols"),
    ("get", "/api/market/price/{symbol}"),
    ("get", "/api/market/candles/{symbol}"),
    ("get", "/api/market/indicators/{symbol}"),
    ("get", "/api/strategies"),
    ("post", "/api/bots/{id}/start"),
    ("post", "/api/bots/{id}/stop"),
    ("get", "/api/bots/{id}/stats"),
    ("get", "/api/bots/{id}/runs"),
    ("get", "/api/bots/{id}/equity"),
    ("get", "/api/exchange/health"),
    ("get", "/api/bots/{id}/daily-pnl"),
    ("get", "/api/summary/daily-pnl"),
    ("post", "/api/bots/test-config"),
    ("post", "/api/emergency-stop"),
    ("get", "/api/summary"),
    ("get", "/api/balance"),
    ("post", "/api/paper/reset"),
    ("get", "/api/orders"),
    ("get", "/api/fills"),
    ("get", "/api/trades"),
    ("get", "/api/jobs/dead"),
    ("post", "/api/ai/optimize"),
    ("get", "/api/ai/suggestions"),
    ("post", "/api/ai/suggestions/{id}/accept"),
    ("post", "/api/ai/suggestions/{id}/reject"),
    ("get", "/ws/bot/{id}"),
    ("get", "/ws/market/{symbol}"),
    ("get", "/api/system"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
];

async fn openapi_lists_every_route(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let doc = r.body;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    // docs/openapi.json is what the dashboard's API types are generated from (frontend: npm run gen:api): it must
    // be the document served. UPDATE_OPENAPI=1 writes it.
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(file, serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
    }
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert!(
        saved == doc,
        "docs/openapi.json is not the served document: run `UPDATE_OPENAPI=1 cargo test -p gridbot-api --test api \
         openapi`, then `npm run gen:api` in frontend/"
    );
    let paths = doc["paths"].as_object().unwrap();
    for &(method, path) in ROUTES {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} missing");
    }
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(documented, ROUTES.len(), "every documented route is listed here");
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    assert!(doc["components"]["schemas"]["BotOut"].is_object());
    for schema in [
        "StatsOut",
        "OrderOut",
        "FillOut",
        "TradeOut",
        "TestConfigOut",
        "SummaryOut",
        "BalanceOut",
        "DeadJobOut",
        "NotificationsOut",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema} missing");
    }
    // Every route under /api but register and login asks for the bearer token.
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let public = ["/api/auth/register", "/api/auth/login", "/api/system"].contains(&path.as_str())
                || !path.starts_with("/api");
            assert_eq!(op.get("security").is_some(), !public, "{method} {path}");
            // The errors a route may answer whatever its handler does are in its contract.
            let responses = op["responses"].as_object().unwrap();
            let mut wanted = vec![];
            if !public {
                wanted.push("401");
            }
            if path.contains('{') {
                wanted.push("404");
            }
            if op.get("requestBody").is_some() {
                wanted.extend(["413", "422"]);
            }
            if path.starts_with("/api/") {
                wanted.push("429");
            }
            for code in wanted {
                assert!(responses.contains_key(code), "{method} {path} does not document {code}");
            }
        }
    }
    // Operation ids are unique, and every link (the stateful fuzzer follows them) names one.
    let ops: Vec<&serde_json::Value> = paths.values().flat_map(|item| item.as_object().unwrap().values()).collect();
    let ids: Vec<&str> = ops.iter().filter_map(|op| op["operationId"].as_str()).collect();
    let unique: std::collections::HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate operationId in {ids:?}");
    let links = |path: &str, method: &str, status: &str| {
        paths[path][method]["responses"][status]["links"].as_object().cloned().unwrap_or_default()
    };
    let created = links("/api/bots", "post", "201");
    for target in ["get_bot", "update_bot", "start_bot", "stop_bot", "bot_stats", "bot_runs", "test_config", "summary"]
    {
        assert!(created.values().any(|l| l["operationId"] == target), "POST /api/bots 201 links no {target}");
    }
    for (name, link) in created.iter().chain(links("/api/bots/{id}/start", "post", "202").iter()) {
        let target = link["operationId"].as_str().unwrap_or_default();
        assert!(unique.contains(target), "link {name} names the unknown operation {target:?}");
    }
    app.finish().await;
}
