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
