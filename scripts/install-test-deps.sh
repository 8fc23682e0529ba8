#!/usr/bin/env bash
# Installs test-only tools, idempotently:
#   - kcat and prometheus (Debian; promtool and a real Prometheus for the observability tests),
#     buildah and debootstrap (Debian; the container image build and test, tests/image),
#     a JDK 17 and Maven (Debian, only if java/mvn are missing)
#   - .venv/ at the repo root with the pinned Python clients of tests/integration/requirements.txt
#     (re-installed only when that file changes)
#   - tests/java/target/runnel-itest-client.jar, the Java client CLI (rebuilt when its sources
#     change)
#   - tests/clients/node/node_modules: kafkajs for the Node.js client tests (`npm ci` from the
#     committed package-lock.json, re-run when it changes)
#   - tests/clients/go/bin/runnel-go-client, the Go client CLI over franz-go (go build with the
#     Go module proxy; rebuilt when a file under tests/clients/go changes)
#   - helm for tests/helm (scripts/helm-local build: Go module, cached in /var/cache/runnel/helm)
#   - the Kubernetes control plane, kubectl and etcd for tests/e2e (scripts/kube-local build:
#     Go modules built once per machine into /var/cache/runnel/kube; tens of minutes the first
#     time, nothing after)
#   - Go >= 1.26.8 (scripts/install-go.sh: from the Go module proxy when missing or older)
#   - bench/install-deps.sh: the benchmark's load-generator libraries, iperf3 and the reference
#     Apache Kafka (bench/kafka/target/lib), for tests/bench and the integration tests' Kafka mode
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$RUNNEL_ROOT"

# --- Go: the Go client, helm and the test control plane are built with it -------------------
# scripts/install-go.sh installs it from the Go module proxy when the machine has none (or an
# older one); every Go build below uses it.
go_bin=$(bash scripts/install-go.sh)
PATH="$(dirname "$go_bin"):$PATH"
export PATH

debs=(kcat prometheus openssl util-linux buildah debootstrap)
command -v java > /dev/null || debs+=(openjdk-17-jdk-headless)
command -v javac > /dev/null || debs+=(openjdk-17-jdk-headless)
command -v mvn > /dev/null || debs+=(maven)
ensure_debs "${debs[@]}"

# --- Python venv -----------------------------------------------------------------------------
# Prefer Debian's interpreter: a pyenv shim on PATH may vanish or change under the venv.
pick_python() {
  local py
  for py in /usr/bin/python3 "$(command -v python3 || true)"; do
    [[ -n $py && -x $py ]] || continue
    if "$py" -c 'import venv, ensurepip' 2> /dev/null; then
      echo "$py"
      return 0
    fi
  done
  log "no python3 with a working venv module (install python3-venv)"
  return 1
}

req=tests/integration/requirements.txt
stamp=.venv/.requirements.sha256
want=$(sha256sum "$req" | cut -d' ' -f1)
if ! .venv/bin/python -c 'import sys' 2> /dev/null; then
  rm -rf .venv
  py=$(pick_python)
  log "creating .venv with $py"
  "$py" -m venv .venv
fi
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  log "installing Python test requirements"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
fi

# Extra Python packages of tests/monitoring (PyYAML), with their own stamp.
mreq=tests/monitoring/requirements.txt
mstamp=.venv/.monitoring-requirements.sha256
mwant=$(sha256sum "$mreq" | cut -d' ' -f1)
if [[ ! -f $mstamp || $(cat "$mstamp") != "$mwant" ]]; then
  log "installing Python monitoring-test requirements"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$mreq"
  echo "$mwant" > "$mstamp"
fi

# --- Java client CLI -------------------------------------------------------------------------
jar=tests/java/target/runnel-itest-client.jar
if [[ ! -f $jar || -n $(find tests/java/pom.xml tests/java/src -newer "$jar" -type f 2> /dev/null) ]]; then
  log "building $jar"
  mvn -B -q -f tests/java/pom.xml package
fi

# --- Go client CLI (franz-go) ------------------------------------------------------------------
# tests/clients/go/bin/runnel-go-client, rebuilt when a file under tests/clients/go changes. The
# modules (pinned by go.mod/go.sum) come from the Go module proxy here, never at test time.
gobin=tests/clients/go/bin/runnel-go-client
if [[ ! -x $gobin || -n $(find tests/clients/go -path tests/clients/go/bin -prune -o -type f \
  -newer "$gobin" -print 2> /dev/null) ]]; then
  go_cmd=$go_bin
  log "building $gobin"
  if [[ -z ${HOME:-} ]]; then # go needs HOME (or GOCACHE) for its caches
    HOME=$(getent passwd "$(id -u)" | cut -d: -f6)
    export HOME
  fi
  (cd tests/clients/go && "$go_cmd" build -mod=readonly -buildvcs=false -trimpath -o bin/runnel-go-client .)
  touch "$gobin" # newer than every source, even when go reused a cached build
fi

# --- Node.js client (kafkajs) for tests/integration/test_clients_node.py ---------------------
# `npm ci` from the committed package-lock.json into tests/clients/node/node_modules (git-ignored),
# re-run only when the lock file changes. Needs node and npm (Node.js >= 18) on PATH.
nodedir=tests/clients/node
nstamp=$nodedir/node_modules/.package-lock.sha256
nwant=$(sha256sum "$nodedir/package-lock.json" | cut -d' ' -f1)
if [[ ! -f $nstamp || $(cat "$nstamp") != "$nwant" ]]; then
  command -v npm > /dev/null || { log "npm missing: install Node.js >= 18 with npm"; exit 1; }
  log "installing Node.js test client dependencies (npm ci in $nodedir)"
  (cd "$nodedir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$nwant" > "$nstamp"
fi

# --- Kubernetes control plane for tests/e2e ---------------------------------------------------
scripts/kube-local build > /dev/null

# --- Helm for tests/helm and scripts/gen-manifests ---------------------------------------------
# scripts/helm-local: `go install helm.sh/helm/v3/cmd/helm@<pinned>` once per machine into
# /var/cache/runnel/helm/<version>/ (about a minute with a warm Go module cache); nothing after.
scripts/helm-local build > /dev/null

# --- Benchmark harness for tests/bench ---------------------------------------------------------
# librdkafka-dev and liblz4-dev (the load generators), iperf3, and the reference Apache Kafka with
# kafka-tools (bench/kafka/target/lib, from Maven Central).
bash bench/install-deps.sh
log "test dependencies ready"
