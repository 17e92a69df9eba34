//! Gridbot's workers: handlers for the jobs of [`gridbot_platform::jobs`]. Each job takes its bot's lock, rebuilds
//! the grid from the database ([`gridbot_platform::book::GridBook`]) — or, for a reconcile right after this worker's
//! own last job of the bot, takes the book it kept ([`Books`]) — and is idempotent — an order is written before it is
//! sent and looked up by its client id before any resend — so a job retried after a crash changes nothing twice. Retryable failures are retried with backoff; a job that fails for good, or that
//! was running when its process died, is quarantined and its bot marked `error` with the reason.

mod books;
pub mod commands;
mod context;
mod error;
mod fills;
mod grid;
mod handler;
pub mod paper;
mod place;
mod quarantine;
mod reconcile;
pub mod risk;
mod rules;
mod stop;
mod venue;

pub use books::Books;
pub use context::{Ctx, LiveAccounts};
pub use error::JobError;
pub use handler::{Handler, run};
pub use venue::Venue;
