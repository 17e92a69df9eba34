#!/usr/bin/env bash
# Makes sure Node.js (20+) and npm are installed (Debian's packages when missing).
set -euo pipefail
if ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
