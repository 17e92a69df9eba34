//! Mean reversion as the registry knows it: its [`Plugin`] (runtime, config schema, bot config) and
//! [`MeanReversionStrategy`], its AI prompt and answer schema.

use serde_json::json;

use super::{
    MeanReversionConfig, MeanReversionParams,
    config::{MAX_BAND_SD, MAX_WINDOW, MIN_WINDOW},
};
use crate::{
    Error,
    strategy::{AiContext, MarketSnapshot, Plugin, Runtime, Strategy, StrategyInfo},
};

pub const NAME: &str = "mean_reversion";
pub const DESCRIPTION: &str = "Mean reversion (Bollinger): buys when a candle closes more than `band` standard \
                               deviations below its `window`-candle moving average, sells when the price returns to \
                               the average or falls to an optional stop loss.";

#[derive(Debug, Clone)]
pub struct MeanReversionStrategy {
    config: MeanReversionConfig,
}

impl MeanReversionStrategy {
    pub fn new(config: MeanReversionConfig) -> Self {
        MeanReversionStrategy { config }
    }

    pub fn from_json(value: &serde_json::Value) -> Result<Box<dyn Strategy>, Error> {
        Ok(Box::new(MeanReversionStrategy::new(MeanReversionConfig::from_json(value)?)))
    }

    pub fn config(&self) -> &MeanReversionConfig {
        &self.config
    }
}

impl Strategy for MeanReversionStrategy {
    fn name(&self) -> &'static str {
        NAME
    }

    fn ai_context(&self, m: &MarketSnapshot) -> AiContext {
        let current: &MeanReversionParams = self.config.params();
        let prompt = format!(
            "Propose a mean-reversion (Bollinger band) strategy for {pair} on Binance spot, on 1-minute candles.\n\
             {facts}\
             Capital: {cap} {quote}\nStep size: {step}; minimum order value: {mn} {quote}\n\
             Fee per fill: {fee} of notional.\nCurrent config: {cur} .\n\
             The bot buys with all its quote when a candle closes more than `band` population standard deviations \
             below the mean of the last `window` closes, and sells everything when a close is back at or above that \
             mean, or when the price falls to entry * (1 - stop_loss_pct/100). A round trip must move more than two \
             fees to earn anything; a wider band trades less often on deeper dips.",
            pair = m.symbol.pair(),
            facts = m.facts(),
            cap = m.capital,
            quote = m.symbol.quote(),
            step = m.filters.step_size,
            mn = m.filters.min_notional,
            fee = current.fee_rate,
            cur = serde_json::to_string(current).unwrap_or_default(),
        );
        AiContext {
            system: "You are a quantitative trader who tunes mean-reversion bots on spot markets. Use the market data \
                     to choose a moving-average window, a band width in standard deviations and a stop loss that buy \
                     real dips rather than trends. Answer only through the tool."
                .into(),
            prompt,
            tool_name: "propose_mean_reversion".into(),
            schema: json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["window", "band", "stop_loss_pct", "confidence", "reasoning", "risk_level"],
                "properties": {
                    "window": {"type": "integer", "minimum": MIN_WINDOW, "maximum": MAX_WINDOW,
                               "description": "candles in the moving average"},
                    "band": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_BAND_SD,
                             "description": "standard deviations below the mean an entry needs"},
                    "stop_loss_pct": {"type": ["number", "null"], "exclusiveMinimum": 0, "exclusiveMaximum": 100,
                                      "description": "percent below the entry price to sell at; null for none"},
                    "confidence": {"type": "integer", "minimum": 0, "maximum": 100},
                    "reasoning": {"type": "string"},
                    "risk_level": {"type": "string", "enum": ["low", "medium", "high"]}
                }
            }),
        }
    }
}

/// Mean reversion as the registry holds it.
pub(crate) fn plugin() -> Plugin {
    Plugin {
        info: StrategyInfo {
            name: NAME,
            title: "Mean reversion",
            description: DESCRIPTION,
            bots: true,
            live: true,
            ai: false,
        },
        factory: MeanReversionStrategy::from_json,
        schema: super::schema,
        bot_config: |value| {
            let params = super::bot_params(value)?;
            let mut stored =
                serde_json::to_value(&params).map_err(|e| Error::Strategy(format!("{NAME} config: {e}")))?;
            if let Some(m) = stored.as_object_mut() {
                for f in ["tick_size", "step_size", "min_notional"] {
                    m.remove(f);
                }
            }
            Ok(stored)
        },
        runtime: |config, filters, _, snapshot| {
            Ok(Box::new(super::MeanReversionRuntime::for_bot(config, filters, snapshot)?) as Box<dyn Runtime>)
        },
    }
}
