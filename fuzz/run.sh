#!/usr/bin/env bash
# Runs every fuzz target for a set time on the stable toolchain (no sanitizer), starting from the
# committed seeds; new inputs go to fuzz/corpus (not committed), crashes to fuzz/artifacts.
# Usage: fuzz/run.sh [SECONDS_PER_TARGET]   (default 60)   Needs: cargo install cargo-fuzz
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for target in load_yaml load_json template grammar history; do
  mkdir -p "corpus/$target"
  echo "== $target (${seconds}s)"
  cargo fuzz run -s none -O "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 2>&1 |
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done|==|SUMMARY|thread|panicked|ERROR)" || true
done
