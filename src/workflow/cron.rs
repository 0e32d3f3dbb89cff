//! Cron expressions: parsing (5-field POSIX, 1 = Monday), descriptions in words, and fire times.
//! Part of the model because validation checks `triggers` with it.

use chrono::{DateTime, TimeZone};
use croner::Cron;
use croner::parser::{CronParser, Seconds};

/// Parses a 5-field cron expression.
pub fn parse_cron(text: &str) -> Result<Cron, String> {
    let fields = text.split_whitespace().count();
    if fields != 5 {
        return Err(format!(
            "`{text}` has {fields} field{}; cron needs 5 (minute hour day-of-month month day-of-week)",
            if fields == 1 { "" } else { "s" }
        ));
    }
    CronParser::builder()
        .seconds(Seconds::Disallowed)
        .build()
        .parse(text)
        .map_err(|error| format!("invalid cron expression `{text}`: {error}"))
}

/// The next `count` fire times after `after`.
pub fn next_fires<Tz: TimeZone>(cron: &Cron, after: &DateTime<Tz>, count: usize) -> Vec<DateTime<Tz>> {
    cron.iter_after(after.clone()).take(count).collect()
}

/// A cron expression in words: "Daily at 9:00 AM", "Weekdays at 9:00 AM", "Every 15 minutes".
pub fn describe(expression: &str) -> String {
    let fields: Vec<&str> = expression.split_whitespace().collect();
    if let [minute, hour, dom, month, dow] = fields[..] {
        let at = |h: &str, m: &str| -> Option<String> {
            let h: u32 = h.parse().ok()?;
            let m: u32 = m.parse().ok()?;
            (h < 24 && m < 60).then(|| clock(h, m))
        };
        match (minute, hour, dom, month, dow) {
            ("*", "*", "*", "*", "*") => return "Every minute".into(),
            ("0", "*", "*", "*", "*") => return "Hourly".into(),
            (m, "*", "*", "*", "*") if m.parse::<u32>().is_ok() => return format!("Hourly at :{m:0>2}"),
            (m, "*", "*", "*", "*") if m.starts_with("*/") => return format!("Every {} minutes", &m[2..]),
            (_, h, "*", "*", "*") if h.starts_with("*/") && minute == "0" => return format!("Every {} hours", &h[2..]),
            (m, h, "*", "*", "*") => {
                if let Some(time) = at(h, m) {
                    return format!("Daily at {time}");
                }
            }
            (m, h, "*", "*", "1-5") => {
                if let Some(time) = at(h, m) {
                    return format!("Weekdays at {time}");
                }
            }
            (m, h, "*", "*", "0,6" | "6,0" | "6-7" | "SAT,SUN") => {
                if let Some(time) = at(h, m) {
                    return format!("Weekends at {time}");
                }
            }
            (m, h, "*", "*", d) => {
                if let (Some(time), Some(days)) = (at(h, m), weekdays(d)) {
                    return format!("{days} at {time}");
                }
            }
            (m, h, d, "*", "*") => {
                if let (Some(time), Ok(day)) = (at(h, m), d.parse::<u32>()) {
                    return format!("Monthly on the {} at {time}", ordinal(day));
                }
            }
            _ => {}
        }
    }
    parse_cron(expression).map(|cron| cron.describe()).unwrap_or_else(|_| expression.to_string())
}

fn clock(hour: u32, minute: u32) -> String {
    let (display, half) = match hour {
        0 => (12, "AM"),
        1..=11 => (hour, "AM"),
        12 => (12, "PM"),
        _ => (hour - 12, "PM"),
    };
    format!("{display}:{minute:02} {half}")
}

fn weekdays(field: &str) -> Option<String> {
    const NAMES: [&str; 8] =
        ["Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"];
    let days: Option<Vec<&str>> =
        field.split(',').map(|d| d.parse::<usize>().ok().and_then(|n| NAMES.get(n).copied())).collect();
    let days = days?;
    Some(match days.as_slice() {
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
        [] => return None,
    })
}

fn ordinal(day: u32) -> String {
    let suffix = match (day % 10, day % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{day}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_common_schedules() {
        let cases = [
            ("0 9 * * *", "Daily at 9:00 AM"),
            ("30 18 * * *", "Daily at 6:30 PM"),
            ("0 9 * * 1-5", "Weekdays at 9:00 AM"),
            ("0 * * * *", "Hourly"),
            ("*/15 * * * *", "Every 15 minutes"),
            ("30 20 * * 1", "Mondays at 8:30 PM"),
            ("0 0 1 * *", "Monthly on the 1st at 12:00 AM"),
            ("0 8 * * 1,3", "Mondays and Wednesdays at 8:00 AM"),
        ];
        for (cron, words) in cases {
            assert_eq!(describe(cron), words, "{cron}");
        }
    }

    #[test]
    fn rejects_bad_cron() {
        for text in ["", "* * * *", "0 9 * * * *", "61 * * * *", "0 25 * * *", "a b c d e"] {
            assert!(parse_cron(text).is_err(), "{text}");
        }
        assert!(parse_cron("0 9 * * 1-5").is_ok());
    }
}
