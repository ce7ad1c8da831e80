#!/usr/bin/env bash
# Try a multi-node cluster on one machine: node 1 on HTTP 8080 / cluster 25520, node i on 8079+i /
# 25519+i, all joining node 1, all with the gateway and media roles. Ctrl-C stops them all.
#   deploy/local-cluster.sh [nodes=3]
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${1:-3}
jar=cluster-node/target/switchboard-node.jar
[ -f "$jar" ] || mvn -q -B -DskipTests package
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' INT TERM EXIT
for i in $(seq 1 "$nodes"); do
  java -Xmx512m \
    -Dswitchboard.http.port=$((8079 + i)) \
    -Dpekko.remote.artery.canonical.port=$((25519 + i)) \
    -Dpekko.cluster.seed-nodes.0=pekko://switchboard@127.0.0.1:25520 \
    -jar "$jar" > "/tmp/switchboard-node$i.log" 2>&1 &
  pids+=($!)
  echo "node $i: http://127.0.0.1:$((8079 + i))  log /tmp/switchboard-node$i.log"
done
wait
