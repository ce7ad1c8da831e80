#!/usr/bin/env bash
# Session benchmarks of docs/benchmarks.md: create+destroy throughput over the control WebSocket, and
# heap per idle session. Builds the node and the load generators, starts one node, measures, stops it.
#   load-test/bench-sessions.sh [connections=32] [seconds=20] [idle_sessions=10000]
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-32}
seconds=${2:-20}
idle=${3:-10000}
port=${BENCH_PORT:-18080}

mvn -q -B -DskipTests package
log=$(mktemp)
java -Xms1g -Xmx1g -XX:+UseG1GC \
  -Dswitchboard.http.port="$port" -Dpekko.remote.artery.canonical.port=0 \
  -Dswitchboard.session.disconnect-timeout=1h -Dpekko.loglevel=WARNING \
  -jar cluster-node/target/switchboard-node.jar >"$log" 2>&1 &
node=$!
trap 'kill $node 2>/dev/null || true; wait $node 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.2; done

echo "== create+destroy throughput ($connections connections, ${seconds}s window)"
java -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 -cp load-test/target/load-test.jar io.switchboard.loadtest.SessionChurn "ws://127.0.0.1:$port/control" "$connections" "$seconds" 15

heap_used() {  # heap in use after a full GC, in KiB
  jcmd "$node" GC.run >/dev/null; sleep 1; jcmd "$node" GC.run >/dev/null; sleep 1
  jcmd "$node" GC.heap_info | awk '/garbage-first heap/ { for (i=1;i<=NF;i++) if ($i=="used") { v=$(i+1); sub("K,?","",v); print v } }'
}
echo "== heap per idle session ($idle sessions)"
before=$(heap_used)
java -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 -cp load-test/target/load-test.jar io.switchboard.loadtest.IdleSessions "http://127.0.0.1:$port" "$idle"
after=$(heap_used)
sessions=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^switchboard_sessions /{print $2}')
echo "heap used before=${before}K after=${after}K sessions=${sessions}"
awk -v b="$before" -v a="$after" -v n="$idle" 'BEGIN { printf "heap per idle session: %.0f bytes\n", (a-b)*1024/n }'
