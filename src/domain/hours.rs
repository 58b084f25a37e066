use chrono::Weekday;

/// Minutes after midnight from `HH:MM` (or `HH:MM:SS`); `24:00` is 1440, midnight at the end of
/// the day.
pub fn parse_time_of_day(raw: &str) -> Result<u32, String> {
    let raw = raw.trim();
    if raw == "24:00" || raw == "24:00:00" {
        return Ok(1440);
    }
    chrono::NaiveTime::parse_from_str(raw, "%H:%M")
        .or_else(|_| chrono::NaiveTime::parse_from_str(raw, "%H:%M:%S"))
        .map(|t| {
            use chrono::Timelike;
            t.hour() * 60 + t.minute()
        })
        .map_err(|_| format!("`{raw}` is not a time like 09:00"))
}

/// `HH:MM`, with midnight at the end of a day written `23:59` as Cal.com does (and reads back).
pub fn format_time_of_day(minutes: u32) -> String {
    if minutes >= 1440 {
        return "23:59".to_owned();
    }
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A start and end time of day. An end of `24:00` or `23:59` means midnight at the end of the
/// day; with `closing`, `00:00`-`00:00` (a closed day) is allowed. Errors say which end is wrong.
pub fn parse_hours(
    start: &str,
    end: &str,
    closing: bool,
) -> Result<(u32, u32), (&'static str, String)> {
    let start_minute = parse_time_of_day(start).map_err(|m| ("startTime", m))?;
    let mut end_minute = parse_time_of_day(end).map_err(|m| ("endTime", m))?;
    if end_minute == 23 * 60 + 59 {
        end_minute = 1440;
    }
    if closing && start_minute == 0 && end_minute == 0 {
        return Ok((0, 0));
    }
    if start_minute >= 1440 || end_minute <= start_minute {
        return Err(("endTime", "must be after startTime".to_owned()));
    }
    Ok((start_minute, end_minute))
}

/// An English day name (`Monday`, case-insensitive; `Mon` too).
pub fn parse_weekday(raw: &str) -> Result<Weekday, String> {
    raw.trim()
        .parse::<Weekday>()
        .map_err(|_| format!("`{raw}` is not a day name like Monday"))
}

pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day_round_trip() {
        assert_eq!(parse_time_of_day("09:30"), Ok(570));
        assert_eq!(parse_time_of_day("09:30:00"), Ok(570));
        assert_eq!(parse_time_of_day("24:00"), Ok(1440));
        assert!(parse_time_of_day("9am").is_err());
        assert!(parse_time_of_day("25:00").is_err());
        assert_eq!(format_time_of_day(570), "09:30");
        assert_eq!(format_time_of_day(1440), "23:59");
        assert_eq!(
            parse_hours("09:00", &format_time_of_day(1440), false),
            Ok((540, 1440))
        );
    }

    #[test]
    fn hours_must_run_forwards_unless_closing_a_day() {
        assert_eq!(parse_hours("00:00", "00:00", true), Ok((0, 0)));
        assert!(parse_hours("00:00", "00:00", false).is_err());
        assert_eq!(
            parse_hours("17:00", "09:00", false).unwrap_err().0,
            "endTime"
        );
        assert_eq!(parse_hours("x", "09:00", false).unwrap_err().0, "startTime");
    }

    #[test]
    fn weekdays() {
        assert_eq!(parse_weekday("monday"), Ok(Weekday::Mon));
        assert_eq!(weekday_name(Weekday::Sun), "Sunday");
        assert!(parse_weekday("Funday").is_err());
    }
}
