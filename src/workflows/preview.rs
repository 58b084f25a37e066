//! A step's message as it would read, for a sample booking: what the workflow editor shows
//! before anything is saved. No IO here.

use chrono::{Duration, TimeZone, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::compose::{self, Facts, Recipient};
use super::model::{self, TriggerInput, WorkflowInput};
use crate::domain::BookingStatus;
use crate::i18n::Clock;
use crate::notify::Queued;
use crate::service::ServiceError;
use crate::storage::bookings::{AttendeeRecord, BookingRecord};

/// `POST /v2/workflows/preview`: a trigger and one step, as a workflow gives them.
#[derive(Debug, Deserialize)]
pub struct PreviewInput {
    pub trigger: TriggerInput,
    pub step: Value,
}

/// `input`'s message to `to`, about a 30-minute meeting tomorrow at 10:00 in `to`'s zone with
/// `to` as organiser and "Alex Example" as attendee, in `to`'s language.
pub fn preview(
    input: PreviewInput,
    to: &Recipient<'_>,
    booker_url: &str,
) -> Result<Queued, ServiceError> {
    let workflow = WorkflowInput {
        name: Some("preview".into()),
        activation: None,
        trigger: Some(input.trigger),
        steps: Some(vec![input.step]),
    };
    let checked = model::check(&workflow)?;
    let (booking, attendee) = sample(to.clock);
    let facts = Facts {
        booking: &booking,
        event_name: &booking.title,
        organizer_name: to.name,
        attendee: Some(&attendee),
        // A preview's links are bare: there is no booking to open.
        links: crate::links::ManageLinks {
            base: booker_url,
            uid: &booking.uid,
            end: booking.end_at,
            signer: None,
            now: booking.start_at,
        },
        unsubscribe_url: None,
    };
    Ok(compose::message(
        &checked.steps[0],
        checked.trigger,
        &facts,
        to,
    ))
}

/// The names of the variables a template may use (besides each booking question's answer by
/// its slug in capitals), as the messages fill them in.
pub fn variable_names(to: &Recipient<'_>) -> Vec<String> {
    let (mut booking, attendee) = sample(to.clock);
    booking.responses = "{}".into();
    let facts = Facts {
        booking: &booking,
        event_name: &booking.title,
        organizer_name: to.name,
        attendee: Some(&attendee),
        links: crate::links::ManageLinks {
            base: "",
            uid: &booking.uid,
            end: booking.end_at,
            signer: None,
            now: booking.start_at,
        },
        unsubscribe_url: None,
    };
    (compose::variables(&facts, to).into_iter())
        .map(|(name, _)| name)
        .collect()
}

fn sample(clock: Clock) -> (BookingRecord, AttendeeRecord) {
    let tz = clock.tz;
    let tomorrow = (Utc::now().with_timezone(&tz) + Duration::days(1)).date_naive();
    let start = tomorrow
        .and_hms_opt(10, 0, 0)
        .and_then(|t| tz.from_local_datetime(&t).earliest())
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
    let booking = BookingRecord {
        id: 0,
        uid: "sample".into(),
        event_type_id: None,
        user_id: 0,
        status: BookingStatus::Accepted,
        start_at: start,
        end_at: start + Duration::minutes(30),
        title: clock.lang.t("reminder-sample-title", &[]),
        description: clock.lang.t("reminder-sample-notes", &[]),
        location: Some("https://meet.example/sample".into()),
        responses: r#"{"company": "Example Ltd"}"#.into(),
        metadata: "{}".into(),
        ical_uid: "sample@kairos".into(),
        ical_sequence: 0,
        rescheduled: false,
        from_reschedule: None,
        rescheduled_by: None,
        reschedule_reason: None,
        cancellation_reason: None,
        cancelled_by: None,
        rejection_reason: None,
        no_show_host: false,
        assignment_reason: None,
        recurring_event_id: None,
        created_at: start,
        updated_at: None,
    };
    let attendee = AttendeeRecord {
        id: 0,
        booking_id: 0,
        email: "alex@example.com".into(),
        name: "Alex Example".into(),
        time_zone: tz.name().to_owned(),
        locale: None,
        phone_number: None,
        no_show: false,
        seat_uid: None,
        responses: None,
    };
    (booking, attendee)
}
