//! Gridbot's application layer, between the edges (API, scheduler, CLI) and the job handlers: bot commands
//! ([`commands`]: start, stop, emergency stop), queries ([`risk`]: P&L today), the paper venue's matcher ([`paper`])
//! and the runner ([`runner`]) that runs one job of a bot against its venue — its user's exchange account or the
//! paper book. Each job rebuilds the bot's book from the database ([`gridbot_platform::book::GridBook`]) — or, for a
//! reconcile right after this process's own last job of the bot, takes the book it kept ([`Books`]) — and is
//! idempotent: an order is written before it is sent and looked up by its client id before any resend, so a job
//! retried after a crash changes nothing twice.

pub mod books;
pub mod commands;
mod context;
mod error;
pub mod exchange_errors;
mod fills;
mod grid;
pub mod notify;
pub mod paper;
mod place;
mod reconcile;
pub mod risk;
mod rules;
pub mod runner;
pub mod runtime_bot;
mod stop;
mod venue;

pub use books::Books;
pub use context::{Ctx, LiveAccounts};
pub use error::{ExchangeFault, JobError};
pub use venue::Venue;
