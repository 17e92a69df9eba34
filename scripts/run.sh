#!/usr/bin/env bash
# Builds gridbot and runs a demo: a backtest and a parameter sweep on three months of real BTCUSDT candles.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || { echo "error: Rust is not installed: see https://rustup.rs" >&2; exit 1; }
cargo build --release --bin gridbot
bin="${CARGO_TARGET_DIR:-target}/release/gridbot"
data="../shared/data/BTCUSDT-1m-2025-05-20_2025-08-18.csv"
if [ ! -f "$data" ]; then
  echo "note: $data is absent; point --candles at any Binance kline CSV" >&2
  exit 0
fi
echo "== gridbot backtest (BTC/USDT, 2025-05-20 .. 2025-08-18, 20 levels 100,000-120,000, 10,000 USDT)"
"$bin" backtest --candles "$data" --lower 100000 --upper 120000 --levels 20 --capital 10000 --stop-loss-pct 5
echo
echo "== gridbot optimize (top 5 of 500 grids)"
"$bin" optimize --candles "$data" --capital 10000 --top 5
