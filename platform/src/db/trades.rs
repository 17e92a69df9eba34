//! The `trades` repository: one row per round trip.

use gridbot_core::BotId;
use gridbot_entity::{Amount, trade};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

use super::Result;
use super::types::Trade;

/// The `trades` table, through a connection or a transaction ([`super::Tx`]).
#[derive(Debug)]
pub struct Trades<'a, C = DatabaseConnection>(pub(crate) &'a C);

impl<C> Clone for Trades<'_, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C> Copy for Trades<'_, C> {}

impl<C: ConnectionTrait> Trades<'_, C> {
    /// Records a round trip; one already recorded for the same sell is left as it is (`false`).
    /// (No error on a replay, so it may run inside a transaction that goes on.)
    pub async fn insert(&self, t: &Trade) -> Result<bool> {
        let row = trade::ActiveModel {
            bot_id: Set(t.bot.0),
            buy_order_id: Set(t.buy_order_id),
            sell_order_id: Set(t.sell_order_id),
            profit: Set(Amount(t.profit)),
            fees: Set(Amount(t.fees)),
            created_at: Set(t.created_at),
            ..Default::default()
        };
        let done = trade::Entity::insert(row)
            .on_conflict_do_nothing_on([trade::Column::SellOrderId])
            .exec_without_returning(self.0)
            .await?;
        Ok(matches!(done, sea_orm::TryInsertResult::Inserted(n) if n > 0))
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
