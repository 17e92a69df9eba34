//! [`Amount`]: an exact decimal column. PostgreSQL stores it as `NUMERIC`; SQLite as `TEXT`, because SeaORM reads a
//! SQLite decimal back through `f64` and loses digits.

use rust_decimal::Decimal;
use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, ValueType, ValueTypeErr, postgres_array::NotU8};
use sea_orm::{ActiveValue, ColIdx, DbErr, IntoActiveValue, QueryResult, TryGetError, TryGetable, Value};

/// An exact decimal stored without loss on both backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Amount(pub Decimal);

impl From<Decimal> for Amount {
    fn from(d: Decimal) -> Self {
        Amount(d)
    }
}

impl From<Amount> for Decimal {
    fn from(a: Amount) -> Self {
        a.0
    }
}

/// Written as `Value::Decimal`: bound as `NUMERIC` on PostgreSQL and as its decimal string on SQLite.
impl From<Amount> for Value {
    fn from(a: Amount) -> Self {
        Value::Decimal(Some(a.0))
    }
}

/// Read as text first (SQLite `TEXT` columns), then as `NUMERIC` (PostgreSQL).
impl TryGetable for Amount {
    fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
        match String::try_get_by(res, idx) {
            Ok(s) => s.parse::<Decimal>().map(Amount).map_err(|e| {
                TryGetError::DbErr(DbErr::TryIntoErr { from: "String", into: "Amount", source: std::sync::Arc::new(e) })
            }),
            Err(TryGetError::Null(c)) => Err(TryGetError::Null(c)),
            Err(_) => Decimal::try_get_by(res, idx).map(Amount),
        }
    }
}

impl ValueType for Amount {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        match v {
            Value::Decimal(Some(d)) => Ok(Amount(d)),
            Value::String(Some(s)) => s.parse().map(Amount).map_err(|_| ValueTypeErr),
            _ => Err(ValueTypeErr),
        }
    }
    fn type_name() -> String {
        "Amount".to_owned()
    }
    fn array_type() -> ArrayType {
        ArrayType::Decimal
    }
    fn column_type() -> ColumnType {
        ColumnType::Decimal(Some((38, 18)))
    }
}

impl Nullable for Amount {
    fn null() -> Value {
        Value::Decimal(None)
    }
}

impl IntoActiveValue<Amount> for Amount {
    fn into_active_value(self) -> ActiveValue<Amount> {
        ActiveValue::Set(self)
    }
}

impl NotU8 for Amount {}
