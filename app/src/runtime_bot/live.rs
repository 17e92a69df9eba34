//! A live runtime bot at the exchange: the worker sends the orders its runtime wants and records the exchange's
//! fills; [`unbooked`] lists the fills its runtime has not booked yet, as charged.

use chrono::Utc;
use gridbot_core::{
    ClientOrderId, Side,
    strategy::runtime::{ExchangeFill, OrderType as WantedType, Tag},
};
use gridbot_exchange::OrderType;
use gridbot_platform::{
    BotChange, DbError, Event,
    book::charged_fee,
    db::types::{Bot, Fill, NewOrder, OrderStatus},
};

use super::RuntimeBot;
use crate::{Ctx, JobError, notify::Message};

/// A fill an exchange made of a runtime's order, as recorded.
#[derive(Debug, Clone)]
pub struct ExchangeFillRow {
    pub order_id: i64,
    pub side: Side,
    pub fill: ExchangeFill,
}

/// What every order id of a runtime's run starts with (`gb{bot}-{gen}-t`).
fn prefix(bot: &Bot, generation: u32) -> String {
    format!("{}t", ClientOrderId::generation_prefix(bot.id, generation))
}

/// The exchange fills of `bot`'s run `generation` after its first `booked`, oldest first.
pub async fn unbooked(
    db: &gridbot_platform::Db,
    bot: &Bot,
    generation: u32,
    booked: u64,
) -> Result<Vec<ExchangeFillRow>, DbError> {
    let prefix = prefix(bot, generation);
    let orders = db.orders().list_for_bot(bot.id).await?;
    let ours: std::collections::HashMap<i64, &str> = orders
        .iter()
        .filter_map(|o| o.client_order_id.as_str().strip_prefix(prefix.as_str()).map(|tag| (o.id, tag)))
        .collect();
    let fills = db.fills().list_for_bot(bot.id).await?;
    fills
        .iter()
        .filter_map(|f| ours.get(&f.order_id).map(|tag| (f, *tag)))
        .skip(usize::try_from(booked).unwrap_or(usize::MAX))
        .map(|(f, tag)| {
            let fee = charged_fee(&bot.symbol, f.fee, f.fee_asset.as_deref(), f.fee_quote)
                .map_err(|e| DbError::Invalid { what: "fills", reason: e })?;
            let fill = ExchangeFill { tag: Tag(tag.to_owned()), price: f.price.get(), qty: f.qty.get(), fee };
            Ok(ExchangeFillRow { order_id: f.order_id, side: f.side, fill })
        })
        .collect()
}

/// Sends the orders `rb`'s runtime wants (each once: its client id is its tag's) and records each fill the
/// exchange reports. Returns whether a fill was recorded.
pub(crate) async fn place_wanted(ctx: &Ctx, bot: &Bot, rb: &RuntimeBot) -> Result<bool, JobError> {
    let venue = ctx.venue(bot, rb.fees).await?;
    let mut filled = false;
    for w in rb.runtime().wanted()? {
        let id = ClientOrderId::tagged(bot.id, rb.generation, &w.tag.0)?;
        let order = match ctx.db.orders().by_client_id(&id).await? {
            Some(o) => o,
            None => {
                let new = NewOrder {
                    bot: bot.id,
                    client_order_id: id.clone(),
                    side: w.side,
                    level: None,
                    price: gridbot_core::Price::new(w.price)?,
                    amount: gridbot_core::Qty::new(w.qty)?,
                };
                match ctx.db.orders().insert(&new).await {
                    Ok(o) => o,
                    Err(DbError::DuplicateClientOrderId(_)) => {
                        ctx.db.orders().by_client_id(&id).await?.ok_or_else(|| JobError::retry("order vanished"))?
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        };
        let kind = match w.order_type {
            WantedType::Market => OrderType::Market,
            WantedType::Limit => OrderType::Limit,
        };
        let order = match order.status {
            OrderStatus::New => venue.send(&ctx.db, bot, &order, kind).await?,
            _ => order,
        };
        if order.status != OrderStatus::Filled {
            continue;
        }
        let fill = Fill {
            bot: bot.id,
            order_id: order.id,
            side: order.side,
            level: None,
            price: order.avg_fill_price.unwrap_or(order.price),
            qty: order.filled,
            fee: order.fee,
            fee_asset: order.fee_asset.clone(),
            fee_quote: None,
            exchange_trade_id: order.exchange_order_id.clone().unwrap_or_else(|| id.to_string()),
            pnl: None,
            time: Utc::now(),
        };
        match ctx.db.fills().insert(&fill).await {
            Ok(()) => {
                filled = true;
                // This insert elects the one sender (see `crate::notify`).
                ctx.notifier.about(&ctx.db, bot, Message::fill(bot, &fill));
            }
            // Recorded by an earlier attempt.
            Err(DbError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
        tracing::info!(bot = %bot.id, order = %id, price = %fill.price.get(), qty = %fill.qty.get(), "runtime order filled");
    }
    if filled {
        ctx.events.publish(Event::Bot { bot_id: bot.id, change: BotChange::Fill }).await;
    }
    Ok(filled)
}

/// A worker's reconcile of a live runtime bot: the orders its runtime wants sent, their fills recorded.
pub(crate) async fn sync(ctx: &Ctx, bot: &Bot) -> Result<(), JobError> {
    let Some(rb) = RuntimeBot::load(&ctx.db, bot).await? else { return Ok(()) };
    place_wanted(ctx, bot, &rb).await.map(|_| ())
}

/// Books what the exchange filled of `rb`'s orders and saves it (a stop job's own sale).
pub(crate) async fn book_and_save(ctx: &Ctx, rb: &mut RuntimeBot) -> Result<(), JobError> {
    let rows = unbooked(&ctx.db, &rb.bot, rb.generation, rb.booked()).await?;
    if let Some(record) = rb.book_exchange(&rows)? {
        record.save(ctx, rb.bot.id, rb.generation).await?;
    }
    Ok(())
}
