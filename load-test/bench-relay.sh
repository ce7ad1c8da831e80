#!/usr/bin/env bash
# RTP relay benchmark of docs/benchmarks.md: Switchboard and rtpengine side by side with the kit in
# ../shared/bench (rtpload, ngctl.py). The relay runs pinned to core 0, the generator to core 1; each
# relay is started fresh for every run, N two-leg calls are set up through its control API, then rtpload
# measures loss, one-way latency and relay CPU.
#   load-test/bench-relay.sh [runs=2] [N ...]      (default N: 100 250 500 750 1000)
# Environment: RELAYS="switchboard rtpengine" (which to run, in this order; switchboard-nio is Switchboard
# with switchboard.media.native-io = off), SWITCHBOARD_OPTS (more JVM
# options for the node, e.g. -Dswitchboard.media.receive-buffer=32KiB), LABEL (added to each run's label).
# Results: one JSON line per run in load-test/target/relay-results.jsonl, and a table of medians.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-2}
shift || true
sizes=${*:-100 250 500 750 1000}
kit=../shared/bench
out=load-test/target/relay-results.jsonl
mkdir -p load-test/target
port=18100
relays=${RELAYS:-switchboard rtpengine}
extra=${LABEL:+ $LABEL}

command -v rtpengine >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rtpengine-daemon; }
gcc -O2 -Wall -o load-test/target/rtpload "$kit/rtpload.c"
mvn -q -B -DskipTests package
: > "$out"

wait_gone() { while kill -0 "$1" 2>/dev/null; do sleep 0.2; done; }

run_switchboard() {  # N run [name] [more JVM options]
  # shellcheck disable=SC2086 # SWITCHBOARD_OPTS is a list of options
  taskset -c 0 java -Xms1g -Xmx1g -XX:AutoBoxCacheMax=65536 ${SWITCHBOARD_OPTS:-} ${4:-} -Dswitchboard.http.port=$port -Dpekko.remote.artery.canonical.port=0 \
    -Dswitchboard.shutdown.drain-time=0s -Dswitchboard.session.disconnect-timeout=1h \
    -Dswitchboard.media.media-timeout=0s -Dpekko.loglevel=WARNING \
    -jar cluster-node/target/switchboard-node.jar > load-test/target/switchboard-relay.log 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.2; done
  taskset -c 1 java -cp load-test/target/load-test.jar io.switchboard.loadtest.RelaySetup \
    "ws://127.0.0.1:$port/control" "$1" 40000 load-test/target/pairs.txt
  sleep 2
  taskset -c 1 load-test/target/rtpload --pairs load-test/target/pairs.txt --warmup 3 --duration 20 \
    --relay-pid "$pid" --label "${3:-switchboard} N=$1 run=$2$extra" --json "$out" --quiet
  kill "$pid"; wait_gone "$pid"
}

run_switchboard-nio() {  # N run
  run_switchboard "$1" "$2" switchboard-nio -Dswitchboard.media.native-io=off
}

run_rtpengine() {  # N run
  taskset -c 0 rtpengine --config-file="$kit/rtpengine-bench.conf" --config-section=rtpengine > load-test/target/rtpengine.log 2>&1 &
  local pid=$!
  sleep 1
  python3 "$kit/ngctl.py" setup --calls "$1" --local-base 40000 --out load-test/target/rpairs.txt
  taskset -c 1 load-test/target/rtpload --pairs load-test/target/rpairs.txt --warmup 3 --duration 20 \
    --relay-pid "$pid" --label "rtpengine N=$1 run=$2$extra" --json "$out" --quiet
  kill "$pid"; wait_gone "$pid"
}

for n in $sizes; do
  for r in $(seq 1 "$runs"); do
    for relay in $relays; do "run_$relay" "$n" "$r"; done
  done
done

python3 - "$out" <<'PY'
import json, sys, statistics, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    d = json.loads(line)
    relay, n = d["label"].split()[0], int(d["label"].split()[1][2:])
    rows[(n, relay)].append(d)
def pick(ds, *keys):
    vals = []
    for d in ds:
        v = d
        for k in keys: v = v.get(k) if isinstance(v, dict) else None
        if v is not None: vals.append(v)
    return statistics.median(vals) if vals else float("nan")
print("| N | relay | runs | loss % | p50 µs | p99 µs | relay CPU % |")
print("|---|---|---|---|---|---|---|")
for (n, relay) in sorted(rows):
    ds = rows[(n, relay)]
    print(f"| {n} | {relay} | {len(ds)} | {pick(ds,'loss_pct'):.3f} | {pick(ds,'lat_p50_us'):.0f} | {pick(ds,'lat_p99_us'):.0f} | {pick(ds,'relay_cpu_pct'):.1f} |")
PY
