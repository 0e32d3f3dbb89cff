//! Which occurrences of a schedule are due at a moment: a pure function of the cron, the zone,
//! the last occurrence already handled, the time now and the catch-up policy, so it is tested
//! with a clock the test controls.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use croner::Cron;

/// An occurrence counts as on time this long after its moment (a busy or waking machine).
pub const GRACE: Duration = Duration::from_secs(60);

pub use crate::store::{Catchup, Overlap};

/// Occurrences in `(since, until]`, in order, at most `limit`.
pub fn occurrences<T: TimeZone>(
    cron: &Cron,
    zone: &T,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: usize,
) -> Vec<DateTime<Utc>> {
    cron.iter_after(since.with_timezone(zone))
        .map(|t| t.with_timezone(&Utc))
        .take_while(|t| *t <= until)
        .take(limit)
        .collect()
}

/// The occurrences to fire at `now`, given that everything up to `since` was handled.
pub fn due<T: TimeZone>(
    cron: &Cron,
    zone: &T,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    catchup: Catchup,
    window: Duration,
) -> Vec<DateTime<Utc>> {
    let window_start = now - chrono::Duration::from_std(window).unwrap_or(chrono::Duration::days(1));
    let since = since.max(window_start - chrono::Duration::seconds(1));
    let all = occurrences(cron, zone, since, now, 10_000);
    let grace = chrono::Duration::from_std(GRACE).unwrap_or(chrono::Duration::minutes(1));
    let (on_time, missed): (Vec<_>, Vec<_>) = all.into_iter().partition(|t| *t > now - grace);
    let mut fire = match catchup {
        Catchup::None => Vec::new(),
        Catchup::Latest if on_time.is_empty() => missed.last().copied().into_iter().collect(),
        Catchup::Latest => Vec::new(),
        Catchup::All => missed,
    };
    fire.extend(on_time);
    fire
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::parse_cron;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn fires(cron: &str, zone: &str, from: &str, to: &str) -> Vec<String> {
        let cron = parse_cron(cron).unwrap();
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        occurrences(&cron, &tz, utc(from), utc(to), 100)
            .iter()
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string())
            .collect()
    }

    #[test]
    fn month_ends_weekday_ranges_and_steps() {
        let cases: &[(&str, &str, &str, &str, &[&str])] = &[
            (
                "0 0 31 * *",
                "UTC",
                "2026-01-30T00:00:00Z",
                "2026-05-31T01:00:00Z",
                &["2026-01-31 00:00 UTC", "2026-03-31 00:00 UTC", "2026-05-31 00:00 UTC"],
            ),
            (
                "0 9 1 * *",
                "UTC",
                "2026-11-30T12:00:00Z",
                "2027-01-02T00:00:00Z",
                &["2026-12-01 09:00 UTC", "2027-01-01 09:00 UTC"],
            ),
            (
                "0 9 * * 1-5",
                "UTC",
                "2026-11-27T10:00:00Z",
                "2026-12-01T10:00:00Z",
                &["2026-11-30 09:00 UTC", "2026-12-01 09:00 UTC"],
            ),
            (
                "*/15 * * * *",
                "UTC",
                "2026-11-25T09:05:00Z",
                "2026-11-25T10:00:00Z",
                &["2026-11-25 09:15 UTC", "2026-11-25 09:30 UTC", "2026-11-25 09:45 UTC", "2026-11-25 10:00 UTC"],
            ),
            (
                "0 9 * * *",
                "America/New_York",
                "2026-11-25T00:00:00Z",
                "2026-11-26T00:00:00Z",
                &["2026-11-25 09:00 EST"],
            ),
            (
                "0 9 * * 0",
                "UTC",
                "2026-11-25T00:00:00Z",
                "2026-12-07T00:00:00Z",
                &["2026-11-29 09:00 UTC", "2026-12-06 09:00 UTC"],
            ),
        ];
        for (cron, zone, from, to, expected) in cases {
            assert_eq!(fires(cron, zone, from, to), *expected, "{cron} in {zone}");
        }
    }

    #[test]
    fn dst_gap_fires_once_at_the_next_valid_time_and_repeat_fires_once() {
        // Europe/Berlin springs forward at 02:00 on 2026-03-29: 02:30 does not exist that day.
        let spring = fires("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-30T12:00:00Z");
        assert_eq!(spring, ["2026-03-29 03:00 CEST", "2026-03-30 02:30 CEST"]);
        // It falls back at 03:00 on 2026-10-25: 02:30 happens twice, the schedule fires once.
        let fall = fires("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", "2026-10-26T12:00:00Z");
        assert_eq!(fall, ["2026-10-25 02:30 CEST", "2026-10-26 02:30 CET"]);
    }

    #[test]
    fn catchup_policies_after_downtime() {
        let cron = parse_cron("0 * * * *").unwrap();
        let since = utc("2026-11-25T05:00:00Z");
        let now = utc("2026-11-25T09:20:00Z");
        let day = Duration::from_secs(86_400);
        let show = |v: Vec<DateTime<Utc>>| v.iter().map(|t| t.format("%H:%M").to_string()).collect::<Vec<_>>();
        assert_eq!(show(due(&cron, &Utc, since, now, Catchup::None, day)), Vec::<String>::new());
        assert_eq!(show(due(&cron, &Utc, since, now, Catchup::Latest, day)), ["09:00"]);
        assert_eq!(show(due(&cron, &Utc, since, now, Catchup::All, day)), ["06:00", "07:00", "08:00", "09:00"]);
        // Outside the catch-up window nothing is run.
        let hour = Duration::from_secs(3_600);
        assert_eq!(show(due(&cron, &Utc, since, now, Catchup::All, hour)), ["09:00"]);
        // An occurrence within the grace period is on time, whatever the policy.
        let now = utc("2026-11-25T09:00:30Z");
        let since = utc("2026-11-25T08:00:00Z");
        assert_eq!(show(due(&cron, &Utc, since, now, Catchup::None, day)), ["09:00"]);
        // Nothing is due twice.
        assert!(due(&cron, &Utc, utc("2026-11-25T09:00:00Z"), now, Catchup::All, day).is_empty());
    }
}
