#!/usr/bin/env bash
# Installs build and test dependencies, builds everything with tests, and runs ctest (unit and
# integration tests). Extra arguments go to ctest, e.g. scripts/test.sh -L integration.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$RUNNEL_ROOT"

bash scripts/install-deps.sh
bash scripts/install-test-deps.sh
bash scripts/build.sh -DRUNNEL_TESTS=ON
ctest --test-dir build --output-on-failure "$@"
