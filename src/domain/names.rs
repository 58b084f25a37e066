use std::fmt;

/// A URL-safe identifier: lower-case letters, digits and `-`, 1 to 64 characters, not starting
/// or ending with `-`. Event type slugs and team slugs are slugs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let slug = raw.trim();
        let valid = (1..=64).contains(&slug.len())
            && !slug.starts_with('-')
            && !slug.ends_with('-')
            && slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if valid {
            Ok(Self(slug.to_owned()))
        } else {
            Err(format!(
                "slug `{slug}` is not valid: use 1-64 lower-case letters, digits and dashes"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A slug made from a name or title ("Intro call!" -> `intro-call`); empty when the name
    /// has no ASCII letter or digit. Not checked: [`Slug::parse`] judges it.
    pub fn suggest(name: &str) -> String {
        let mut slug = String::new();
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        slug.trim_end_matches('-').chars().take(64).collect()
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A username: the path segment of a person's booking page (`/{username}/{event}`).
/// Lower-case letters, digits, `-`, `_` and `.`, 1 to 64 characters, and not one of the paths
/// Kairos serves itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

/// First path segments of Kairos's own pages and API, which no person's page may shadow.
pub const RESERVED_USERNAMES: [&str; 26] = [
    "v2",
    "health",
    "metrics",
    "static",
    "embed",
    "booking",
    "reschedule",
    "team",
    "api",
    "admin",
    "login",
    "logout",
    "favicon.ico",
    "feeds",
    "forms",
    // Private links: `/d/{link}/{slug}`.
    "d",
    // The console (Cal.com's paths) and the booker's own portal.
    "auth",
    "event-types",
    "availability",
    "bookings",
    "teams",
    "settings",
    "insights",
    "apps",
    "workflows",
    "my-bookings",
];

impl Username {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if RESERVED_USERNAMES.contains(&name) {
            return Err(format!(
                "username `{name}` is reserved for Kairos's own pages; choose another"
            ));
        }
        let valid = (1..=64).contains(&name.len())
            && name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
            && name.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')
            });
        if valid {
            Ok(Self(name.to_owned()))
        } else {
            Err(format!(
                "username `{name}` is not valid: use 1-64 lower-case letters, digits, '-', '_' or '.', starting with a letter or digit"
            ))
        }
    }

    /// A username derived from free text (an email's local part): invalid characters become
    /// dashes. Falls back to `user` when nothing usable is left.
    pub fn suggest(from: &str) -> Self {
        let cleaned: String = from
            .to_lowercase()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let trimmed = cleaned.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        let cut: String = trimmed.chars().take(64).collect();
        Self::parse(&cut).unwrap_or_else(|_| Self("user".to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's display name: trimmed, non-empty, at most 255 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("name must not be empty".to_owned());
        }
        if name.chars().count() > 255 {
            return Err("name must be at most 255 characters".to_owned());
        }
        super::text::check(super::TextKind::Line, name).map_err(|m| format!("name {m}"))?;
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(Slug::parse("intro-call").is_ok());
        assert!(Slug::parse("30min").is_ok());
        for bad in ["", "-a", "a-", "Intro", "a b", "a_b", &"x".repeat(65)] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Slug::suggest("Intro call: 30 min!"), "intro-call-30-min");
        assert_eq!(Slug::suggest("Café"), "caf");
        assert_eq!(Slug::suggest("¿?"), "");
    }

    #[test]
    fn usernames_and_suggestions() {
        assert!(Username::parse("ada.host_1").is_ok());
        assert!(Username::parse(".ada").is_err());
        assert!(Username::parse("Ada").is_err());
        // `/metrics` is Kairos's own.
        assert!(Username::parse("metrics").is_err());
        assert!(Username::parse("feeds").is_err());
        assert!(Username::parse("d").is_err());
        assert!(Username::parse("forms").is_err());
        assert_eq!(Username::suggest("d").as_str(), "user");
        assert_eq!(Username::suggest("Ada.Host+cal").as_str(), "ada.host-cal");
        assert_eq!(Username::suggest("+++").as_str(), "user");
    }

    #[test]
    fn person_names() {
        assert_eq!(
            PersonName::parse("  Ada Host ").unwrap().as_str(),
            "Ada Host"
        );
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse("a\u{0}b").is_err());
    }
}
