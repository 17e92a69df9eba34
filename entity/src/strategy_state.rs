//! `strategy_states`: per bot, its strategy runtime's snapshot for its current run.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "strategy_states")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub bot_id: i64,
    /// The run (generation) the snapshot belongs to.
    pub generation: i32,
    /// The runtime's snapshot (JSON), as its strategy writes it.
    pub state: Json,
    /// How many fills of the run the snapshot has booked.
    pub fills: i64,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
