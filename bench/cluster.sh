#!/usr/bin/env bash
# Cluster benchmark: N generated states (default 1,000,000) in one standalone redis-server and, from the
# same seed, in a 3-master Redis Cluster (no replicas) on this host; then in one run `report --no-values`
# with the limits off on each, and `redis-cli --memkeys` on the standalone server as the reference.
# Target: the cluster not slower than one server (its masters are scanned one partition each). Also
# checks that both reports count the same (the copy is a migration, expiries kept; memory apart: a key
# costs 16 bytes more on a Cluster). keys/s: over the job's recorded duration.
# Usage: bench/cluster.sh [COUNT]   (BENCH_CLUSTER_PORT, default 6391: three ports from it, and their
# bus ports 10000 above, must be free)
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-1000000}
. bench/lib.sh
CPORT=${BENCH_CLUSTER_PORT:-6391}
CPORTS=("$CPORT" $((CPORT + 1)) $((CPORT + 2)))
OFF=(--latency-budget 0 --max-rate 0)

stop_all() {
  for p in "${CPORTS[@]}"; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
  redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
}
trap stop_all EXIT

for p in "${CPORTS[@]}"; do
  rm -rf "$OUT/cluster-$p" && mkdir -p "$OUT/cluster-$p"
  redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "nodes-$p.conf" \
    --cluster-node-timeout 5000 --save "" --appendonly no --daemonize yes --dir "$OUT/cluster-$p" \
    --logfile "$OUT/cluster-$p/redis.log"
done
for p in "${CPORTS[@]}"; do until redis-cli -p "$p" ping >/dev/null 2>&1; do sleep 0.1; done; done
redis-cli --cluster create "${CPORTS[@]/#/127.0.0.1:}" --cluster-yes >/dev/null
for p in "${CPORTS[@]}"; do
  until redis-cli -p "$p" cluster info | grep -q 'cluster_state:ok'; do sleep 0.2; done
done
CLUSTER="redis://127.0.0.1:$CPORT"

echo "generating $COUNT states into one server and into the cluster…" >&2
keeper generate --to "$REDIS/0" --count "$COUNT" --seed 42 "${OFF[@]}" >&2
# a copy with the same absolute expiries, so that the TTL figures match too
keeper migrate --from "$REDIS/0" --to "$CLUSTER" --no-verify "${OFF[@]}" >&2
KEYS=$(redis-cli -p "$PORT" dbsize)
CKEYS=0
for p in "${CPORTS[@]}"; do CKEYS=$((CKEYS + $(redis-cli -p "$p" dbsize))); done

measure memkeys sh -c "redis-cli -p $PORT --memkeys > $OUT/memkeys.log"
measure report-one "${KEEPER[@]}" report --store "$REDIS/0" --no-values --format json "${OFF[@]}" > "$OUT/report-one.json"
ONE=$(job_seconds)
# redis-server's CPU of the cluster: its masters' together
cluster_cpu() {
  local total=0 p
  for p in "${CPORTS[@]}"; do
    total=$(python3 -c "print($total + $(redis-cli -p "$p" info cpu | tr -d '\r' | awk -F: '/^used_cpu_(user|sys):/ {s += $2} END {printf "%.3f", s}'))")
  done
  echo "$total"
}
CBEFORE=$(cluster_cpu)
/usr/bin/time -f "%e %M" -o "$OUT/report-cluster.time" "${KEEPER[@]}" report --store "$CLUSTER" --no-values --format json "${OFF[@]}" > "$OUT/report-cluster.json"
python3 -c "print(round($(cluster_cpu) - $CBEFORE, 3))" > "$OUT/report-cluster.redis"
CL=$(job_seconds)

echo
echo "== cluster benchmark: $KEYS keys on one server, $CKEYS on 3 masters, $(nproc) cores," \
  "redis $(redis-server --version | awk '{print $3}')"
report memkeys "$KEYS" -
report report-one "$KEYS" "$ONE"
report report-cluster "$CKEYS" "$CL"
python3 - "$OUT/report-one.json" "$OUT/report-cluster.json" "$ONE" "$CL" <<'PY'
import json, sys
one, cluster = (json.load(open(p)) for p in sys.argv[1:3])
def figures(report):  # what a report counts, without where and when it ran
    # the server's own figures and what derives from them differ by nature; equal-sized top keys
    # may come in another order
    # memory: a Cluster's key costs 16 bytes more (the slot's bookkeeping, which MEMORY USAGE counts)
    # TTL and age buckets: relative to each report's own moment, seconds apart
    drop = {"store", "createdAt", "server", "forecast", "trend", "topKeys", "memoryBytes", "sizePercentiles",
            "ttlBuckets", "ageBuckets"}
    return {k: v for k, v in report.items() if k not in drop}
same = figures(one) == figures(cluster)
print(f"figures equal: {'yes' if same else 'NO'}")
if not same:
    for k in sorted(set(figures(one)) | set(figures(cluster))):
        if figures(one).get(k) != figures(cluster).get(k):
            print(f"  {k}: one server {str(figures(one).get(k))[:100]} / cluster {str(figures(cluster).get(k))[:100]}")
ratio = float(sys.argv[3]) / float(sys.argv[4])
print(f"cluster / one server: {ratio:.2f}x the speed → {'MET' if ratio >= 1 else 'MISSED'} (target: not slower)")
PY
