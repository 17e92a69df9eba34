#!/usr/bin/env bash
# Benchmarks the HTTP API (not a test): boots api/examples/bench_server (release build: SQLite in a temp dir, the
# simulator as the exchange, rate limits off), loads authenticated GET /api/bots/{id} and /api/bots/{id}/stats with
# oha (or wrk), then measures tick-to-client latency over 1,000 WebSockets on /ws/market/BTCUSDT.
# Targets: >= 20k req/s with p99 < 10 ms on the GETs; WebSocket p99 < 50 ms.
#
#   scripts/bench-api.sh [DURATION_SECS (10)] [CONNECTIONS (64)] [WS_CLIENTS (1000)]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
secs=${1:-10}
conns=${2:-64}
ws_clients=${3:-1000}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

# A load generator: oha when installed, else wrk (Debian package), else oha from crates.io.
tool=""
if command -v oha >/dev/null || [ -x "$HOME/.cargo/bin/oha" ]; then
  tool=oha
  command -v oha >/dev/null || export PATH="$HOME/.cargo/bin:$PATH"
elif command -v wrk >/dev/null; then
  tool=wrk
elif command -v apt-get >/dev/null && { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }; then
  tool=wrk
else
  cargo install oha --locked
  export PATH="$HOME/.cargo/bin:$PATH"
  tool=oha
fi
echo "== load generator: $tool"

cargo build --release --quiet -p gridbot-api --example bench_server
bin="$CARGO_TARGET_DIR/release/examples/bench_server"
ulimit -n 65536 2>/dev/null || ulimit -n 4096 2>/dev/null || true

log=$(mktemp)
"$bin" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  grep -q '^BOT=' "$log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
base=$(sed -n 's/^BASE=//p' "$log")
token=$(sed -n 's/^TOKEN=//p' "$log")
bot=$(sed -n 's/^BOT=//p' "$log")
[ -n "$bot" ] || { echo "bench_server printed no bot:" >&2; cat "$log" >&2; exit 1; }
echo "== server at $base, bot $bot; ${secs}s per route, $conns connections, $(nproc) cores"

load() {
  local url=$1
  echo "-- GET $url"
  case "$tool" in
    oha) oha -z "${secs}s" -c "$conns" --no-tui -H "Authorization: Bearer $token" "$url" |
           grep -E 'Requests/sec|Slowest|Fastest|Average|50.00%|99.00%|\[2|\[4|\[5' ;;
    wrk) wrk -t1 -c "$conns" -d "${secs}s" --latency -H "Authorization: Bearer $token" "$url" |
           grep -E 'Requests/sec|Latency|50%|90%|99%|Non-2xx|Socket errors' ;;
  esac
}
load "$base/api/bots/$bot"
load "$base/api/bots/$bot/stats"
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true

echo "-- WS /ws/market/BTCUSDT: $ws_clients clients, 200 ticks 100 ms apart"
"$bin" --ws-clients "$ws_clients" --ticks 200 --tick-ms 100 | grep "^WS"
