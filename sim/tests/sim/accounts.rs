//! Accounts from the command line and from a file; the demo account by default.

use reqwest::Method;

use crate::helpers::*;

#[tokio::test]
async fn the_demo_account_is_funded() {
    let sim = spawn(&[]).await;
    assert_eq!(sim.balance("USDT").await, ("10000.00000000".into(), "0.00000000".into()));
    assert_eq!(sim.balance("BTC").await.0, "1.00000000");
    assert_ne!(sim.balance("ETH").await.0, "0");
}

#[tokio::test]
async fn accounts_come_from_flags_and_files() {
    let dir = std::env::temp_dir().join(format!("gridbot-sim-accounts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("accounts.txt");
    std::fs::write(&file, "# test accounts\nfile-key:file-secret:USDT=7\n").expect("write accounts");
    let sim =
        spawn(&["--account", "k1:s1:USDT=50,BTC=0.5", "--accounts-file", file.to_str().unwrap_or_default()]).await;
    let r = sim.signed_as("k1", "s1", Method::GET, "/api/v3/account", &[]).await;
    assert_eq!(
        r.body["balances"][0],
        serde_json::json!({"asset": "BTC", "free": "0.50000000", "locked": "0.00000000"})
    );
    let r = sim.signed_as("file-key", "file-secret", Method::GET, "/api/v3/account", &[]).await;
    assert_eq!(r.body["balances"][0]["free"], "7.00000000");
    let r = sim.signed(Method::GET, "/api/v3/account", &[]).await;
    assert_eq!(r.code(), -2015, "the demo account exists only when no account is given");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let sim = spawn(&[]).await;
    let url = sim.url("/api/v3/ping");
    assert_eq!(sim.get("/api/v3/ping").await.status, 200);
    assert!(sim.handle.banner().starts_with("gridbot sim: rest http://127.0.0.1:"));
    sim.handle.shutdown().await;
    let fresh = reqwest::Client::new();
    assert!(fresh.get(url).send().await.is_err(), "nothing listens after shutdown");
}
