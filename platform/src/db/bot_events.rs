//! The `bot_events` repository: the audit log of state changes and errors, and the exchange's refusals of a bot's
//! requests (`exchange_error`, with the exchange's code).

use chrono::{DateTime, Utc};
use gridbot_core::BotId;
use gridbot_entity::bot_event;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

/// The kind of the events [`BotEvents::record_exchange_error`] writes.
pub const EXCHANGE_ERROR: &str = "exchange_error";

/// An exchange's refusal of one of a bot's requests, or its failure to answer one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeErrorEvent {
    pub bot: BotId,
    /// The exchange's code (Binance's `-2010`, …); `None` for a failure without one (the network, a ban).
    pub code: Option<i64>,
    pub message: String,
    pub at: DateTime<Utc>,
}

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

    /// Records an exchange error of `e.bot`.
    pub async fn record_exchange_error(&self, e: &ExchangeErrorEvent) -> Result<()> {
        bot_event::ActiveModel {
            bot_id: Set(e.bot.0),
            kind: Set(EXCHANGE_ERROR.to_owned()),
            reason: Set(Some(e.message.clone())),
            code: Set(e.code),
            created_at: Set(e.at),
            ..Default::default()
        }
        .insert(self.0)
        .await?;
        Ok(())
    }

    /// `bot`'s last exchange error, if it had one.
    pub async fn last_exchange_error(&self, bot: BotId) -> Result<Option<ExchangeErrorEvent>> {
        let row = bot_event::Entity::find()
            .filter(bot_event::Column::BotId.eq(bot.0))
            .filter(bot_event::Column::Kind.eq(EXCHANGE_ERROR))
            .order_by_desc(bot_event::Column::Id)
            .one(self.0)
            .await?;
        Ok(row.map(|m| ExchangeErrorEvent {
            bot: BotId(m.bot_id),
            code: m.code,
            message: m.reason.unwrap_or_default(),
            at: m.created_at,
        }))
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
