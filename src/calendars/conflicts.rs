//! Conflicts found after the fact: when a sync writes a calendar's busy time, the owner's
//! accepted bookings that an external event now overlaps are recorded (once each), written into
//! the booking's history, and told to the host (email) and to the subscribers who asked for
//! `BOOKING_CALENDAR_CONFLICT`. Nothing is dropped or moved: the host decides.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::notify::{self, Email};
use crate::service::ServiceError;
use crate::storage::bookings::{self as bookings_store, HistoryEntry};
use crate::storage::calendars::{self as store, BusyRow, CalendarRecord, NewConflict};
use crate::storage::{Conn, users};
use crate::webhooks::{self, Outbox};

/// The webhook trigger a conflict fires (Kairos' own; subscribers opt in).
pub const TRIGGER: &str = "BOOKING_CALENDAR_CONFLICT";

/// Finds and records the conflicts between `calendar`'s fresh busy time and its owner's
/// accepted bookings over `covered`, in the sync's transaction. Bookings already over are
/// left alone: a conflict in the past is news to no one.
pub async fn detect(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    calendar: &CalendarRecord,
    busy: &[BusyRow<'_>],
    covered: (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let from = covered.0.max(now);
    if busy.is_empty() || from >= covered.1 {
        return Ok(());
    }
    let hosted = store::hosted_bookings(c, calendar.user_id, from, covered.1).await?;
    let overlapping: Vec<(i64, &BusyRow<'_>)> = hosted
        .iter()
        .flat_map(|b| {
            busy.iter()
                .filter(|r| r.start < b.end && r.end > b.start)
                .map(|r| (b.booking_id, r))
        })
        .collect();
    if overlapping.is_empty() {
        return Ok(());
    }
    let uids: Vec<&str> = overlapping.iter().filter_map(|(_, r)| r.uid).collect();
    // A booking's own written-back event (or another booking's) is not a conflict.
    let own = store::booking_ical_uids(c, &uids).await?;
    for (booking_id, row) in overlapping {
        if row.uid.is_some_and(|u| own.iter().any(|o| o == u)) {
            continue;
        }
        let new = NewConflict {
            booking_id,
            user_id: calendar.user_id,
            calendar_id: calendar.id,
            start: row.start,
            end: row.end,
            summary: row.summary,
        };
        if store::insert_conflict(c, &new, now).await? {
            announce(c, outbox, calendar, &new).await?;
        }
    }
    Ok(())
}

/// The history entry, the host's email and the opted-in webhook deliveries of a new conflict.
async fn announce(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    calendar: &CalendarRecord,
    conflict: &NewConflict<'_>,
) -> Result<(), ServiceError> {
    let booking = bookings_store::find(c, conflict.booking_id).await?;
    let when = format!(
        "{} to {}",
        conflict.start.format("%Y-%m-%d %H:%M UTC"),
        conflict.end.format("%Y-%m-%d %H:%M UTC")
    );
    // The history is the hosts' own record: it may name the event they own.
    let what = conflict
        .summary
        .map(|s| format!(" (\"{s}\")"))
        .unwrap_or_default();
    let entry = HistoryEntry {
        action: "calendar_conflict".into(),
        actor_kind: "system".into(),
        actor_id: None,
        from_status: None,
        to_status: None,
        changes: json!({
            "calendar": calendar.name,
            "start": conflict.start,
            "end": conflict.end,
        })
        .to_string(),
        reason: Some(format!(
            "An event{what} in calendar \"{}\" from {when} overlaps this booking",
            calendar.name
        )),
    };
    bookings_store::append_note(c, booking.id, &entry).await?;
    if outbox.email {
        email_host(c, outbox, &booking, calendar, &when).await?;
    }
    let details = json!({
        "hostId": conflict.user_id,
        "start": webhooks::payload::js_iso(conflict.start),
        "end": webhooks::payload::js_iso(conflict.end),
    });
    webhooks::calendar_conflict(c, outbox, &booking, TRIGGER, details).await
}

/// A short plain email to the calendar's owner; no calendar entry (nothing changed).
async fn email_host(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    booking: &bookings_store::BookingRecord,
    calendar: &CalendarRecord,
    when: &str,
) -> Result<(), ServiceError> {
    let host = users::find(c, calendar.user_id).await?;
    let email = Email {
        to_name: host.name.clone(),
        to_email: host.email.clone(),
        subject: format!("Calendar conflict: {}", booking.title),
        text: format!(
            "Hi {},\n\nAn event in your calendar \"{}\" ({when}) now overlaps your booking \
             \"{}\" on {}.\nThe booking stands; move or cancel it if you need to:\n{}\n",
            host.name,
            calendar.name,
            booking.title,
            booking.start_at.format("%Y-%m-%d %H:%M UTC"),
            crate::links::ManageLinks {
                base: &outbox.booker_url,
                uid: &booking.uid,
                end: booking.end_at,
                signer: Some(&outbox.signer),
                now: chrono::Utc::now(),
            }
            .page(None),
        ),
        calendar: None,
    };
    notify::queue(c, &email, "email.conflict").await?;
    Ok(())
}
