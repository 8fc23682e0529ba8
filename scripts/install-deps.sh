#!/usr/bin/env bash
# Installs what building Runnel needs (Debian 12). Idempotent: when every package is already
# installed it does not touch apt at all, so repeated runs take a fraction of a second.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

ensure_debs build-essential cmake ninja-build pkg-config \
  liburing-dev nlohmann-json3-dev libcpp-httplib-dev prometheus-cpp-dev libgtest-dev libyaml-cpp-dev \
  zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev \
  clang libclang-rt-14-dev python3 python3-venv
