//! What differs between embedded and distributed Gridbot. So far: [`settings`] from the environment and the
//! database ([`db`]): connection, migrations and repositories that speak `gridbot-core` types.

pub mod db;
pub mod settings;

pub use db::{Db, DbError, connect, migrate};
pub use settings::Settings;
