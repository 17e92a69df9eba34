//! `orders`: every order a bot placed, written before it is sent; the client order id is unique.

use sea_orm::entity::prelude::*;

use crate::Amount;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bot_id: i64,
    #[sea_orm(unique)]
    pub client_order_id: String,
    pub exchange_order_id: Option<String>,
    /// `buy` or `sell`.
    pub side: String,
    pub level_index: Option<i32>,
    pub price: Amount,
    pub amount: Amount,
    pub filled_amount: Amount,
    pub avg_fill_price: Option<Amount>,
    pub fee: Amount,
    pub fee_asset: Option<String>,
    /// `new`, `open`, `partially_filled`, `filled`, `cancelled` or `rejected`.
    pub status: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
