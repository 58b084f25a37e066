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

/// A city a person picks their zone by, as Cal.com's `GET /v2/timezones` lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct City {
    pub city: String,
    pub zone: TimeZoneName,
}

/// The regions whose zones are named after a city (`Etc/GMT+1`, `US/Eastern` and the other
/// legacy names are not).
const CITY_REGIONS: &[&str] = &[
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
];

impl TimeZoneName {
    /// Every zone of the bundled database named after a place, with the place's name
    /// (`America/Argentina/Buenos_Aires` -> `Buenos Aires`), one zone per name, by zone name.
    /// Kairos has no city database: Cal.com's list comes from one, with several cities per
    /// zone; this one has the city each zone is named after. When an old alias and its current
    /// zone name the same city, the longer, current name stays (`America/Buenos_Aires` is an
    /// alias of `America/Argentina/Buenos_Aires`).
    pub fn cities() -> Vec<City> {
        let mut by_city: std::collections::BTreeMap<String, Tz> = Default::default();
        for tz in chrono_tz::TZ_VARIANTS {
            let Some(city) = city_of(tz.name()) else {
                continue;
            };
            let entry = by_city.entry(city).or_insert(tz);
            if tz.name().len() > entry.name().len() {
                *entry = tz;
            }
        }
        let mut cities: Vec<City> = (by_city.into_iter())
            .map(|(city, tz)| City {
                city,
                zone: TimeZoneName(tz),
            })
            .collect();
        cities.sort_by(|a, b| a.zone.as_str().cmp(b.zone.as_str()));
        cities
    }
}

/// The place a zone is named after: its last segment, underscores as spaces.
fn city_of(zone: &str) -> Option<String> {
    let (region, rest) = zone.split_once('/')?;
    if !CITY_REGIONS.contains(&region) {
        return None;
    }
    let last = rest.rsplit('/').next()?;
    Some(last.replace('_', " "))
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
    fn cities_are_named_after_their_zones_once_each() {
        let cities = TimeZoneName::cities();
        let find = |name: &str| cities.iter().filter(|c| c.city == name).collect::<Vec<_>>();
        let buenos_aires = find("Buenos Aires");
        assert_eq!(buenos_aires.len(), 1);
        assert_eq!(
            buenos_aires[0].zone.as_str(),
            "America/Argentina/Buenos_Aires"
        );
        assert_eq!(find("New York")[0].zone.as_str(), "America/New_York");
        assert_eq!(find("Kolkata")[0].zone.as_str(), "Asia/Kolkata");
        assert!(cities.iter().all(|c| !c.zone.as_str().starts_with("Etc/")
            && !c.zone.as_str().starts_with("US/")
            && !c.city.contains('_')));
        assert!(cities.len() > 300, "{}", cities.len());
        assert!(
            cities
                .windows(2)
                .all(|w| w[0].zone.as_str() <= w[1].zone.as_str())
        );
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
