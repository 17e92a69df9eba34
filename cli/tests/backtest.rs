//! `gridbot backtest` and `gridbot optimize` with `--strategy`: mean reversion from `--config` (its JSON shaped as
//! the grid's result), the grid from `--config` or its flags, and bad input refused in one line, naming the field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use serde_json::Value;

/// The hand-computed candles of core/tests/mean_reversion.rs: an entry at 90, a stop at 85.5 inside the next
/// candle, a re-entry at its close 86, an exit at 95.
const CANDLES: &str = "open_time,open,high,low,close,volume\n\
    0,100,100,100,100,1\n60000,100,100,100,100,1\n120000,100,100,90,90,1\n\
    180000,90,91,85,86,1\n240000,86,95,86,95,1\n";

const CONFIG: &str = r#"{"capital": "1000", "window": 3, "band": 1, "stop_loss_pct": "5", "step_size": "0.001"}"#;

fn gridbot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gridbot")).args(args).output().unwrap()
}

fn candles() -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), CANDLES).unwrap();
    file
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The one line a refused run prints, and its exit status.
fn refusal(out: &Output) -> (String, Option<i32>) {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(out.stdout.is_empty());
    (err, out.status.code())
}

#[test]
fn mean_reversion_backtests_from_its_config() {
    let file = candles();
    let path = file.path().to_str().unwrap();
    let out = gridbot(&["backtest", "--candles", path, "--strategy", "mean_reversion", "--config", CONFIG, "--json"]);
    let r = json(&out);
    // The spec's names first, in the grid's order.
    let text = String::from_utf8_lossy(&out.stdout);
    let at = |key: &str| text.find(&format!("\"{key}\":")).unwrap_or(usize::MAX);
    let names = [
        "orders_filled",
        "round_trips",
        "realized_pnl",
        "fees_paid",
        "final_equity",
        "unrealized_pnl",
        "max_drawdown",
        "win_rate",
        "stopped",
        "capital",
    ];
    assert!(names.windows(2).all(|w| at(w[0]) < at(w[1])), "{text}");
    assert_eq!((r["orders_filled"].as_u64(), r["round_trips"].as_u64()), (Some(4), Some(2)));
    assert_eq!((r["realized_pnl"].as_str(), r["final_equity"].as_str()), (Some("45.225597"), Some("1045.225597")));
    assert_eq!((r["max_drawdown"].as_str(), r["win_rate"].as_str()), (Some("0.052845168"), Some("0.5")));
    assert_eq!((&r["stopped"], r["stop_losses"].as_u64()), (&Value::Null, Some(1)));
    // The same from a file, fees in base; and a readable summary without --json.
    let config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(config.path(), CONFIG.replace('}', r#", "fee_asset": "base"}"#)).unwrap();
    let at = format!("@{}", config.path().display());
    let r = json(&gridbot(&["backtest", "--candles", path, "--strategy", "mean_reversion", "--config", &at, "--json"]));
    assert_eq!(r["final_equity"].as_str(), Some("1045.2236655"));
    let out = gridbot(&["backtest", "--candles", path, "--strategy", "mean_reversion", "--config", &at]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("round trips     2  (win rate 50.0%)"), "{text}");
}

#[test]
fn bad_input_is_one_line_naming_what_to_change() {
    let file = candles();
    let path = file.path().to_str().unwrap();
    let mr =
        |config: &str| gridbot(&["backtest", "--candles", path, "--strategy", "mean_reversion", "--config", config]);
    let (e, code) = refusal(&mr(r#"{"capital": "1000", "window": 501}"#));
    assert_eq!((e.trim(), code), ("error: window: must be between 2 and 500, got 501", Some(1)));
    let (e, _) = refusal(&mr(r#"{"capital": "1000", "band": "wide"}"#));
    assert!(e.starts_with("error: band: "), "{e}");
    let (e, _) = refusal(&mr(r#"{"window": 20}"#));
    assert_eq!(e.trim(), "error: capital: required");
    let (e, _) = refusal(&mr(r#"{"capital": "1000", "lower_bound": "1"}"#));
    assert!(e.contains("lower_bound: unknown field"), "{e}");
    let (e, code) = refusal(&mr("{not json"));
    assert!(e.contains("not JSON") && code == Some(2), "{e}");
    let (e, _) = refusal(&gridbot(&["backtest", "--candles", path, "--strategy", "mean_reversion"]));
    assert!(e.contains("needs --config JSON"), "{e}");
    let args = ["backtest", "--candles", path, "--strategy", "mean_reversion", "--config", CONFIG, "--step-size", "1"];
    let (e, _) = refusal(&gridbot(&args));
    assert!(e.contains("leave out --step-size"), "{e}");
    let (e, _) = refusal(&gridbot(&["backtest", "--candles", path, "--strategy", "martingale", "--config", "{}"]));
    assert!(e.contains("unknown strategy \"martingale\"; known: grid, mean_reversion"), "{e}");
    let (e, _) = refusal(&gridbot(&["backtest", "--candles", path, "--lower", "90"]));
    assert!(e.contains("the grid needs --lower, --upper, --levels and --capital, or --config JSON"), "{e}");
}

#[test]
fn the_grid_runs_from_its_flags_or_a_bots_config() {
    let file = candles();
    let path = file.path().to_str().unwrap();
    let flags = json(&gridbot(&[
        "backtest",
        "--candles",
        path,
        "--lower",
        "80",
        "--upper",
        "110",
        "--levels",
        "7",
        "--capital",
        "1000",
        "--fee-asset",
        "base",
        "--step-size",
        "0.001",
        "--json",
    ]));
    // A bot's config pays fees in base unless it says otherwise.
    let config = r#"{"capital": "1000", "lower_bound": "80", "upper_bound": 110, "grid_levels": 7}"#;
    let args =
        ["backtest", "--candles", path, "--strategy", "grid", "--config", config, "--step-size", "0.001", "--json"];
    let from_json = json(&gridbot(&args));
    assert_eq!(flags, from_json);
    assert!(flags["orders_filled"].as_u64().unwrap() > 0, "{flags}");
    let args = ["backtest", "--candles", path, "--config", config, "--levels", "9"];
    let (e, _) = refusal(&gridbot(&args));
    assert!(e.contains("--config holds the whole config: leave out --levels"), "{e}");
    let bad = r#"{"capital": "1000", "lower_bound": "120", "upper_bound": 110, "grid_levels": 7}"#;
    let (e, _) = refusal(&gridbot(&["backtest", "--candles", path, "--config", bad]));
    assert!(e.contains("lower_bound: must be below upper_bound"), "{e}");
}

#[test]
fn optimize_sweeps_mean_reversion() {
    let file = candles();
    let path = file.path().to_str().unwrap();
    let args = [
        "optimize",
        "--candles",
        path,
        "--strategy",
        "mean_reversion",
        "--capital",
        "1000",
        "--window",
        "2:4:1",
        "--band",
        "0.5:1:0.5",
        "--stop-loss-pct",
        "5",
        "--step-size",
        "0.001",
        "--threads",
        "1",
        "--json",
    ];
    let r = json(&gridbot(&args));
    assert_eq!((r["tried"].as_u64(), r["rejected"].as_u64()), (Some(6), Some(0)));
    let top = r["top"].as_array().unwrap();
    let scores: Vec<f64> = top.iter().map(|e| e["score"].as_str().unwrap().parse().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    let hand = top.iter().find(|e| e["window"] == 3 && e["band"] == "1").unwrap();
    assert_eq!(hand["result"]["final_equity"].as_str(), Some("1045.225597"));
    let (e, _) = refusal(&gridbot(&[
        "optimize",
        "--candles",
        path,
        "--strategy",
        "mean_reversion",
        "--capital",
        "1",
        "--levels",
        "3",
    ]));
    assert!(e.contains("mean_reversion does not take --levels"), "{e}");
}
