#!/usr/bin/env bash
# Gentleness benchmark: what the worker costs the service sharing its Redis. N generated states
# (default 1,000,000), then a probe client (bench/Probe.java: a GET of a 2.6 KB value every 2 ms, as
# the service does) measures its latency while nothing runs (10 s), while `redis-cli --memkeys` runs
# (the reference), and while the worker's `report`, `report --no-values`, `enforce-ttl` and
# `purge --dry-run` run with their defaults, then `report` and `report --no-values` with the limits
# off (`--latency-budget 0 --max-rate 0`). Target: with its defaults the worker adds no more p99 than
# `--memkeys` (+0.3 ms at most) while running at least as fast. A phase that fails is shown as
# `failed` and the run goes on. keys/s: the worker's over its job's recorded duration, `--memkeys`'
# over its wall time. Usage: bench/gentle.sh [COUNT]   (BENCH_SKIP_BUILD=1 reuses the jar)
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-1000000}
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

echo "generating $COUNT states into Redis…" >&2
keeper generate --to "$REDIS/0" --count "$COUNT" --seed 42 --latency-budget 0 --max-rate 0 >&2
KEYS=$(redis-cli -p "$PORT" dbsize)
echo "used_memory: $(redis-cli -p "$PORT" info memory | grep '^used_memory_human' | tr -d '\r')" >&2

# phase LABEL COMMAND…: the probe measures while the command runs; into $OUT/gentle-LABEL.*: the
# probe's figures (.probe) and every probe (.raw), the command's wall time and RSS (.time),
# redis-server's CPU (.redis), its exit status (.rc), the worker's job from the history (.job)
phase() {
  local label=$1; shift
  local ready="$OUT/gentle-$label.ready"
  rm -f "$ready" "$OUT/gentle-$label.probe" "$OUT/gentle-$label.rc"
  java -Xmx64m -XX:+UseSerialGC bench/Probe.java --port "$PORT" --key bench:probe --interval-ms 2 \
    --ready "$ready" --out "$OUT/gentle-$label.probe" --raw "$OUT/gentle-$label.raw" 2> "$OUT/gentle-$label.probe.err" &
  PROBE_PID=$!
  until [ -f "$ready" ]; do
    kill -0 "$PROBE_PID" 2>/dev/null || { echo "probe did not start: $(cat "$OUT/gentle-$label.probe.err")" >&2; exit 1; }
    sleep 0.1
  done
  echo "phase $label…" >&2
  local rc=0
  local before; before=$(redis_cpu)
  /usr/bin/time -f "%e %M" -o "$OUT/gentle-$label.time" "$@" > "$OUT/gentle-$label.out" 2> "$OUT/gentle-$label.err" || rc=$?
  python3 -c "print(round($(redis_cpu) - $before, 3))" > "$OUT/gentle-$label.redis"
  stop_probe
  echo "$rc" > "$OUT/gentle-$label.rc"
  # the worker's job: its duration, start and end (only if it ran: else history holds an older job)
  if [ "$rc" = 0 ] && [ "$1" = java ]; then
    keeper history --limit 1 --format json > "$OUT/gentle-$label.job" 2>/dev/null || rm -f "$OUT/gentle-$label.job"
  fi
  [ "$rc" = 0 ] || echo "phase $label failed (exit $rc): $(head -c 300 "$OUT/gentle-$label.err")" >&2
}

W=("${KEEPER[@]}")
S="$REDIS/0"
OFF=(--latency-budget 0 --max-rate 0)
phase idle sleep 10
phase memkeys redis-cli -p "$PORT" --memkeys
phase report "${W[@]}" report --store "$S" --format json
phase report-no-values "${W[@]}" report --store "$S" --no-values --format json
phase enforce-ttl "${W[@]}" enforce-ttl --store "$S"
phase purge-dry-run "${W[@]}" purge --store "$S" --dry-run
phase report-off "${W[@]}" report --store "$S" --format json "${OFF[@]}"
phase report-no-values-off "${W[@]}" report --store "$S" --no-values --format json "${OFF[@]}"

echo
echo "== gentleness benchmark: $KEYS keys, $(nproc) cores, redis $(redis-server --version | awk '{print $3}')," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT" "$KEYS" <<'PY'
import datetime, json, os, re, sys
out, keys = sys.argv[1], int(sys.argv[2])
phases = [("idle", "nothing (10 s)"), ("memkeys", "redis-cli --memkeys"),
          ("report", "report"), ("report-no-values", "report --no-values"),
          ("enforce-ttl", "enforce-ttl"), ("purge-dry-run", "purge --dry-run"),
          ("report-off", "report, limits off"), ("report-no-values-off", "report --no-values, limits off")]
DEFAULTS = ("report", "report-no-values", "enforce-ttl", "purge-dry-run")

def read(label, ext):
    path = os.path.join(out, f"gentle-{label}.{ext}")
    return open(path).read().strip() if os.path.exists(path) else None

def epoch_micros(local):  # the history's local date-time, nanoseconds cut to microseconds
    head, _, frac = local.partition(".")
    return int(datetime.datetime.fromisoformat(head).timestamp() * 1e6) + int((frac + "000000")[:6])

def p99(values):
    values = sorted(values)
    return values[max(0, -(-99 * len(values) // 100) - 1)] / 1000 if values else None

rows = {}
for label, name in phases:
    rc, probe = read(label, "rc"), read(label, "probe")
    row = {"name": name, "ok": rc == "0" and probe is not None, "rate": None, "job_p99": None}
    if probe:
        count, p50, p90, p99_, p999, mx = probe.splitlines()[0].split()
        row.update(samples=int(count), p50=float(p50), p99=float(p99_), max=float(mx),
                   sent_p99=float(probe.splitlines()[1].split()[3]))
    if row["ok"] and label == "memkeys":
        wall = float(read(label, "time").splitlines()[-1].split()[0])
        sampled = re.search(r"Sampled (\d+) keys", read(label, "out") or "")
        row["rate"] = int(sampled.group(1)) / wall if sampled else None
    elif row["ok"] and (read(label, "job") or "").startswith("["):
        job = json.loads(read(label, "job"))[0]
        row["rate"] = keys / (job["durationMillis"] / 1000)
        start, end = epoch_micros(job["start"]), epoch_micros(job["end"])
        within = [int(f[1]) for f in (line.split() for line in open(os.path.join(out, f"gentle-{label}.raw")))
                  if start <= int(f[0]) <= end]
        row["job_p99"] = p99(within)
    rows[label] = row

def ms(v): return f"{v:.3f}" if v is not None else "—"
def added(row, ref):
    if not row["ok"] or not rows[ref]["ok"]: return "—"
    return f"{row['p99'] - rows[ref]['p99']:+.3f}"

print("probe: GET of 2,600 bytes every 2 ms; latency in ms from when each GET was due, over the whole")
print("phase (JVM start included); 'in job': the probes due during the worker's job only; 'sent': p99")
print("from when each GET was sent (Redis and the network alone, without the probe's own delays)")
print()
print(f"{'phase':<31} {'keys/s':>8} {'probes':>6} {'p50':>6} {'p99':>7} {'max':>7} {'in job':>7} {'sent':>7}"
      f" {'+idle':>7} {'+memkeys':>8}")
for label, _ in phases:
    r = rows[label]
    if not r["ok"]:
        print(f"{r['name']:<31} {'failed':>8}")
        continue
    rate = f"{r['rate']:,.0f}" if r["rate"] else "—"
    print(f"{r['name']:<31} {rate:>8} {r['samples']:>6} {ms(r['p50']):>6} {ms(r['p99']):>7} {ms(r['max']):>7}"
          f" {ms(r['job_p99']):>7} {ms(r['sent_p99']):>7} {added(r, 'idle'):>7} {added(r, 'memkeys'):>8}")

print()
ref = rows["memkeys"]
if rows["idle"]["ok"] and rows["idle"]["p99"] > 1:
    print(f"warning: p99 {rows['idle']['p99']:.3f} ms with nothing running: the machine is busy, the figures"
          " are not comparable with a quiet run")
for label in DEFAULTS:
    r = rows[label]
    if not r["ok"] or not ref["ok"]:
        print(f"target, {r['name']}: not measured (a phase failed)")
        continue
    latency_ok = r["p99"] <= ref["p99"] + 0.3
    speed_ok = r["rate"] is not None and ref["rate"] is not None and r["rate"] >= ref["rate"]
    print(f"target, {r['name']}: p99 {r['p99']:.3f} ms, at most {ref['p99'] + 0.3:.3f} "
          f"({'ok' if latency_ok else 'missed'}); {r['rate'] or 0:,.0f} keys/s, at least {ref['rate'] or 0:,.0f} "
          f"({'ok' if speed_ok else 'missed'}) → {'MET' if latency_ok and speed_ok else 'MISSED'}")
PY
