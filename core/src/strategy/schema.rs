//! Each strategy's config as a JSON Schema (draft 2020-12), which the API serves and the dashboard renders its
//! form from: decimals are strings (`format: decimal`), optional ones may be null; `title` labels a field,
//! `x-unit` says what it is counted in (`quote`, `price`, `percent`, `rate`, `candles`, `sd`), `x-order` orders them.

use serde_json::{Map, Value, json};

use crate::config::{MAX_CAPITAL, MAX_LEVELS, MIN_LEVELS};

/// A config field.
pub(crate) struct Field {
    pub name: &'static str,
    pub schema: Value,
    pub required: bool,
}

/// A decimal field (a string; JSON numbers are accepted too).
pub(crate) fn decimal(name: &'static str, title: &str, unit: &str, description: &str) -> Field {
    Field {
        name,
        schema: json!({"type": "string", "format": "decimal", "title": title, "x-unit": unit, "description": description}),
        required: true,
    }
}

/// A decimal field that may be left out (null).
pub(crate) fn optional_decimal(name: &'static str, title: &str, unit: &str, description: &str) -> Field {
    Field {
        name,
        schema: json!({"type": ["string", "null"], "format": "decimal", "title": title, "x-unit": unit,
                       "description": description}),
        required: false,
    }
}

/// Sets `key` of the field's schema (a default, a bound); a field with a default is not required.
pub(crate) fn with(mut f: Field, key: &str, value: Value) -> Field {
    if key == "default" {
        f.required = false;
    }
    if let Value::Object(m) = &mut f.schema {
        m.insert(key.to_owned(), value);
    }
    f
}

pub(crate) fn object(fields: Vec<Field>) -> Value {
    let order: Vec<&str> = fields.iter().map(|f| f.name).collect();
    let required: Vec<&str> = fields.iter().filter(|f| f.required).map(|f| f.name).collect();
    let properties: Map<String, Value> = fields.into_iter().map(|f| (f.name.to_owned(), f.schema)).collect();
    json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
           "additionalProperties": false, "required": required, "x-order": order, "properties": properties})
}

/// The fee fields: `fee_rate` optional (the venue's rate when left out) or, with `fee_rate_default`, a decimal
/// with that default; `fee_asset`.
pub(crate) fn fee_fields(fee_rate_default: Option<&str>) -> Vec<Field> {
    const WHAT: &str = "Commission per fill as a fraction of its value (0.001 is Binance's 0.1 %)";
    let rate = match fee_rate_default {
        Some(d) => with(decimal("fee_rate", "Fee rate", "rate", &format!("{WHAT}.")), "default", json!(d)),
        None => optional_decimal("fee_rate", "Fee rate", "rate", &format!("{WHAT}; empty: the venue's rate.")),
    };
    vec![
        rate,
        Field {
            name: "fee_asset",
            schema: json!({"type": "string", "enum": ["base", "quote"], "default": "base", "title": "Fee asset",
                "description": "What pays the fees: base (Binance's default without BNB: a buy pays in the coin it \
                                receives) or quote (fees paid in BNB, valued in quote)."}),
            required: false,
        },
    ]
}

/// The grid's config (`GridParams`).
pub fn grid() -> Value {
    let mut fields = vec![
        with(
            decimal("capital", "Capital", "quote", "Quote committed to the grid, spread over its levels."),
            "maximum",
            json!(MAX_CAPITAL.to_string()),
        ),
        decimal("lower_bound", "Lower bound", "price", "The lowest level's price, below the current price."),
        decimal("upper_bound", "Upper bound", "price", "The highest level's price, above the current price."),
        Field {
            name: "grid_levels",
            schema: json!({"type": "integer", "minimum": MIN_LEVELS, "maximum": MAX_LEVELS, "title": "Grid levels",
                           "description": "Price levels from the lower bound to the upper bound, both included."}),
            required: true,
        },
        Field {
            name: "spacing",
            schema: json!({"type": "string", "enum": ["arithmetic", "geometric"], "default": "arithmetic",
                           "title": "Spacing", "description": "Equal price steps (arithmetic) or equal ratios \
                           (geometric) between levels."}),
            required: false,
        },
        optional_decimal(
            "stop_loss_pct",
            "Stop loss",
            "percent",
            "Stop and sell everything when the price falls this percent below the lower bound; empty: none.",
        ),
        optional_decimal(
            "take_profit_pct",
            "Take profit",
            "percent",
            "Stop and sell everything when the price rises this percent above the upper bound; empty: none.",
        ),
        optional_decimal(
            "max_daily_loss",
            "Max daily loss",
            "quote",
            "Stop when today's P&L (realized and unrealized, UTC day) falls to minus this much; empty: none.",
        ),
        Field {
            name: "out_of_range",
            schema: json!({"type": "string", "enum": ["hold", "trail", "stop"], "default": "hold",
                           "title": "Out of range", "description": "When the price leaves the range: hold the \
                           orders, trail (sell the lots and restart the grid centred on the price), or stop."}),
            required: false,
        },
        Field {
            name: "sell_on_stop",
            schema: json!({"type": "boolean", "default": false, "title": "Sell on stop",
                           "description": "Sell the coins held when you stop the bot (stop loss and take profit \
                           always sell)."}),
            required: false,
        },
    ];
    fields.extend(fee_fields(None));
    object(fields)
}
