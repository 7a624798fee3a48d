#!/usr/bin/env bash
# `npm run drill [-- --ci]`: installs what is missing (npm packages, the Temporal CLI; the
# Kubernetes control plane is built and cached by drill/main.ts through scripts/build-kube.sh),
# builds, then plays the drill. Needs Debian's prometheus, prometheus-alertmanager and
# kubernetes-client (kubectl), and Go for the first build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
for tool in prometheus prometheus-alertmanager kubectl go; do
  command -v "$tool" >/dev/null || { echo "error: the drill needs \`$tool\` (apt-get install prometheus prometheus-alertmanager kubernetes-client; Go for the first build)" >&2; exit 1; }
done
bash scripts/ensure-deps.sh
npm run --silent build
exec node dist/drill/main.js "$@"
