//! `alpha workflow schedule` and `unschedule`.

use chrono::{Local, TimeZone};

use crate::error::{Error, Result, exit};
use crate::store::{SchedulePolicy, Store};

/// A cron expression or phrase, normalized to 5-field cron.
pub fn normalize(when: &str) -> Result<String> {
    let when = when.trim();
    if let Ok(cron) = crate::schedule::parse_cron(when).map(|_| when.split_whitespace().collect::<Vec<_>>().join(" ")) {
        return Ok(cron);
    }
    crate::grammar::time::to_cron(when).ok_or_else(|| {
        Error::usage_with(
            format!("`{when}` is neither a cron expression nor a schedule alpha understands"),
            "try \"every weekday at 9am\", \"every morning at 10\", \"hourly\", \"every 15 minutes\" or 5-field cron like \"0 9 * * 1-5\"",
        )
    })
}

/// The next `count` fire times, formatted in the schedule's zone.
pub fn next_fires(cron: &str, timezone: Option<&str>, count: usize) -> Result<Vec<String>> {
    let parsed = crate::schedule::parse_cron(cron).map_err(Error::usage)?;
    Ok(match timezone {
        Some(zone) => {
            let tz: chrono_tz::Tz = zone.parse().map_err(|_| Error::usage(format!("unknown time zone `{zone}`")))?;
            let now = tz.from_utc_datetime(&crate::schedule::daemon::Clock::from_env()?.now().naive_utc());
            crate::schedule::next_fires(&parsed, &now, count)
                .iter()
                .map(|t| t.format("%a %Y-%m-%d %H:%M %Z").to_string())
                .collect()
        }
        None => crate::schedule::next_fires(
            &parsed,
            &crate::schedule::daemon::Clock::from_env()?.now().with_timezone(&Local),
            count,
        )
        .iter()
        .map(|t| t.format("%a %Y-%m-%d %H:%M").to_string())
        .collect(),
    })
}

/// `alpha workflow schedule NAME WHEN [--timezone TZ]`
pub fn schedule(store: &Store, name: &str, when: &str, timezone: Option<&str>, policy: &SchedulePolicy) -> Result<i32> {
    let saved = store.get(name)?;
    let cron = normalize(when)?;
    if let Some(zone) = timezone
        && zone.parse::<chrono_tz::Tz>().is_err()
    {
        return Err(Error::usage_with(format!("unknown time zone `{zone}`"), "use an IANA name such as Europe/Berlin"));
    }
    let fires = next_fires(&cron, timezone, 3)?;
    // The scheduler's clock (shifted by ALPHA_NOW in tests) decides which fires are already past.
    let created =
        crate::schedule::daemon::Clock::from_env()?.now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let added = store.add_schedule(&saved.id, &cron, timezone, policy, &created)?;
    let words = crate::schedule::describe(&cron);
    let zone = timezone.map(|z| format!(" ({z})")).unwrap_or_default();
    if added {
        println!("Scheduled '{}': {words}{zone} (cron: {cron}).", saved.workflow.name);
        println!("Scheduled for {}.", spoken(&cron));
    } else {
        println!("'{}' was already scheduled {words}{zone} (cron: {cron}).", saved.workflow.name);
    }
    println!("Next runs: {}", fires.join(", "));
    Ok(exit::OK)
}

/// `alpha workflow unschedule NAME`
pub fn unschedule(store: &Store, name: &str) -> Result<i32> {
    let saved = store.get(name)?;
    let removed = store.remove_schedules(&saved.id)?;
    let from_file = store.schedules()?.into_iter().filter(|s| s.workflow_id == saved.id).count();
    match (removed, from_file) {
        (0, 0) => println!("'{}' has no schedule.", saved.workflow.name),
        (n, 0) => println!("Removed {n} schedule{} of '{}'.", if n == 1 { "" } else { "s" }, saved.workflow.name),
        (_, _) => println!(
            "Removed {removed} schedule(s) of '{}'; {from_file} more come from its `triggers` (edit the workflow to remove them).",
            saved.workflow.name
        ),
    }
    Ok(exit::OK)
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
