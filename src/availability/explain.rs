//! Why an instant is not a slot: every rule that rules it out, per host and source, so a person
//! can see what to change (hours, a booking, notice, a limit…).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

use super::busy::{blocks, seat_left, widened, widened_external};
use super::interval::{Interval, IntervalSet};
use super::limits::{LimitKind, Period, blocked_periods};
use super::local_time::local_date;
use super::model::{HostId, Query, Scheduling};
use super::slots::{Plan, blocking_holds, earliest_start, window_latest};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    #[serde(serialize_with = "iso")]
    pub instant: i64,
    pub is_slot: bool,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "source", rename_all = "camelCase")]
pub enum BusySource {
    Booking { uid: Option<String> },
    ExternalCalendar,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "reason",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Reason {
    OutsideRequestedRange,
    BeforeMinimumNotice {
        #[serde(serialize_with = "iso")]
        earliest: i64,
    },
    OutsideBookingWindow,
    LimitReached {
        period: Period,
        kind: LimitKind,
        limit: u32,
    },
    OutsideWorkingHours {
        host_id: HostId,
        date_override: bool,
    },
    OutOfOffice {
        host_id: HostId,
    },
    /// The host is busy; `buffer` when only the buffers around the busy time overlap.
    Busy {
        host_id: HostId,
        #[serde(flatten)]
        source: BusySource,
        buffer: bool,
    },
    SeatsFull {
        host_id: HostId,
        booking_uid: Option<String>,
    },
    Reserved {
        host_id: Option<HostId>,
    },
    RestrictionSchedule,
    /// A slot, hidden because the event shows only the first slot of each day.
    NotFirstSlotOfDay,
    /// Nothing rules the time out, but no slot starts there: it is off the slot grid.
    NotOnGrid,
}

impl Reason {
    pub(crate) fn host(&self) -> Option<HostId> {
        match self {
            Self::OutsideWorkingHours { host_id, .. }
            | Self::OutOfOffice { host_id }
            | Self::Busy { host_id, .. }
            | Self::SeatsFull { host_id, .. } => Some(*host_id),
            _ => None,
        }
    }
}

fn iso<S: Serializer>(at: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    let text = DateTime::<Utc>::from_timestamp(*at, 0)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default();
    serializer.serialize_str(&text)
}

pub fn explain(query: &Query, at: i64) -> Explanation {
    let plan = Plan::new(query);
    let is_slot = plan.slots(query).iter().any(|s| s.start == at);
    if is_slot {
        return Explanation {
            instant: at,
            is_slot,
            reasons: Vec::new(),
        };
    }
    let slot = Interval::new(at, at + plan.length);
    if query.event.only_first_slot {
        let mut every_slot = query.clone();
        every_slot.event.only_first_slot = false;
        if Plan::new(&every_slot)
            .slots(&every_slot)
            .iter()
            .any(|s| s.start == at)
        {
            return Explanation {
                instant: at,
                is_slot,
                reasons: vec![Reason::NotFirstSlotOfDay],
            };
        }
    }
    let mut reasons = Vec::new();
    if at < query.range.start || at > query.range.end {
        reasons.push(Reason::OutsideRequestedRange);
    }
    let notice = query.now + i64::from(query.event.minimum_notice.max(1)) * 60;
    if at < notice && at >= query.range.start {
        reasons.push(Reason::BeforeMinimumNotice { earliest: notice });
    }
    let before_window = at < earliest_start(query) && at >= notice.max(query.range.start);
    let after_window = at > window_latest(query).min(plan.latest) && at <= query.range.end;
    if before_window || after_window {
        reasons.push(Reason::OutsideBookingWindow);
    }
    for hit in blocked_periods(query, slot)
        .iter()
        .filter(|h| h.interval.overlaps(&slot))
    {
        reasons.push(Reason::LimitReached {
            period: hit.period,
            kind: hit.kind,
            limit: hit.limit,
        });
    }
    for host in &query.hosts {
        reasons.extend(host_reasons(query, host, &slot));
    }
    for host_id in blocking_holds(query, &slot) {
        reasons.push(Reason::Reserved { host_id });
    }
    if let Some(restriction) = &query.event.restriction
        && !restriction.working_hours(slot).covers(&slot)
    {
        reasons.push(Reason::RestrictionSchedule);
    }
    if !any_blocking(query, &reasons) {
        reasons.push(Reason::NotOnGrid);
    }
    Explanation {
        instant: at,
        is_slot,
        reasons,
    }
}

fn host_reasons(query: &Query, host: &super::model::Host, slot: &Interval) -> Vec<Reason> {
    let event = &query.event;
    let mut reasons = Vec::new();
    let around = Interval::new(slot.start - 86_400, slot.end + 86_400);
    if !host.schedule.working_hours(around).covers(slot) {
        let date = local_date(host.schedule.tz, slot.start);
        let date_override = host.schedule.overrides.iter().any(|o| o.date == date);
        reasons.push(Reason::OutsideWorkingHours {
            host_id: host.id,
            date_override,
        });
    }
    if IntervalSet::from_intervals(host.out_of_office.clone()).overlaps(slot) {
        reasons.push(Reason::OutOfOffice { host_id: host.id });
    }
    for booking in &host.bookings {
        let rescheduled = booking.uid.is_some() && booking.uid == query.rescheduling_uid;
        if rescheduled || !blocks(event, booking) || !widened(event, booking).overlaps(slot) {
            continue;
        }
        let same_seated_slot = booking.interval.start == slot.start
            && booking.event_type_id == event.id
            && event.seats.is_some();
        if same_seated_slot && seat_left(query, booking) {
            continue;
        }
        if same_seated_slot {
            reasons.push(Reason::SeatsFull {
                host_id: host.id,
                booking_uid: booking.uid.clone(),
            });
        } else {
            reasons.push(Reason::Busy {
                host_id: host.id,
                source: BusySource::Booking {
                    uid: booking.uid.clone(),
                },
                buffer: !booking.interval.overlaps(slot),
            });
        }
    }
    for busy in &host.busy {
        if widened_external(event, busy).overlaps(slot) {
            reasons.push(Reason::Busy {
                host_id: host.id,
                source: BusySource::ExternalCalendar,
                buffer: !busy.overlaps(slot),
            });
        }
    }
    reasons
}

/// Whether the reasons found are enough to rule the slot out: any reason for personal and
/// collective events; for round robin, a reason of a fixed host, or of every host of a group.
fn any_blocking(query: &Query, reasons: &[Reason]) -> bool {
    let hosted = |id: HostId| reasons.iter().any(|r| r.host() == Some(id));
    let general = reasons.iter().any(|r| r.host().is_none());
    if general {
        return true;
    }
    match query.event.scheduling {
        Scheduling::Personal | Scheduling::Collective => !reasons.is_empty(),
        Scheduling::RoundRobin => {
            let fixed_blocked = query.hosts.iter().any(|h| h.fixed && hosted(h.id));
            let mut groups: Vec<Option<&str>> = query
                .hosts
                .iter()
                .filter(|h| !h.fixed)
                .map(|h| h.group.as_deref())
                .collect();
            groups.sort_unstable();
            groups.dedup();
            fixed_blocked
                || groups.iter().any(|g| {
                    query
                        .hosts
                        .iter()
                        .filter(|h| !h.fixed && h.group.as_deref() == *g)
                        .all(|h| hosted(h.id))
                })
        }
    }
}
