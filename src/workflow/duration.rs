//! Human-friendly durations (`500ms`, `30s`, `10m`, `1h`, `1h30m`) as written in workflow files.
//!
//! Kept as their own type so a file round-trips with the text the author wrote and the
//! executor still gets an exact [`std::time::Duration`].

use std::fmt;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A duration parsed from text such as `30s` or `1h30m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HumanDuration(Duration);

const UNITS: &[(&str, u64)] = &[("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)];

impl HumanDuration {
    /// Wraps an exact duration.
    pub fn new(duration: Duration) -> Self {
        Self(duration)
    }

    /// Shorthand for whole seconds.
    pub fn from_secs(secs: u64) -> Self {
        Self(Duration::from_secs(secs))
    }

    /// The exact duration.
    pub fn get(self) -> Duration {
        self.0
    }

    /// Parses `500ms`, `30s`, `10m`, `1h`, `2d` and concatenations such as `1h30m`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("expected a duration such as 500ms, 30s, 10m or 1h".into());
        }
        let mut total: u64 = 0;
        let mut rest = text;
        while !rest.is_empty() {
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            if digits == 0 {
                return Err(format!("`{text}` is not a duration: expected a number followed by ms, s, m, h or d"));
            }
            let number: u64 = rest[..digits].parse().map_err(|_| format!("`{text}` is too large a duration"))?;
            rest = &rest[digits..];
            let unit_len = rest.chars().take_while(char::is_ascii_alphabetic).count();
            let unit = &rest[..unit_len];
            let Some(&(_, millis)) = UNITS.iter().find(|(name, _)| *name == unit) else {
                return Err(if unit.is_empty() {
                    format!("`{text}` needs a unit: ms, s, m, h or d (as in {number}s)")
                } else {
                    format!("`{unit}` is not a duration unit in `{text}`: use ms, s, m, h or d")
                });
            };
            rest = &rest[unit_len..];
            total = number
                .checked_mul(millis)
                .and_then(|part| total.checked_add(part))
                .ok_or_else(|| format!("`{text}` is too large a duration"))?;
        }
        Ok(Self(Duration::from_millis(total)))
    }
}

impl fmt::Display for HumanDuration {
    /// The shortest exact spelling, so that load → save → load is stable.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut millis = u64::try_from(self.0.as_millis()).unwrap_or(u64::MAX);
        if millis == 0 {
            return f.write_str("0s");
        }
        for &(unit, size) in UNITS.iter().rev() {
            let count = millis / size;
            if count > 0 {
                write!(f, "{count}{unit}")?;
                millis -= count * size;
            }
        }
        Ok(())
    }
}

impl Serialize for HumanDuration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for HumanDuration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^([0-9]+(ms|s|m|h|d))+$",
            "description": "A duration: a number and a unit (ms, s, m, h, d), e.g. 500ms, 30s, 10m, 1h30m",
            "examples": ["500ms", "30s", "10m", "1h"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_canonically() {
        let cases = [
            ("500ms", 500, "500ms"),
            ("30s", 30_000, "30s"),
            ("10m", 600_000, "10m"),
            ("1h", 3_600_000, "1h"),
            ("1h30m", 5_400_000, "1h30m"),
            ("90s", 90_000, "1m30s"),
            ("1500ms", 1_500, "1s500ms"),
            ("2d", 172_800_000, "2d"),
            ("0s", 0, "0s"),
        ];
        for (text, millis, canonical) in cases {
            let parsed = HumanDuration::parse(text).unwrap();
            assert_eq!(parsed.get(), Duration::from_millis(millis), "{text}");
            assert_eq!(parsed.to_string(), canonical, "{text}");
            assert_eq!(HumanDuration::parse(canonical).unwrap(), parsed, "{text}");
        }
    }

    #[test]
    fn rejects_malformed() {
        for text in ["", "10", "ten seconds", "5 m", "3w", "-1s", "99999999999999999999s", "1s2"] {
            assert!(HumanDuration::parse(text).is_err(), "{text} should be rejected");
        }
    }
}
