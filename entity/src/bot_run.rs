//! `bot_runs`: one row per run (generation) a bot started: its pair, mode and run state, config included.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "bot_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bot_id: i64,
    pub generation: i32,
    pub pair: String,
    /// `paper` or `live`.
    pub mode: String,
    /// The run state (JSON): start price, filters, config, stop.
    pub state: Json,
    pub started_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
