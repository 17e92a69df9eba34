#!/usr/bin/env bash
# End-to-end tests of the dashboard: starts `gridbot serve --offline` (API, scheduler, workers and the built-in
# simulator's market in one process, SQLite in a temp dir) on a free loopback port, serving frontend/dist, and drives
# it with playwright-core and Debian's Chromium (frontend/e2e/). Screenshots and logs go to frontend/e2e/artifacts/.
#
#   GRIDBOT_BIN   the server binary (default: $CARGO_TARGET_DIR/debug/gridbot, else target/debug/gridbot)
#   E2E_REBUILD=1 rebuild frontend/dist even when it is there and newer than frontend/src
#   E2E_ONLY      run only the scenarios whose names contain one of these comma-separated words
#   E2E_KEEP_TMP=1 keep the server's temp dir (database, log)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
started=$(date +%s)

bin="${GRIDBOT_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/gridbot}"
if [ ! -x "$bin" ]; then
  echo "e2e: no server binary at $bin (build it with: cargo build --bin gridbot, or set GRIDBOT_BIN)" >&2
  exit 1
fi
stale=$(find . \( -path ./target -o -path '*/node_modules' -o -path ./frontend \) -prune -o \
  \( -name '*.rs' -o -name Cargo.toml -o -name Cargo.lock \) -newer "$bin" -print 2>/dev/null | head -5 || true)
if [ -n "$stale" ]; then
  echo "e2e: warning: $bin is older than some sources (e.g. $(echo "$stale" | tr '\n' ' '))— rebuild it if they matter"
fi

echo "== e2e: node, chromium, dashboard build"
bash scripts/node.sh
bash scripts/chromium.sh
if [ ! -f frontend/node_modules/playwright-core/package.json ]; then
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -f frontend/dist/index.html ] || [ "${E2E_REBUILD:-}" = 1 ] ||
  [ -n "$(find frontend/src frontend/index.html frontend/public frontend/package-lock.json -newer frontend/dist/index.html -print 2>/dev/null | head -1 || true)" ]; then
  echo "e2e: building frontend/dist (missing, or older than frontend/src)"
  (cd frontend && npm run build)
fi

artifacts="$root/frontend/e2e/artifacts"
rm -rf "$artifacts"
mkdir -p "$artifacts"

free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
port=$(free_port)
# The notifications scenario's stand-in for Telegram's Bot API listens here; the server is pointed at it.
telegram="http://127.0.0.1:$(free_port)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gridbot-e2e.XXXXXX")
log="$tmp/serve.log"
pid=""

cleanup() {
  local rc=$?
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  [ -f "$log" ] && cp "$log" "$artifacts/serve.log"
  if [ "${E2E_KEEP_TMP:-}" = 1 ]; then echo "e2e: server dir kept: $tmp"; else rm -rf "$tmp"; fi
  echo "== e2e: $([ $rc = 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - started )) s (artifacts: frontend/e2e/artifacts/)"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== e2e: gridbot serve --offline on 127.0.0.1:$port (in $tmp)"
(
  cd "$tmp"
  exec env -u DATABASE_URL -u REDIS_URL -u GRIDBOT_JOBS_DB -u JWT_SECRET -u ENCRYPTION_KEY -u GRIDBOT_BIND \
    -u GRIDBOT_TRUST_PROXY -u ANTHROPIC_API_KEY -u ANTHROPIC_BASE_URL \
    -u BINANCE_REST_URL -u BINANCE_WS_URL -u BINANCE_WS_API_URL \
    GRIDBOT_STATIC_DIR="$root/frontend/dist" RUST_LOG="${RUST_LOG:-info}" NO_COLOR=1 TELEGRAM_API_URL="$telegram" \
    "$bin" serve --offline --bind "127.0.0.1:$port"
) >"$log" 2>&1 &
pid=$!

base="http://127.0.0.1:$port"
for i in $(seq 1 120); do
  if curl -fsS -o /dev/null "$base/healthz" 2>/dev/null; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "e2e: the server exited during start-up:" >&2; tail -n 40 "$log" >&2; exit 1
  fi
  if [ "$i" = 120 ]; then echo "e2e: /healthz did not answer in 60 s:" >&2; tail -n 40 "$log" >&2; exit 1; fi
  sleep 0.5
done
# "simulator market running rest=http://127.0.0.1:PORT" (colour codes stripped)
sim=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -m1 'simulator market running' | grep -o 'rest=http://[0-9.:]*' | cut -d= -f2 || true)
if [ -z "$sim" ]; then
  echo "e2e: warning: no simulator URL in the server log; the tests cannot steer the market" >&2
fi
echo "== e2e: up after $(( $(date +%s) - started )) s; simulator ${sim:-unknown}"

(cd frontend && E2E_BASE_URL="$base" E2E_SIM_URL="$sim" E2E_TELEGRAM_URL="$telegram" E2E_ARTIFACTS="$artifacts" \
  node e2e/dashboard.e2e.mjs)
