#!/usr/bin/env bash
# Queue benchmark: no-op runs drained by 1, 2 and 4 workers from one SQLite library, next to the
# same runs started one by one with `alpha workflow run` in the same session (the baseline), and
# the claim latency: from `run --queue` returning to a waiting worker taking the run.
# Usage: benches/workers.sh [RUNS]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
cargo build --release --quiet
alpha=$PWD/target/release/alpha
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
export ALPHA_HOME=$work/home NO_COLOR=1 ALPHA_WORKER_POLL_MS=${ALPHA_WORKER_POLL_MS:-100}
printf 'name: Noop\nsteps:\n  - {id: a, tool: shell, action: run, parameters: {command: "true"}}\n' >"$work/noop.yaml"
"$alpha" workflow create --file "$work/noop.yaml" >/dev/null
db=$ALPHA_HOME/alpha.db
pending() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT COUNT(*) FROM workflow_executions WHERE status IN ('pending','running')\").fetchone()[0])" "$db"; }
now() { date +%s%N; }
s=$(now); for _ in $(seq "$runs"); do "$alpha" workflow run Noop >/dev/null; done; e=$(now)
base=$(( (e - s) / 1000000 ))
printf '%s no-op runs, one SQLite library\n' "$runs"
printf '  %-34s %7d ms  %6.1f runs/s\n' "alpha workflow run, one after another" "$base" "$(echo "$runs*1000/$base" | bc -l)"
for workers in 1 2 4; do
  for _ in $(seq "$runs"); do "$alpha" workflow run Noop --queue >/dev/null; done
  s=$(now)
  pids=()
  for w in $(seq "$workers"); do "$alpha" worker --name "w$w" 2>/dev/null & pids+=($!); done
  while [ "$(pending)" != 0 ]; do sleep 0.02; done
  e=$(now)
  kill -TERM "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
  took=$(( (e - s) / 1000000 ))
  printf '  %-34s %7d ms  %6.1f runs/s  (%.2fx the baseline time)\n' "$workers worker(s) draining the queue" "$took" \
    "$(echo "$runs*1000/$took" | bc -l)" "$(echo "$took/$base" | bc -l)"
done
# Claim latency: one idle worker; each run queued, then timed until it leaves `pending`.
"$alpha" worker --name waiting 2>/dev/null & pids=($!)
sleep 0.5
lat=()
for _ in $(seq 20); do
  id=$("$alpha" workflow run Noop --queue)
  s=$(now)
  while [ "$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT status FROM workflow_executions WHERE id=?', (sys.argv[2],)).fetchone()[0])" "$db" "$id")" = pending ]; do sleep 0.005; done
  lat+=($(( ($(now) - s) / 1000000 )))
done
kill -TERM "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
median=$(printf '%s\n' "${lat[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf '  %-34s %7s ms  (median of 20; idle workers poll every %s ms; the check itself takes ~40 ms here)\n' \
  "claim latency, queue to start" "$median" "$ALPHA_WORKER_POLL_MS"
