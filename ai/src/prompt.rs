//! The prompt: the strategy's own [`AiContext`] (built through the registry, so a future strategy brings its own
//! text and tool schema), followed by the sweep's best as a reference to beat.

use gridbot_core::{
    GridConfig,
    strategy::{AiContext, GridParams, MarketSnapshot, Registry},
};

use crate::{error::AdvisorError, heuristic::SweepBest};

/// The context for `strategy` configured as `config` (the bot's current config, else the sweep's best).
pub fn context(
    strategy: &str,
    config: &GridConfig,
    has_current: bool,
    snapshot: &MarketSnapshot,
    best: &SweepBest,
) -> Result<AiContext, AdvisorError> {
    let json =
        serde_json::to_value(GridParams::from_config(config)).map_err(|e| AdvisorError::Internal(e.to_string()))?;
    let mut ctx = Registry::default().build(strategy, &json)?.ai_context(snapshot);
    if !has_current {
        ctx.prompt.push_str("\nThere is no bot yet: the current config above is the sweep's best below.");
    }
    ctx.prompt.push_str(&format!(
        "\nReference: {reasoning} Its grid: {lower} - {upper}, {n} levels. Propose better if you can; \
         backtests will check your answer against it.\n\
         Answer through the {tool} tool only: grid_lower below {price} and grid_upper above it, in {quote}; \
         num_levels from 2 to 200; confidence from 0 to 100; risk_level low, medium or high; reasoning in two or \
         three sentences.",
        reasoning = best.suggestion.reasoning,
        lower = best.config.lower(),
        upper = best.config.upper(),
        n = best.config.levels(),
        tool = ctx.tool_name,
        price = snapshot.indicators.price,
        quote = snapshot.symbol.quote(),
    ));
    Ok(ctx)
}
