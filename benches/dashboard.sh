#!/usr/bin/env bash
# Dashboard benchmark (issue: workflows page and runs grid under 100 ms with 1,000 workflows and
# 10,000 recorded runs; a step event on an open page under 200 ms).
#   Server time is the `Server-Timing` header alpha serve sets (the handler, its database reads
#   and the page render), the median of REPEATS requests; next to it, in the same run, the same
#   server answering a static asset (the HTTP floor) and SQLite answering the list query alone.
#   Event latency: a step prints the time, a client following the run's events notes when the
#   line arrives; the median over 20 lines.
# Usage: benches/dashboard.sh [REPEATS]   (default 21)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-21}
cargo build --release --quiet
alpha=$PWD/target/release/alpha
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
export ALPHA_HOME=$work/home NO_COLOR=1
mkdir -p "$work/files"
python3 - "$work/files" <<'PY'
import sys
for i in range(1000):
    open(f"{sys.argv[1]}/w{i:04}.yaml", "w").write(
        f"name: Workflow {i:04}\ntags: [t{i % 10}, bench]\ndescription: benchmark workflow {i}\n"
        f"steps:\n  - {{ id: a, tool: shell, action: run, parameters: {{ command: 'true' }} }}\n"
        f"  - {{ id: b, tool: shell, action: run, parameters: {{ command: 'true' }} }}\n"
        f"  - {{ id: c, tool: shell, action: run, parameters: {{ command: 'true' }} }}\n")
PY
"$alpha" workflow import "$work"/files/*.yaml >/dev/null
cat > "$work/ticker.yaml" <<'YAML'
name: Ticker
steps:
  - id: tick
    tool: shell
    action: run
    parameters: {command: "for i in $(seq 20); do sleep 0.1; date +%s%N; done"}
YAML
"$alpha" workflow create --file "$work/ticker.yaml" >/dev/null
for i in $(seq 0 9); do "$alpha" workflow run "Workflow 000$i" >/dev/null; done
db=$ALPHA_HOME/alpha.db
# 10,000 runs in all: copies of the 10 real runs (with their step rows), spread over the library.
python3 - "$db" <<'PY'
import sqlite3, sys, uuid
c = sqlite3.connect(sys.argv[1])
runs = c.execute("SELECT id, workflow_id, parameters, status, started_at, completed_at, result, error FROM workflow_executions").fetchall()
ids = [r[0] for r in c.execute("SELECT id FROM workflows ORDER BY name")]
names = dict(c.execute("SELECT id, name FROM workflows"))
for n in range(10000 - len(runs)):
    src = runs[n % len(runs)]
    new, wf = str(uuid.uuid4()), ids[n % len(ids)]
    c.execute("INSERT INTO workflow_executions (id, workflow_id, parameters, status, started_at, completed_at, result, error) VALUES (?,?,?,?,?,?,?,?)",
              (new, wf, src[2], src[3], src[4], src[5], src[6], src[7]))
    c.execute("INSERT INTO execution_context (execution_id, workflow_name, workflow_version, trigger) VALUES (?,?,?,?)", (new, names[wf], "1.0.0", "manual"))
    c.execute("INSERT INTO step_executions (execution_id, step_id, name, attempt, status, started_at, completed_at, duration_ms, exit_code, output, error, result) "
              "SELECT ?, step_id, name, attempt, status, started_at, completed_at, duration_ms, exit_code, output, error, result FROM step_executions WHERE execution_id = ?", (new, src[0]))
c.commit()
print(c.execute("SELECT COUNT(*) FROM workflow_executions").fetchone()[0], "runs,",
      c.execute("SELECT COUNT(*) FROM step_executions").fetchone()[0], "step rows,",
      c.execute("SELECT COUNT(*) FROM workflows").fetchone()[0], "workflows", file=sys.stderr)
PY
"$alpha" serve --port 0 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q '^alpha dashboard: ' "$work/serve.log" && break; sleep 0.1; done
url=$(sed -n 's/^alpha dashboard: //p' "$work/serve.log")
base=${url%%/\?token=*}
token=${url##*token=}
python3 - "$base" "$token" "$repeats" "$db" <<'PY'
import json, sqlite3, statistics, sys, time, urllib.request, threading
base, token, repeats, db = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def get(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    start = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        body = r.read()
        timing = r.headers.get("Server-Timing", "app;dur=0")
    wall = (time.perf_counter() - start) * 1000
    return float(timing.split("dur=")[1]), wall, len(body)
def measure(path):
    get(path)  # warm
    server, wall = zip(*[(s, w) for s, w, _ in (get(path) for _ in range(repeats))])
    return statistics.median(server), statistics.median(wall)
floor_s, floor_w = measure("/assets/style.css")
con = sqlite3.connect(db)
q = "SELECT id, definition, created_at, updated_at, execution_count, last_executed, (SELECT status FROM workflow_executions e WHERE e.workflow_id = w.id ORDER BY started_at DESC LIMIT 1) FROM workflows w ORDER BY name COLLATE NOCASE"
sql = []
for _ in range(repeats):
    s = time.perf_counter(); con.execute(q).fetchall(); sql.append((time.perf_counter() - s) * 1000)
sql_ms = statistics.median(sql)
print(f"dashboard with 1,000 workflows and 10,000 runs (median of {repeats} requests)")
print(f"  {'page':34} {'server':>9} {'wall':>9}")
for path in ["/", "/api/workflows", "/runs", "/api/runs", "/runs?workflow=Workflow%200003", "/workflows/Workflow%200003", "/schedules"]:
    s, w = measure(path)
    print(f"  {path:34} {s:7.1f} ms {w:7.1f} ms   ({s / sql_ms:5.2f}x the list query in sqlite3, {w / floor_w:5.1f}x a static asset)")
print(f"  {'static asset (HTTP floor)':34} {floor_s:7.2f} ms {floor_w:7.2f} ms")
print(f"  {'sqlite3: the list query alone':34} {sql_ms:7.1f} ms")
# Event latency: from a step printing the time to the line reaching a client of the SSE stream.
req = urllib.request.Request(base + "/api/workflows/Ticker/runs", data=b"{}", method="POST",
                             headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
run_id = json.load(urllib.request.urlopen(req))["run_id"]
stream = urllib.request.urlopen(urllib.request.Request(base + f"/api/runs/{run_id}/events", headers={"Authorization": "Bearer " + token}))
lat = []
for raw in stream:
    line = raw.decode().strip()
    if line.startswith("data: "):
        event = json.loads(line[6:])
        if event["event"] == "step_output" and event["line"].isdigit():
            lat.append((time.time_ns() - int(event["line"])) / 1e6)
        if event["event"] == "run_finished":
            break
print(f"  step output line -> open event stream: median {statistics.median(lat):.1f} ms, max {max(lat):.1f} ms over {len(lat)} lines")
PY
