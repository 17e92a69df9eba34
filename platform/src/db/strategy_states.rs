//! The `strategy_states` repository: each bot's strategy runtime snapshot for its current run, and the paper fills a
//! runtime books, written with the snapshot they lead to in one transaction — so a runtime restored from the
//! snapshot has booked exactly the fills recorded.

use chrono::{DateTime, Utc};
use gridbot_core::{BotId, ClientOrderId, Decimal, Price, Qty, Side};
use gridbot_entity::{Amount, bot, fill, order, strategy_state};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
    sea_query::{Expr, OnConflict},
};

use super::types::{BotStatus, OrderStatus};
use super::{DbError, Result};

#[derive(Debug, Clone, Copy)]
pub struct StrategyStates<'a>(pub(crate) &'a DatabaseConnection);

/// A runtime's snapshot for a run.
#[derive(Debug, Clone, PartialEq)]
pub struct StrategyState {
    pub generation: u32,
    pub state: serde_json::Value,
    /// Fills of the run the snapshot has booked.
    pub fills: u64,
    pub updated_at: DateTime<Utc>,
}

/// An order a runtime filled at once on the paper venue, and its fill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeFill {
    pub client_order_id: ClientOrderId,
    pub side: Side,
    pub price: Price,
    pub qty: Qty,
    pub fee: Decimal,
    pub fee_asset: String,
    /// The realized P&L the fill booked (a sale's).
    pub pnl: Option<Decimal>,
    pub time: DateTime<Utc>,
}

impl StrategyStates<'_> {
    pub async fn get(&self, bot: BotId) -> Result<Option<StrategyState>> {
        let row = strategy_state::Entity::find_by_id(bot.0).one(self.0).await?;
        row.map(|m| {
            Ok(StrategyState {
                generation: u32::try_from(m.generation).map_err(|_| DbError::invalid("generation", m.generation))?,
                state: m.state,
                fills: u64::try_from(m.fills).map_err(|_| DbError::invalid("fills", m.fills))?,
                updated_at: m.updated_at,
            })
        })
        .transpose()
    }

    /// The snapshot a run starts with (it replaces an earlier run's).
    pub async fn start(&self, bot: BotId, generation: u32, state: &serde_json::Value) -> Result<()> {
        upsert(self.0, bot, generation, state, 0).await
    }

    /// Records `fills` (each an order filled at once at its price), the P&L of the exchange fills `booked` (by their
    /// order) and the snapshot `state` after them all, in one transaction, only while `bot` runs (or stops)
    /// `generation`; `false` (nothing written) otherwise.
    pub async fn record(
        &self,
        bot: BotId,
        generation: u32,
        fills: &[RuntimeFill],
        booked: &[(i64, Option<Decimal>)],
        state: &serde_json::Value,
    ) -> Result<bool> {
        let txn = self.0.begin().await?;
        // A write first, so the transaction takes the write lock at once (waiting for it as any writer does) instead
        // of upgrading a read later, which SQLite refuses without waiting when another writer holds it.
        let running = bot::Entity::update_many()
            .col_expr(bot::Column::UpdatedAt, Expr::col(bot::Column::UpdatedAt))
            .filter(bot::Column::Id.eq(bot.0))
            .filter(bot::Column::Status.is_in([BotStatus::Running.as_str(), BotStatus::Stopping.as_str()]))
            .filter(bot::Column::Generation.eq(i32::try_from(generation).unwrap_or(i32::MAX)))
            .exec(&txn)
            .await?;
        if running.rows_affected == 0 {
            return Ok(false);
        }
        let before = strategy_state::Entity::find_by_id(bot.0).one(&txn).await?;
        let booked_before = before.filter(|m| m.generation == generation as i32).map_or(0, |m| m.fills);
        for f in fills {
            insert_fill(&txn, bot, f).await?;
        }
        for (order_id, pnl) in booked {
            fill::Entity::update_many()
                .col_expr(fill::Column::Pnl, Expr::value(pnl.map(Amount)))
                .filter(fill::Column::BotId.eq(bot.0))
                .filter(fill::Column::OrderId.eq(*order_id))
                .exec(&txn)
                .await?;
        }
        let n = booked_before + i64::try_from(fills.len() + booked.len()).unwrap_or(i64::MAX);
        upsert(&txn, bot, generation, state, n).await?;
        txn.commit().await?;
        Ok(true)
    }
}

async fn insert_fill<C: sea_orm::ConnectionTrait>(c: &C, bot: BotId, f: &RuntimeFill) -> Result<()> {
    let paper_id = format!("paper-{}", f.client_order_id.as_str());
    let o = order::ActiveModel {
        bot_id: Set(bot.0),
        client_order_id: Set(f.client_order_id.as_str().to_owned()),
        exchange_order_id: Set(Some(paper_id.clone())),
        side: Set(f.side.as_str().to_owned()),
        level_index: Set(None),
        price: Set(Amount(f.price.get())),
        amount: Set(Amount(f.qty.get())),
        filled_amount: Set(Amount(f.qty.get())),
        avg_fill_price: Set(Some(Amount(f.price.get()))),
        fee: Set(Amount(f.fee)),
        fee_asset: Set(Some(f.fee_asset.clone())),
        status: Set(OrderStatus::Filled.as_str().to_owned()),
        created_at: Set(f.time),
        updated_at: Set(f.time),
        ..Default::default()
    }
    .insert(c)
    .await
    .map_err(|e| match DbError::from(e) {
        DbError::Conflict(_) => DbError::DuplicateClientOrderId(f.client_order_id.to_string()),
        other => other,
    })?;
    fill::ActiveModel {
        bot_id: Set(bot.0),
        order_id: Set(o.id),
        side: Set(f.side.as_str().to_owned()),
        level: Set(None),
        price: Set(Amount(f.price.get())),
        qty: Set(Amount(f.qty.get())),
        fee: Set(Amount(f.fee)),
        fee_asset: Set(Some(f.fee_asset.clone())),
        fee_quote: Set(None),
        exchange_trade_id: Set(paper_id),
        pnl: Set(f.pnl.map(Amount)),
        time: Set(f.time),
        ..Default::default()
    }
    .insert(c)
    .await?;
    Ok(())
}

async fn upsert<C: sea_orm::ConnectionTrait>(
    c: &C,
    bot: BotId,
    generation: u32,
    state: &serde_json::Value,
    fills: i64,
) -> Result<()> {
    let row = strategy_state::ActiveModel {
        bot_id: Set(bot.0),
        generation: Set(i32::try_from(generation).map_err(|_| DbError::invalid("generation", generation))?),
        state: Set(state.clone()),
        fills: Set(fills),
        updated_at: Set(Utc::now()),
    };
    let on_conflict = OnConflict::column(strategy_state::Column::BotId)
        .update_columns([
            strategy_state::Column::Generation,
            strategy_state::Column::State,
            strategy_state::Column::Fills,
            strategy_state::Column::UpdatedAt,
        ])
        .to_owned();
    strategy_state::Entity::insert(row).on_conflict(on_conflict).exec_without_returning(c).await?;
    Ok(())
}
