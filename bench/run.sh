#!/usr/bin/env bash
# Runnel vs Apache Kafka, side by side: bench/run.sh [--metadata] [--quick] [--only kafka|runnel] [--broker PATH]
# Builds what is missing (load generators; the broker in build-bench/), then runs bench/harness/run.py,
# which writes bench/results/<UTC date>-<sha>.json and the generated part of docs/benchmarks.md.
# --metadata runs bench/harness/metadata.py instead: three-node clusters of both, topic creation and
# deletion, CreatePartitions propagation, controller failover and idle RSS (bench/README.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
if [[ ! -x $here/loadgen/build/runnel-bench || -n $(find "$here/loadgen" -maxdepth 1 -newer "$here/loadgen/build/runnel-bench" -type f) ]]; then
  cmake -S "$here/loadgen" -B "$here/loadgen/build" -G Ninja > /dev/null
  ninja -C "$here/loadgen/build" -j2
fi
if [[ " $* " != *" --broker "* && ! -x $root/build-bench/bin/runnel-broker ]]; then
  cmake -S "$root" -B "$root/build-bench" -G Ninja -DRUNNEL_TESTS=OFF -DCMAKE_BUILD_TYPE=Release > /dev/null
  ninja -C "$root/build-bench" -j2 runnel-broker
fi
if ! compgen -G "$here/kafka/target/lib/kafka-tools-*.jar" > /dev/null; then
  mvn -B -q -f "$here/kafka/pom.xml" package
fi
if [[ " $* " == *" --metadata "* ]]; then
  exec python3 "$here/harness/metadata.py" "$@"
fi
exec python3 "$here/harness/run.py" "$@"
