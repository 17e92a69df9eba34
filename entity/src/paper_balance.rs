//! `paper_balances`: a paper account's free and locked balance of one asset.

use sea_orm::entity::prelude::*;

use crate::Amount;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "paper_balances")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub asset: String,
    pub free: Amount,
    pub locked: Amount,
}

impl ActiveModelBehavior for ActiveModel {}
