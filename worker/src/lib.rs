//! Gridbot's workers: the handler of the jobs of [`gridbot_platform::jobs`], and nothing else. A job takes its bot's
//! lock and runs through the application layer's runner ([`gridbot_app::runner`]); retryable failures are retried
//! with backoff; a job that fails for good, panics, or was running when its process died is quarantined and its bot
//! marked `error` with the reason ([`quarantine`]).

mod handler;
mod quarantine;

pub use handler::{Handler, run};
