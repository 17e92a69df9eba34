//! The Telegram channel: the Bot API's `POST {base}/bot<token>/sendMessage` with `{"chat_id", "text"}` (plain text,
//! no parse mode). Telegram answers `{"ok": true, "result": …}` or `{"ok": false, "error_code": 400, "description":
//! "Bad Request: chat not found"}`; the description is what the user is shown. The token is part of the URL: no
//! error message here ever holds the URL.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Failure, message::Message};

/// Telegram's answer, as far as it matters here.
#[derive(Debug, Deserialize)]
struct Answer {
    ok: bool,
    description: Option<String>,
}

/// Sends `msg`'s text to `chat_id` through the bot `token` at the Bot API `base`.
pub(super) async fn send(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    chat_id: &str,
    msg: &Message,
) -> Result<(), Failure> {
    let url = format!("{}/bot{token}/sendMessage", base.trim_end_matches('/'));
    let body = json!({"chat_id": chat(chat_id), "text": msg.telegram_text()});
    let response = http.post(url).json(&body).send().await.map_err(Failure::from_reqwest)?;
    let status = response.status();
    let answer = response.json::<Answer>().await.ok();
    match answer {
        Some(Answer { ok: true, .. }) if status.is_success() => Ok(()),
        Some(Answer { description: Some(d), .. }) => {
            Err(Failure(format!("Telegram answered {}: {d}", status.as_u16())))
        }
        _ => Err(Failure(format!("Telegram answered HTTP {} without a usable answer", status.as_u16()))),
    }
}

/// A numeric chat id goes as a number, a `@channel` name as a string (the Bot API takes both).
fn chat(chat_id: &str) -> Value {
    chat_id.parse::<i64>().map_or_else(|_| Value::String(chat_id.to_owned()), Value::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_ids_keep_their_kind() {
        assert_eq!(chat("-1001234567890"), json!(-1001234567890_i64));
        assert_eq!(chat("@gridbot_alerts"), json!("@gridbot_alerts"));
    }
}
