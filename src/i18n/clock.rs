//! How a person reads instants: their time zone, their 12 or 24 hour clock, their language.
//! The one rule for showing a time on a console page or in an email.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::Lang;
use crate::domain::TimeZoneName;
use crate::storage::users::User;

/// How someone reads times: their zone, their 12/24-hour clock, their language.
#[derive(Clone, Copy)]
pub struct Clock {
    pub tz: Tz,
    pub twelve: bool,
    pub lang: Lang,
}

impl Clock {
    /// A user's clock: their profile's zone and 12/24-hour setting, read in `lang`.
    pub fn of(user: &User, lang: Lang) -> Self {
        Self::in_zone(&user.time_zone, user.time_format == 12, lang)
    }

    /// The clock of someone in `zone` (an IANA name; UTC when it is not one).
    pub fn in_zone(zone: &str, twelve: bool, lang: Lang) -> Self {
        Self {
            tz: TimeZoneName::parse(zone).map_or(Tz::UTC, TimeZoneName::tz),
            twelve,
            lang,
        }
    }

    /// "Tuesday, March 2, 2027, 9:00am – 9:30am".
    pub fn span(self, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
        let (s, e) = (start.with_timezone(&self.tz), end.with_timezone(&self.tz));
        let date = self.lang.long_date(s.date_naive());
        let (from, to) = (self.time(s.time()), self.time(e.time()));
        if e.date_naive() == s.date_naive() {
            format!("{date}, {from} – {to}")
        } else {
            let last = self.lang.long_date(e.date_naive());
            format!("{date}, {from} – {last}, {to}")
        }
    }

    /// A meeting's time as emails and reminders write it, the zone named: `Sunday, March 29,
    /// 2026, 10:30am – 11:00am (Europe/Berlin)`, `Sonntag, 29. März 2026, 10:30 – 11:00
    /// (Europe/Berlin)`.
    pub fn when(self, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
        format!("{} ({})", self.span(start, end), self.tz.name())
    }

    /// The local date of `at`, in the long form: "Tuesday, March 2, 2027".
    pub fn date(self, at: DateTime<Utc>) -> String {
        self.lang.long_date(at.with_timezone(&self.tz).date_naive())
    }

    /// The local time of `at` on this clock: "9:00am", "09:00".
    pub fn time_of(self, at: DateTime<Utc>) -> String {
        self.time(at.with_timezone(&self.tz).time())
    }

    pub fn at(self, at: DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.tz);
        format!(
            "{}, {}",
            self.lang.long_date(local.date_naive()),
            self.time(local.time())
        )
    }

    pub fn time(self, time: chrono::NaiveTime) -> String {
        self.lang.time(time, self.twelve)
    }

    /// `2027-03-02 9:00am`: a log's column, in the user's zone and clock.
    pub fn short(self, at: DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.tz);
        format!("{} {}", local.format("%Y-%m-%d"), self.time(local.time()))
    }

    /// `2027-03-02 09:00` in the user's zone (machine-readable, for exports).
    pub fn plain(self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
}
