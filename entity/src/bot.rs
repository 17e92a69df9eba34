//! `bots`: a strategy running on one pair, its mode, status, configuration and generation.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "bots")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub strategy: String,
    pub pair: String,
    /// `paper` or `live`.
    pub mode: String,
    /// `stopped`, `starting`, `running`, `stopping` or `error`.
    pub status: String,
    pub config: Json,
    pub generation: i64,
    pub stop_reason: Option<String>,
    /// What a running grid was started with (JSON); `None` before the first start.
    pub run_state: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
