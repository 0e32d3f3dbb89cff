#!/usr/bin/env bash
# Library benchmark: `alpha workflow list` and `show` on 1,000 workflows, next to SQLite answering
# the same query in the same run (sqlite3 CLI when installed, else Python's sqlite3 module).
# Usage: benches/list.sh [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-9}
cargo build --release --quiet
alpha=$PWD/target/release/alpha
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ALPHA_HOME=$work/home
mkdir -p "$work/files"
python3 - "$work/files" <<'PY'
import sys
for i in range(1000):
    open(f"{sys.argv[1]}/w{i:04}.yaml", "w").write(
        f"name: Workflow {i:04}\ntags: [t{i % 10}, bench]\ndescription: benchmark workflow {i}\n"
        f"steps:\n  - {{ id: a, tool: shell, action: run, parameters: {{ command: echo {i} }} }}\n")
PY
"$alpha" workflow import "$work"/files/*.yaml >/dev/null
db=$ALPHA_HOME/alpha.db
query="SELECT id, definition, created_at, updated_at, execution_count, last_executed, (SELECT status FROM workflow_executions e WHERE e.workflow_id = w.id ORDER BY started_at DESC LIMIT 1) FROM workflows w ORDER BY name COLLATE NOCASE"
if command -v sqlite3 >/dev/null; then
  baseline=(sqlite3 "$db" "$query")
  label=sqlite3
else
  baseline=(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(len(c.execute(sys.argv[2]).fetchall()))" "$db" "$query")
  label="python3 sqlite3"
fi
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_us() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
measure() { for _ in $(seq "$repeats"); do time_us "$@"; done | median; }
list=$(measure "$alpha" workflow list)
show=$(measure "$alpha" workflow show "Workflow 0500")
base=$(measure "${baseline[@]}")
printf 'library of 1,000 workflows (median of %s runs, wall time)\n' "$repeats"
printf '  alpha workflow list   : %6.1f ms (%.2fx %s)\n' "$(echo "$list/1000" | bc -l)" "$(echo "$list/$base" | bc -l)" "$label"
printf '  alpha workflow show   : %6.1f ms (%.2fx %s)\n' "$(echo "$show/1000" | bc -l)" "$(echo "$show/$base" | bc -l)" "$label"
printf '  %-21s : %6.1f ms\n' "$label" "$(echo "$base/1000" | bc -l)"
