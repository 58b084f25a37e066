//! Wall-clock times to instants, per RFC 5545 §3.3.5: a wall time that falls in a DST gap is
//! read with the UTC offset in force before the gap; a wall time that occurs twice means its
//! first occurrence. Days are walked as calendar dates, never by adding 24 hours.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike};
use chrono_tz::Tz;

/// The instant (Unix seconds) of a wall-clock time in `tz`.
pub fn resolve(tz: Tz, local: NaiveDateTime) -> i64 {
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(at) => at.timestamp(),
        chrono::LocalResult::Ambiguous(first, _) => first.timestamp(),
        chrono::LocalResult::None => {
            let offset = offset_before_gap(tz, local);
            local.and_utc().timestamp() - i64::from(offset)
        }
    }
}

/// A date plus minutes after its midnight (1440 = the next midnight) as an instant.
pub fn resolve_minutes(tz: Tz, date: NaiveDate, minutes: u32) -> i64 {
    let (date, minutes) = if minutes >= 1440 {
        (
            date.checked_add_days(Days::new(1)).unwrap_or(date),
            minutes - 1440,
        )
    } else {
        (date, minutes)
    };
    let time =
        NaiveTime::from_num_seconds_from_midnight_opt(minutes * 60, 0).unwrap_or(NaiveTime::MIN);
    resolve(tz, date.and_time(time))
}

/// The start of local `date` (its first instant).
pub fn start_of_day(tz: Tz, date: NaiveDate) -> i64 {
    resolve_minutes(tz, date, 0)
}

/// UTC offset in seconds in force just before the gap that swallows `local`. Gaps are at most a
/// day long (Samoa skipped 2011-12-30), so stepping back in hours finds a valid wall time.
fn offset_before_gap(tz: Tz, local: NaiveDateTime) -> i32 {
    for hours in 1..=48 {
        let Some(earlier) = local.checked_sub_signed(chrono::TimeDelta::hours(hours)) else {
            break;
        };
        if let Some(at) = tz.from_local_datetime(&earlier).latest() {
            return at.offset().fix().local_minus_utc();
        }
    }
    0
}

/// The local calendar date of an instant in `tz`.
pub fn local_date(tz: Tz, at: i64) -> NaiveDate {
    local_date_time(tz, at).date()
}

pub fn local_date_time(tz: Tz, at: i64) -> NaiveDateTime {
    let utc = chrono::DateTime::from_timestamp(at, 0).unwrap_or_default();
    utc.with_timezone(&tz).naive_local()
}

/// The UTC offset in seconds of `tz` at instant `at`.
pub fn offset_at(tz: Tz, at: i64) -> i32 {
    let utc = chrono::DateTime::from_timestamp(at, 0).unwrap_or_default();
    tz.offset_from_utc_datetime(&utc.naive_utc())
        .fix()
        .local_minus_utc()
}

/// Every calendar date from `first` to `last` inclusive.
pub fn dates(first: NaiveDate, last: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    first.iter_days().take_while(move |d| *d <= last)
}

/// Minutes after midnight of a wall time.
pub fn minute_of_day(local: NaiveDateTime) -> u32 {
    local.hour() * 60 + local.minute()
}

/// Monday = 0 … Sunday = 6.
pub fn weekday_index(date: NaiveDate) -> u32 {
    date.weekday().num_days_from_monday()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn at(local: &str, zone: &str) -> String {
        let tz: Tz = zone.parse().unwrap();
        let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").unwrap();
        let instant = DateTime::<Utc>::from_timestamp(resolve(tz, naive), 0).unwrap();
        instant.format("%Y-%m-%dT%H:%MZ").to_string()
    }

    #[test]
    fn ordinary_times_resolve_with_their_offset() {
        assert_eq!(
            at("2030-01-15 09:00", "America/New_York"),
            "2030-01-15T14:00Z"
        );
        assert_eq!(
            at("2030-07-15 09:00", "America/New_York"),
            "2030-07-15T13:00Z"
        );
        assert_eq!(
            at("2030-07-15 09:00", "Asia/Kathmandu"),
            "2030-07-15T03:15Z"
        );
    }

    #[test]
    fn a_time_in_a_gap_uses_the_offset_before_the_gap() {
        // New York springs forward 2030-03-10 02:00 EST -> 03:00 EDT.
        assert_eq!(
            at("2030-03-10 02:30", "America/New_York"),
            "2030-03-10T07:30Z"
        );
        // Lord Howe moves 30 minutes: 02:00 +10:30 -> 02:30 +11:00 on 2030-10-06.
        assert_eq!(
            at("2030-10-06 02:15", "Australia/Lord_Howe"),
            "2030-10-05T15:45Z"
        );
    }

    #[test]
    fn a_repeated_time_means_its_first_occurrence() {
        // New York falls back 2030-11-03 02:00 EDT -> 01:00 EST: 01:30 happens twice.
        assert_eq!(
            at("2030-11-03 01:30", "America/New_York"),
            "2030-11-03T05:30Z"
        );
        // London falls back 2030-10-27 02:00 BST -> 01:00 GMT.
        assert_eq!(at("2030-10-27 01:30", "Europe/London"), "2030-10-27T00:30Z");
    }

    #[test]
    fn midnight_at_the_end_of_a_day_is_the_next_days_start() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let day = NaiveDate::from_ymd_opt(2030, 3, 30).unwrap();
        let next = NaiveDate::from_ymd_opt(2030, 3, 31).unwrap();
        assert_eq!(resolve_minutes(tz, day, 1440), start_of_day(tz, next));
        // The day before Berlin springs forward is 24 hours long, the day itself 23.
        let after = NaiveDate::from_ymd_opt(2030, 4, 1).unwrap();
        assert_eq!(start_of_day(tz, next) - start_of_day(tz, day), 24 * 3600);
        assert_eq!(start_of_day(tz, after) - start_of_day(tz, next), 23 * 3600);
    }
}
