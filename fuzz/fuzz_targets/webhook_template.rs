//! A subscription's `payloadTemplate` rendered against a booking payload: any template renders
//! without panicking, and text without tags comes out as written (but for Cal.com's `&quot;`).
#![no_main]

use kairos::webhooks::template::{body, context, render};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|template: &str| {
    let envelope = json!({
        "triggerEvent": "BOOKING_CREATED",
        "createdAt": "2030-03-12T15:00:00.000Z",
        "payload": {
            "title": "Intro <b>\"quoted\"</b> & more",
            "startTime": "2030-03-12T15:00:00Z",
            "organizer": {"name": "Ada", "email": "ada@example.com", "language": {"locale": "en"}},
            "attendees": [{"name": "Grace", "email": "grace@example.com"}, {"name": "Linus"}],
            "responses": {"notes": {"label": "Notes", "value": "line\nbreak"}},
            "price": 0, "paid": false, "metadata": null
        }
    });
    let context = context(&envelope);
    let rendered = render(template, &context);
    if !template.contains("{{") {
        assert_eq!(rendered, template.replace("&quot;", "\""));
    }
    let (text, kind) = body(template, &context);
    assert!(!kind.is_empty());
    drop(text);
});
