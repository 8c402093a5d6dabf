# Shared by the benchmark scripts: a dedicated redis-server, the worker's command, and the timing of
# each measured command. Source it from the repository root after setting COUNT.
OUT="$(pwd)/bench/out"
mkdir -p "$OUT"
rm -rf "$OUT/data"
JAR=target/workflow-keeper.jar
# Always measure the current code (BENCH_SKIP_BUILD=1 to reuse the jar).
[ "${BENCH_SKIP_BUILD:-0}" = 1 ] && [ -f "$JAR" ] || ./mvnw -q -ntp -DskipTests package
PORT=${BENCH_REDIS_PORT:-6390}
redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --dir "$OUT" --logfile "$OUT/redis.log" --pidfile "$OUT/redis.pid"
trap 'redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true' EXIT
until redis-cli -p "$PORT" ping >/dev/null 2>&1; do sleep 0.1; done
REDIS="redis://127.0.0.1:$PORT"
KEEPER=(java -Dkeeper.data-dir="$OUT/data" -jar "$JAR")
keeper() { "${KEEPER[@]}" "$@"; }

# measure LABEL COMMAND…: wall seconds and peak RSS (KiB) of the command into $OUT/LABEL.time
measure() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/$label.time" "$@"
}

# job_seconds: the duration of the latest job in the history
job_seconds() {
  keeper history --limit 1 --format json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["durationMillis"]/1000)'
}

# report LABEL KEYS JOB_SECONDS|-: one line of figures; keys/s over the job's duration, else the wall time
report() {
  read -r wall rss < "$OUT/$1.time"
  local job=$3 basis=$3
  [ "$job" = "-" ] && basis=$wall
  python3 - "$1" "$2" "$basis" "$job" "$wall" "$rss" <<'PY'
import sys
label, keys, basis, job, wall, rss = sys.argv[1:]
keys, basis, wall, rss = int(keys), float(basis), float(wall), int(rss)
print(f"{label:<24} {keys:>9,} keys  {keys/basis:>10,.0f} keys/s  job {job:>7}s  wall {wall:>7.1f}s ({keys/wall:>9,.0f} keys/s)  peak RSS {rss/1024:>7.0f} MiB")
PY
}
