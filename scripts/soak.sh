#!/usr/bin/env bash
# `npm run soak -- --minutes N [--seed S] [--out DIR]`: installs what is missing, builds, then
# runs the chaos soak on the embedded stack (soak/main.ts; docs/soak.md).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/ensure-deps.sh
npm run --silent build
exec node dist/soak/main.js "$@"
