#!/usr/bin/env bash
# Fuzzes a running Gridbot API from its own OpenAPI document with schemathesis (PyPI): every documented operation
# gets generated inputs, and the run fails on any 5xx (check `not_a_server_error`); the stateful phase follows the
# document's links (a created bot, then its start, stats, runs, test-config, …). WebSocket routes are left out (they
# are not plain HTTP), and so are logout and password change (they would end the run's own session). The venv lives in scripts/.venv-ci (gitignored), as sim/tests/ccxt_check.sh keeps its own.
#
#   scripts/fuzz-api.sh BASE_URL TOKEN [MAX_EXAMPLES (25)]
#
# BASE_URL is the server's root (http://127.0.0.1:8080); TOKEN an access token of a user made for the run (the fuzzer
# creates, changes, starts and stops that user's bots). Optional environment: FUZZ_RATE (e.g. 20/s) to stay under the
# API's rate limits (a 429 is not a failure, but it tests nothing), FUZZ_SEED for a reproducible run.
set -euo pipefail

if [ $# -lt 2 ]; then
  sed -n '2,12p' "$0" >&2
  exit 2
fi
base=${1%/}
token=$2
examples=${3:-25}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv-ci"

if ! "$venv/bin/python" -c 'import schemathesis' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet schemathesis
fi

args=(run "$base/api/openapi.json"
  --url "$base"
  --checks not_a_server_error
  --max-examples "$examples"
  --header "Authorization: Bearer $token"
  --exclude-path-regex '^/ws/|^/api/auth/(logout|password)'
  --phases examples,coverage,fuzzing,stateful
  --request-timeout 30
  --suppress-health-check all
  --continue-on-failure
  --wait-for-schema 30)
[ -n "${FUZZ_RATE:-}" ] && args+=(--rate-limit "$FUZZ_RATE")
[ -n "${FUZZ_SEED:-}" ] && args+=(--seed "$FUZZ_SEED")
echo "schemathesis ${args[*]/$token/<token>}"
PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=fuzz_hooks "$venv/bin/schemathesis" "${args[@]}"
