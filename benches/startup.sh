#!/usr/bin/env bash
# Startup: `alpha --version`, and `alpha` from start to a ready prompt in a pseudo-terminal,
# next to `true` started the same way in the same run (the floor of process startup).
# Usage: benches/startup.sh [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-20}
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ALPHA_HOME=$work/home python3 - "$PWD/target/release/alpha" "$repeats" <<'PY'
import os, pty, select, statistics, subprocess, sys, time
alpha, repeats = sys.argv[1], int(sys.argv[2])

def to_prompt():
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["NO_COLOR"] = "1"
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
version = statistics.median(run([alpha, "--version"]) for _ in range(repeats))
floor = statistics.median(run(["true"]) for _ in range(repeats))
print(f"startup (median of {repeats})")
print(f"  true (baseline)       : {floor*1e3:6.1f} ms")
print(f"  alpha --version       : {version*1e3:6.1f} ms ({version/floor:.1f}x)")
print(f"  alpha to ready prompt : {prompt*1e3:6.1f} ms ({prompt/floor:.1f}x)")
PY
