//! The `fills` repository: executions, unique per bot and exchange trade id (a replay is [`DbError::Conflict`]).

use gridbot_core::{BotId, Price, Qty};
use gridbot_entity::{Amount, fill};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

use super::Result;
use super::types::{Fill, level_from_db, level_to_db};

#[derive(Debug, Clone, Copy)]
pub struct Fills<'a>(pub(crate) &'a DatabaseConnection);

impl Fills<'_> {
    pub async fn insert(&self, f: &Fill) -> Result<()> {
        fill::ActiveModel {
            bot_id: Set(f.bot.0),
            order_id: Set(f.order_id),
            side: Set(f.side.as_str().to_owned()),
            level: Set(level_to_db(f.level)?),
            price: Set(Amount(f.price.get())),
            qty: Set(Amount(f.qty.get())),
            fee: Set(Amount(f.fee)),
            fee_asset: Set(f.fee_asset.clone()),
            fee_quote: Set(f.fee_quote.map(Amount)),
            exchange_trade_id: Set(f.exchange_trade_id.clone()),
            pnl: Set(f.pnl.map(Amount)),
            time: Set(f.time),
            ..Default::default()
        }
        .insert(self.0)
        .await?;
        Ok(())
    }

    /// A bot's fills, oldest first.
    pub async fn list_for_bot(&self, bot: BotId) -> Result<Vec<Fill>> {
        self.list(bot, true).await
    }

    /// A bot's fills in the order they were booked (the order its engine must book them again).
    pub async fn booked(&self, bot: BotId) -> Result<Vec<Fill>> {
        self.list(bot, false).await
    }

    async fn list(&self, bot: BotId, by_time: bool) -> Result<Vec<Fill>> {
        let mut q = fill::Entity::find().filter(fill::Column::BotId.eq(bot.0));
        if by_time {
            q = q.order_by_asc(fill::Column::Time);
        }
        let rows = q.order_by_asc(fill::Column::Id).all(self.0).await?;
        rows.into_iter()
            .map(|m| {
                Ok(Fill {
                    bot: BotId(m.bot_id),
                    order_id: m.order_id,
                    side: m.side.parse()?,
                    level: level_from_db(m.level)?,
                    price: Price::new(m.price.0)?,
                    qty: Qty::new(m.qty.0)?,
                    fee: m.fee.0,
                    fee_asset: m.fee_asset,
                    fee_quote: m.fee_quote.map(|v| v.0),
                    exchange_trade_id: m.exchange_trade_id,
                    pnl: m.pnl.map(|p| p.0),
                    time: m.time,
                })
            })
            .collect()
    }
}
