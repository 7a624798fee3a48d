#!/usr/bin/env bash
# `npm run cluster`: installs what is missing (npm packages, the Temporal CLI), builds, then runs
# docker-compose.yml's topology with real processes (cluster/main.ts). The Temporal server is
# built from the Go module proxy and cached by scripts/build-temporal-server.sh. Needs Debian's
# PostgreSQL (apt-get install postgresql) and Go for the first build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/ensure-deps.sh
npm run --silent build
exec node dist/cluster/main.js "$@"
