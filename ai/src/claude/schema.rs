//! A tool's input schema as strict tool use accepts it: strict mode compiles the schema into a grammar and does not
//! support numeric bounds (`minimum`, `maximum`, …), so they move into the property's description. The answer is
//! checked against the bounds anyway ([`crate::validate`]).

use serde_json::{Map, Value};

const NUMERIC_BOUNDS: [&str; 5] = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"];

/// `schema` with numeric bounds moved into descriptions, recursively through `properties` and `items`.
pub fn strict_schema(schema: &Value) -> Value {
    let mut out = schema.clone();
    rewrite(&mut out);
    out
}

fn rewrite(node: &mut Value) {
    let Value::Object(map) = node else { return };
    let bounds: Vec<String> =
        NUMERIC_BOUNDS.iter().filter_map(|k| map.remove(*k).map(|v| format!("{} {v}", words(k)))).collect();
    if !bounds.is_empty() {
        let note = bounds.join(", ");
        let text = match map.get("description").and_then(Value::as_str) {
            Some(d) => format!("{d} ({note})"),
            None => note,
        };
        map.insert("description".into(), Value::String(text));
    }
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        props.values_mut().for_each(rewrite);
    }
    if let Some(items) = map.get_mut("items") {
        rewrite(items);
    }
    ensure_closed(map);
}

/// Strict mode wants every object closed.
fn ensure_closed(map: &mut Map<String, Value>) {
    if map.get("type").and_then(Value::as_str) == Some("object") && !map.contains_key("additionalProperties") {
        map.insert("additionalProperties".into(), Value::Bool(false));
    }
}

fn words(key: &str) -> &'static str {
    match key {
        "minimum" => "at least",
        "maximum" => "at most",
        "exclusiveMinimum" => "greater than",
        "exclusiveMaximum" => "less than",
        _ => "a multiple of",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bounds_move_into_descriptions() {
        let s = json!({"type": "object", "properties": {
            "n": {"type": "integer", "minimum": 2, "maximum": 200},
            "c": {"type": "integer", "description": "confidence", "minimum": 0, "maximum": 100},
            "r": {"type": "string", "enum": ["low", "high"]}
        }});
        let out = strict_schema(&s);
        assert_eq!(out["properties"]["n"], json!({"type": "integer", "description": "at least 2, at most 200"}));
        assert_eq!(out["properties"]["c"]["description"], "confidence (at least 0, at most 100)");
        assert_eq!(out["properties"]["r"], s["properties"]["r"]);
        assert_eq!(out["additionalProperties"], json!(false));
    }
}
