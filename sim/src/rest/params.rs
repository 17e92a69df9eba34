//! Request parameters as Binance reads them: from the query string and a form-urlencoded body (the query wins),
//! and the check of signed endpoints: API key, signature, then timestamp and recvWindow.

use std::collections::HashMap;

use axum::{
    body::to_bytes,
    extract::{FromRequest, Request},
};
use rust_decimal::Decimal;

use crate::{
    error::ApiError,
    signing::{rest_payload, signature_matches},
    state::{Sim, lock},
};

const DECIMAL_RANGE: &str = "^([0-9]{1,20})(\\.[0-9]{1,20})?$";

/// The parameters of one request, with the raw strings the signature covers.
#[derive(Debug, Default)]
pub(crate) struct Params {
    pub api_key: Option<String>,
    query: String,
    body: String,
    map: HashMap<String, String>,
}

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let api_key = req.headers().get("x-mbx-apikey").map(|v| v.to_str().map(str::to_string).unwrap_or_default());
        let query = req.uri().query().unwrap_or_default().to_string();
        let bytes = to_bytes(req.into_body(), 1 << 20)
            .await
            .map_err(|_| ApiError::new(-1000, "An unknown error occurred while processing the request."))?;
        let body = String::from_utf8(bytes.to_vec())
            .map_err(|_| ApiError::new(-1100, "Illegal characters found in a parameter."))?;
        let mut map = HashMap::new();
        for (src, raw) in [("query", &query), ("body", &body)] {
            let mut seen = std::collections::HashSet::new();
            for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
                if !seen.insert(k.to_string()) {
                    return Err(ApiError::new(-1101, format!("Duplicate values for parameter '{k}'.")));
                }
                if src == "query" || !map.contains_key(k.as_ref()) {
                    map.insert(k.into_owned(), v.into_owned());
                }
            }
        }
        Ok(Params { api_key, query, body, map })
    }
}

impl Params {
    /// A parameter that was sent and is not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name).ok_or_else(|| ApiError::missing(name))
    }

    pub fn decimal(&self, name: &str) -> Result<Option<Decimal>, ApiError> {
        let Some(v) = self.get(name) else { return Ok(None) };
        let ok = !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.') && v.matches('.').count() <= 1;
        let d: Decimal = v.parse().ok().filter(|_| ok).ok_or_else(|| ApiError::illegal(name, DECIMAL_RANGE))?;
        if d.scale() > 8 {
            return Err(ApiError::new(-1111, format!("Parameter '{name}' has too much precision.")));
        }
        if d <= Decimal::ZERO {
            return Err(ApiError::new(-1013, format!("Invalid {name}.")));
        }
        Ok(Some(d))
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name).map(|v| v.parse::<i64>().map_err(|_| ApiError::illegal(name, "^-?[0-9]{1,20}$"))).transpose()
    }

    pub fn limit(&self, default: usize, max: usize) -> Result<usize, ApiError> {
        Ok(self.int("limit")?.map_or(default, |l| (l.max(1) as usize).min(max)))
    }

    /// The listed symbol named by `symbol`.
    pub fn symbol(&self, sim: &Sim) -> Result<String, ApiError> {
        let s = self.required("symbol")?;
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
            return Err(ApiError::illegal("symbol", "^[A-Z0-9-_.]{1,20}$"));
        }
        lock(&sim.ex).market(s).map(|m| m.spec.name.to_string())
    }

    /// Checks a TRADE / USER_DATA request and returns its API key.
    pub fn auth(&self, sim: &Sim) -> Result<String, ApiError> {
        let key = match &self.api_key {
            None => return Err(ApiError::bad_key_format()),
            Some(k) if k.is_empty() || !k.chars().all(|c| c.is_ascii_graphic()) => {
                return Err(ApiError::bad_key_format());
            }
            Some(k) => k.clone(),
        };
        let secret = lock(&sim.ex).accounts.get(&key).map(|a| a.secret.clone()).ok_or_else(ApiError::rejected_key)?;
        let timestamp = self.int("timestamp")?.ok_or_else(|| ApiError::missing("timestamp"))?;
        let recv_window = self.int("recvWindow")?;
        let (payload, signature) = rest_payload(&self.query, &self.body);
        let signature = signature.filter(|s| !s.is_empty()).ok_or_else(|| ApiError::missing("signature"))?;
        if !signature_matches(&secret, &payload, &signature) {
            return Err(ApiError::new(-1022, "Signature for this request is not valid."));
        }
        check_timestamp(timestamp, recv_window, sim.server_now())?;
        Ok(key)
    }
}

/// Accepts a request when `timestamp < serverTime + 1000` and `serverTime - timestamp <= recvWindow`.
pub(crate) fn check_timestamp(timestamp: i64, recv_window: Option<i64>, server_time: i64) -> Result<(), ApiError> {
    let window = recv_window.unwrap_or(5000);
    if !(0..=60_000).contains(&window) {
        return Err(ApiError::new(-1131, "recvWindow must be less than 60000."));
    }
    if timestamp >= server_time + 1000 {
        return Err(ApiError::new(-1021, "Timestamp for this request was 1000ms ahead of the server's time."));
    }
    if server_time - timestamp > window {
        return Err(ApiError::new(-1021, "Timestamp for this request is outside of the recvWindow."));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_window() {
        assert!(check_timestamp(10_000, None, 10_000).is_ok());
        assert!(check_timestamp(10_999, None, 10_000).is_ok());
        assert_eq!(check_timestamp(11_000, None, 10_000).expect_err("refused").code, -1021);
        assert!(check_timestamp(5_000, None, 10_000).is_ok());
        assert_eq!(check_timestamp(4_999, None, 10_000).expect_err("refused").code, -1021);
        assert!(check_timestamp(4_999, Some(6000), 10_000).is_ok());
        assert_eq!(check_timestamp(0, Some(70_000), 10_000).expect_err("refused").code, -1131);
    }
}
