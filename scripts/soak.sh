#!/usr/bin/env bash
# Soak test (not part of `make test`): the distributed stack — API, scheduler, two workers, PostgreSQL and Redis —
# against the simulator replaying real candles at high speed with faults on (stream drops, 5xx, 429 bursts), with
# several bots at once. Reports fills booked versus the backtest, duplicate orders (must be 0), each process's
# memory at the start and the end, and the errors logged.
#
#   scripts/soak.sh [HOURS=24] [SPEED=40]     (SPEED: candles per second; 24 h = 1440 candles)
set -euo pipefail
cd "$(dirname "$0")/.."
hours="${1:-24}"; speed="${2:-40}"
candles_file="../shared/data/BTCUSDT-1m-2025-05-20_2025-08-18.csv"
bash scripts/services.sh >/dev/null
cargo build --release -q -p gridbot-cli
bin="${CARGO_TARGET_DIR:-target}/release/gridbot"
work="$(mktemp -d)"; trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
n=$((hours * 60 + 1))
head -n $((n + 1)) "$candles_file" > "$work/candles.csv"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
sim_port="$(port)"; api_port="$(port)"; ns="gbsoak$$"
psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $ns" postgres
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$ns" REDIS_URL="redis://127.0.0.1:6379/" GRIDBOT_NAMESPACE="$ns"
export BINANCE_REST_URL="http://127.0.0.1:$sim_port" BINANCE_WS_URL="ws://127.0.0.1:$sim_port" \
  BINANCE_WS_API_URL="ws://127.0.0.1:$sim_port/ws-api/v3"
export JWT_SECRET="soak-secret-soak-secret-soak-secret-0123" ENCRYPTION_KEY="$(head -c 32 /dev/urandom | base64)"
export RUST_LOG="warn,gridbot_worker=info,gridbot_scheduler=info"
"$bin" sim --port "$sim_port" --replay "BTCUSDT=$work/candles.csv" --speed "$speed" --start-paused \
  --account "soak-demo-api-key-0001:soak-demo-api-secret-0001:USDT=100000,BTC=5" > "$work/sim.log" 2>&1 &
sleep 1
"$bin" migrate > /dev/null
"$bin" api --bind "127.0.0.1:$api_port" > "$work/api.log" 2>&1 &
"$bin" scheduler > "$work/scheduler.log" 2>&1 &
"$bin" worker --name soak-a > "$work/worker-a.log" 2>&1 &
"$bin" worker --name soak-b > "$work/worker-b.log" 2>&1 &
api="http://127.0.0.1:$api_port"
for _ in $(seq 100); do curl -fs "$api/healthz" >/dev/null && break; sleep 0.2; done
rss() { for p in $(pgrep -f "$bin (api|scheduler|worker)" || true); do echo "$(ps -o args= -p "$p" | awk '{print $2, $NF}') $(ps -o rss= -p "$p") KB"; done; }
echo "== memory at start"; rss | tee "$work/rss-start"
curl -fs -XPOST "$api/api/auth/register" -H 'content-type: application/json' -d '{"email":"soak@gridbot.test","password":"correct horse battery staple 42"}' >/dev/null
token="$(curl -fs -XPOST "$api/api/auth/login" -H 'content-type: application/json' -d '{"email":"soak@gridbot.test","password":"correct horse battery staple 42"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
auth=(-H "authorization: Bearer $token" -H 'content-type: application/json')
curl -fs -XPUT "$api/api/account/api-keys" "${auth[@]}" -d '{"api_key":"soak-demo-api-key-0001","api_secret":"soak-demo-api-secret-0001"}' >/dev/null
open="$(sed -n 2p "$work/candles.csv" | cut -d, -f2)"
bots=()
for spec in "paper 3 20" "paper 6 30" "live 3 20" "live 5 12"; do
  set -- $spec
  lower="$(python3 -c "print(round($open*(1-$2/100), 2))")"; upper="$(python3 -c "print(round($open*(1+$2/100), 2))")"
  body="{\"strategy\":\"grid\",\"pair\":\"BTC/USDT\",\"mode\":\"$1\",\"config\":{\"capital\":\"5000\",\"lower_bound\":\"$lower\",\"upper_bound\":\"$upper\",\"grid_levels\":$3}}"
  id="$(curl -fs -XPOST "$api/api/bots" "${auth[@]}" -d "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
  curl -fs -XPOST "$api/api/bots/$id/start" "${auth[@]}" -d '{"confirm_live":true}' >/dev/null
  bots+=("$id:$1:$lower:$upper:$3")
done
sleep 3
curl -fs -XPOST "$BINANCE_REST_URL/sim/faults" -H 'content-type: application/json' \
  -d '{"ws_drop_every_secs":20,"fail_rate":0.02,"burst_429":5}' >/dev/null
curl -fs -XPOST "$BINANCE_REST_URL/sim/resume" >/dev/null
echo "== replaying $n candles at $speed/s with faults on"
while :; do
  done_="$(curl -fs "$BINANCE_REST_URL/sim/state" | python3 -c 'import json,sys; print(json.load(sys.stdin)["done"])')"
  [ "$done_" = "True" ] && break
  sleep 5
done
curl -fs -XPOST "$BINANCE_REST_URL/sim/faults" -H 'content-type: application/json' \
  -d '{"ws_drop_every_secs":0,"fail_rate":0,"burst_429":0}' >/dev/null
sleep 15
echo "== memory at end"; rss | tee "$work/rss-end"
echo "== bots: grid fills booked vs the backtest of the same candles"
for b in "${bots[@]}"; do
  IFS=: read -r id mode lower upper levels <<<"$b"
  booked="$(curl -fs "$api/api/bots/$id/stats" "${auth[@]}" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["orders_filled"], d["round_trips"], d["realized_pnl"])')"
  # Bots pay their fees as Binance charges an account without BNB: in base on buys.
  expect="$("$bin" backtest --candles "$work/candles.csv" --lower "$lower" --upper "$upper" --levels "$levels" --capital 5000 --fee-asset base --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["orders_filled"], d["round_trips"], d["realized_pnl"])')"
  verdict="differs"; [ "$booked" = "$expect" ] && verdict="equal"
  echo "bot $id ($mode): booked fills/round trips/realized $booked | backtest $expect | $verdict"
done
dups="$(curl -fs "$BINANCE_REST_URL/sim/orders" | python3 -c '
import json,sys,collections
log=json.load(sys.stdin)
ids=[e["client_order_id"] for e in log if e.get("action")=="new" and e.get("result")=="accepted"]
print(sum(c-1 for c in collections.Counter(ids).values() if c>1), len(ids))')"
echo "== duplicate client order ids accepted by the exchange: ${dups% *} (of ${dups#* } orders)"
echo "== errors logged:"; grep -c "ERROR" "$work"/{api,scheduler,worker-a,worker-b}.log || true
