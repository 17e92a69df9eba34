#!/usr/bin/env bash
# Checks docker-compose.yml without running anything (no Docker daemon needed):
#  1. it is valid with .env.example's values (`docker-compose --env-file .env.example config -q`);
#  2. it refuses to start without JWT_SECRET or ENCRYPTION_KEY;
#  3. every service run from the gridbot image runs a real `gridbot` subcommand, and every build target is a stage
#     of the Dockerfile;
#  4. every variable of .env.example reaches the containers (appears in docker-compose.yml), save the few listed
#     below that compose sets itself or that only matter outside it.
# Installs Debian's docker-compose (and python3-yaml) when missing; CI runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."

# The subcommands of the `gridbot` binary (cli/src/main.rs).
subcommands="serve api worker scheduler migrate backtest optimize sim"
# Variables of .env.example that docker-compose.yml need not mention, and why.
declare -A not_forwarded=(
  [GRIDBOT_WORKER_NAME]="each worker replica takes its container's hostname"
  [GRIDBOT_BIND]="the api service passes --bind 0.0.0.0:8080"
  [GRIDBOT_STATIC_DIR]="the image sets it (/app/frontend/dist)"
  [GRIDBOT_JOBS_DB]="embedded queue only; compose uses Redis"
)

if ! command -v docker-compose >/dev/null 2>&1 || ! python3 -c 'import yaml' 2>/dev/null; then
  echo "check-compose: installing docker-compose (Debian package)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose python3-yaml >/dev/null
fi

# Only the files' values: nothing from the caller's environment (CI may export secrets) leaks into the check.
compose() { env -i PATH="$PATH" HOME="${HOME:-/root}" docker-compose "$@"; }
fail=0

echo "== docker-compose config with .env.example ($(docker-compose version --short 2>/dev/null || echo '?'))"
compose --env-file .env.example -f docker-compose.yml config -q
config=$(compose --env-file .env.example -f docker-compose.yml config 2>/dev/null)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for secret in JWT_SECRET ENCRYPTION_KEY; do
  grep -v "^${secret}=" .env.example >"$tmp/env"
  if out=$(compose --env-file "$tmp/env" -f docker-compose.yml config -q 2>&1); then
    echo "check-compose: FAIL: docker-compose.yml accepts an empty $secret (use \${$secret:?…})" >&2
    fail=1
  elif ! grep -q "$secret" <<<"$out"; then
    echo "check-compose: FAIL: without $secret, docker-compose fails but does not name it:" >&2
    echo "$out" >&2
    fail=1
  fi
done

echo "== gridbot services run gridbot subcommands; build targets exist"
stages=$(sed -nE 's/^FROM[[:space:]]+[^[:space:]]+[[:space:]]+[Aa][Ss][[:space:]]+([A-Za-z0-9_.-]+).*/\1/p' Dockerfile)
# Prints "service<TAB>target<TAB>entrypoint<TAB>first word of command" for each service built from this repo.
services=$(python3 -c '
import sys, yaml
for name, s in sorted((yaml.safe_load(sys.stdin).get("services") or {}).items()):
    build = s.get("build")
    if not isinstance(build, dict):
        continue
    cmd = s.get("command")
    cmd = cmd.split() if isinstance(cmd, str) else (cmd or [])
    entry = s.get("entrypoint")
    entry = " ".join(entry) if isinstance(entry, list) else (entry or "")
    print("\t".join([name, build.get("target") or "-", entry or "-", cmd[0] if cmd else "-"]))
' <<<"$config")
while IFS=$'\t' read -r name target entry first; do
  [ -n "$name" ] || continue
  if [ "$target" = - ] || ! grep -qxF "$target" <<<"$stages"; then
    echo "check-compose: FAIL: service $name builds target '$target'; Dockerfile stages: $(echo $stages)" >&2
    fail=1
    continue
  fi
  [ "$target" = runtime ] || { echo "  $name: image target $target"; continue; }
  if [ "$entry" != - ] && [ "$entry" != gridbot ]; then
    echo "check-compose: FAIL: service $name overrides the entrypoint ($entry)" >&2
    fail=1
  fi
  [ "$first" != - ] || first=serve # the image's CMD
  if grep -qw -- "$first" <<<"$subcommands"; then
    echo "  $name: gridbot $first"
  else
    echo "check-compose: FAIL: service $name runs 'gridbot $first'; subcommands are: $subcommands" >&2
    fail=1
  fi
done <<<"$services"

# With a built binary (GRIDBOT_BIN), every gridbot service's subcommand must also answer --help.
if [ -n "${GRIDBOT_BIN:-}" ]; then
  for sub in $(awk -F'\t' '$2 == "runtime" { print $4 }' <<<"$services" | sed 's/^-$/serve/' | sort -u); do
    "$GRIDBOT_BIN" "$sub" --help >/dev/null || { echo "check-compose: FAIL: gridbot $sub --help failed" >&2; fail=1; }
  done
  echo "  every service's subcommand answers gridbot <sub> --help"
fi

echo "== every .env.example variable reaches the containers"
for var in $(sed -nE 's/^#? ?([A-Z][A-Z0-9_]*)=.*/\1/p' .env.example | sort -u); do
  if [ -n "${not_forwarded[$var]+x}" ]; then
    echo "  $var: not passed (${not_forwarded[$var]})"
  elif ! grep -qE "(\\\$\\{$var[:}?-]|^[[:space:]]+$var:)" docker-compose.yml; then
    echo "check-compose: FAIL: $var is in .env.example but docker-compose.yml does not pass it to any service" >&2
    echo "  (add it to an x-env-* block of docker-compose.yml, or to not_forwarded in $0 with the reason)" >&2
    fail=1
  fi
done

if [ "$fail" = 0 ]; then echo "check-compose: ok"; else exit 1; fi
