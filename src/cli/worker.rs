//! `alpha worker`: takes queued runs until stopped; `alpha worker list`.

use std::sync::atomic::Ordering;

use super::args::{WorkerArgs, WorkerCommand};
use super::print_json;
use crate::commands::Context;
use crate::commands::queue::{self, WorkerControl, WorkerOptions};
use crate::error::{Error, exit};

/// `alpha worker [--tags a,b] [--concurrency N] [--name NAME]` and `alpha worker list`.
pub fn worker(ctx: &Context, args: WorkerArgs) -> Result<i32, Error> {
    if let Some(WorkerCommand::List { json }) = args.command {
        let list = queue::list(ctx, ctx.settings.worker_lease)?;
        if json {
            return print_json(&list);
        }
        crate::out!("{}", crate::terminal::text::workers(&list));
        return Ok(exit::OK);
    }
    let tags: Vec<String> = args.tags.iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
    let options = WorkerOptions {
        name: args.name.unwrap_or_else(queue::default_worker_name),
        tags,
        concurrency: usize::from(args.concurrency),
        lease: ctx.settings.worker_lease,
        poll: ctx.settings.worker_poll,
    };
    let control = WorkerControl::default();
    watch_signals(control.clone());
    let tags =
        if options.tags.is_empty() { "no tags".to_string() } else { format!("tags {}", options.tags.join(", ")) };
    crate::errln!(
        "worker {} ({tags}, {} at once) waiting for queued runs; Ctrl-C drains it",
        options.name,
        options.concurrency
    );
    let report = queue::work(ctx, &options, &control, &|line: &str| crate::errln!("{line}"))?;
    let done: Vec<String> = report.finished.iter().map(|(status, n)| format!("{n} {status}")).collect();
    crate::errln!(
        "worker {} stopped: {}",
        report.name,
        if done.is_empty() { "no runs".to_string() } else { done.join(", ") }
    );
    Ok(if control.cancel.borrow().to_owned() { exit::INTERRUPTED } else { exit::OK })
}

/// The first SIGTERM or Ctrl-C drains the worker (it finishes its runs and takes no new one);
/// the second interrupts its runs.
fn watch_signals(control: WorkerControl) {
    let _ = std::thread::Builder::new().name("alpha-worker-signals".into()).spawn(move || {
        let Ok(runtime) = crate::executor::runtime() else { return };
        runtime.block_on(async {
            crate::executor::stop_signal().await;
            control.drain.store(true, Ordering::SeqCst);
            crate::executor::stop_signal().await;
            let _ = control.cancel.send(true);
        });
    });
}
