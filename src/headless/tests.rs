//! The headless query end to end at the document level: the exact bytes of the answer, and
//! rules decided while reading the document.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{AnswerOptions, answer};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2030-03-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn text(document: &Value) -> String {
    let bytes = answer(
        document.to_string().as_bytes(),
        &AnswerOptions::default(),
        now(),
    )
    .expect("the document answers");
    String::from_utf8(bytes).expect("the answer is UTF-8")
}

fn monday(hours: (&str, &str)) -> Value {
    json!({"timeZone": "UTC", "availability": [{"days": ["Monday"], "startTime": hours.0, "endTime": hours.1}]})
}

/// The exact text of a round-robin answer with ends and an explanation: field order, the
/// booker's offset, escaped strings.
#[test]
fn a_round_robin_answer_with_ranges_and_an_explanation_byte_for_byte() {
    let document = json!({
        "start": "2030-03-04T00:00:00Z", "end": "2030-03-04T23:59:59Z",
        "timeZone": "Asia/Kolkata", "format": "range", "explain": "2030-03-04T10:00:00Z",
        "eventType": {"id": 7, "lengthInMinutes": 60, "schedulingType": "ROUND_ROBIN"},
        "hosts": [
            {"id": 11, "schedule": monday(("09:00", "12:00")),
             "bookings": [{"uid": "b-\"1\"", "start": "2030-03-04T10:00:00Z", "end": "2030-03-04T11:00:00Z", "eventTypeId": 8}]},
            {"id": 12, "schedule": monday(("10:00", "12:00")),
             "busy": [{"start": "2030-03-04T10:00:00Z", "end": "2030-03-04T10:30:00Z"}]}
        ]
    });
    assert_eq!(
        text(&document),
        concat!(
            r#"{"status":"success","data":{"2030-03-04":[{"start":"2030-03-04T16:00:00.000+05:30","#,
            r#""end":"2030-03-04T17:00:00.000+05:30","hosts":[12]}]},"explanation":{"#,
            r#""instant":"2030-03-04T10:00:00Z","isSlot":false,"reasons":[{"reason":"busy","hostId":11,"#,
            r#""source":"booking","uid":"b-\"1\"","buffer":false},{"reason":"busy","hostId":12,"#,
            r#""source":"externalCalendar","buffer":false}]}}"#
        )
    );
}

#[test]
fn a_seated_answer_byte_for_byte() {
    let document = json!({
        "start": "2030-03-04T00:00:00Z", "end": "2030-03-04T23:59:59Z",
        "timeZone": "America/New_York",
        "eventType": {"id": 7, "lengthInMinutes": 60, "seats": {"seatsPerTimeSlot": 3}},
        "hosts": [{"id": 11, "schedule": monday(("14:00", "17:00")),
                   "bookings": [{"uid": "seated", "start": "2030-03-04T15:00:00Z", "end": "2030-03-04T16:00:00Z", "eventTypeId": 7, "attendees": 2}]}]
    });
    assert_eq!(
        text(&document),
        concat!(
            r#"{"status":"success","data":{"2030-03-04":[{"start":"2030-03-04T09:00:00.000-05:00","#,
            r#""attendeesCount":0},{"start":"2030-03-04T10:00:00.000-05:00","attendeesCount":2,"#,
            r#""bookingUid":"seated"},{"start":"2030-03-04T11:00:00.000-05:00","attendeesCount":0}]}}"#
        )
    );
}

/// A PENDING booking blocks only when it is of the queried event type (`eventTypeId`) and the
/// type's confirmation policy says `blockUnconfirmedBookingsInBooker`, as in Cal.com.
#[test]
fn pending_bookings_block_only_their_own_event_type_when_its_policy_says_so() {
    let document = |block: bool| {
        json!({
            "start": "2030-03-04T00:00:00Z", "end": "2030-03-04T23:59:59Z",
            "eventType": {"id": 7, "lengthInMinutes": 60,
                          "confirmationPolicy": {"type": "always", "blockUnconfirmedBookingsInBooker": block}},
            "hosts": [{"id": 11, "schedule": monday(("09:00", "12:00")), "bookings": [
                {"uid": "own", "start": "2030-03-04T09:00:00Z", "end": "2030-03-04T10:00:00Z", "eventTypeId": 7, "status": "PENDING"},
                {"uid": "other", "start": "2030-03-04T10:00:00Z", "end": "2030-03-04T11:00:00Z", "eventTypeId": 8, "status": "PENDING"},
                {"uid": "untyped", "start": "2030-03-04T11:00:00Z", "end": "2030-03-04T12:00:00Z", "status": "PENDING"}
            ]}]
        })
    };
    let starts = |document: &Value| -> Vec<String> {
        let answer: Value = serde_json::from_str(&text(document)).unwrap();
        answer["data"]["2030-03-04"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["start"].as_str().unwrap()[11..16].to_owned())
            .collect()
    };
    assert_eq!(starts(&document(true)), ["10:00", "11:00"]);
    assert_eq!(starts(&document(false)), ["09:00", "10:00", "11:00"]);
}
