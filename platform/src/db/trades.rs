//! The `trades` repository: one row per round trip.

use gridbot_core::BotId;
use gridbot_entity::{Amount, trade};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

use super::types::Trade;
use super::{DbError, Result};

#[derive(Debug, Clone, Copy)]
pub struct Trades<'a>(pub(crate) &'a DatabaseConnection);

impl Trades<'_> {
    /// Records a round trip; one already recorded for the same sell is left as it is (`false`).
    pub async fn insert(&self, t: &Trade) -> Result<bool> {
        let res = trade::ActiveModel {
            bot_id: Set(t.bot.0),
            buy_order_id: Set(t.buy_order_id),
            sell_order_id: Set(t.sell_order_id),
            profit: Set(Amount(t.profit)),
            fees: Set(Amount(t.fees)),
            created_at: Set(t.created_at),
            ..Default::default()
        }
        .insert(self.0)
        .await;
        match res.map_err(DbError::from) {
            Ok(_) => Ok(true),
            Err(DbError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub async fn list_for_bot(&self, bot: BotId) -> Result<Vec<Trade>> {
        let rows = trade::Entity::find()
            .filter(trade::Column::BotId.eq(bot.0))
            .order_by_asc(trade::Column::Id)
            .all(self.0)
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| Trade {
                bot: BotId(m.bot_id),
                buy_order_id: m.buy_order_id,
                sell_order_id: m.sell_order_id,
                profit: m.profit.0,
                fees: m.fees.0,
                created_at: m.created_at,
            })
            .collect())
    }
}
