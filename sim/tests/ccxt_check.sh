#!/usr/bin/env bash
# Checks the simulator against ccxt (an independent Binance client): builds and starts the simulator on a free
# port, runs ccxt_check.py against it, and stops it. The venv lives in sim/.venv-ci (gitignored).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/../.venv-ci"

if ! "$venv/bin/python" -c 'import ccxt' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet ccxt
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
(cd "$root" && cargo build --quiet -p gridbot-sim --example sim_server)

log="$(mktemp)"
"$CARGO_TARGET_DIR/debug/examples/sim_server" --port 0 --start-paused >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 1 100); do
    if grep -q '^gridbot sim: rest ' "$log"; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then cat "$log" >&2; exit 1; fi
    sleep 0.1
done
rest="$(head -n 1 "$log" | sed -E 's#^gridbot sim: rest (http://[^ ]+) .*#\1#')"
case "$rest" in http://*) ;; *) echo "no URL in the simulator's first line:" >&2; cat "$log" >&2; exit 1 ;; esac
echo "simulator at $rest"

"$venv/bin/python" "$here/ccxt_check.py" "$rest"
