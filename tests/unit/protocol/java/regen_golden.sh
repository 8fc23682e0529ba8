#!/bin/sh
# Regenerates tests/unit/protocol/golden/ by running our sample messages through Apache Kafka's
# own codecs (kafka-clients from Maven Central). Needs a JDK 17+, Maven, and a built
# protocol_dump_samples. Run after changing the generator or the test fill values; commit the
# result.   tests/unit/protocol/java/regen_golden.sh <cmake build dir>
#
# Kafka 3.9 is the primary reference (it still has every old version); Kafka 4.0 then adds the
# newer versions 3.9 does not know. Versions neither knows are listed in golden/SKIPPED-*.txt.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: regen_golden.sh <cmake build dir>}
dump=$(find "$build" -name protocol_dump_samples -type f -perm -u+x | head -n 1)
[ -n "$dump" ] || { echo "protocol_dump_samples not built in $build" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/samples"
"$dump" "$work/samples"
cd "$here"
golden="$here/../golden"
rm -f "$golden"/*.hex "$golden"/SKIPPED-*.txt
mode=""
for kafka in 3.9.1 4.0.0; do
  mvn -q -B dependency:build-classpath -Dkafka.version=$kafka -Dmdep.outputFile="$work/cp-$kafka.txt"
  cp=$(cat "$work/cp-$kafka.txt")
  javac -d "$work/classes-$kafka" -cp "$cp" src/main/java/runnel/golden/GoldenGen.java
  java -cp "$work/classes-$kafka:$cp" runnel.golden.GoldenGen "$work/samples" "$golden" $mode
  mode=--fill-missing
done
