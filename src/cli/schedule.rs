//! `alpha workflow schedule` and `unschedule`.

use chrono::{Local, TimeZone};

use crate::error::{Error, Result, exit};
use crate::store::Store;

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
            let now = tz.from_utc_datetime(&chrono::Utc::now().naive_utc());
            crate::schedule::next_fires(&parsed, &now, count)
                .iter()
                .map(|t| t.format("%a %Y-%m-%d %H:%M %Z").to_string())
                .collect()
        }
        None => crate::schedule::next_fires(&parsed, &Local::now(), count)
            .iter()
            .map(|t| t.format("%a %Y-%m-%d %H:%M").to_string())
            .collect(),
    })
}

/// `alpha workflow schedule NAME WHEN [--timezone TZ]`
pub fn schedule(store: &Store, name: &str, when: &str, timezone: Option<&str>) -> Result<i32> {
    let saved = store.get(name)?;
    let cron = normalize(when)?;
    if let Some(zone) = timezone
        && zone.parse::<chrono_tz::Tz>().is_err()
    {
        return Err(Error::usage_with(format!("unknown time zone `{zone}`"), "use an IANA name such as Europe/Berlin"));
    }
    let fires = next_fires(&cron, timezone, 3)?;
    let added = store.add_schedule(&saved.id, &cron, timezone)?;
    let words = crate::schedule::describe(&cron);
    let zone = timezone.map(|z| format!(" ({z})")).unwrap_or_default();
    if added {
        println!("Scheduled '{}': {words}{zone} (cron: {cron}).", saved.workflow.name);
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
