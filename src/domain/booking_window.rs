//! Cal.com's `bookingWindow` object (how far ahead a booker may book) read into the engine's
//! [`BookingWindow`]. The headless query, event type validation and stored event types all read
//! it here, so they agree on what a window means. No IO.

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

use crate::availability::BookingWindow;

/// Longest window in days.
const MAX_DAYS: u64 = 3650;

/// Why a `bookingWindow` object is not a window: `at` is the part at fault, relative to the
/// object (`type`, `value`, `value[0]`), so each caller can prefix its own field name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingWindowError {
    pub at: &'static str,
    pub message: String,
}

fn error(at: &'static str, message: impl Into<String>) -> BookingWindowError {
    BookingWindowError {
        at,
        message: message.into(),
    }
}

/// `null`, an absent value and `{"disabled": true}` mean no window.
fn is_window_disabled(value: &Value) -> bool {
    value.is_null() || value.get("disabled").and_then(Value::as_bool) == Some(true)
}

/// Reads `{"type": "businessDays"|"calendarDays", "value": N, "rolling": bool}` or
/// `{"type": "range", "value": ["2030-01-01", "2030-01-31"]}`.
pub fn parse_booking_window(value: &Value) -> Result<BookingWindow, BookingWindowError> {
    if is_window_disabled(value) {
        return Ok(BookingWindow::Unlimited);
    }
    let kind = value
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match kind {
        "businessDays" | "calendarDays" => days_window(value, kind == "businessDays"),
        "range" => range_window(value),
        other => Err(error(
            "type",
            format!("`{other}` is not businessDays, calendarDays or range"),
        )),
    }
}

fn days_window(value: &Value, business_days: bool) -> Result<BookingWindow, BookingWindowError> {
    let days = value
        .get("value")
        .and_then(Value::as_u64)
        .filter(|d| *d <= MAX_DAYS)
        .ok_or_else(|| error("value", "must be a number of days (0 to 3650)"))?
        as u32;
    let rolling = value
        .get("rolling")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(if rolling {
        BookingWindow::RollingBookable {
            days,
            business_days,
        }
    } else {
        BookingWindow::Rolling {
            days,
            business_days,
        }
    })
}

fn range_window(value: &Value) -> Result<BookingWindow, BookingWindowError> {
    let dates: Vec<&str> = value
        .get("value")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let [first, last] = dates[..] else {
        return Err(error("value", "must be [first date, last date]"));
    };
    let first = date("value[0]", first)?;
    let last = date("value[1]", last)?;
    if last < first {
        return Err(error("value", "the last date is before the first"));
    }
    Ok(BookingWindow::Range { first, last })
}

fn date(at: &'static str, raw: &str) -> Result<NaiveDate, BookingWindowError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .ok()
        // Years outside 1900-9999 are mistakes, and near chrono's limits they overflow.
        .filter(|d| (1900..=9999).contains(&d.year()))
        .ok_or_else(|| {
            error(
                at,
                format!("`{raw}` is not a date like 2030-03-04 (years 1900 to 9999)"),
            )
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn days_windows_are_rolling_or_count_bookable_days() {
        assert_eq!(
            parse_booking_window(&json!({"type": "calendarDays", "value": 30})),
            Ok(BookingWindow::Rolling {
                days: 30,
                business_days: false
            })
        );
        assert_eq!(
            parse_booking_window(&json!({"type": "businessDays", "value": 5, "rolling": true})),
            Ok(BookingWindow::RollingBookable {
                days: 5,
                business_days: true
            })
        );
    }

    #[test]
    fn disabled_or_null_is_unlimited() {
        for value in [json!(null), json!({"disabled": true, "type": "nonsense"})] {
            assert_eq!(
                parse_booking_window(&value),
                Ok(BookingWindow::Unlimited),
                "{value}"
            );
        }
    }

    #[test]
    fn a_range_is_two_ordered_dates() {
        let first = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(2030, 1, 31).unwrap();
        assert_eq!(
            parse_booking_window(&json!({"type": "range", "value": ["2030-01-01", "2030-01-31"]})),
            Ok(BookingWindow::Range { first, last })
        );
        let backwards = json!({"type": "range", "value": ["2030-01-31", "2030-01-01"]});
        assert_eq!(parse_booking_window(&backwards).unwrap_err().at, "value");
        let bad_date = json!({"type": "range", "value": ["2030-01-01", "soon"]});
        assert_eq!(parse_booking_window(&bad_date).unwrap_err().at, "value[1]");
    }

    #[test]
    fn errors_name_the_part_at_fault() {
        let weeks = json!({"type": "weeks", "value": 2});
        assert_eq!(parse_booking_window(&weeks).unwrap_err().at, "type");
        let too_far = json!({"type": "calendarDays", "value": 4000});
        let e = parse_booking_window(&too_far).unwrap_err();
        assert_eq!(e.at, "value");
        assert_eq!(e.message, "must be a number of days (0 to 3650)");
    }
}
