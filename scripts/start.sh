#!/usr/bin/env bash
# `npm start`: the whole stack on this machine (Temporal dev server + Web UI, worker).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/ensure-deps.sh
npm run --silent build
exec node dist/cli/main.js up
