//! Parsing speed: one utterance through the grammar, next to a baseline measured in the same run
//! (lowercasing and splitting the same text into words, the floor of any parser).
//!
//! Run: `cargo bench --bench parse`

use std::hint::black_box;
use std::time::Instant;

use alpha::grammar::{Library, parse};

fn main() {
    let names: Vec<String> = (0..100)
        .map(|i| format!("Workflow Number {i}"))
        .chain(["Deploy Pipeline".to_string(), "Git Sync and Test".to_string()])
        .collect();
    let mut library = Library::default();
    library.names = names;
    library.params.insert("Deploy Pipeline".into(), vec!["branch".into(), "environment".into()]);
    let utterances = [
        "could you please run the deploy pipeline with branch dev and environment prod for me",
        "schedule git sync every weekday at 9am",
        "what workflows do I have?",
        "when did deploy pipeline last run?",
        "rnu deploy pipeline",
        "again with branch dev this time",
        "why did the deploy pipeline fail yesterday?",
        "what failed in the last 3 days?",
        "what's the weather like?",
    ];
    let rounds = 2_000;
    let start = Instant::now();
    for _ in 0..rounds {
        for u in utterances {
            black_box(u.to_lowercase().split_whitespace().count());
        }
    }
    let baseline = start.elapsed().as_secs_f64() / (rounds * utterances.len()) as f64;
    let start = Instant::now();
    for _ in 0..rounds {
        for u in utterances {
            black_box(parse(black_box(u), &library));
        }
    }
    let per = start.elapsed().as_secs_f64() / (rounds * utterances.len()) as f64;
    let start = Instant::now();
    for _ in 0..200 {
        black_box(alpha::grammar::names::resolve("deploy pipeline", &library.names));
    }
    println!("  resolve: {:>8.1} µs", start.elapsed().as_secs_f64() / 200.0 * 1e6);
    for u in utterances {
        let start = Instant::now();
        for _ in 0..200 {
            black_box(parse(black_box(u), &library));
        }
        println!("  {:>8.1} µs  {u}", start.elapsed().as_secs_f64() / 200.0 * 1e6);
    }
    println!("parse one utterance (102 saved workflows, mean of {})", rounds * utterances.len());
    println!("  baseline lowercase+split : {:>8.2} µs", baseline * 1e6);
    println!("  alpha grammar            : {:>8.2} µs ({:.0}x baseline)", per * 1e6, per / baseline);
}
