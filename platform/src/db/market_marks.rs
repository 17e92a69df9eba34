//! The `market_marks` repository: per symbol, the last trade the paper matcher processed, replaced on each save.

use chrono::{DateTime, Utc};
use gridbot_core::Symbol;
use gridbot_entity::{Amount, market_mark};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};

use super::types::MarketMark;
use super::{DbError, Result};

#[derive(Debug, Clone, Copy)]
pub struct MarketMarks<'a>(pub(crate) &'a DatabaseConnection);

impl MarketMarks<'_> {
    /// The mark of `symbol`, if the matcher has saved one.
    pub async fn get(&self, symbol: &Symbol) -> Result<Option<MarketMark>> {
        let row = market_mark::Entity::find_by_id(symbol.exchange_name()).one(self.0).await?;
        Ok(row.map(|m| MarketMark { trade_id: m.trade_id, time: m.time.timestamp_millis(), price: m.price.0 }))
    }

    /// The mark of `symbol` with when it was saved (the server's clock), if the matcher has saved one.
    pub async fn saved(&self, symbol: &Symbol) -> Result<Option<(MarketMark, DateTime<Utc>)>> {
        let row = market_mark::Entity::find_by_id(symbol.exchange_name()).one(self.0).await?;
        Ok(row.map(|m| {
            (MarketMark { trade_id: m.trade_id, time: m.time.timestamp_millis(), price: m.price.0 }, m.updated_at)
        }))
    }

    /// Saves `mark` as the mark of `symbol`, replacing the one before.
    pub async fn set(&self, symbol: &Symbol, mark: &MarketMark) -> Result<()> {
        let time = DateTime::from_timestamp_millis(mark.time).ok_or_else(|| DbError::invalid("time", mark.time))?;
        let row = market_mark::ActiveModel {
            symbol: Set(symbol.exchange_name()),
            trade_id: Set(mark.trade_id),
            time: Set(time),
            price: Set(Amount(mark.price)),
            updated_at: Set(Utc::now()),
        };
        let on_conflict = OnConflict::column(market_mark::Column::Symbol)
            .update_columns([
                market_mark::Column::TradeId,
                market_mark::Column::Time,
                market_mark::Column::Price,
                market_mark::Column::UpdatedAt,
            ])
            .to_owned();
        market_mark::Entity::insert(row).on_conflict(on_conflict).exec_without_returning(self.0).await?;
        Ok(())
    }
}
