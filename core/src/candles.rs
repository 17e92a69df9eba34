//! Candles, the spec's candle price path, and a reader for Binance kline CSV.
//!
//! Inside a candle the path runs `open -> low -> high -> close` when `close >= open`, else
//! `open -> high -> low -> close`; consecutive candles are joined from the previous close to the next open.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    Error,
    units::{PRICE_DP, price_to_int},
};

/// One candle; `open_time` in milliseconds since the epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candle {
    pub open_time: i64,
    pub open: Decimal,
    pub high: Decimal,
    pub low: Decimal,
    pub close: Decimal,
    pub volume: Decimal,
}

impl Candle {
    /// The four points of the spec's path inside this candle, in order.
    pub fn path(&self) -> [Decimal; 4] {
        if self.close >= self.open {
            [self.open, self.low, self.high, self.close]
        } else {
            [self.open, self.high, self.low, self.close]
        }
    }

    fn check(&self) -> Result<(), String> {
        if [self.open, self.high, self.low, self.close].iter().any(|p| *p <= Decimal::ZERO) {
            return Err("prices must be greater than 0".into());
        }
        if self.low > self.open.min(self.close) || self.high < self.open.max(self.close) {
            return Err(format!(
                "inconsistent candle: low {} and high {} must enclose open {} and close {}",
                self.low, self.high, self.open, self.close
            ));
        }
        if self.volume < Decimal::ZERO {
            return Err("volume must not be negative".into());
        }
        Ok(())
    }
}

/// A validated, time-ordered series of candles, with each candle's path also kept as exact integers
/// (price × 10^8) for the backtester's hot loop.
#[derive(Debug, Clone, Default)]
pub struct Candles {
    candles: Vec<Candle>,
    path: Vec<[i64; 4]>,
}

impl Candles {
    /// Validates and indexes candles: prices > 0, low ≤ open, close ≤ high, at most 8 decimals, times increasing.
    pub fn new(candles: Vec<Candle>) -> Result<Self, Error> {
        let mut path = Vec::with_capacity(candles.len());
        for (i, c) in candles.iter().enumerate() {
            let fail = |reason: String| Error::Csv { line: i + 1, reason };
            c.check().map_err(fail)?;
            if i > 0 && c.open_time <= candles[i - 1].open_time {
                return Err(fail(format!("open_time {} is not after the previous candle's", c.open_time)));
            }
            let mut pts = [0i64; 4];
            for (slot, p) in pts.iter_mut().zip(c.path()) {
                *slot = price_to_int(p).ok_or_else(|| {
                    fail(format!("price {p} has more than {PRICE_DP} decimal places or is too large"))
                })?;
            }
            path.push(pts);
        }
        Ok(Candles { candles, path })
    }

    /// Reads Binance kline CSV: `open_time,open,high,low,close,volume[,…]`, with or without a header line.
    /// `open_time` may be in milliseconds or microseconds (Binance's files since 2025). Errors name the line.
    pub fn from_csv(text: &str) -> Result<Self, Error> {
        let mut out = Vec::new();
        let mut lines = Vec::new();
        for (idx, raw) in text.lines().enumerate() {
            let line_no = idx + 1;
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            let mut f = line.split(',').map(str::trim);
            let first = f.next().unwrap_or_default();
            if out.is_empty() && lines.is_empty() && first.parse::<f64>().is_err() {
                continue; // header
            }
            let fail = |reason: String| Error::Csv { line: line_no, reason };
            let time: i64 = first.parse().map_err(|_| fail(format!("open_time is not an integer: {first:?}")))?;
            let mut num = |name: &str| -> Result<Decimal, Error> {
                let s = f.next().ok_or_else(|| {
                    fail(format!("missing column {name} (expected open_time,open,high,low,close,volume)"))
                })?;
                Decimal::from_str_exact(s).map_err(|_| fail(format!("{name} is not a decimal number: {s:?}")))
            };
            let (open, high, low, close, volume) =
                (num("open")?, num("high")?, num("low")?, num("close")?, num("volume")?);
            let open_time = if time >= 100_000_000_000_000 { time / 1000 } else { time };
            out.push(Candle { open_time, open, high, low, close, volume });
            lines.push(line_no);
        }
        if out.is_empty() {
            return Err(Error::Csv { line: 0, reason: "no candles in the file".into() });
        }
        // Re-number validation errors to the file's own line numbers.
        Candles::new(out).map_err(|e| match e {
            Error::Csv { line, reason } if line >= 1 => Error::Csv { line: lines[line - 1], reason },
            other => other,
        })
    }

    pub fn as_slice(&self) -> &[Candle] {
        &self.candles
    }
    pub fn len(&self) -> usize {
        self.candles.len()
    }
    pub fn is_empty(&self) -> bool {
        self.candles.is_empty()
    }
    /// Each candle's four path points as integers (price × 10^8).
    pub fn int_path(&self) -> &[[i64; 4]] {
        &self.path
    }
    /// The last `n` candles (all of them when there are fewer).
    pub fn tail(&self, n: usize) -> Candles {
        let start = self.len().saturating_sub(n);
        Candles { candles: self.candles[start..].to_vec(), path: self.path[start..].to_vec() }
    }
    /// Candles whose open_time is at or after `since_ms`.
    pub fn since(&self, since_ms: i64) -> Candles {
        let start = self.candles.partition_point(|c| c.open_time < since_ms);
        Candles { candles: self.candles[start..].to_vec(), path: self.path[start..].to_vec() }
    }
    /// Every point of the continuous price path, in order (4 per candle).
    pub fn path_points(&self) -> impl Iterator<Item = Decimal> + '_ {
        self.candles.iter().flat_map(Candle::path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    const CSV: &str = "open_time,open,high,low,close,volume\n\
        1747699200000,100,110,90,105,1.5\n\
        1747699260000000,105,106,95,96,2\n";

    #[test]
    fn reads_binance_csv_with_header_and_microseconds() {
        let c = Candles::from_csv(CSV).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c.as_slice()[1].open_time, 1_747_699_260_000);
        assert_eq!(c.as_slice()[0].path(), [dec!(100), dec!(90), dec!(110), dec!(105)]);
        assert_eq!(c.as_slice()[1].path(), [dec!(105), dec!(106), dec!(95), dec!(96)]);
        assert_eq!(c.int_path()[0][1], 9_000_000_000);
        let pts: Vec<_> = c.path_points().collect();
        assert_eq!(pts.len(), 8);
    }

    #[test]
    fn header_is_optional() {
        let no_header = CSV.lines().skip(1).collect::<Vec<_>>().join("\n");
        assert_eq!(Candles::from_csv(&no_header).unwrap().len(), 2);
    }

    #[test]
    fn malformed_rows_name_their_line() {
        let bad = "open_time,open,high,low,close,volume\n1,100,110,90,105,1\n\n2,100,abc,90,105,1\n";
        let e = Candles::from_csv(bad).unwrap_err();
        assert_eq!(e, Error::Csv { line: 4, reason: "high is not a decimal number: \"abc\"".into() });
        let short = "1,100,110,90\n";
        assert!(matches!(Candles::from_csv(short), Err(Error::Csv { line: 1, .. })));
        let inconsistent = "1,100,99,90,95,1\n";
        assert!(matches!(Candles::from_csv(inconsistent), Err(Error::Csv { line: 1, .. })));
        let unordered = "2,100,110,90,105,1\n1,100,110,90,105,1\n";
        assert!(matches!(Candles::from_csv(unordered), Err(Error::Csv { line: 2, .. })));
        assert!(Candles::from_csv("").is_err());
    }
}
