#!/usr/bin/env bash
# Configures (Release, Ninja) and builds Runnel into build/. Extra arguments go to cmake's
# configure step, e.g. scripts/build.sh -DRUNNEL_SANITIZE=ON. RUNNEL_BUILD_JOBS caps parallelism;
# RUNNEL_BUILD_TARGET builds one target instead of all.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$RUNNEL_ROOT"

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build build -j "$(jobs_default)" ${RUNNEL_BUILD_TARGET:+--target "$RUNNEL_BUILD_TARGET"}
