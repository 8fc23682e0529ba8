#!/usr/bin/env bash
# Installs build dependencies, builds, and runs the broker in the foreground on 127.0.0.1:9092
# with its data in ./data (no config file; Kafka property names can be given as extra
# "--override key=value" arguments).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$RUNNEL_ROOT"

bash scripts/install-deps.sh
# Only the broker and what it links: the unit tests and the operator are scripts/test.sh's.
RUNNEL_BUILD_TARGET=runnel-broker bash scripts/build.sh
mkdir -p data
exec build/bin/runnel-broker \
  --override listeners=PLAINTEXT://127.0.0.1:9092 \
  --override log.dirs="$RUNNEL_ROOT/data" \
  --override node.id=1 \
  "$@"
