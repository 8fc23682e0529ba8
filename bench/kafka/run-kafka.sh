#!/usr/bin/env bash
# Runs one Apache Kafka node (KRaft, combined broker+controller) on loopback, in the foreground.
#   bench/kafka/run-kafka.sh DIR PORT [CONTROLLER_PORT] [--node N --voters V --cluster-id ID] [--override key=value ...]
# Alone it is a single-node cluster on 127.0.0.1. With --node N it is node N of a static quorum on
# 127.0.0.N: --voters is controller.quorum.voters (1@127.0.0.1:C,2@127.0.0.2:C,...) and every node
# gets the same --cluster-id (run-kafka-cluster.sh starts three that way).
# DIR holds server.properties and the log dirs; it is formatted on first use and reused after, so a
# restart on the same DIR keeps the data. Extra --override flags go straight to kafka.Kafka.
# Resolves the Kafka jars with Maven (bench/kafka/pom.xml -> target/lib) when they are missing.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 DIR PORT [CONTROLLER_PORT] [--node N --voters V --cluster-id ID] [--override key=value ...]" >&2
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
node=1
voters=
cluster_id=
while [[ $# -gt 0 && $1 != --override ]]; do
  case $1 in
    --node) node=$2 ;;
    --voters) voters=$2 ;;
    --cluster-id) cluster_id=$2 ;;
    *) echo "$0: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
host=127.0.0.$node
voters=${voters:-$node@$host:$cport}

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
node.id=$node
controller.quorum.voters=$voters
listeners=PLAINTEXT://$host:$port,CONTROLLER://$host:$cport
advertised.listeners=PLAINTEXT://$host:$port
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
  cluster_id=${cluster_id:-$("${java_cmd[@]}" kafka.tools.StorageTool random-uuid)}
  "${java_cmd[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$props" > "$dir/format.log"
fi

exec "${java_cmd[@]}" kafka.Kafka "$props" "$@"
