//! AI optimization of a grid: [`claude`] (a Messages API client that forces one tool call), the prompt built from a
//! [`snapshot`] of the market through the strategy's own `ai_context`, strict [`validate`]ion of the answer, and
//! the [`Advisor`], which backtests every suggestion over the last 7 and 30 days beside the current config, the
//! best of a quick [`heuristic`] sweep and holding the capital in base — and stands the sweep's best in whenever
//! Claude is not configured, fails, or answers something invalid.

pub mod advisor;
pub mod answer;
pub mod claude;
pub mod error;
pub mod figures;
pub mod heuristic;
pub mod history;
mod prompt;
pub mod settings;
pub mod snapshot;
pub mod validate;

pub use advisor::{Advice, Advisor, OptimizeRequest, Source};
pub use answer::{RiskLevel, Suggestion};
pub use claude::Claude;
pub use error::{AdvisorError, ClaudeError, SettingsError};
pub use figures::{Figures, WindowReport};
pub use settings::{ApiKey, ClaudeSettings};
pub use snapshot::Market;
