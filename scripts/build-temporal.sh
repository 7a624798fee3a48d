#!/usr/bin/env bash
# Builds the Temporal parts of the PostgreSQL cluster (`npm run cluster`, its tests and bench)
# from the Go module proxy, each pinned to the version of its image in docker-compose.yml, so
# that what CI exercises is what a team deploys:
#   scripts/build-temporal.sh server   temporal-server and temporal-sql-tool (go.temporal.io/server),
#                                      with the PostgreSQL schemas the module ships
#   scripts/build-temporal.sh ui       the Web UI server (github.com/temporalio/ui-server), with the
#                                      config template its image uses
# Cached outside the clone, keyed by version (RUNBOOK_CACHE_DIR, default ~/.cache/runbook-engine):
# a fresh clone on the same machine does not build again; a cold build took 4 min 54 s for
# the server and 46 s for the UI on 2 cores. The server needs a newer Go than some machines have:
# GOTOOLCHAIN=auto takes the toolchain its go.mod names from the module proxy.
# Prints the folder that holds the build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
part="${1:-}"
case "$part" in
  server) image="temporalio/server" module="go.temporal.io/server" ;;
  ui) image="temporalio/ui" module="github.com/temporalio/ui-server/v2" ;;
  *) echo "usage: $0 server|ui" >&2; exit 2 ;;
esac

# The one place each version is written is the compose file's image tag.
version="$(sed -nE "s#^[[:space:]]*image:[[:space:]]*$image:([0-9]+\.[0-9]+\.[0-9]+)[[:space:]]*\$#\1#p" "$root/docker-compose.yml" | sort -u)"
if [[ -z "$version" || "$version" == *$'\n'* ]]; then
  echo "error: docker-compose.yml must name exactly one $image:X.Y.Z image (found: ${version:-none})" >&2
  exit 1
fi

cache="${RUNBOOK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/runbook-engine}"
out="$cache/temporal-$part-v$version"
if [[ -f "$out/.complete" ]]; then
  echo "$out"
  exit 0
fi
command -v go >/dev/null || { echo "error: the cluster builds Temporal's $part with Go, and there is no \`go\` on PATH" >&2; exit 1; }
echo "building Temporal's $part v$version (cached in $out; minutes the first time)" >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GOTOOLCHAIN=auto CGO_ENABLED=0
mkdir -p "$work/out/bin"
# Files come from the same module version, out of the module cache (read-only there).
source_dir() { echo "$(go env GOMODCACHE)/$module@v$version"; }
if [[ "$part" == server ]]; then
  GOBIN="$work/bin" go install "$module/cmd/server@v$version" "$module/cmd/tools/sql@v$version" >&2
  mv "$work/bin/server" "$work/out/bin/temporal-server"
  mv "$work/bin/sql" "$work/out/bin/temporal-sql-tool"
  mkdir -p "$work/out/schema"
  cp -R "$(source_dir)/schema/postgresql" "$work/out/schema/"
else
  GOBIN="$work/bin" go install "$module/cmd/server@v$version" >&2
  mv "$work/bin/server" "$work/out/bin/temporal-ui-server"
  mkdir -p "$work/out/config"
  cp "$(source_dir)/config/docker.yaml" "$work/out/config/docker.yaml"
fi
chmod -R u+w,a+rX "$work/out"
touch "$work/out/.complete"
# Into place in one step, so that an interrupted build never looks finished.
mkdir -p "$cache"
rm -rf "$out"
mv "$work/out" "$out"
echo "$out"
