//! What differs between embedded and distributed Gridbot: [`settings`] from the environment, the database ([`db`]:
//! connection, migrations and repositories that speak `gridbot-core` types), the job queue ([`jobs`], apalis on
//! Redis or SQLite), live events ([`events`], Redis pub/sub or in-process) and locks ([`locks`]); and [`crypto`]
//! for exchange keys at rest.

pub mod book;
pub mod crypto;
pub mod db;
pub mod events;
pub mod jobs;
pub mod locks;
pub mod settings;

pub use db::{Db, DbError, connect, migrate};
pub use events::{BotChange, Channel, Event, EventBus, Received, Subscription};
pub use jobs::{Delivery, Job, JobHandler, Queue, QueueError, RECONCILES_PER_JOB};
pub use locks::{LockGuard, Locks};
pub use settings::Settings;
