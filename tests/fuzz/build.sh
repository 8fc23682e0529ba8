#!/usr/bin/env bash
# Builds the libFuzzer targets with clang++ in their own CMake tree (tests/fuzz/clang/), apart
# from the main g++ build. Incremental: a second run only recompiles what changed.
#
#   tests/fuzz/build.sh <build-dir> [target...]     default targets: fuzz_request fuzz_records
#
# RUNNEL_FUZZ_CXX picks the compiler (default: clang++, then clang++-14); RUNNEL_BUILD_JOBS the
# parallelism (default 2). Exits non-zero, saying what to install, when clang or the libFuzzer
# runtime is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh <build-dir> [target...]}
shift

cxx=${RUNNEL_FUZZ_CXX:-$(command -v clang++ || command -v clang++-14 || true)}
if [[ -z $cxx ]]; then
  echo "build.sh: clang++ not found; the fuzzers need it: apt-get install clang libclang-rt-14-dev" >&2
  exit 1
fi
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

if [[ ! -f $out/CMakeCache.txt ]]; then
  mkdir -p "$out"
  # A failed configure is not cached, so the next run checks for clang/libFuzzer again.
  cmake -S "$here/clang" -B "$out" "${generator[@]}" -DCMAKE_CXX_COMPILER="$cxx" >"$out/configure.log" 2>&1 \
    || { cat "$out/configure.log" >&2; rm -f "$out/CMakeCache.txt"; exit 1; }
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$out" -j "${RUNNEL_BUILD_JOBS:-2}" "${targets[@]}"
