//! What one seat's holder sees of a seated booking: their own seat and answers, and a title
//! that names no other holder; the other holders too only when the event type shows attendees
//! (`showAttendeeInfo`, Cal.com's `seatsShowAttendees`). The booking's hosts, organiser and
//! team admins (with their API key) see the whole booking.

use super::*;
use crate::event_types::seat_title;

/// `view` as the holder of one of its seats may see it; as nobody in particular may (a bare
/// link to the booking) without `holder`. Unchanged when the booking has no seats.
pub(super) fn for_seat(
    mut view: BookingView,
    event: Option<&EventType>,
    holder: Option<&AttendeeRecord>,
) -> BookingView {
    if !view.seated {
        return view;
    }
    let seat = holder.and_then(|h| h.seat_uid.clone());
    if !event.is_some_and(EventType::seats_see_each_other) {
        view.attendees
            .retain(|a| seat.is_some() && a.seat_uid == seat);
    }
    let organizer = view
        .hosts
        .first()
        .map(|h| h.name.as_str())
        .unwrap_or_default();
    // Who cancelled or moved it is shown only when it was this holder or a host.
    let known: Vec<&str> = (view.hosts.iter().map(|h| h.email.as_str()))
        .chain(holder.map(|h| h.email.as_str()))
        .collect();
    let r = &mut view.record;
    r.title = seat_title(
        event,
        organizer,
        holder.map(|h| h.name.as_str()),
        r.location.as_deref(),
    );
    let own = holder
        .map(AttendeeRecord::own_responses)
        .unwrap_or_default();
    r.responses = Value::Object(own).to_string();
    r.description = holder.map(AttendeeRecord::own_notes).unwrap_or_default();
    r.metadata = "{}".into();
    r.cancelled_by = r
        .cancelled_by
        .take()
        .filter(|e| known.contains(&e.as_str()));
    r.rescheduled_by = r
        .rescheduled_by
        .take()
        .filter(|e| known.contains(&e.as_str()));
    view.seat_uid = seat;
    view
}

/// The view `actor` may have of a booking: all of it for its hosts, organiser and team admins,
/// else `holder`'s seat (see [`for_seat`]).
pub(super) async fn seen_by(
    c: &mut Conn<'_>,
    actor: &Actor,
    view: BookingView,
    event: Option<&EventType>,
    holder: Option<AttendeeRecord>,
) -> Result<BookingView, ServiceError> {
    if !view.seated {
        return Ok(view);
    }
    if let Some(user) = actor.user_id()
        && access(c, user, &view.record).await?.is_some()
    {
        return Ok(view);
    }
    Ok(for_seat(view, event, holder.as_ref()))
}

/// The seat `email` holds in `view`, if any.
pub(super) fn seat_of(view: &BookingView, email: &str) -> Option<AttendeeRecord> {
    view.attendees
        .iter()
        .find(|a| a.seat_uid.is_some() && a.email == email)
        .cloned()
}

/// The booking's only seat, for a booker acting on a booking they hold alone.
pub(super) fn only_seat(view: &BookingView) -> Option<AttendeeRecord> {
    let mut seats = view.attendees.iter().filter(|a| a.seat_uid.is_some());
    match (seats.next(), seats.next()) {
        (Some(only), None) => Some(only.clone()),
        _ => None,
    }
}
