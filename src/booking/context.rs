//! From stored data to the engine's input: an event type, its hosts with their schedules, their
//! bookings, external busy time, time off and the open slot reservations around a window, read
//! in a handful of queries and turned into one `availability::Query`.

use chrono::{DateTime, Duration, Utc, Weekday};
use chrono_tz::Tz;

use crate::availability::interval::Interval;
use crate::availability::schedule::{DateOverride, Schedule, WeeklyRule};
use crate::availability::{
    Booking, BookingStatus, BookingWindow, EventType as EngineEvent, Host, PeriodLimits, Query,
    Reservation, Scheduling,
};
use crate::event_types::{EventType, Limits};
use crate::service::ServiceError;
use crate::storage::bookings as store;
use crate::storage::schedules::{self, Schedule as StoredSchedule};
use crate::storage::users::{self, User};
use crate::storage::{Conn, event_types::SchedulingType};

/// What a slot computation is about, beyond the event type.
#[derive(Debug, Clone)]
pub struct SlotRequest {
    /// Slots start within `[range.start, range.end]` (Unix seconds).
    pub range: Interval,
    pub booker_tz: Tz,
    /// One of the event type's lengths; its default when `None`.
    pub length: Option<u32>,
    /// The booker's reservation: it does not hide slots from them.
    pub booker_uid: Option<String>,
    /// A booking being moved: its own time does not block its new one.
    pub rescheduling_uid: Option<String>,
    pub now: DateTime<Utc>,
}

/// A host of the event type as the booking flow needs it.
#[derive(Debug, Clone)]
pub struct HostInfo {
    pub user_id: i64,
    pub fixed: bool,
    pub weight: u32,
    pub priority: u8,
    pub joined_at: DateTime<Utc>,
    pub time_zone: String,
    /// A round-robin host's group (`None`: the default group); fixed hosts have none.
    pub group: Option<String>,
}

/// The hosts of an event type: its owner, or the team's hosts.
pub fn hosts_of(event: &EventType) -> Vec<HostInfo> {
    match &event.owner_user {
        Some(owner) => vec![HostInfo {
            user_id: owner.id,
            fixed: true,
            weight: 100,
            priority: 2,
            joined_at: owner.created_at,
            time_zone: owner.time_zone.clone(),
            group: None,
        }],
        None => event
            .hosts
            .iter()
            .map(|h| {
                let fixed = h.is_fixed || event.scheduling() == Some(SchedulingType::Collective);
                HostInfo {
                    user_id: h.user_id,
                    fixed,
                    weight: h.weight.max(0) as u32,
                    priority: h.priority.clamp(0, 4) as u8,
                    joined_at: h.joined_at,
                    time_zone: h.time_zone.clone(),
                    group: h.group_id.clone().filter(|_| !fixed),
                }
            })
            .collect(),
    }
}

/// The engine's view of the event type at one of its lengths.
pub fn engine_event(event: &EventType, length: u32) -> EngineEvent {
    let r = &event.record;
    let settings = &event.settings;
    let window = settings
        .booking_window
        .as_ref()
        .map_or(BookingWindow::Unlimited, |w| w.value);
    EngineEvent {
        id: Some(r.id),
        length,
        interval: r.slot_interval.map(|v| v as u32),
        offset_start: r.offset_start as u32,
        minimum_notice: r.minimum_notice as u32,
        before_buffer: r.before_buffer as u32,
        after_buffer: r.after_buffer as u32,
        window,
        booking_limits: settings
            .booking_limits
            .map(Limits::period)
            .unwrap_or_default(),
        duration_limits: settings
            .duration_limits
            .map(Limits::period)
            .unwrap_or_default(),
        seats: r.seats_per_slot.map(|n| n as u32),
        unconfirmed_blocks: r.unconfirmed_blocks_slot,
        only_first_slot: r.only_show_first_slot,
        scheduling: match event.scheduling() {
            None => Scheduling::Personal,
            Some(SchedulingType::Collective) => Scheduling::Collective,
            Some(SchedulingType::RoundRobin) => Scheduling::RoundRobin,
        },
        restriction: None,
    }
}

fn engine_schedule(stored: Option<&StoredSchedule>, fallback_tz: &str) -> Schedule {
    let tz_name = stored.map_or(fallback_tz, |s| s.time_zone.as_str());
    let tz: Tz = tz_name.parse().unwrap_or(Tz::UTC);
    Schedule {
        tz,
        weekly: stored
            .map(|s| {
                s.rules
                    .iter()
                    .map(|r| WeeklyRule {
                        days: r.days as u8,
                        start_minute: r.start_minute as u32,
                        end_minute: r.end_minute as u32,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        overrides: stored
            .map(|s| {
                s.overrides
                    .iter()
                    .map(|o| DateOverride {
                        date: o.date,
                        start_minute: o.start_minute as u32,
                        end_minute: o.end_minute as u32,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        // Checked when stored (`schedules::add_pattern`); one that no longer reads adds nothing.
        recurring: stored
            .map(|s| {
                s.patterns
                    .iter()
                    .filter_map(|p| crate::schedules::recurring_window(p).ok())
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn instant(at: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(at, 0).unwrap_or_default()
}

/// How far beyond the window bookings still matter: buffers and lengths reach a day at most;
/// limits count whole days, weeks, months or years around it.
fn padding(event: &EngineEvent) -> Duration {
    let l = event.booking_limits;
    let d = event.duration_limits;
    let any = |f: fn(&PeriodLimits) -> Option<u32>| f(&l).is_some() || f(&d).is_some();
    if any(|p| p.year) {
        Duration::days(367)
    } else if any(|p| p.month) {
        Duration::days(32)
    } else if any(|p| p.week) {
        Duration::days(8)
    } else {
        Duration::days(2)
    }
}

/// What the engine needs about an event type that bookings do not change: each host's
/// schedule. A booking reads it before taking the write lock, so the locked
/// part of a booking only reads what other bookings change.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Per host, in [`hosts_of`] order: the schedule id it uses, if any.
    schedule_ids: Vec<Option<i64>>,
    schedules: Vec<StoredSchedule>,
    /// The event type's restriction schedule: slots must also fall inside its hours.
    restriction: Option<Schedule>,
}

impl Plan {
    /// Each host's schedule: their own on the event, the event's, else their default.
    pub async fn load(c: &mut Conn<'_>, event: &EventType) -> Result<Self, ServiceError> {
        let ids: Vec<i64> = hosts_of(event).iter().map(|h| h.user_id).collect();
        let explicit: Vec<(i64, Option<i64>)> = match &event.owner_user {
            Some(owner) => vec![(owner.id, event.record.schedule_id)],
            None => event
                .hosts
                .iter()
                .map(|h| (h.user_id, h.schedule_id.or(event.record.schedule_id)))
                .collect(),
        };
        let defaults = if explicit.iter().all(|(_, id)| id.is_some()) {
            Vec::new()
        } else {
            schedules::default_ids(c, &ids).await?
        };
        let schedule_ids: Vec<Option<i64>> = explicit
            .iter()
            .map(|&(user, id)| id.or_else(|| defaults.iter().find(|d| d.0 == user).map(|d| d.1)))
            .collect();
        let restriction_id = event.record.restriction_schedule_id;
        let wanted: Vec<i64> = schedule_ids
            .iter()
            .chain(&[restriction_id])
            .flatten()
            .copied()
            .collect();
        let schedules = schedules::by_ids(c, &wanted).await?;
        let restriction = restriction_id.map(|id| {
            let stored = schedules.iter().find(|s| s.id == id);
            // A restriction that vanished restricts to nothing rather than lifting itself.
            engine_schedule(stored, "UTC")
        });
        Ok(Self {
            schedule_ids,
            schedules,
            restriction,
        })
    }
}

/// The user records of the event type's hosts.
pub async fn host_users(c: &mut Conn<'_>, event: &EventType) -> Result<Vec<User>, ServiceError> {
    Ok(match &event.owner_user {
        Some(owner) => vec![owner.clone()],
        None => {
            let ids: Vec<i64> = hosts_of(event).iter().map(|h| h.user_id).collect();
            users::find_many(c, &ids).await?
        }
    })
}

/// Reads everything the engine needs about `event` around `request.range`.
pub async fn build_query(
    c: &mut Conn<'_>,
    event: &EventType,
    request: &SlotRequest,
) -> Result<Query, ServiceError> {
    let plan = Plan::load(c, event).await?;
    query_with(c, event, &plan, request).await
}

/// [`build_query`] with the schedules already read: only bookings, busy time, time off and
/// reservations are read here.
pub async fn query_with(
    c: &mut Conn<'_>,
    event: &EventType,
    plan: &Plan,
    request: &SlotRequest,
) -> Result<Query, ServiceError> {
    let length = event
        .length(request.length)
        .map_err(|m| ServiceError::Invalid(format!("duration: {m}")))?;
    let mut engine = engine_event(event, length);
    engine.restriction = plan.restriction.clone();
    let hosts = hosts_of(event);
    let ids: Vec<i64> = hosts.iter().map(|h| h.user_id).collect();

    let pad = padding(&engine);
    let from = instant(request.range.start) - pad;
    let to = instant(request.range.end) + pad;
    let taken = Taken::read(c, &ids, (from, to), request.now, engine.seats.is_some()).await?;
    let reservations = store::reservations(c, event.record.id, &ids, from, to, request.now).await?;

    let engine_hosts: Vec<Host> = hosts
        .iter()
        .zip(&plan.schedule_ids)
        .map(|(h, id)| {
            let schedule = id.and_then(|sid| plan.schedules.iter().find(|s| s.id == sid));
            taken.host(h, engine_schedule(schedule, &h.time_zone))
        })
        .collect();
    let event_tz = engine_hosts.first().map_or(Tz::UTC, |h| h.schedule.tz);
    let week_start = event
        .owner_user
        .as_ref()
        .and_then(|u| crate::domain::parse_weekday(&u.week_start).ok())
        .unwrap_or(Weekday::Mon);
    Ok(Query {
        now: request.now.timestamp(),
        range: request.range,
        booker_tz: request.booker_tz,
        event_tz,
        week_start,
        event: engine,
        hosts: engine_hosts,
        reservations: reservations
            .into_iter()
            .map(|r| Reservation {
                host_id: r.user_id,
                slot: interval_of(r.slot_start, r.slot_end),
                booker_uid: r.uid,
                until: r.expires_at.timestamp(),
            })
            .collect(),
        booker_uid: request.booker_uid.clone(),
        rescheduling_uid: request.rescheduling_uid.clone(),
    })
}

fn interval_of(start: DateTime<Utc>, end: DateTime<Utc>) -> Interval {
    Interval::new(start.timestamp(), end.timestamp())
}

/// The hosts' time that is taken around a window: their bookings, external busy time and time
/// off, as (host, start, end).
struct Taken {
    bookings: Vec<store::BusyBooking>,
    external: Vec<(i64, DateTime<Utc>, DateTime<Utc>)>,
    away: Vec<(i64, DateTime<Utc>, DateTime<Utc>)>,
    /// Hosts whose calendar cache is too old to trust, and the window read.
    stale: Vec<i64>,
    window: (DateTime<Utc>, DateTime<Utc>),
}

impl Taken {
    async fn read(
        c: &mut Conn<'_>,
        hosts: &[i64],
        (from, to): (DateTime<Utc>, DateTime<Utc>),
        now: DateTime<Utc>,
        count_attendees: bool,
    ) -> Result<Self, ServiceError> {
        let bookings = store::busy_bookings(c, hosts, from, to, count_attendees).await?;
        let (mut external, mut away) = store::external_busy(c, hosts, from, to).await?;
        // By host, so each host finds its share by binary search (a 100-host team has
        // thousands of blocks).
        external.sort_by_key(|b| b.0);
        away.sort_by_key(|b| b.0);
        let stale = store::stale_calendar_hosts(c, hosts, now).await?;
        Ok(Self {
            bookings,
            external,
            away,
            stale,
            window: (from, to),
        })
    }

    /// The engine's host `h`, following `schedule`, with its share of the taken time.
    fn host(&self, h: &HostInfo, schedule: Schedule) -> Host {
        let of_host = |list: &[(i64, DateTime<Utc>, DateTime<Utc>)]| {
            let first = list.partition_point(|b| b.0 < h.user_id);
            let end = list.partition_point(|b| b.0 <= h.user_id);
            list[first..end]
                .iter()
                .map(|b| interval_of(b.1, b.2))
                .collect()
        };
        // A host whose calendar cannot be trusted is busy throughout (no double booking).
        let busy = if self.stale.contains(&h.user_id) {
            vec![interval_of(self.window.0, self.window.1)]
        } else {
            of_host(&self.external)
        };
        Host {
            id: h.user_id,
            fixed: h.fixed,
            group: h.group.clone(),
            schedule,
            busy,
            out_of_office: of_host(&self.away),
            bookings: self
                .bookings
                .iter()
                .filter(|b| b.host == h.user_id)
                .map(engine_booking)
                .collect(),
        }
    }
}

/// A host's stored booking as the engine sees it.
fn engine_booking(b: &store::BusyBooking) -> Booking {
    Booking {
        uid: Some(b.uid.clone()),
        interval: interval_of(b.start, b.end),
        event_type_id: b.event_type_id,
        // A pending booking whose claim holds the time blocks whatever event
        // type is asked about, as the database would refuse the overlap.
        status: match (b.status, b.active) {
            (BookingStatus::Pending, true) => BookingStatus::Accepted,
            (status, _) => status,
        },
        before_buffer: ((b.start - b.blocked_start).num_minutes().max(0)) as u32,
        after_buffer: ((b.blocked_end - b.end).num_minutes().max(0)) as u32,
        attendees: b.attendees.max(0) as u32,
    }
}
