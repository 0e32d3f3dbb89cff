//! `alpha scheduler run|status|install`: the scheduler loop is a face of its own; status and
//! install are commands.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Local;

use super::args::SchedulerCommand;
use super::print_json;
use crate::commands::{Context, schedule};
use crate::error::{Error, Result, exit};
use crate::schedule::daemon::{self, Options, Scheduler};
use crate::terminal::text;

/// Dispatches `alpha scheduler …`.
pub fn command(ctx: &Context, command: SchedulerCommand) -> Result<i32> {
    match command {
        SchedulerCommand::Run { drain } => run(ctx, drain),
        SchedulerCommand::Status { json } => {
            let rows = schedule::status(ctx)?;
            if json {
                return print_json(&rows);
            }
            crate::out!("{}", text::schedule_status(&rows));
            Ok(exit::OK)
        }
        SchedulerCommand::Pause { name, when, json } => pause(ctx, &name, &when, true, json),
        SchedulerCommand::Resume { name, when, json } => pause(ctx, &name, &when, false, json),
        SchedulerCommand::Install { apply, json } => {
            let exe = std::env::current_exe().map_err(|e| Error::io("can't find the alpha executable", e))?;
            let service = schedule::install(ctx, &exe, apply)?;
            if json {
                return print_json(&service);
            }
            if service.written {
                crate::outln!("Wrote {}", service.unit_path);
                crate::outln!(
                    "Enable it with: systemctl --user daemon-reload && systemctl --user enable --now alpha-scheduler"
                );
            } else {
                crate::outln!("# systemd user unit ({}):", service.unit_path);
                crate::out!("{}", service.unit);
                crate::outln!("\n# or a crontab line (crontab -e):\n{}", service.cron_line);
                crate::outln!(
                    "\n# `alpha scheduler install --apply` writes the unit; then: systemctl --user enable --now alpha-scheduler"
                );
            }
            Ok(exit::OK)
        }
    }
}

/// Sets `stop` on SIGINT or SIGTERM.
fn stop_on_signals(stop: Arc<AtomicBool>) -> Result<()> {
    let runtime = crate::executor::runtime()?;
    std::thread::spawn(move || {
        runtime.block_on(crate::executor::stop_signal());
        stop.store(true, Ordering::SeqCst);
    });
    Ok(())
}

fn run(ctx: &Context, drain: bool) -> Result<i32> {
    let stop = Arc::new(AtomicBool::new(false));
    stop_on_signals(stop.clone())?;
    let notice: daemon::Notice =
        Arc::new(|line: &str| crate::outln!("{} {line}", Local::now().format("%Y-%m-%d %H:%M:%S")));
    notice(&format!("alpha scheduler started (database {}); Ctrl-C or SIGTERM stops it", ctx.shown_db()));
    let options = Options { drain, notice: notice.clone(), stop, tick: ctx.settings.scheduler_tick };
    Scheduler::new(&ctx.db, ctx.clock()?, options).run()?;
    notice("alpha scheduler stopped");
    Ok(exit::OK)
}

fn pause(ctx: &Context, name: &str, when: &[String], paused: bool, json: bool) -> Result<i32, Error> {
    let when = (!when.is_empty()).then(|| when.join(" "));
    let report = schedule::set_paused(ctx, name, when.as_deref(), paused)?;
    if json {
        return print_json(&report);
    }
    let (did, state) = if paused { ("Paused", "paused") } else { ("Resumed", "running") };
    match report.changed {
        0 => crate::outln!("'{}' has no schedule that isn't {state} already.", report.workflow),
        1 => crate::outln!("{did} the schedule of '{}'.", report.workflow),
        n => crate::outln!("{did} {n} schedules of '{}'.", report.workflow),
    }
    Ok(exit::OK)
}
