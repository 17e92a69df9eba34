#!/usr/bin/env bash
# Runs every test Gridbot has. Installs and starts what they need first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TERM_COLOR=never

echo "== deployment: every variable the code reads is in .env.example; docker-compose.yml is valid"
bash scripts/check-env.sh --self-test
bash scripts/check-env.sh
bash scripts/check-compose.sh

# Services the integration tests use: PostgreSQL and Redis on 127.0.0.1.
bash scripts/services.sh

echo "== cargo test (workspace)"
cargo test --workspace --no-fail-fast

echo "== grid semantics: gridbot backtest vs the independent Python reference (tests/reference)"
bin="${CARGO_TARGET_DIR:-$root/target}/debug/gridbot"
# `cargo test` has just built it for the CLI's integration tests; `cargo build` would rebuild the workspace with
# other features for nothing.
[ -x "$bin" ] || cargo build --bin gridbot
echo "== deployment: every docker-compose service runs a subcommand the binary has"
GRIDBOT_BIN="$bin" bash scripts/check-compose.sh

echo "== API fuzzing: schemathesis (stateful links) against gridbot serve --offline: no 5xx, no panic"
GRIDBOT_BIN="$bin" bash scripts/fuzz-api-run.sh
if [ -f tests/reference/compare.py ]; then
  GRIDBOT_BIN="$bin" python3 tests/reference/compare.py --count "${REFERENCE_CASES:-40}"
fi
echo "== mean-reversion semantics: gridbot backtest --strategy mean_reversion vs its independent Python reference"
GRIDBOT_BIN="$bin" python3 tests/reference/compare_mean_reversion.py --count "${REFERENCE_CASES:-40}"

echo "== simulator vs an independent Binance client (ccxt from PyPI)"
bash sim/tests/ccxt_check.sh

echo "== dashboard: lint, unit tests, type check and production build (frontend/)"
bash scripts/node.sh
( cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run lint && npm test && npm run build )

echo "== dashboard end to end: Playwright (Debian's chromium) against gridbot serve on the simulator's market"
GRIDBOT_BIN="$bin" bash scripts/e2e.sh
