#!/usr/bin/env bash
# Installs what bench/run.sh needs, idempotently: librdkafka-dev and liblz4-dev (the load generators), iperf3
# (loopback bandwidth), cmake/ninja/g++, a JDK and Maven (Kafka and kafka-tools from Maven Central).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/../scripts/lib.sh"
cd "$RUNNEL_ROOT"
debs=(librdkafka-dev liblz4-dev iperf3 cmake ninja-build g++ pkg-config linux-perf)
command -v java > /dev/null || debs+=(openjdk-17-jdk-headless)
command -v mvn > /dev/null || debs+=(maven)
ensure_debs "${debs[@]}"
compgen -G "bench/kafka/target/lib/kafka-tools-*.jar" > /dev/null || mvn -B -q -f bench/kafka/pom.xml package
