#!/usr/bin/env bash
# Runs the benchmarks (all, or those named): npm run bench [-- validate interpreter ...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/ensure-deps.sh
npm run --silent build
names=("$@")
if ((${#names[@]} == 0)); then
  names=()
  for f in dist/bench/*.bench.js; do names+=("$(basename "$f" .bench.js)"); done
fi
status=0
for name in "${names[@]}"; do
  echo "== $name"
  node --expose-gc "dist/bench/$name.bench.js" || status=1
done
exit $status
