//! When a failed job is tried again: a schedule of delays, as operators write it
//! (`5s,5m,30m,2h`), with jitter and a receiver's `Retry-After` applied. Pure; randomness and
//! the clock are passed in so the rule can be tested exactly. Every queue on the job runner
//! (webhook deliveries, emails) uses it.

use std::fmt;
use std::time::Duration;

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// Longest single delay an operator may configure. Longer gaps would outlive most receivers'
/// interest in an event and make a stuck queue hard to notice.
pub const MAX_DELAY: Duration = Duration::from_secs(7 * DAY);

/// Most we let a receiver's `Retry-After` stretch one delay. A receiver asking for more is
/// better served by the normal schedule (which keeps trying) than by a silent multi-day gap,
/// and a hostile or buggy header must not park deliveries indefinitely.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(DAY);

/// Bounds applied to the caller's jitter factor. Callers draw from 0.9..1.1; the clamp only
/// keeps a wrong factor from producing a zero, negative or absurd delay.
const MIN_JITTER: f64 = 0.5;
const MAX_JITTER: f64 = 1.5;

/// More entries than this is almost certainly a configuration mistake.
const MAX_ENTRIES: usize = 100;

/// The delays before each retry: entry `i` is the wait before retry `i + 1`. A schedule of `n`
/// entries allows `n + 1` attempts in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetrySchedule(Vec<Duration>);

impl Default for RetrySchedule {
    /// 5s, 5m, 30m, 2h, 5h, 10h, 14h, 20h, 24h: ten attempts over about three days, so a
    /// receiver that is down for a weekend still gets its events. The first retries come
    /// quickly because most failures are blips (a deploy, a dropped connection).
    fn default() -> Self {
        Self(
            [
                5,
                5 * MINUTE,
                30 * MINUTE,
                2 * HOUR,
                5 * HOUR,
                10 * HOUR,
                14 * HOUR,
                20 * HOUR,
                24 * HOUR,
            ]
            .into_iter()
            .map(Duration::from_secs)
            .collect(),
        )
    }
}

impl RetrySchedule {
    /// Parses a comma-separated list of delays such as `5s,5m,30m,2h,250ms`. Units are `ms`,
    /// `s`, `m`, `h` and `d`; amounts are whole numbers. Every delay must be above zero and at
    /// most [`MAX_DELAY`].
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Err(
                "retry schedule is empty; expected a comma-separated list of delays such as 5s,5m,30m,2h"
                    .to_owned(),
            );
        }
        let entries: Vec<&str> = text.split(',').map(str::trim).collect();
        if entries.len() > MAX_ENTRIES {
            return Err(format!(
                "retry schedule has {} entries; the maximum is {MAX_ENTRIES}",
                entries.len()
            ));
        }
        entries
            .into_iter()
            .map(parse_delay)
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// The configured delays, in order.
    pub fn delays(&self) -> &[Duration] {
        &self.0
    }

    /// Total number of attempts: the first delivery plus one retry per delay.
    pub fn attempts(&self) -> u32 {
        u32::try_from(self.0.len()).map_or(u32::MAX, |retries| retries.saturating_add(1))
    }

    /// How long to wait after attempt number `attempt` (1-based; 0 is treated as 1) failed, or
    /// `None` when that was the last attempt.
    ///
    /// The scheduled delay is multiplied by `jitter`, a factor the caller draws uniformly from
    /// 0.9..1.1 so that deliveries failing together don't retry together. A receiver's
    /// `Retry-After` can lengthen the wait, up to [`MAX_RETRY_AFTER`], but never shorten it:
    /// the schedule is our floor for protecting receivers. The cap applies to `Retry-After`
    /// only; an operator's own longer delays are honoured as configured.
    pub fn delay_after(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        jitter: f64,
    ) -> Option<Duration> {
        let index = usize::try_from(attempt.saturating_sub(1)).ok()?;
        let scheduled = *self.0.get(index)?;
        let jitter = if jitter.is_finite() {
            jitter.clamp(MIN_JITTER, MAX_JITTER)
        } else {
            1.0
        };
        let delay = scheduled.mul_f64(jitter);
        let requested = retry_after.map_or(Duration::ZERO, |wait| wait.min(MAX_RETRY_AFTER));
        Some(delay.max(requested))
    }
}

impl fmt::Display for RetrySchedule {
    /// Writes the schedule in the form [`RetrySchedule::parse`] reads, each delay in the
    /// largest unit that expresses it exactly.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, delay) in self.0.iter().enumerate() {
            if position > 0 {
                f.write_str(",")?;
            }
            let millis = delay.as_millis();
            let units: [(u128, &str); 4] = [
                (u128::from(DAY) * 1000, "d"),
                (u128::from(HOUR) * 1000, "h"),
                (u128::from(MINUTE) * 1000, "m"),
                (1000, "s"),
            ];
            match units
                .into_iter()
                .find(|&(size, _)| millis.is_multiple_of(size))
            {
                Some((size, unit)) => write!(f, "{}{unit}", millis / size)?,
                None => write!(f, "{millis}ms")?,
            }
        }
        Ok(())
    }
}

fn parse_delay(entry: &str) -> Result<Duration, String> {
    if entry.is_empty() {
        return Err(
            "retry schedule has an empty entry (check for doubled or trailing commas)".to_owned(),
        );
    }
    let malformed = || {
        format!(
            "retry delay `{entry}` is not a whole number followed by a unit (ms, s, m, h or d), such as 30s or 2h"
        )
    };
    let split = entry
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(entry.len());
    let (amount, unit) = entry.split_at(split);
    let unit_millis: u64 = match unit.trim_start() {
        "ms" => 1,
        "s" => 1000,
        "m" => MINUTE * 1000,
        "h" => HOUR * 1000,
        "d" => DAY * 1000,
        _ => return Err(malformed()),
    };
    if amount.is_empty() {
        return Err(malformed());
    }
    let too_long = || format!("retry delay `{entry}` is longer than the maximum of 7d");
    let amount: u64 = amount.parse().map_err(|_| too_long())?;
    let millis = amount.checked_mul(unit_millis).ok_or_else(too_long)?;
    if millis == 0 {
        return Err(format!("retry delay `{entry}` must be greater than zero"));
    }
    let delay = Duration::from_millis(millis);
    if delay > MAX_DELAY {
        return Err(too_long());
    }
    Ok(delay)
}
#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn default_schedule_has_ten_attempts_over_about_three_days() {
        let schedule = RetrySchedule::default();
        assert_eq!(schedule.attempts(), 10);
        assert_eq!(schedule.delays().len(), 9);
        let total: Duration = schedule.delays().iter().sum();
        assert_eq!(total, secs(75 * HOUR + 35 * MINUTE + 5));
        assert_eq!(schedule.to_string(), "5s,5m,30m,2h,5h,10h,14h,20h,1d");
    }

    #[test]
    fn parse_reads_all_units() {
        let schedule = RetrySchedule::parse("5s,5m,30m,2h,250ms, 1d ").expect("valid");
        assert_eq!(
            schedule.delays(),
            [
                secs(5),
                secs(5 * MINUTE),
                secs(30 * MINUTE),
                secs(2 * HOUR),
                Duration::from_millis(250),
                secs(DAY),
            ]
        );
        assert_eq!(schedule.attempts(), 7);
    }

    #[test]
    fn display_round_trips_through_parse() {
        for text in [
            "5s,5m,30m,2h,5h,10h,14h,20h,1d",
            "250ms,90s,1500ms,7d",
            "1ms",
        ] {
            let schedule = RetrySchedule::parse(text).expect("valid");
            assert_eq!(schedule.to_string(), text);
            assert_eq!(RetrySchedule::parse(&schedule.to_string()), Ok(schedule));
        }
        assert_eq!(
            RetrySchedule::parse("60s,120m,24h")
                .expect("valid")
                .to_string(),
            "1m,2h,1d"
        );
    }

    #[test]
    fn parse_rejects_bad_entries_by_name() {
        let cases = [
            ("5x", "`5x`"),
            ("5s,0m", "`0m`"),
            ("5s,8d", "`8d`"),
            ("5s,169h", "`169h`"),
            ("s", "`s`"),
            ("5", "`5`"),
            ("-5s", "`-5s`"),
            ("1.5h", "`1.5h`"),
            ("99999999999999999999d", "`99999999999999999999d`"),
            ("5s,,5m", "empty entry"),
            ("5s,", "empty entry"),
            ("", "empty"),
            ("  ", "empty"),
        ];
        for (text, needle) in cases {
            let error = RetrySchedule::parse(text).expect_err(text);
            assert!(error.contains(needle), "{text}: {error}");
        }
        assert!(RetrySchedule::parse("7d").is_ok());
        assert!(RetrySchedule::parse(&["1s"; 101].join(",")).is_err());
    }

    #[test]
    fn delay_after_walks_the_schedule_then_stops() {
        let schedule = RetrySchedule::default();
        assert_eq!(schedule.delay_after(1, None, 1.0), Some(secs(5)));
        assert_eq!(schedule.delay_after(2, None, 1.0), Some(secs(5 * MINUTE)));
        assert_eq!(schedule.delay_after(9, None, 1.0), Some(secs(DAY)));
        assert_eq!(schedule.delay_after(10, None, 1.0), None);
        assert_eq!(schedule.delay_after(u32::MAX, None, 1.0), None);
        assert_eq!(schedule.delay_after(0, None, 1.0), Some(secs(5)));
    }

    #[test]
    fn delay_after_applies_jitter() {
        let schedule = RetrySchedule::default();
        assert_eq!(
            schedule.delay_after(1, None, 0.9),
            Some(Duration::from_millis(4500))
        );
        assert_eq!(
            schedule.delay_after(1, None, 1.1),
            Some(Duration::from_millis(5500))
        );
        // Nonsense factors are clamped or ignored rather than panicking.
        assert_eq!(
            schedule.delay_after(1, None, 10.0),
            Some(Duration::from_millis(7500))
        );
        assert_eq!(
            schedule.delay_after(1, None, -1.0),
            Some(Duration::from_millis(2500))
        );
        assert_eq!(schedule.delay_after(1, None, f64::NAN), Some(secs(5)));
        assert_eq!(schedule.delay_after(1, None, f64::INFINITY), Some(secs(5)));
    }

    #[test]
    fn retry_after_only_lengthens_and_is_capped() {
        let schedule = RetrySchedule::default();
        assert_eq!(schedule.delay_after(1, Some(secs(60)), 1.0), Some(secs(60)));
        assert_eq!(
            schedule.delay_after(2, Some(secs(1)), 1.0),
            Some(secs(5 * MINUTE))
        );
        assert_eq!(
            schedule.delay_after(1, Some(secs(100 * DAY)), 1.0),
            Some(secs(DAY))
        );
        assert_eq!(
            schedule.delay_after(1, Some(Duration::MAX), 1.0),
            Some(secs(DAY))
        );
        assert_eq!(schedule.delay_after(10, Some(secs(60)), 1.0), None);

        let long = RetrySchedule::parse("3d").expect("valid");
        assert_eq!(
            long.delay_after(1, Some(secs(HOUR)), 1.0),
            Some(secs(3 * DAY))
        );
    }
}
