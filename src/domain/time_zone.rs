use std::fmt;
use std::str::FromStr;

use chrono_tz::Tz;

/// An IANA timezone name known to the bundled timezone database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZoneName(Tz);

impl TimeZoneName {
    pub const UTC: TimeZoneName = TimeZoneName(Tz::UTC);

    pub fn parse(raw: &str) -> Result<Self, String> {
        Tz::from_str(raw.trim()).map(Self).map_err(|_| {
            format!(
                "unknown timezone `{}`; use an IANA name such as Europe/Berlin or America/New_York",
                raw.trim()
            )
        })
    }

    pub fn tz(self) -> Tz {
        self.0
    }

    pub fn as_str(self) -> &'static str {
        self.0.name()
    }
}

impl fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::TimeZoneName;

    #[test]
    fn parses_iana_names() {
        assert_eq!(
            TimeZoneName::parse(" Asia/Kathmandu ").unwrap().as_str(),
            "Asia/Kathmandu"
        );
        assert_eq!(TimeZoneName::parse("UTC").unwrap().as_str(), "UTC");
    }

    #[test]
    fn rejects_unknown_names_with_a_hint() {
        let err = TimeZoneName::parse("Mars/Olympus").unwrap_err();
        assert!(
            err.contains("Mars/Olympus") && err.contains("IANA"),
            "{err}"
        );
        assert!(TimeZoneName::parse("").is_err());
    }
}
