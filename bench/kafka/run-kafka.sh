#!/usr/bin/env bash
# Runs a single-node Apache Kafka (KRaft, combined broker+controller) on loopback, in the foreground.
#   bench/kafka/run-kafka.sh DIR PORT [CONTROLLER_PORT] [--override key=value ...]
# DIR holds server.properties and the log dirs; it is formatted on first use and reused after, so a
# restart on the same DIR keeps the data. Extra --override flags go straight to kafka.Kafka.
# Resolves the Kafka jars with Maven (bench/kafka/pom.xml -> target/lib) when they are missing.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 DIR PORT [CONTROLLER_PORT] [--override key=value ...]" >&2
  exit 2
fi
dir=$(mkdir -p "$1" && cd "$1" && pwd)
port=$2
shift 2
cport=$((port + 1))
if [[ $# -gt 0 && $1 != --* ]]; then
  cport=$1
  shift
fi

here=$(cd "$(dirname "$0")" && pwd)
lib="$here/target/lib"
if ! compgen -G "$lib/kafka_2.13-*.jar" > /dev/null; then
  mvn -B -q -f "$here/pom.xml" package >&2
fi

java_cmd=(java -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$here/log4j2.properties" -cp "$lib/*")

props="$dir/server.properties"
cat > "$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/logs
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS

if [[ ! -f "$dir/logs/meta.properties" ]]; then
  cluster_id=$("${java_cmd[@]}" kafka.tools.StorageTool random-uuid)
  "${java_cmd[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$props" > "$dir/format.log"
fi

exec "${java_cmd[@]}" kafka.Kafka "$props" "$@"
