#!/usr/bin/env bash
# Boots `gridbot api` on SQLite with the simulator's market, registers a user and runs the schemathesis fuzzer
# (scripts/fuzz-api.sh) against the OpenAPI document: no request may answer 5xx.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${GRIDBOT_BIN:-${CARGO_TARGET_DIR:-target}/debug/gridbot}"
d="$(mktemp -d)"
cleanup() { kill "${api:-}" "${sim:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$d"; }
trap cleanup EXIT
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$bin" sim --port 0 --start-paused > "$d/sim" 2>&1 & sim=$!
for _ in $(seq 100); do grep -q '^gridbot sim: rest' "$d/sim" && break; sleep 0.1; done
read -r _ _ _ rest _ ws _ wsapi < <(head -n1 "$d/sim")
export DATABASE_URL="sqlite://$d/g.db?mode=rwc" GRIDBOT_JOBS_DB="$d/jobs.db"
"$bin" migrate >/dev/null
GRIDBOT_BIND="127.0.0.1:$port" \
  JWT_SECRET="$(openssl rand -base64 48)" ENCRYPTION_KEY="$(openssl rand -base64 32)" \
  BINANCE_REST_URL="$rest" BINANCE_WS_URL="$ws" BINANCE_WS_API_URL="$wsapi" RUST_LOG=error \
  "$bin" api > "$d/api.log" 2>&1 & api=$!
for _ in $(seq 100); do curl -fs "127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
c='{"email":"fuzz@example.com","password":"fuzz password 1"}'
curl -fs -H 'content-type: application/json' -d "$c" "127.0.0.1:$port/api/auth/register" >/dev/null
t="$(curl -fs -H 'content-type: application/json' -d "$c" "127.0.0.1:$port/api/auth/login" | python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])')"
FUZZ_RATE=9/s bash scripts/fuzz-api.sh "http://127.0.0.1:$port" "$t" "${FUZZ_EXAMPLES:-25}"
