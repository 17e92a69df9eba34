//! [`ApiJson`]: a JSON body whose every refusal (wrong content type, malformed JSON, wrong types, unknown or
//! missing keys) is a 422 naming the key when there is one; a body over the limit is a 413.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::header,
};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json =
            req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
                v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(ApiError::field("body", "expected a JSON body (Content-Type: application/json)"));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(unreadable)?;
        parse(&bytes).map(ApiJson)
    }
}

/// A body that could not be read: 413 when it is over the limit, else a 422 naming `body`.
fn unreadable(e: axum::extract::rejection::BytesRejection) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::TooLarge(format!("the body is over the limit: {}", e.body_text()));
    }
    ApiError::field("body", format!("could not read the body: {}", e.body_text()))
}

/// An optional JSON body: no body at all (or only whitespace) is `T::default()`; anything else is read as by
/// [`ApiJson`].
#[derive(Debug, Clone, Copy, Default)]
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
            v.to_str()
                .ok()
                .and_then(|v| v.split(';').next())
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
        let bytes = Bytes::from_request(req, state).await.map_err(unreadable)?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        if !is_json {
            return Err(ApiError::field("body", "expected a JSON body (Content-Type: application/json)"));
        }
        // serde reads a struct from an array too (`[true]`); these bodies are objects.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(ApiError::field("body", "expected a JSON object"));
        }
        parse(&bytes).map(OptionalJson)
    }
}

/// Deserializes `bytes`, naming the failing key without its path prefix (`config.lower_bound` → `lower_bound`).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let inner = e.inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::field("body", format!("malformed JSON: {inner}"));
        }
        let reason = strip_position(&inner.to_string());
        let field = quoted_after(&reason, "missing field `")
            .or_else(|| quoted_after(&reason, "unknown field `"))
            .or_else(|| last_key(e.path()))
            .unwrap_or_else(|| "body".to_owned());
        ApiError::field(field, reason)
    })
}

fn last_key(path: &serde_path_to_error::Path) -> Option<String> {
    path.iter().rev().find_map(|seg| match seg {
        serde_path_to_error::Segment::Map { key } => Some(key.clone()),
        _ => None,
    })
}

fn quoted_after(text: &str, marker: &str) -> Option<String> {
    let rest = &text[text.find(marker)? + marker.len()..];
    Some(rest[..rest.find('`')?].to_owned())
}

/// serde_json appends ` at line 1 column 42`; the client does not need it.
fn strip_position(text: &str) -> String {
    text.rfind(" at line ").map_or(text, |i| &text[..i]).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        grid_levels: usize,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        pair: String,
        config: Inner,
    }

    fn field_of(body: &str) -> String {
        match parse::<Outer>(body.as_bytes()) {
            Err(ApiError::Validation { fields, .. }) => fields.into_keys().next().unwrap_or_default(),
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn names_the_failing_key() {
        assert_eq!(field_of(r#"{"pair":"BTC/USDT","config":{"grid_levels":-1}}"#), "grid_levels");
        assert_eq!(field_of(r#"{"pair":"BTC/USDT","config":{}}"#), "grid_levels");
        assert_eq!(field_of(r#"{"pair":"BTC/USDT","config":{"grid_levels":2,"x":1}}"#), "x");
        assert_eq!(field_of(r#"{"pair":5,"config":{"grid_levels":2}}"#), "pair");
        assert_eq!(field_of(r#"{"pair":"#), "body");
        assert_eq!(field_of("[]"), "body");
    }
}
