//! [`Claude`]: a Messages API client over reqwest that asks for one forced tool call and returns its input.
//!
//! Each attempt has a timeout; 429 (honouring `retry-after`), 529, 408, 5xx and lost connections are retried with
//! back-off; everything else ends at once with a typed [`ClaudeError`]. The key travels only in the `x-api-key`
//! header, marked sensitive, and is never logged or put in an error.

mod retry;
mod schema;
mod wire;

use std::time::{Duration, Instant};

use gridbot_core::strategy::AiContext;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use serde_json::Value;

pub use schema::strict_schema;
use wire::{Block, ErrorResponse, Message, MessagesRequest, MessagesResponse, Tool, ToolChoice};

use crate::{
    error::{ClaudeError, SettingsError},
    settings::ClaudeSettings,
};

pub const API_VERSION: &str = "2023-06-01";
/// Longest excerpt of an API message or a text answer kept in an error.
const EXCERPT: usize = 300;

/// The input of the tool call Claude made, and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolAnswer {
    pub input: Value,
    pub model: String,
    pub attempts: u32,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

#[derive(Debug, Clone)]
pub struct Claude {
    http: reqwest::Client,
    url: String,
    key: HeaderValue,
    settings: ClaudeSettings,
}

/// How one attempt ended.
enum Attempt {
    Answered(String),
    Retry { error: ClaudeError, wait: Option<Duration> },
    Failed(ClaudeError),
}

impl Claude {
    pub fn new(settings: ClaudeSettings) -> Result<Self, SettingsError> {
        let mut key = HeaderValue::from_str(settings.api_key.expose()).map_err(|_| SettingsError {
            name: "ANTHROPIC_API_KEY",
            reason: "contains characters an HTTP header cannot carry".into(),
        })?;
        key.set_sensitive(true);
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .user_agent("gridbot")
            .build()
            .map_err(|e| SettingsError { name: "ANTHROPIC_BASE_URL", reason: format!("HTTP client: {e}") })?;
        Ok(Claude { http, url: format!("{}/v1/messages", settings.base_url), key, settings })
    }

    pub fn model(&self) -> &str {
        &self.settings.model
    }

    /// Sends the context's system text and prompt, forcing its tool; the tool's input on success.
    pub async fn call_tool(&self, ctx: &AiContext) -> Result<ToolAnswer, ClaudeError> {
        let schema = strict_schema(&ctx.schema);
        let request = MessagesRequest {
            model: &self.settings.model,
            max_tokens: self.settings.max_tokens,
            system: &ctx.system,
            messages: [Message { role: "user", content: &ctx.prompt }],
            tools: [Tool {
                name: &ctx.tool_name,
                description: "Submit the proposal. Call it exactly once.",
                input_schema: &schema,
                strict: true,
            }],
            tool_choice: ToolChoice { kind: "tool", name: &ctx.tool_name },
        };
        let body = serde_json::to_vec(&request).map_err(|e| ClaudeError::Decode(format!("request: {e}")))?;
        let started = Instant::now();
        let mut attempt = 1;
        loop {
            match self.attempt(&body).await {
                Attempt::Answered(text) => {
                    let answer = self.read(&text, &ctx.tool_name, attempt)?;
                    tracing::info!(
                        model = %answer.model, attempts = attempt, elapsed_ms = started.elapsed().as_millis() as u64,
                        input_tokens = answer.input_tokens, output_tokens = answer.output_tokens, "claude answered"
                    );
                    return Ok(answer);
                }
                Attempt::Failed(error) => return Err(error),
                Attempt::Retry { error, wait } => {
                    let wait =
                        wait.unwrap_or_else(|| retry::backoff(self.settings.backoff, attempt, self.settings.max_wait));
                    if attempt > self.settings.max_retries || wait > self.settings.max_wait {
                        return Err(with_attempts(error, attempt));
                    }
                    tracing::warn!(attempt, wait_ms = wait.as_millis() as u64, %error, "claude: retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn attempt(&self, body: &[u8]) -> Attempt {
        let sent = self
            .http
            .post(&self.url)
            .header("x-api-key", self.key.clone())
            .header("anthropic-version", API_VERSION)
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_vec())
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Attempt::Failed(ClaudeError::Timeout(self.settings.timeout)),
            Err(e) => return Attempt::Retry { error: ClaudeError::Connect(describe(&e)), wait: None },
        };
        let status = response.status();
        let wait = retry::retry_after(response.headers());
        let text = match response.text().await {
            Ok(t) => t,
            Err(e) if e.is_timeout() => return Attempt::Failed(ClaudeError::Timeout(self.settings.timeout)),
            Err(e) => return Attempt::Retry { error: ClaudeError::Connect(describe(&e)), wait: None },
        };
        if status.is_success() {
            return Attempt::Answered(text);
        }
        let (kind, message) = match serde_json::from_str::<ErrorResponse>(&text) {
            Ok(e) => (e.error.kind, e.error.message),
            Err(_) => ("unknown".to_owned(), text),
        };
        let message = self.redact(&message);
        if retry::is_retryable_status(status) {
            let error = ClaudeError::Unavailable { status: status.as_u16(), kind, message, attempts: 1 };
            return Attempt::Retry { error, wait };
        }
        Attempt::Failed(ClaudeError::Refused { status: status.as_u16(), kind, message })
    }

    fn read(&self, text: &str, tool: &str, attempts: u32) -> Result<ToolAnswer, ClaudeError> {
        let response: MessagesResponse =
            serde_json::from_str(text).map_err(|e| ClaudeError::Decode(self.redact(&e.to_string())))?;
        let usage = response.usage.unwrap_or_default();
        let mut said = Vec::new();
        for block in response.content {
            match block {
                Block::ToolUse { name, input } if name == tool => {
                    return Ok(ToolAnswer {
                        input,
                        model: response.model.unwrap_or_else(|| self.settings.model.clone()),
                        attempts,
                        input_tokens: usage.input_tokens,
                        output_tokens: usage.output_tokens,
                    });
                }
                Block::ToolUse { name, .. } => said.push(format!("[called {name}]")),
                Block::Text { text } => said.push(text),
                Block::Other => {}
            }
        }
        Err(ClaudeError::NoToolUse {
            tool: tool.to_owned(),
            stop_reason: response.stop_reason.unwrap_or_else(|| "none".into()),
            text: self.redact(&said.join(" ")),
        })
    }

    /// An excerpt of text from the API, with the key blanked should it ever be echoed.
    fn redact(&self, text: &str) -> String {
        redact(text, self.settings.api_key.expose())
    }
}

/// `text` cut to a short excerpt, with every occurrence of `secret` replaced.
pub fn redact(text: &str, secret: &str) -> String {
    let clean = if secret.is_empty() { text.to_owned() } else { text.replace(secret, "<redacted>") };
    match clean.char_indices().nth(EXCERPT) {
        Some((i, _)) => format!("{}…", &clean[..i]),
        None => clean,
    }
}

fn with_attempts(error: ClaudeError, attempts: u32) -> ClaudeError {
    match error {
        ClaudeError::Unavailable { status, kind, message, .. } => {
            ClaudeError::Unavailable { status, kind, message, attempts }
        }
        other => other,
    }
}

/// A transport error with its causes (`error sending request …: connection refused`).
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_blanks_the_secret_and_cuts_long_text() {
        assert_eq!(redact("bad key sk-123 given", "sk-123"), "bad key <redacted> given");
        let long = "é".repeat(400);
        let cut = redact(&long, "x");
        assert_eq!(cut.chars().count(), EXCERPT + 1);
        assert!(cut.ends_with('…'));
    }
}
