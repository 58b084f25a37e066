//! The headless availability query: one JSON document in Cal.com API v2's vocabulary describing
//! an event type, its hosts, their schedules and busy time, in; the `GET /v2/slots` answer out.
//! Nothing is stored or read: `POST /v2/availability/query` and `kairos slots` both call
//! [`answer`], so they always agree.

mod answer;
mod document;
#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc, Weekday};
use chrono_tz::Tz;
use serde_json::Value;

use crate::availability::interval::Interval;
use crate::availability::local_time::start_of_day;
use crate::availability::schedule::{DateOverride, RecurringWindow, Schedule, WeeklyRule};
use crate::availability::{
    Booking, BookingStatus, BookingWindow, EventType, Host, PeriodLimits, Query, Reservation,
    Scheduling, Slot,
};
pub use answer::SlotsAnswer;
pub use document::QueryDocument;

/// Largest window one query may cover.
pub const MAX_WINDOW_DAYS: i64 = 366;
/// Most busy intervals (external busy, bookings, out of office) one query may carry.
pub const MAX_BUSY_INTERVALS: usize = 100_000;
pub const MAX_HOSTS: usize = 500;
pub const MAX_RESERVATIONS: usize = 1_000;
pub const MAX_RECURRING_PER_SCHEDULE: usize = 50;
/// Candidate starts times hosts a query may weigh (the slot grid over the window, for every
/// host): bounds the engine's time and memory for one request.
pub const MAX_SLOT_HOST_PAIRS: i64 = 5_000_000;
/// A recurring pattern's first occurrence may lie this far before the query window at most, so
/// that expanding it stays cheap.
pub const MAX_RECURRING_LEAD_DAYS: i64 = 5 * 366;
/// Buffers, offsets and intervals in minutes; notice may be up to a year.
const MAX_MINUTES: u32 = 1440;
const MAX_NOTICE_MINUTES: u32 = 525_600;

/// A document that cannot be answered, with the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct QueryError {
    pub field: String,
    pub message: String,
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> QueryError {
    QueryError {
        field: field.into(),
        message: message.into(),
    }
}

/// How the answer is shaped, beyond what the engine computes.
#[derive(Debug, Clone, Default)]
pub struct AnswerOptions {
    /// `range`: every slot carries its end too.
    pub format: Option<String>,
    /// Explain this instant (ISO 8601) in the answer.
    pub explain: Option<String>,
}

/// A validated query plus how to present its answer.
pub struct ParsedQuery {
    pub query: Query,
    pub range_format: bool,
    pub explain: Option<i64>,
}

/// Parses JSON bytes into a document, naming the field at fault on a type error.
pub fn read_document(bytes: &[u8]) -> Result<QueryDocument, QueryError> {
    // Tracking the path costs a third of the parse; pay it only to explain a failure.
    if let Ok(document) = serde_json::from_slice(bytes) {
        return Ok(document);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let document = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        invalid(field, e.into_inner().to_string())
    })?;
    // The document read, so what failed the fast parse is data after it.
    deserializer.end().map_err(|e| {
        invalid(
            "body",
            format!("trailing characters after the JSON document ({e})"),
        )
    })?;
    Ok(document)
}

/// The whole headless query: document bytes in, Cal.com's slots envelope out as JSON bytes.
/// `now` is used when the document has none.
pub fn answer(
    bytes: &[u8],
    options: &AnswerOptions,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, QueryError> {
    let document = read_document(bytes)?;
    let parsed = parse(&document, options, now)?;
    let slots = crate::availability::slots(&parsed.query);
    Ok(respond(&parsed, &slots).to_vec())
}

pub fn parse(
    document: &QueryDocument,
    options: &AnswerOptions,
    now: DateTime<Utc>,
) -> Result<ParsedQuery, QueryError> {
    let booker_tz = match &document.time_zone {
        Some(name) => time_zone("timeZone", name)?,
        None => Tz::UTC,
    };
    let now = match &document.now {
        Some(raw) => instant("now", raw, false)?,
        None => now.timestamp(),
    };
    let start = instant("start", &document.start, false)?;
    let end = instant("end", &document.end, true)?;
    if end < start {
        return Err(invalid("end", "must not be before start"));
    }
    if end - start > MAX_WINDOW_DAYS * 86_400 {
        return Err(invalid(
            "end",
            format!("the window may span at most {MAX_WINDOW_DAYS} days"),
        ));
    }
    if document.hosts.is_empty() {
        return Err(invalid("hosts", "at least one host is needed"));
    }
    if document.hosts.len() > MAX_HOSTS {
        return Err(invalid(
            "hosts",
            format!("at most {MAX_HOSTS} hosts are accepted"),
        ));
    }
    if document.reservations.len() > MAX_RESERVATIONS {
        return Err(invalid(
            "reservations",
            format!("at most {MAX_RESERVATIONS} reservations are accepted"),
        ));
    }
    let busy_count: usize = document
        .hosts
        .iter()
        .map(|h| h.busy.len() + h.bookings.len() + h.out_of_office.len())
        .sum();
    if busy_count > MAX_BUSY_INTERVALS {
        return Err(invalid(
            "hosts",
            format!("{busy_count} busy intervals; at most {MAX_BUSY_INTERVALS} are accepted"),
        ));
    }

    let hosts = document
        .hosts
        .iter()
        .enumerate()
        .map(|(i, h)| host(&format!("hosts[{i}]"), h, start))
        .collect::<Result<Vec<_>, _>>()?;
    let event = event_type(document, booker_tz)?;
    let starts_per_host = (end - start) / (i64::from(event.step_minutes()) * 60) + 1;
    if starts_per_host * hosts.len() as i64 > MAX_SLOT_HOST_PAIRS {
        return Err(invalid(
            "end",
            "the window, slot interval and number of hosts ask for too much work at once; query fewer days or use a longer slotInterval",
        ));
    }
    let event_tz = match &document.event_type.time_zone {
        Some(name) => time_zone("eventType.timeZone", name)?,
        None => hosts[0].schedule.tz,
    };
    let week_start = match &document.week_start {
        Some(day) => weekday("weekStart", day)?,
        None => Weekday::Mon,
    };
    let reservations = document
        .reservations
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let field = format!("reservations[{i}]");
            let slot_start = instant(&format!("{field}.slotStart"), &r.slot_start, false)?;
            let minutes = r.slot_duration.unwrap_or(event.length);
            Ok(Reservation {
                host_id: r.host_id,
                slot: Interval::new(slot_start, slot_start + i64::from(minutes) * 60),
                booker_uid: r.booker_uid.clone(),
                until: instant(&format!("{field}.until"), &r.until, false)?,
            })
        })
        .collect::<Result<Vec<_>, QueryError>>()?;

    let format = options.format.as_deref().or(document.format.as_deref());
    let range_format = match format {
        None | Some("time") => false,
        Some("range") => true,
        Some(other) => {
            return Err(invalid(
                "format",
                format!("`{other}` is not `time` or `range`"),
            ));
        }
    };
    let explain = match options.explain.as_deref().or(document.explain.as_deref()) {
        Some(raw) => Some(instant("explain", raw, false)?),
        None => None,
    };
    Ok(ParsedQuery {
        query: Query {
            now,
            range: Interval::new(start, end),
            booker_tz,
            event_tz,
            week_start,
            event,
            hosts,
            reservations,
            booker_uid: document.booker_uid.clone(),
            rescheduling_uid: document.booking_uid_to_reschedule.clone(),
        },
        range_format,
        explain,
    })
}

fn event_type(document: &QueryDocument, booker_tz: Tz) -> Result<EventType, QueryError> {
    let e = &document.event_type;
    let length = e.length_in_minutes;
    if !(1..=1440).contains(&length) {
        return Err(invalid(
            "eventType.lengthInMinutes",
            "must be between 1 and 1440",
        ));
    }
    let options = e.length_in_minutes_options.clone().unwrap_or_default();
    if let Some(bad) = options.iter().find(|m| !(1..=1440).contains(*m)) {
        return Err(invalid(
            "eventType.lengthInMinutesOptions",
            format!("{bad} is not between 1 and 1440"),
        ));
    }
    let length = match document.duration {
        None => length,
        Some(d) if d == length || options.contains(&d) => d,
        Some(d) => {
            let allowed: Vec<String> = std::iter::once(length)
                .chain(options.iter().copied())
                .map(|m| m.to_string())
                .collect();
            return Err(invalid(
                "duration",
                format!(
                    "{d} is not one of the event type's lengths ({})",
                    allowed.join(", ")
                ),
            ));
        }
    };
    if let Some(interval) = e.slot_interval
        && !(1..=1440).contains(&interval)
    {
        return Err(invalid(
            "eventType.slotInterval",
            "must be between 1 and 1440",
        ));
    }
    for (name, value, max) in [
        ("offsetStart", e.offset_start, MAX_MINUTES),
        ("beforeEventBuffer", e.before_event_buffer, MAX_MINUTES),
        ("afterEventBuffer", e.after_event_buffer, MAX_MINUTES),
        (
            "minimumBookingNotice",
            e.minimum_booking_notice,
            MAX_NOTICE_MINUTES,
        ),
    ] {
        if value.is_some_and(|v| v > max) {
            return Err(invalid(
                format!("eventType.{name}"),
                format!("must be between 0 and {max} minutes"),
            ));
        }
    }
    let scheduling = match e.scheduling_type.as_deref() {
        None => Scheduling::Personal,
        Some("COLLECTIVE" | "collective") => Scheduling::Collective,
        Some("ROUND_ROBIN" | "roundRobin" | "round_robin") => Scheduling::RoundRobin,
        Some(other) => {
            return Err(invalid(
                "eventType.schedulingType",
                format!("`{other}` is not COLLECTIVE or ROUND_ROBIN"),
            ));
        }
    };
    let seats = match &e.seats {
        Some(s) if !s.disabled => match s.seats_per_time_slot {
            Some(n) if (1..=1000).contains(&n) => Some(n),
            _ => {
                return Err(invalid(
                    "eventType.seats.seatsPerTimeSlot",
                    "must be between 1 and 1000",
                ));
            }
        },
        _ => None,
    };
    let restriction = match &e.restriction_schedule {
        Some(r) => {
            let mut schedule = schedule(
                "eventType.restrictionSchedule",
                &r.schedule,
                r.use_booker_timezone,
            )?;
            if r.use_booker_timezone {
                schedule.tz = booker_tz;
            }
            Some(schedule)
        }
        None => None,
    };
    Ok(EventType {
        id: e.id,
        length,
        interval: e.slot_interval,
        offset_start: e.offset_start.unwrap_or(0),
        minimum_notice: e.minimum_booking_notice.unwrap_or(0),
        before_buffer: e.before_event_buffer.unwrap_or(0),
        after_buffer: e.after_event_buffer.unwrap_or(0),
        window: booking_window(e.booking_window.as_ref())?,
        booking_limits: limits(e.booking_limits_count.as_ref()),
        duration_limits: limits(e.booking_limits_duration.as_ref()),
        seats,
        unconfirmed_blocks: e
            .confirmation_policy
            .as_ref()
            .is_some_and(|p| !p.disabled && p.block_unconfirmed_bookings_in_booker),
        only_first_slot: e.only_show_first_available_slot.unwrap_or(false),
        scheduling,
        restriction,
    })
}

fn limits(document: Option<&document::LimitsDocument>) -> PeriodLimits {
    match document {
        Some(l) if !l.disabled => PeriodLimits {
            day: l.day,
            week: l.week,
            month: l.month,
            year: l.year,
        },
        _ => PeriodLimits::default(),
    }
}

fn booking_window(value: Option<&Value>) -> Result<BookingWindow, QueryError> {
    let Some(value) = value else {
        return Ok(BookingWindow::Unlimited);
    };
    crate::domain::parse_booking_window(value)
        .map_err(|e| invalid(format!("eventType.bookingWindow.{}", e.at), e.message))
}

fn host(field: &str, h: &document::HostDocument, window_start: i64) -> Result<Host, QueryError> {
    let schedule = schedule(&format!("{field}.schedule"), &h.schedule, false)?;
    check_recurring_lead(&format!("{field}.schedule"), &h.schedule, window_start)?;
    let tz = schedule.tz;
    // Field names are built only when something is wrong: documents carry up to 100,000
    // intervals.
    let intervals = |name: &str, list: &[document::IntervalDocument], dates_in: Option<Tz>| {
        list.iter()
            .enumerate()
            .map(|(i, b)| {
                interval(&b.start, &b.end, dates_in)
                    .map_err(|(part, m)| invalid(format!("{field}.{name}[{i}]{part}"), m))
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let bookings = h
        .bookings
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let at = |part: &str, m: String| invalid(format!("{field}.bookings[{i}]{part}"), m);
            for (part, buffer) in [
                (".beforeEventBuffer", b.before_event_buffer),
                (".afterEventBuffer", b.after_event_buffer),
            ] {
                if buffer.is_some_and(|v| v > MAX_MINUTES) {
                    return Err(at(
                        part,
                        format!("must be between 0 and {MAX_MINUTES} minutes"),
                    ));
                }
            }
            Ok(Booking {
                uid: b.uid.clone(),
                interval: interval(&b.start, &b.end, None).map_err(|(part, m)| at(part, m))?,
                event_type_id: b.event_type_id,
                status: status(b.status.as_deref()).map_err(|m| at(".status", m))?,
                before_buffer: b.before_event_buffer.unwrap_or(0),
                after_buffer: b.after_event_buffer.unwrap_or(0),
                attendees: b.attendees.unwrap_or(1),
            })
        })
        .collect::<Result<Vec<_>, QueryError>>()?;
    Ok(Host {
        id: h.id,
        fixed: h.is_fixed,
        group: h.group.clone(),
        busy: intervals("busy", &h.busy, None)?,
        out_of_office: intervals("outOfOffice", &h.out_of_office, Some(tz))?,
        bookings,
        schedule,
    })
}

/// Recurring patterns may start at most [`MAX_RECURRING_LEAD_DAYS`] before the window and a
/// schedule may have [`MAX_RECURRING_PER_SCHEDULE`] of them: expansion walks from the first
/// occurrence.
fn check_recurring_lead(
    field: &str,
    s: &document::ScheduleDocument,
    window_start: i64,
) -> Result<(), QueryError> {
    if s.recurring.len() > MAX_RECURRING_PER_SCHEDULE {
        return Err(invalid(
            format!("{field}.recurring"),
            format!("at most {MAX_RECURRING_PER_SCHEDULE} recurring patterns per schedule"),
        ));
    }
    for (i, r) in s.recurring.iter().enumerate() {
        let first = r
            .dtstart
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        if let Some(first) = first
            && (window_start - start_of_day(Tz::UTC, first)) / 86_400 > MAX_RECURRING_LEAD_DAYS
        {
            return Err(invalid(
                format!("{field}.recurring[{i}].dtstart"),
                "must be at most 5 years before the query's start; restate the pattern from a later first occurrence",
            ));
        }
    }
    Ok(())
}

fn schedule(
    field: &str,
    s: &document::ScheduleDocument,
    timezone_optional: bool,
) -> Result<Schedule, QueryError> {
    let tz = match (&s.time_zone, timezone_optional) {
        (Some(name), _) => time_zone(&format!("{field}.timeZone"), name)?,
        (None, true) => Tz::UTC,
        (None, false) => return Err(invalid(format!("{field}.timeZone"), "is required")),
    };
    let weekly = s
        .availability
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let f = format!("{field}.availability[{i}]");
            let mut days = 0u8;
            for (j, day) in a.days.iter().enumerate() {
                days |= 1 << weekday(&format!("{f}.days[{j}]"), day)?.num_days_from_monday();
            }
            if days == 0 {
                return Err(invalid(format!("{f}.days"), "name at least one day"));
            }
            let (start_minute, end_minute) = hours(&f, &a.start_time, &a.end_time, false)?;
            Ok(WeeklyRule {
                days,
                start_minute,
                end_minute,
            })
        })
        .collect::<Result<Vec<_>, QueryError>>()?;
    let overrides = s
        .overrides
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let f = format!("{field}.overrides[{i}]");
            let (start_minute, end_minute) = hours(&f, &o.start_time, &o.end_time, true)?;
            Ok(DateOverride {
                date: date(&format!("{f}.date"), &o.date)?,
                start_minute,
                end_minute,
            })
        })
        .collect::<Result<Vec<_>, QueryError>>()?;
    let recurring = s
        .recurring
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let f = format!("{field}.recurring[{i}]");
            let dtstart = NaiveDateTime::parse_from_str(r.dtstart.trim(), "%Y-%m-%dT%H:%M:%S")
                .or_else(|_| NaiveDateTime::parse_from_str(r.dtstart.trim(), "%Y-%m-%dT%H:%M"))
                .map_err(|_| {
                    invalid(
                        format!("{f}.dtstart"),
                        "must be a local date-time like 2030-01-03T14:00:00",
                    )
                })?;
            RecurringWindow::parse(&r.rrule, dtstart, r.duration_minutes)
                .map_err(|m| invalid(&f, m))
        })
        .collect::<Result<Vec<_>, QueryError>>()?;
    Ok(Schedule {
        tz,
        weekly,
        overrides,
        recurring,
    })
}

fn hours(field: &str, start: &str, end: &str, closing: bool) -> Result<(u32, u32), QueryError> {
    crate::domain::parse_hours(start, end, closing)
        .map_err(|(which, m)| invalid(format!("{field}.{which}"), m))
}

fn weekday(field: &str, raw: &str) -> Result<Weekday, QueryError> {
    crate::domain::parse_weekday(raw).map_err(|m| invalid(field, m))
}

fn status(raw: Option<&str>) -> Result<BookingStatus, String> {
    match raw {
        None => Ok(BookingStatus::Accepted),
        Some(raw) => BookingStatus::parse(raw).ok_or_else(|| {
            format!("`{raw}` is not ACCEPTED, PENDING, CANCELLED, REJECTED or AWAITING_HOST")
        }),
    }
}

fn time_zone(field: &str, raw: &str) -> Result<Tz, QueryError> {
    crate::domain::TimeZoneName::parse(raw)
        .map(|z| z.tz())
        .map_err(|m| invalid(field, m))
}

fn date(field: &str, raw: &str) -> Result<NaiveDate, QueryError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .ok()
        .filter(plausible_date)
        .ok_or_else(|| {
            invalid(
                field,
                format!("`{raw}` is not a date like 2030-03-04 (years 1900 to 9999)"),
            )
        })
}

/// Dates and instants outside 1900-9999 are mistakes, and near chrono's limits they overflow.
fn plausible_date(date: &NaiveDate) -> bool {
    (1900..=9999).contains(&chrono::Datelike::year(date))
}

fn plausible_instant(at: i64) -> bool {
    DateTime::<Utc>::from_timestamp(at, 0).is_some_and(|t| plausible_date(&t.date_naive()))
}

/// An ISO 8601 instant with an offset, or a bare date: the start of that UTC day, or its last
/// second when `end_of_day` (as Cal.com reads `start` and `end`).
pub(crate) fn instant(field: &str, raw: &str, end_of_day: bool) -> Result<i64, QueryError> {
    if let Ok(at) = DateTime::parse_from_rfc3339(raw.trim()) {
        return Some(at.timestamp())
            .filter(|t| plausible_instant(*t))
            .ok_or_else(|| invalid(field, format!("`{raw}` is outside the years 1900 to 9999")));
    }
    let day = date(field, raw).map_err(|_| {
        invalid(
            field,
            format!("`{raw}` is not an ISO 8601 instant like 2030-03-04T09:00:00Z or a date"),
        )
    })?;
    let start = start_of_day(Tz::UTC, day);
    Ok(if end_of_day { start + 86_399 } else { start })
}

/// A `[start, end)` pair. With `dates_in`, bare dates are whole days of that timezone and the
/// end date is included (out-of-office ranges). Errors say which part (`.start`, `.end`).
fn interval(
    start: &str,
    end: &str,
    dates_in: Option<Tz>,
) -> Result<Interval, (&'static str, String)> {
    let bound = |raw: &str, is_end: bool| -> Option<i64> {
        if let Ok(at) = DateTime::parse_from_rfc3339(raw.trim()) {
            return Some(at.timestamp()).filter(|t| plausible_instant(*t));
        }
        let tz = dates_in?;
        let day = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .ok()
            .filter(plausible_date)?;
        let day = if is_end {
            day.succ_opt().unwrap_or(day)
        } else {
            day
        };
        Some(start_of_day(tz, day))
    };
    let expected = if dates_in.is_some() {
        "is not an ISO 8601 instant or a date in the years 1900 to 9999"
    } else {
        "is not an ISO 8601 instant in the years 1900 to 9999"
    };
    let from = bound(start, false).ok_or_else(|| (".start", format!("`{start}` {expected}")))?;
    let to = bound(end, true).ok_or_else(|| (".end", format!("`{end}` {expected}")))?;
    let interval = Interval::new(from, to);
    if interval.is_empty() {
        return Err((".end", "must be after start".to_owned()));
    }
    Ok(interval)
}

/// Cal.com's `GET /v2/slots` envelope for these slots: grouped by the booker's date, times in
/// the booker's timezone, and the explanation when one was asked for (see [`SlotsAnswer`]).
pub fn respond<'a>(parsed: &'a ParsedQuery, slots: &'a [Slot]) -> SlotsAnswer<'a> {
    SlotsAnswer::new(parsed, slots)
}
