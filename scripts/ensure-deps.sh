#!/usr/bin/env bash
# Installs what the project needs when it is missing or stale: npm packages (from the lock
# file) and the pinned Temporal CLI. Fast when everything is already there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
bash scripts/install-temporal.sh
