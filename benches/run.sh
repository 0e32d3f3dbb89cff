#!/usr/bin/env bash
# Run-overhead benchmark, measured against baselines in the same run (machines are noisy):
#   200 sequential /bin/true steps (recording included) vs a `bash -e` script of the same 200 commands;
#   16 parallel `sleep 0.2` steps vs one `sleep 0.2`.
# Usage: benches/run.sh [REPEATS]   (default 7; prints medians and ratios)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-7}
cargo build --release --quiet
alpha=$PWD/target/release/alpha
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ALPHA_HOME=$work/home
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
steps = "\n".join(f"  - {{ id: s{i}, tool: shell, action: run, parameters: {{ command: /bin/true }} }}" for i in range(200))
open(f"{w}/seq.yaml", "w").write("name: Seq200\nsteps:\n" + steps + "\n")
open(f"{w}/seq.sh", "w").write("set -e\n" + "\n".join("/bin/true" for _ in range(200)) + "\n")
par = "\n".join(f"      - {{ id: p{i}, tool: shell, action: run, parameters: {{ command: sleep 0.2 }} }}" for i in range(16))
open(f"{w}/par.yaml", "w").write("name: Par16\nsteps:\n  - parallel:\n" + par + "\n")
PY
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
measure() { for _ in $(seq "$repeats"); do time_ms "$@"; done | median; }
"$alpha" workflow run "$work/seq.yaml" >/dev/null # warm up and create the database
seq_alpha=$(measure "$alpha" workflow run "$work/seq.yaml")
seq_bash=$(measure bash -e "$work/seq.sh")
par_alpha=$(measure "$alpha" workflow run "$work/par.yaml")
par_sleep=$(measure sleep 0.2)
printf '%-44s %8s %8s %7s\n' "benchmark (median of $repeats)" "alpha" "baseline" "ratio"
printf '%-44s %6sms %6sms %6.2fx\n' "200 x /bin/true, recorded (vs bash -e)" "$seq_alpha" "$seq_bash" "$(echo "$seq_alpha / $seq_bash" | bc -l)"
printf '%-44s %6sms %6sms %6.2fx\n' "16 parallel sleep 0.2 (vs one sleep 0.2)" "$par_alpha" "$par_sleep" "$(echo "$par_alpha / $par_sleep" | bc -l)"
