//! Orders: place, query, cancel, cancel all, fills on a touch, partial fills, market orders, filters, refusals.

use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

const BTC: (&str, &str) = ("symbol", "BTCUSDT");

#[tokio::test]
async fn place_query_cancel_and_cancel_all() {
    let sim = spawn(&[]).await;
    sim.price("BTCUSDT", "100000.00").await;
    let r = sim.limit("BUY", "95000.00", "0.01000", "grid-1").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("x-mbx-order-count-10s").as_deref(), Some("1"));
    let id = r.body["orderId"].as_u64().unwrap_or_default();
    assert_eq!((r.body["status"].as_str(), r.body["clientOrderId"].as_str()), (Some("NEW"), Some("grid-1")));
    assert_eq!(r.body["fills"], json!([]));
    assert_eq!(sim.balance("USDT").await, ("9050.00000000".into(), "950.00000000".into()));

    let by_id = sim.signed(Method::GET, "/api/v3/order", &[BTC, ("orderId", &id.to_string())]).await;
    assert_eq!(by_id.body["origQty"], "0.01000000");
    assert_eq!(by_id.body["type"], "LIMIT");
    let by_cid = sim.signed(Method::GET, "/api/v3/order", &[BTC, ("origClientOrderId", "grid-1")]).await;
    assert_eq!(by_cid.body["orderId"].as_u64(), Some(id));
    let open = sim.signed(Method::GET, "/api/v3/openOrders", &[BTC]).await;
    assert_eq!(open.body.as_array().map(Vec::len), Some(1));
    assert!(open.header("x-mbx-used-weight-1m").is_some());

    let c = sim.signed(Method::DELETE, "/api/v3/order", &[BTC, ("origClientOrderId", "grid-1")]).await;
    assert_eq!(c.body["status"], "CANCELED", "{}", c.body);
    assert_eq!(c.body["origClientOrderId"], "grid-1");
    assert_eq!(sim.balance("USDT").await, ("10000.00000000".into(), "0.00000000".into()));
    let again = sim.signed(Method::DELETE, "/api/v3/order", &[BTC, ("orderId", &id.to_string())]).await;
    assert_eq!((again.code(), again.body["msg"].as_str()), (-2011, Some("Unknown order sent.")));
    let missing = sim.signed(Method::GET, "/api/v3/order", &[BTC, ("orderId", "999999")]).await;
    assert_eq!((missing.code(), missing.body["msg"].as_str()), (-2013, Some("Order does not exist.")));

    sim.limit("BUY", "95000.00", "0.01000", "grid-1").await;
    sim.limit("SELL", "105000.00", "0.01000", "grid-2").await;
    let all = sim.signed(Method::DELETE, "/api/v3/openOrders", &[BTC]).await;
    assert_eq!(all.body.as_array().map(Vec::len), Some(2), "{}", all.body);
    assert_eq!(all.body[0]["status"], "CANCELED");
    let none = sim.signed(Method::DELETE, "/api/v3/openOrders", &[BTC]).await;
    assert_eq!(none.code(), -2011);
    let history = sim.signed(Method::GET, "/api/v3/allOrders", &[BTC]).await;
    assert_eq!(history.body.as_array().map(Vec::len), Some(3));
    let log = sim.get("/sim/orders").await.body;
    let log = log.as_array().cloned().unwrap_or_default();
    assert_eq!(log.len(), 7);
    assert_eq!((log[0]["result"].as_str(), log[0]["client_order_id"].as_str()), (Some("accepted"), Some("grid-1")));
    assert_eq!((log[2]["result"].as_str(), log[2]["code"].as_i64()), (Some("rejected"), Some(-2011)));
}

#[tokio::test]
async fn resting_orders_fill_at_their_price_when_touched() {
    let sim = spawn(&[]).await;
    sim.price("BTCUSDT", "100000.00").await;
    let buy = sim.limit("BUY", "99000.00", "0.01000", "b1").await.body["orderId"].as_u64().unwrap_or_default();
    let sell = sim.limit("SELL", "101000.00", "0.01000", "s1").await.body["orderId"].as_u64().unwrap_or_default();
    sim.price("BTCUSDT", "99000.01").await;
    let q = sim.signed(Method::GET, "/api/v3/order", &[BTC, ("orderId", &buy.to_string())]).await;
    assert_eq!(q.body["status"], "NEW");
    sim.price("BTCUSDT", "98500.00").await;
    let q = sim.signed(Method::GET, "/api/v3/order", &[BTC, ("orderId", &buy.to_string())]).await;
    assert_eq!((q.body["status"].as_str(), q.body["executedQty"].as_str()), (Some("FILLED"), Some("0.01000000")));
    assert_eq!(q.body["cummulativeQuoteQty"], "990.00000000");
    let trades = sim.signed(Method::GET, "/api/v3/myTrades", &[BTC, ("orderId", &buy.to_string())]).await.body;
    assert_eq!(trades[0]["price"], "99000.00000000", "a touch fills at the order's own price");
    assert_eq!(
        (trades[0]["commission"].as_str(), trades[0]["commissionAsset"].as_str()),
        (Some("0.00001000"), Some("BTC"))
    );
    assert_eq!((trades[0]["isBuyer"].as_bool(), trades[0]["isMaker"].as_bool()), (Some(true), Some(true)));
    assert_eq!(sim.balance("USDT").await, ("9010.00000000".into(), "0.00000000".into()));
    assert_eq!(sim.balance("BTC").await, ("0.99999000".into(), "0.01000000".into()), "the sell locks 0.01");

    sim.price("BTCUSDT", "101000.00").await;
    let trades = sim.signed(Method::GET, "/api/v3/myTrades", &[BTC]).await.body;
    assert_eq!(trades.as_array().map(Vec::len), Some(2));
    assert_eq!(trades[1]["orderId"].as_u64(), Some(sell));
    assert_eq!(
        (trades[1]["commission"].as_str(), trades[1]["commissionAsset"].as_str()),
        (Some("1.01000000"), Some("USDT"))
    );
    assert_eq!(sim.balance("USDT").await.0, "10018.99000000");
    let from = trades[1]["id"].as_i64().unwrap_or_default().to_string();
    let later = sim.signed(Method::GET, "/api/v3/myTrades", &[BTC, ("fromId", &from)]).await.body;
    assert_eq!(later.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn commission_in_quote_charges_buys_in_usdt() {
    let sim = spawn(&["--commission-in-quote", "--fee-rate", "0.002"]).await;
    sim.price("BTCUSDT", "100000.00").await;
    sim.limit("BUY", "99000.00", "0.01000", "b1").await;
    assert_eq!(sim.balance("USDT").await, ("9008.02000000".into(), "991.98000000".into()), "cost and fee locked");
    sim.price("BTCUSDT", "99000.00").await;
    let t = sim.signed(Method::GET, "/api/v3/myTrades", &[BTC]).await.body;
    assert_eq!((t[0]["commission"].as_str(), t[0]["commissionAsset"].as_str()), (Some("1.98000000"), Some("USDT")));
    assert_eq!(sim.balance("BTC").await.0, "1.01000000");
    assert_eq!(sim.balance("USDT").await, ("9008.02000000".into(), "0.00000000".into()));
}

#[tokio::test]
async fn commission_in_bnb_leaves_the_traded_assets_whole() {
    let sim = spawn(&["--commission-in-bnb", "--account", "demo-key:demo-secret:USDT=10000,BTC=1,BNB=0.002"]).await;
    sim.price("BTCUSDT", "100000.00").await;
    sim.limit("BUY", "99000.00", "0.01000", "b1").await;
    sim.price("BTCUSDT", "99000.00").await;
    let t = sim.signed(Method::GET, "/api/v3/myTrades", &[BTC]).await.body;
    // 0.1% of 990 USDT, in BNB at 600 USDT.
    assert_eq!((t[0]["commission"].as_str(), t[0]["commissionAsset"].as_str()), (Some("0.00165000"), Some("BNB")));
    assert_eq!(sim.balance("BTC").await.0, "1.01000000", "the buy delivers all it bought");
    assert_eq!(sim.balance("BNB").await.0, "0.00035000");
    // Not enough BNB left for the next one: charged as by default, in the base bought.
    sim.limit("BUY", "98000.00", "0.01000", "b2").await;
    sim.price("BTCUSDT", "98000.00").await;
    let t = sim.signed(Method::GET, "/api/v3/myTrades", &[BTC]).await.body;
    assert_eq!((t[1]["commission"].as_str(), t[1]["commissionAsset"].as_str()), (Some("0.00001000"), Some("BTC")));
}

#[tokio::test]
async fn partial_fills_take_a_share_per_touch() {
    let sim = spawn(&["--partial-fill-pct", "40"]).await;
    sim.price("BTCUSDT", "100000.00").await;
    let id =
        sim.limit("BUY", "99000.00", "0.00100", "p1").await.body["orderId"].as_u64().unwrap_or_default().to_string();
    let status = |body: serde_json::Value| {
        (body["status"].as_str().map(str::to_string), body["executedQty"].as_str().map(str::to_string))
    };
    sim.price("BTCUSDT", "99000.00").await;
    let q = sim.signed(Method::GET, "/api/v3/order", &[BTC, ("orderId", &id)]).await.body;
    assert_eq!(status(q), (Some("PARTIALLY_FILLED".into()), Some("0.00040000".into())));
    sim.price("BTCUSDT", "98999.00").await;
    sim.price("BTCUSDT", "98998.00").await;
    let q = sim.signed(Method::GET, "/api/v3/order", &[BTC, ("orderId", &id)]).await.body;
    assert_eq!(status(q), (Some("FILLED".into()), Some("0.00100000".into())));
    let t = sim.signed(Method::GET, "/api/v3/myTrades", &[BTC, ("orderId", &id)]).await.body;
    let qtys: Vec<&str> = t.as_array().into_iter().flatten().filter_map(|f| f["qty"].as_str()).collect();
    assert_eq!(qtys, ["0.00040000", "0.00040000", "0.00020000"]);
    assert_eq!(sim.balance("USDT").await, ("9901.00000000".into(), "0.00000000".into()));
}

#[tokio::test]
async fn market_orders_fill_at_the_last_price() {
    let sim = spawn(&[]).await;
    sim.price("BTCUSDT", "100000.00").await;
    let r = sim
        .signed(Method::POST, "/api/v3/order", &[BTC, ("side", "BUY"), ("type", "MARKET"), ("quantity", "0.01")])
        .await;
    assert_eq!(r.body["status"], "FILLED", "{}", r.body);
    assert_eq!(r.body["fills"][0]["price"], "100000.00000000");
    assert_eq!(r.body["fills"][0]["commissionAsset"], "BTC");
    assert!(r.body["fills"][0]["tradeId"].is_i64());
    let r = sim
        .signed(
            Method::POST,
            "/api/v3/order",
            &[BTC, ("side", "SELL"), ("type", "MARKET"), ("quoteOrderQty", "500"), ("newOrderRespType", "RESULT")],
        )
        .await;
    assert_eq!(
        (r.body["executedQty"].as_str(), r.body["origQuoteOrderQty"].as_str()),
        (Some("0.00500000"), Some("500.00000000"))
    );
    assert!(r.body.get("fills").is_none());
    let r = sim
        .signed(
            Method::POST,
            "/api/v3/order",
            &[
                BTC,
                ("side", "BUY"),
                ("type", "LIMIT"),
                ("timeInForce", "GTC"),
                ("price", "90000.00"),
                ("quantity", "0.001"),
                ("newOrderRespType", "ACK"),
            ],
        )
        .await;
    let keys: Vec<&String> = r.body.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    assert_eq!(keys.len(), 5, "{}", r.body);
    let cross = sim.limit("BUY", "100500.00", "0.00100", "x1").await;
    assert_eq!(
        (cross.body["status"].as_str(), cross.body["fills"][0]["price"].as_str()),
        (Some("FILLED"), Some("100000.00000000"))
    );
}

#[tokio::test]
async fn refusals_carry_binance_codes() {
    let sim = spawn(&[]).await;
    sim.price("BTCUSDT", "100000.00").await;
    let msg = |r: &Reply| (r.code(), r.body["msg"].as_str().unwrap_or_default().to_string());
    let r = sim.limit("BUY", "99000.001", "0.001", "f1").await;
    assert_eq!(msg(&r), (-1013, "Filter failure: PRICE_FILTER".into()));
    let r = sim.limit("BUY", "99000.00", "0.000015", "f1").await;
    assert_eq!(msg(&r), (-1013, "Filter failure: LOT_SIZE".into()));
    let r = sim.limit("BUY", "99000.00", "0.00001", "f1").await;
    assert_eq!(msg(&r), (-1013, "Filter failure: NOTIONAL".into()));
    let r = sim.limit("BUY", "99000.00", "0.2", "f1").await;
    assert_eq!(msg(&r), (-2010, "Account has insufficient balance for requested action.".into()));
    let r = sim.limit("SELL", "101000.00", "2", "f1").await;
    assert_eq!(r.code(), -2010);
    assert_eq!(sim.limit("BUY", "99000.00", "0.001", "dup").await.status, 200);
    let r = sim.limit("BUY", "98000.00", "0.001", "dup").await;
    assert_eq!(msg(&r), (-2010, "Duplicate order sent.".into()));
    sim.signed(Method::DELETE, "/api/v3/order", &[BTC, ("origClientOrderId", "dup")]).await;
    assert_eq!(sim.limit("BUY", "98000.00", "0.001", "dup").await.status, 200, "a closed order's id may be reused");
    let r = sim.limit("BUY", "abc", "0.001", "f2").await;
    assert_eq!(r.code(), -1100);
    let r = sim.limit("BUY", "99000.00", "0.001", "bad id!").await;
    assert_eq!(r.code(), -1100);
    let r = sim
        .signed(
            Method::POST,
            "/api/v3/order",
            &[BTC, ("side", "BUY"), ("type", "LIMIT"), ("price", "1.00"), ("quantity", "10")],
        )
        .await;
    assert_eq!(r.code(), -1102);
    let r = sim
        .signed(
            Method::POST,
            "/api/v3/order",
            &[("symbol", "DOGEUSDT"), ("side", "BUY"), ("type", "MARKET"), ("quantity", "1")],
        )
        .await;
    assert_eq!(msg(&r), (-1121, "Invalid symbol.".into()));
    let log = sim.get("/sim/orders").await.body;
    let rejected = log.as_array().into_iter().flatten().filter(|e| e["result"] == "rejected").count();
    assert_eq!(rejected, 10);
}
