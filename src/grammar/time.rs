//! Time phrases to cron: "every weekday at 9am" → `0 9 * * 1-5`, "hourly" → `0 * * * *`,
//! "at 18:30 on fridays" → `30 18 * * 5`, "first day of every month" → `0 0 1 * *`.
//!
//! Parses lowercase text with nom; returns the cron and what was left unparsed.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while1};
use nom::character::complete::{char, digit1, multispace0, multispace1};
use nom::combinator::{map, map_opt, map_res, opt, recognize, value, verify};
use nom::multi::separated_list1;
use nom::sequence::{preceded, terminated};
use nom::{IResult, Parser};

type Res<'a, T> = IResult<&'a str, T>;

/// A clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Clock {
    hour: u32,
    minute: u32,
    /// am/pm (or noon, midnight, a 24-hour time) was said, so no part of day may shift it.
    explicit: bool,
}

fn sp(i: &str) -> Res<'_, &str> {
    multispace1(i)
}

/// A whole word (not the prefix of a longer one).
fn word<'a>(w: &'static str) -> impl Parser<&'a str, Output = &'a str, Error = nom::error::Error<&'a str>> {
    terminated(tag(w), nom::combinator::not(nom::character::complete::satisfy(|c: char| c.is_alphanumeric())))
}

fn number(i: &str) -> Res<'_, u32> {
    map_res(digit1, str::parse).parse(i)
}

fn meridiem(i: &str) -> Res<'_, bool> {
    preceded(
        multispace0,
        alt((
            value(false, alt((word("am"), word("a.m."), word("a.m"), word("in the morning")))),
            value(
                true,
                alt((
                    word("pm"),
                    word("p.m."),
                    word("p.m"),
                    word("in the afternoon"),
                    word("in the evening"),
                    word("at night"),
                )),
            ),
        )),
    )
    .parse(i)
}

/// `9`, `9am`, `9 pm`, `9:30`, `18:30`, `9.30pm`, `noon`, `midnight`, `10 o'clock`.
fn clock(i: &str) -> Res<'_, Clock> {
    alt((
        value(Clock { hour: 12, minute: 0, explicit: true }, word("noon")),
        value(Clock { hour: 0, minute: 0, explicit: true }, word("midnight")),
        map_res(
            (
                number,
                opt(preceded(alt((char(':'), char('.'))), number)),
                opt(meridiem),
                opt(preceded(multispace0, word("o'clock"))),
            ),
            |(hour, minute, pm, _)| {
                let minute = minute.unwrap_or(0);
                let hour = match pm {
                    Some(true) if hour < 12 => hour + 12,
                    Some(false) if hour == 12 => 0,
                    _ => hour,
                };
                let explicit = pm.is_some() || hour > 12;
                if hour < 24 && minute < 60 { Ok(Clock { hour, minute, explicit }) } else { Err("out of range") }
            },
        ),
    ))
    .parse(i)
}

/// Day-of-week numbers, 0 = Sunday … 6 = Saturday.
fn day(i: &str) -> Res<'_, u32> {
    let names: [(&'static str, &'static str, u32); 7] = [
        ("monday", "mon", 1),
        ("tuesday", "tue", 2),
        ("wednesday", "wed", 3),
        ("thursday", "thu", 4),
        ("friday", "fri", 5),
        ("saturday", "sat", 6),
        ("sunday", "sun", 0),
    ];
    let (rest, found) = take_while1(|c: char| c.is_ascii_alphabetic()).parse(i)?;
    let found = found.trim_end_matches('s');
    for (long, short, n) in names {
        if found == long || found == short || (found.len() >= 3 && long.starts_with(found)) {
            return Ok((rest, n));
        }
    }
    Err(nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Tag)))
}

/// A list of days, in cron's order and without repeats ("saturday and sunday" is `0,6`).
fn days(i: &str) -> Res<'_, Vec<u32>> {
    let (rest, mut list) =
        separated_list1((multispace0, alt((tag(","), tag("and"), tag("&"))), multispace0), day).parse(i)?;
    list.sort_unstable();
    list.dedup();
    Ok((rest, list))
}

#[derive(Clone)]
enum Period {
    Days(String),
    /// A default hour that a part of day implies.
    PartOfDay(String, u32, bool),
}

/// `weekday`, `weekend`, `day`, `morning`, `monday and friday`, …
fn period(i: &str) -> Res<'_, Period> {
    let (i, base) = days_or_part(i)?;
    // "weekday mornings", "monday evening": the days, then the part of the day.
    if let Period::Days(days) = &base
        && let Ok((rest, (_, part))) = (sp, days_or_part).parse(i)
        && let Period::PartOfDay(_, hour, pm) = part
    {
        return Ok((rest, Period::PartOfDay(days.clone(), hour, pm)));
    }
    Ok((i, base))
}

fn days_or_part(i: &str) -> Res<'_, Period> {
    alt((
        value(
            Period::Days("1-5".into()),
            alt((word("weekdays"), word("weekday"), word("workday"), word("workdays"), word("business day"))),
        ),
        value(Period::Days("0,6".into()), alt((word("weekends"), word("weekend")))),
        value(Period::Days("*".into()), alt((word("days"), word("day")))),
        value(Period::PartOfDay("*".into(), 9, false), alt((word("mornings"), word("morning")))),
        value(Period::PartOfDay("*".into(), 15, true), alt((word("afternoons"), word("afternoon")))),
        value(Period::PartOfDay("*".into(), 18, true), alt((word("evenings"), word("evening")))),
        value(Period::PartOfDay("*".into(), 21, true), alt((word("nights"), word("night")))),
        map(days, |list| Period::Days(list.iter().map(u32::to_string).collect::<Vec<_>>().join(","))),
    ))
    .parse(i)
}

fn at_clock(i: &str) -> Res<'_, Clock> {
    preceded((opt((alt((word("at"), word("@"), word("around"))), multispace0)),), clock).parse(i)
}

fn cron_for(days: &str, at: Clock) -> String {
    format!("{} {} * * {days}", at.minute, at.hour)
}

/// Adjusts an hour given without am/pm for the part of day it was said with ("every evening at 6").
/// "mondays …", "weekdays …", "weekends …": days that can only mean every such day.
fn starts_with_plural_day(i: &str) -> bool {
    const PLURAL: &[&str] =
        &["mondays", "tuesdays", "wednesdays", "thursdays", "fridays", "saturdays", "sundays", "weekdays", "weekends"];
    let first = i.split_whitespace().next().unwrap_or("").trim_end_matches(',');
    PLURAL.contains(&first)
}

/// At night, 1 to 5 are the small hours ("every night at 2" is 2am), later ones evening ("at 10").
fn afternoon(clock: Clock, pm: bool, default_hour: u32) -> Clock {
    let small_hours = default_hour >= 21 && clock.hour < 6;
    if pm && !clock.explicit && !small_hours && clock.hour < 12 {
        Clock { hour: clock.hour + 12, ..clock }
    } else {
        clock
    }
}

/// `every weekday at 9am`, `every morning at 10`, `every monday at 8:30 pm`, `each day`.
fn every_period(i: &str) -> Res<'_, String> {
    // "every friday", "on fridays", "for fridays"; a plural day alone ("fridays at 5pm",
    // "weekdays at 9") repeats too.
    let (i, lead) = opt(terminated(alt((word("every"), word("each"), word("on"), word("for"))), sp)).parse(i)?;
    if lead.is_none() && !starts_with_plural_day(i) {
        return Err(nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Tag)));
    }
    let (i, _) = opt(terminated(word("single"), sp)).parse(i)?;
    let (i, period) = period(i)?;
    let (i, at) = opt(preceded(multispace0, at_clock)).parse(i)?;
    Ok((
        i,
        match period {
            Period::Days(days) => cron_for(&days, at.unwrap_or(Clock { hour: 0, minute: 0, explicit: true })),
            Period::PartOfDay(days, hour, pm) => {
                cron_for(&days, at.map_or(Clock { hour, minute: 0, explicit: true }, |c| afternoon(c, pm, hour)))
            }
        },
    ))
}

/// `every 15 minutes`, `every 2 hours`, `every minute`, `every hour`. Only intervals cron
/// keeps exactly: cron restarts its count every hour (and every day), so `*/45` would fire at
/// :00 and :45. Minutes must divide 60 and hours 24; other intervals don't parse, and
/// [`interval_problem`] explains why.
fn every_interval(i: &str) -> Res<'_, String> {
    let (i, _) = alt((word("every"), word("each"))).parse(i)?;
    let (i, _) = sp(i)?;
    // "every quarter hour", "every half hour".
    if let Ok((rest, minutes)) =
        alt((value(15, word("quarter hour")), value(30, word("half hour")), value(30, word("half an hour")))).parse(i)
    {
        return Ok((rest, format!("*/{minutes} * * * *")));
    }
    // "every other hour": every second one.
    let (i, other) = opt(terminated(word("other"), sp)).parse(i)?;
    let (i, n) = match other {
        Some(_) => (i, Some(2)),
        None => opt(terminated(verify(number, |n| *n > 0), multispace0)).parse(i)?,
    };
    let n = n.unwrap_or(1);
    alt((
        map_opt(alt((word("minutes"), word("minute"), word("mins"), word("min"))), move |_| match n {
            1 => Some("* * * * *".to_string()),
            60 => Some("0 * * * *".to_string()),
            n if n < 60 && 60 % n == 0 => Some(format!("*/{n} * * * *")),
            _ => None,
        }),
        // "every hour on the hour": what cron's hourly means anyway.
        map_opt(terminated(alt((word("hours"), word("hour"))), opt((sp, word("on the hour")))), move |_| match n {
            1 => Some("0 * * * *".to_string()),
            24 => Some("0 0 * * *".to_string()),
            n if n < 24 && 24 % n == 0 => Some(format!("0 */{n} * * *")),
            _ => None,
        }),
    ))
    .parse(i)
}

/// Why "every N minutes/hours" can't be a schedule, when that is what `text` says.
pub fn interval_problem(text: &str) -> Option<String> {
    let lower = text.trim().to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let [every, n, unit] = words[..] else { return None };
    let n: u32 = n.parse().ok()?;
    if !matches!(every, "every" | "each") {
        return None;
    }
    let (unit, period, divisors, whole) = match unit.trim_end_matches('s') {
        "minute" | "min" => ("minutes", "hour", "1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60", 60),
        "hour" => ("hours", "day", "1, 2, 3, 4, 6, 8, 12 or 24", 24),
        _ => return None,
    };
    if n > 0 && n <= whole && whole % n == 0 {
        return None;
    }
    Some(format!(
        "every {n} {unit} can't be kept by a cron schedule, which starts counting again every {period}; use {divisors} {unit}, or write the cron you want"
    ))
}

/// `hourly`, `daily [at 9]`, `weekly [on monday] [at 9]`, `monthly`, `nightly`.
fn adverb(i: &str) -> Res<'_, String> {
    alt((
        // "hourly on weekdays": every hour of those days.
        map(
            (word("hourly"), opt(preceded((multispace1, alt((word("on"), word("every"))), multispace1), period))),
            |(_, days)| match days {
                Some(Period::Days(days) | Period::PartOfDay(days, _, _)) => format!("0 * * * {days}"),
                None => "0 * * * *".to_string(),
            },
        ),
        // Twice a day: morning and evening.
        value("0 9,21 * * *".to_string(), (word("twice"), sp, alt((word("a day"), word("daily"), word("per day"))))),
        value("0 9,21 * * *".to_string(), word("twice daily")),
        map((alt((word("daily"), word("every day"))), opt(preceded(multispace0, at_clock))), |(_, at)| {
            cron_for("*", at.unwrap_or(Clock { hour: 0, minute: 0, explicit: true }))
        }),
        map((word("nightly"), opt(preceded(multispace0, at_clock))), |(_, at)| {
            cron_for("*", at.unwrap_or(Clock { hour: 0, minute: 0, explicit: true }))
        }),
        map(
            (
                word("weekly"),
                opt(preceded((multispace0, word("on"), multispace1), days)),
                opt(preceded(multispace0, at_clock)),
            ),
            |(_, days, at)| {
                let days = days.map_or("1".to_string(), |d| d.iter().map(u32::to_string).collect::<Vec<_>>().join(","));
                cron_for(&days, at.unwrap_or(Clock { hour: 0, minute: 0, explicit: true }))
            },
        ),
        map((word("monthly"), opt(preceded(multispace0, at_clock))), |(_, at)| {
            let at = at.unwrap_or(Clock { hour: 0, minute: 0, explicit: true });
            format!("{} {} 1 * *", at.minute, at.hour)
        }),
    ))
    .parse(i)
}

/// `on the first day of every month [at 9]`, `on the 15th of each month`.
fn month_day(i: &str) -> Res<'_, String> {
    let (i, _) = opt((word("on"), sp)).parse(i)?;
    // "every first of the month": the same day said the other way round.
    let (i, _) = opt((alt((word("every"), word("each"))), sp)).parse(i)?;
    let (i, _) = opt((word("the"), sp)).parse(i)?;
    let (i, dom) = alt((
        value(1, word("first")),
        map_res(terminated(number, opt(alt((tag("st"), tag("nd"), tag("rd"), tag("th"))))), |n| {
            if (1..=31).contains(&n) { Ok(n) } else { Err("day") }
        }),
    ))
    .parse(i)?;
    let (i, _) = opt((sp, word("day"))).parse(i)?;
    let (i, _) = (sp, word("of"), sp, alt((word("every"), word("each"), word("the"))), sp, word("month")).parse(i)?;
    let (i, at) = opt(preceded(multispace0, at_clock)).parse(i)?;
    let at = at.unwrap_or(Clock { hour: 0, minute: 0, explicit: true });
    Ok((i, format!("{} {} {dom} * *", at.minute, at.hour)))
}

/// `at 18:30 on fridays`, `at 9am every weekday`, `at 7 daily`, `at noon`.
fn at_first(i: &str) -> Res<'_, String> {
    // "for 3am every day" says the same as "at 3am every day".
    let (i, at) = preceded((alt((word("at"), word("@"), word("for"))), multispace0), clock).parse(i)?;
    let (i, days) = opt(preceded(
        multispace1,
        alt((
            preceded(
                (alt((word("on"), word("every"), word("each"))), sp),
                map(period, |p| match p {
                    Period::Days(d) | Period::PartOfDay(d, _, _) => d,
                }),
            ),
            value("*".to_string(), alt((word("daily"), word("every day"), word("each day")))),
        )),
    ))
    .parse(i)?;
    Ok((i, cron_for(days.as_deref().unwrap_or("*"), at)))
}

/// A 5-field cron expression, optionally quoted.
fn literal_cron(i: &str) -> Res<'_, String> {
    let field = || take_while1(|c: char| c.is_ascii_digit() || "*/,-".contains(c));
    let fields = recognize((field(), sp, field(), sp, field(), sp, field(), sp, field()));
    let (rest, found) = alt((
        preceded(char('"'), terminated(fields, char('"'))),
        preceded(
            char('\''),
            terminated(recognize((field(), sp, field(), sp, field(), sp, field(), sp, field())), char('\'')),
        ),
        recognize((field(), sp, field(), sp, field(), sp, field(), sp, field())),
    ))
    .parse(i)?;
    let normalized = found.split_whitespace().collect::<Vec<_>>().join(" ");
    if crate::schedule::parse_cron(&normalized).is_err() {
        return Err(nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Verify)));
    }
    Ok((rest, normalized))
}

/// Parses a schedule phrase at the start of `text` (lowercase): the cron and the rest.
pub fn phrase(text: &str) -> Option<(String, &str)> {
    let (rest, cron) =
        alt((literal_cron, month_day, every_interval, every_period, adverb, at_first)).parse(text).ok()?;
    // "every weekday at 9am" may also be said "at 9am every weekday": covered by at_first.
    crate::schedule::parse_cron(&cron).ok()?;
    Some((cron, rest))
}

/// The cron for a whole phrase, or `None` when anything is left over.
pub fn to_cron(text: &str) -> Option<String> {
    let lower = text.trim().to_ascii_lowercase();
    let (cron, rest) = phrase(&lower)?;
    rest.trim().trim_end_matches(['.', '!']).trim().is_empty().then_some(cron)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_become_cron() {
        let cases = [
            ("every weekday at 9am", "0 9 * * 1-5"),
            ("every morning at 10", "0 10 * * *"),
            ("every morning at 10am", "0 10 * * *"),
            ("every evening at 6", "0 18 * * *"),
            ("hourly", "0 * * * *"),
            ("twice a day", "0 9,21 * * *"),
            ("every other hour", "0 */2 * * *"),
            ("every quarter hour", "*/15 * * * *"),
            ("hourly on weekdays", "0 * * * 1-5"),
            ("for 3am every day", "0 3 * * *"),
            ("every weekday morning", "0 9 * * 1-5"),
            ("every friday evening at 7", "0 19 * * 5"),
            ("every hour", "0 * * * *"),
            ("every 15 minutes", "*/15 * * * *"),
            ("every 2 hours", "0 */2 * * *"),
            ("every minute", "* * * * *"),
            ("daily", "0 0 * * *"),
            ("daily at 7:45", "45 7 * * *"),
            ("every day at noon", "0 12 * * *"),
            ("weekly on monday", "0 0 * * 1"),
            ("weekly", "0 0 * * 1"),
            ("first day of every month", "0 0 1 * *"),
            ("on the first day of every month at 9am", "0 9 1 * *"),
            ("on the 15th of each month", "0 0 15 * *"),
            ("every monday at 8:30 pm", "30 20 * * 1"),
            ("at 18:30 on fridays", "30 18 * * 5"),
            ("at 9am every weekday", "0 9 * * 1-5"),
            ("every tuesday and thursday at 7", "0 7 * * 2,4"),
            ("every weekend at 10am", "0 10 * * 0,6"),
            ("at midnight", "0 0 * * *"),
            ("monthly", "0 0 1 * *"),
            ("\"0 9 * * 1-5\"", "0 9 * * 1-5"),
            ("*/5 * * * *", "*/5 * * * *"),
            ("every mon at 12pm", "0 12 * * 1"),
            ("every day at 12am", "0 0 * * *"),
        ];
        for (text, cron) in cases {
            assert_eq!(to_cron(text).as_deref(), Some(cron), "{text}");
        }
    }

    #[test]
    fn rejects_non_schedules() {
        for text in [
            "whenever",
            "every",
            "at 25:00",
            "every 0 minutes",
            "every blue moon",
            "61 * * * *",
            "sometimes daily",
            "every 45 minutes",
            "every 61 minutes",
            "every 5 hours",
            "every 25 hours",
        ] {
            assert_eq!(to_cron(text), None, "{text}");
        }
    }
}
