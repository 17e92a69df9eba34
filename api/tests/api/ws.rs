//! WebSockets: the bot stream's snapshot and its `status`, `order`, `fill` and `stats` messages after changes; the
//! market stream's `trade` and `kline`; 4401 for missing, bad and expired tokens, 4404 for another user's bot,
//! 4422 for a malformed symbol.

use chrono::Utc;
use gridbot_core::{BotId, Candle, ClientOrderId, Decimal, Price, Qty, Side};
use gridbot_platform::{
    BotChange, Event,
    db::types::{Fill, NewOrder, OrderStatus},
};
use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::fixtures::config;
use crate::harness::{Backend, JWT_SECRET, close_code, next_json, next_of, spawn_app};

both!(bot_stream_follows_changes, market_stream_relays_ticks, websockets_refuse_bad_tokens_and_foreign_bots);

async fn bot_stream_follows_changes(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let body = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": config("500")});
    let id = app.post("/api/bots", Some(&token), body).await.body["id"].as_i64().unwrap();
    let mut ws = app.ws(&format!("/ws/bot/{id}"), Some(&token)).await;

    let status = next_json(&mut ws).await;
    assert_eq!(
        (status["type"].as_str(), status["bot"]["status"].as_str()),
        (Some("status"), Some("stopped")),
        "{status}"
    );
    assert_eq!(status["bot"]["id"], id);
    let stats = next_json(&mut ws).await;
    assert_eq!(stats["type"], "stats", "{stats}");
    assert_eq!(stats["stats"]["realized_pnl"], "0");

    // A start publishes a status change.
    let r = app.post(&format!("/api/bots/{id}/start"), Some(&token), json!({})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let status = next_of(&mut ws, "status").await;
    assert_eq!(status["bot"]["status"], "starting", "{status}");
    next_of(&mut ws, "stats").await;

    // A fill booked by a worker: its order and fill are pushed, then the stats.
    let bot = BotId(id);
    let cid = ClientOrderId::initial(bot, 1);
    let new = NewOrder {
        bot,
        client_order_id: cid.clone(),
        side: Side::Buy,
        level: None,
        price: Price::new(Decimal::from(100_000)).unwrap(),
        amount: Qty::new(Decimal::new(5, 3)).unwrap(),
    };
    let order = app.db.orders().insert(&new).await.unwrap();
    app.db
        .orders()
        .update_state(
            &cid,
            Some("x-1"),
            OrderStatus::Filled,
            new.amount,
            Some(new.price),
            Decimal::new(5, 1),
            Some("USDT"),
        )
        .await
        .unwrap();
    let fill = Fill {
        bot,
        order_id: order.id,
        side: Side::Buy,
        level: None,
        price: new.price,
        qty: new.amount,
        fee: Decimal::new(5, 1),
        fee_asset: Some("USDT".into()),
        fee_quote: None,
        exchange_trade_id: format!("order:{cid}"),
        pnl: None,
        time: Utc::now(),
    };
    app.db.fills().insert(&fill).await.unwrap();
    app.rt.events.publish(Event::Bot { bot_id: gridbot_core::BotId(id), change: BotChange::Fill }).await;
    let o = next_json(&mut ws).await;
    assert_eq!((o["type"].as_str(), o["order"]["status"].as_str()), (Some("order"), Some("filled")), "{o}");
    assert_eq!(o["order"]["client_order_id"], cid.as_str());
    let f = next_json(&mut ws).await;
    assert_eq!(f["type"], "fill", "{f}");
    assert_eq!((f["fill"]["order_id"].as_i64(), f["fill"]["price"].as_str()), (Some(order.id), Some("100000")));
    assert_eq!(f["fill"]["amount"], "0.005");
    assert_eq!(next_json(&mut ws).await["type"], "stats");

    // A change of nothing new sends only the stats; a stop sends the status.
    app.rt.events.publish(Event::Bot { bot_id: gridbot_core::BotId(id), change: BotChange::Orders }).await;
    assert_eq!(next_json(&mut ws).await["type"], "stats");
    app.post(&format!("/api/bots/{id}/stop"), Some(&token), json!({})).await;
    assert_eq!(next_of(&mut ws, "status").await["bot"]["status"], "stopping");

    // Deleting the bot closes its stream.
    app.db.bots().set_status(bot, gridbot_platform::db::types::BotStatus::Stopped, None).await.unwrap();
    let del = app.delete(&format!("/api/bots/{id}"), &token).await;
    assert_eq!(del.status, StatusCode::NO_CONTENT, "{}", del.text);
    app.rt.events.publish(Event::Bot { bot_id: gridbot_core::BotId(id), change: BotChange::Status }).await;
    assert_eq!(close_code(&mut ws).await, Some(4404));
    app.finish().await;
}

async fn market_stream_relays_ticks(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let mut ws = app.ws("/ws/market/btc-usdt", Some(&token)).await;
    let mut eth = app.ws("/ws/market/ETHUSDT", Some(&token)).await;
    let time = 1_747_699_200_123;
    let eth_trade = Event::Trade { symbol: "ETHUSDT".into(), price: Decimal::from(3000), qty: Decimal::ONE, time };
    app.rt.events.publish(eth_trade).await;
    let trade = Event::Trade {
        symbol: "BTCUSDT".into(),
        price: Decimal::new(1_001_234_500, 4),
        qty: Decimal::new(25, 3),
        time,
    };
    app.rt.events.publish(trade).await;
    let candle = Candle {
        open_time: 1_747_699_200_000,
        open: Decimal::from(100_000),
        high: Decimal::from(100_200),
        low: Decimal::from(99_900),
        close: Decimal::new(10_012_345, 2),
        volume: Decimal::new(125, 1),
    };
    app.rt.events.publish(Event::Kline { symbol: "BTCUSDT".into(), candle, closed: false }).await;

    let t = next_json(&mut ws).await;
    assert_eq!(t, json!({"type": "trade", "symbol": "BTCUSDT", "price": "100123.45", "qty": "0.025", "time": time}));
    let k = next_json(&mut ws).await;
    assert_eq!(
        k,
        json!({"type": "kline", "symbol": "BTCUSDT", "candle": {"time": 1_747_699_200, "open": "100000", "high": "100200",
               "low": "99900", "close": "100123.45", "volume": "12.5", "closed": false}})
    );
    assert_eq!(next_json(&mut eth).await["price"], "3000", "each stream gets its own symbol");
    app.finish().await;
}

async fn websockets_refuse_bad_tokens_and_foreign_bots(backend: Backend) {
    let app = spawn_app(backend).await;
    let (alice_id, alice) = app.signup("alice@b.co").await;
    let (_, bob) = app.signup("bob@b.co").await;
    let body = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": config("500")});
    let id = app.post("/api/bots", Some(&alice), body).await.body["id"].as_i64().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let expired =
        gridbot_api::jwt::sign(JWT_SECRET, &gridbot_api::jwt::Claims::new(alice_id, 0, now - 120, now - 60)).unwrap();
    let mut tampered = alice.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let unknown = gridbot_api::jwt::issue(JWT_SECRET, alice_id + 1000, 0, std::time::Duration::from_secs(60)).unwrap();
    let bot_path = format!("/ws/bot/{id}");
    for path in [bot_path.as_str(), "/ws/market/BTCUSDT"] {
        let tokens = [None, Some(""), Some("garbage"), Some(expired.as_str()), Some(tampered.as_str()), Some(&unknown)];
        for token in tokens {
            let mut ws = app.ws(path, token).await;
            assert_eq!(close_code(&mut ws).await, Some(4401), "{path} with {token:?}");
        }
    }
    for path in [bot_path.as_str(), "/ws/bot/999999", "/ws/bot/abc"] {
        let mut ws = app.ws(path, Some(&bob)).await;
        assert_eq!(close_code(&mut ws).await, Some(4404), "{path}");
    }
    let mut bad = app.ws("/ws/market/BTC", Some(&alice)).await;
    assert_eq!(close_code(&mut bad).await, Some(4422));

    // A token that expires while connected closes the stream with 4401.
    let short = gridbot_api::jwt::sign(JWT_SECRET, &gridbot_api::jwt::Claims::new(alice_id, 0, now, now + 2)).unwrap();
    let mut ws = app.ws("/ws/market/BTCUSDT", Some(&short)).await;
    assert_eq!(close_code(&mut ws).await, Some(4401));

    // A plain GET is no WebSocket: refused without a 5xx.
    let plain = app.get(&bot_path, &alice).await;
    assert!(plain.status.is_client_error(), "{}: {}", plain.status, plain.text);
    app.finish().await;
}
