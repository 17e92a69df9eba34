//! The advisor on ten days of real BTCUSDT candles, with Claude played by the fake: a valid answer comes back
//! validated with its backtests; every bad outcome (no key, text only, malformed JSON, out-of-range values, a
//! timeout, 5xx) falls back to the sweep's best, marked `heuristic` with its reason.

use std::{sync::OnceLock, time::Duration};

use gridbot_ai::{Advice, Advisor, Market, OptimizeRequest, Source};
use gridbot_core::{Candles, Decimal, GridConfig, GridConfigInput, Spacing, SymbolFilters};
use rust_decimal_macros::dec;
use serde_json::{Value, json};

use crate::fake::{FakeClaude, Reply};
use crate::{assert_no_key, logs, settings};

const FILE: &str = "BTCUSDT-1m-2025-05-20_2025-08-18.csv";

fn market() -> Market {
    static CANDLES: OnceLock<Candles> = OnceLock::new();
    let candles = CANDLES.get_or_init(|| {
        let path = format!("{}/../../shared/data/{FILE}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        Candles::from_csv(&text).unwrap().tail(10 * 1440)
    });
    Market { symbol: "BTC/USDT".parse().unwrap(), filters: SymbolFilters::btcusdt(), candles: candles.clone() }
}

fn price(m: &Market) -> Decimal {
    m.price().unwrap()
}

/// A grid around the whole ten days, so every window can run it.
fn sound_answer(m: &Market) -> Value {
    let low = m.candles.as_slice().iter().map(|c| c.low).min().unwrap();
    let high = m.candles.as_slice().iter().map(|c| c.high).max().unwrap();
    json!({"grid_lower": (low * dec!(0.99)).round_dp(2).to_string(), "grid_upper": (high * dec!(1.01)).round_dp(2).to_string(),
           "num_levels": 24, "confidence": 72, "reasoning": "Ranging between the week's extremes.", "risk_level": "medium"})
}

fn request(current: bool, m: &Market) -> OptimizeRequest {
    let p = price(m);
    let current = current.then(|| {
        GridConfig::new(GridConfigInput {
            lower: (p * dec!(0.97)).round_dp(2),
            upper: (p * dec!(1.03)).round_dp(2),
            levels: 10,
            spacing: Spacing::Arithmetic,
            capital: dec!(10000),
            fee_rate: dec!(0.001),
            fee_asset: Default::default(),
            stop_loss_pct: None,
            take_profit_pct: None,
            max_daily_loss: None,
        })
        .unwrap()
    });
    OptimizeRequest { capital: dec!(10000), current, strategy: "grid".into() }
}

async fn advise(replies: Vec<Reply>, current: bool) -> (FakeClaude, Advice) {
    logs();
    let m = market();
    let fake = FakeClaude::start(replies).await;
    let mut s = settings(&fake.url);
    s.timeout = Duration::from_millis(500);
    s.max_retries = 1;
    let advice = Advisor::with_claude(s).unwrap().optimize(request(current, &m), m).await.unwrap();
    assert_no_key(&format!("{advice:?}"));
    (fake, advice)
}

/// The backtests every advice carries, whoever made it.
fn assert_backtests(a: &Advice, current: bool) {
    let windows: Vec<&str> = a.backtests.iter().map(|w| w.window.as_str()).collect();
    assert_eq!(windows, ["7d", "30d"]);
    assert_eq!((a.backtests[0].candles, a.backtests[1].candles), (7 * 1440, 10 * 1440));
    for w in &a.backtests {
        let s = &w.suggested;
        assert_eq!(
            (s.lower, s.upper, s.levels),
            (Some(a.config.lower()), Some(a.config.upper()), Some(a.config.levels()))
        );
        assert!(s.error.is_none() && s.final_equity.is_some() && s.return_pct.is_some(), "{s:?}");
        assert!(w.sweep_best.error.is_none() && w.sweep_best.final_equity.is_some(), "{:?}", w.sweep_best);
        assert!(w.hold.final_equity.is_some() && w.hold.lower.is_none());
        assert_eq!(w.current.is_some(), current);
    }
}

#[tokio::test]
async fn without_a_key_the_sweeps_best_is_the_suggestion() {
    logs();
    let m = market();
    let advice = Advisor::without_claude("no ANTHROPIC_API_KEY is set").optimize(request(false, &m), m).await.unwrap();
    assert_eq!(advice.source, Source::Heuristic);
    assert_eq!(advice.fallback_reason.as_deref(), Some("no ANTHROPIC_API_KEY is set"));
    assert_backtests(&advice, false);
    for w in &advice.backtests {
        assert_eq!(w.suggested, w.sweep_best);
    }
    let s = &advice.suggestion;
    assert!(s.grid_lower < price(&market()) && price(&market()) < s.grid_upper);
    assert!(s.reasoning.starts_with("Best of ") && (10..=90).contains(&s.confidence), "{s:?}");
}

#[tokio::test]
async fn a_valid_answer_comes_back_validated_with_backtests() {
    let m = market();
    let (fake, advice) = advise(vec![Reply::tool_use(sound_answer(&m))], true).await;
    assert_eq!(fake.seen().len(), 1);
    assert_eq!((advice.source, advice.fallback_reason.as_deref()), (Source::Claude, None));
    assert_eq!(advice.model.as_deref(), Some("claude-sonnet-4-5"));
    let want = sound_answer(&m);
    assert_eq!(advice.suggestion.grid_lower.to_string(), want["grid_lower"].as_str().unwrap());
    assert_eq!(advice.suggestion.grid_upper.to_string(), want["grid_upper"].as_str().unwrap());
    assert_eq!((advice.suggestion.num_levels, advice.suggestion.confidence), (24, 72));
    assert_backtests(&advice, true);
    let prompt = fake.seen()[0].body["messages"][0]["content"].as_str().unwrap().to_owned();
    assert!(prompt.contains("Reference: Best of ") && prompt.contains("Current config:"), "{prompt}");
}

#[tokio::test]
async fn rate_limited_then_answered_is_still_claudes() {
    let m = market();
    let replies = vec![
        Reply::error(429, "rate_limit_error", "slow down").header("retry-after", "1"),
        Reply::tool_use(sound_answer(&m)),
    ];
    let (fake, advice) = advise(replies, false).await;
    assert_eq!((advice.source, fake.seen().len()), (Source::Claude, 2));
}

#[tokio::test]
async fn every_bad_outcome_falls_back_to_the_sweep_with_its_reason() {
    let m = market();
    let p = price(&m);
    let mut above = sound_answer(&m);
    above["grid_lower"] = json!((p * dec!(1.01)).round_dp(2).to_string());
    let mut levels = sound_answer(&m);
    levels["num_levels"] = json!(500);
    levels["confidence"] = json!(150);
    let mut dense = sound_answer(&m);
    dense["grid_lower"] = json!((p * dec!(0.999)).round_dp(2).to_string());
    dense["grid_upper"] = json!((p * dec!(1.001)).round_dp(2).to_string());
    dense["num_levels"] = json!(40);
    let cases: Vec<(&str, Vec<Reply>, &str)> = vec![
        (
            "text only",
            vec![Reply::text("Sorry, I cannot help.")],
            "Claude failed: Claude answered without calling propose_grid",
        ),
        ("malformed JSON", vec![Reply::raw(200, "{not json")], "Claude failed: Claude's response could not be read"),
        ("lower above the price", vec![Reply::tool_use(above)], "Claude's answer was refused: grid_lower"),
        (
            "levels and confidence out of range",
            vec![Reply::tool_use(levels)],
            "Claude's answer was refused: num_levels: must be a whole number from 2 to 200",
        ),
        ("steps below the fees", vec![Reply::tool_use(dense)], "does not pay a round trip's fees"),
        (
            "timeout",
            vec![Reply::tool_use(sound_answer(&m)).after(Duration::from_secs(3))],
            "Claude failed: Claude did not answer within 0.5s",
        ),
        (
            "5xx",
            vec![Reply::error(503, "api_error", "unavailable"); 2],
            "Claude failed: Claude is unavailable (HTTP 503 api_error) after 2 attempt(s)",
        ),
    ];
    for (name, replies, reason) in cases {
        let (_, advice) = advise(replies, false).await;
        assert_eq!(advice.source, Source::Heuristic, "{name}");
        let got = advice.fallback_reason.clone().unwrap_or_default();
        assert!(got.contains(reason), "{name}: {got}");
        assert_backtests(&advice, false);
        for w in &advice.backtests {
            assert_eq!(w.suggested, w.sweep_best, "{name}: the invalid answer is never used");
        }
        if name.starts_with("lower") || name.starts_with("levels") {
            assert!(advice.refused_answer.is_some(), "{name}: the refused answer is kept for the record");
        }
    }
    assert!(logs().text().contains("claude answer refused"));
}
