//! Validation speed of a generated 1,000-step workflow, next to a baseline measured in the same
//! run: parsing the same text with serde_json alone (the floor of any loader).
//!
//! Run: `cargo bench --bench validate`

use std::hint::black_box;
use std::time::{Duration, Instant};

use alpha::workflow::{Document, Format};

/// A sequential workflow of `steps` shell steps, each reading the previous one's output.
fn generate(steps: usize) -> String {
    let mut text = String::from(
        "{\"name\": \"Big\", \"parameters\": {\"branch\": {\"type\": \"string\", \"default\": \"main\"}}, \"steps\": [\n",
    );
    for i in 0..steps {
        let command =
            if i == 0 { "echo {{ branch }}".to_string() } else { format!("echo {{{{ s{}.output }}}}", i - 1) };
        let comma = if i + 1 == steps { "" } else { "," };
        text.push_str(&format!(
            "  {{\"id\": \"s{i}\", \"tool\": \"shell\", \"action\": \"run\", \"parameters\": {{\"command\": \"{command}\"}}, \"on_error\": \"retry\", \"retry\": {{\"max_attempts\": 2, \"delay\": \"10ms\"}}}}{comma}\n"
        ));
    }
    text.push_str("]}\n");
    text
}

/// The same workflow as block YAML, the way people write it.
fn generate_yaml(steps: usize) -> String {
    let mut text = String::from("name: Big\nparameters:\n  branch:\n    type: string\n    default: main\nsteps:\n");
    for i in 0..steps {
        let command =
            if i == 0 { "echo {{ branch }}".to_string() } else { format!("echo {{{{ s{}.output }}}}", i - 1) };
        text.push_str(&format!(
            "  - id: s{i}\n    tool: shell\n    action: run\n    parameters:\n      command: \"{command}\"\n    on_error: retry\n    retry:\n      max_attempts: 2\n      delay: 10ms\n"
        ));
    }
    text
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let json = generate(1000);
    let yaml_doc = Document::from_text("big.json", json.clone(), Format::Json);
    let as_yaml = Document::from_text("big.yaml", generate_yaml(1000), Format::Yaml);
    assert!(as_yaml.load().is_ok(), "the generated YAML workflow must be valid");
    assert!(yaml_doc.load().is_ok(), "the generated workflow must be valid");
    let runs = 30;
    let baseline = time(runs, || {
        black_box(serde_json::from_str::<serde_json::Value>(black_box(&json)).ok());
    });
    let validate_json = time(runs, || {
        black_box(yaml_doc.load().ok());
    });
    let validate_yaml = time(runs, || {
        black_box(as_yaml.load().ok());
    });
    // The floor of YAML: the parser's events alone, with nothing built from them.
    let yaml_events = time(runs, || {
        let events = granit_parser::Parser::new_from_str(black_box(&as_yaml.text)).filter(Result::is_ok).count();
        black_box(events);
    });
    println!("validate 1,000-step workflow (median of {runs})");
    println!("  baseline serde_json parse only : {:>8.2} ms", baseline.as_secs_f64() * 1e3);
    println!(
        "  alpha load+validate (JSON)     : {:>8.2} ms  ({:.1}x baseline)",
        validate_json.as_secs_f64() * 1e3,
        validate_json.as_secs_f64() / baseline.as_secs_f64()
    );
    println!(
        "  alpha load+validate (YAML)     : {:>8.2} ms  ({:.1}x baseline)",
        validate_yaml.as_secs_f64() * 1e3,
        validate_yaml.as_secs_f64() / baseline.as_secs_f64()
    );
    println!(
        "  baseline YAML events only      : {:>8.2} ms  (alpha YAML is {:.1}x this)",
        yaml_events.as_secs_f64() * 1e3,
        validate_yaml.as_secs_f64() / yaml_events.as_secs_f64()
    );
}
