//! `fills`: one execution of an order; the exchange trade id is unique per bot.

use sea_orm::entity::prelude::*;

use crate::Amount;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fills")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bot_id: i64,
    pub order_id: i64,
    pub side: String,
    pub level: Option<i32>,
    pub price: Amount,
    pub qty: Amount,
    pub fee: Amount,
    pub fee_asset: Option<String>,
    /// The quote value of a fee paid in another asset (BNB).
    pub fee_quote: Option<Amount>,
    pub exchange_trade_id: String,
    pub pnl: Option<Amount>,
    pub time: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
