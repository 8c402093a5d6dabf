#!/usr/bin/env bash
# Start-time benchmark: the whole process of a one-off command, `report` on an empty store, N runs
# (default 5) of each way to start it; the median and the spread of the wall time, and the CPU time
# (user + system) the process used. Variants: `before`, as one-off commands started before they
# started lazily and before the spare core was kept from the first job only (every bean created,
# `-Dspring.main.lazy-initialization=false`, on every core but the lowest, `taskset`); `lazy-one-core`,
# lazily on those cores; `jar`, the jar as the build makes it (`java -jar`); `extracted`, the jar
# extracted (`-Djarmode=tools extract`); `extracted-cds`, with the class-data archive of a training
# run (Spring Boot's CDS recipe, as the Dockerfile does it).
# Meanwhile bench/Probe.java measures the latency Redis' other clients see (p50 p99 max, ms): a
# start that keeps off Redis' core is gentler, one on every core shorter. Target: under 2 s of wall
# time. Usage: bench/startup.sh [RUNS]   (BENCH_SKIP_BUILD=1 reuses the jar)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
# a port no other server holds
export BENCH_REDIS_PORT=${BENCH_REDIS_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
. bench/lib.sh

PROBE_PID=
stop_probe() {
  if [ -n "$PROBE_PID" ]; then
    kill -TERM "$PROBE_PID" 2>/dev/null || true
    wait "$PROBE_PID" 2>/dev/null || true
    PROBE_PID=
  fi
}
trap 'stop_probe; redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true' EXIT

# Extracted and trained as the Dockerfile does; the archive holds the jars' paths and times, so it is
# made again with the jar.
CDS="$OUT/cds"
rm -rf "$CDS"
java -Djarmode=tools -jar "$JAR" extract --destination "$CDS" >/dev/null
KEEPER_DATA_DIR="$OUT/training" java -XX:ArchiveClassesAtExit="$CDS/workflow-keeper.jsa" \
  -Dspring.context.exit=onRefresh -jar "$CDS/workflow-keeper.jar" serve >"$OUT/training.log" 2>&1
rm -rf "$OUT/training"
test -s "$CDS/workflow-keeper.jsa"

STORE="$REDIS/1"
redis-cli -p "$PORT" -n 1 flushdb >/dev/null
DATA=(-Dkeeper.data-dir="$OUT/data")

# variant LABEL COMMAND…: RUNS runs of the command under the probe; one line of figures
variant() {
  local label=$1; shift
  local ready="$OUT/startup-$label.ready"
  rm -f "$ready" "$OUT/startup-$label.probe" "$OUT/startup-$label.times"
  java -Xmx64m -XX:+UseSerialGC bench/Probe.java --port "$PORT" --key bench:probe --interval-ms 2 \
    --ready "$ready" --out "$OUT/startup-$label.probe" 2> "$OUT/startup-$label.probe.err" &
  PROBE_PID=$!
  until [ -f "$ready" ]; do
    kill -0 "$PROBE_PID" 2>/dev/null || { echo "probe did not start: $(cat "$OUT/startup-$label.probe.err")" >&2; exit 1; }
    sleep 0.1
  done
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -a -f "%e %U %S" -o "$OUT/startup-$label.times" "$@" report --store "$STORE" \
      > /dev/null 2> "$OUT/startup-$label.err" || { echo "$label failed: $(tail -1 "$OUT/startup-$label.err")" >&2; exit 1; }
  done
  stop_probe
  python3 - "$label" "$OUT/startup-$label.times" "$OUT/startup-$label.probe" <<'PY'
import statistics, sys
label, times, probe = sys.argv[1:]
runs = [list(map(float, line.split())) for line in open(times) if line.strip()]
wall = [r[0] for r in runs]
cpu = [r[1] + r[2] for r in runs]
p = open(probe).readline().split()
print(f"{label:<16} wall {statistics.median(wall):5.2f}s ({min(wall):.2f}-{max(wall):.2f})"
      f"  cpu {statistics.median(cpu):5.2f}s  probe p50 {float(p[1]):.2f} p99 {float(p[3]):.2f} max {float(p[5]):.2f} ms")
PY
}

echo "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs each; $(java -version 2>&1 | head -1)"
ONE_CORE=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  ONE_CORE=(taskset -c "1-$(($(nproc) - 1))")
fi
variant before "${ONE_CORE[@]}" java "${DATA[@]}" -Dspring.main.lazy-initialization=false -jar "$JAR"
variant lazy-one-core "${ONE_CORE[@]}" java "${DATA[@]}" -jar "$JAR"
variant jar java "${DATA[@]}" -jar "$JAR"
variant extracted java "${DATA[@]}" -jar "$CDS/workflow-keeper.jar"
variant extracted-cds java "${DATA[@]}" -XX:SharedArchiveFile="$CDS/workflow-keeper.jsa" -jar "$CDS/workflow-keeper.jar"
