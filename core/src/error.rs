//! The crate's one error type. Each variant says what is wrong in words a trader can act on.

use std::fmt;

/// A field of a user's input and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The input's name, as the user wrote it (`lower`, `levels`, `capital`, …).
    pub field: &'static str,
    pub reason: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// One or more inputs are invalid; every failing field is named.
    #[error("{}", join(.0))]
    Invalid(Vec<FieldError>),
    /// The start price is not strictly inside the rounded grid.
    #[error("price outside grid: start price {price} is not strictly between {lower} and {upper}")]
    PriceOutsideGrid { price: String, lower: String, upper: String },
    /// Sizing gave a zero quantity, or an order below the minimum notional.
    #[error("capital too small for {levels} levels: {detail}")]
    CapitalTooSmall { levels: usize, detail: String },
    /// Two rounded levels coincide.
    #[error("grid too dense for tick size {tick}: levels {a} and {b} both round to {price}")]
    TooDense { tick: String, a: usize, b: usize, price: String },
    /// A row of a candle file could not be read.
    #[error("line {line}: {reason}")]
    Csv { line: usize, reason: String },
    /// An engine call that does not fit the grid's state (a fill on a level with no such order, …).
    #[error("{0}")]
    State(String),
    /// A strategy name the registry does not know, or a strategy config it cannot read.
    #[error("{0}")]
    Strategy(String),
    /// A config field the strategy does not have.
    #[error("{field}: unknown field; the {strategy} config has {known}")]
    UnknownField { strategy: String, field: String, known: String },
    /// An amount too large (or too finely divided) to compute exactly; nothing was rounded.
    #[error("amounts too large to compute exactly: {0}")]
    Overflow(String),
}

impl Error {
    pub fn field(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Invalid(vec![FieldError { field, reason: reason.into() }])
    }

    /// The failing fields, when the error is about input fields.
    pub fn fields(&self) -> &[FieldError] {
        match self {
            Error::Invalid(v) => v,
            _ => &[],
        }
    }
}

fn join(v: &[FieldError]) -> String {
    v.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

/// Reads a strategy's JSON config of type `T`: a field of the wrong type, a missing one or an unknown one is an
/// error naming it (one of `fields`); anything else is a [`Error::Strategy`] naming the strategy.
pub fn parse_config<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
    strategy: &str,
    fields: &[&'static str],
) -> Result<T, Error> {
    if !value.is_object() {
        return Err(Error::field("config", format!("the {strategy} config must be a JSON object, got {value}")));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let reason = e.inner().to_string();
        let named = |name: &str| fields.iter().copied().find(|f| *f == name);
        let quoted = |marker: &str| reason.strip_prefix(marker).and_then(|r| r.split('`').next()).map(str::to_owned);
        let missing = quoted("missing field `");
        let key = e.path().iter().next_back().and_then(|s| match s {
            serde_path_to_error::Segment::Map { key } => Some(key.clone()),
            _ => None,
        });
        let unknown = quoted("unknown field `");
        match missing.as_deref().and_then(named).or_else(|| key.as_deref().and_then(named)) {
            Some(field) => Error::field(field, if missing.is_some() { "required".to_string() } else { reason }),
            None => match unknown {
                Some(field) => Error::UnknownField { strategy: strategy.to_owned(), field, known: fields.join(", ") },
                None => Error::Strategy(format!("{strategy} config: {reason}")),
            },
        }
    })
}
