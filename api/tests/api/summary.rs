//! `GET /api/summary`, `GET /api/balance` and `POST /api/paper/reset`: the paper account is its funding moved by the
//! paper bots' fills, live figures come from the simulator's account through the user's keys; 422 for a bad mode or
//! live without keys; "Today" is every run's fills since 00:00 UTC, over the account's bots.

use gridbot_core::{BotId, Decimal};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::fixtures::{config, fake_run, fill};
use crate::harness::{Backend, Options, SIM_KEY, SIM_SECRET, spawn_app, spawn_app_with};

both!(
    summary_and_paper_balance,
    the_paper_account_resets_to_its_funding_once_no_paper_bot_runs,
    today_counts_every_run_of_every_bot,
    live_balance_from_the_exchange,
    balance_refuses_bad_input,
    the_summary_follows_the_fills_booked_after_it_was_asked
);

fn d(v: &Value) -> Decimal {
    v.as_str().unwrap_or_else(|| panic!("not a decimal string: {v}")).parse().unwrap()
}

fn bot(mode: &str) -> Value {
    json!({"strategy": "grid", "pair": "BTC/USDT", "mode": mode, "config": config("500")})
}

async fn summary_and_paper_balance(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;
    let empty = app.get("/api/summary", &token).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.text);
    assert_eq!(
        empty.body,
        json!({"pnl_today": "0", "pnl_total": "0", "balance_quote": "10000", "quote_asset": "USDT", "bots_running": 0, "live": false}),
        "a new paper account holds its funding"
    );
    assert_eq!(
        app.get("/api/balance", &token).await.body,
        json!({"mode": "paper", "balances": [{"asset": "USDT", "free": "10000", "locked": "0"}]})
    );

    let ran = app.post("/api/bots", Some(&token), bot("paper")).await.body["id"].as_i64().unwrap();
    app.post("/api/bots", Some(&token), bot("paper")).await; // never started: moves nothing
    let run = fake_run(&app.db, BotId(ran), None).await;
    app.db.bots().set_status(BotId(ran), gridbot_platform::db::types::BotStatus::Running, None).await.unwrap();
    let price = d(&app.get("/api/market/price/BTCUSDT", &token).await.body["price"]);
    let s = run.engine.summary(price);

    let b = app.get("/api/balance?mode=paper", &token).await;
    assert_eq!(b.status, StatusCode::OK, "{}", b.text);
    let list = b.body["balances"].as_array().unwrap();
    let asset = |name: &str| list.iter().find(|x| x["asset"] == name).cloned().unwrap();
    let (usdt, btc) = (asset("USDT"), asset("BTC"));
    let (buy, sell) = (&run.resting[0], &run.resting[1]);
    assert_eq!(d(&usdt["locked"]), buy.price.get() * buy.amount.get());
    // The funding (10,000) moved by the run's fills: what its engine says of a capital of 10,000.
    assert_eq!(d(&usdt["free"]) + d(&usdt["locked"]), s.quote_balance);
    assert_eq!(d(&btc["locked"]), sell.amount.get());
    assert_eq!(d(&btc["free"]) + d(&btc["locked"]), s.base_balance);

    let sum = app.get("/api/summary", &token).await;
    assert_eq!(sum.status, StatusCode::OK, "{}", sum.text);
    assert_eq!((sum.body["quote_asset"].as_str(), sum.body["live"].as_bool()), (Some("USDT"), Some(false)));
    assert_eq!(sum.body["bots_running"], 1);
    assert_eq!(d(&sum.body["pnl_today"]), run.realized + s.unrealized_pnl);
    assert_eq!(d(&sum.body["pnl_total"]), run.realized + s.unrealized_pnl);
    assert_eq!(d(&sum.body["balance_quote"]), s.quote_balance);
    let btc_quote = app.get("/api/summary?quote=btc", &token).await;
    assert_eq!(
        (btc_quote.body["quote_asset"].as_str(), btc_quote.body["pnl_total"].as_str()),
        (Some("BTC"), Some("0"))
    );

    // Another user's figures are their own.
    let (_, eve) = app.signup("eve@b.co").await;
    assert_eq!(app.get("/api/summary", &eve).await.body["pnl_total"], "0");
    assert_eq!(
        app.get("/api/balance", &eve).await.body["balances"],
        json!([{"asset": "USDT", "free": "10000", "locked": "0"}])
    );
    app.finish().await;
}

/// A reset funds the paper account afresh, but only while no paper bot runs.
async fn the_paper_account_resets_to_its_funding_once_no_paper_bot_runs(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("reset@b.co").await;
    let id = BotId(app.post("/api/bots", Some(&token), bot("paper")).await.body["id"].as_i64().unwrap());
    fake_run(&app.db, id, None).await;
    app.db.bots().set_status(id, gridbot_platform::db::types::BotStatus::Running, None).await.unwrap();
    assert_ne!(app.get("/api/summary", &token).await.body["balance_quote"], "10000", "the run moved the account");
    let refused = app.post("/api/paper/reset", Some(&token), json!({})).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::CONFLICT, "conflict"), "{}", refused.text);
    app.db.bots().set_status(id, gridbot_platform::db::types::BotStatus::Stopped, None).await.unwrap();
    let reset = app.post("/api/paper/reset", Some(&token), json!({})).await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.text);
    // The run's resting orders are still recorded as open: what they hold stays locked out of the funding.
    let usdt = reset.body["balances"].as_array().unwrap().iter().find(|b| b["asset"] == "USDT").cloned().unwrap();
    assert_eq!(d(&usdt["free"]) + d(&usdt["locked"]), Decimal::from(10_000));
    assert_eq!(app.get("/api/summary", &token).await.body["balance_quote"], "10000");
    app.finish().await;
}

/// Today's P&L is the account's: every bot's fills since 00:00 UTC, of every run, plus the current runs' unrealized
/// P&L; yesterday's fills count in the total only.
async fn today_counts_every_run_of_every_bot(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;
    let price = d(&app.get("/api/market/price/BTCUSDT", &token).await.body["price"]);
    let (mut today, mut last) = (Decimal::ZERO, BotId(0));
    for _ in 0..2 {
        let id = BotId(app.post("/api/bots", Some(&token), bot("paper")).await.body["id"].as_i64().unwrap());
        let earlier = fake_run(&app.db, id, Some(Decimal::from(30))).await;
        app.db.bots().bump_generation(id).await.unwrap();
        let current = fake_run(&app.db, id, None).await;
        today += earlier.realized - Decimal::from(30) + current.realized + current.engine.summary(price).unrealized_pnl;
        last = id;
    }
    // A fill of yesterday, of the last bot's earlier run.
    let order = app.db.orders().list_for_bot(last).await.unwrap().into_iter().next().unwrap();
    let old = gridbot_platform::db::types::Fill {
        bot: last,
        order_id: order.id,
        side: gridbot_core::Side::Sell,
        level: None,
        price: order.price,
        qty: order.amount,
        fee: Decimal::ZERO,
        fee_asset: None,
        fee_quote: None,
        exchange_trade_id: "yesterday".into(),
        pnl: Some(Decimal::from(-7)),
        time: chrono::Utc::now() - chrono::Duration::days(1) - chrono::Duration::hours(1),
    };
    app.db.fills().insert(&old).await.unwrap();

    let sum = app.get("/api/summary", &token).await;
    assert_eq!(sum.status, StatusCode::OK, "{}", sum.text);
    assert_eq!(d(&sum.body["pnl_today"]), today, "{}", sum.text);
    assert_eq!(d(&sum.body["pnl_total"]), today - Decimal::from(7), "{}", sum.text);
    app.finish().await;
}

async fn live_balance_from_the_exchange(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;
    let none = app.get("/api/balance?mode=live", &token).await;
    assert_eq!(
        (none.status, none.fields()),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["api_keys".to_owned()]),
        "{}",
        none.text
    );
    app.put("/api/account/api-keys", &token, json!({"api_key": SIM_KEY, "api_secret": SIM_SECRET})).await;
    let r = app.get("/api/balance?mode=live", &token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["mode"], "live");
    let usdt = r.body["balances"].as_array().unwrap().iter().find(|b| b["asset"] == "USDT").cloned().unwrap();
    assert_eq!((d(&usdt["free"]), d(&usdt["locked"])), (Decimal::from(100_000), Decimal::ZERO), "{}", r.text);
    assert!(!r.text.contains(SIM_KEY) && !r.text.contains(SIM_SECRET));

    // A live bot not stopped: the summary shows the exchange account.
    let id = app.post("/api/bots", Some(&token), bot("live")).await.body["id"].as_i64().unwrap();
    app.db.bots().set_status(BotId(id), gridbot_platform::db::types::BotStatus::Running, None).await.unwrap();
    let sum = app.get("/api/summary", &token).await;
    assert_eq!(
        (sum.body["live"].as_bool(), sum.body["balance_quote"].as_str()),
        (Some(true), Some("100000")),
        "{}",
        sum.text
    );
    app.finish().await;
}

async fn balance_refuses_bad_input(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    for (path, field) in [("/api/balance?mode=margin", "mode"), ("/api/summary?quote=U$DT", "quote")] {
        let r = app.get(path, &token).await;
        assert_eq!(
            (r.status, r.fields()),
            (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_owned()]),
            "{path}: {}",
            r.text
        );
    }
    // Live without a reachable exchange: the contract's 502, never a 500.
    app.put("/api/account/api-keys", &token, json!({"api_key": SIM_KEY, "api_secret": SIM_SECRET})).await;
    let r = app.get("/api/balance?mode=live", &token).await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_GATEWAY, "exchange"), "{}", r.text);
    app.finish().await;
}

/// The summary keeps each bot's sums between requests and brings them forward with the fills booked since: a grid
/// fill booked after it was asked moves its total, today and the paper balance as a first read of the same fills
/// does.
async fn the_summary_follows_the_fills_booked_after_it_was_asked(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("later@b.co").await;
    let id = BotId(app.post("/api/bots", Some(&token), bot("paper")).await.body["id"].as_i64().unwrap());
    let run = fake_run(&app.db, id, None).await;
    app.db.bots().set_status(id, gridbot_platform::db::types::BotStatus::Running, None).await.unwrap();
    let price = d(&app.get("/api/market/price/BTCUSDT", &token).await.body["price"]);
    let first = app.get("/api/summary", &token).await;
    assert_eq!(d(&first.body["pnl_total"]), run.realized + run.engine.summary(price).unrealized_pnl);

    // The resting buy fills: the engine books it, and so must the kept sums.
    let buy = &run.resting[0];
    let mut engine = run.engine.clone();
    let before = engine.summary(Decimal::ZERO).fees_paid;
    engine.book_fill(buy.side, buy.level.unwrap() as usize).unwrap();
    let fee = (engine.summary(Decimal::ZERO).fees_paid - before).normalize();
    fill(&app.db, buy, fee, None).await;
    let s = engine.summary(price);
    let second = app.get("/api/summary", &token).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text);
    assert_eq!(d(&second.body["pnl_total"]), run.realized + s.unrealized_pnl, "{}", second.text);
    assert_eq!(d(&second.body["pnl_today"]), run.realized + s.unrealized_pnl, "{}", second.text);
    assert_eq!(d(&second.body["balance_quote"]), s.quote_balance, "{}", second.text);
    assert_ne!(second.body["balance_quote"], first.body["balance_quote"], "the buy spent quote");
    app.finish().await;
}
