# shellcheck shell=bash
# Shared helpers for scripts/*.sh (sourced, not run).

# Repository root, whatever the caller's working directory.
RUNNEL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export RUNNEL_ROOT

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }

# Prints the Debian packages from "$@" that are not installed (one per line).
missing_debs() {
  local pkg status
  for pkg in "$@"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [[ $status == installed ]] || echo "$pkg"
  done
}

# Installs the Debian packages among "$@" that are missing; no apt run at all when none are.
ensure_debs() {
  local missing
  mapfile -t missing < <(missing_debs "$@")
  if [[ ${#missing[@]} -eq 0 ]]; then
    return 0
  fi
  log "installing: ${missing[*]}"
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

jobs_default() { echo "${RUNNEL_BUILD_JOBS:-$(nproc)}"; }
