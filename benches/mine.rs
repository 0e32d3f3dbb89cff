//! Mining a generated 1,000,000-line shell history: time and peak memory, next to a baseline
//! measured in the same run (parsing the same text into entries).
//!
//! Run: `cargo bench --bench mine`

use std::hint::black_box;
use std::time::Instant;

use alpha::proactive::history::{HistoryFormat, parse};
use alpha::proactive::miner::{Options, mine};

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let mut state: u64 = 42;
    let mut next = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        state >> 33
    };
    let programs = ["git", "cargo", "make", "npm", "docker", "kubectl", "python", "grep", "ssh", "curl"];
    let words = [
        "status", "build", "test", "run", "push", "pull", "logs", "apply", "get", "diff", "add", "commit", "deploy",
        "lint",
    ];
    let mut text = String::with_capacity(40_000_000);
    let mut time: u64 = 1_790_000_000;
    let mut lines = 0;
    while lines < 1_000_000 {
        time += 5 + next() % 120;
        if next() % 50 == 0 {
            // A planted routine.
            for command in ["git status", "git pull origin main", "cargo test"] {
                text.push_str(&format!(": {time}:0;{command}\n"));
                lines += 1;
            }
            continue;
        }
        let p = programs[(next() % programs.len() as u64) as usize];
        let w = words[(next() % words.len() as u64) as usize];
        text.push_str(&format!(": {time}:0;{p} {w} item{}\n", next() % 2000));
        lines += 1;
    }
    let start = Instant::now();
    let entries = parse(text.as_bytes(), HistoryFormat::Zsh);
    let parse_time = start.elapsed();
    // The generated text is only the input; free it so peak memory is the miner's own.
    drop(text);
    let start = Instant::now();
    let found = mine(black_box(&entries), &Options::default(), &[], &[]);
    let mine_time = start.elapsed();
    println!("mine a {}-line zsh history", entries.len());
    println!("  baseline parse into entries : {:>8.0} ms", parse_time.as_secs_f64() * 1e3);
    println!(
        "  alpha mining                : {:>8.0} ms ({:.1}x baseline), {} patterns",
        mine_time.as_secs_f64() * 1e3,
        mine_time.as_secs_f64() / parse_time.as_secs_f64(),
        found.len()
    );
    println!("  peak memory (whole process) : {:>8.0} MB", peak_rss_mb());
}
