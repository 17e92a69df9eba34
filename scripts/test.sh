#!/usr/bin/env bash
# Runs every test Gridbot has. Installs and starts what they need first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TERM_COLOR=never

# Services the integration tests use: PostgreSQL and Redis on 127.0.0.1.
bash scripts/services.sh

echo "== cargo test (workspace)"
cargo test --workspace --no-fail-fast

echo "== grid semantics: gridbot backtest vs the independent Python reference (tests/reference)"
cargo build --bin gridbot
bin="${CARGO_TARGET_DIR:-$root/target}/debug/gridbot"
if [ -f tests/reference/compare.py ]; then
  GRIDBOT_BIN="$bin" python3 tests/reference/compare.py --count "${REFERENCE_CASES:-40}"
fi

echo "== simulator vs an independent Binance client (ccxt from PyPI)"
bash sim/tests/ccxt_check.sh

echo "== dashboard: lint, unit tests, type check and production build (frontend/)"
bash scripts/node.sh
( cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run lint && npm test && npm run build )
