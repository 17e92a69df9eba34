//! The Binance client against the simulator, over real sockets: place, query, cancel, cancel-all, fills, partial
//! fills, execution reports, balances, a dropped stream, its gap and the trades it missed (`aggTrades`), 429s waited
//! out, 5xx and timeouts on placement that never produce a second order, and filter violations refused before they
//! reach the exchange.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use gridbot_core::{ClientOrderId, Decimal, Side, Symbol};
use gridbot_exchange::{
    Exchange, ExchangeError, MarketEvent, OrderRequest, OrderStatus, OrderType, UserEvent,
    binance::{Binance, Credentials, Endpoints},
};
use gridbot_sim::{SimArgs, SimHandle, start};
use rust_decimal_macros::dec;
use serde_json::{Value, json};
use tokio::{sync::mpsc, time::timeout};

struct Setup {
    sim: SimHandle,
    client: Binance,
    http: reqwest::Client,
    btc: Symbol,
}

async fn setup(flags: &[&str]) -> Setup {
    setup_with_timeout(flags, Duration::from_secs(10)).await
}

async fn setup_with_timeout(flags: &[&str], request_timeout: Duration) -> Setup {
    let mut all = vec!["--port", "0", "--start-paused"];
    all.extend_from_slice(flags);
    let sim = start(SimArgs::try_from_flags(all).unwrap()).await.unwrap();
    let endpoints = Endpoints::single_host(&sim.rest_url, &sim.ws_url, &sim.ws_api_url);
    let client =
        Binance::with_timeout(endpoints, Some(Credentials::new("demo-key", "demo-secret")), request_timeout).unwrap();
    Setup { sim, client, http: reqwest::Client::new(), btc: "BTC/USDT".parse().unwrap() }
}

impl Setup {
    async fn control(&self, path: &str, body: Value) {
        let r = self.http.post(format!("{}{path}", self.sim.rest_url)).json(&body).send().await.unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
    }
    async fn play(&self, price: Decimal) {
        self.control("/sim/price", json!({"symbol": "BTCUSDT", "price": price.to_string()})).await;
    }
    async fn order_log(&self) -> Vec<Value> {
        let r = self.http.get(format!("{}/sim/orders", self.sim.rest_url)).send().await.unwrap();
        r.json::<Vec<Value>>().await.unwrap()
    }
    fn limit(&self, side: Side, price: Decimal, qty: Decimal, id: &str) -> OrderRequest {
        OrderRequest {
            symbol: self.btc.clone(),
            side,
            order_type: OrderType::Limit,
            price: Some(price),
            qty,
            client_order_id: ClientOrderId::parse(id).unwrap(),
        }
    }
}

async fn next_matching<T: std::fmt::Debug>(rx: &mut mpsc::Receiver<T>, mut pred: impl FnMut(&T) -> bool) -> T {
    timeout(Duration::from_secs(10), async {
        loop {
            let e = rx.recv().await.expect("stream open");
            if pred(&e) {
                return e;
            }
        }
    })
    .await
    .expect("event within 10 s")
}

#[tokio::test]
async fn market_data_and_filters() {
    let s = setup(&[]).await;
    let info = s.client.symbol_info(&s.btc).await.unwrap();
    assert_eq!(
        (info.filters.tick_size, info.filters.step_size, info.filters.min_notional),
        (dec!(0.01), dec!(0.00001), dec!(5))
    );
    let symbols = s.client.symbols().await.unwrap();
    assert!(symbols.iter().any(|i| i.symbol.exchange_name() == "ETHUSDT"));
    s.play(dec!(100000)).await;
    assert_eq!(s.client.price(&s.btc).await.unwrap(), dec!(100000));
    let t = s.client.ticker_24h(&s.btc).await.unwrap();
    assert_eq!(t.last_price, dec!(100000));
    let candles = s.client.klines(&s.btc, "1m", None, 10).await.unwrap();
    assert!(!candles.is_empty() && candles.len() <= 10);
    let unknown = s.client.symbol_info(&"DOGE/EUR".parse().unwrap()).await.unwrap_err();
    assert!(matches!(unknown, ExchangeError::InvalidSymbol(_)), "{unknown}");
    let h = s.client.health().await;
    assert!(h.reachable && h.error.is_none(), "{h:?}");
}

#[tokio::test]
async fn place_query_cancel_and_cancel_all() {
    let s = setup(&[]).await;
    s.play(dec!(100000)).await;
    let o = s.client.place(&s.limit(Side::Buy, dec!(98000), dec!(0.001), "t-buy-1")).await.unwrap();
    assert_eq!(
        (o.status, o.price, o.orig_qty, o.client_order_id.as_str()),
        (OrderStatus::New, dec!(98000), dec!(0.001), "t-buy-1")
    );
    let found = s.client.order(&s.btc, "t-buy-1").await.unwrap().unwrap();
    assert_eq!(found.order_id, o.order_id);
    assert!(s.client.order(&s.btc, "no-such-order").await.unwrap().is_none());
    assert_eq!(s.client.open_orders(&s.btc).await.unwrap().len(), 1);
    let cancelled = s.client.cancel(&s.btc, "t-buy-1").await.unwrap();
    assert_eq!(cancelled.status, OrderStatus::Canceled);
    // Cancelling again answers with the order as it is, not an error.
    assert_eq!(s.client.cancel(&s.btc, "t-buy-1").await.unwrap().status, OrderStatus::Canceled);
    s.client.place(&s.limit(Side::Buy, dec!(97000), dec!(0.001), "t-buy-2")).await.unwrap();
    s.client.place(&s.limit(Side::Sell, dec!(103000), dec!(0.001), "t-sell-1")).await.unwrap();
    assert_eq!(s.client.cancel_all(&s.btc).await.unwrap().len(), 2);
    assert!(s.client.cancel_all(&s.btc).await.unwrap().is_empty());
    assert!(s.client.open_orders(&s.btc).await.unwrap().is_empty());
}

#[tokio::test]
async fn fills_execution_reports_trades_and_balances() {
    let s = setup(&[]).await;
    s.play(dec!(100000)).await;
    let mut user = s.client.user_stream().await.unwrap();
    let before = s.client.balances().await.unwrap();
    let usdt =
        |b: &[gridbot_exchange::Balance]| b.iter().find(|b| b.asset == "USDT").map(|b| b.free + b.locked).unwrap();
    // Give the subscription a moment, then place and fill.
    tokio::time::sleep(Duration::from_millis(300)).await;
    s.client.place(&s.limit(Side::Buy, dec!(99000), dec!(0.01), "t-fill-1")).await.unwrap();
    s.play(dec!(99500)).await;
    assert_eq!(s.client.order(&s.btc, "t-fill-1").await.unwrap().unwrap().status, OrderStatus::New);
    s.play(dec!(99000)).await;
    let report =
        next_matching(&mut user, |e| matches!(e, UserEvent::Execution(r) if r.execution_type == "TRADE")).await;
    let UserEvent::Execution(r) = report else { unreachable!() };
    assert_eq!(
        (r.client_order_id.as_str(), r.status, r.last_price, r.last_qty),
        ("t-fill-1", OrderStatus::Filled, dec!(99000), dec!(0.01))
    );
    // Binance's default: a buy pays its commission in the base it delivers.
    assert_eq!((r.commission, r.commission_asset.as_deref()), (dec!(0.00001), Some("BTC")));
    let trades = s.client.trades_since(&s.btc, None).await.unwrap();
    assert_eq!(trades.len(), 1);
    assert_eq!((trades[0].price, trades[0].qty, trades[0].is_buyer), (dec!(99000), dec!(0.01), true));
    assert!(s.client.trades_since(&s.btc, Some(trades[0].id + 1)).await.unwrap().is_empty());
    let of_order = s.client.order_trades(&s.btc, r.order_id).await.unwrap();
    assert_eq!(of_order.len(), 1);
    assert_eq!((of_order[0].commission, of_order[0].commission_asset.as_str()), (dec!(0.00001), "BTC"));
    let after = s.client.balances().await.unwrap();
    assert_eq!(usdt(&before) - usdt(&after), dec!(990), "the notional only: the fee came out of the base");
}

#[tokio::test]
async fn partial_fills_are_reported_as_such() {
    let s = setup(&["--partial-fill-pct", "50"]).await;
    s.play(dec!(100000)).await;
    s.client.place(&s.limit(Side::Buy, dec!(99000), dec!(0.01), "t-part-1")).await.unwrap();
    s.play(dec!(99000)).await;
    let o = s.client.order(&s.btc, "t-part-1").await.unwrap().unwrap();
    assert_eq!((o.status, o.executed_qty), (OrderStatus::PartiallyFilled, dec!(0.005)));
    assert_eq!(o.avg_price(), Some(dec!(99000)));
    s.play(dec!(98990)).await;
    assert_eq!(s.client.order(&s.btc, "t-part-1").await.unwrap().unwrap().status, OrderStatus::Filled);
}

#[tokio::test]
async fn a_dropped_stream_reconnects_and_reports_the_gap() {
    let s = setup(&[]).await;
    let mut market = s.client.market_stream(std::slice::from_ref(&s.btc)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    s.play(dec!(100001)).await;
    next_matching(&mut market, |e| matches!(e, MarketEvent::Trade { price, .. } if *price == dec!(100001))).await;
    s.control("/sim/drop-ws", json!({})).await;
    let gap = next_matching(&mut market, |e| matches!(e, MarketEvent::Gap { .. })).await;
    let MarketEvent::Gap { from, to } = gap else { unreachable!() };
    assert!(from <= to);
    // Re-subscribed: trades flow again.
    s.play(dec!(100002)).await;
    next_matching(&mut market, |e| matches!(e, MarketEvent::Trade { price, .. } if *price == dec!(100002))).await;
    assert!(s.client.health().await.last_stream_message_ms.is_some());
}

#[tokio::test]
async fn the_trades_a_dropped_stream_missed_are_listed_by_time_and_by_id() {
    let s = setup(&[]).await;
    let mut market = s.client.market_stream(std::slice::from_ref(&s.btc)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    s.play(dec!(100001)).await;
    let seen = next_matching(&mut market, |e| matches!(e, MarketEvent::Trade { .. })).await;
    let MarketEvent::Trade { time, trade_id, .. } = seen else { unreachable!() };
    s.control("/sim/faults", json!({"ws_refuse": true})).await;
    s.control("/sim/drop-ws", json!({})).await;
    for p in [dec!(99000.5), dec!(98000), dec!(101000)] {
        s.play(p).await;
    }
    // By time from the last trade seen, within Binance's hour: that trade and the three missed.
    let by_time = s.client.agg_trades(&s.btc, None, Some(time), Some(time + 3_599_999), 1000).await.unwrap();
    assert_eq!(by_time.len(), 4);
    assert_eq!((by_time[0].first_trade_id, by_time[0].last_trade_id), (trade_id, trade_id));
    let missed: Vec<Decimal> = by_time[1..].iter().map(|t| t.price).collect();
    assert_eq!(missed, [dec!(99000.5), dec!(98000), dec!(101000)]);
    assert!(by_time.windows(2).all(|w| w[0].id < w[1].id && w[0].time <= w[1].time));
    assert_eq!(by_time[1].qty, dec!(0.00001));
    // Paged by id, one at a time.
    let page = s.client.agg_trades(&s.btc, Some(by_time[2].id), None, None, 1).await.unwrap();
    assert_eq!(page, [by_time[2]]);
    let recent = s.client.agg_trades(&s.btc, None, None, None, 2).await.unwrap();
    assert_eq!(recent, by_time[2..]);
    // A window over an hour is Binance's refusal, not a retry.
    let wide = s.client.agg_trades(&s.btc, None, Some(time), Some(time + 3_600_001), 10).await.unwrap_err();
    assert!(matches!(wide, ExchangeError::Rejected { code: -1127, .. }), "{wide:?}");
    assert!(!wide.is_retryable());
    s.control("/sim/faults", json!({"ws_refuse": false})).await;
    next_matching(&mut market, |e| matches!(e, MarketEvent::Gap { .. })).await;
}

#[tokio::test]
async fn rate_limit_bursts_are_waited_out() {
    let s = setup(&[]).await;
    s.play(dec!(100000)).await;
    s.control("/sim/faults", json!({"burst_429": 2})).await;
    let t = std::time::Instant::now();
    assert_eq!(s.client.price(&s.btc).await.unwrap(), dec!(100000));
    assert!(t.elapsed() >= Duration::from_millis(900), "waited for Retry-After");
}

#[tokio::test]
async fn placement_with_5xx_and_timeouts_never_duplicates() {
    let s = setup_with_timeout(&[], Duration::from_millis(400)).await;
    s.play(dec!(100000)).await;
    s.client.symbol_info(&s.btc).await.unwrap();
    s.control("/sim/faults", json!({"fail_rate": 0.3, "timeout_rate": 0.2, "timeout_ms": 800})).await;
    let mut placed = Vec::new();
    for i in 0..20 {
        let id = format!("t-dup-{i}");
        let price = dec!(90000) + Decimal::from(i);
        if let Ok(o) = s.client.place(&s.limit(Side::Buy, price, dec!(0.001), &id)).await {
            assert_eq!(o.client_order_id, id);
            placed.push(id);
        }
    }
    s.control("/sim/faults", json!({"fail_rate": 0.0, "timeout_rate": 0.0})).await;
    assert!(placed.len() >= 10, "most placements succeed: {}", placed.len());
    let log = s.order_log().await;
    for i in 0..20 {
        let id = format!("t-dup-{i}");
        let accepted = log
            .iter()
            .filter(|e| e["action"] == "new" && e["client_order_id"] == id.as_str() && e["result"] == "accepted")
            .count();
        assert!(accepted <= 1, "{id} accepted {accepted} times");
        if placed.contains(&id) {
            assert_eq!(accepted, 1, "{id}");
        }
    }
    let open = s.client.open_orders(&s.btc).await.unwrap();
    let mut ids: Vec<_> = open.iter().map(|o| o.client_order_id.clone()).collect();
    ids.dedup();
    assert_eq!(ids.len(), open.len(), "no client id twice on the book");
}

#[tokio::test]
async fn filter_violations_never_reach_the_exchange() {
    let s = setup(&[]).await;
    s.play(dec!(100000)).await;
    let off_tick = s.client.place(&s.limit(Side::Buy, dec!(99000.001), dec!(0.001), "t-f-1")).await.unwrap_err();
    assert!(matches!(&off_tick, ExchangeError::Filter(m) if m.starts_with("PRICE_FILTER")), "{off_tick}");
    let off_step = s.client.place(&s.limit(Side::Buy, dec!(99000), dec!(0.0000001), "t-f-2")).await.unwrap_err();
    assert!(matches!(&off_step, ExchangeError::Filter(m) if m.starts_with("LOT_SIZE")), "{off_step}");
    let small = s.client.place(&s.limit(Side::Buy, dec!(99000), dec!(0.00001), "t-f-3")).await.unwrap_err();
    assert!(matches!(&small, ExchangeError::Filter(m) if m.starts_with("NOTIONAL")), "{small}");
    assert!(s.order_log().await.iter().all(|e| !e["client_order_id"].as_str().unwrap_or_default().starts_with("t-f-")));
    // What only the exchange knows is still mapped: a balance too small.
    let broke = s.client.place(&s.limit(Side::Buy, dec!(99000), dec!(5), "t-f-4")).await.unwrap_err();
    assert!(matches!(broke, ExchangeError::InsufficientBalance(_)), "{broke}");
    let dup = s.client.place(&s.limit(Side::Buy, dec!(98000), dec!(0.001), "t-f-5")).await.unwrap();
    let again = s.client.place(&s.limit(Side::Buy, dec!(98000), dec!(0.001), "t-f-5")).await.unwrap();
    assert_eq!(again.order_id, dup.order_id, "a duplicate answers with the order that exists");
}

#[tokio::test]
async fn a_clock_that_drifted_is_resynced_on_1021() {
    let s = setup(&[]).await;
    s.client.balances().await.unwrap(); // syncs the clock
    // The server's clock jumps 10 s ahead: our timestamps fall outside the 5 s receive window.
    s.control("/sim/faults", json!({"clock_offset_ms": 10_000})).await;
    let balances = s.client.balances().await.expect("re-synced and retried once");
    assert!(balances.iter().any(|b| b.asset == "USDT"));
    // (The offset refreshes only every 10 minutes: without the re-sync on -1021 the call above fails.)
    let offset = s.client.health().await.time_offset_ms;
    assert!((9_000..=11_000).contains(&offset), "offset {offset}");
}

#[tokio::test]
async fn a_wrong_secret_is_an_auth_error() {
    let s = setup(&[]).await;
    let endpoints = Endpoints::single_host(&s.sim.rest_url, &s.sim.ws_url, &s.sim.ws_api_url);
    let bad = Binance::new(endpoints, Some(Credentials::new("demo-key", "wrong"))).unwrap();
    let e = bad.balances().await.unwrap_err();
    assert!(matches!(e, ExchangeError::Auth { code: -1022, .. }), "{e}");
    assert!(!e.is_retryable());
}
