//! The `bots` repository: creation, status changes and generations.

use chrono::{DateTime, Utc};
use gridbot_core::BotId;
use gridbot_entity::bot;
use sea_orm::ExprTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};

use super::types::RunState;
use super::types::{Bot, BotChanges, BotStatus, NewBot};
use super::{DbError, Result};

#[derive(Debug, Clone, Copy)]
pub struct Bots<'a>(pub(crate) &'a DatabaseConnection);

/// A bot's settings may change, and it may be deleted, only while it is one of these.
const IDLE: [&str; 2] = ["stopped", "error"];

impl Bots<'_> {
    /// Applies `changes` when the bot is `stopped` or `error`, in one statement so a start cannot slip between the
    /// check and the write; `false` when it is in another state.
    pub async fn update_if_idle(&self, id: BotId, changes: BotChanges) -> Result<bool> {
        let mut update = bot::Entity::update_many().col_expr(bot::Column::UpdatedAt, Expr::value(Utc::now()));
        if let Some(pair) = changes.pair {
            update = update.col_expr(bot::Column::Pair, Expr::value(pair));
        }
        if let Some(mode) = changes.mode {
            update = update.col_expr(bot::Column::Mode, Expr::value(mode.as_str()));
        }
        if let Some(config) = changes.config {
            update = update.col_expr(bot::Column::Config, Expr::value(config));
        }
        if changes.end_run {
            update = update.col_expr(bot::Column::RunState, Expr::value(Option::<serde_json::Value>::None));
        }
        let res = update.filter(bot::Column::Id.eq(id.0)).filter(bot::Column::Status.is_in(IDLE)).exec(self.0).await?;
        Ok(res.rows_affected > 0)
    }

    /// Deletes the bot when it is `stopped` or `error`; `false` when it is in another state.
    pub async fn delete_if_idle(&self, id: BotId) -> Result<bool> {
        let res = bot::Entity::delete_many()
            .filter(bot::Column::Id.eq(id.0))
            .filter(bot::Column::Status.is_in(IDLE))
            .exec(self.0)
            .await?;
        Ok(res.rows_affected > 0)
    }

    /// A new bot, `stopped`, generation 0.
    pub async fn create(&self, new: &NewBot) -> Result<Bot> {
        let now = Utc::now();
        let m = bot::ActiveModel {
            user_id: Set(new.user_id),
            strategy: Set(new.strategy.clone()),
            pair: Set(new.symbol.pair()),
            mode: Set(new.mode.as_str().to_owned()),
            status: Set(BotStatus::Stopped.as_str().to_owned()),
            config: Set(new.config.clone()),
            generation: Set(0),
            stop_reason: Set(None),
            run_state: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(self.0)
        .await?;
        to_bot(m)
    }

    pub async fn get(&self, id: BotId) -> Result<Bot> {
        let m = bot::Entity::find_by_id(id.0).one(self.0).await?.ok_or_else(|| DbError::not_found("bot", id))?;
        to_bot(m)
    }

    pub async fn list_for_user(&self, user_id: i64) -> Result<Vec<Bot>> {
        let rows = bot::Entity::find()
            .filter(bot::Column::UserId.eq(user_id))
            .order_by_asc(bot::Column::Id)
            .all(self.0)
            .await?;
        rows.into_iter().map(to_bot).collect()
    }

    /// Sets the status (and the stop reason, cleared when `None`).
    pub async fn set_status(&self, id: BotId, status: BotStatus, stop_reason: Option<&str>) -> Result<()> {
        let res = bot::Entity::update_many()
            .col_expr(bot::Column::Status, Expr::value(status.as_str()))
            .col_expr(bot::Column::StopReason, Expr::value(stop_reason.map(str::to_owned)))
            .col_expr(bot::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(bot::Column::Id.eq(id.0))
            .exec(self.0)
            .await?;
        if res.rows_affected == 0 { Err(DbError::not_found("bot", id)) } else { Ok(()) }
    }

    /// Moves the bot to `to` (with `reason` as its stop reason, cleared when `None`) only when its status is one of
    /// `from`, in one statement; `false` when it was in another state.
    pub async fn transition(&self, id: BotId, from: &[BotStatus], to: BotStatus, reason: Option<&str>) -> Result<bool> {
        let res = bot::Entity::update_many()
            .col_expr(bot::Column::Status, Expr::value(to.as_str()))
            .col_expr(bot::Column::StopReason, Expr::value(reason.map(str::to_owned)))
            .col_expr(bot::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(bot::Column::Id.eq(id.0))
            .filter(bot::Column::Status.is_in(from.iter().map(|s| s.as_str())))
            .exec(self.0)
            .await?;
        Ok(res.rows_affected > 0)
    }

    /// Records what a running grid was started with, and archives it as the run of its generation (`bot_runs`), in
    /// one transaction.
    pub async fn set_run_state(&self, id: BotId, state: &RunState) -> Result<()> {
        let txn = self.0.begin().await?;
        bot::Entity::update_many()
            .col_expr(bot::Column::RunState, Expr::value(state.to_json()))
            .col_expr(bot::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(bot::Column::Id.eq(id.0))
            .exec(&txn)
            .await?;
        let row = bot::Entity::find_by_id(id.0).one(&txn).await?.ok_or_else(|| DbError::not_found("bot", id.0))?;
        super::runs::record(&txn, id, &row.pair, &row.mode, state).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Every bot in one of `statuses`, of every user.
    pub async fn list_with_status(&self, statuses: &[BotStatus]) -> Result<Vec<Bot>> {
        let rows = bot::Entity::find()
            .filter(bot::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
            .order_by_asc(bot::Column::Id)
            .all(self.0)
            .await?;
        rows.into_iter().map(to_bot).collect()
    }

    /// The id and last change (`updated_at`, which every write of a bot sets) of every bot in `status`: what a
    /// watcher compares with the rows it holds, to read again only the bots that changed ([`Bots::by_ids`]).
    pub async fn versions_with_status(&self, status: BotStatus) -> Result<Vec<(BotId, DateTime<Utc>)>> {
        let rows: Vec<(i64, DateTime<Utc>)> = bot::Entity::find()
            .select_only()
            .columns([bot::Column::Id, bot::Column::UpdatedAt])
            .filter(bot::Column::Status.eq(status.as_str()))
            .order_by_asc(bot::Column::Id)
            .into_tuple()
            .all(self.0)
            .await?;
        Ok(rows.into_iter().map(|(id, at)| (BotId(id), at)).collect())
    }

    /// The bots among `ids` (ones deleted since are missing), in id order.
    pub async fn by_ids(&self, ids: &[BotId]) -> Result<Vec<Bot>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let rows = bot::Entity::find()
                .filter(bot::Column::Id.is_in(chunk.iter().map(|b| b.0)))
                .order_by_asc(bot::Column::Id)
                .all(self.0)
                .await?;
            for row in rows {
                out.push(to_bot(row)?);
            }
        }
        out.sort_by_key(|b| b.id.0);
        Ok(out)
    }

    /// Starts a new generation and returns it.
    pub async fn bump_generation(&self, id: BotId) -> Result<u32> {
        bot::Entity::update_many()
            .col_expr(bot::Column::Generation, Expr::col(bot::Column::Generation).add(1))
            .col_expr(bot::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(bot::Column::Id.eq(id.0))
            .exec(self.0)
            .await?;
        Ok(self.get(id).await?.generation)
    }
}

fn to_bot(m: bot::Model) -> Result<Bot> {
    Ok(Bot {
        id: BotId(m.id),
        user_id: m.user_id,
        strategy: m.strategy,
        symbol: m.pair.parse()?,
        mode: m.mode.parse()?,
        status: m.status.parse()?,
        config: m.config,
        generation: u32::try_from(m.generation).map_err(|_| DbError::invalid("generation", m.generation))?,
        stop_reason: m.stop_reason,
        run_state: m.run_state,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}
