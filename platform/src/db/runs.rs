//! The `bot_runs` repository: every run (generation) a bot started, written with the bot's run state and read back
//! as its history.

use gridbot_core::BotId;
use gridbot_entity::bot_run;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::types::BotRun;
use super::types::RunState;
use super::{DbError, Result};

#[derive(Debug, Clone, Copy)]
pub struct Runs<'a>(pub(crate) &'a DatabaseConnection);

impl Runs<'_> {
    /// `bot`'s runs, newest first, at most `limit`.
    pub async fn list_for_bot(&self, bot: BotId, limit: u64) -> Result<Vec<BotRun>> {
        let rows = bot_run::Entity::find()
            .filter(bot_run::Column::BotId.eq(bot.0))
            .order_by_desc(bot_run::Column::Generation)
            .limit(limit)
            .all(self.0)
            .await?;
        rows.into_iter().map(to_run).collect()
    }
}

/// Writes (or replaces) the archived run of `state`'s generation for `bot`, as it runs on `pair` in `mode`.
pub(crate) async fn record(
    conn: &impl ConnectionTrait,
    bot: BotId,
    pair: &str,
    mode: &str,
    state: &RunState,
) -> Result<()> {
    use sea_orm::{ActiveValue::Set, sea_query::OnConflict};
    let row = bot_run::ActiveModel {
        bot_id: Set(bot.0),
        generation: Set(i32::try_from(state.generation).map_err(|_| DbError::invalid("generation", state.generation))?),
        pair: Set(pair.to_owned()),
        mode: Set(mode.to_owned()),
        state: Set(state.to_json()),
        started_at: Set(state.started_at),
        updated_at: Set(chrono::Utc::now()),
        ..Default::default()
    };
    let on_conflict = OnConflict::columns([bot_run::Column::BotId, bot_run::Column::Generation])
        .update_columns([
            bot_run::Column::Pair,
            bot_run::Column::Mode,
            bot_run::Column::State,
            bot_run::Column::UpdatedAt,
        ])
        .to_owned();
    bot_run::Entity::insert(row).on_conflict(on_conflict).exec_without_returning(conn).await?;
    Ok(())
}

fn to_run(m: bot_run::Model) -> Result<BotRun> {
    let state: RunState = serde_json::from_value(m.state).map_err(|e| DbError::invalid("bot_runs.state", e))?;
    Ok(BotRun { bot: BotId(m.bot_id), symbol: m.pair.parse()?, mode: m.mode.parse()?, state })
}
