//! Property test: any definition built from the format's types survives save → load, in YAML
//! and in JSON.

use alpha::workflow::*;
use indexmap::IndexMap;
use proptest::prelude::*;
use serde_json::{Value, json};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 _./:-]{0,16}",
        Just("true".to_string()),
        Just("null".to_string()),
        Just("1.0".to_string()),
        Just("~".to_string()),
        Just("{{ x }}: y".to_string()),
        Just("- dash".to_string()),
        Just("#hash".to_string()),
        "\\PC{0,12}",
    ]
}

fn id() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,8}"
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1000i32..1000).prop_map(|n| json!(f64::from(n) / 8.0)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map(id(), inner, 0..3).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn duration() -> impl Strategy<Value = HumanDuration> {
    (0u64..10_000_000).prop_map(|ms| HumanDuration::new(std::time::Duration::from_millis(ms)))
}

fn tool_step() -> impl Strategy<Value = ToolStep> {
    (
        id(),
        prop::option::of(text()),
        "[a-z]{1,8}",
        "[a-z]{1,8}",
        prop::collection::btree_map(id(), value(), 0..3),
        prop::option::of(text()),
        prop::collection::vec(id(), 0..2),
        prop::option::of(duration()),
        prop::sample::select(vec![
            OnError::Abort,
            OnError::Retry,
            OnError::Fallback,
            OnError::LogAndContinue,
            OnError::Skip,
        ]),
        prop::option::of(retry()),
    )
        .prop_map(|(id, name, tool, action, parameters, condition, depends_on, timeout, on_error, retry)| {
            ToolStep {
                id,
                name,
                tool,
                action,
                parameters: parameters.into_iter().collect(),
                condition,
                depends_on,
                timeout,
                output_limit: timeout.map(|_| ByteSize::new(65_536)),
                workdir: None,
                on_error,
                retry,
                fallback: Vec::new(),
            }
        })
}

fn retry() -> impl Strategy<Value = Retry> {
    (
        0u32..10,
        prop::sample::select(vec![Backoff::Fixed, Backoff::Linear, Backoff::Exponential]),
        duration(),
        prop::option::of(duration()),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec![OnError::Abort, OnError::Skip, OnError::Fallback])),
        prop::collection::vec(
            prop_oneof![
                (-5i32..300).prop_map(RetryOn::ExitCode),
                prop::sample::select(vec![ErrorKind::Timeout, ErrorKind::Http5xx, ErrorKind::Network])
                    .prop_map(RetryOn::Kind)
            ],
            0..3,
        ),
    )
        .prop_map(|(max_attempts, backoff, delay, max_delay, jitter, then, retry_on)| Retry {
            max_attempts,
            backoff,
            delay,
            max_delay,
            jitter,
            then,
            retry_on,
        })
}

fn step() -> impl Strategy<Value = Step> {
    let leaf = (tool_step(), prop::collection::vec(tool_step(), 0..2)).prop_map(|(mut step, fallback)| {
        step.fallback = fallback;
        Step::Tool(step)
    });
    leaf.prop_recursive(2, 10, 3, |inner| {
        prop_oneof![
            (prop::option::of(id()), prop::option::of(text()), prop::collection::vec(inner.clone(), 1..3)).prop_map(
                |(id, name, parallel)| Step::Parallel(ParallelGroup { id, name, depends_on: vec![], parallel })
            ),
            (id(), text(), prop::collection::vec(inner.clone(), 1..3), prop::collection::vec(inner, 0..2)).prop_map(
                |(id, condition, then, otherwise)| Step::Branch(Branch {
                    id,
                    name: None,
                    depends_on: vec![],
                    condition,
                    then,
                    otherwise
                })
            ),
        ]
    })
}

fn parameter() -> impl Strategy<Value = Parameter> {
    (
        prop::sample::select(ParamType::ALL.to_vec()),
        prop::option::of(value()),
        prop::option::of(any::<bool>()),
        prop::option::of(text()),
        prop::option::of(prop::collection::vec(value(), 0..3)),
        prop::option::of("[a-z]{1,4}"),
    )
        .prop_map(|(kind, default, required, description, choices, pattern)| Parameter {
            kind,
            default: default.filter(|v| !v.is_null()),
            required,
            description,
            choices,
            pattern,
        })
}

fn workflow() -> impl Strategy<Value = Workflow> {
    (
        (text(), "[0-9]\\.[0-9]\\.[0-9]", prop::option::of(text()), prop::option::of(text())),
        prop::collection::vec(text(), 0..3),
        prop::collection::btree_map(id(), parameter(), 0..3),
        prop::collection::vec(
            prop_oneof![
                Just(Trigger::Manual),
                (text(), prop::option::of(text())).prop_map(|(cron, timezone)| Trigger::Schedule { cron, timezone })
            ],
            0..3,
        ),
        (
            prop::sample::select(vec![ExecutionMode::Sequential, ExecutionMode::Dag]),
            prop::option::of(1u32..64),
            prop::option::of(duration()),
        ),
        prop::collection::vec(step(), 1..4),
        prop::collection::btree_map(id(), text(), 0..3),
    )
        .prop_map(
            |(
                (name, version, description, author),
                tags,
                parameters,
                triggers,
                (mode, max_parallel, timeout),
                steps,
                outputs,
            )| Workflow {
                name,
                version,
                description,
                author,
                runs_on: tags.iter().take(1).cloned().collect(),
                tags,
                parameters: parameters.into_iter().collect::<IndexMap<_, _>>(),
                triggers,
                execution: Execution {
                    mode,
                    max_parallel,
                    timeout,
                    output_limit: max_parallel.map(|n| ByteSize::new(u64::from(n) << 10)),
                },
                workdir: None,
                steps,
                outputs: outputs.into_iter().collect(),
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn yaml_round_trip(workflow in workflow()) {
        let text = to_text(&workflow, Format::Yaml);
        let back: Workflow = serde_saphyr::from_str(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(back, workflow, "{}", text);
    }

    #[test]
    fn json_round_trip(workflow in workflow()) {
        let text = to_text(&workflow, Format::Json);
        let back: Workflow = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(back, workflow);
    }
}

#[test]
fn spec_example_round_trips_through_the_loader_in_both_formats() {
    let path = crate::common::root().join("examples/daily-email-check.yaml");
    let original = load_file(&path).expect("spec example validates");
    for format in [Format::Yaml, Format::Json] {
        let text = to_text(&original, format);
        let again = Document::from_text("again", text, format).load().expect("reloads");
        assert_eq!(again, original);
    }
}
