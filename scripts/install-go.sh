#!/usr/bin/env bash
# Makes sure a Go toolchain >= $RUNNEL_GO_VERSION is available (the Go client tests, helm and the
# Kubernetes control plane of the tests are built with it). Uses `go` on PATH or /usr/local/go
# when new enough; otherwise installs the toolchain from the Go module proxy, where Go publishes
# every release as the module golang.org/toolchain, into /usr/local/go-<version> and links
# /usr/local/go to it. Prints the path of the go binary.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

want=${RUNNEL_GO_VERSION:-1.26.8}
proxy=${GOPROXY_URL:-https://proxy.golang.org}

# True when $1 (a go binary) reports a version >= $want.
new_enough() {
  local have
  have=$("$1" env GOVERSION 2> /dev/null | sed 's/^go//') || return 1
  [[ -n $have ]] || return 1
  [[ $(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n1) == "$want" ]]
}

for candidate in "$(command -v go || true)" /usr/local/go/bin/go "/usr/local/go-$want/bin/go"; do
  if [[ -n $candidate && -x $candidate ]] && new_enough "$candidate"; then
    echo "$candidate"
    exit 0
  fi
done

arch=$(dpkg --print-architecture)  # amd64, arm64: Go's names too
dest=/usr/local/go-$want
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log "installing Go $want from $proxy (golang.org/toolchain) into $dest"
ensure_debs curl ca-certificates unzip >&2  # stdout is the answer
curl -sSfL -o "$tmp/go.zip" "$proxy/golang.org/toolchain/@v/v0.0.1-go$want.linux-$arch.zip"
unzip -q "$tmp/go.zip" -d "$tmp/x"
rm -rf "$dest"
mv "$tmp/x/golang.org/toolchain@v0.0.1-go$want.linux-$arch" "$dest"
chmod +x "$dest"/bin/* "$dest"/pkg/tool/*/* 2> /dev/null || true
if [[ ! -e /usr/local/go || -L /usr/local/go ]]; then
  ln -sfn "$dest" /usr/local/go
fi
new_enough "$dest/bin/go" || { log "the Go installed in $dest does not run"; exit 1; }
echo "$dest/bin/go"
