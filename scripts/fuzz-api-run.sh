#!/usr/bin/env bash
# Boots `gridbot serve --offline` (API, scheduler, workers and the built-in simulator's market in one process, SQLite
# in a temp dir), registers a user and runs the schemathesis fuzzer (scripts/fuzz-api.sh) against the OpenAPI
# document, stateful links included (create a bot, then start, stats, runs, test-config and summary on what was
# created): no request may answer 5xx, nothing may panic in the server's log, and the server must be up at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${GRIDBOT_BIN:-${CARGO_TARGET_DIR:-target}/debug/gridbot}"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
d="$(mktemp -d)"
cleanup() {
  kill "${serve:-}" 2>/dev/null || true
  wait 2>/dev/null || true
  [ "${FUZZ_KEEP_TMP:-}" = 1 ] && echo "fuzz: server dir kept: $d" || rm -rf "$d"
}
trap cleanup EXIT
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
(
  cd "$d"
  exec env -u DATABASE_URL -u REDIS_URL -u GRIDBOT_JOBS_DB -u JWT_SECRET -u ENCRYPTION_KEY -u GRIDBOT_BIND \
    -u GRIDBOT_TRUST_PROXY -u ANTHROPIC_API_KEY -u ANTHROPIC_BASE_URL \
    -u BINANCE_REST_URL -u BINANCE_WS_URL -u BINANCE_WS_API_URL \
    RUST_LOG=warn NO_COLOR=1 "$bin" serve --offline --bind "127.0.0.1:$port"
) > "$d/serve.log" 2>&1 &
serve=$!
for i in $(seq 120); do
  curl -fs "$base/healthz" >/dev/null && break
  kill -0 "$serve" 2>/dev/null || { echo "fuzz: the server exited during start-up:" >&2; tail -n 40 "$d/serve.log" >&2; exit 1; }
  [ "$i" = 120 ] && { echo "fuzz: /healthz did not answer in 60 s" >&2; tail -n 40 "$d/serve.log" >&2; exit 1; }
  sleep 0.5
done
c='{"email":"fuzz@example.com","password":"correct horse battery staple 42"}'
curl -fs -H 'content-type: application/json' -d "$c" "$base/api/auth/register" >/dev/null
t="$(curl -fs -H 'content-type: application/json' -d "$c" "$base/api/auth/login" | python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])')"
# The market's prices, so the hooks (scripts/fuzz_hooks.py) draw bots around them.
FUZZ_PRICES="$(for pair in BTC/USDT ETH/USDT; do
  curl -fs -H "Authorization: Bearer $t" "$base/api/market/price/${pair/\//}" | python3 -c "import json,sys; print('$pair', json.load(sys.stdin)['price'])" || true
done | python3 -c 'import json,sys; print(json.dumps(dict(l.split() for l in sys.stdin if l.strip())))')"
export FUZZ_PRICES
echo "fuzz: market prices $FUZZ_PRICES"
status=0
FUZZ_RATE="${FUZZ_RATE:-9/s}" bash scripts/fuzz-api.sh "$base" "$t" "${FUZZ_EXAMPLES:-25}" || status=$?
if grep -n "panicked" "$d/serve.log" >&2; then
  echo "fuzz: the server's log shows a panic (above)" >&2
  status=1
fi
if ! kill -0 "$serve" 2>/dev/null || ! curl -fs "$base/healthz" >/dev/null; then
  echo "fuzz: the server is down after the run:" >&2
  tail -n 40 "$d/serve.log" >&2
  status=1
fi
exit "$status"
