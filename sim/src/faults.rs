//! Fault switches: WebSocket drops and outages, REST calls failing with 5xx or held until the client times out,
//! bursts of 429, and added latency. Set by flags at start and by `POST /sim/faults` while running.

use rand::{Rng, rngs::StdRng};
use serde::{Deserialize, Serialize};

/// The live fault switches (`GET /sim/state` shows them; `POST /sim/faults` changes any of them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, clap::Args)]
pub struct Faults {
    /// Drop every WebSocket connection every N seconds (0 = never).
    #[arg(long = "ws-drop-secs", default_value_t = 0)]
    pub ws_drop_every_secs: u64,
    /// Refuse every new WebSocket connection (HTTP 503) while on: with `POST /sim/drop-ws`, the streams stay down
    /// until it is switched off.
    #[arg(long = "ws-refuse", default_value_t = false)]
    #[serde(default)]
    pub ws_refuse: bool,
    /// Fraction (0..1) of REST calls answered with a 5xx; half of them after the request was carried out.
    #[arg(long = "fail-rate", default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Fraction (0..1) of REST calls whose response is held for `timeout_ms` after the request was carried out
    /// (the client times out not knowing the outcome).
    #[arg(long = "timeout-rate", default_value_t = 0.0)]
    pub timeout_rate: f64,
    /// How long a "timed out" response is held, in milliseconds.
    #[arg(long = "timeout-ms", default_value_t = 30_000)]
    pub timeout_ms: u64,
    /// The next N REST requests answer 429.
    #[arg(long = "burst-429", default_value_t = 0)]
    pub burst_429: u64,
    /// Latency added to every REST response, in milliseconds.
    #[arg(long = "latency-ms", default_value_t = 0)]
    pub latency_ms: u64,
    /// Shift the server's clock by this many milliseconds (serverTime and the timestamp check), so a client's
    /// clock offset goes stale and its requests meet -1021.
    #[arg(long = "clock-offset-ms", default_value_t = 0, allow_hyphen_values = true)]
    #[serde(default)]
    pub clock_offset_ms: i64,
}

/// A partial update of the switches (`POST /sim/faults`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultsPatch {
    pub ws_drop_every_secs: Option<u64>,
    pub ws_refuse: Option<bool>,
    pub fail_rate: Option<f64>,
    pub timeout_rate: Option<f64>,
    pub timeout_ms: Option<u64>,
    pub burst_429: Option<u64>,
    pub latency_ms: Option<u64>,
    pub clock_offset_ms: Option<i64>,
}

/// What happens to one REST call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    Normal,
    TooMany,
    FailBefore,
    FailAfter,
    Hold(u64),
}

impl Faults {
    pub(crate) fn apply(&mut self, p: FaultsPatch) -> Result<(), String> {
        for (name, rate) in [("fail_rate", p.fail_rate), ("timeout_rate", p.timeout_rate)] {
            if rate.is_some_and(|r| !(0.0..=1.0).contains(&r)) {
                return Err(format!("{name} must be between 0 and 1"));
            }
        }
        self.ws_drop_every_secs = p.ws_drop_every_secs.unwrap_or(self.ws_drop_every_secs);
        self.ws_refuse = p.ws_refuse.unwrap_or(self.ws_refuse);
        self.fail_rate = p.fail_rate.unwrap_or(self.fail_rate);
        self.timeout_rate = p.timeout_rate.unwrap_or(self.timeout_rate);
        self.timeout_ms = p.timeout_ms.unwrap_or(self.timeout_ms);
        self.burst_429 = p.burst_429.unwrap_or(self.burst_429);
        self.latency_ms = p.latency_ms.unwrap_or(self.latency_ms);
        self.clock_offset_ms = p.clock_offset_ms.unwrap_or(self.clock_offset_ms);
        Ok(())
    }

    /// Draws the fate of the next REST call (and counts down a 429 burst).
    pub(crate) fn draw(&mut self, rng: &mut StdRng) -> Fate {
        if self.burst_429 > 0 {
            self.burst_429 -= 1;
            return Fate::TooMany;
        }
        if self.fail_rate > 0.0 && rng.random::<f64>() < self.fail_rate {
            return if rng.random::<bool>() { Fate::FailBefore } else { Fate::FailAfter };
        }
        if self.timeout_rate > 0.0 && rng.random::<f64>() < self.timeout_rate {
            return Fate::Hold(self.timeout_ms);
        }
        Fate::Normal
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn bursts_count_down_and_patches_merge() {
        let mut f = Faults { timeout_ms: 10, ..Faults::default() };
        f.apply(FaultsPatch { burst_429: Some(2), ..FaultsPatch::default() }).expect("valid");
        let mut rng = StdRng::seed_from_u64(1);
        assert_eq!(f.draw(&mut rng), Fate::TooMany);
        assert_eq!(f.draw(&mut rng), Fate::TooMany);
        assert_eq!(f.draw(&mut rng), Fate::Normal);
        assert_eq!(f.timeout_ms, 10);
        assert!(f.apply(FaultsPatch { fail_rate: Some(2.0), ..FaultsPatch::default() }).is_err());
        f.apply(FaultsPatch { fail_rate: Some(1.0), ..FaultsPatch::default() }).expect("valid");
        assert!(matches!(f.draw(&mut rng), Fate::FailBefore | Fate::FailAfter));
    }
}
