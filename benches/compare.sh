#!/usr/bin/env bash
# alpha next to the tools a user would otherwise pick, all timed in one run on one machine and
# reported as ratios (these machines are noisy; only same-run ratios mean anything):
#   200 sequential /bin/true steps: alpha (recording each run and step) vs a `bash -e` script,
#     GNU make, just (cargo install) and doit (pip);
#   1,000 sequential /bin/true steps: alpha vs make and bash;
#   64 parallel `sleep 0.2`: alpha's parallel group and dag mode vs `make -j64`, just [parallel]
#     and one `sleep 0.2`;
#   startup, list on 1,000 workflows, validation and mining: the other bench scripts and benches.
# Peers are installed into target/bench-tools on first use.
# Usage: benches/compare.sh [REPEATS]   (default 9; medians)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-9}
root=$PWD
tools=$root/target/bench-tools
mkdir -p "$tools"

echo "== building alpha (release) and installing peers" >&2
cargo build --release --quiet
alpha=$root/target/release/alpha
if [ ! -x "$tools/bin/just" ]; then
  cargo install just --locked --quiet --root "$tools" >&2
fi
just=$tools/bin/just
if [ ! -d "$tools/py/doit" ]; then
  python3 -m pip install --quiet --disable-pip-version-check --target "$tools/py" doit==0.36.0 >&2
fi
doit() { PYTHONPATH="$tools/py" python3 -m doit "$@"; }
command -v make >/dev/null || { echo "GNU make is needed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ALPHA_HOME=$work/home
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
n, p, big = 200, 64, 1000
seq = "\n".join(f"  - {{ id: s{i}, tool: shell, action: run, parameters: {{ command: /bin/true }} }}" for i in range(n))
open(f"{w}/seq.yaml", "w").write("name: Seq200\nsteps:\n" + seq + "\n")
par = "\n".join(f"      - {{ id: p{i}, tool: shell, action: run, parameters: {{ command: sleep 0.2 }} }}" for i in range(p))
open(f"{w}/par.yaml", "w").write("name: Par64\nsteps:\n  - parallel:\n" + par + "\n")
dag = "\n".join(f"  - {{ id: d{i}, tool: shell, action: run, parameters: {{ command: sleep 0.2 }} }}" for i in range(p))
open(f"{w}/dag.yaml", "w").write("name: Dag64\nexecution: { mode: dag }\nsteps:\n" + dag + "\n")
open(f"{w}/seq.sh", "w").write("set -e\n" + "\n".join("/bin/true" for _ in range(n)) + "\n")
seq1k = "\n".join(f"  - {{ id: s{i}, tool: shell, action: run, parameters: {{ command: /bin/true }} }}" for i in range(big))
open(f"{w}/seq1k.yaml", "w").write("name: Seq1000\nsteps:\n" + seq1k + "\n")
open(f"{w}/seq1k.sh", "w").write("set -e\n" + "\n".join("/bin/true" for _ in range(big)) + "\n")
open(f"{w}/Makefile1k", "w").write(".PHONY: seq\nseq:\n" + "".join("\t/bin/true\n" for _ in range(big)))
targets = " ".join(f"p{i}" for i in range(p))
open(f"{w}/Makefile", "w").write(
    ".PHONY: seq par " + targets + "\nseq:\n" + "".join("\t/bin/true\n" for _ in range(n))
    + f"par: {targets}\n" + "".join(f"p{i}:\n\tsleep 0.2\n" for i in range(p)))
open(f"{w}/justfile", "w").write(
    "seq:\n" + "".join("    /bin/true\n" for _ in range(n))
    + f"[parallel]\npar: {targets}\n" + "".join(f"p{i}:\n    sleep 0.2\n" for i in range(p)))
open(f"{w}/dodo.py", "w").write(
    "DOIT_CONFIG = {'verbosity': 0, 'dep_file': '.doit.db'}\n"
    f"def task_seq():\n    return {{'actions': ['/bin/true'] * {n}, 'uptodate': [False]}}\n")
PY

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_ms() { local s e; s=$(date +%s%N); (cd "$work" && "$@") >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
measure() { for _ in $(seq "$repeats"); do time_ms "$@"; done | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; }

echo "== timing peers (median of $repeats)" >&2
"$alpha" workflow run "$work/seq.yaml" >/dev/null # warm up and create the database
seq_alpha=$(measure "$alpha" workflow run "$work/seq.yaml")
seq_bash=$(measure bash -e "$work/seq.sh")
seq_make=$(measure make -s -f "$work/Makefile" seq)
seq_just=$(measure "$just" --justfile "$work/justfile" --working-directory "$work" seq)
seq_doit=$(measure doit -f "$work/dodo.py" seq)
big_alpha=$(measure "$alpha" workflow run "$work/seq1k.yaml")
big_bash=$(measure bash -e "$work/seq1k.sh")
big_make=$(measure make -s -f "$work/Makefile1k" seq)
par_alpha=$(measure "$alpha" workflow run "$work/par.yaml")
par_dag=$(measure "$alpha" workflow run "$work/dag.yaml")
par_make=$(measure make -s -j64 -f "$work/Makefile" par)
par_just=$(measure "$just" --justfile "$work/justfile" --working-directory "$work" par)
par_sleep=$(measure sleep 0.2)

peak_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
mem_alpha=$(for _ in 1 2 3; do (cd "$work" && peak_kb "$alpha" workflow run "$work/seq.yaml"); done | median)
mem_make=$(for _ in 1 2 3; do (cd "$work" && peak_kb make -s -f "$work/Makefile" seq); done | median)

echo "== startup, list, validation, mining" >&2
startup=$(benches/startup.sh 20)
list=$(benches/list.sh 9)
validate=$(cargo bench --quiet --bench validate 2>/dev/null)
parse=$(cargo bench --quiet --bench parse 2>/dev/null)
mine=$(cargo bench --quiet --bench mine 2>/dev/null)

echo
echo "alpha vs peers on $(nproc) cores, $(date -u +%Y-%m-%d), median of $repeats runs; ratio = tool / baseline"
echo
echo "| work | tool | time | ratio | baseline |"
echo "|---|---|---|---|---|"
echo "| 200 × /bin/true | alpha (recorded) | ${seq_alpha} ms | $(ratio "$seq_alpha" "$seq_bash") | bash -e ${seq_bash} ms |"
echo "| 200 × /bin/true | make | ${seq_make} ms | $(ratio "$seq_make" "$seq_bash") | bash -e |"
echo "| 200 × /bin/true | just | ${seq_just} ms | $(ratio "$seq_just" "$seq_bash") | bash -e |"
echo "| 200 × /bin/true | doit | ${seq_doit} ms | $(ratio "$seq_doit" "$seq_bash") | bash -e |"
echo "| 200 × /bin/true | alpha / make | | $(ratio "$seq_alpha" "$seq_make") | make ${seq_make} ms |"
echo "| 1,000 × /bin/true | alpha (recorded) | ${big_alpha} ms | $(ratio "$big_alpha" "$big_make") | make ${big_make} ms |"
echo "| 1,000 × /bin/true | bash -e | ${big_bash} ms | $(ratio "$big_bash" "$big_make") | make |"
echo "| 64 × sleep 0.2 in parallel | alpha parallel group | ${par_alpha} ms | $(ratio "$par_alpha" "$par_sleep") | one sleep ${par_sleep} ms |"
echo "| 64 × sleep 0.2 in parallel | alpha dag mode | ${par_dag} ms | $(ratio "$par_dag" "$par_sleep") | one sleep |"
echo "| 64 × sleep 0.2 in parallel | make -j64 | ${par_make} ms | $(ratio "$par_make" "$par_sleep") | one sleep |"
echo "| 64 × sleep 0.2 in parallel | just [parallel] | ${par_just} ms | $(ratio "$par_just" "$par_sleep") | one sleep |"
echo
echo "$startup"
echo
echo "$list"
echo
echo "$validate"
echo
echo "$parse"
echo
echo "$mine"

# The issue's goals, each from the figures above.
list_ms=$(sed -n 's/^  alpha workflow list *: *\([0-9.]*\) ms (\([0-9.]*\)x.*/\1/p' <<<"$list")
list_ratio=$(sed -n 's/^  alpha workflow list *: *[0-9.]* ms (\([0-9.]*\)x.*/\1/p' <<<"$list")
json_ms=$(sed -n 's/^  alpha load+validate (JSON) *: *\([0-9.]*\) ms.*/\1/p' <<<"$validate")
yaml_ms=$(sed -n 's/^  alpha load+validate (YAML) *: *\([0-9.]*\) ms.*/\1/p' <<<"$validate")
chat_ms=$(sed -n 's/^  \.\.\. 1,000 workflows.*: *\([0-9.]*\) ms.*/\1/p' <<<"$startup")
verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v <= g ? "met" : "not met") }'; }
r() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "| goal | measured | target | |"
echo "|---|---|---|---|"
echo "| 200 no-op steps, alpha / make | $(r "$seq_alpha" "$seq_make")× | ≤ 1.0× | $(verdict "$(r "$seq_alpha" "$seq_make")" 1.0) |"
echo "| 1,000 no-op steps, alpha / make | $(r "$big_alpha" "$big_make")× | ≤ 1.0× | $(verdict "$(r "$big_alpha" "$big_make")" 1.0) |"
echo "| 64 parallel sleep 0.2, group / one sleep | $(r "$par_alpha" "$par_sleep")× | ≤ 1.1× | $(verdict "$(r "$par_alpha" "$par_sleep")" 1.1) |"
echo "| 64 parallel sleep 0.2, dag / one sleep | $(r "$par_dag" "$par_sleep")× | ≤ 1.1× | $(verdict "$(r "$par_dag" "$par_sleep")" 1.1) |"
echo "| (make -j64 / one sleep, for reference) | $(r "$par_make" "$par_sleep")× | | |"
echo "| workflow list, 1,000 workflows / sqlite3 | ${list_ratio}× | ≤ 1.5× | $(verdict "$list_ratio" 1.5) |"
echo "| workflow list, 1,000 workflows | ${list_ms} ms | ≤ 10 ms | $(verdict "$list_ms" 10) |"
echo "| validate 1,000 steps, YAML | ${yaml_ms} ms | ≤ 10 ms | $(verdict "$yaml_ms" 10) |"
echo "| validate 1,000 steps, JSON | ${json_ms} ms | ≤ 5 ms | $(verdict "$json_ms" 5) |"
echo "| peak memory, 200-step run (make: $((mem_make / 1024)) MB) | $((mem_alpha / 1024)) MB | ≤ 20 MB | $(verdict "$mem_alpha" 20480) |"
echo "| chat ready, 1,000 workflows and a 100,000-line history | ${chat_ms} ms | < 20 ms | $(verdict "$chat_ms" 20) |"
