#!/usr/bin/env bash
# Scale benchmark (issue #18; not part of `make test`): N paper grid bots of 20 levels against the simulator's
# random walk, on `gridbot serve` (SQLite) and on the distributed stack (PostgreSQL, Redis, `gridbot api`,
# `scheduler` and two `worker`s), a fresh stack per size. Prints a table per mode: CPU and RSS while prices move,
# fills booked per minute, fills left unbooked, how far the matcher is behind the market, p99 fill-booking delay,
# /api/summary p99, grid placement time and idle CPU (README: "Scale benchmark"). The driver is bench_scale.py.
#
#   scripts/bench-scale.sh [--sizes "100 500 1000 2000"] [--modes "embedded distributed"] [--minutes 3]
#                          [--quick] [--out bench-scale.json] [… scripts/bench_scale.py --help]
#   GRIDBOT_BIN   the binary to run (default: a release build of gridbot-cli, built here)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${GRIDBOT_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release -q -p gridbot-cli
  bin="${CARGO_TARGET_DIR:-target}/release/gridbot"
fi
[ -x "$bin" ] || { echo "bench-scale: no binary at $bin" >&2; exit 1; }
# Distributed runs need PostgreSQL and Redis on 127.0.0.1 (started, or installed, when missing).
modes="distributed"
args=("$@")
for i in "${!args[@]}"; do
  case "${args[i]}" in
    --modes) modes="${args[i + 1]:-}" ;;
    --modes=*) modes="${args[i]#--modes=}" ;;
  esac
done
case "$modes" in *distributed*) bash scripts/services.sh >/dev/null ;; esac
ulimit -n 65536 2>/dev/null || ulimit -n 4096 2>/dev/null || true
exec python3 scripts/bench_scale.py --bin "$(realpath "$bin")" "$@"
