//! `trades`: one completed round trip (a buy and the sell that closed it) with its profit and fees.

use sea_orm::entity::prelude::*;

use crate::Amount;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "trades")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bot_id: i64,
    pub buy_order_id: i64,
    pub sell_order_id: i64,
    pub profit: Amount,
    pub fees: Amount,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
