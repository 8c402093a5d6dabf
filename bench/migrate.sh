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
OUT="$(pwd)/bench/out"
mkdir -p "$OUT"
rm -rf "$OUT/data"
JAR=target/workflow-keeper.jar
[ -f "$JAR" ] || ./mvnw -q -ntp -DskipTests package
PORT=${BENCH_REDIS_PORT:-6390}
redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --dir "$OUT" --logfile "$OUT/redis.log" --pidfile "$OUT/redis.pid"
trap 'redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true' EXIT
until redis-cli -p "$PORT" ping >/dev/null 2>&1; do sleep 0.1; done
REDIS="redis://127.0.0.1:$PORT"
KEEPER=(java -Dkeeper.data-dir="$OUT/data" -jar "$JAR")
keeper() { "${KEEPER[@]}" "$@"; }
measure() { # label, command…: prints wall seconds and peak RSS (KiB) into $OUT/<label>.time
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/$label.time" "$@"
}
job_seconds() { # duration of the latest job in the history, in seconds
  keeper history --limit 1 --format json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["durationMillis"]/1000)'
}
report() { # label, keys, job seconds (or -)
  read -r wall rss < "$OUT/$1.time"
  local job=$3 basis=$3
  [ "$job" = "-" ] && basis=$wall
  python3 - "$1" "$2" "$basis" "$job" "$wall" "$rss" <<'PY'
import sys
label, keys, basis, job, wall, rss = sys.argv[1:]
keys, basis, wall, rss = int(keys), float(basis), float(wall), int(rss)
print(f"{label:<28} {keys:>9,} keys  {keys/basis:>10,.0f} keys/s  job {job:>7}s  wall {wall:>7.1f}s ({keys/wall:>9,.0f} keys/s)  peak RSS {rss/1024:>7.0f} MiB")
PY
}

echo "generating $COUNT states (map snapshot for the worker, JSON Lines for redis-cli)…" >&2
keeper generate --to "snapshot:$OUT/states.json" --count "$COUNT" --map --seed 42 >&2
keeper generate --to "snapshot:$OUT/states.jsonl" --count "$COUNT" --seed 42 >&2
python3 bench/jsonl_to_resp.py < "$OUT/states.jsonl" > "$OUT/states.resp"

redis-cli -p "$PORT" flushall >/dev/null
measure redis-cli-pipe sh -c "redis-cli -p $PORT --pipe < $OUT/states.resp > $OUT/pipe.log"
PIPED=$(redis-cli -p "$PORT" dbsize)

redis-cli -p "$PORT" flushall >/dev/null
measure snapshot-to-redis "${KEEPER[@]}" migrate --from "snapshot:$OUT/states.json" --to "$REDIS/0" --no-verify > "$OUT/snapshot-to-redis.out"
S2R_JOB=$(job_seconds); S2R_KEYS=$(redis-cli -p "$PORT" dbsize)

measure redis-to-redis "${KEEPER[@]}" migrate --from "$REDIS/0" --to "$REDIS/1" --no-verify > "$OUT/redis-to-redis.out"
R2R_JOB=$(job_seconds); R2R_KEYS=$(redis-cli -p "$PORT" -n 1 dbsize)

redis-cli -p "$PORT" flushall >/dev/null
measure snapshot-to-redis-256m java -Xmx256m -Dkeeper.data-dir="$OUT/data" -jar "$JAR" migrate --from "snapshot:$OUT/states.json" --to "$REDIS/0" > "$OUT/snapshot-to-redis-256m.out"
SMALL_JOB=$(job_seconds); SMALL_KEYS=$(redis-cli -p "$PORT" dbsize)

echo
echo "== migrate benchmark: $COUNT states, $(nproc) cores, redis $(redis-server --version | awk '{print $3}')"
report redis-cli-pipe "$PIPED" -
report snapshot-to-redis "$S2R_KEYS" "$S2R_JOB"
report redis-to-redis "$R2R_KEYS" "$R2R_JOB"
report snapshot-to-redis-256m "$SMALL_KEYS" "$SMALL_JOB"
grep -h "verify:" "$OUT/snapshot-to-redis-256m.out" || true
