#!/usr/bin/env bash
# Builds Gridbot (the dashboard and the binary) and runs it: `gridbot serve` on http://127.0.0.1:8080 — API,
# scheduler and workers in one process, SQLite under ./data, paper mode, Binance's market or, offline, the built-in
# simulator's. Ctrl-C stops it gracefully.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || { echo "error: Rust is not installed: see https://rustup.rs" >&2; exit 1; }
if [ ! -f frontend/dist/index.html ]; then
  echo "== building the dashboard (frontend/)"
  bash scripts/node.sh
  ( cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build )
fi
echo "== building gridbot (release)"
cargo build --release --bin gridbot
bin="${CARGO_TARGET_DIR:-target}/release/gridbot"
export GRIDBOT_STATIC_DIR="${GRIDBOT_STATIC_DIR:-frontend/dist}"
echo "== gridbot serve: open http://${GRIDBOT_BIND:-127.0.0.1:8080} (Ctrl-C to stop)"
exec "$bin" serve "$@"
