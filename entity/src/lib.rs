//! Gridbot's SeaORM entities, one module per table. Amounts are [`Amount`]: `NUMERIC` on PostgreSQL, exact text on
//! SQLite. Only `gridbot-platform`'s repositories use these types; nothing else should see them.

pub mod ai_suggestion;
pub mod amount;
pub mod bot;
pub mod bot_event;
pub mod bot_run;
pub mod dead_job;
pub mod fill;
pub mod market_mark;
pub mod notification_setting;
pub mod order;
pub mod paper_balance;
pub mod price;
pub mod revoked_token;
pub mod running_job;
pub mod strategy_state;
pub mod trade;
pub mod user;

pub use amount::Amount;
