//! The `ai_suggestions` repository: proposals, their backtests and their status.

use chrono::Utc;
use gridbot_core::{BotId, Symbol};
use gridbot_entity::ai_suggestion;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};

use super::types::{AiSuggestion, SuggestionSource, SuggestionStatus};
use super::{DbError, Result};

#[derive(Debug, Clone, Copy)]
pub struct AiSuggestions<'a>(pub(crate) &'a DatabaseConnection);

impl AiSuggestions<'_> {
    /// A `pending` suggestion for a bot or a pair.
    pub async fn create(
        &self,
        bot: Option<BotId>,
        pair: Option<&Symbol>,
        request: serde_json::Value,
        source: SuggestionSource,
    ) -> Result<AiSuggestion> {
        let m = ai_suggestion::ActiveModel {
            bot_id: Set(bot.map(|b| b.0)),
            pair: Set(pair.map(Symbol::pair)),
            request: Set(request),
            response: Set(None),
            backtest: Set(None),
            status: Set(SuggestionStatus::Pending.as_str().to_owned()),
            source: Set(source.as_str().to_owned()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(self.0)
        .await?;
        to_suggestion(m)
    }

    /// Stores the model's answer and the backtest that checked it.
    pub async fn complete(&self, id: i64, response: serde_json::Value, backtest: serde_json::Value) -> Result<()> {
        self.update(id, [(ai_suggestion::Column::Response, response), (ai_suggestion::Column::Backtest, backtest)])
            .await
    }

    pub async fn set_status(&self, id: i64, status: SuggestionStatus) -> Result<()> {
        let res = ai_suggestion::Entity::update_many()
            .col_expr(ai_suggestion::Column::Status, Expr::value(status.as_str()))
            .filter(ai_suggestion::Column::Id.eq(id))
            .exec(self.0)
            .await?;
        if res.rows_affected == 0 { Err(DbError::not_found("ai suggestion", id)) } else { Ok(()) }
    }

    pub async fn get(&self, id: i64) -> Result<AiSuggestion> {
        let m = ai_suggestion::Entity::find_by_id(id)
            .one(self.0)
            .await?
            .ok_or_else(|| DbError::not_found("ai suggestion", id))?;
        to_suggestion(m)
    }

    /// Suggestions made for any of `bots`, and (when `unbound`) those made for a pair without a bot; newest first.
    pub async fn list(&self, bots: &[BotId], unbound: bool) -> Result<Vec<AiSuggestion>> {
        let mut which = Condition::any().add(ai_suggestion::Column::BotId.is_in(bots.iter().map(|b| b.0)));
        if unbound {
            which = which.add(ai_suggestion::Column::BotId.is_null());
        }
        let rows =
            ai_suggestion::Entity::find().filter(which).order_by_desc(ai_suggestion::Column::Id).all(self.0).await?;
        rows.into_iter().map(to_suggestion).collect()
    }

    async fn update<const N: usize>(
        &self,
        id: i64,
        cols: [(ai_suggestion::Column, serde_json::Value); N],
    ) -> Result<()> {
        let mut q = ai_suggestion::Entity::update_many();
        for (c, v) in cols {
            q = q.col_expr(c, Expr::value(v));
        }
        let res = q.filter(ai_suggestion::Column::Id.eq(id)).exec(self.0).await?;
        if res.rows_affected == 0 { Err(DbError::not_found("ai suggestion", id)) } else { Ok(()) }
    }
}

fn to_suggestion(m: ai_suggestion::Model) -> Result<AiSuggestion> {
    Ok(AiSuggestion {
        id: m.id,
        bot: m.bot_id.map(BotId),
        pair: m.pair.map(|p| p.parse()).transpose()?,
        request: m.request,
        response: m.response,
        backtest: m.backtest,
        status: m.status.parse()?,
        source: m.source.parse()?,
        created_at: m.created_at,
    })
}
