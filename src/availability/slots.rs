//! Slot generation: each host's free time, combined by scheduling type, cut into starts on a
//! grid aligned in the booker's timezone, then filtered by reservations, seats, the restriction
//! schedule, the booking window and "first slot of each day".

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use chrono_tz::Tz;

use super::busy::{HostBusy, SeatedBooking, host_busy};
use super::interval::{Interval, IntervalSet};
use super::limits::{LimitHit, blocked_periods};
use super::local_time::{local_date, offset_at, start_of_day};
use super::model::{BookingWindow, Host, HostId, Query, Reservation, Scheduling, Slot};

/// How many days ahead a "rolling bookable days" window looks before giving up, as Cal.com.
const ROLLING_BOOKABLE_SCAN_DAYS: u64 = 61;

/// Every slot the query allows, in start order.
pub fn slots(query: &Query) -> Vec<Slot> {
    let plan = Plan::new(query);
    plan.slots(query)
}

/// Per-host availability, computed once and shared by slot generation and explanations.
pub(crate) struct PreparedHost<'a> {
    pub host: &'a Host,
    pub busy: HostBusy,
    pub free: IntervalSet,
}

/// The bounds of one computation.
pub(crate) struct Plan {
    pub earliest: i64,
    pub latest: i64,
    pub length: i64,
    pub horizon: Interval,
}

impl Plan {
    pub fn new(query: &Query) -> Self {
        let length = i64::from(query.event.length) * 60;
        let earliest = earliest_start(query);
        let latest = match query.event.window {
            BookingWindow::RollingBookable {
                days,
                business_days,
            } => rolling_bookable_latest(query, days, business_days),
            _ => query.range.end.min(window_latest(query)),
        };
        Self {
            earliest,
            latest,
            length,
            horizon: Interval::new(earliest, latest.saturating_add(length)),
        }
    }

    pub fn slots(&self, query: &Query) -> Vec<Slot> {
        if self.latest < self.earliest {
            return Vec::new();
        }
        let limits = blocked_periods(query, self.horizon);
        let hosts = self.prepare_hosts(query, &limits);
        let mut slots = match query.event.scheduling {
            Scheduling::RoundRobin => self.round_robin(query, &hosts),
            Scheduling::Personal | Scheduling::Collective => self.everyone(query, &hosts),
        };
        if let Some(restriction) = &query.event.restriction {
            let allowed = restriction.working_hours(self.horizon);
            slots.retain(|s| allowed.covers(&Interval::new(s.start, s.end)));
        }
        if query.event.only_first_slot {
            let mut days = HashSet::new();
            slots.retain(|s| days.insert(local_date(query.booker_tz, s.start)));
        }
        slots
    }

    pub fn prepare_hosts<'a>(
        &self,
        query: &'a Query,
        limits: &[LimitHit],
    ) -> Vec<PreparedHost<'a>> {
        let closed = IntervalSet::from_intervals(limits.iter().map(|l| l.interval).collect());
        query
            .hosts
            .iter()
            .map(|host| {
                let working = host.schedule.working_hours(self.horizon);
                let busy = host_busy(query, host);
                let away = IntervalSet::from_intervals(host.out_of_office.clone());
                let free = working
                    .subtract(&away)
                    .subtract(&busy.busy)
                    .subtract(&closed);
                PreparedHost { host, busy, free }
            })
            .collect()
    }

    /// Personal and collective events: every host must be free.
    fn everyone(&self, query: &Query, hosts: &[PreparedHost]) -> Vec<Slot> {
        let Some((first, rest)) = hosts.split_first() else {
            return Vec::new();
        };
        let common = rest
            .iter()
            .fold(first.free.clone(), |acc, h| acc.intersect(&h.free));
        let seated: Vec<&SeatedBooking> = hosts.iter().flat_map(|h| &h.busy.seated).collect();
        let mut starts = self.grid(query, common.as_slice());
        starts.extend(seated.iter().map(|s| s.start));
        starts.sort_unstable();
        starts.dedup();

        let everyone: Vec<HostId> = hosts.iter().map(|h| h.host.id).collect();
        starts
            .into_iter()
            .filter(|&start| self.in_bounds(start))
            .filter(|&start| common.covers(&Interval::new(start, start + self.length)))
            .filter_map(|start| {
                let interval = Interval::new(start, start + self.length);
                let seats = seats_at(seated.iter().copied(), &interval)?;
                let blocked = blocking_holds(query, &interval);
                if blocked
                    .iter()
                    .any(|h| h.is_none_or(|id| everyone.contains(&id)))
                {
                    return None;
                }
                let held = seat_holds(query, &interval, &everyone);
                Some(Slot {
                    start,
                    end: interval.end,
                    hosts: everyone.clone(),
                    attendees: query.event.seats.map(|_| seats.taken + held),
                    booking_uid: seats.uid,
                })
            })
            .collect()
    }

    /// Round robin: every fixed host free, and at least one free round-robin host per group;
    /// each slot lies inside one round-robin host's free time (windows of different hosts are
    /// never merged, which would invent slots nobody can take).
    fn round_robin(&self, query: &Query, hosts: &[PreparedHost]) -> Vec<Slot> {
        let (fixed, pool): (Vec<&PreparedHost>, Vec<&PreparedHost>) =
            hosts.iter().partition(|h| h.host.fixed);
        let fixed_free = fixed.split_first().map(|(first, rest)| {
            rest.iter()
                .fold(first.free.clone(), |acc, h| acc.intersect(&h.free))
        });
        let pool_free: Vec<IntervalSet> = pool
            .iter()
            .map(|h| match &fixed_free {
                Some(f) => h.free.intersect(f),
                None => h.free.clone(),
            })
            .collect();
        if pool.is_empty() {
            // Only fixed hosts: they behave like a collective event.
            return self.everyone(query, hosts);
        }

        let mut windows: Vec<Interval> = pool_free
            .iter()
            .flat_map(|f| f.as_slice().iter().copied())
            .collect();
        windows.sort_unstable();
        windows.dedup();
        let mut starts = self.grid(query, &windows);
        // A seated booking with seats left is offered at its own start, whatever the grid.
        starts.extend(
            hosts
                .iter()
                .flat_map(|h| h.busy.seated.iter().map(|b| b.start)),
        );
        starts.sort_unstable();
        starts.dedup();
        starts.retain(|&s| self.in_bounds(s));

        let free_pool_hosts = covering_hosts(&starts, self.length, &pool_free);
        let fixed_ids: Vec<HostId> = fixed.iter().map(|h| h.host.id).collect();
        let groups: Vec<Option<&str>> = distinct_groups(&pool);
        let seated = query.event.seats.is_some();
        starts
            .into_iter()
            .zip(free_pool_hosts)
            .filter_map(|(start, free)| {
                let interval = Interval::new(start, start + self.length);
                let mut seats = SeatCount::default();
                for host in fixed.iter().filter(|_| seated) {
                    seats.add(seats_at(&host.busy.seated, &interval)?);
                }
                let blocked = blocking_holds(query, &interval);
                if blocked.contains(&None)
                    || fixed_ids.iter().any(|id| blocked.contains(&Some(*id)))
                {
                    return None;
                }
                let free: Vec<&PreparedHost> = free
                    .into_iter()
                    .map(|i| pool[i])
                    .filter(|h| !blocked.contains(&Some(h.host.id)))
                    .filter(|h| {
                        if !seated {
                            return true;
                        }
                        match seats_at(&h.busy.seated, &interval) {
                            Some(taken) => {
                                seats.add(taken);
                                true
                            }
                            None => false,
                        }
                    })
                    .collect();
                let every_group_free = groups
                    .iter()
                    .all(|g| free.iter().any(|h| h.host.group.as_deref() == *g));
                if !every_group_free {
                    return None;
                }
                let mut ids = fixed_ids.clone();
                ids.extend(free.iter().map(|h| h.host.id));
                let held = if seated {
                    seat_holds(query, &interval, &ids)
                } else {
                    0
                };
                Some(Slot {
                    start,
                    end: interval.end,
                    hosts: ids,
                    attendees: query.event.seats.map(|_| seats.taken + held),
                    booking_uid: seats.uid,
                })
            })
            .collect()
    }

    fn in_bounds(&self, start: i64) -> bool {
        start >= self.earliest && start <= self.latest
    }

    /// Slot starts over windows sorted by start (Cal.com's `getSlots`): each window starts at its
    /// first instant at or after `earliest`, rounded up to the alignment unit in the booker's
    /// timezone, plus the offset; a window overlapping the previous slot's step continues that
    /// grid instead, which keeps round-robin unions on one grid.
    fn grid(&self, query: &Query, windows: &[Interval]) -> Vec<i64> {
        let event = &query.event;
        let step = i64::from(event.step_minutes()) * 60;
        let unit = alignment_unit(event.frequency());
        let offset = i64::from(event.offset_start) * 60;
        let mut starts = Vec::new();
        let mut previous: Option<i64> = None;
        for window in windows {
            let from = window.start.max(self.earliest);
            let mut start = match previous {
                Some(p) if p + step > window.start => {
                    let next = p + step;
                    if next < from {
                        next + (from - next + step - 1) / step * step
                    } else {
                        next
                    }
                }
                _ => align_up(from, unit, query.booker_tz) + offset,
            };
            while start + self.length <= window.end && start <= self.latest {
                starts.push(start);
                previous = Some(start);
                start += step;
            }
        }
        starts.sort_unstable();
        starts.dedup();
        starts
    }
}

/// For each start (sorted), the indexes of the sets that cover `[start, start + length)`, found
/// with one sweep per set.
fn covering_hosts(starts: &[i64], length: i64, sets: &[IntervalSet]) -> Vec<Vec<usize>> {
    let mut covering = vec![Vec::new(); starts.len()];
    for (index, set) in sets.iter().enumerate() {
        let members = set.as_slice();
        let mut m = 0;
        for (slot, &start) in starts.iter().enumerate() {
            while m < members.len() && members[m].end < start + length {
                m += 1;
            }
            match members.get(m) {
                Some(member) if member.start <= start => covering[slot].push(index),
                Some(_) => {}
                None => break,
            }
        }
    }
    covering
}

fn distinct_groups<'a>(pool: &[&'a PreparedHost]) -> Vec<Option<&'a str>> {
    let mut groups: Vec<Option<&str>> = pool.iter().map(|h| h.host.group.as_deref()).collect();
    groups.sort_unstable();
    groups.dedup();
    groups
}

/// Live reservations by other bookers overlapping `slot`.
fn live_holds<'a>(query: &'a Query, slot: &'a Interval) -> impl Iterator<Item = &'a Reservation> {
    query
        .reservations
        .iter()
        .filter(move |r| r.until > query.now && r.slot.overlaps(slot))
        .filter(|r| query.booker_uid.as_deref() != Some(r.booker_uid.as_str()))
}

/// Whether a hold takes a seat of this slot rather than the host's time: on a seated event, a
/// hold of the same start is a seat in that meeting (Cal.com's seat reservations).
fn is_seat_hold(query: &Query, slot: &Interval, hold: &Reservation) -> bool {
    query.event.seats.is_some() && hold.slot.start == slot.start
}

/// Hosts held by someone else's live reservation overlapping `slot` (seat holds aside); `None`
/// stands for "all hosts".
pub(crate) fn blocking_holds(query: &Query, slot: &Interval) -> Vec<Option<HostId>> {
    live_holds(query, slot)
        .filter(|r| !is_seat_hold(query, slot, r))
        .map(|r| r.host_id)
        .collect()
}

/// Seats held by other bookers in this slot's meeting with `hosts`.
fn seat_holds(query: &Query, slot: &Interval, hosts: &[HostId]) -> u32 {
    live_holds(query, slot)
        .filter(|r| is_seat_hold(query, slot, r))
        .filter(|r| r.host_id.is_none_or(|id| hosts.contains(&id)))
        .count() as u32
}

/// Seats already taken in the meeting a slot would join.
#[derive(Debug, Default)]
struct SeatCount {
    taken: u32,
    uid: Option<String>,
}

impl SeatCount {
    fn add(&mut self, other: SeatCount) {
        if other.taken > self.taken || self.uid.is_none() && other.uid.is_some() {
            *self = other;
        }
    }
}

/// Seats taken at `slot` by a seated booking starting there; `None` when the slot overlaps a
/// seated booking that starts elsewhere (it would double-book the host).
fn seats_at<'a>(
    seated: impl IntoIterator<Item = &'a SeatedBooking>,
    slot: &Interval,
) -> Option<SeatCount> {
    let mut count = SeatCount::default();
    for booking in seated.into_iter().filter(|s| s.blocked.overlaps(slot)) {
        if booking.start != slot.start {
            return None;
        }
        count.add(SeatCount {
            taken: booking.attendees,
            uid: booking.uid.clone(),
        });
    }
    Some(count)
}

/// The largest of 60, 30, 20, 15, 10 and 5 minutes that divides the frequency, else 1.
pub(crate) fn alignment_unit(frequency: u32) -> u32 {
    [60, 30, 20, 15, 10, 5]
        .into_iter()
        .find(|unit| frequency.is_multiple_of(*unit))
        .unwrap_or(1)
}

/// The first instant at or after `at` on a whole minute whose local minute-of-hour in `tz` is a
/// multiple of `unit` minutes (which divides 60).
pub(crate) fn align_up(at: i64, unit: u32, tz: Tz) -> i64 {
    let at = at + (60 - at.rem_euclid(60)) % 60;
    let local_minute = (at + i64::from(offset_at(tz, at)))
        .div_euclid(60)
        .rem_euclid(60);
    let unit = i64::from(unit);
    at + (unit - local_minute % unit) % unit * 60
}

/// The first allowed start: the requested start, `now` plus notice (at least a minute), and the
/// first day of a fixed booking window.
pub(crate) fn earliest_start(query: &Query) -> i64 {
    let notice = i64::from(query.event.minimum_notice.max(1)) * 60;
    let mut earliest = query.range.start.max(query.now + notice);
    if let BookingWindow::Range { first, .. } = query.event.window {
        earliest = earliest.max(start_of_day(query.event_tz, first));
    }
    earliest
}

/// The last allowed start under the booking window (rolling-bookable windows aside).
pub(crate) fn window_latest(query: &Query) -> i64 {
    match query.event.window {
        BookingWindow::Unlimited | BookingWindow::RollingBookable { .. } => i64::MAX,
        BookingWindow::Rolling {
            days,
            business_days,
        } => {
            let today = local_date(query.booker_tz, query.now);
            end_of_date(query.booker_tz, add_days(today, days, business_days))
        }
        BookingWindow::Range { last, .. } => end_of_date(query.event_tz, last),
    }
}

fn end_of_date(tz: Tz, date: NaiveDate) -> i64 {
    start_of_day(tz, date.succ_opt().unwrap_or(date)) - 1
}

/// `date` plus `days` calendar days, or business days (Monday to Friday).
fn add_days(date: NaiveDate, days: u32, business: bool) -> NaiveDate {
    if !business {
        return date + Days::new(u64::from(days));
    }
    let mut current = date;
    let mut left = days;
    while left > 0 {
        current = current.succ_opt().unwrap_or(current);
        if !matches!(current.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    current
}

/// "Always show N bookable days": from today, count the booker's dates that have slots (only
/// weekdays when counting business days) until N are found or 61 days are scanned; slots may
/// start until the end of the last counted date.
fn rolling_bookable_latest(query: &Query, days: u32, business: bool) -> i64 {
    let tz = query.booker_tz;
    let today = local_date(tz, query.now);
    let scan_last = today + Days::new(ROLLING_BOOKABLE_SCAN_DAYS);
    let mut probe_query = query.clone();
    probe_query.event.window = BookingWindow::Unlimited;
    probe_query.event.only_first_slot = false;
    probe_query.range = Interval::new(start_of_day(tz, today), end_of_date(tz, scan_last));
    let length = i64::from(query.event.length) * 60;
    let earliest = earliest_start(&probe_query);
    let probe = Plan {
        earliest,
        latest: probe_query.range.end,
        length,
        horizon: Interval::new(earliest, probe_query.range.end + length),
    };
    let mut bookable: BTreeMap<NaiveDate, ()> = BTreeMap::new();
    for slot in probe.slots(&probe_query) {
        let date = local_date(tz, slot.start);
        if !business || !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            bookable.insert(date, ());
        }
    }
    let last = bookable
        .keys()
        .nth(days.saturating_sub(1) as usize)
        .copied()
        .unwrap_or(scan_last);
    query.range.end.min(end_of_date(tz, last))
}
