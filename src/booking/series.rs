//! Recurring event types' series (Cal.com's recurring bookings): the occurrences' starts on the
//! booker's wall clock, every occurrence booked through `create::book_in` in one transaction
//! (all or none), and a series read or cancelled by its `recurringBookingUid`.

use chrono::{Days, Months};

use super::create::{
    Fixed, Occurrence, book_in, host_ids, read_unlocked, replay, slot_request, spend_link,
};
use super::*;
use crate::availability::local_time::{local_date_time, resolve};
use crate::event_types::settings::{Frequency, Recurrence};

/// The event type's recurrence, narrowed to `recurrenceCount`, when a booking of it repeats.
/// `recurrenceCount` for an event type that does not repeat, or above its occurrences, is
/// refused, as Cal.com does.
pub(super) fn repeats(
    event: &EventType,
    count: Option<u32>,
) -> Result<Option<Recurrence>, ServiceError> {
    let recurrence = event.settings.page.recurrence.as_ref().map(|r| r.value);
    let refused = |m: String| Err(ServiceError::Invalid(format!("recurrenceCount: {m}")));
    match (recurrence, count) {
        (None, None) => Ok(None),
        (None, Some(_)) => refused(format!(
            "event type {} does not repeat; leave recurrenceCount out",
            event.record.id
        )),
        (Some(_), Some(0)) => refused("must be at least 1".into()),
        (Some(r), Some(n)) if n > r.occurrences => refused(format!(
            "Provided recurrence count is higher than the event type's recurring event count ({})",
            r.occurrences
        )),
        (Some(_), _) if event.record.seats_per_slot.is_some() => Err(ServiceError::Invalid(
            "eventTypeId: this event type has seats and a recurrence; Kairos books neither until one is turned off".into(),
        )),
        (Some(r), n) => Ok(Some(Recurrence {
            occurrences: n.unwrap_or(r.occurrences),
            ..r
        })),
    }
}

/// The starts of a series beginning at `first`: the same wall-clock time in `tz` every
/// `interval` weeks, months or years, each date counted from the first (a month without that
/// day takes its last day), resolved per date with RFC 5545's rules across DST changes.
pub fn occurrence_starts(
    first: DateTime<Utc>,
    tz: Tz,
    r: &Recurrence,
) -> Result<Vec<DateTime<Utc>>, ServiceError> {
    let local = local_date_time(tz, first.timestamp());
    let mut starts = vec![first];
    for k in 1..r.occurrences {
        let step = k * r.interval;
        let date = match r.frequency {
            Frequency::Weekly => local
                .date()
                .checked_add_days(Days::new(7 * u64::from(step))),
            Frequency::Monthly => local.date().checked_add_months(Months::new(step)),
            Frequency::Yearly => local.date().checked_add_months(Months::new(12 * step)),
        }
        .filter(|d| d.year() <= 9998)
        .ok_or_else(|| {
            ServiceError::Invalid("start: the series would run past the year 9998".into())
        })?;
        starts.push(instant(resolve(tz, date.and_time(local.time()))));
    }
    Ok(starts)
}

/// A series about to be booked.
pub(super) struct Series<'a> {
    pub(super) event: &'a EventType,
    pub(super) recurrence: Recurrence,
    pub(super) prepared: &'a Prepared,
}

impl Series<'_> {
    /// Books every occurrence in one transaction: each must be a slot when its turn comes
    /// (earlier occurrences included), else nothing is written and the answer names the first
    /// occurrence that failed. Each occurrence is announced like any booking.
    pub(super) async fn book(
        &self,
        db: &Db,
        outbox: &Outbox,
        calendars: Option<&Calendars>,
        request: BookingRequest,
        actor: Actor,
    ) -> Result<Booked, ServiceError> {
        let event = self.event;
        if let Some(replay) = replay(db, &request, &actor, event).await? {
            return Ok(replay);
        }
        let tz = request.attendee.time_zone.tz();
        let starts = occurrence_starts(request.start, tz, &self.recurrence)?;
        let requests = occurrence_requests(&request, &starts);
        let (plan, host_users) = read_unlocked(db, outbox, event, self.prepared).await?;
        let rechecks = self.recheck_all(db, calendars, &requests).await?;
        let recurring_id = uuid::Uuid::new_v4().to_string();
        let total = requests.len();
        let outcome = db
            .transaction(async |c| {
                spend_link(c, event, &request).await?;
                let mut booked: Vec<BookingView> = Vec::with_capacity(total);
                for (k, (occurrence, rechecked)) in requests.iter().zip(&rechecks).enumerate() {
                    let fixed = Fixed {
                        event,
                        plan: &plan,
                        host_users: &host_users,
                        rechecked,
                        series: Some(Occurrence {
                            recurring_id: &recurring_id,
                            keep_host: booked.first().map(|v| v.record.user_id),
                        }),
                    };
                    let view = book_in(c, &fixed, occurrence, self.prepared, &actor)
                        .await
                        .map_err(|e| failed_at(e, k, total, occurrence.start))?;
                    rechecked.note(c, view.record.id, &host_ids(&view)).await?;
                    booked.push(view);
                }
                // Announced once all are written, so each payload tells the whole series.
                for view in &booked {
                    announce_booked(c, outbox, view).await?;
                }
                Ok::<_, ServiceError>(booked)
            })
            .await;
        match outcome {
            Ok(series) => Ok(Booked {
                view: series[0].clone(),
                series,
                replayed: false,
            }),
            // A concurrent retry with the same key may have won: answer with its series.
            Err(e) => match replay(db, &request, &actor, event).await? {
                Some(replay) => Ok(replay),
                None => Err(e),
            },
        }
    }

    /// The booking-time calendar re-check, occurrence by occurrence, before the transaction.
    async fn recheck_all(
        &self,
        db: &Db,
        calendars: Option<&Calendars>,
        requests: &[BookingRequest],
    ) -> Result<Vec<Rechecked>, ServiceError> {
        let length = Duration::minutes(i64::from(self.prepared.length));
        let mut out = Vec::with_capacity(requests.len());
        for r in requests {
            let holders = Holders::of(
                self.event,
                slot_request(r, self.prepared.length, Utc::now()),
                None,
            );
            out.push(
                recheck(
                    db,
                    calendars,
                    self.event,
                    holders,
                    (r.start, r.start + length),
                )
                .await?,
            );
        }
        Ok(out)
    }
}

/// One request per occurrence; only the first records the idempotency key and releases the
/// booker's reservation.
fn occurrence_requests(request: &BookingRequest, starts: &[DateTime<Utc>]) -> Vec<BookingRequest> {
    starts
        .iter()
        .enumerate()
        .map(|(k, &start)| {
            let mut r = request.clone();
            r.start = start;
            if k > 0 {
                r.idempotency = None;
                r.reservation_uid = None;
            }
            r
        })
        .collect()
}

/// An occurrence's failure, naming it: the whole series is refused.
fn failed_at(e: ServiceError, k: usize, total: usize, start: DateTime<Utc>) -> ServiceError {
    let which = format!(
        "occurrence {} of {total} ({})",
        k + 1,
        start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    match e {
        ServiceError::Storage(StorageError::Overlap) => {
            ServiceError::Conflict(format!("{which}: {}", taken()))
        }
        ServiceError::Conflict(m) => ServiceError::Conflict(format!("{which}: {m}")),
        ServiceError::Invalid(m) => ServiceError::Invalid(format!("start: {which}: {m}")),
        other => other,
    }
}

/// Every occurrence of a series, by start.
pub(super) async fn views(
    c: &mut Conn<'_>,
    recurring_id: &str,
) -> Result<Vec<BookingView>, ServiceError> {
    let records = store::series(c, recurring_id).await?;
    super::queries::views(c, records).await
}

/// A series by its `recurringBookingUid`, as a user with an API key sees it: every occurrence,
/// or 404 when there is none they may see.
pub async fn get_series(db: &Db, user: i64, uid: &str) -> Result<Vec<BookingView>, ServiceError> {
    db.run(async |c| {
        let records = store::series(c, uid).await?;
        match records.first() {
            Some(first) if can_see(c, user, first).await? => {
                super::queries::views(c, records).await
            }
            _ => Err(not_found(uid)),
        }
    })
    .await
}

/// Which occurrences of a series a cancel takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesCancel {
    /// The uid is the series' (`recurringBookingUid`): every occurrence not yet started.
    Remaining,
    /// The uid is an occurrence's (`cancelSubsequentBookings`): it and every later one.
    FromOccurrence,
}

/// Cancels occurrences of a series in one transaction, each through `cancel_in` (the single
/// cancel's rules and announcements). Occurrences already cancelled or declined are left as
/// they are; none left to cancel is a 400.
pub async fn cancel_series(
    db: &Db,
    outbox: &Outbox,
    uid: &str,
    change: CancelRequest,
    actor: Actor,
    scope: SeriesCancel,
) -> Result<Vec<BookingView>, ServiceError> {
    db.transaction(async |c| {
        let (records, from) = match scope {
            SeriesCancel::Remaining => (store::series(c, uid).await?, Utc::now()),
            SeriesCancel::FromOccurrence => from_occurrence(c, &actor, uid).await?,
        };
        if records.is_empty() {
            return Err(not_found(uid));
        }
        let open = |r: &BookingRecord| {
            r.start_at >= from
                && matches!(r.status, BookingStatus::Accepted | BookingStatus::Pending)
        };
        let mut cancelled = Vec::new();
        for r in records.iter().filter(|r| open(r)) {
            let one = cancel_in(c, outbox, &r.uid, &change, &actor).await;
            // Someone who may not see the series learns nothing of its occurrences.
            cancelled.push(one.map_err(|e| match e {
                ServiceError::NotFound(_) => not_found(uid),
                other => other,
            })?);
        }
        if cancelled.is_empty() {
            return Err(ServiceError::Invalid(format!(
                "Booking {uid} has no remaining occurrence to cancel"
            )));
        }
        Ok(cancelled)
    })
    .await
}

/// The series of the occurrence `uid` (as the actor may see it) and its start.
async fn from_occurrence(
    c: &mut Conn<'_>,
    actor: &Actor,
    uid: &str,
) -> Result<(Vec<BookingRecord>, DateTime<Utc>), ServiceError> {
    if store::find_by_uid(c, uid).await?.is_none() {
        // The series' own uid: Cal.com's 400, for those who may act on the series.
        let series = store::series(c, uid).await?;
        let first = series.first().ok_or_else(|| not_found(uid))?;
        actionable(c, actor, &first.uid)
            .await
            .map_err(|_| not_found(uid))?;
        return Err(ServiceError::Invalid(
            "cancelSubsequentBookings: Cannot cancel subsequent bookings for recurring event - you have to provide uid of one of the individual bookings of a recurring booking.".into(),
        ));
    }
    let record = actionable(c, actor, uid).await?;
    let id = record.recurring_event_id.clone().ok_or_else(|| {
        ServiceError::Invalid(format!(
            "cancelSubsequentBookings: booking {uid} is not an occurrence of a recurring booking"
        ))
    })?;
    Ok((store::series(c, &id).await?, record.start_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn starts(first: &str, tz: Tz, frequency: Frequency, interval: u32, n: u32) -> Vec<String> {
        let r = Recurrence {
            frequency,
            interval,
            occurrences: n,
        };
        occurrence_starts(at(first), tz, &r)
            .unwrap()
            .iter()
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .collect()
    }

    #[test]
    fn weekly_keeps_the_wall_clock_across_dst() {
        // Berlin leaves summer time on 2030-10-27: 10:00 local is 08:00Z, then 09:00Z.
        let berlin = starts(
            "2030-10-15T08:00:00Z",
            chrono_tz::Europe::Berlin,
            Frequency::Weekly,
            1,
            4,
        );
        assert_eq!(
            berlin,
            [
                "2030-10-15T08:00:00Z",
                "2030-10-22T08:00:00Z",
                "2030-10-29T09:00:00Z",
                "2030-11-05T09:00:00Z"
            ]
        );
        // New York enters summer time on 2030-03-10; every other week.
        let new_york = starts(
            "2030-03-05T14:00:00Z",
            chrono_tz::America::New_York,
            Frequency::Weekly,
            2,
            2,
        );
        assert_eq!(new_york, ["2030-03-05T14:00:00Z", "2030-03-19T13:00:00Z"]);
    }

    #[test]
    fn monthly_takes_a_short_months_last_day_and_counts_from_the_first() {
        let got = starts("2031-01-31T12:00:00Z", Tz::UTC, Frequency::Monthly, 1, 3);
        assert_eq!(
            got,
            [
                "2031-01-31T12:00:00Z",
                "2031-02-28T12:00:00Z",
                "2031-03-31T12:00:00Z"
            ]
        );
        let yearly = starts("2032-02-29T12:00:00Z", Tz::UTC, Frequency::Yearly, 1, 2);
        assert_eq!(yearly, ["2032-02-29T12:00:00Z", "2033-02-28T12:00:00Z"]);
    }
}
