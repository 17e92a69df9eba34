//! Where prices come from: candles replayed from Binance kline CSV files, or a seeded random walk that makes
//! candles with realistic volatility. Both are played candle by candle (four path points each).

use std::path::Path;

use anyhow::Context;
use gridbot_core::candles::{Candle, Candles};
use rand::{Rng, SeedableRng, rngs::StdRng};
use rust_decimal::{Decimal, prelude::FromPrimitive, prelude::ToPrimitive};

use crate::symbols::SymbolSpec;

/// One symbol's replayed candles.
#[derive(Debug)]
pub(crate) struct Track {
    pub symbol: String,
    pub candles: Vec<Candle>,
}

/// A random walk for one symbol: `price` moves by normal noise of `vol` (relative) per simulated second.
#[derive(Debug)]
pub(crate) struct Walker {
    pub symbol: String,
    pub price: f64,
    pub tick: Decimal,
    pub step: Decimal,
    pub typical_qty: f64,
}

#[derive(Debug)]
pub(crate) enum Feed {
    Replay { tracks: Vec<Track>, next: usize, len: usize },
    Walk { walkers: Vec<Walker>, rng: Box<StdRng>, vol: f64, played: u64 },
}

/// Reads `[SYMBOL=]FILE`; without a symbol, the file name's prefix (`BTCUSDT-1m-….csv`) names it, else BTCUSDT.
pub(crate) fn load_track(arg: &str) -> anyhow::Result<Track> {
    let (symbol, file) = match arg.split_once('=') {
        Some((s, f)) if !s.contains(['/', '\\', '.']) => (s.to_ascii_uppercase(), f),
        _ => {
            let name = Path::new(arg).file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let prefix = name.split(['-', '_', '.']).next().unwrap_or_default().to_ascii_uppercase();
            let symbol = if prefix.ends_with("USDT") && prefix.len() > 4 { prefix } else { "BTCUSDT".to_string() };
            (symbol, arg)
        }
    };
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
    let candles = Candles::from_csv(&text).with_context(|| format!("parsing {file}"))?;
    Ok(Track { symbol, candles: candles.as_slice().to_vec() })
}

impl Feed {
    pub fn replay(tracks: Vec<Track>) -> Feed {
        let len = tracks.iter().map(|t| t.candles.len()).max().unwrap_or(0);
        Feed::Replay { tracks, next: 0, len }
    }

    pub fn walk(specs: &[SymbolSpec], seed: u64, vol: f64) -> Feed {
        let walkers = specs
            .iter()
            .filter(|s| s.walked)
            .map(|s| Walker {
                symbol: s.name.to_string(),
                price: s.start_price.to_f64().unwrap_or(1.0),
                tick: s.tick,
                step: s.step,
                typical_qty: (s.book_qty.to_f64().unwrap_or(1.0)) / 2.0,
            })
            .collect();
        Feed::Walk { walkers, rng: Box::new(StdRng::seed_from_u64(seed)), vol, played: 0 }
    }

    /// The candles of the next step, one per symbol that has one; `times` gives each walked symbol's next minute.
    pub fn next(&mut self, times: &dyn Fn(&str) -> i64) -> Option<Vec<(String, Candle)>> {
        match self {
            Feed::Replay { tracks, next, len } => {
                if *next >= *len {
                    return None;
                }
                let i = *next;
                *next += 1;
                Some(tracks.iter().filter_map(|t| t.candles.get(i).map(|c| (t.symbol.clone(), *c))).collect())
            }
            Feed::Walk { walkers, rng, vol, played } => {
                *played += 1;
                Some(walkers.iter_mut().map(|w| (w.symbol.clone(), w.candle(rng, *vol, times(&w.symbol)))).collect())
            }
        }
    }

    pub fn played(&self) -> u64 {
        match self {
            Feed::Replay { next, .. } => *next as u64,
            Feed::Walk { played, .. } => *played,
        }
    }

    /// Candles left to play; `None` for the endless random walk.
    pub fn left(&self) -> Option<u64> {
        match self {
            Feed::Replay { next, len, .. } => Some((len - next) as u64),
            Feed::Walk { .. } => None,
        }
    }

    pub fn done(&self) -> bool {
        self.left() == Some(0)
    }

    /// Candles that precede the simulation (for `klines` history): `n` per walked symbol, ending before `end`.
    pub fn history(&mut self, n: usize, end: i64) -> Vec<(String, Candle)> {
        let Feed::Walk { walkers, rng, vol, .. } = self else { return Vec::new() };
        let mut out = Vec::new();
        for w in walkers.iter_mut() {
            for i in 0..n {
                let t = end - (n - i) as i64 * crate::market::MINUTE_MS;
                out.push((w.symbol.clone(), w.candle(rng, *vol, t)));
            }
        }
        out
    }
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

impl Walker {
    fn round(&self, p: f64) -> Decimal {
        let d = Decimal::from_f64(p).unwrap_or(self.tick);
        ((d / self.tick).round() * self.tick).max(self.tick).normalize()
    }

    /// One minute of the walk, one step a second, as a candle opening at the previous close.
    fn candle(&mut self, rng: &mut StdRng, vol: f64, open_time: i64) -> Candle {
        let open = self.price;
        let (mut high, mut low) = (open, open);
        for _ in 0..60 {
            self.price *= (vol * normal(rng)).exp();
            high = high.max(self.price);
            low = low.min(self.price);
        }
        let qty = self.typical_qty * (0.2 + 2.0 * rng.random::<f64>()) * 4.0;
        let volume = Decimal::from_f64(qty).map_or(self.step, |q| (q / self.step).floor() * self.step);
        let (open, close) = (self.round(open), self.round(self.price));
        self.price = close.to_f64().unwrap_or(self.price);
        Candle { open_time, open, high: self.round(high), low: self.round(low), close, volume }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbols::listed;

    #[test]
    fn the_walk_is_seeded_and_continuous() {
        let mut a = Feed::walk(&listed(), 7, 0.0005);
        let mut b = Feed::walk(&listed(), 7, 0.0005);
        let t = |_: &str| 0;
        let (ca, cb) = (a.next(&t).unwrap_or_default(), b.next(&t).unwrap_or_default());
        assert_eq!(ca[0].1, cb[0].1);
        let next = a.next(&t).unwrap_or_default();
        assert_eq!(next[0].1.open, ca[0].1.close);
        let c = ca[0].1;
        assert!(c.low <= c.open.min(c.close) && c.high >= c.open.max(c.close));
        assert!((c.close - c.open).abs() < Decimal::from(5000));
        assert_eq!(a.left(), None);
    }
}
