//! The `prices` repository: candles by symbol, upserted on (symbol, open time).

use chrono::{DateTime, Utc};
use gridbot_core::{Candle, Symbol};
use gridbot_entity::{Amount, price};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use super::{DbError, Result};

#[derive(Debug, Clone, Copy)]
pub struct Prices<'a>(pub(crate) &'a DatabaseConnection);

impl Prices<'_> {
    /// Inserts candles, replacing any with the same symbol and open time.
    pub async fn upsert(&self, symbol: &Symbol, candles: &[Candle]) -> Result<()> {
        if candles.is_empty() {
            return Ok(());
        }
        let rows = candles
            .iter()
            .map(|c| {
                Ok(price::ActiveModel {
                    symbol: Set(symbol.exchange_name()),
                    time: Set(DateTime::from_timestamp_millis(c.open_time)
                        .ok_or_else(|| DbError::invalid("open_time", c.open_time))?),
                    open: Set(Amount(c.open)),
                    high: Set(Amount(c.high)),
                    low: Set(Amount(c.low)),
                    close: Set(Amount(c.close)),
                    volume: Set(Amount(c.volume)),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let on_conflict = OnConflict::columns([price::Column::Symbol, price::Column::Time])
            .update_columns([
                price::Column::Open,
                price::Column::High,
                price::Column::Low,
                price::Column::Close,
                price::Column::Volume,
            ])
            .to_owned();
        price::Entity::insert_many(rows).on_conflict(on_conflict).exec_without_returning(self.0).await?;
        Ok(())
    }

    /// Candles of `symbol` with `from <= open time < to`, oldest first.
    pub async fn range(&self, symbol: &Symbol, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Candle>> {
        let rows = price::Entity::find()
            .filter(price::Column::Symbol.eq(symbol.exchange_name()))
            .filter(price::Column::Time.gte(from))
            .filter(price::Column::Time.lt(to))
            .order_by_asc(price::Column::Time)
            .all(self.0)
            .await?;
        Ok(rows.into_iter().map(candle).collect())
    }

    /// The newest recorded candle of `symbol` (the last one its market stream closed, or one fetched later).
    pub async fn latest(&self, symbol: &Symbol) -> Result<Option<Candle>> {
        let row = price::Entity::find()
            .filter(price::Column::Symbol.eq(symbol.exchange_name()))
            .order_by_desc(price::Column::Time)
            .one(self.0)
            .await?;
        Ok(row.map(candle))
    }
}

fn candle(m: price::Model) -> Candle {
    Candle {
        open_time: m.time.timestamp_millis(),
        open: m.open.0,
        high: m.high.0,
        low: m.low.0,
        close: m.close.0,
        volume: m.volume.0,
    }
}
