#!/usr/bin/env bash
# Bounded capture at full size: peak memory of alpha (GNU time's maximum resident set) and the
# database's size after each of
#   a step printing SIZE of lines           (yes | head -c SIZE)
#   a step printing one line of SIZE_LINE   (head -c SIZE_LINE /dev/zero | tr '\0' x)
#   an HTTP GET of a SIZE body              (a python server on 127.0.0.1 streaming zeros)
#   a file read of a SIZE_FILE file
# against the same peak of `cat` on the same stream, in the same run (the baseline: a process
# that only moves the bytes). Logs are pruned by a small `logs.max_total` so the disk is not
# filled by the log files the runs write.
# Usage: benches/memory.sh [SIZE] [SIZE_LINE] [SIZE_FILE]   (defaults 2000000000 300000000 1500000000;
# ALPHA_BIN=path uses that binary instead of building one)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-2000000000}
line=${2:-300000000}
file_size=${3:-1500000000}
if [ -z "${ALPHA_BIN:-}" ]; then cargo build --release --quiet; fi
alpha=${ALPHA_BIN:-$PWD/target/release/alpha}
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
export ALPHA_HOME=$work/home HOME=$work NO_COLOR=1
mkdir -p "$work/.config/alpha"
printf 'logs: { max_total: 1MiB }\n' > "$work/.config/alpha/config.yaml"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$port" "$size" <<'PY' &
import sys, http.server
port, size = int(sys.argv[1]), int(sys.argv[2])
chunk = b"0" * (1 << 20)
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        left = size
        while left > 0:
            n = min(left, len(chunk))
            self.wfile.write(chunk[:n])
            left -= n
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
PY
server=$!
head -c "$file_size" /dev/zero | tr '\0' 'y' > "$work/big.txt"

cat > "$work/lines.yaml" <<EOF
name: Lines
steps:
  - { id: print, tool: shell, action: run, parameters: { command: "yes | head -c $size" } }
EOF
cat > "$work/line.yaml" <<EOF
name: Line
steps:
  - { id: print, tool: shell, action: run, parameters: { command: "head -c $line /dev/zero | tr '\\\\0' x" } }
EOF
cat > "$work/http.yaml" <<EOF
name: Body
steps:
  - { id: get, tool: http, action: get, parameters: { url: "http://127.0.0.1:$port/big" } }
EOF
cat > "$work/read.yaml" <<EOF
name: Read
steps:
  - { id: read, tool: file, action: read, parameters: { path: "$work/big.txt" } }
EOF
python3 -c "import time,urllib.request
for _ in range(100):
    try: urllib.request.urlopen('http://127.0.0.1:$port/', timeout=1).close(); break
    except Exception: time.sleep(0.1)" 2>/dev/null || true

peak_kb() { /usr/bin/time -f '%M' -o "$work/peak" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; cat "$work/peak"; }
db_kb() { du -k "$ALPHA_HOME"/alpha.db* | awk '{s+=$1} END {print s}'; }

printf '| case | alpha peak | baseline peak (same stream) | database after |\n|---|---|---|---|\n'
for case in lines line http read; do
  case $case in
    lines) base=(sh -c "yes | head -c $size | cat"); label="step printing $size bytes of lines" ;;
    line) base=(sh -c "head -c $line /dev/zero | tr '\\0' x | cat"); label="step printing one $line-byte line" ;;
    http) base=(sh -c "curl -s http://127.0.0.1:$port/big | cat"); label="HTTP body of $size bytes" ;;
    read) base=(cat "$work/big.txt"); label="file read of $file_size bytes" ;;
  esac
  a=$(peak_kb "$alpha" workflow run "$work/$case.yaml")
  b=$(peak_kb "${base[@]}")
  printf '| %s | %d MB | %d MB | %d KB |\n' "$label" $((a / 1024)) $((b / 1024)) "$(db_kb)"
done
