//! The `bot_events` repository: the audit log of state changes and errors.

use gridbot_core::BotId;
use gridbot_entity::bot_event;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

use super::Result;
use super::types::BotEvent;

#[derive(Debug, Clone, Copy)]
pub struct BotEvents<'a>(pub(crate) &'a DatabaseConnection);

impl BotEvents<'_> {
    pub async fn record(&self, e: &BotEvent) -> Result<()> {
        bot_event::ActiveModel {
            bot_id: Set(e.bot.0),
            kind: Set(e.kind.clone()),
            from_status: Set(e.from_status.map(|s| s.as_str().to_owned())),
            to_status: Set(e.to_status.map(|s| s.as_str().to_owned())),
            reason: Set(e.reason.clone()),
            created_at: Set(e.created_at),
            ..Default::default()
        }
        .insert(self.0)
        .await?;
        Ok(())
    }

    /// A bot's events, oldest first.
    pub async fn list_for_bot(&self, bot: BotId) -> Result<Vec<BotEvent>> {
        let rows = bot_event::Entity::find()
            .filter(bot_event::Column::BotId.eq(bot.0))
            .order_by_asc(bot_event::Column::Id)
            .all(self.0)
            .await?;
        rows.into_iter()
            .map(|m| {
                Ok(BotEvent {
                    bot: BotId(m.bot_id),
                    kind: m.kind,
                    from_status: m.from_status.map(|s| s.parse()).transpose()?,
                    to_status: m.to_status.map(|s| s.parse()).transpose()?,
                    reason: m.reason,
                    created_at: m.created_at,
                })
            })
            .collect()
    }
}
