//! The booker's month view: which month is on show, its free slots by day in the visitor's zone,
//! the calendar grid, the chosen day's times, and the next month with a free day. Slots come
//! from `booking::slots` (the code path of `GET /v2/slots`); this module only reads and lays out.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use super::state::Prepared;
use crate::availability::interval::Interval;
use crate::availability::model::Slot;
use crate::booking::{self, SlotRequest};
use crate::http::AppState;
use crate::http::pages::QueryState;
use crate::http::pages::i18n::Lang;
use crate::i18n::Clock;
use crate::service::ServiceError;

/// How many months past the shown one to search for the next free day.
const LOOK_AHEAD_MONTHS: u32 = 3;
/// How far ahead the month calendar goes.
const MAX_MONTHS_AHEAD: u32 = 36;

/// One day cell of the month grid.
pub(super) struct Day {
    /// 0 for the blank cells before the first and after the last day.
    pub(super) number: u32,
    pub(super) href: Option<String>,
    pub(super) selected: bool,
    pub(super) label: String,
    pub(super) iso: String,
}

impl Day {
    fn blank() -> Self {
        Day {
            number: 0,
            href: None,
            selected: false,
            label: String::new(),
            iso: String::new(),
        }
    }
}

pub(super) struct SlotLink {
    pub(super) label: String,
    pub(super) href: String,
    pub(super) iso: String,
    pub(super) seats_left: Option<u32>,
}

/// The time `slot` in the query asks for.
pub(super) enum Pick {
    /// No time chosen yet.
    None,
    /// A time that is still a free slot.
    Free(i64),
    /// A time that is no longer free: the visitor is told, and picks again.
    Taken,
}

/// The month on show and its free slots.
pub(super) struct Calendar {
    /// The first of the month on show.
    pub(super) month: NaiveDate,
    /// The first of the visitor's current month: the calendar starts there.
    this_month: NaiveDate,
    slots: Vec<Slot>,
    /// The month's free slots by the visitor's local day.
    by_day: BTreeMap<NaiveDate, Vec<Slot>>,
    /// The day whose times are listed: the asked `date` if it has free slots, else the first
    /// free day.
    pub(super) selected: Option<NaiveDate>,
}

impl Calendar {
    /// The month `month` (or `date`) names, within the next few years, else this month; with its
    /// free slots.
    pub(super) async fn load(
        state: &AppState,
        p: &Prepared,
        query: &QueryState,
        now: DateTime<Utc>,
    ) -> Result<Self, ServiceError> {
        let today = now.with_timezone(&p.tz).date_naive();
        let this_month = first_of_month(today);
        let asked_date = query
            .get("date")
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        // Booking pages look at most a few years ahead; anything else shows this month.
        let last_month = this_month + Months::new(MAX_MONTHS_AHEAD);
        let month = query
            .get("month")
            .and_then(parse_month)
            .or(asked_date.map(first_of_month))
            .filter(|m| (this_month..=last_month).contains(m))
            .unwrap_or(this_month);
        let slots = month_slots(state, p, month, now).await?;
        let mut by_day: BTreeMap<NaiveDate, Vec<Slot>> = BTreeMap::new();
        for slot in &slots {
            let day = local_date(p.tz, slot.start);
            if first_of_month(day) == month {
                by_day.entry(day).or_default().push(slot.clone());
            }
        }
        let selected = asked_date
            .filter(|d| by_day.contains_key(d))
            .or_else(|| by_day.keys().next().copied());
        Ok(Self {
            month,
            this_month,
            slots,
            by_day,
            selected,
        })
    }

    /// No free day this month.
    pub(super) fn is_empty(&self) -> bool {
        self.by_day.is_empty()
    }

    /// A chosen slot is shown only while it is still free.
    pub(super) fn pick(&self, query: &QueryState) -> Pick {
        let chosen_at = query
            .get("slot")
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok().map(|d| d.timestamp()));
        match chosen_at {
            Some(at) if self.slots.iter().any(|s| s.start == at) => Pick::Free(at),
            Some(_) => Pick::Taken,
            None => Pick::None,
        }
    }

    /// The weekday names and the weeks of the grid, starting on the owner's week start.
    pub(super) fn grid(&self, p: &Prepared, query: &QueryState) -> (Vec<String>, Vec<Vec<Day>>) {
        let month = self.month;
        let week_start = match p.event.owner_user.as_ref().map(|u| u.week_start.as_str()) {
            Some("Sunday") => Weekday::Sun,
            Some("Saturday") => Weekday::Sat,
            _ => Weekday::Mon,
        };
        let mut weekdays = Vec::new();
        let mut day = week_start;
        for _ in 0..7 {
            weekdays.push(p.lang.weekday_short(day));
            day = day.succ();
        }
        let lead =
            (month.weekday().num_days_from_monday() + 7 - week_start.num_days_from_monday()) % 7;
        let days_in_month = ((month + Months::new(1)) - month).num_days() as u32;
        let mut cells: Vec<Day> = (0..lead).map(|_| Day::blank()).collect();
        for n in 1..=days_in_month {
            let date = month.with_day(n).unwrap_or(month);
            let free = self.by_day.contains_key(&date);
            cells.push(Day {
                number: n,
                href: free.then(|| {
                    query.href(&[
                        ("month", Some(month.format("%Y-%m").to_string())),
                        ("date", Some(date.to_string())),
                        ("slot", None),
                    ])
                }),
                selected: Some(date) == self.selected,
                label: p.lang.long_date(date),
                iso: date.to_string(),
            });
        }
        while !cells.len().is_multiple_of(7) {
            cells.push(Day::blank());
        }
        let mut weeks = Vec::new();
        let mut cells = cells.into_iter().peekable();
        while cells.peek().is_some() {
            weeks.push(cells.by_ref().take(7).collect());
        }
        (weekdays, weeks)
    }

    /// The selected day's free times, each a link to the form.
    pub(super) fn slot_links(&self, p: &Prepared, query: &QueryState) -> Vec<SlotLink> {
        let seats = p.event.record.seats_per_slot;
        let selected = self.selected;
        selected
            .and_then(|d| self.by_day.get(&d))
            .map(|day_slots| {
                day_slots
                    .iter()
                    .map(|s| SlotLink {
                        label: time_label(p, s.start),
                        href: query.href(&[
                            ("month", Some(self.month.format("%Y-%m").to_string())),
                            ("date", selected.map(|d| d.to_string())),
                            ("slot", Some(slot_iso(s.start))),
                        ]),
                        iso: slot_iso(s.start),
                        seats_left: seats
                            .map(|k| (k as u32).saturating_sub(s.attendees.unwrap_or(0))),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The previous month, unless this one is the visitor's current month.
    pub(super) fn prev_href(&self, query: &QueryState) -> Option<String> {
        (self.month > self.this_month).then(|| {
            query.href(&[
                (
                    "month",
                    Some((self.month - Months::new(1)).format("%Y-%m").to_string()),
                ),
                ("date", None),
                ("slot", None),
            ])
        })
    }

    pub(super) fn next_href(&self, query: &QueryState) -> String {
        query.href(&[
            (
                "month",
                Some((self.month + Months::new(1)).format("%Y-%m").to_string()),
            ),
            ("date", None),
            ("slot", None),
        ])
    }

    /// For a month without a free day: the first free day of the next few months, as its label
    /// and a link to it.
    pub(super) async fn next_available(
        &self,
        state: &AppState,
        p: &Prepared,
        query: &QueryState,
        now: DateTime<Utc>,
    ) -> Result<Option<(String, String)>, ServiceError> {
        let mut probe = self.month;
        for _ in 0..LOOK_AHEAD_MONTHS {
            probe = probe + Months::new(1);
            let later = month_slots(state, p, probe, now).await?;
            if let Some(slot) = later.first() {
                let day = local_date(p.tz, slot.start);
                return Ok(Some((
                    p.lang.long_date(day),
                    query.href(&[
                        ("month", Some(day.format("%Y-%m").to_string())),
                        ("date", Some(day.to_string())),
                        ("slot", None),
                    ]),
                )));
            }
        }
        Ok(None)
    }
}

/// Midnight at the start of `date` in `tz` (or the first instant of the day where midnight
/// falls in a DST gap).
fn day_start(tz: Tz, date: NaiveDate) -> i64 {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    for hour in 0..3 {
        let local = midnight + chrono::Duration::hours(hour);
        if let Some(at) = tz.from_local_datetime(&local).earliest() {
            return at.timestamp();
        }
    }
    midnight.and_utc().timestamp()
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// The free slots of the month starting at `first`, in `tz`.
async fn month_slots(
    state: &AppState,
    p: &Prepared,
    first: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<Slot>, ServiceError> {
    let next = first + Months::new(1);
    let start = day_start(p.tz, first).max(now.timestamp() - 86_400);
    let end = day_start(p.tz, next) - 1;
    if end <= start {
        return Ok(Vec::new());
    }
    let request = SlotRequest {
        range: Interval::new(start, end),
        booker_tz: p.tz,
        length: Some(p.length),
        booker_uid: None,
        rescheduling_uid: p.mode.rescheduling.as_ref().map(|v| v.record.uid.clone()),
        now,
    };
    let (_, slots) = booking::slots(&state.db, &p.event, &request).await?;
    Ok(slots)
}

/// The instant `at` (Unix seconds) on the wall clock of `tz`.
fn local(tz: Tz, at: i64) -> DateTime<Tz> {
    tz.from_utc_datetime(
        &DateTime::from_timestamp(at, 0)
            .unwrap_or_default()
            .naive_utc(),
    )
}

fn local_date(tz: Tz, at: i64) -> NaiveDate {
    local(tz, at).date_naive()
}

pub(super) fn slot_iso(at: i64) -> String {
    DateTime::from_timestamp(at, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn time_label(p: &Prepared, at: i64) -> String {
    p.lang.time(local(p.tz, at).time(), p.twelve_hour)
}

/// "Tuesday, March 2, 2027, 3:00pm – 3:30pm".
pub(super) fn span_label(lang: Lang, tz: Tz, twelve: bool, start: i64, end: i64) -> String {
    let instant = |at: i64| DateTime::from_timestamp(at, 0).unwrap_or_default();
    Clock { tz, twelve, lang }.span(instant(start), instant(end))
}

fn parse_month(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d").ok()
}
