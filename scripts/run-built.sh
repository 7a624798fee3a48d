#!/usr/bin/env bash
# `npm run cluster` and `npm run soak`: installs what is missing (npm packages, the Temporal CLI),
# builds, then runs the named entry point of dist/ with the remaining arguments:
#   bash scripts/run-built.sh cluster/main.js [args...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
entry="$1"
shift
bash scripts/ensure-deps.sh
npm run --silent build
exec node "dist/$entry" "$@"
