//! Schedules: `schedule`, `unschedule`, and the status of every schedule.

use chrono::{Local, TimeZone};
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value};

use super::Context;
use super::library::ScheduleWords;
use crate::error::{Error, Result};
use crate::executor::params;
use crate::store::{Catchup, Overlap, SchedulePolicy};
use crate::workflow::{ParamType, Workflow};

/// What `schedule` asks for.
#[derive(Debug, Clone)]
pub struct ScheduleRequest {
    /// The workflow.
    pub workflow: String,
    /// Cron, or a phrase such as "every weekday at 9am".
    pub when: String,
    /// IANA zone; local when absent.
    pub timezone: Option<String>,
    /// Overlap and catch-up policies.
    pub policy: SchedulePolicy,
    /// Parameter values for its runs, as typed (`who=Bob`); checked against the workflow now.
    pub params: IndexMap<String, String>,
    /// Keep the workflow's other schedules instead of replacing them (`--add`).
    pub add: bool,
}

/// A schedule made.
#[derive(Debug, Clone, Serialize)]
pub struct Scheduled {
    /// The workflow's name.
    pub workflow: String,
    /// The normalized 5-field cron.
    pub cron: String,
    /// "Daily at 9:00 AM".
    pub description: String,
    /// "9:00 AM daily", as said in conversation.
    pub spoken: String,
    /// The zone, when given.
    pub timezone: Option<String>,
    /// False when the same schedule already existed (its policies were updated).
    pub added: bool,
    /// The next three fires, formatted in the schedule's zone.
    pub next_fires: Vec<String>,
    /// The values its runs get.
    pub parameters: Map<String, Value>,
    /// The schedules this one replaced.
    pub replaced: Vec<ScheduleWords>,
}

/// A cron expression or phrase, normalized to 5-field cron.
pub fn normalize(when: &str) -> Result<String> {
    let when = when.trim();
    if crate::schedule::parse_cron(when).is_ok() {
        return Ok(when.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    if let Some(problem) = crate::grammar::time::interval_problem(when) {
        return Err(Error::usage(problem));
    }
    crate::grammar::time::to_cron(when).ok_or_else(|| {
        Error::usage_with(
            format!("`{when}` is neither a cron expression nor a schedule alpha understands"),
            "try \"every weekday at 9am\", \"every morning at 10\", \"hourly\", \"every 15 minutes\" or 5-field cron like \"0 9 * * 1-5\"",
        )
    })
}

/// `schedule NAME WHEN [key=value…] [--timezone TZ] [--add]`
pub fn schedule(ctx: &Context, request: &ScheduleRequest) -> Result<Scheduled> {
    let store = ctx.store()?;
    let saved = store.get(&request.workflow)?;
    let cron = normalize(&request.when)?;
    let timezone = request.timezone.as_deref();
    if let Some(zone) = timezone
        && zone.parse::<chrono_tz::Tz>().is_err()
    {
        return Err(Error::usage_with(format!("unknown time zone `{zone}`"), "use an IANA name such as Europe/Berlin"));
    }
    let next_fires = next_fires(ctx, &cron, timezone, 3)?;
    if next_fires.is_empty() {
        return Err(Error::usage(format!("`{cron}` never fires (no date matches it); nothing was scheduled")));
    }
    let parameters = checked_parameters(&saved.workflow, &request.params)?;
    // The scheduler's clock (shifted by ALPHA_NOW in tests) decides which fires are already past.
    let created = ctx.clock()?.now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let (added, replaced) =
        store.save_schedule(&saved.id, &cron, timezone, &request.policy, &parameters, &created, request.add)?;
    Ok(Scheduled {
        workflow: saved.workflow.name,
        description: crate::schedule::describe(&cron),
        spoken: spoken(&cron),
        cron,
        timezone: request.timezone.clone(),
        added,
        next_fires,
        parameters,
        replaced: replaced.iter().map(ScheduleWords::from).collect(),
    })
}

/// The values a schedule keeps, typed, after checking them as a run would now: a missing
/// required value or a wrong type is a usage error when the schedule is made, not a failure
/// every time it fires. Secrets are never stored: they come from `ALPHA_SECRET_<NAME>` where the
/// scheduler runs.
fn checked_parameters(workflow: &Workflow, given: &IndexMap<String, String>) -> Result<Map<String, Value>> {
    let mut check: IndexMap<String, Value> = given.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    for (name, parameter) in &workflow.parameters {
        if parameter.kind != ParamType::Secret {
            continue;
        }
        if given.contains_key(name) {
            return Err(Error::usage_with(
                format!("`{name}` is a secret, and alpha never stores secrets"),
                format!("set ALPHA_SECRET_{} where the scheduler runs", name.to_ascii_uppercase()),
            ));
        }
        // Checked at fire time, from the scheduler's environment.
        check.insert(name.clone(), Value::String("secret".into()));
    }
    let resolved = params::resolve(workflow, &check)?;
    Ok(given.keys().filter_map(|k| resolved.get(k).map(|v| (k.clone(), v.clone()))).collect())
}

/// The next `count` fire times, formatted in the schedule's zone.
pub fn next_fires(ctx: &Context, cron: &str, timezone: Option<&str>, count: usize) -> Result<Vec<String>> {
    let parsed = crate::schedule::parse_cron(cron).map_err(Error::usage)?;
    let now = ctx.clock()?.now();
    Ok(match timezone {
        Some(zone) => {
            let tz: chrono_tz::Tz = zone.parse().map_err(|_| Error::usage(format!("unknown time zone `{zone}`")))?;
            crate::schedule::next_fires(&parsed, &tz.from_utc_datetime(&now.naive_utc()), count)
                .iter()
                .map(|t| t.format("%a %Y-%m-%d %H:%M %Z").to_string())
                .collect()
        }
        None => crate::schedule::next_fires(&parsed, &now.with_timezone(&Local), count)
            .iter()
            .map(|t| t.format("%a %Y-%m-%d %H:%M").to_string())
            .collect(),
    })
}

/// A schedule as said in conversation: "10:00 AM daily", "9:00 AM on weekdays".
pub fn spoken(cron: &str) -> String {
    let words = crate::schedule::describe(cron);
    if let Some(time) = words.strip_prefix("Daily at ") {
        return format!("{time} daily");
    }
    if let Some(time) = words.strip_prefix("Weekdays at ") {
        return format!("{time} on weekdays");
    }
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().collect::<String>() + chars.as_str(),
        None => words,
    }
}

/// `--catchup-window` as seconds.
pub fn window_seconds(text: &str) -> Result<i64> {
    crate::workflow::HumanDuration::parse(text)
        .map(|d| d.get().as_secs() as i64)
        .map_err(|e| Error::usage(format!("--catchup-window: {e}")))
}

/// Schedules removed.
#[derive(Debug, Clone, Serialize)]
pub struct Unscheduled {
    /// The workflow's name.
    pub workflow: String,
    /// Schedules removed (those made with `schedule`).
    pub removed: usize,
    /// Schedules left that come from the workflow's own `triggers`.
    pub from_triggers: usize,
}

/// `unschedule NAME [WHEN]`: the schedule with that cron or phrase, or all of them.
pub fn unschedule(ctx: &Context, name: &str, when: Option<&str>) -> Result<Unscheduled> {
    let store = ctx.store()?;
    let saved = store.get(name)?;
    let cron = when.map(normalize).transpose()?;
    let removed = store.remove_schedule(&saved.id, cron.as_deref())?;
    let from_triggers =
        store.schedules()?.into_iter().filter(|s| s.workflow_id == saved.id && s.source == "file").count();
    Ok(Unscheduled { workflow: saved.workflow.name, removed, from_triggers })
}

/// Schedules paused or resumed.
#[derive(Debug, Clone, Serialize)]
pub struct Paused {
    /// The workflow.
    pub workflow: String,
    /// Whether they are now paused (false: resumed).
    pub paused: bool,
    /// How many changed.
    pub changed: usize,
}

/// `scheduler pause NAME [WHEN]` and `scheduler resume NAME [WHEN]`: a paused schedule keeps its
/// settings and fires nothing; resumed, it fires from its next occurrence (what it missed while
/// paused is not caught up).
pub fn set_paused(ctx: &Context, name: &str, when: Option<&str>, paused: bool) -> Result<Paused> {
    let store = ctx.store()?;
    let saved = store.get(name)?;
    let cron = when.map(normalize).transpose()?;
    let now = ctx.clock()?.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let changed = store.set_schedules_paused(&saved.id, cron.as_deref(), paused, &now)?;
    let has_any = store.schedules()?.iter().any(|s| s.workflow_id == saved.id);
    if changed == 0 && !has_any {
        return Err(Error::usage(format!("'{}' has no schedule", saved.workflow.name)));
    }
    Ok(Paused { workflow: saved.workflow.name, paused, changed })
}

/// One schedule's state.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleStatus {
    /// The workflow's name.
    pub workflow: String,
    /// 5-field cron.
    pub cron: String,
    /// In words.
    pub description: String,
    /// IANA zone, local when absent.
    pub timezone: Option<String>,
    /// The next fire (RFC 3339).
    pub next_fire: Option<String>,
    /// The last fire, if any.
    pub last_fire: Option<String>,
    /// Its outcome.
    pub last_status: Option<String>,
    /// Overlap policy.
    pub overlap: Overlap,
    /// Catch-up policy.
    pub catchup: Catchup,
    /// The values its runs get.
    pub parameters: Map<String, Value>,
    /// Paused: it fires nothing until resumed (and has no next fire).
    pub paused: bool,
}

/// `scheduler status`: every schedule with its next and last fire.
pub fn status(ctx: &Context) -> Result<Vec<ScheduleStatus>> {
    use crate::schedule::daemon::Timing as _;
    let Some(store) = ctx.existing_store()? else { return Ok(Vec::new()) };
    let now = ctx.clock()?.now();
    let mut rows = Vec::new();
    for entry in store.schedule_entries()? {
        let last = store.last_fire(entry.id)?;
        rows.push(ScheduleStatus {
            description: crate::schedule::describe(&entry.cron),
            next_fire: if entry.paused { None } else { entry.next(now).map(|t| t.to_rfc3339()) },
            paused: entry.paused,
            last_fire: last.as_ref().map(|l| l.0.clone()),
            last_status: last.map(|l| l.1),
            workflow: entry.workflow_name,
            cron: entry.cron,
            timezone: entry.timezone,
            overlap: entry.overlap,
            catchup: entry.catchup,
            parameters: entry.parameters,
        });
    }
    Ok(rows)
}

/// What keeps the scheduler running across reboots.
#[derive(Debug, Clone, Serialize)]
pub struct Service {
    /// Where the systemd user unit goes.
    pub unit_path: String,
    /// The unit's text.
    pub unit: String,
    /// The crontab line, for systems without systemd.
    pub cron_line: String,
    /// The unit was written.
    pub written: bool,
}

/// `scheduler install [--apply]`: the unit for `exe`, written when `apply`.
pub fn install(ctx: &Context, exe: &std::path::Path, apply: bool) -> Result<Service> {
    let db = std::fs::canonicalize(&ctx.db).unwrap_or_else(|_| ctx.db.clone());
    // A server's password never goes into a file alpha writes (or prints): the service reads it
    // from PGPASSWORD in an environment file of the user's own.
    let url = crate::store::is_url(&ctx.db);
    let db =
        if url { std::path::PathBuf::from(crate::store::url_without_password(&ctx.db.to_string_lossy())) } else { db };
    // A scheduled run goes to its workflow's own directory; the service itself starts at home
    // with the library it was installed with.
    let home = directories::BaseDirs::new().map(|d| d.home_dir().display().to_string()).unwrap_or_else(|| "~".into());
    let data = crate::paths::data_dir();
    let (data, exe, db) = (data.display().to_string(), exe.display().to_string(), db.display().to_string());
    let unit = format!(
        "[Unit]\nDescription=alpha scheduler: runs scheduled workflows\n\n[Service]\nWorkingDirectory={}\nEnvironment={}\n{}ExecStart={} --db {} scheduler run\nRestart=on-failure\nRestartSec=5\n\n[Install]\nWantedBy=default.target\n",
        systemd_quote(&home),
        systemd_quote(&format!("ALPHA_HOME={data}")),
        if url {
            "# PGPASSWORD=... (and other PG* settings) go in this file, readable by you only:\nEnvironmentFile=-%h/.config/alpha/service.env\n"
        } else {
            ""
        },
        systemd_quote(&exe),
        systemd_quote(&db),
    );
    let q = crate::template::shell_quote;
    let cron_line = format!(
        "@reboot cd {} && ALPHA_HOME={} {} --db {} scheduler run >> {} 2>&1",
        q(&home),
        q(&data),
        q(&exe),
        q(&db),
        q(&format!("{data}/scheduler.log")),
    );
    let unit_path = directories::BaseDirs::new()
        .map(|d| d.config_dir().join("systemd/user/alpha-scheduler.service"))
        .ok_or_else(|| Error::Storage("can't find the config directory".into()))?;
    if apply {
        if let Some(parent) = unit_path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(format!("can't create {}", parent.display()), e))?;
        }
        std::fs::write(&unit_path, &unit).map_err(|e| Error::io(format!("can't write {}", unit_path.display()), e))?;
    }
    Ok(Service { unit_path: unit_path.display().to_string(), unit, cron_line, written: apply })
}

/// A word for a systemd unit file: quoted, with `\\`, `"` and `%` escaped, when it holds
/// anything beyond plain path characters (systemd splits on spaces and expands `%`).
fn systemd_quote(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+=:@,~".contains(c)) {
        return word.to_string();
    }
    format!("\"{}\"", word.replace('\\', "\\\\").replace('"', "\\\"").replace('%', "%%"))
}
