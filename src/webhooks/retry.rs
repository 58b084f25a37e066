//! Retry policy for webhook deliveries, beyond the shared schedule ([`RetrySchedule`]): what a
//! response (or its absence) means for a delivery ([`classify`]) and how to read a receiver's
//! `Retry-After` header ([`parse_retry_after`]). Pure; the clock is passed in.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};

pub use crate::jobs::RetrySchedule;

/// What a delivery attempt's result means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver accepted the event.
    Delivered,
    /// A transient failure: try again per the schedule.
    Retry,
    /// The receiver said the endpoint is gone for good (410): stop sending to it.
    DisableSubscription,
    /// A failure retrying will not fix; record it and stop.
    Final,
}

/// Classifies an attempt by its HTTP status, `None` meaning no response at all (connection
/// error or timeout).
///
/// Timeouts, 408, 429 and 5xx are transient, as Cal.com's documentation describes. Redirects
/// are not followed (a redirect could lead a signed request somewhere the subscriber never
/// registered, including past the SSRF guard), so a 3xx is a failure like Cal.com's; it is
/// final because the same request will get the same redirect. Other 4xx mean the receiver
/// rejected this request, which a byte-identical retry would not change.
pub fn classify(status: Option<u16>) -> Outcome {
    match status {
        None => Outcome::Retry,
        Some(200..=299) => Outcome::Delivered,
        Some(408 | 429 | 500..=599) => Outcome::Retry,
        Some(410) => Outcome::DisableSubscription,
        Some(_) => Outcome::Final,
    }
}

/// Reads a `Retry-After` header value: delay-seconds or an HTTP-date. Dates in the past mean
/// "now" (`Some(0)`); anything unreadable is `None`, so the caller falls back to its schedule.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        // A number too large for u64 still means "later than we will wait", not "unreadable".
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let when = http_date(value)?;
    Some((when - now).to_std().unwrap_or(Duration::ZERO))
}

/// Parses an HTTP-date: the IMF-fixdate form (`Wed, 21 Oct 2015 07:28:00 GMT`, which RFC 2822
/// parsing accepts) and the obsolete RFC 850 and asctime forms recipients must still accept
/// (RFC 9110 §5.6.7).
fn http_date(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(date) = DateTime::parse_from_rfc2822(value) {
        return Some(date.with_timezone(&Utc));
    }
    ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"]
        .into_iter()
        .find_map(|format| NaiveDateTime::parse_from_str(value, format).ok())
        .map(|naive| naive.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const HOUR: u64 = 3600;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn classify_statuses() {
        let cases = [
            (None, Outcome::Retry),
            (Some(200), Outcome::Delivered),
            (Some(201), Outcome::Delivered),
            (Some(204), Outcome::Delivered),
            (Some(299), Outcome::Delivered),
            (Some(101), Outcome::Final),
            (Some(301), Outcome::Final),
            (Some(302), Outcome::Final),
            (Some(307), Outcome::Final),
            (Some(400), Outcome::Final),
            (Some(401), Outcome::Final),
            (Some(403), Outcome::Final),
            (Some(404), Outcome::Final),
            (Some(408), Outcome::Retry),
            (Some(410), Outcome::DisableSubscription),
            (Some(413), Outcome::Final),
            (Some(422), Outcome::Final),
            (Some(429), Outcome::Retry),
            (Some(500), Outcome::Retry),
            (Some(502), Outcome::Retry),
            (Some(503), Outcome::Retry),
            (Some(504), Outcome::Retry),
            (Some(599), Outcome::Retry),
            (Some(600), Outcome::Final),
        ];
        for (status, expected) in cases {
            assert_eq!(classify(status), expected, "{status:?}");
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 3, 1, 12, 0, 0)
            .single()
            .expect("valid date")
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after("120", now()), Some(secs(120)));
        assert_eq!(parse_retry_after(" 0 ", now()), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("99999999999999999999999", now()),
            Some(secs(u64::MAX))
        );
    }

    #[test]
    fn retry_after_http_dates() {
        assert_eq!(
            parse_retry_after("Fri, 01 Mar 2030 12:00:10 GMT", now()),
            Some(secs(10))
        );
        assert_eq!(
            parse_retry_after("Friday, 01-Mar-30 12:01:00 GMT", now()),
            Some(secs(60))
        );
        assert_eq!(
            parse_retry_after("Fri Mar  1 13:00:00 2030", now()),
            Some(secs(HOUR))
        );
    }

    #[test]
    fn retry_after_in_the_past_is_zero() {
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now()),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now()),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn retry_after_garbage_is_none() {
        for value in [
            "",
            "  ",
            "-5",
            "1.5",
            "soon",
            "2030-03-01T12:00:10Z",
            "10 s",
        ] {
            assert_eq!(parse_retry_after(value, now()), None, "{value}");
        }
    }
}
