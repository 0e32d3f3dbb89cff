#!/usr/bin/env bash
# Mining a large timestamped bash history: `alpha suggest --from FILE --json` against the
# baseline of parsing the same file alone (`alpha history read FILE`), in the same run, as
# medians of paired runs with GNU time's wall time and maximum resident set. Then the chat's
# incremental read with nothing changed: a second `alpha history import` of the same sources.
# The history is generated: sessions of everyday commands with Zipf-like frequencies and
# varying arguments, and a few planted routines.
# Usage: benches/mining.sh [LINES] [RUNS]   (defaults 1000000 5; ALPHA_BIN=path uses that binary)
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
runs=${2:-5}
if [ -z "${ALPHA_BIN:-}" ]; then cargo build --release --quiet; fi
alpha=${ALPHA_BIN:-$PWD/target/release/alpha}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ALPHA_HOME=$work/home HOME=$work NO_COLOR=1
unset HISTFILE ZDOTDIR ATUIN_DB_PATH

python3 - "$lines" "$work/.bash_history" <<'PY'
import random, sys
lines, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(7)
files = ["README.md", "src/main.rs", "app.py", "config.yaml", "Makefile", "notes.txt", "data.json", "main.go"]
words = ["parse", "token", "retry", "cache", "user", "order", "report", "sync", "queue", "auth", "index", "render"]
hosts = ["web1", "web2", "db3", "bastion", "10.0.0.7", "nas.local"]
noise = [("git status", 60), ("ls", 70), ("cd {d}", 55), ("git diff", 30), ("git log --oneline -n {n}", 12),
         ("git add {f}", 18), ("vim {f}", 25), ("cat {f}", 14), ("grep -rn {w} src", 12), ("make test", 45),
         ("cargo build", 16), ("cargo run -- {w}", 8), ("python3 scripts/{w}.py", 7), ("ssh {h}", 9),
         ("docker ps", 11), ("kubectl get pods -n {w}", 6), ("npm install {w}", 6), ("tail -n {n} logs/{w}.log", 6),
         ("curl -s localhost:{n}/{w}", 5), ("git checkout -b {w}-{n}", 4), ("clear", 20), ("htop", 5)]
total = sum(w for _, w in noise)
routines = [["git fetch --prune", "git pull origin {b}", "cargo test --workspace"],
            ["docker compose build", "docker compose up -d", "docker compose logs -f {s}"],
            ["terraform workspace select {e}", "terraform plan -out plan.tfplan", "terraform apply plan.tfplan"]]
def fill(t):
    return (t.replace("{d}", rng.choice(["src", "docs", "/tmp", "tests"])).replace("{f}", rng.choice(files))
             .replace("{w}", rng.choice(words)).replace("{h}", rng.choice(hosts)).replace("{n}", str(rng.choice([5, 20, 3000, 8080])))
             .replace("{b}", rng.choice(["main", "dev"])).replace("{s}", rng.choice(["api", "web"])).replace("{e}", rng.choice(["qa", "prod"])))
out, t, n = [], 1_780_000_000, 0
while n < lines:
    for _ in range(rng.randint(6, 40)):
        if rng.random() < 0.01:
            for c in rng.choice(routines):
                out.append(f"#{t}\n{fill(c)}\n"); t += rng.randint(3, 60); n += 1
            continue
        r = rng.randrange(total)
        for c, w in noise:
            if r < w:
                out.append(f"#{t}\n{fill(c)}\n"); break
            r -= w
        t += rng.randint(3, 90); n += 1
    t += rng.randint(3600, 16 * 3600)
open(path, "w").write("".join(out))
PY

measure() { # prints "seconds megabytes"
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" > /dev/null
  awk '{ printf "%s %.1f\n", $1, $2 / 1024 }' "$work/time"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

: > "$work/parse"; : > "$work/mine"
for _ in $(seq "$runs"); do
  measure "$alpha" history read "$work/.bash_history" >> "$work/parse"
  measure "$alpha" suggest --from "$work/.bash_history" --json >> "$work/mine"
done
found=$("$alpha" suggest --from "$work/.bash_history" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
parse_s=$(cut -d' ' -f1 "$work/parse" | median); parse_mb=$(cut -d' ' -f2 "$work/parse" | median)
mine_s=$(cut -d' ' -f1 "$work/mine" | median); mine_mb=$(cut -d' ' -f2 "$work/mine" | median)

# The chat's read at start: the first one imports the file, the next ones find nothing new.
"$alpha" history import > /dev/null
: > "$work/again"
for _ in $(seq "$runs"); do
  start=$(date +%s%N); "$alpha" history import > /dev/null; end=$(date +%s%N)
  echo "$(( (end - start) / 1000000 ))" >> "$work/again"
done
again_ms=$(median < "$work/again")

printf '%s-line timestamped bash history, medians of %s paired runs (%s suggestions)\n' "$lines" "$runs" "$found"
printf '  %-44s %8s s %8s MB\n' "baseline: alpha history read (parse alone)" "$parse_s" "$parse_mb"
printf '  %-44s %8s s %8s MB   (%.2fx the baseline)\n' "alpha suggest --from FILE --json" "$mine_s" "$mine_mb" \
  "$(echo "$mine_s / $parse_s" | bc -l)"
printf '  %-44s %8s ms\n' "alpha history import, nothing new" "$again_ms"
