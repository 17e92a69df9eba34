//! Signed endpoints: the signature, the API key and the timestamp window.

use reqwest::Method;

use crate::helpers::*;

#[tokio::test]
async fn a_good_signature_is_accepted_in_query_or_body() {
    let sim = spawn(&[]).await;
    let r = sim.signed(Method::GET, "/api/v3/account", &[("recvWindow", "5000")]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["balances"].is_array());

    // Half in the query, half in the body: the signature covers query + body with nothing between them.
    let query = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC";
    let body = format!("quantity=0.001&price=90000.00&recvWindow=5000&timestamp={}", now_ms());
    let sig = sign(SECRET, &format!("{query}{body}"));
    let r = sim.raw(Method::POST, "/api/v3/order", query, &format!("{body}&signature={sig}"), Some(KEY)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "NEW");
    assert_eq!(r.body["price"], "90000.00000000");
}

#[tokio::test]
async fn bad_signatures_and_keys_are_refused() {
    let sim = spawn(&[]).await;
    let r = sim.signed_as(KEY, "wrong-secret", Method::GET, "/api/v3/account", &[]).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, -1022));
    assert_eq!(r.body["msg"], "Signature for this request is not valid.");

    let r = sim.signed_as("nobody", SECRET, Method::GET, "/api/v3/account", &[]).await;
    assert_eq!((r.status.as_u16(), r.code()), (401, -2015));

    let q = format!("timestamp={}", now_ms());
    let r = sim.raw(Method::GET, "/api/v3/account", &format!("{q}&signature={}", sign(SECRET, &q)), "", None).await;
    assert_eq!(r.code(), -2014);

    let r = sim.raw(Method::GET, "/api/v3/account", "timestamp=1", "", Some(KEY)).await;
    assert_eq!(r.code(), -1102);
    assert!(r.body["msg"].as_str().unwrap_or_default().contains("'signature'"));
    let r = sim.raw(Method::GET, "/api/v3/account", "recvWindow=5000&signature=00", "", Some(KEY)).await;
    assert_eq!(r.code(), -1102);
}

#[tokio::test]
async fn a_timestamp_outside_the_window_is_refused() {
    let sim = spawn(&[]).await;
    let signed_at = |ts: i64, window: Option<&str>| {
        let mut q = format!("timestamp={ts}");
        if let Some(w) = window {
            q = format!("recvWindow={w}&{q}");
        }
        format!("{q}&signature={}", sign(SECRET, &q))
    };
    let old = sim.raw(Method::GET, "/api/v3/account", &signed_at(now_ms() - 10_000, None), "", Some(KEY)).await;
    assert_eq!(old.code(), -1021);
    assert_eq!(old.body["msg"], "Timestamp for this request is outside of the recvWindow.");
    let wide =
        sim.raw(Method::GET, "/api/v3/account", &signed_at(now_ms() - 10_000, Some("20000")), "", Some(KEY)).await;
    assert_eq!(wide.status, 200);
    let ahead = sim.raw(Method::GET, "/api/v3/account", &signed_at(now_ms() + 5_000, None), "", Some(KEY)).await;
    assert_eq!(ahead.code(), -1021);
    let too_wide = sim.raw(Method::GET, "/api/v3/account", &signed_at(now_ms(), Some("70000")), "", Some(KEY)).await;
    assert_eq!(too_wide.code(), -1131);
}
