//! Webhooks: subscriptions (a user's or an event type's, with their rules, [`subscriptions`]),
//! the outbox that turns booking changes into deliveries inside the same transaction (here), and
//! the delivery worker ([`worker`]) that signs, sends, retries and logs them.
//!
//! A delivery's body is rendered once, when the event happens, and stored; every attempt
//! sends those bytes with the same `webhook-id`, so receivers can verify and deduplicate.

pub mod payload;
pub mod retry;
pub mod signing;
pub mod ssrf;
pub mod subscriptions;
pub mod template;
pub mod worker;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::event_types;
use crate::service::ServiceError;
use crate::storage::bookings::{self as bookings_store, BookingRecord};
use crate::storage::webhooks::{self as store, NewDelivery, WebhookRecord};
use crate::storage::{Conn, StorageError, teams, users};
use payload::{Change, Facts};

/// Every trigger Cal.com's API accepts. Kairos sends the booking, no-show, meeting and ping
/// events, `BOOKING_LOCATION_UPDATED` (a host moved the meeting, or a host's calendar made its
/// Google Meet or Teams link), `BOOKING_REASSIGNED`, `OOO_CREATED` and the routing forms'
/// `FORM_SUBMITTED` and `FORM_SUBMITTED_NO_EVENT`; the others (payments, recordings, the
/// fallback hit…) are accepted so existing subscriptions can be created unchanged, and
/// never fire. `BOOKING_CALENDAR_CONFLICT` is Kairos' own (an
/// external event found overlapping a booking after the fact); only subscribers naming it get it.
pub const TRIGGERS: [&str; 23] = [
    "BOOKING_CREATED",
    "BOOKING_REQUESTED",
    "BOOKING_RESCHEDULED",
    "BOOKING_CANCELLED",
    "BOOKING_REJECTED",
    "BOOKING_NO_SHOW_UPDATED",
    "MEETING_STARTED",
    "MEETING_ENDED",
    "BOOKING_PAYMENT_INITIATED",
    "BOOKING_PAID",
    "BOOKING_LOCATION_UPDATED",
    "BOOKING_REASSIGNED",
    "RECORDING_READY",
    "RECORDING_TRANSCRIPTION_GENERATED",
    "INSTANT_MEETING",
    "INSTANT_MEETING_ACCEPTED",
    "OOO_CREATED",
    "FORM_SUBMITTED",
    "FORM_SUBMITTED_NO_EVENT",
    "ROUTING_FORM_FALLBACK_HIT",
    "AFTER_HOSTS_CAL_VIDEO_NO_SHOW",
    "AFTER_GUESTS_CAL_VIDEO_NO_SHOW",
    "BOOKING_CALENDAR_CONFLICT",
];

pub const VERSIONS: [&str; 1] = ["2021-10-20"];
const MEETING_TRIGGERS: [&str; 2] = ["MEETING_STARTED", "MEETING_ENDED"];

/// What the outbox needs to know about this deployment.
#[derive(Debug, Clone)]
pub struct Outbox {
    /// `bookerUrl` in payloads: the public base URL.
    pub booker_url: String,
    /// Emails are configured: booking changes queue them (see [`crate::notify`]).
    pub email: bool,
    /// Text messages are configured: workflows' SMS steps are scheduled (see [`crate::sms`]).
    pub sms: bool,
    /// The job runner's clock: what reminders are scheduled against.
    pub clock: crate::jobs::Clock,
    /// Signs the links emails carry to a booking (`crate::links`).
    pub signer: crate::auth::TokenSigner,
}

/// A new delivery id: sortable by creation time, which is the order a subscription's
/// deliveries are sent in.
fn delivery_id() -> String {
    format!("msg_{}", uuid::Uuid::now_v7().simple())
}

/// Renders `envelope` for one subscription: its template, or the compact JSON.
fn render(hook: &WebhookRecord, envelope: &Value, templated: bool) -> (String, &'static str) {
    match hook.payload_template.as_deref().filter(|t| !t.is_empty()) {
        Some(t) if templated => template::body(t, &template::context(envelope)),
        _ => (envelope.to_string(), template::JSON),
    }
}

async fn enqueue(
    c: &mut Conn<'_>,
    hooks: &[WebhookRecord],
    trigger: &str,
    booking_id: Option<i64>,
    envelope: &Value,
    due: DateTime<Utc>,
    templated: bool,
) -> Result<(), StorageError> {
    for hook in hooks
        .iter()
        .filter(|h| h.triggers().iter().any(|t| t == trigger))
    {
        let (body, content_type) = render(hook, envelope, templated);
        store::insert_delivery(
            c,
            &NewDelivery {
                id: &delivery_id(),
                webhook_id: &hook.id,
                trigger,
                booking_id,
                body: &body,
                content_type,
                version: &hook.version,
                due,
            },
        )
        .await?;
    }
    Ok(())
}

async fn facts(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    booking: &BookingRecord,
    seat: Option<&str>,
) -> Result<Facts, ServiceError> {
    let mut attendees = bookings_store::attendees_of(c, &[booking.id]).await?;
    if let Some(seat) = seat {
        attendees.retain(|a| a.seat_uid.as_deref() == Some(seat));
    }
    let organizer = users::find(c, booking.user_id).await?;
    // A deleted event type is no longer described; one that cannot be read is an error.
    let event = event_types::find_if_any(c, booking.event_type_id).await?;
    let team = match event.as_ref().and_then(|e| e.record.team_id) {
        Some(team_id) => match teams::find(c, team_id).await? {
            Some(team) => {
                let ids = teams::member_ids(c, team_id).await?;
                Some((team_id, team.name, users::find_many(c, &ids).await?))
            }
            None => None,
        },
        None => None,
    };
    let series_length = match &booking.recurring_event_id {
        Some(id) => Some(series_length(&bookings_store::series(c, id).await?)),
        None => None,
    };
    Ok(Facts {
        booker_url: outbox.booker_url.clone(),
        booking: booking.clone(),
        attendees,
        organizer,
        event,
        team,
        series_length,
    })
}

/// How many occurrences a recurring booking was made with: a moved occurrence counts once.
fn series_length(series: &[BookingRecord]) -> usize {
    series.iter().filter(|b| !b.rescheduled).count()
}

/// Writes the deliveries a booking change causes, in the caller's transaction: the change's
/// own event, and for a booking that now stands, its meeting start and end events (scheduled
/// for then); a booking that no longer stands has its pending meeting events cancelled. A
/// meeting yet to start that moved elsewhere has its meeting events written again, since their
/// bodies say where.
pub async fn booking_changed(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    booking: &BookingRecord,
    change: Change<'_>,
    seat: Option<&str>,
) -> Result<(), ServiceError> {
    let now = Utc::now();
    // The meeting events' bodies say where and with whom: a move or a new host rewrites them.
    let relocated = matches!(
        change,
        Change::LocationUpdated { .. } | Change::Reassigned { .. }
    ) && booking.start_at > now;
    if let Change::Rescheduled { from } = &change {
        store::cancel_pending(c, from.id, &MEETING_TRIGGERS).await?;
    }
    let withdrawn = seat.is_none() && matches!(change, Change::Cancelled { .. } | Change::Rejected);
    if withdrawn || relocated {
        store::cancel_pending(c, booking.id, &MEETING_TRIGGERS).await?;
    }
    let hooks = store::subscribers(c, booking.user_id, booking.event_type_id).await?;
    let trigger = change.trigger();
    let wanted = |t: &str| hooks.iter().any(|h| h.triggers().iter().any(|x| x == t));
    let stands = matches!(change, Change::Created | Change::Rescheduled { .. }) || relocated;
    let mut meetings = stands && MEETING_TRIGGERS.iter().any(|t| wanted(t));
    // A seat joining a booking that already stands adds no meeting events.
    if meetings && seat.is_some() {
        let seats = bookings_store::attendees_of(c, &[booking.id])
            .await?
            .iter()
            .filter(|a| a.seat_uid.is_some())
            .count();
        meetings = seats <= 1;
    }
    if !wanted(trigger) && !meetings {
        return Ok(());
    }
    let facts = facts(c, outbox, booking, seat).await?;
    if wanted(trigger) {
        let envelope = payload::envelope(trigger, now, payload::booking_payload(&facts, &change));
        enqueue(c, &hooks, trigger, Some(booking.id), &envelope, now, true).await?;
    }
    if meetings {
        for (trigger, at) in [
            ("MEETING_STARTED", booking.start_at),
            ("MEETING_ENDED", booking.end_at),
        ] {
            // Cal.com applies no templates to these two.
            let body = payload::meeting_body(trigger, &facts);
            enqueue(c, &hooks, trigger, Some(booking.id), &body, at, false).await?;
        }
    }
    Ok(())
}

/// `BOOKING_NO_SHOW_UPDATED`.
pub async fn no_show_changed(
    c: &mut Conn<'_>,
    booking: &BookingRecord,
    marked: &[(String, bool)],
    host: Option<bool>,
) -> Result<(), ServiceError> {
    let trigger = "BOOKING_NO_SHOW_UPDATED";
    let hooks = store::subscribers(c, booking.user_id, booking.event_type_id).await?;
    if !hooks
        .iter()
        .any(|h| h.triggers().iter().any(|t| t == trigger))
    {
        return Ok(());
    }
    let now = Utc::now();
    let envelope = payload::envelope(
        trigger,
        now,
        payload::no_show_payload(booking, marked, host),
    );
    enqueue(c, &hooks, trigger, Some(booking.id), &envelope, now, true).await?;
    Ok(())
}

/// `BOOKING_CALENDAR_CONFLICT`: the booking's payload as it stands, with `conflict` (the host
/// and the overlapping event's times; never the event's summary or calendar).
pub async fn calendar_conflict(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    booking: &BookingRecord,
    trigger: &str,
    conflict: Value,
) -> Result<(), ServiceError> {
    let hooks = store::subscribers(c, booking.user_id, booking.event_type_id).await?;
    if !hooks
        .iter()
        .any(|h| h.triggers().iter().any(|t| t == trigger))
    {
        return Ok(());
    }
    let facts = facts(c, outbox, booking, None).await?;
    let mut payload = payload::booking_payload(&facts, &Change::Created);
    payload["conflict"] = conflict;
    let now = Utc::now();
    let envelope = payload::envelope(trigger, now, payload);
    enqueue(c, &hooks, trigger, Some(booking.id), &envelope, now, true).await?;
    Ok(())
}

/// `OOO_CREATED` to the owner's subscribers, in the caller's transaction: Cal.com's
/// `oooEntry` (its reason row's id, emoji and message key; the period's own start and end).
pub async fn out_of_office_created(
    c: &mut Conn<'_>,
    period: &crate::out_of_office::OutOfOffice,
    user: &users::User,
    to_user: Option<&users::User>,
) -> Result<(), ServiceError> {
    const TRIGGER: &str = "OOO_CREATED";
    let hooks = store::subscribers(c, user.id, None).await?;
    if !hooks
        .iter()
        .any(|h| h.triggers().iter().any(|t| t == TRIGGER))
    {
        return Ok(());
    }
    let person = |u: &users::User| {
        json!({"id": u.id, "name": u.name, "username": u.username, "email": u.email,
               "timeZone": u.time_zone})
    };
    let reason = (period.reason.as_deref())
        .and_then(crate::out_of_office::Reason::parse)
        .map(crate::out_of_office::Reason::calcom);
    let created = payload::js_iso(period.created_at);
    let entry = json!({
        "id": period.id,
        "start": payload::js_iso(period.start),
        "end": payload::js_iso(period.end),
        "createdAt": created,
        "updatedAt": created,
        "notes": period.notes,
        "reason": reason.map(|(_, emoji, key)| json!({"emoji": emoji, "reason": key})),
        "reasonId": reason.map(|(id, _, _)| id),
        "user": person(user),
        "toUser": to_user.map(person),
    });
    let now = Utc::now();
    let envelope = payload::envelope(TRIGGER, now, json!({"oooEntry": entry}));
    enqueue(c, &hooks, TRIGGER, None, &envelope, now, true).await?;
    Ok(())
}

/// `FORM_SUBMITTED` or `FORM_SUBMITTED_NO_EVENT` to the subscriptions of `users` (a routing
/// form's owner, or a team form's admins and owners), in the caller's transaction: Cal.com's
/// generic envelope, the answers copied to the top level before `triggerEvent`. Returns how
/// many deliveries were queued.
pub async fn form_event(
    c: &mut Conn<'_>,
    trigger: &str,
    users: &[i64],
    answers: &serde_json::Map<String, Value>,
    payload: Value,
    now: DateTime<Utc>,
) -> Result<usize, ServiceError> {
    let hooks = form_subscribers(c, trigger, users).await?;
    let mut body = answers.clone();
    body.insert("triggerEvent".into(), json!(trigger));
    body.insert("createdAt".into(), json!(payload::js_iso(now)));
    body.insert("payload".into(), payload);
    enqueue(c, &hooks, trigger, None, &Value::Object(body), now, true).await?;
    Ok(hooks.len())
}

/// The active subscriptions of `users` to `trigger`.
pub async fn form_subscribers(
    c: &mut Conn<'_>,
    trigger: &str,
    users: &[i64],
) -> Result<Vec<WebhookRecord>, ServiceError> {
    let mut hooks = Vec::new();
    for user in users {
        hooks.extend(store::subscribers(c, *user, None).await?);
    }
    hooks.retain(|h| h.triggers().iter().any(|t| t == trigger));
    Ok(hooks)
}

/// A workflow's webhook step (`crate::workflows`): one delivery of the booking's payload, with
/// `workflow` (which workflow, step and trigger) beside it, to subscription `hook_id`, due now,
/// signed, retried and logged like every delivery. Returns `false` (nothing queued) when the
/// subscription is gone or switched off.
pub async fn workflow_call(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    booking: &BookingRecord,
    hook_id: &str,
    trigger: &str,
    workflow: Value,
) -> Result<bool, ServiceError> {
    let Some(hook) = store::find(c, hook_id).await?.filter(|h| h.active) else {
        return Ok(false);
    };
    let facts = facts(c, outbox, booking, None).await?;
    let mut payload = payload::booking_payload(&facts, &Change::Created);
    payload["workflow"] = workflow;
    let now = Utc::now();
    let body = payload::envelope(trigger, now, payload).to_string();
    store::insert_delivery(
        c,
        &NewDelivery {
            id: &delivery_id(),
            webhook_id: &hook.id,
            trigger,
            booking_id: Some(booking.id),
            body: &body,
            content_type: template::JSON,
            version: &hook.version,
            due: now,
        },
    )
    .await?;
    Ok(true)
}
