//! `market_marks`: per symbol, the last trade the paper matcher processed.

use sea_orm::entity::prelude::*;

use crate::Amount;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "market_marks")]
pub struct Model {
    /// The exchange's name of the symbol (`BTCUSDT`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub symbol: String,
    /// The trade's id (the stream's `t`, `aggTrades`' `l`).
    pub trade_id: i64,
    /// The trade's time, by the exchange's clock.
    pub time: DateTimeUtc,
    pub price: Amount,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
