//! [`Advisor`]: one optimization from start to finish. The sweep runs first (it is the reference and the fallback);
//! Claude, when configured, is asked next; its answer is parsed and validated, and the suggestion — Claude's or,
//! when Claude is off, fails or answers invalidly, the sweep's best with the reason — is backtested on every window
//! beside the current config, the sweep's best and holding. CPU work runs on blocking threads.

use gridbot_core::{Decimal, Error, GridConfig, SymbolFilters, strategy::AiContext};
use serde::{Deserialize, Serialize};

use crate::{
    answer::{self, Suggestion},
    claude::Claude,
    error::{AdvisorError, SettingsError},
    figures::{Figures, WindowReport},
    heuristic::{self, SweepBest},
    prompt,
    settings::ClaudeSettings,
    snapshot::{Market, Window},
    validate::{Checked, GridBase, validate},
};

/// What to optimize.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptimizeRequest {
    pub capital: Decimal,
    /// The bot's current config, when there is one: backtested beside the suggestion, and the source of the
    /// parameters a suggestion does not choose (spacing, fee, stops).
    pub current: Option<GridConfig>,
    /// The strategy's registry name (`grid`).
    pub strategy: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Claude,
    Heuristic,
}

/// A validated suggestion with its backtests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advice {
    pub source: Source,
    /// Why the sweep's best stands in, for `heuristic`.
    pub fallback_reason: Option<String>,
    pub suggestion: Suggestion,
    /// The config the suggestion makes with the request's capital and the current config's other parameters.
    pub config: GridConfig,
    pub backtests: Vec<WindowReport>,
    /// The model that answered, for `claude`.
    pub model: Option<String>,
    /// Claude's answer when it was refused, kept for the record (never applied).
    pub refused_answer: Option<serde_json::Value>,
}

#[derive(Debug)]
enum ClaudeState {
    Ready(Box<Claude>),
    Off(String),
}

#[derive(Debug)]
pub struct Advisor {
    claude: ClaudeState,
}

/// Everything computed before Claude is asked.
#[derive(Debug)]
struct Prepared {
    price: Decimal,
    filters: SymbolFilters,
    base: GridBase,
    windows: Vec<Window>,
    best: SweepBest,
    current: Option<Vec<Figures>>,
    hold: Vec<Figures>,
    context: AiContext,
}

impl Advisor {
    /// Claude when the settings (`ANTHROPIC_*`, read by the binary) name a key; otherwise, or when they are
    /// unusable, the sweep alone (the reason becomes each suggestion's `fallback_reason`).
    pub fn from_settings(settings: Result<Option<ClaudeSettings>, SettingsError>) -> Advisor {
        match settings {
            Ok(Some(s)) => Advisor::with_claude(s).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "Claude is off");
                Advisor::without_claude(e.to_string())
            }),
            Ok(None) => Advisor::without_claude("no ANTHROPIC_API_KEY is set"),
            Err(e) => {
                tracing::warn!(error = %e, "Claude is off");
                Advisor::without_claude(e.to_string())
            }
        }
    }

    pub fn with_claude(settings: ClaudeSettings) -> Result<Advisor, SettingsError> {
        Ok(Advisor { claude: ClaudeState::Ready(Box::new(Claude::new(settings)?)) })
    }

    /// The sweep alone; `reason` is every suggestion's `fallback_reason`.
    pub fn without_claude(reason: impl Into<String>) -> Advisor {
        Advisor { claude: ClaudeState::Off(reason.into()) }
    }

    pub fn claude_enabled(&self) -> bool {
        matches!(self.claude, ClaudeState::Ready(_))
    }

    /// One optimization of `market` for `request`.
    pub async fn optimize(&self, request: OptimizeRequest, market: Market) -> Result<Advice, AdvisorError> {
        let prepared = blocking(move || prepare(&request, &market)).await?;
        let (checked, source, reason, model, refused) = match &self.claude {
            ClaudeState::Off(reason) => (None, Source::Heuristic, Some(reason.clone()), None, None),
            ClaudeState::Ready(claude) => match claude.call_tool(&prepared.context).await {
                Err(e) => {
                    tracing::warn!(error = %e, "claude failed; the sweep's best stands in");
                    (None, Source::Heuristic, Some(format!("Claude failed: {e}")), None, None)
                }
                Ok(answer) => {
                    let checked = answer::parse(&answer.input)
                        .and_then(|s| validate(&s, &prepared.base, prepared.price, &prepared.filters));
                    match checked {
                        Ok(c) => (Some(c), Source::Claude, None, Some(answer.model), None),
                        Err(reasons) => {
                            let reason = format!("Claude's answer was refused: {}", reasons.join("; "));
                            tracing::warn!(%reason, "claude answer refused; the sweep's best stands in");
                            (None, Source::Heuristic, Some(reason), Some(answer.model), Some(answer.input))
                        }
                    }
                }
            },
        };
        let advice = blocking(move || Ok(finish(prepared, checked, source, reason, model, refused))).await?;
        tracing::info!(
            source = ?advice.source, lower = %advice.suggestion.grid_lower, upper = %advice.suggestion.grid_upper,
            levels = advice.suggestion.num_levels, fallback_reason = advice.fallback_reason.as_deref(), "ai suggestion ready"
        );
        Ok(advice)
    }

    /// Everything [`Advisor::optimize`] does except asking Claude: the sweep's best is the suggestion.
    pub fn advise_offline(&self, request: &OptimizeRequest, market: &Market) -> Result<Advice, AdvisorError> {
        let prepared = prepare(request, market)?;
        let reason = match &self.claude {
            ClaudeState::Off(reason) => reason.clone(),
            ClaudeState::Ready(_) => "asked offline".to_owned(),
        };
        Ok(finish(prepared, None, Source::Heuristic, Some(reason), None, None))
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AdvisorError> + Send + 'static,
) -> Result<T, AdvisorError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| AdvisorError::Internal(format!("optimizer task: {e}")))?
}

fn prepare(request: &OptimizeRequest, market: &Market) -> Result<Prepared, AdvisorError> {
    let capital = request.capital;
    if capital <= Decimal::ZERO || capital.normalize().scale() > 8 {
        return Err(
            Error::field("capital", format!("must be greater than 0 with at most 8 decimals, got {capital}")).into()
        );
    }
    let no_candles = || AdvisorError::NoCandles(market.symbol.pair());
    let price = market.price().ok_or_else(no_candles)?;
    let snapshot = market.snapshot(capital).ok_or_else(no_candles)?;
    let base = match &request.current {
        Some(c) => GridBase::from_current(capital, c),
        None => GridBase::new(capital),
    };
    let windows = market.windows();
    let candidates = heuristic::candidates(market, &base, &snapshot.indicators, request.current.as_ref());
    let best = heuristic::best(&candidates, market, &windows)
        .map_err(|reason| AdvisorError::NoGrid(format!("{reason} (capital {capital}, price {price})")))?;
    let current = request
        .current
        .as_ref()
        .map(|c| windows.iter().map(|w| Figures::backtest(c, &market.filters, &w.candles)).collect::<Vec<_>>());
    let hold = windows.iter().map(|w| Figures::hold(capital, &w.candles)).collect();
    let (config, has_current) = match &request.current {
        Some(c) => (c, true),
        None => (&best.config, false),
    };
    let context = prompt::context(&request.strategy, config, has_current, &snapshot, &best)?;
    Ok(Prepared { price, filters: market.filters.clone(), base, windows, best, current, hold, context })
}

fn finish(
    p: Prepared,
    checked: Option<Checked>,
    source: Source,
    fallback_reason: Option<String>,
    model: Option<String>,
    refused_answer: Option<serde_json::Value>,
) -> Advice {
    let Checked { suggestion, config } =
        checked.unwrap_or_else(|| Checked { suggestion: p.best.suggestion.clone(), config: p.best.config.clone() });
    let current = p.current.map_or_else(|| vec![None; p.windows.len()], |c| c.into_iter().map(Some).collect());
    let backtests = p
        .windows
        .iter()
        .zip(p.best.figures)
        .zip(p.hold)
        .zip(current)
        .map(|(((w, best), hold), current)| WindowReport {
            window: w.name.to_owned(),
            candles: w.candles.len(),
            suggested: if config == p.best.config {
                best.clone()
            } else {
                Figures::backtest(&config, &p.filters, &w.candles)
            },
            current,
            sweep_best: best,
            hold,
        })
        .collect();
    Advice { source, fallback_reason, suggestion, config, backtests, model, refused_answer }
}
