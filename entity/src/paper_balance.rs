//! `paper_balances`: what a paper account was funded with, per asset, and when.

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
    /// When the account was funded: its balances are this funding moved by every paper fill since.
    pub funded_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
