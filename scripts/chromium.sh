#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed at /usr/bin/chromium (the browser the e2e tests drive through
# playwright-core). Never `npx playwright install`: no browser is downloaded.
set -euo pipefail
bin="${CHROMIUM_BIN:-/usr/bin/chromium}"
if [ -x "$bin" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "chromium.sh: $bin is missing; install it as root: apt-get update && apt-get install -y chromium" >&2
  exit 1
fi
echo "chromium.sh: installing Debian's chromium"
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
[ -x "$bin" ] || { echo "chromium.sh: apt-get installed chromium but $bin is not there" >&2; exit 1; }
