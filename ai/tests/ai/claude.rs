//! The client against the fake Messages API: the request's shape, a tool call, a text-only answer, malformed JSON,
//! 429 then success (retry-after honoured), 529 back-off, 5xx until the retries run out, a timeout, a refusal that
//! echoes the key, a retry-after too long to wait, and nothing listening.

use std::time::{Duration, Instant};

use gridbot_ai::{Claude, ClaudeError};
use gridbot_core::{
    SymbolFilters,
    indicators::Indicators,
    strategy::{AiContext, MarketSnapshot, Registry},
};
use rust_decimal_macros::dec;
use serde_json::json;

use crate::fake::{FakeClaude, Reply};
use crate::{KEY, assert_no_key, logs, settings};

fn context() -> AiContext {
    let grid = Registry::default()
        .build("grid", &json!({"capital": "10000", "lower_bound": "95000", "upper_bound": "105000", "grid_levels": 20}))
        .unwrap();
    grid.ai_context(&MarketSnapshot {
        symbol: "BTC/USDT".parse().unwrap(),
        indicators: Indicators {
            price: dec!(100000),
            high_24h: dec!(101000),
            low_24h: dec!(99000),
            volume_24h: dec!(1234),
            volatility: 0.0005,
            volatility_annualized: 0.36,
            atr: dec!(400),
            support: vec![dec!(99100)],
            resistance: vec![dec!(100900)],
        },
        capital: dec!(10000),
        filters: SymbolFilters::btcusdt(),
    })
}

fn answer() -> serde_json::Value {
    json!({"grid_lower": 95000, "grid_upper": 105000, "num_levels": 20, "confidence": 78,
           "reasoning": "range-bound", "risk_level": "medium"})
}

async fn call(
    replies: Vec<Reply>,
    tune: impl FnOnce(&mut gridbot_ai::ClaudeSettings),
) -> (FakeClaude, Result<gridbot_ai::claude::ToolAnswer, ClaudeError>) {
    logs();
    let fake = FakeClaude::start(replies).await;
    let mut s = settings(&fake.url);
    tune(&mut s);
    let result = Claude::new(s).unwrap().call_tool(&context()).await;
    let shown = match &result {
        Ok(a) => format!("{a:?}"),
        Err(e) => format!("{e} {e:?}"),
    };
    assert_no_key(&shown);
    (fake, result)
}

#[tokio::test]
async fn a_tool_call_comes_back_and_the_request_is_well_formed() {
    let (fake, result) = call(vec![Reply::tool_use(answer())], |_| {}).await;
    let a = result.unwrap();
    assert_eq!((a.input.clone(), a.attempts, a.model.as_str()), (answer(), 1, "claude-sonnet-4-5"));
    assert_eq!((a.input_tokens, a.output_tokens), (800, 90));
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    let (h, body) = (&seen[0].headers, &seen[0].body);
    assert_eq!(h["x-api-key"], KEY);
    assert_eq!(h["anthropic-version"], "2023-06-01");
    assert_eq!(body["model"], "claude-sonnet-4-5");
    assert_eq!(body["tool_choice"], json!({"type": "tool", "name": "propose_grid"}));
    assert_eq!(body["messages"][0]["role"], "user");
    assert!(body["messages"][0]["content"].as_str().unwrap().contains("Current price: 100000"));
    assert!(body["system"].as_str().unwrap().contains("grid"));
    let tool = &body["tools"][0];
    assert_eq!((tool["name"].as_str(), tool["strict"].as_bool()), (Some("propose_grid"), Some(true)));
    let schema = &tool["input_schema"];
    assert_eq!(schema["additionalProperties"], json!(false));
    assert!(schema["properties"]["num_levels"].get("minimum").is_none(), "strict schemas carry no bounds");
    assert!(schema["properties"]["num_levels"]["description"].as_str().unwrap().contains("at most 200"));
    let advisor = gridbot_ai::Advisor::with_claude(settings(&fake.url)).unwrap();
    assert_no_key(&format!("{advisor:?} {:?}", Claude::new(settings(&fake.url)).unwrap()));
}

#[tokio::test]
async fn a_text_only_answer_is_no_tool_call() {
    let (fake, result) = call(vec![Reply::text("I would pick 95k to 105k.")], |_| {}).await;
    match result.unwrap_err() {
        ClaudeError::NoToolUse { tool, stop_reason, text } => {
            assert_eq!((tool.as_str(), stop_reason.as_str()), ("propose_grid", "end_turn"));
            assert_eq!(text, "I would pick 95k to 105k.");
        }
        other => panic!("expected NoToolUse, got {other:?}"),
    }
    assert_eq!(fake.seen().len(), 1, "a text answer is not retried");
}

#[tokio::test]
async fn malformed_json_is_a_decode_error() {
    let (_, result) = call(vec![Reply::raw(200, r#"{"content": [{"type": "tool_use", "#)], |_| {}).await;
    assert!(matches!(result, Err(ClaudeError::Decode(_))), "{result:?}");
}

#[tokio::test]
async fn rate_limited_then_answered_after_retry_after() {
    let replies = vec![
        Reply::error(429, "rate_limit_error", "Number of requests has exceeded your rate limit")
            .header("retry-after", "1"),
        Reply::tool_use(answer()),
    ];
    let (fake, result) = call(replies, |_| {}).await;
    assert_eq!(result.unwrap().attempts, 2);
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    let waited = seen[1].at - seen[0].at;
    assert!(waited >= Duration::from_secs(1), "retry-after is 1 s, waited {waited:?}");
    assert!(logs().text().contains("claude: retrying"));
}

#[tokio::test]
async fn overloaded_is_retried_with_backoff() {
    let replies = vec![
        Reply::error(529, "overloaded_error", "Overloaded"),
        Reply::error(529, "overloaded_error", "Overloaded"),
        Reply::tool_use(answer()),
    ];
    let (fake, result) = call(replies, |s| s.backoff = Duration::from_millis(100)).await;
    assert_eq!(result.unwrap().attempts, 3);
    let seen = fake.seen();
    assert!(seen[1].at - seen[0].at >= Duration::from_millis(100));
    assert!(seen[2].at - seen[1].at >= Duration::from_millis(200), "the back-off doubles");
}

#[tokio::test]
async fn server_errors_end_when_the_retries_run_out() {
    let replies = vec![Reply::error(500, "api_error", "Internal server error"); 5];
    let (fake, result) = call(replies, |s| s.max_retries = 2).await;
    match result.unwrap_err() {
        ClaudeError::Unavailable { status, kind, attempts, .. } => {
            assert_eq!((status, kind.as_str(), attempts), (500, "api_error", 3));
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
    assert_eq!(fake.seen().len(), 3);
}

#[tokio::test]
async fn a_timeout_ends_the_call_without_retrying() {
    let replies = vec![Reply::tool_use(answer()).after(Duration::from_secs(3)), Reply::tool_use(answer())];
    let started = Instant::now();
    let (fake, result) = call(replies, |s| s.timeout = Duration::from_millis(300)).await;
    assert_eq!(result.unwrap_err(), ClaudeError::Timeout(Duration::from_millis(300)));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn a_refusal_is_final_and_never_shows_the_key() {
    let message = format!("invalid x-api-key: {KEY}");
    let (fake, result) = call(vec![Reply::error(401, "authentication_error", &message)], |_| {}).await;
    match result.unwrap_err() {
        ClaudeError::Refused { status, kind, message } => {
            assert_eq!((status, kind.as_str()), (401, "authentication_error"));
            assert_eq!(message, "invalid x-api-key: <redacted>");
        }
        other => panic!("expected Refused, got {other:?}"),
    }
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn a_retry_after_longer_than_we_wait_gives_up_at_once() {
    let replies = vec![Reply::error(429, "rate_limit_error", "slow down").header("retry-after", "3600")];
    let started = Instant::now();
    let (_, result) = call(replies, |_| {}).await;
    assert!(matches!(result, Err(ClaudeError::Unavailable { status: 429, attempts: 1, .. })), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn nothing_listening_is_a_connection_error() {
    logs();
    let mut s = settings("http://127.0.0.1:9");
    s.max_retries = 1;
    let e = Claude::new(s).unwrap().call_tool(&context()).await.unwrap_err();
    assert!(matches!(e, ClaudeError::Connect(_)), "{e:?}");
    assert!(e.is_retryable());
    assert_no_key(&format!("{e} {e:?}"));
}
