//! What a booker sees and does in their portal (`/my-bookings`): the bookings they attend,
//! found by the email they signed in with, with every host of this instance, each as that
//! attendee may see it (their own seat of a seated booking, by `seats`' rule); and cancelling
//! one of them through the cancel use case, as [`Actor::Attendee`].

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use super::*;
use crate::domain::Email;
use crate::storage::bookings::Period;

/// At most this many upcoming bookings are listed, soonest first ...
pub const UPCOMING_LISTED: i64 = 100;
/// ... and this many past ones, latest first.
pub const PAST_LISTED: i64 = 50;

/// One booking a booker attends, as they see it.
#[derive(Debug, Clone)]
pub struct Attended {
    pub view: BookingView,
    /// Their own row in it: their seat, the zone they booked in.
    pub attendee: AttendeeRecord,
    /// The booking's event type while it exists: the host's switches, the page to book again.
    pub event: Option<EventType>,
}

/// A booker's bookings: those still to end and those over.
#[derive(Debug, Clone, Default)]
pub struct Attending {
    pub upcoming: Vec<Attended>,
    pub past: Vec<Attended>,
}

/// The bookings `email` attends (as booker, guest or seat holder), with every host, at `now`.
/// Bookings moved away by a reschedule are left out: their successor is listed.
pub async fn attended_by(
    db: &Db,
    email: &Email,
    now: DateTime<Utc>,
) -> Result<Attending, ServiceError> {
    let email = email.as_str();
    db.run(async |c| {
        let upcoming = store::of_attendee(c, email, Period::Upcoming(now), UPCOMING_LISTED).await?;
        let past = store::of_attendee(c, email, Period::Past(now), PAST_LISTED).await?;
        let mut events = HashMap::new();
        Ok(Attending {
            upcoming: as_attended(c, email, upcoming, &mut events).await?,
            past: as_attended(c, email, past, &mut events).await?,
        })
    })
    .await
}

/// `records` as `email` sees them; each event type is read once.
async fn as_attended(
    c: &mut Conn<'_>,
    email: &str,
    records: Vec<BookingRecord>,
    events: &mut HashMap<i64, Option<EventType>>,
) -> Result<Vec<Attended>, ServiceError> {
    let mut out = Vec::with_capacity(records.len());
    for view in views(c, records).await? {
        let Some(attendee) = view.attendees.iter().find(|a| a.email == email).cloned() else {
            continue;
        };
        let event = match view.record.event_type_id {
            Some(id) => {
                if let Entry::Vacant(slot) = events.entry(id) {
                    slot.insert(event_types::find_if_any(c, Some(id)).await?);
                }
                events.get(&id).cloned().flatten()
            }
            None => None,
        };
        let view = for_seat(view, event.as_ref(), Some(&attendee));
        out.push(Attended {
            view,
            attendee,
            event,
        });
    }
    Ok(out)
}

/// Cancels booking `uid` for the booker signed in as `email`: their seat of a seated booking,
/// else the booking. A booking they do not attend is "not found"; the host's switches and
/// closed bookings are the cancel use case's to refuse, as for a booking link.
pub async fn cancel_attended(
    db: &Db,
    outbox: &Outbox,
    email: &Email,
    uid: &str,
    reason: Option<String>,
) -> Result<BookingView, ServiceError> {
    let who = email.as_str().to_owned();
    let seat = db
        .run(async |c| {
            let Some(record) = store::find_by_uid(c, uid).await? else {
                return Ok::<_, ServiceError>(None);
            };
            let attendees = store::attendees_of(c, &[record.id]).await?;
            Ok(attendees
                .into_iter()
                .find(|a| a.email == who)
                .and_then(|a| a.seat_uid))
        })
        .await?;
    let change = CancelRequest {
        reason,
        cancelled_by: Some(who.clone()),
        seat_uid: seat,
    };
    cancel(db, outbox, uid, change, Actor::Attendee(who)).await
}

/// What the person a view is for may still do to the booking, by its link or from their
/// portal: move it and cancel it while it stands and has not ended, unless the host turned
/// that off for the event type; of a seated booking, only a seat's holder may (a bare link
/// names no seat). The use cases refuse the same (`host_switch_refused`, closed bookings);
/// this decides which links a page offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookerActions {
    pub reschedule: bool,
    pub cancel: bool,
}

pub fn booker_actions(
    view: &BookingView,
    event: Option<&EventType>,
    now: DateTime<Utc>,
) -> BookerActions {
    let r = &view.record;
    let standing = !has_ended(r, now) && (!view.seated || view.booker().is_some());
    let page = event.map(|e| &e.settings.page);
    BookerActions {
        // `may_move`: it stands, or the host asked for a new time (cancelled, still movable).
        reschedule: standing && view.may_move() && !page.is_some_and(|p| p.rescheduling_disabled()),
        cancel: standing && r.status.is_active() && !page.is_some_and(|p| p.cancelling_disabled()),
    }
}
