#!/usr/bin/env bash
# Migration benchmark: N generated states (default 1,000,000), measured in one run on the same data:
#   1. redis-cli --pipe loading them (the reference: the server's own write limit),
#   2. migrate snapshot→redis (the service's json.dump map, as when moving off the in-memory store),
#   3. migrate redis→redis (another database of the same server),
#   4. migrate snapshot→redis again with -Xmx256m, verification on (memory stays bounded).
# keys/s of the worker are taken over the job's own recorded duration, with the process wall time
# beside them; peak RSS from /usr/bin/time. Usage: bench/migrate.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-1000000}
. bench/lib.sh
# the worker at full speed: its pace limits off (bench/gentle.sh measures its defaults)
OFF=(--latency-budget 0 --max-rate 0)

echo "generating $COUNT states (map snapshot for the worker, JSON Lines for redis-cli)…" >&2
keeper generate --to "snapshot:$OUT/states.json" --count "$COUNT" --map --seed 42 >&2
keeper generate --to "snapshot:$OUT/states.jsonl" --count "$COUNT" --seed 42 >&2
python3 bench/jsonl_to_resp.py < "$OUT/states.jsonl" > "$OUT/states.resp"

redis-cli -p "$PORT" flushall >/dev/null
measure redis-cli-pipe sh -c "redis-cli -p $PORT --pipe < $OUT/states.resp > $OUT/pipe.log"
PIPED=$(redis-cli -p "$PORT" dbsize)

redis-cli -p "$PORT" flushall >/dev/null
measure snapshot-to-redis "${KEEPER[@]}" migrate --from "snapshot:$OUT/states.json" --to "$REDIS/0" --no-verify "${OFF[@]}" > "$OUT/snapshot-to-redis.out"
S2R_JOB=$(job_seconds); S2R_KEYS=$(redis-cli -p "$PORT" dbsize)

measure redis-to-redis "${KEEPER[@]}" migrate --from "$REDIS/0" --to "$REDIS/1" --no-verify "${OFF[@]}" > "$OUT/redis-to-redis.out"
R2R_JOB=$(job_seconds); R2R_KEYS=$(redis-cli -p "$PORT" -n 1 dbsize)

redis-cli -p "$PORT" flushall >/dev/null
measure snapshot-to-redis-256m java -Xmx256m -Dkeeper.data-dir="$OUT/data" -jar "$JAR" migrate --from "snapshot:$OUT/states.json" --to "$REDIS/0" "${OFF[@]}" > "$OUT/snapshot-to-redis-256m.out"
SMALL_JOB=$(job_seconds); SMALL_KEYS=$(redis-cli -p "$PORT" dbsize)

echo
echo "== migrate benchmark: $COUNT states, $(nproc) cores, redis $(redis-server --version | awk '{print $3}')"
report redis-cli-pipe "$PIPED" -
report snapshot-to-redis "$S2R_KEYS" "$S2R_JOB"
report redis-to-redis "$R2R_KEYS" "$R2R_JOB"
report snapshot-to-redis-256m "$SMALL_KEYS" "$SMALL_JOB"
grep -h "verify:" "$OUT/snapshot-to-redis-256m.out" || true
