//! `prices`: candles by symbol and open time (a TimescaleDB hypertable when the extension exists).

use sea_orm::entity::prelude::*;

use crate::Amount;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "prices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub symbol: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub time: DateTimeUtc,
    pub open: Amount,
    pub high: Amount,
    pub low: Amount,
    pub close: Amount,
    pub volume: Amount,
}

impl ActiveModelBehavior for ActiveModel {}
