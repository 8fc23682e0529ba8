#!/usr/bin/env bash
# Runs one fuzzer for a bounded time over a scratch copy of a committed corpus (the repository
# is never written), and fails when the fuzzer finds a crash, a leak, a timeout or an
# out-of-memory. Crashing inputs are kept under <artifact-dir> and printed in hex.
#
#   run_fuzzer.sh fuzz  <fuzzer> <corpus-dir> <artifact-dir> [seconds]
#   run_fuzzer.sh replay <fuzzer> <dir-or-file>...      run the given inputs once, no mutation
#
# seconds defaults to $RUNNEL_FUZZ_SECONDS, else 30.
set -euo pipefail
mode=${1:?usage: run_fuzzer.sh fuzz|replay <fuzzer> ...}
fuzzer=${2:?missing fuzzer binary}
shift 2
if [[ ! -x $fuzzer ]]; then
  echo "run_fuzzer.sh: $fuzzer was not built (see the fuzz_build test / tests/fuzz/build.sh)" >&2
  exit 1
fi
# Leaks are failures; symbolised reports name the file and line.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if [[ $mode == replay ]]; then
  inputs=()
  for arg in "$@"; do
    if [[ -d $arg ]]; then
      while IFS= read -r -d '' f; do inputs+=("$f"); done < <(find "$arg" -type f ! -name '*.md' -print0 | sort -z)
    else
      inputs+=("$arg")
    fi
  done
  if [[ ${#inputs[@]} -eq 0 ]]; then
    echo "run_fuzzer.sh: no inputs to replay"
    exit 0
  fi
  # Given files (not directories), libFuzzer runs each once and exits non-zero on a crash.
  exec "$fuzzer" -rss_limit_mb=2048 -timeout=10 "${inputs[@]}"
fi

[[ $mode == fuzz ]] || { echo "run_fuzzer.sh: unknown mode $mode" >&2; exit 2; }
corpus=${1:?missing corpus dir}
artifacts=${2:?missing artifact dir}
seconds=${3:-${RUNNEL_FUZZ_SECONDS:-30}}
if [[ -z $(ls -A "$corpus" 2>/dev/null) ]]; then
  echo "run_fuzzer.sh: seed corpus $corpus is missing or empty" >&2
  exit 1
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r "$corpus" "$scratch/corpus"
mkdir -p "$artifacts"
status=0
"$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$scratch/" "$scratch/corpus" 2>"$scratch/log" || status=$?
# The summary lines (coverage, executions per second) are what a person reading ctest wants.
grep -E '^#[0-9]+.*(INITED|DONE)|^stat::|^Done ' "$scratch/log" || true
shopt -s nullglob
found=("$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* "$scratch"/oom-*)
if [[ $status -ne 0 || ${#found[@]} -gt 0 ]]; then
  echo "---- fuzzer failed (exit $status); last 60 log lines:"
  tail -n 60 "$scratch/log"
  for f in "${found[@]}"; do
    cp "$f" "$artifacts/"
    echo "---- $(basename "$f") ($(stat -c %s "$f") bytes), kept as $artifacts/$(basename "$f"):"
    od -An -tx1 -v "$f" | head -n 40
  done
  echo "Reproduce: $fuzzer <artifact>; minimise: $fuzzer -minimize_crash=1 -runs=10000 <artifact>"
  exit 1
fi
