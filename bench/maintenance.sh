#!/usr/bin/env bash
# Maintenance benchmark: N generated states (default 1,000,000, ≈2.7 GB in Redis), then in one run on
# the same data: the references `redis-cli --memkeys` and `redis-cli --scan`, and the worker's
# `report --no-values`, `report`, `enforce-ttl`, `purge --dry-run`, and `report` again with -Xmx256m
# (the heap stays flat whatever the key count). The worker's keys/s are over the job's own recorded
# duration, with the process wall time beside them; peak RSS from /usr/bin/time.
# Usage: bench/maintenance.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-1000000}
. bench/lib.sh
# the worker at full speed: its pace limits off (bench/gentle.sh measures its defaults)
OFF=(--latency-budget 0 --max-rate 0)

echo "generating $COUNT states into Redis…" >&2
keeper generate --to "$REDIS/0" --count "$COUNT" --seed 42 --latency-budget 0 --max-rate 0 >&2
KEYS=$(redis-cli -p "$PORT" dbsize)
echo "used_memory: $(redis-cli -p "$PORT" info memory | grep '^used_memory_human' | tr -d '\r')" >&2

measure memkeys sh -c "redis-cli -p $PORT --memkeys > $OUT/memkeys.log"
measure scan sh -c "redis-cli -p $PORT --scan --pattern 'document_workflow:*' | wc -l > $OUT/scan.log"
measure report-no-values "${KEEPER[@]}" report --store "$REDIS/0" --no-values --format json "${OFF[@]}" > "$OUT/report-no-values.json"
REPORT_NV=$(job_seconds)
measure report "${KEEPER[@]}" report --store "$REDIS/0" --format json "${OFF[@]}" > "$OUT/report.json"
REPORT=$(job_seconds)
measure enforce-ttl "${KEEPER[@]}" enforce-ttl --store "$REDIS/0" "${OFF[@]}" > "$OUT/enforce-ttl.out"
TTL=$(job_seconds)
measure purge-dry-run "${KEEPER[@]}" purge --store "$REDIS/0" --dry-run "${OFF[@]}" > "$OUT/purge.out"
PURGE=$(job_seconds)
measure report-256m java -Xmx256m -Dkeeper.data-dir="$OUT/data" -jar "$JAR" report --store "$REDIS/0" --format json "${OFF[@]}" > "$OUT/report-256m.json"
REPORT_SMALL=$(job_seconds)

echo
echo "== maintenance benchmark: $KEYS keys, $(nproc) cores, redis $(redis-server --version | awk '{print $3}')"
report memkeys "$KEYS" -
report scan "$KEYS" -
report report-no-values "$KEYS" "$REPORT_NV"
report report "$KEYS" "$REPORT"
report enforce-ttl "$KEYS" "$TTL"
report purge-dry-run "$KEYS" "$PURGE"
report report-256m "$KEYS" "$REPORT_SMALL"
