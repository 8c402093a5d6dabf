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

# redis_cpu: the CPU seconds the benchmark's redis-server has used so far (user + system)
redis_cpu() {
  redis-cli -p "$PORT" info cpu | tr -d '\r' | awk -F: '/^used_cpu_(user|sys):/ {s += $2} END {printf "%.3f", s}'
}

# measure LABEL COMMAND…: wall seconds and peak RSS (KiB) of the command into $OUT/LABEL.time, and
# the CPU seconds redis-server spent meanwhile into $OUT/LABEL.redis
measure() {
  local label=$1; shift
  local before; before=$(redis_cpu)
  /usr/bin/time -f "%e %M" -o "$OUT/$label.time" "$@"
  python3 -c "print(round($(redis_cpu) - $before, 3))" > "$OUT/$label.redis"
}

# job_seconds: the duration of the latest job in the history
job_seconds() {
  keeper history --limit 1 --format json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["durationMillis"]/1000)'
}

# report LABEL KEYS JOB_SECONDS|-: one line of figures; keys/s over the job's duration, else the wall
# time; then redis-server's CPU per key, and how busy it was over that time (the ceiling: a pass that
# keeps redis-server 100% busy cannot go faster with the same commands per key)
report() {
  read -r wall rss < "$OUT/$1.time"
  local job=$3 basis=$3 redis=0
  [ -f "$OUT/$1.redis" ] && redis=$(cat "$OUT/$1.redis")
  [ "$job" = "-" ] && basis=$wall
  python3 - "$1" "$2" "$basis" "$job" "$wall" "$rss" "$redis" <<'PY'
import sys
label, keys, basis, job, wall, rss, redis = sys.argv[1:]
keys, basis, wall, rss, redis = int(keys), float(basis), float(wall), int(rss), float(redis)
print(f"{label:<18} {keys:>9,} keys {keys/basis:>9,.0f} keys/s  job {job:>7}s  wall {wall:>6.1f}s ({keys/wall:>8,.0f}/s)"
      f"  RSS {rss/1024:>5.0f} MiB  redis {redis*1e6/keys:>5.2f} us/key, {min(100, 100*redis/basis):>3.0f}% busy")
PY
}
