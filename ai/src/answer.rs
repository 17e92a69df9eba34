//! [`Suggestion`]: the product's answer (`grid_lower`, `grid_upper`, `num_levels`, `confidence`, `reasoning`,
//! `risk_level`), and [`parse`], which reads it from a tool call's input and names every defect.

use std::fmt;

use gridbot_core::{
    Decimal,
    config::{MAX_LEVELS, MIN_LEVELS},
    money::serde_decimal,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Longest reasoning kept; a longer one is cut (it is prose, not a number to trust).
pub const MAX_REASONING: usize = 2000;
const KEYS: [&str; 6] = ["grid_lower", "grid_upper", "num_levels", "confidence", "reasoning", "risk_level"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
}

impl fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
        })
    }
}

/// A grid proposal, as stored and answered (decimals as strings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    #[serde(with = "serde_decimal")]
    pub grid_lower: Decimal,
    #[serde(with = "serde_decimal")]
    pub grid_upper: Decimal,
    pub num_levels: usize,
    /// 0 to 100.
    pub confidence: u8,
    pub reasoning: String,
    pub risk_level: RiskLevel,
}

/// Reads a tool input into a [`Suggestion`]: exactly the six keys, numbers as JSON numbers or decimal strings,
/// `num_levels` a whole number from 2 to 200, `confidence` a whole number from 0 to 100, `reasoning` not blank,
/// `risk_level` one of `low`, `medium`, `high`. Every defect is reported.
pub fn parse(input: &Value) -> Result<Suggestion, Vec<String>> {
    let Some(map) = input.as_object() else {
        return Err(vec![format!("the answer is not a JSON object: {}", excerpt(input))]);
    };
    let mut errs: Vec<String> =
        map.keys().filter(|k| !KEYS.contains(&k.as_str())).map(|k| format!("{k}: not part of the answer")).collect();
    let lower = price(map, "grid_lower", &mut errs);
    let upper = price(map, "grid_upper", &mut errs);
    let levels = whole(map, "num_levels", MIN_LEVELS as u64, MAX_LEVELS as u64, &mut errs);
    let confidence = whole(map, "confidence", 0, 100, &mut errs);
    let reasoning = match get(map, "reasoning", &mut errs) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().chars().take(MAX_REASONING).collect()),
        Some(Value::String(_)) => fail(&mut errs, "reasoning: must not be empty"),
        Some(v) => fail(&mut errs, format!("reasoning: must be a string, got {}", excerpt(v))),
        None => None,
    };
    let risk = match get(map, "risk_level", &mut errs) {
        Some(Value::String(s)) => match s.as_str() {
            "low" => Some(RiskLevel::Low),
            "medium" => Some(RiskLevel::Medium),
            "high" => Some(RiskLevel::High),
            _ => fail(&mut errs, format!("risk_level: must be low, medium or high, got {s:?}")),
        },
        Some(v) => fail(&mut errs, format!("risk_level: must be low, medium or high, got {}", excerpt(v))),
        None => None,
    };
    match (lower, upper, levels, confidence, reasoning, risk) {
        (Some(grid_lower), Some(grid_upper), Some(n), Some(c), Some(reasoning), Some(risk_level))
            if errs.is_empty() =>
        {
            Ok(Suggestion {
                grid_lower,
                grid_upper,
                num_levels: usize::try_from(n).unwrap_or(MAX_LEVELS),
                confidence: u8::try_from(c).unwrap_or(100),
                reasoning,
                risk_level,
            })
        }
        _ => Err(errs),
    }
}

fn get<'a>(map: &'a Map<String, Value>, key: &str, errs: &mut Vec<String>) -> Option<&'a Value> {
    let v = map.get(key);
    if v.is_none() {
        errs.push(format!("{key}: missing"));
    }
    v
}

fn fail<T>(errs: &mut Vec<String>, reason: impl Into<String>) -> Option<T> {
    errs.push(reason.into());
    None
}

/// A positive decimal from a JSON number or a decimal string.
fn price(map: &Map<String, Value>, key: &str, errs: &mut Vec<String>) -> Option<Decimal> {
    let text = match get(map, key, errs)? {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        v => return fail(errs, format!("{key}: must be a number, got {}", excerpt(v))),
    };
    match Decimal::from_str_exact(&text) {
        Ok(d) if d > Decimal::ZERO => Some(d.normalize()),
        Ok(d) => fail(errs, format!("{key}: must be greater than 0, got {d}")),
        Err(_) => fail(errs, format!("{key}: not a decimal number: {text}")),
    }
}

fn whole(map: &Map<String, Value>, key: &str, min: u64, max: u64, errs: &mut Vec<String>) -> Option<u64> {
    let v = get(map, key, errs)?;
    match v.as_u64() {
        Some(n) if (min..=max).contains(&n) => Some(n),
        _ => fail(errs, format!("{key}: must be a whole number from {min} to {max}, got {}", excerpt(v))),
    }
}

fn excerpt(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use serde_json::json;

    fn good() -> Value {
        json!({"grid_lower": 95000, "grid_upper": "105000.5", "num_levels": 20, "confidence": 78,
               "reasoning": " range-bound ", "risk_level": "medium"})
    }

    #[test]
    fn reads_the_products_json() {
        let s = parse(&good()).unwrap();
        assert_eq!((s.grid_lower, s.grid_upper, s.num_levels), (dec!(95000), dec!(105000.5), 20));
        assert_eq!((s.confidence, s.reasoning.as_str(), s.risk_level), (78, "range-bound", RiskLevel::Medium));
        let out = serde_json::to_value(&s).unwrap();
        assert_eq!(out["grid_lower"], "95000");
        assert_eq!(out["risk_level"], "medium");
        assert_eq!(serde_json::from_value::<Suggestion>(out).unwrap(), s);
    }

    #[test]
    fn every_defect_is_named() {
        let cases = [
            ("grid_lower", json!(-1), "grid_lower: must be greater than 0"),
            ("grid_lower", json!("abc"), "grid_lower: not a decimal number"),
            ("grid_upper", json!(null), "grid_upper: must be a number"),
            ("num_levels", json!(1), "num_levels: must be a whole number from 2 to 200"),
            ("num_levels", json!(201), "num_levels: must be a whole number from 2 to 200"),
            ("num_levels", json!(20.5), "num_levels: must be a whole number"),
            ("confidence", json!(101), "confidence: must be a whole number from 0 to 100"),
            ("confidence", json!(-3), "confidence: must be a whole number from 0 to 100"),
            ("reasoning", json!("  "), "reasoning: must not be empty"),
            ("risk_level", json!("extreme"), "risk_level: must be low, medium or high"),
        ];
        for (key, value, reason) in cases {
            let mut v = good();
            v[key] = value;
            let errs = parse(&v).unwrap_err();
            assert!(errs.iter().any(|e| e.starts_with(reason)), "{key}: {errs:?}");
        }
        let mut v = good();
        v.as_object_mut().unwrap().remove("confidence");
        v["extra"] = json!(1);
        assert_eq!(parse(&v).unwrap_err(), ["extra: not part of the answer", "confidence: missing"]);
        assert!(parse(&json!("95000")).unwrap_err()[0].starts_with("the answer is not a JSON object"));
    }

    #[test]
    fn long_reasoning_is_cut() {
        let mut v = good();
        v["reasoning"] = json!("x".repeat(5000));
        assert_eq!(parse(&v).unwrap().reasoning.len(), MAX_REASONING);
    }
}
