#!/usr/bin/env bash
# `npm run lint`: ESLint (typescript-eslint and the layer rules in eslint/), Prettier's check
# of every TypeScript and JavaScript file, and no import cycles, type-only ones included
# (import-x/no-cycle skips type-only imports, dpdm does not).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
npx eslint --max-warnings 0 .
npx prettier --check --log-level warn '**/*.{ts,mjs,js}'
# The lint fixtures hold a cycle on purpose (test/unit/lint.test.ts).
cycles=$(npx dpdm --no-tree --no-warning --no-progress --exit-code circular:1 --exclude 'node_modules|dist|test/fixtures/lint' \
  '{dsl,workflows,activities,contract,worker,triggers,cli,temporal,repository,report,scripts,bench,test}/**/*.ts' 2>&1) || {
  echo "$cycles" >&2
  exit 1
}
