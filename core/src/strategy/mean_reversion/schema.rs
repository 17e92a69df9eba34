//! The mean-reversion bot's config as a JSON Schema (see [`crate::strategy::schema`]); the filter fields a backtest
//! takes are not in it: a bot trades with its exchange's.

use serde_json::{Value, json};

use super::config::{MAX_BAND_SD, MAX_WINDOW, MIN_WINDOW};
use crate::{
    config::MAX_CAPITAL,
    strategy::schema::{Field, decimal, fee_fields, object, optional_decimal, with},
};

pub fn schema() -> Value {
    let mut fields = vec![
        with(
            decimal("capital", "Capital", "quote", "Quote committed to the bot; each entry buys with all of it."),
            "maximum",
            json!(MAX_CAPITAL.to_string()),
        ),
        Field {
            name: "window",
            schema: json!({"type": "integer", "minimum": MIN_WINDOW, "maximum": MAX_WINDOW, "default": 20,
                           "title": "Window", "x-unit": "candles",
                           "description": "1-minute candles in the moving average and its standard deviation."}),
            required: false,
        },
        with(
            with(
                decimal(
                    "band",
                    "Band",
                    "sd",
                    "Standard deviations below the moving average a close must fall to enter (above 0, at most 10).",
                ),
                "default",
                json!("2"),
            ),
            "maximum",
            json!(MAX_BAND_SD.to_string()),
        ),
        optional_decimal(
            "stop_loss_pct",
            "Stop loss",
            "percent",
            "Sell the position when the price falls this percent below the entry (above 0, below 100); empty: none.",
        ),
    ];
    fields.extend(fee_fields(Some("0.001")));
    object(fields)
}
