//! What blocks a host: their bookings widened by both events' buffers, external busy time
//! widened by the new event's buffers, and seated bookings that still have seats left.

use super::interval::{Interval, IntervalSet};
use super::model::{Booking, BookingStatus, EventType, Host, Query};

/// A booking of the queried seated event type that still has free seats: it does not block its
/// own start, only everything else that overlaps it.
#[derive(Debug, Clone)]
pub struct SeatedBooking {
    pub start: i64,
    pub blocked: Interval,
    pub uid: Option<String>,
    pub attendees: u32,
}

#[derive(Debug, Clone, Default)]
pub struct HostBusy {
    pub busy: IntervalSet,
    pub seated: Vec<SeatedBooking>,
}

/// Whether a booking takes the host's time, as Cal.com decides: an accepted booking always; a
/// pending one only when it is a booking of the queried event type and that type blocks
/// unconfirmed bookings (a pending booking of another event type never does); cancelled,
/// rejected and awaiting-host bookings never.
pub fn blocks(event: &EventType, booking: &Booking) -> bool {
    match booking.status {
        BookingStatus::Accepted => true,
        BookingStatus::Pending => {
            event.unconfirmed_blocks && event.id.is_some() && booking.event_type_id == event.id
        }
        BookingStatus::Cancelled | BookingStatus::Rejected | BookingStatus::AwaitingHost => false,
    }
}

/// The time a booking keeps the host from starting this event: its own buffers plus the new
/// event's, which add up.
pub fn widened(event: &EventType, booking: &Booking) -> Interval {
    let before = i64::from(booking.before_buffer + event.after_buffer) * 60;
    let after = i64::from(booking.after_buffer + event.before_buffer) * 60;
    Interval::new(
        booking.interval.start - before,
        booking.interval.end + after,
    )
}

pub fn widened_external(event: &EventType, busy: &Interval) -> Interval {
    Interval::new(
        busy.start - i64::from(event.after_buffer) * 60,
        busy.end + i64::from(event.before_buffer) * 60,
    )
}

/// A booking counts against availability unless it is the one being rescheduled or does not
/// block by its status.
pub fn counts(query: &Query, booking: &Booking) -> bool {
    let rescheduled = booking.uid.is_some() && booking.uid == query.rescheduling_uid;
    !rescheduled && blocks(&query.event, booking)
}

pub fn seat_left(query: &Query, booking: &Booking) -> bool {
    let event = &query.event;
    match event.seats {
        Some(seats) => {
            booking.event_type_id.is_some()
                && booking.event_type_id == event.id
                && booking.interval.duration() == i64::from(event.length) * 60
                && booking.attendees < seats
        }
        None => false,
    }
}

pub fn host_busy(query: &Query, host: &Host) -> HostBusy {
    let event = &query.event;
    let mut blocked = Vec::with_capacity(host.bookings.len() + host.busy.len());
    let mut seated = Vec::new();
    for booking in host.bookings.iter().filter(|b| counts(query, b)) {
        let interval = widened(event, booking);
        if seat_left(query, booking) {
            seated.push(SeatedBooking {
                start: booking.interval.start,
                blocked: interval,
                uid: booking.uid.clone(),
                attendees: booking.attendees,
            });
        } else {
            blocked.push(interval);
        }
    }
    blocked.extend(host.busy.iter().map(|b| widened_external(event, b)));
    HostBusy {
        busy: IntervalSet::from_intervals(blocked),
        seated,
    }
}
