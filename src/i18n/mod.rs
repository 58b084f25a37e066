//! The words Kairos writes to people — the booking pages and the emails — in English, German,
//! French and Spanish, from one Fluent catalogue (`locales/{lang}/kairos.ftl`, compiled in):
//! messages with each language's plural rules, and the names dates are written with. Pure: the
//! caller says which language and which zone; nothing here reads a request or the database.

mod catalogue;
mod clock;

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike, Weekday};
use fluent_langneg::{NegotiationStrategy, negotiate_languages};
use unic_langid::LanguageIdentifier;

pub use catalogue::{Value, format, t};
pub use clock::Clock;

/// A language Kairos writes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    De,
    Fr,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::De, Lang::Fr, Lang::Es];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Fr => "fr",
            Lang::Es => "es",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn id(self) -> LanguageIdentifier {
        // The four codes above are valid tags.
        self.code().parse().expect("a language tag")
    }

    /// The language a tag asks for (`de`, `de-CH`, `fr_FR`), if Kairos writes it; `None` for
    /// one it does not (`pt-BR`) or for no tag at all. Readers without one read English
    /// (`unwrap_or_default`).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        Lang::best([tag.trim().replace('_', "-").parse().ok()?])
    }

    /// The first of `requested` (best first) Kairos writes, matched as Fluent matches tags.
    fn best(requested: impl IntoIterator<Item = LanguageIdentifier>) -> Option<Lang> {
        let requested: Vec<LanguageIdentifier> = requested.into_iter().collect();
        let available = Lang::ALL.map(Lang::id);
        let chosen = negotiate_languages(&requested, &available, None, NegotiationStrategy::Lookup);
        let chosen = chosen.first()?;
        Lang::ALL.into_iter().find(|l| l.id() == **chosen)
    }

    /// `?lang=` first, then the first supported language of `Accept-Language` by its weights,
    /// else English.
    pub fn negotiate(query: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(lang) = query.and_then(Lang::from_tag) {
            return lang;
        }
        let mut offered: Vec<(f32, LanguageIdentifier)> = accept_language
            .unwrap_or_default()
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim().replace('_', "-").parse().ok()?;
                let weight = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some((weight, tag))
            })
            .collect();
        // Stable: among equal weights the header's order decides.
        offered.sort_by(|a, b| b.0.total_cmp(&a.0));
        Lang::best(offered.into_iter().map(|(_, tag)| tag)).unwrap_or_default()
    }

    /// Message `key` in this language: shorthand for [`t`].
    pub fn t(self, key: &str, args: &[(&str, Value<'_>)]) -> String {
        t(self, key, args)
    }

    /// Whether times read 12-hour by default in this language.
    pub fn twelve_hour(self) -> bool {
        self == Lang::En
    }

    pub fn month(self, month: u32) -> String {
        self.t("date-month", &[("month", month.clamp(1, 12).into())])
    }

    pub fn weekday(self, day: Weekday) -> String {
        self.t("date-weekday", &[("day", day.number_from_monday().into())])
    }

    /// Two or three letters for a calendar's column heading.
    pub fn weekday_short(self, day: Weekday) -> String {
        let day = day.number_from_monday();
        self.t("date-weekday-short", &[("day", day.into())])
    }

    /// "March 2027", "März 2027", "mars 2027", "marzo de 2027".
    pub fn month_year(self, year: i32, month: u32) -> String {
        let args = [
            ("month", self.month(month).into()),
            ("year", year.to_string().into()),
        ];
        self.t("date-month-year", &args)
    }

    /// The long form of a date: "Tuesday, March 2, 2027", "Dienstag, 2. März 2027",
    /// "mardi 2 mars 2027", "martes, 2 de marzo de 2027".
    pub fn long_date(self, date: NaiveDate) -> String {
        let args = [
            ("weekday", self.weekday(date.weekday()).into()),
            ("month", self.month(date.month()).into()),
            ("day", date.day().to_string().into()),
            ("year", date.year().to_string().into()),
        ];
        self.t("date-long", &args)
    }

    pub fn time(self, time: NaiveTime, twelve_hour: bool) -> String {
        if twelve_hour {
            let (pm, hour) = time.hour12();
            format!(
                "{hour}:{:02}{}",
                time.minute(),
                if pm { "pm" } else { "am" }
            )
        } else {
            format!("{:02}:{:02}", time.hour(), time.minute())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_wins_then_weighted_accept_language_then_english() {
        assert_eq!(Lang::negotiate(Some("fr"), Some("de")), Lang::Fr);
        assert_eq!(
            Lang::negotiate(Some("xx"), Some("de-DE,de;q=0.9")),
            Lang::De
        );
        assert_eq!(
            Lang::negotiate(None, Some("it;q=1.0, es-MX;q=0.4, fr;q=0.8")),
            Lang::Fr
        );
        assert_eq!(Lang::negotiate(None, Some("ja, zh")), Lang::En);
        assert_eq!(Lang::negotiate(None, None), Lang::En);
    }

    #[test]
    fn stored_tags_name_a_language_or_none() {
        assert_eq!(Lang::from_tag("de-CH"), Some(Lang::De));
        assert_eq!(Lang::from_tag("fr_FR"), Some(Lang::Fr));
        assert_eq!(Lang::from_tag("ES"), Some(Lang::Es));
        assert_eq!(Lang::from_tag("pt-BR"), None);
        assert_eq!(Lang::from_tag(""), None);
        assert_eq!(Lang::from_tag("pt-BR").unwrap_or_default(), Lang::En);
    }

    #[test]
    fn dates_read_as_each_language_writes_them() {
        let date = NaiveDate::from_ymd_opt(2027, 3, 2).unwrap();
        assert_eq!(Lang::En.long_date(date), "Tuesday, March 2, 2027");
        assert_eq!(Lang::De.long_date(date), "Dienstag, 2. März 2027");
        assert_eq!(Lang::Fr.long_date(date), "mardi 2 mars 2027");
        assert_eq!(Lang::Es.long_date(date), "martes, 2 de marzo de 2027");
        assert_eq!(Lang::Es.month_year(2027, 3), "marzo de 2027");
        assert_eq!(Lang::De.weekday_short(Weekday::Wed), "Mi");
        assert_eq!(Lang::Fr.weekday_short(Weekday::Wed), "Mer");
        assert_eq!(Lang::En.month(12), "December");
        assert_eq!(Lang::Es.weekday(Weekday::Sun), "domingo");
    }

    #[test]
    fn times_in_both_clocks() {
        let t = NaiveTime::from_hms_opt(15, 5, 0).unwrap();
        assert_eq!(Lang::En.time(t, true), "3:05pm");
        assert_eq!(Lang::En.time(t, false), "15:05");
        let midnight = NaiveTime::from_hms_opt(0, 30, 0).unwrap();
        assert_eq!(Lang::En.time(midnight, true), "12:30am");
    }
}
