//! `ai_suggestions`: a parameter proposal for a bot or a pair, its backtest, and whether the user took it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ai_suggestions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bot_id: Option<i64>,
    pub pair: Option<String>,
    pub request: Json,
    pub response: Option<Json>,
    pub backtest: Option<Json>,
    /// `pending`, `accepted` or `rejected`.
    pub status: String,
    /// `claude` or `heuristic`.
    pub source: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
