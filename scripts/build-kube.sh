#!/usr/bin/env bash
# Builds the drill's Kubernetes control plane from the Go module proxy, pinned: kine (SQLite as
# the etcd-compatible store), kube-apiserver and kube-controller-manager. The binaries are cached
# outside the clone, keyed by version (RUNBOOK_CACHE_DIR, default ~/.cache/runbook-engine), so a
# fresh clone on the same machine does not build them again; a cold build takes about 10 minutes
# on 2 cores. Prints the folder that holds the binaries.
set -euo pipefail

KINE_VERSION="v0.17.5"
KUBERNETES_VERSION="v1.34.3"
STAGING_VERSION="v0.34.3"
# Staging modules k8s.io/kubernetes requires at v0.0.0 and replaces in its own go.mod; a module that
# requires k8s.io/kubernetes must replace them too.
STAGING=(api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider cluster-bootstrap
  code-generator component-base component-helpers controller-manager cri-api cri-client csi-translation-lib
  dynamic-resource-allocation endpointslice externaljwt kms kube-aggregator kube-controller-manager kube-proxy
  kube-scheduler kubectl kubelet metrics mount-utils pod-security-admission sample-apiserver sample-cli-plugin sample-controller)

cache="${RUNBOOK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/runbook-engine}"
bin="$cache/kube-$KUBERNETES_VERSION-kine-$KINE_VERSION/bin"
if [[ -x "$bin/kine" && -x "$bin/kube-apiserver" && -x "$bin/kube-controller-manager" ]]; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { echo "error: the drill builds its Kubernetes control plane with Go, and there is no \`go\` on PATH" >&2; exit 1; }
mkdir -p "$bin"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod CGO_ENABLED=1

if [[ ! -x "$bin/kine" ]]; then
  echo "building kine $KINE_VERSION (cached in $bin; about 5 minutes the first time)" >&2
  GOBIN="$bin" go install "github.com/k3s-io/kine@$KINE_VERSION" >&2
fi

if [[ ! -x "$bin/kube-apiserver" || ! -x "$bin/kube-controller-manager" ]]; then
  echo "building kube-apiserver and kube-controller-manager $KUBERNETES_VERSION (cached in $bin; about 5 minutes the first time)" >&2
  mkdir -p "$work/kube"
  cd "$work/kube"
  {
    echo "module drillkube"
    echo "go 1.24"
    echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
    for m in "${STAGING[@]}"; do echo "replace k8s.io/$m => k8s.io/$m $STAGING_VERSION"; done
  } >go.mod
  # -mod=mod (GOFLAGS) lets the build resolve and record every dependency of the two commands.
  CGO_ENABLED=0 go build -o "$bin/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver >&2
  CGO_ENABLED=0 go build -o "$bin/kube-controller-manager" k8s.io/kubernetes/cmd/kube-controller-manager >&2
fi
echo "$bin"
