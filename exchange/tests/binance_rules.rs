//! The Binance client against the simulator on Binance's 2026 rules: orders expired by the Price Range Execution
//! Rule carry their `expiryReason` / `eR`, a symbol off `TRADING` is refused as a closed market (and noticed again
//! when it trades), and `serverShutdown` makes both streams reconnect at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use gridbot_core::{ClientOrderId, Decimal, Side, Symbol};
use gridbot_exchange::{
    Exchange, ExchangeError, MarketEvent, OrderRequest, OrderStatus, OrderType, UserEvent,
    binance::{Binance, Credentials, Endpoints},
};
use gridbot_sim::{SimArgs, SimHandle, start};
use rust_decimal_macros::dec;
use serde_json::{Value, json};
use tokio::{sync::mpsc, time::timeout};

const PRICE_RANGE: &str = "EXECUTION_RULE_PRICE_RANGE_EXCEEDED";

struct Setup {
    sim: SimHandle,
    client: Binance,
    http: reqwest::Client,
    btc: Symbol,
}

async fn setup() -> Setup {
    let sim = start(SimArgs::try_from_flags(["--port", "0", "--start-paused"]).unwrap()).await.unwrap();
    let endpoints = Endpoints::single_host(&sim.rest_url, &sim.ws_url, &sim.ws_api_url);
    let client = Binance::new(endpoints, Some(Credentials::new("demo-key", "demo-secret"))).unwrap();
    let s = Setup { sim, client, http: reqwest::Client::new(), btc: "BTC/USDT".parse().unwrap() };
    s.control("/sim/price", json!({"symbol": "BTCUSDT", "price": "100000.00"})).await;
    s
}

impl Setup {
    async fn control(&self, path: &str, body: Value) {
        let r = self.http.post(format!("{}{path}", self.sim.rest_url)).json(&body).send().await.unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
    }
    fn limit(&self, price: Decimal, id: &str) -> OrderRequest {
        OrderRequest {
            symbol: self.btc.clone(),
            side: Side::Buy,
            order_type: OrderType::Limit,
            price: Some(price),
            qty: dec!(0.01),
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
async fn orders_expired_by_the_price_range_rule_carry_their_reason() {
    let s = setup().await;
    let mut user = s.client.user_stream().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let placed = s.client.place(&s.limit(dec!(90000), "far-1")).await.unwrap();
    assert_eq!((placed.status, placed.expiry_reason.as_deref()), (OrderStatus::New, None));

    s.control("/sim/expire-outside", json!({"symbol": "BTCUSDT", "low": "95000"})).await;
    let got = s.client.order(&s.btc, "far-1").await.unwrap().unwrap();
    assert_eq!((got.status, got.expiry_reason.as_deref()), (OrderStatus::Expired, Some(PRICE_RANGE)));
    let report =
        next_matching(&mut user, |e| matches!(e, UserEvent::Execution(r) if r.execution_type == "EXPIRED")).await;
    let UserEvent::Execution(r) = report else { unreachable!() };
    assert_eq!((r.client_order_id.as_str(), r.expiry_reason.as_deref()), ("far-1", Some(PRICE_RANGE)));

    // A taker that would trade outside the band expires at once: the placement answers EXPIRED with the reason.
    s.control("/sim/execution-rule", json!({"symbol": "BTCUSDT", "band_pct": "5", "reference_price": "90000"})).await;
    let taker = s.client.place(&s.limit(dec!(100100), "taker-1")).await.unwrap();
    assert_eq!(
        (taker.status, taker.executed_qty, taker.expiry_reason.as_deref()),
        (OrderStatus::Expired, dec!(0), Some(PRICE_RANGE))
    );
}

#[tokio::test]
async fn a_symbol_off_trading_is_a_closed_market_until_it_trades_again() {
    let s = setup().await;
    s.client.place(&s.limit(dec!(99000), "before-1")).await.unwrap();
    s.control("/sim/symbol-status", json!({"symbol": "BTCUSDT", "status": "HALT"})).await;
    let e = s.client.place(&s.limit(dec!(98000), "halted-1")).await.unwrap_err();
    assert!(matches!(&e, ExchangeError::MarketClosed(m) if m.contains("HALT")), "{e}");
    assert!(!e.is_retryable());
    assert_eq!(s.client.symbol_info(&s.btc).await.unwrap().status, "HALT");
    // Cancels still work.
    assert_eq!(s.client.cancel(&s.btc, "before-1").await.unwrap().status, OrderStatus::Canceled);
    let again = s.client.place(&s.limit(dec!(98000), "halted-2")).await.unwrap_err();
    assert!(matches!(again, ExchangeError::MarketClosed(_)), "{again}");

    s.control("/sim/symbol-status", json!({"symbol": "BTCUSDT", "status": "TRADING"})).await;
    assert_eq!(s.client.symbol_info(&s.btc).await.unwrap().status, "TRADING");
    assert_eq!(s.client.place(&s.limit(dec!(98000), "after-1")).await.unwrap().status, OrderStatus::New);
}

#[tokio::test]
async fn server_shutdown_reconnects_both_streams_at_once() {
    let s = setup().await;
    let mut market = s.client.market_stream(std::slice::from_ref(&s.btc)).await.unwrap();
    let mut user = s.client.user_stream().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    // The server would close the connections only after 5 s: the client leaves at once.
    s.control("/sim/server-shutdown", json!({"close_after_ms": 5000})).await;
    let gap = next_matching(&mut market, |e| matches!(e, MarketEvent::Gap { .. })).await;
    let MarketEvent::Gap { from, to } = gap else { unreachable!() };
    assert!(to - from < 150, "reconnected without backoff: down {} ms", to - from);
    let gap = next_matching(&mut user, |e| matches!(e, UserEvent::Gap { .. })).await;
    let UserEvent::Gap { from, to } = gap else { unreachable!() };
    assert!(to - from < 150, "re-subscribed without backoff: down {} ms", to - from);
    assert!(started.elapsed() < Duration::from_secs(3), "before the server closed: {:?}", started.elapsed());

    // The new connections carry data.
    s.control("/sim/price", json!({"symbol": "BTCUSDT", "price": "100001.00"})).await;
    next_matching(&mut market, |e| matches!(e, MarketEvent::Trade { price, .. } if *price == dec!(100001))).await;
    s.client.place(&s.limit(dec!(99000), "after-shutdown")).await.unwrap();
    next_matching(&mut user, |e| matches!(e, UserEvent::Execution(r) if r.client_order_id == "after-shutdown")).await;
}
