//! The `paper_balances` repository: free and locked amounts per user and asset.

use gridbot_core::Decimal;
use gridbot_entity::{Amount, paper_balance};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use super::Result;
use super::types::PaperBalance;

#[derive(Debug, Clone, Copy)]
pub struct PaperBalances<'a>(pub(crate) &'a DatabaseConnection);

impl PaperBalances<'_> {
    /// Sets a balance, creating it when missing.
    pub async fn set(&self, user_id: i64, asset: &str, free: Decimal, locked: Decimal) -> Result<()> {
        let row = paper_balance::ActiveModel {
            user_id: Set(user_id),
            asset: Set(asset.to_owned()),
            free: Set(Amount(free)),
            locked: Set(Amount(locked)),
            ..Default::default()
        };
        let on_conflict = OnConflict::columns([paper_balance::Column::UserId, paper_balance::Column::Asset])
            .update_columns([paper_balance::Column::Free, paper_balance::Column::Locked])
            .to_owned();
        paper_balance::Entity::insert(row).on_conflict(on_conflict).exec_without_returning(self.0).await?;
        Ok(())
    }

    pub async fn list(&self, user_id: i64) -> Result<Vec<PaperBalance>> {
        let rows = paper_balance::Entity::find()
            .filter(paper_balance::Column::UserId.eq(user_id))
            .order_by_asc(paper_balance::Column::Asset)
            .all(self.0)
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| PaperBalance { user_id: m.user_id, asset: m.asset, free: m.free.0, locked: m.locked.0 })
            .collect())
    }
}
