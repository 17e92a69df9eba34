//! The Messages API's JSON, as far as Gridbot uses it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `POST /v1/messages`:
/// ```json
/// {"model":"claude-sonnet-4-5","max_tokens":1024,"system":"You are …",
///  "messages":[{"role":"user","content":"Propose a spot grid …"}],
///  "tools":[{"name":"propose_grid","description":"…","input_schema":{…},"strict":true}],
///  "tool_choice":{"type":"tool","name":"propose_grid"}}
/// ```
#[derive(Debug, Serialize)]
pub struct MessagesRequest<'a> {
    pub model: &'a str,
    pub max_tokens: u32,
    pub system: &'a str,
    pub messages: [Message<'a>; 1],
    pub tools: [Tool<'a>; 1],
    pub tool_choice: ToolChoice<'a>,
}

#[derive(Debug, Serialize)]
pub struct Message<'a> {
    pub role: &'static str,
    pub content: &'a str,
}

#[derive(Debug, Serialize)]
pub struct Tool<'a> {
    pub name: &'a str,
    pub description: &'static str,
    pub input_schema: &'a Value,
    pub strict: bool,
}

#[derive(Debug, Serialize)]
pub struct ToolChoice<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: &'a str,
}

/// A 200 answer:
/// ```json
/// {"id":"msg_01…","type":"message","role":"assistant","model":"claude-sonnet-4-5",
///  "content":[{"type":"tool_use","id":"toolu_01…","name":"propose_grid",
///              "input":{"grid_lower":95000,"grid_upper":105000,"num_levels":20,"confidence":78,
///                       "reasoning":"…","risk_level":"medium"}}],
///  "stop_reason":"tool_use","usage":{"input_tokens":812,"output_tokens":96}}
/// ```
#[derive(Debug, Deserialize)]
pub struct MessagesResponse {
    pub content: Vec<Block>,
    #[serde(default)]
    pub stop_reason: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub usage: Option<Usage>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Text {
        text: String,
    },
    ToolUse {
        name: String,
        input: Value,
    },
    /// Blocks Gridbot does not ask for (thinking, …).
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub output_tokens: u64,
}

/// Any error answer: `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`.
#[derive(Debug, Deserialize)]
pub struct ErrorResponse {
    pub error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
pub struct ErrorDetail {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub message: String,
}
