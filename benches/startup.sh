#!/usr/bin/env bash
# Startup: `alpha --version`, and `alpha` from start to a ready prompt in a pseudo-terminal,
# next to `true` started the same way in the same run (the floor of process startup); then the
# prompt again with 1,000 saved workflows and a 100,000-line bash history in $HOME to read (the
# chat reads it after the prompt is shown).
# Usage: benches/startup.sh [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-20}
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import os, sys
w = sys.argv[1]
os.makedirs(f"{w}/files", exist_ok=True)
for i in range(1000):
    open(f"{w}/files/w{i:04}.yaml", "w").write(
        f"name: Workflow {i:04}\nsteps:\n  - {{ id: a, tool: shell, action: run, parameters: {{ command: echo {i} }} }}\n")
t, out = 1780000000, []
for i in range(100000):
    t += 3 + i % 80
    out.append(f"#{t}\n" + ("git status" if i % 7 else f"make test-{i % 50}") + "\n")
open(f"{w}/bash_history_100k", "w").write("".join(out))
PY
mkdir -p "$work/big"
ALPHA_HOME=$work/big/home "$PWD/target/release/alpha" workflow import "$work"/files/*.yaml > /dev/null
cp "$work/bash_history_100k" "$work/big/.bash_history"
ALPHA_HOME=$work/home BIG_HOME=$work/big python3 - "$PWD/target/release/alpha" "$repeats" <<'PY'
import os, pty, select, statistics, subprocess, sys, time
alpha, repeats = sys.argv[1], int(sys.argv[2])

def to_prompt(big=False):
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["NO_COLOR"] = "1"
        if big:
            os.environ["HOME"] = os.environ["BIG_HOME"]
            os.environ["ALPHA_HOME"] = os.environ["BIG_HOME"] + "/home"
        os.execv(alpha, [alpha])
    seen = b""
    while b"alpha> " not in seen:
        ready, _, _ = select.select([fd], [], [], 5)
        if not ready:
            raise SystemExit("no prompt within 5s")
        seen += os.read(fd, 4096)
    elapsed = time.perf_counter() - start
    os.write(fd, b"\x04")
    os.waitpid(pid, 0)
    return elapsed

def run(argv):
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start

to_prompt()
prompt = statistics.median(to_prompt() for _ in range(repeats))
to_prompt(big=True)
big = statistics.median(to_prompt(big=True) for _ in range(repeats))
version = statistics.median(run([alpha, "--version"]) for _ in range(repeats))
floor = statistics.median(run(["true"]) for _ in range(repeats))
print(f"startup (median of {repeats})")
print(f"  true (baseline)       : {floor*1e3:6.1f} ms")
print(f"  alpha --version       : {version*1e3:6.1f} ms ({version/floor:.1f}x)")
print(f"  alpha to ready prompt : {prompt*1e3:6.1f} ms ({prompt/floor:.1f}x)")
print(f"  ... 1,000 workflows, 100,000-line history to read : {big*1e3:6.1f} ms ({big/floor:.1f}x)")
PY
