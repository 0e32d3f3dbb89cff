#!/usr/bin/env bash
# Queue benchmark: no-op runs drained by 1, 2 and 4 workers, on a SQLite library and (given a
# server) on PostgreSQL, in one session, next to the same runs started one by one with
# `alpha workflow run` on SQLite (the baseline); and the claim latency, from a run's enqueue to
# its start, read from the records alpha keeps (run_queue.enqueued_at, the run's started_at).
# Usage: benches/workers.sh [RUNS]   (default 200)
#   ALPHA_BENCH_POSTGRES_URL=postgres://user:pw@host:port/postgres  a server where the user may
#   create databases; the benchmark makes one of its own and drops it after.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
cargo build --release --quiet
alpha=$PWD/target/release/alpha
work=$(mktemp -d)
pids=()
bench_db=""
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  [ -n "$bench_db" ] && psql -q "$ALPHA_BENCH_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $bench_db WITH (FORCE)" || true
  rm -rf "$work"
}
trap cleanup EXIT
export ALPHA_HOME=$work/home NO_COLOR=1 ALPHA_WORKER_POLL_MS=${ALPHA_WORKER_POLL_MS:-100}
printf 'name: Noop\nsteps:\n  - {id: a, tool: shell, action: run, parameters: {command: "true"}}\n' >"$work/noop.yaml"
now() { date +%s%N; }

# sql DB QUERY: one value, from a SQLite file or a PostgreSQL URL.
sql() {
  case $1 in
    postgres*) psql -tA "$1" -c "$2" ;;
    *) python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$1" "$2" ;;
  esac
}

# Median of enqueue-to-start over the queued runs not yet measured (in ms).
latency() {
  local rows
  rows=$(case $1 in
    postgres*) psql -tA -F' ' "$1" -c "SELECT q.enqueued_at, e.started_at FROM run_queue q JOIN workflow_executions e ON e.id = q.run_id WHERE q.enqueued_at > '$2'" ;;
    *) python3 -c "import sqlite3,sys; [print(a, b) for a, b in sqlite3.connect(sys.argv[1]).execute(\"SELECT q.enqueued_at, e.started_at FROM run_queue q JOIN workflow_executions e ON e.id = q.run_id WHERE q.enqueued_at > ?\", (sys.argv[2],))]" "$1" "$2" ;;
  esac)
  printf '%s\n' "$rows" | python3 -c "
import sys, datetime, statistics
t = lambda s: datetime.datetime.fromisoformat(s.replace('Z', '+00:00'))
d = [(t(b) - t(a)).total_seconds() * 1000 for a, b in (l.split() for l in sys.stdin if l.strip())]
print(f'{statistics.median(d):.0f}')"
}

declare -A rate
# drain DB LABEL: the table rows for one library.
drain() {
  local db=$1 label=$2
  for workers in 1 2 4; do
    for _ in $(seq "$runs"); do "$alpha" --db "$db" workflow run Noop --queue >/dev/null; done
    local s e took
    s=$(now)
    pids=()
    for w in $(seq "$workers"); do "$alpha" --db "$db" worker --name "w$w" 2>/dev/null & pids+=($!); done
    while [ "$(sql "$db" "SELECT COUNT(*) FROM workflow_executions WHERE status IN ('pending','running')")" != 0 ]; do sleep 0.02; done
    e=$(now)
    kill -TERM "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
    took=$(( (e - s) / 1000000 ))
    rate[$label$workers]=$(echo "$runs*1000/$took" | bc -l)
    printf '  %-44s %7d ms  %6.1f runs/s  (%.2fx the baseline time)\n' "$label, $workers worker(s) draining the queue" "$took" \
      "${rate[$label$workers]}" "$(echo "$took/$base" | bc -l)"
  done
  # Claim latency: one idle worker; each run queued after the one before has started.
  "$alpha" --db "$db" worker --name waiting 2>/dev/null & pids=($!)
  sleep 0.5
  local since
  since=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
  for _ in $(seq 20); do
    "$alpha" --db "$db" workflow run Noop --queue --wait >/dev/null
  done
  kill -TERM "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
  printf '  %-44s %7s ms  (median of 20 enqueue-to-start times as recorded)\n' "$label, claim latency" "$(latency "$db" "$since")"
}

sqlite_db=$ALPHA_HOME/alpha.db
"$alpha" --db "$sqlite_db" workflow create --file "$work/noop.yaml" >/dev/null
s=$(now); for _ in $(seq "$runs"); do "$alpha" --db "$sqlite_db" workflow run Noop >/dev/null; done; e=$(now)
base=$(( (e - s) / 1000000 ))
printf '%s no-op runs; idle workers poll every %s ms (PostgreSQL wakes them with NOTIFY)\n' "$runs" "$ALPHA_WORKER_POLL_MS"
printf '  %-44s %7d ms  %6.1f runs/s\n' "baseline: alpha workflow run, one after another" "$base" "$(echo "$runs*1000/$base" | bc -l)"
drain "$sqlite_db" "SQLite"
if [ -n "${ALPHA_BENCH_POSTGRES_URL:-}" ]; then
  bench_db=alpha_bench_$$
  psql -q "$ALPHA_BENCH_POSTGRES_URL" -c "CREATE DATABASE $bench_db"
  pg_db=${ALPHA_BENCH_POSTGRES_URL%/*}/$bench_db
  "$alpha" --db "$pg_db" workflow create --file "$work/noop.yaml" >/dev/null
  drain "$pg_db" "PostgreSQL"
  for workers in 1 2 4; do
    printf '  PostgreSQL/SQLite runs per second, %d worker(s): %.2f\n' "$workers" \
      "$(echo "${rate[PostgreSQL$workers]}/${rate[SQLite$workers]}" | bc -l)"
  done
else
  echo "  (set ALPHA_BENCH_POSTGRES_URL to measure PostgreSQL in the same run)"
fi
