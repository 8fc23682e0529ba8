#!/usr/bin/env bash
# Runs a three-node Apache Kafka cluster (KRaft, every node combined broker+controller, static
# controller.quorum.voters) on 127.0.0.1-3, in the foreground until Ctrl-C, which stops all three.
#   bench/kafka/run-kafka-cluster.sh DIR [PORT] [CONTROLLER_PORT] [--override key=value ...]
# Node N listens on 127.0.0.N:PORT (default 39192) and 127.0.0.N:CONTROLLER_PORT (default PORT+1),
# keeps its data in DIR/nodeN and its output in DIR/nodeN.log. Every node is formatted with one
# cluster id (kept in DIR/cluster-id) on first use; reusing DIR keeps the data.
# bench/run.sh --metadata starts the nodes itself, one run-kafka.sh --node N each, the same way.
set -euo pipefail
if [[ $# -lt 1 ]]; then
  echo "usage: $0 DIR [PORT] [CONTROLLER_PORT] [--override key=value ...]" >&2
  exit 2
fi
dir=$(mkdir -p "$1" && cd "$1" && pwd)
shift
port=39192
if [[ $# -gt 0 && $1 != --* ]]; then port=$1; shift; fi
cport=$((port + 1))
if [[ $# -gt 0 && $1 != --* ]]; then cport=$1; shift; fi
here=$(cd "$(dirname "$0")" && pwd)
if [[ ! -f $dir/cluster-id ]]; then
  if ! compgen -G "$here/target/lib/kafka_2.13-*.jar" > /dev/null; then
    mvn -B -q -f "$here/pom.xml" package >&2
  fi
  java -cp "$here/target/lib/*" kafka.tools.StorageTool random-uuid > "$dir/cluster-id"
fi
voters="1@127.0.0.1:$cport,2@127.0.0.2:$cport,3@127.0.0.3:$cport"
pids=()
trap 'kill "${pids[@]}" 2> /dev/null; wait' EXIT INT TERM
for n in 1 2 3; do
  bash "$here/run-kafka.sh" "$dir/node$n" "$port" "$cport" --node "$n" --voters "$voters" \
    --cluster-id "$(cat "$dir/cluster-id")" "$@" > "$dir/node$n.log" 2>&1 &
  pids+=($!)
done
echo "Kafka nodes on 127.0.0.1-3:$port (controllers :$cport), pids ${pids[*]}; logs in $dir/node*.log" >&2
wait
