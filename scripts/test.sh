#!/usr/bin/env bash
# `npm test`: installs what is missing, builds (type-checks everything; some tests run the
# built CLI and worker), lints (scripts/lint.sh), then runs every jest test against a real
# Temporal dev server.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/ensure-deps.sh
npm run --silent build
bash scripts/lint.sh
exec npx jest --ci "$@"
