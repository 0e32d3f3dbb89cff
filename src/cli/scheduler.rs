//! `alpha scheduler run|status|install`.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Local;
use serde_json::json;

use super::args::SchedulerCommand;
use super::output::print_json;
use crate::error::{Error, Result, exit};
use crate::schedule::daemon::{self, Clock, Options, Scheduler};
use crate::store::Store;

/// Dispatches `alpha scheduler …`.
pub fn command(db: &Path, command: SchedulerCommand) -> Result<i32> {
    match command {
        SchedulerCommand::Run { drain } => run(db, drain),
        SchedulerCommand::Status { json } => status(db, json),
        SchedulerCommand::Install { apply } => install(db, apply),
    }
}

/// Sets `stop` on SIGINT or SIGTERM.
pub fn stop_on_signals(stop: Arc<AtomicBool>) -> Result<()> {
    let runtime = crate::executor::runtime()?;
    std::thread::spawn(move || {
        runtime.block_on(crate::executor::stop_signal());
        stop.store(true, Ordering::SeqCst);
    });
    Ok(())
}

fn run(db: &Path, drain: bool) -> Result<i32> {
    let stop = Arc::new(AtomicBool::new(false));
    stop_on_signals(stop.clone())?;
    let clock = Clock::from_env()?;
    let notice: daemon::Notice = Arc::new(|line: &str| println!("{} {line}", Local::now().format("%Y-%m-%d %H:%M:%S")));
    notice(&format!("alpha scheduler started (database {}); Ctrl-C or SIGTERM stops it", db.display()));
    let tick = std::env::var("ALPHA_SCHEDULER_TICK_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_millis(500), Duration::from_millis);
    let mut scheduler = Scheduler::new(db, clock, Options { drain, notice: notice.clone(), stop, tick });
    scheduler.run()?;
    notice("alpha scheduler stopped");
    Ok(exit::OK)
}

fn status(db: &Path, json_out: bool) -> Result<i32> {
    let store = Store::open(db)?;
    let clock = Clock::from_env()?;
    let now = clock.now();
    let entries = store.schedule_entries()?;
    let mut rows = Vec::new();
    for entry in &entries {
        let next = entry.next(now);
        let last = store.last_fire(entry.id)?;
        rows.push(json!({
            "workflow": entry.workflow_name, "cron": entry.cron, "description": crate::schedule::describe(&entry.cron),
            "timezone": entry.timezone, "next_fire": next.map(|t| t.to_rfc3339()),
            "last_fire": last.as_ref().map(|l| l.0.clone()), "last_status": last.as_ref().map(|l| l.1.clone()),
            "overlap": format!("{:?}", entry.overlap).to_lowercase(), "catchup": format!("{:?}", entry.catchup).to_lowercase(),
        }));
    }
    if json_out {
        print_json(&rows);
        return Ok(exit::OK);
    }
    if entries.is_empty() {
        println!("Nothing is scheduled. Try: alpha workflow schedule NAME \"every weekday at 9am\"");
        return Ok(exit::OK);
    }
    println!("{:<28} {:<28} {:<20} last", "workflow", "schedule", "next");
    for (entry, row) in entries.iter().zip(&rows) {
        let zone = entry.timezone.as_deref().map(|z| format!(" ({z})")).unwrap_or_default();
        let next = entry
            .next(now)
            .map(|t| t.with_timezone(&Local).format("%a %m-%d %H:%M").to_string())
            .unwrap_or_else(|| "-".into());
        let last = match (row["last_fire"].as_str(), row["last_status"].as_str()) {
            (Some(when), Some(status)) => format!("{} ({status})", when.replace('T', " ").trim_end_matches('Z')),
            _ => "never".into(),
        };
        println!(
            "{:<28} {:<28} {:<20} {last}",
            entry.workflow_name,
            format!("{}{zone}", crate::schedule::describe(&entry.cron)),
            next
        );
    }
    Ok(exit::OK)
}

fn install(db: &Path, apply: bool) -> Result<i32> {
    let exe = std::env::current_exe().map_err(|e| Error::io("can't find the alpha executable", e))?;
    let db = std::fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
    let unit = format!(
        "[Unit]\nDescription=alpha scheduler: runs scheduled workflows\n\n[Service]\nExecStart={} --db {} scheduler run\nRestart=on-failure\nRestartSec=5\n\n[Install]\nWantedBy=default.target\n",
        exe.display(),
        db.display()
    );
    let cron_line = format!(
        "@reboot {} --db {} scheduler run >> {}/scheduler.log 2>&1",
        exe.display(),
        db.display(),
        crate::paths::data_dir().display()
    );
    let unit_path = directories::BaseDirs::new()
        .map(|d| d.config_dir().join("systemd/user/alpha-scheduler.service"))
        .ok_or_else(|| Error::Other("can't find the config directory".into()))?;
    if !apply {
        println!("# systemd user unit ({}):", unit_path.display());
        print!("{unit}");
        println!("\n# or a crontab line (crontab -e):\n{cron_line}");
        println!(
            "\n# `alpha scheduler install --apply` writes the unit; then: systemctl --user enable --now alpha-scheduler"
        );
        return Ok(exit::OK);
    }
    if let Some(parent) = unit_path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(format!("can't create {}", parent.display()), e))?;
    }
    std::fs::write(&unit_path, unit).map_err(|e| Error::io(format!("can't write {}", unit_path.display()), e))?;
    println!("Wrote {}", unit_path.display());
    println!("Enable it with: systemctl --user daemon-reload && systemctl --user enable --now alpha-scheduler");
    Ok(exit::OK)
}
