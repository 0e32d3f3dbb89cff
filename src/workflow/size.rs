//! Byte sizes (`512KiB`, `1MiB`, `2GB`, `65536`) as written in workflow and config files, for
//! `output_limit:`. Kept as written so a file round-trips; the executor gets exact bytes.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A number of bytes parsed from text such as `1MiB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteSize(u64);

const UNITS: &[(&str, u64)] = &[
    ("GiB", 1 << 30),
    ("MiB", 1 << 20),
    ("KiB", 1 << 10),
    ("GB", 1_000_000_000),
    ("MB", 1_000_000),
    ("KB", 1_000),
    ("kB", 1_000),
    ("B", 1),
];

impl ByteSize {
    /// Exactly `bytes`.
    pub fn new(bytes: u64) -> Self {
        Self(bytes)
    }

    /// The number of bytes.
    pub fn bytes(self) -> u64 {
        self.0
    }

    /// Parses `65536`, `64KiB`, `1MiB`, `1.5MB`, `2GiB`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let number_len = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
        let (number, unit) = text.split_at(number_len);
        let number: f64 = number.parse().map_err(|_| format!("`{text}` is not a size such as 64KiB or 1MiB"))?;
        let unit = unit.trim();
        let factor =
            if unit.is_empty() {
                1
            } else {
                UNITS.iter().find(|(name, _)| name.eq_ignore_ascii_case(unit)).map(|(_, factor)| *factor).ok_or_else(
                    || format!("`{unit}` is not a size unit in `{text}`: use B, KiB, MiB, GiB, KB, MB or GB"),
                )?
            };
        let bytes = number * factor as f64;
        if !bytes.is_finite() || bytes > u64::MAX as f64 {
            return Err(format!("`{text}` is too large a size"));
        }
        Ok(Self(bytes as u64))
    }
}

impl fmt::Display for ByteSize {
    /// The largest binary unit that divides the size exactly, so load → save → load is stable.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (unit, factor) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
            if self.0 >= factor && self.0.is_multiple_of(factor) {
                return write!(f, "{}{unit}", self.0 / factor);
            }
        }
        write!(f, "{}B", self.0)
    }
}

/// "1.5 MiB": a size for people, rounded.
pub fn human(bytes: u64) -> String {
    for (unit, factor) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if bytes >= factor {
            return format!("{:.1} {unit}", bytes as f64 / factor as f64);
        }
    }
    format!("{bytes} bytes")
}

impl Serialize for ByteSize {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Number(u64),
            Text(String),
        }
        match Written::deserialize(deserializer)? {
            Written::Number(bytes) => Ok(Self(bytes)),
            Written::Text(text) => Self::parse(&text).map_err(serde::de::Error::custom),
        }
    }
}

impl JsonSchema for ByteSize {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ByteSize".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": ["string", "integer"],
            "description": "A size in bytes, or a number and a unit (KiB, MiB, GiB, KB, MB, GB), e.g. 64KiB, 1MiB",
            "examples": ["64KiB", "1MiB", 1048576]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_canonically() {
        for (text, bytes, canonical) in [
            ("65536", 65_536, "64KiB"),
            ("64KiB", 65_536, "64KiB"),
            ("1MiB", 1 << 20, "1MiB"),
            ("1mib", 1 << 20, "1MiB"),
            ("1.5MiB", 3 << 19, "1536KiB"),
            ("2GB", 2_000_000_000, "1953125KiB"),
            ("100", 100, "100B"),
        ] {
            let parsed = ByteSize::parse(text).unwrap();
            assert_eq!(parsed.bytes(), bytes, "{text}");
            assert_eq!(parsed.to_string(), canonical, "{text}");
            assert_eq!(ByteSize::parse(canonical).unwrap(), parsed, "{text}");
        }
        for text in ["", "MiB", "ten", "5 parsecs", "-1"] {
            assert!(ByteSize::parse(text).is_err(), "{text} should be rejected");
        }
    }
}
