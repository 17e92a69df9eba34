//! `GET /api/orders`, `/api/fills`, `/api/trades`: the contract's shapes, newest first, filters and limits, 422 on
//! bad query values, 404 on another user's bot.

use gridbot_core::BotId;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::fixtures::{config, fake_run};
use crate::harness::{Backend, spawn_app};

both!(orders_fills_and_trades, trading_queries_refuse_bad_input);

fn is_decimal(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.parse::<rust_decimal::Decimal>().is_ok())
}

async fn orders_fills_and_trades(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let body = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": config("500")});
    let id = app.post("/api/bots", Some(&token), body.clone()).await.body["id"].as_i64().unwrap();
    let other = app.post("/api/bots", Some(&token), body).await.body["id"].as_i64().unwrap();
    let run = fake_run(&app.db, BotId(id), None).await;
    fake_run(&app.db, BotId(other), None).await;

    let r = app.get(&format!("/api/orders?bot_id={id}"), &token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let orders = r.body.as_array().unwrap();
    assert_eq!(orders.len(), 5);
    let ids: Vec<i64> = orders.iter().map(|o| o["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    let sell = orders.iter().find(|o| o["id"] == run.sell.id).unwrap();
    assert_eq!(sell["bot_id"], id);
    assert_eq!(sell["client_order_id"], run.sell.client_order_id.as_str());
    assert_eq!(sell["exchange_order_id"], format!("x-{}", run.sell.id));
    assert_eq!((sell["side"].as_str(), sell["status"].as_str()), (Some("sell"), Some("filled")));
    assert_eq!(sell["level_index"], 9);
    for k in ["price", "amount", "filled_amount", "avg_fill_price", "fee"] {
        assert!(is_decimal(&sell[k]), "{k}: {sell}");
    }
    assert_eq!(sell["fee_asset"], "USDT");
    assert!(sell["created_at"].is_string() && sell["updated_at"].is_string());
    let initial = orders.iter().find(|o| o["id"] == run.initial.id).unwrap();
    assert_eq!(initial["level_index"], Value::Null, "a market order has no level");

    let open = app.get(&format!("/api/orders?bot_id={id}&status=open"), &token).await;
    assert_eq!(open.body.as_array().unwrap().len(), 2, "{}", open.text);
    assert!(open.body.as_array().unwrap().iter().all(|o| o["status"] == "open"));
    let two = app.get(&format!("/api/orders?bot_id={id}&status=open,filled&limit=3"), &token).await;
    assert_eq!(two.body.as_array().unwrap().len(), 3, "{}", two.text);
    let all = app.get("/api/orders", &token).await;
    assert_eq!(all.body.as_array().unwrap().len(), 10, "every bot's: {}", all.text);

    let f = app.get(&format!("/api/fills?bot_id={id}"), &token).await;
    assert_eq!(f.status, StatusCode::OK, "{}", f.text);
    let fills = f.body.as_array().unwrap();
    assert_eq!(fills.len(), 3);
    assert_eq!(fills[0]["order_id"], run.sell.id, "newest first: {}", f.text);
    assert_eq!(fills[0]["side"], "sell");
    assert_eq!(fills[0]["pnl"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap(), run.realized);
    assert_eq!(fills[1]["pnl"], Value::Null, "a buy closes no round trip");
    for k in ["price", "amount", "fee"] {
        assert!(is_decimal(&fills[0][k]), "{k}");
    }
    let fill_ids: std::collections::HashSet<i64> = fills.iter().map(|f| f["id"].as_i64().unwrap()).collect();
    assert_eq!(fill_ids.len(), 3, "ids are unique");
    assert_eq!(app.get(&format!("/api/fills?bot_id={id}"), &token).await.body, f.body, "and stable");
    assert_eq!(app.get(&format!("/api/fills?bot_id={id}&limit=1"), &token).await.body.as_array().unwrap().len(), 1);
    assert_eq!(app.get("/api/fills", &token).await.body.as_array().unwrap().len(), 6);

    let t = app.get(&format!("/api/trades?bot_id={id}"), &token).await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.text);
    let trade = &t.body[0];
    assert_eq!(
        (trade["buy_order_id"].as_i64(), trade["sell_order_id"].as_i64()),
        (Some(run.buy.id), Some(run.sell.id))
    );
    assert_eq!(trade["buy_price"], "99210.53");
    assert_eq!(trade["sell_price"], "99736.84");
    assert_eq!(trade["amount"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap(), run.engine.plan().qty);
    assert_eq!(trade["profit"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap(), run.realized);
    assert!(is_decimal(&trade["fees"]) && trade["created_at"].is_string());
    assert_eq!(app.get("/api/trades", &token).await.body.as_array().unwrap().len(), 2);

    // Another user: 404 for the bot, nothing in the unfiltered lists.
    let (_, eve) = app.signup("eve@b.co").await;
    for kind in ["orders", "fills", "trades"] {
        let r = app.get(&format!("/api/{kind}?bot_id={id}"), &eve).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"), "{kind}: {}", r.text);
        let mine = app.get(&format!("/api/{kind}"), &eve).await;
        assert_eq!(mine.body, json!([]), "{kind}: {}", mine.text);
    }
    app.finish().await;
}

async fn trading_queries_refuse_bad_input(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let cases = [
        ("/api/orders?status=done", "status"),
        ("/api/orders?status=open,nope", "status"),
        ("/api/orders?limit=0", "limit"),
        ("/api/fills?limit=1001", "limit"),
        ("/api/trades?limit=ten", "limit"),
        ("/api/fills?bot_id=abc", "bot_id"),
        ("/api/trades?bot_id=1.5", "bot_id"),
        ("/api/orders?limit=%FF", "limit"),
    ];
    for (path, field) in cases {
        let r = app.get(path, &token).await;
        assert_eq!(
            (r.status, r.fields()),
            (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_owned()]),
            "{path}: {}",
            r.text
        );
    }
    let missing = app.get("/api/orders?bot_id=424242", &token).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.text);
    app.finish().await;
}
