//! iCalendar time values (DATE, DATE-TIME, DURATION), the zones they are written in, and the
//! one rule that turns a wall-clock time into an instant (RFC 5545 §3.3.5).

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// When something starts, as the document wrote it: a wall-clock time in a zone (UTC and
/// floating times included, resolved to their zones when read), or a whole day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Start {
    Timed {
        wall: NaiveDateTime,
        tz: Tz,
    },
    /// A DATE value: the whole local day in the calendar owner's zone.
    AllDay(NaiveDate),
}

impl Start {
    /// The instant it stands for; all-day dates start at local midnight in `zone`.
    pub(super) fn instant(self, zone: Tz) -> DateTime<Utc> {
        match self {
            Self::Timed { wall, tz } => resolve(wall, tz),
            Self::AllDay(date) => resolve(date.and_time(chrono::NaiveTime::MIN), zone),
        }
    }

    /// The wall-clock time a recurrence is expanded in, and the zone it is read in.
    pub(super) fn wall(self, zone: Tz) -> (NaiveDateTime, Tz) {
        match self {
            Self::Timed { wall, tz } => (wall, tz),
            Self::AllDay(date) => (date.and_time(chrono::NaiveTime::MIN), zone),
        }
    }

    /// The same kind of start at another wall-clock time (an instance of a series).
    pub(super) fn at(self, wall: NaiveDateTime) -> Self {
        match self {
            Self::Timed { tz, .. } => Self::Timed { wall, tz },
            Self::AllDay(_) => Self::AllDay(wall.date()),
        }
    }
}

/// How long each instance lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Length {
    /// Elapsed seconds (DTEND minus DTSTART): the same for every instance.
    Exact(i64),
    /// Calendar days on the wall clock, then elapsed seconds (a DURATION, an all-day span):
    /// `P1D` across a DST change is 23 or 25 hours.
    Nominal { days: i64, seconds: i64 },
}

impl Length {
    /// The end of an instance that starts at `start`.
    pub(super) fn end(
        self,
        start: Start,
        begins: DateTime<Utc>,
        zone: Tz,
    ) -> Option<DateTime<Utc>> {
        match self {
            // No days: the wall clock does not move, so the end is elapsed time from `begins`.
            Self::Exact(seconds) | Self::Nominal { days: 0, seconds } => {
                begins.checked_add_signed(Duration::try_seconds(seconds)?)
            }
            Self::Nominal { days, seconds } => {
                let (wall, tz) = start.wall(zone);
                let wall = wall.checked_add_signed(Duration::try_days(days)?)?;
                resolve(wall, tz).checked_add_signed(Duration::try_seconds(seconds)?)
            }
        }
    }

    /// An upper bound of the length, for choosing which instances can reach a range.
    pub(super) fn bound(self) -> Duration {
        let seconds = match self {
            Self::Exact(seconds) => seconds,
            Self::Nominal { days, seconds } => days.saturating_mul(86_400).saturating_add(seconds),
        };
        Duration::try_seconds(seconds.clamp(0, MAX_LENGTH_SECONDS)).unwrap_or(Duration::zero())
    }
}

/// Longest event taken into account (ten years); longer ones are cut there.
const MAX_LENGTH_SECONDS: i64 = 10 * 366 * 86_400;

/// The instant of wall-clock time `wall` in `tz`, as RFC 5545 §3.3.5 says: a time that occurs
/// twice (a fold) means the first occurrence; a time that does not exist (a gap) is read with
/// the offset in effect before the gap, so 02:30 on a spring-forward night at 02:00 is 03:30.
pub(super) fn resolve(wall: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&wall) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
        LocalResult::None => {
            let before = offset_before_gap(wall, tz);
            let utc = wall - Duration::seconds(i64::from(before));
            Utc.from_utc_datetime(&utc)
        }
    }
}

/// The UTC offset, in seconds, just before the gap that `wall` falls in. Gaps are at most a
/// day long (Samoa skipped 30 December 2011), so some hour before `wall` exists.
fn offset_before_gap(wall: NaiveDateTime, tz: Tz) -> i32 {
    use chrono::Offset;
    (1..=26)
        .find_map(
            |hours| match tz.from_local_datetime(&(wall - Duration::hours(hours))) {
                LocalResult::Single(at) => Some(at.offset().fix().local_minus_utc()),
                LocalResult::Ambiguous(_, later) => Some(later.offset().fix().local_minus_utc()),
                LocalResult::None => None,
            },
        )
        .unwrap_or(0)
}

/// A DATE (`20250330`) or DATE-TIME (`20250330T090000`, `…Z`) value. `value_is_date` is the
/// VALUE=DATE parameter; a bare eight-digit value is read as a date either way.
pub(super) enum Value {
    Date(NaiveDate),
    Utc(NaiveDateTime),
    Local(NaiveDateTime),
}

pub(super) fn parse_value(text: &str) -> Option<Value> {
    let text = text.trim();
    if text.len() == 8 {
        return parse_date(text).map(Value::Date);
    }
    let (text, utc) = match text.strip_suffix(['Z', 'z']) {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    if text.len() != 15 || !text.is_char_boundary(8) {
        return None;
    }
    let date = parse_date(&text[..8])?;
    let time = text[8..].strip_prefix(['T', 't'])?;
    let number = |range: std::ops::Range<usize>| time.get(range)?.parse::<u32>().ok();
    // A leap second (60) is read as the second before it; chrono has no 23:59:60 here.
    let wall = date.and_hms_opt(number(0..2)?, number(2..4)?, number(4..6)?.min(59))?;
    Some(if utc {
        Value::Utc(wall)
    } else {
        Value::Local(wall)
    })
}

/// A date as `%Y%m%d` reads it. Eight ASCII digits, nearly every date a feed holds, are read
/// here: chrono would parse the format string again for each of them.
pub(super) fn parse_date(text: &str) -> Option<NaiveDate> {
    let digits = text.as_bytes();
    if digits.len() != 8 || !digits.iter().all(u8::is_ascii_digit) {
        return NaiveDate::parse_from_str(text, "%Y%m%d").ok();
    }
    let number = |range: std::ops::Range<usize>| {
        digits[range]
            .iter()
            .fold(0, |number, digit| number * 10 + u32::from(digit - b'0'))
    };
    NaiveDate::from_ymd_opt(
        i32::try_from(number(0..4)).ok()?,
        number(4..6),
        number(6..8),
    )
}

/// A DURATION value (`PT1H30M`, `P1D`, `P2W`, `-PT5M`): nominal days, then seconds. Negative
/// durations give `None` (an event cannot end before it starts).
pub(super) fn parse_duration(text: &str) -> Option<Length> {
    let text = text.trim();
    let text = text.strip_prefix('+').unwrap_or(text);
    if text.starts_with('-') {
        return None;
    }
    let rest = text.strip_prefix(['P', 'p'])?;
    let (mut days, mut seconds, mut number, mut in_time) = (0i64, 0i64, None::<i64>, false);
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            digit @ '0'..='9' => {
                let value = number.unwrap_or(0).checked_mul(10)?;
                number = Some(value.checked_add(i64::from(digit.to_digit(10)?))?);
            }
            'T' if !in_time && number.is_none() => in_time = true,
            unit => {
                let value = number.take()?;
                match (unit, in_time) {
                    ('W', false) => days = days.checked_add(value.checked_mul(7)?)?,
                    ('D', false) => days = days.checked_add(value)?,
                    ('H', true) => seconds = seconds.checked_add(value.checked_mul(3600)?)?,
                    ('M', true) => seconds = seconds.checked_add(value.checked_mul(60)?)?,
                    ('S', true) => seconds = seconds.checked_add(value)?,
                    _ => return None,
                }
            }
        }
    }
    if number.is_some() || days > MAX_LENGTH_SECONDS / 86_400 || seconds > MAX_LENGTH_SECONDS {
        return None;
    }
    Some(Length::Nominal { days, seconds })
}

/// The IANA zone a TZID names, in this order: an IANA name (also inside a path such as
/// `/mozilla.org/20050126_1/Europe/Berlin`); a Windows name as Outlook and Exchange write
/// them (`W. Europe Standard Time`, CLDR's mapping for the zone's main territory); whatever
/// the document's VTIMEZONE of that TZID says (see `zones::from_vtimezone`). `None` when
/// none of these knows it; the caller reads such times in the owner's zone.
pub(super) fn iana_zone(tzid: &str) -> Option<Tz> {
    let tzid = tzid.trim().trim_matches('"').trim();
    if let Ok(tz) = tzid.parse::<Tz>() {
        return Some(tz);
    }
    // Paths: try each suffix after a slash, longest first.
    let from_path = tzid
        .match_indices('/')
        .find_map(|(at, _)| tzid[at + 1..].parse::<Tz>().ok());
    from_path.or_else(|| windows_zone(tzid))
}

/// Windows time zone names (the `Standard Time` names Outlook, Exchange and Teams write as
/// TZIDs) to IANA, from CLDR's windowsZones.xml (territory 001).
fn windows_zone(name: &str) -> Option<Tz> {
    let iana = WINDOWS_ZONES
        .iter()
        .find(|(windows, _)| windows.eq_ignore_ascii_case(name))?
        .1;
    iana.parse().ok()
}

const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("Dateline Standard Time", "Etc/GMT+12"),
    ("UTC-11", "Etc/GMT+11"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("Pacific Standard Time (Mexico)", "America/Tijuana"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Mountain Standard Time", "America/Denver"),
    ("Mountain Standard Time (Mexico)", "America/Mazatlan"),
    ("Central America Standard Time", "America/Guatemala"),
    ("Central Standard Time", "America/Chicago"),
    ("Central Standard Time (Mexico)", "America/Mexico_City"),
    ("Canada Central Standard Time", "America/Regina"),
    ("SA Pacific Standard Time", "America/Bogota"),
    ("Eastern Standard Time", "America/New_York"),
    ("Eastern Standard Time (Mexico)", "America/Cancun"),
    ("US Eastern Standard Time", "America/Indiana/Indianapolis"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("Venezuela Standard Time", "America/Caracas"),
    ("SA Western Standard Time", "America/La_Paz"),
    ("Pacific SA Standard Time", "America/Santiago"),
    ("Newfoundland Standard Time", "America/St_Johns"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("Argentina Standard Time", "America/Argentina/Buenos_Aires"),
    ("SA Eastern Standard Time", "America/Cayenne"),
    ("Greenland Standard Time", "America/Nuuk"),
    ("UTC", "Etc/UTC"),
    ("Coordinated Universal Time", "Etc/UTC"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("Azores Standard Time", "Atlantic/Azores"),
    ("Cape Verde Standard Time", "Atlantic/Cape_Verde"),
    ("Morocco Standard Time", "Africa/Casablanca"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("W. Central Africa Standard Time", "Africa/Lagos"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("FLE Standard Time", "Europe/Kyiv"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("Egypt Standard Time", "Africa/Cairo"),
    ("South Africa Standard Time", "Africa/Johannesburg"),
    ("Israel Standard Time", "Asia/Jerusalem"),
    ("Turkey Standard Time", "Europe/Istanbul"),
    ("Arabic Standard Time", "Asia/Baghdad"),
    ("Arab Standard Time", "Asia/Riyadh"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("E. Africa Standard Time", "Africa/Nairobi"),
    ("Iran Standard Time", "Asia/Tehran"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("Pakistan Standard Time", "Asia/Karachi"),
    ("India Standard Time", "Asia/Kolkata"),
    ("Sri Lanka Standard Time", "Asia/Colombo"),
    ("Nepal Standard Time", "Asia/Kathmandu"),
    ("Bangladesh Standard Time", "Asia/Dhaka"),
    ("SE Asia Standard Time", "Asia/Bangkok"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("Taipei Standard Time", "Asia/Taipei"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("W. Australia Standard Time", "Australia/Perth"),
    ("Cen. Australia Standard Time", "Australia/Adelaide"),
    ("AUS Central Standard Time", "Australia/Darwin"),
    ("E. Australia Standard Time", "Australia/Brisbane"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("Tasmania Standard Time", "Australia/Hobart"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
];

/// A VTIMEZONE whose TZID is not IANA, matched by its rules: the standard and daylight
/// offsets and the month and day the daylight observance starts (`BYMONTH`, `BYDAY`). Zones
/// without daylight time match by their offset alone. Covers the zones most calendars are in;
/// anything else is `None`.
pub(super) fn zone_by_rules(standard: i32, daylight: Option<(i32, &str, &str)>) -> Option<Tz> {
    const HOUR: i32 = 3600;
    let iana = match daylight {
        None => match standard {
            19_800 => "Asia/Kolkata",
            20_700 => "Asia/Kathmandu",
            34_200 => "Australia/Darwin",
            16_200 => "Asia/Kabul",
            23_400 => "Asia/Yangon",
            12_600 => "Asia/Tehran",
            offset if offset % HOUR == 0 && (-12..=14).contains(&(offset / HOUR)) => {
                // Etc/GMT signs are inverted: Etc/GMT-5 is UTC+05:00.
                return format!("Etc/GMT{:+}", -offset / HOUR)
                    .replace("GMT+0", "GMT")
                    .parse()
                    .ok();
            }
            _ => return None,
        },
        Some((summer, month, day)) => match (standard / 60, summer / 60, month, day) {
            (60, 120, "3", "-1SU") => "Europe/Berlin",
            (0, 60, "3", "-1SU") => "Europe/London",
            (120, 180, "3", "-1SU") => "Europe/Helsinki",
            (-300, -240, "3", "2SU") => "America/New_York",
            (-360, -300, "3", "2SU") => "America/Chicago",
            (-420, -360, "3", "2SU") => "America/Denver",
            (-480, -420, "3", "2SU") => "America/Los_Angeles",
            (-540, -480, "3", "2SU") => "America/Anchorage",
            (-240, -180, "3", "2SU") => "America/Halifax",
            (600, 660, "10", "1SU") => "Australia/Sydney",
            (570, 630, "10", "1SU") => "Australia/Adelaide",
            (720, 780, "9", "-1SU") => "Pacific/Auckland",
            _ => return None,
        },
    };
    iana.parse().ok()
}

/// A UTC offset as VTIMEZONE writes it (`+0100`, `-0530`, `+013000`), in seconds.
pub(super) fn parse_offset(text: &str) -> Option<i32> {
    let text = text.trim();
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let part = |range: std::ops::Range<usize>| digits[range].parse::<i32>().ok();
    let seconds = if digits.len() == 6 { part(4..6)? } else { 0 };
    Some(sign * (part(0..2)? * 3600 + part(2..4)? * 60 + seconds))
}
