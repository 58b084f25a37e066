//! `GET /v2/openapi.json` against the live API: every documented operation is called, and every
//! response is checked against the document's schema for its status (closed schemas: an
//! undocumented field fails). The test also fails if an operation is never exercised.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::bookings::{at, booking_body, day, host};
use crate::calendars::{Feed, calendar, consent_url, event_at, google_config, microsoft_config};
use crate::calendars_caldav::{Radicale, password};
use crate::event_types::person;
use crate::fake_google::FakeGoogle;
use crate::fake_microsoft::FakeMicrosoft;
use crate::fake_twilio::{AUTH_TOKEN, FakeTwilio};
use crate::helpers::{TestApp, TestDatabase, eventually, spawn_app_with};

/// A small JSON Schema checker for what the document uses: $ref, type, const, enum, anyOf,
/// properties, required, additionalProperties, items.
fn check(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/components/schemas/");
        let target = &doc["components"]["schemas"][name];
        assert!(!target.is_null(), "dangling $ref {reference}");
        return check(doc, target, value, at, errors);
    }
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
        let fits = options.iter().any(|o| {
            let mut e = Vec::new();
            check(doc, o, value, at, &mut e);
            e.is_empty()
        });
        if !fits {
            errors.push(format!("{at}: {value} matches none of anyOf"));
        }
        return;
    }
    if let Some(constant) = schema.get("const")
        && constant != value
    {
        errors.push(format!("{at}: {value} is not {constant}"));
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        errors.push(format!("{at}: {value} is not one of {options:?}"));
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() {
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let ok = types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
        if !ok {
            errors.push(format!("{at}: {actual} where {types:?} is documented"));
            return;
        }
    }
    if let Value::Object(fields) = value {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = name.as_str().unwrap();
            if !fields.contains_key(name) {
                errors.push(format!("{at}.{name}: required but missing"));
            }
        }
        for (name, field) in fields {
            let path = format!("{at}.{name}");
            match (
                properties.and_then(|p| p.get(name)),
                schema.get("additionalProperties"),
            ) {
                (Some(sub), _) => check(doc, sub, field, &path, errors),
                (None, Some(Value::Bool(false))) => {
                    errors.push(format!("{path}: not in the document"))
                }
                (None, Some(extra)) if extra.is_object() => check(doc, extra, field, &path, errors),
                _ => {}
            }
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            check(doc, item_schema, item, &format!("{at}[{i}]"), errors);
        }
    }
}

pub(crate) struct Checker<'a> {
    app: &'a TestApp,
    doc: Value,
    seen: BTreeSet<(String, String)>,
}

impl Checker<'_> {
    /// The documented path template `path` falls under (literal segments win).
    fn template(&self, path: &str) -> String {
        let segments: Vec<&str> = path.split('?').next().unwrap().split('/').collect();
        let mut best: Option<(usize, String)> = None;
        for template in self.doc["paths"].as_object().unwrap().keys() {
            let parts: Vec<&str> = template.split('/').collect();
            if parts.len() != segments.len() {
                continue;
            }
            let mut literal = 0;
            let fits = parts.iter().zip(&segments).all(|(t, s)| {
                if t.starts_with('{') {
                    true
                } else {
                    literal += 1;
                    t == s
                }
            });
            if fits && best.as_ref().is_none_or(|(n, _)| literal > *n) {
                best = Some((literal, template.clone()));
            }
        }
        best.unwrap_or_else(|| panic!("{path} is not in the document"))
            .1
    }

    pub(crate) async fn call(
        &mut self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let response = self.app.call(method.clone(), path, key, body).await;
        self.checked(method, path, response).await
    }

    /// A keyless call with extra headers (push notifications carry their proof in them).
    pub(crate) async fn call_with_headers(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .app
            .client
            .request(method.clone(), format!("{}{path}", self.app.address));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        self.checked(method, path, response).await
    }

    /// Checks an answer against the document and notes the operation as exercised.
    async fn checked(
        &mut self,
        method: Method,
        path: &str,
        response: reqwest::Response,
    ) -> (u16, Value) {
        let status = response.status().as_u16();
        let template = self.template(path);
        let verb = method.as_str().to_lowercase();
        let operation = &self.doc["paths"][&template][&verb];
        assert!(operation.is_object(), "{verb} {template} is not documented");
        let media = (response.headers().get("content-type"))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .unwrap_or_default()
            .to_owned();
        if media != "application/json" {
            // Not JSON (TwiML): the media type must be the documented one.
            let documented = &operation["responses"][status.to_string()]["content"][&media];
            assert!(
                documented.is_object(),
                "{verb} {path} answered {status} {media}, not documented"
            );
            self.seen.insert((verb, template));
            return (status, Value::String(response.text().await.unwrap()));
        }
        let json: Value = response.json().await.unwrap();
        let documented = &operation["responses"][status.to_string()];
        assert!(
            documented.is_object(),
            "{verb} {path} answered {status}, which is not documented: {json}"
        );
        let schema = documented["content"]["application/json"]["schema"].clone();
        let mut errors = Vec::new();
        check(&self.doc, &schema, &json, "$", &mut errors);
        assert!(
            errors.is_empty(),
            "{verb} {path} ({status}) does not match the document:\n{}\n{json}",
            errors.join("\n")
        );
        if status < 300 {
            self.seen.insert((verb, template));
        }
        (status, json)
    }
}

/// The calendar endpoints: an ICS feed on loopback, the fake Google's OAuth round trip, and a
/// real CalDAV server (Radicale).
async fn calendar_operations(
    c: &mut Checker<'_>,
    app: &TestApp,
    key: &str,
    (google, microsoft): (&FakeGoogle, &FakeMicrosoft),
) {
    use Method as M;
    let k = Some(key);
    let date = day(3);
    let feed = Feed::start(calendar(&[event_at("x", date, "1000", "1100")])).await;
    let (_, saved) = c
        .call(
            M::POST,
            "/v2/calendars/ics-feed/save",
            k,
            Some(json!({"urls": [feed.url]})),
        )
        .await;
    let feed_id = saved["data"]["id"].as_i64().unwrap();
    c.call(M::GET, "/v2/calendars/google/connect", k, None)
        .await;
    let back = consent_url(app, key, "google", "").await;
    let save = back.strip_prefix(&app.address).unwrap();
    c.call(M::GET, save, None, None).await;
    c.call(M::GET, "/v2/calendars/google/check", k, None).await;
    let radicale = Radicale::start().await;
    radicale.calendar("ada", "work", "VEVENT").await;
    let caldav = json!({"serverUrl": radicale.url, "username": "ada", "password": password("ada")});
    c.call(M::POST, "/v2/calendars/caldav/credentials", k, Some(caldav))
        .await;
    c.call(M::GET, "/v2/calendars", k, None).await;
    let busy = format!("/v2/calendars/busy-times?dateFrom={date}&dateTo={}", day(4));
    c.call(M::GET, &busy, k, None).await;
    let selected = json!({"integration": "google_calendar", "externalId": "ada@example.com"});
    c.call(M::POST, "/v2/selected-calendars", k, Some(selected.clone()))
        .await;
    let deselect =
        "/v2/selected-calendars?integration=google_calendar&externalId=ada%40example.com";
    c.call(M::DELETE, deselect, k, None).await;
    c.call(
        M::PUT,
        "/v2/destination-calendars",
        k,
        Some(selected.clone()),
    )
    .await;
    // Selected again: its sync opens a push channel.
    c.call(M::POST, "/v2/selected-calendars", k, Some(selected))
        .await;
    // Push notifications for the channel and subscription the first syncs opened.
    let back = consent_url(app, key, "office365", "").await;
    assert_eq!(reqwest::get(&back).await.unwrap().status(), 200);
    eventually(
        "a push channel and subscription",
        Duration::from_secs(10),
        async || !google.channels().is_empty() && !microsoft.subscriptions().is_empty(),
    )
    .await;
    let subscription = microsoft.subscriptions()[0].clone();
    // Kairos stores a channel when the sync's attempt is recorded, just after the provider
    // answered: notifications for it are accepted from then on.
    let google_channel = google.channels().keys().next().unwrap().clone();
    let stored = format!(
        "SELECT 1 FROM calendar_channels WHERE id IN ('{}', '{google_channel}')",
        subscription["id"].as_str().unwrap()
    );
    eventually("the channels stored", Duration::from_secs(10), async || {
        app.db.count_rows(&stored).await.unwrap() == 2
    })
    .await;
    let notice = json!({"value": [{"subscriptionId": subscription["id"], "changeType": "created",
        "clientState": subscription["clientState"], "resource": "me/events/e1"}]});
    c.call(
        M::POST,
        "/v2/calendars/office365/notifications",
        None,
        Some(notice),
    )
    .await;
    let channels = google.channels();
    let (id, channel) = channels.iter().next().expect("a channel was opened");
    let headers = [
        ("X-Goog-Channel-ID", id.as_str()),
        (
            "X-Goog-Resource-ID",
            channel["resourceId"].as_str().unwrap(),
        ),
        ("X-Goog-Resource-State", "exists"),
        ("X-Goog-Channel-Token", channel["token"].as_str().unwrap()),
    ];
    c.call_with_headers(
        M::POST,
        "/v2/calendars/google/notifications",
        &headers,
        None,
    )
    .await;
    // A host's published feed.
    c.call(M::GET, "/v2/me/calendar-feed", k, None).await;
    c.call(M::POST, "/v2/me/calendar-feed", k, None).await;
    c.call(M::DELETE, "/v2/me/calendar-feed", k, None).await;
    // Insights: the last 30 days.
    c.call(M::GET, "/v2/insights/bookings", k, None).await;
    let (status, _) = c.call(M::GET, "/v2/calendars/nowhere/check", k, None).await;
    assert_eq!(status, 404);
    c.call(
        M::POST,
        "/v2/calendars/ics-feed/disconnect",
        k,
        Some(json!({"id": feed_id})),
    )
    .await;
}

/// The workflow endpoints, personal and a team's.
async fn workflows(c: &mut Checker<'_>, k: Option<&str>, event: i64, team: i64) {
    use Method as M;
    let workflow = json!({
        "name": "Day before",
        "activation": {"isActiveOnAllEventTypes": false, "activeOnEventTypeIds": [event]},
        "trigger": {"type": "beforeEvent", "offset": {"value": 24, "unit": "hour"}},
        "steps": [{"action": "email_host", "template": "custom", "message": {"subject": "Hi {ORGANIZER}", "html": "<p>x</p>"}},
                  {"action": "email_address", "sendTo": "ada@example.com"}],
    });
    for base in [
        "/v2/workflows".to_owned(),
        format!("/v2/teams/{team}/workflows"),
    ] {
        let mut body = workflow.clone();
        if base.contains("teams") {
            body["activation"] = json!({"isActiveOnAllEventTypes": true});
        }
        let (_, made) = c.call(M::POST, &base, k, Some(body)).await;
        let path = format!("{base}/{}", made["data"]["id"]);
        c.call(M::GET, &base, k, None).await;
        c.call(M::GET, &path, k, None).await;
        c.call(M::PATCH, &path, k, Some(json!({"name": "Renamed"})))
            .await;
        c.call(M::DELETE, &path, k, None).await;
    }
    let preview = json!({"trigger": {"type": "newEvent"}, "step": {"action": "email_attendee"}});
    c.call(M::POST, "/v2/workflows/preview", k, Some(preview))
        .await;
}

/// The routing form endpoints, personal and a team's, with a submission and its responses.
async fn routing_forms(c: &mut Checker<'_>, k: Option<&str>, event: i64, team: i64) {
    use Method as M;
    let form = |routes: Value| {
        json!({"name": "Intake", "description": "Who are you?",
               "fields": [{"type": "select", "slug": "size", "label": "Size", "required": true, "options": ["S", "L"]}],
               "routes": routes})
    };
    let to_event = json!([
        {"conditions": [{"field": "size", "operator": "equals", "value": "L"}],
         "action": {"type": "eventTypeRedirectUrl", "eventTypeId": event}},
        {"isFallback": true, "action": {"type": "customPageMessage", "message": "Thanks"}},
    ]);
    let message = json!([{"isFallback": true, "action": {"type": "externalRedirectUrl", "url": "https://example.com"}}]);
    for (base, routes) in [
        ("/v2/routing-forms".to_owned(), to_event),
        (format!("/v2/teams/{team}/routing-forms"), message),
    ] {
        let (_, made) = c.call(M::POST, &base, k, Some(form(routes))).await;
        let id = made["data"]["id"].as_i64().unwrap();
        let path = format!("{base}/{id}");
        c.call(M::GET, &base, k, None).await;
        c.call(M::GET, &path, k, None).await;
        c.call(M::PATCH, &path, k, Some(json!({"name": "Renamed"})))
            .await;
        let submit = format!("/v2/routing-forms/{id}/responses");
        for size in ["L", "S"] {
            let (status, _) = c
                .call(M::POST, &submit, None, Some(json!({"size": size})))
                .await;
            assert_eq!(status, 201);
        }
        let (status, _) = c.call(M::POST, &submit, None, Some(json!({}))).await;
        assert_eq!(status, 400);
        let date = crate::bookings::day(4);
        let calculate = format!("/v2/routing-forms/{id}/calculate-slots?start={date}&end={date}");
        for size in ["L", "S"] {
            c.call(M::POST, &calculate, None, Some(json!({"size": size})))
                .await;
        }
        c.call(M::GET, &format!("{path}/responses?take=1"), k, None)
            .await;
        c.call(M::DELETE, &path, k, None).await;
    }
}

#[tokio::test]
async fn every_documented_operation_answers_as_documented() {
    let google = FakeGoogle::start().await;
    google.add_calendar("ada@example.com", "Ada", true, "owner", "UTC");
    let microsoft = FakeMicrosoft::start().await;
    let database = TestDatabase::new().await;
    let ms = microsoft_config(&microsoft, &database);
    let config = kairos::config::Config {
        microsoft_client_id: ms.microsoft_client_id,
        microsoft_client_secret: ms.microsoft_client_secret,
        microsoft_auth_url: ms.microsoft_auth_url,
        microsoft_token_url: ms.microsoft_token_url,
        microsoft_graph_url: ms.microsoft_graph_url,
        ..google_config(&google, &database)
    };
    let twilio = FakeTwilio::start().await;
    let config = crate::sms::with_twilio(config, &twilio);
    let app = spawn_app_with(config, database).await;
    let doc: Value = app.get("/v2/openapi.json").await.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut c = Checker {
        app: &app,
        doc,
        seen: BTreeSet::new(),
    };
    c.call(Method::GET, "/v2/openapi.json", None, None).await;

    let (key, event, _) = host(
        &app,
        "ada@example.com",
        json!({"bookingFields": [{"type": "text", "slug": "company", "label": "Company"}],
               "confirmationPolicy": {"type": "always"}}),
    )
    .await;
    let (bob, bob_key) = person(&app, "bob@example.com", "UTC").await;
    let k = Some(key.as_str());
    use Method as M;

    // Me and schedules.
    c.call(M::GET, "/v2/me", k, None).await;
    c.call(M::PATCH, "/v2/me", k, Some(json!({"bio": "Hello"})))
        .await;
    c.call(M::GET, "/v2/me/notifications", k, None).await;
    let off = json!({"bookingCancelled": false});
    c.call(M::PATCH, "/v2/me/notifications", k, Some(off)).await;
    c.call(M::GET, "/v2/schedules", k, None).await;
    c.call(M::GET, "/v2/schedules/default", k, None).await;
    let (_, s) = c
        .call(
            M::POST,
            "/v2/schedules",
            k,
            Some(json!({"name": "Extra", "timeZone": "Europe/Paris"})),
        )
        .await;
    let sid = s["data"]["id"].as_i64().unwrap();
    c.call(M::GET, &format!("/v2/schedules/{sid}"), k, None)
        .await;
    c.call(
        M::PATCH,
        &format!("/v2/schedules/{sid}"),
        k,
        Some(json!({"name": "Renamed"})),
    )
    .await;
    c.call(M::DELETE, &format!("/v2/schedules/{sid}"), k, None)
        .await;
    // Without the header those were Cal.com's 2024-04-15 shapes; with it, 2024-06-11's.
    let bearer = format!("Bearer {key}");
    let current = [
        ("cal-api-version", "2024-06-11"),
        ("authorization", bearer.as_str()),
    ];
    let (_, list) = (c.call_with_headers(M::GET, "/v2/schedules", &current, None)).await;
    assert!(list["data"][0].get("ownerId").is_some(), "{list}");
    let (_, old) = c.call(M::GET, "/v2/schedules/default", k, None).await;
    assert!(old["data"].get("workingHours").is_some(), "{old}");
    // Errors are documented too.
    let (status, _) = c.call(M::GET, "/v2/schedules/999999", k, None).await;
    assert_eq!(status, 404);

    // Event types.
    c.call(M::GET, "/v2/event-types", k, None).await;
    let (_, e) = c
        .call(
            M::POST,
            "/v2/event-types",
            k,
            Some(json!({"title": "Extra", "slug": "extra", "lengthInMinutes": 20})),
        )
        .await;
    let eid = e["data"]["id"].as_i64().unwrap();
    c.call(M::GET, &format!("/v2/event-types/{eid}"), k, None)
        .await;
    // Without a key, a person's event types in their public shape.
    let owner = e["data"]["users"][0]["username"]
        .as_str()
        .unwrap()
        .to_owned();
    let public = format!("/v2/event-types?username={owner}&eventSlug=extra");
    let (_, listed) = c.call(M::GET, &public, None, None).await;
    assert!(listed["data"][0].get("metadata").is_none(), "{listed}");
    c.call(
        M::GET,
        &format!("/v2/event-types/{owner}/public"),
        None,
        None,
    )
    .await;
    let widget = format!("/v2/event-types/{owner}/extra/public");
    c.call(M::GET, &widget, None, None).await;
    c.call(
        M::PATCH,
        &format!("/v2/event-types/{eid}"),
        k,
        Some(json!({"hidden": true})),
    )
    .await;
    crate::compat::documented_operations(&mut c, k, eid).await;
    c.call(M::DELETE, &format!("/v2/event-types/{eid}"), k, None)
        .await;
    let (status, _) = c
        .call(M::POST, "/v2/event-types", k, Some(json!({"slug": "x"})))
        .await;
    assert_eq!(status, 400);

    // Teams, memberships, team event types.
    let (_, t) = c
        .call(M::POST, "/v2/teams", k, Some(json!({"name": "Docs Team"})))
        .await;
    let tid = t["data"]["id"].as_i64().unwrap();
    c.call(M::GET, "/v2/teams", k, None).await;
    c.call(M::GET, &format!("/v2/teams/{tid}"), k, None).await;
    c.call(
        M::PATCH,
        &format!("/v2/teams/{tid}"),
        k,
        Some(json!({"bio": "We write"})),
    )
    .await;
    let (_, m) = c
        .call(
            M::POST,
            &format!("/v2/teams/{tid}/memberships"),
            k,
            Some(json!({"userId": bob})),
        )
        .await;
    let mid = m["data"]["id"].as_i64().unwrap();
    c.call(M::GET, &format!("/v2/teams/{tid}/memberships"), k, None)
        .await;
    c.call(
        M::GET,
        &format!("/v2/teams/{tid}/memberships/{mid}"),
        k,
        None,
    )
    .await;
    c.call(
        M::PATCH,
        &format!("/v2/teams/{tid}/memberships/{mid}"),
        k,
        Some(json!({"role": "ADMIN"})),
    )
    .await;
    let (_, te) = c
        .call(
            M::POST,
            &format!("/v2/teams/{tid}/event-types"),
            k,
            Some(json!({"title": "Pair", "slug": "pair", "lengthInMinutes": 30, "schedulingType": "ROUND_ROBIN", "assignAllTeamMembers": true})),
        )
        .await;
    let teid = te["data"]["id"].as_i64().unwrap();
    c.call(M::GET, &format!("/v2/teams/{tid}/event-types"), k, None)
        .await;
    c.call(
        M::GET,
        &format!("/v2/teams/{tid}/event-types/{teid}"),
        k,
        None,
    )
    .await;
    c.call(
        M::PATCH,
        &format!("/v2/teams/{tid}/event-types/{teid}"),
        k,
        Some(json!({"lengthInMinutes": 45})),
    )
    .await;
    c.call(
        M::DELETE,
        &format!("/v2/teams/{tid}/event-types/{teid}"),
        k,
        None,
    )
    .await;
    c.call(
        M::DELETE,
        &format!("/v2/teams/{tid}/memberships/{mid}"),
        k,
        None,
    )
    .await;
    workflows(&mut c, k, event, tid).await;
    routing_forms(&mut c, k, event, tid).await;
    c.call(M::DELETE, &format!("/v2/teams/{tid}"), k, None)
        .await;

    // Slots and reservations.
    let date = day(5);
    c.call(M::GET, &format!("/v2/slots?eventTypeId={event}&start={date}&end={date}&timeZone=Europe/Berlin&format=range"), None, None)
        .await;
    c.call(
        M::GET,
        &format!("/v2/slots/available?eventTypeId={event}&startTime={date}&endTime={date}"),
        None,
        None,
    )
    .await;
    let (_, hold) = c
        .call(
            M::POST,
            "/v2/slots/reservations",
            None,
            Some(json!({"eventTypeId": event, "slotStart": at(date, "16:00")})),
        )
        .await;
    let hid = hold["data"]["reservationUid"].as_str().unwrap().to_owned();
    c.call(M::GET, &format!("/v2/slots/reservations/{hid}"), None, None)
        .await;
    c.call(M::PATCH, &format!("/v2/slots/reservations/{hid}"), k, Some(json!({"eventTypeId": event, "slotStart": at(date, "16:30"), "reservationDuration": 10})))
        .await;
    c.call(
        M::DELETE,
        &format!("/v2/slots/reservations/{hid}"),
        None,
        None,
    )
    .await;

    // Webhooks, their delivery log and redelivery. The receiver is this server's own
    // /health, which refuses a POST: a final failure, so the delivery can be redelivered.
    let receiver = format!("{}/health", app.address);
    let (_, w) = c
        .call(
            M::POST,
            "/v2/webhooks",
            k,
            Some(json!({"subscriberUrl": receiver, "triggers": ["BOOKING_CREATED"], "secret": "s3cr3t"})),
        )
        .await;
    let wid = w["data"]["id"].as_str().unwrap().to_owned();
    c.call(M::GET, "/v2/webhooks?take=10", k, None).await;
    c.call(M::GET, &format!("/v2/webhooks/{wid}"), k, None)
        .await;
    c.call(
        M::PATCH,
        &format!("/v2/webhooks/{wid}"),
        k,
        Some(json!({"triggers": ["BOOKING_CREATED", "BOOKING_CANCELLED"]})),
    )
    .await;
    let (_, ping) = c
        .call(M::POST, &format!("/v2/webhooks/{wid}/ping"), k, None)
        .await;
    let did = ping["data"]["id"].as_str().unwrap().to_owned();
    let path = format!("/v2/webhooks/{wid}/deliveries/{did}");
    eventually(
        "the ping to a refusing receiver to fail for good",
        Duration::from_secs(5),
        async || c.call(M::GET, &path, k, None).await.1["data"]["status"] == "failed",
    )
    .await;
    c.call(
        M::GET,
        &format!("/v2/webhooks/{wid}/deliveries?status=failed&triggerEvent=PING"),
        k,
        None,
    )
    .await;
    c.call(
        M::POST,
        &format!("/v2/webhooks/{wid}/deliveries/{did}/redeliver"),
        k,
        None,
    )
    .await;
    let (_, ew) = c
        .call(
            M::POST,
            &format!("/v2/event-types/{event}/webhooks"),
            k,
            Some(json!({"subscriberUrl": receiver, "triggers": ["BOOKING_REQUESTED"]})),
        )
        .await;
    let ewid = ew["data"]["id"].as_str().unwrap().to_owned();
    c.call(
        M::GET,
        &format!("/v2/event-types/{event}/webhooks"),
        k,
        None,
    )
    .await;
    c.call(
        M::GET,
        &format!("/v2/event-types/{event}/webhooks/{ewid}"),
        k,
        None,
    )
    .await;
    c.call(
        M::PATCH,
        &format!("/v2/event-types/{event}/webhooks/{ewid}"),
        k,
        Some(json!({"active": false})),
    )
    .await;
    c.call(
        M::DELETE,
        &format!("/v2/event-types/{event}/webhooks/{ewid}"),
        k,
        None,
    )
    .await;
    c.call(M::DELETE, &format!("/v2/webhooks/{wid}"), k, None)
        .await;

    // Bookings through their whole lifecycle.
    let mut body = booking_body(event, &at(date, "10:00"), "grace@booker.example");
    body["bookingFieldsResponses"] = json!({"company": "Booker Ltd"});
    let (_, b) = c.call(M::POST, "/v2/bookings", None, Some(body)).await;
    let uid = b["data"]["uid"].as_str().unwrap().to_owned();
    c.call(M::GET, "/v2/bookings?status=upcoming&take=10", k, None)
        .await;
    c.call(M::GET, &format!("/v2/bookings/{uid}"), k, None)
        .await;
    crate::compat::legacy_booking_reads(&mut c, &key, &uid).await;
    let (_, confirmed) = c
        .call(M::POST, &format!("/v2/bookings/{uid}/confirm"), k, None)
        .await;
    assert_eq!(confirmed["data"]["status"], "accepted");
    c.call(
        M::POST,
        &format!("/v2/bookings/{uid}/mark-absent"),
        k,
        Some(json!({"host": false})),
    )
    .await;
    let (_, moved) = c
        .call(
            M::POST,
            &format!("/v2/bookings/{uid}/reschedule"),
            None,
            Some(json!({"start": at(date, "11:00")})),
        )
        .await;
    let new_uid = moved["data"]["uid"].as_str().unwrap().to_owned();
    c.call(M::GET, &format!("/v2/bookings/{uid}"), k, None)
        .await;
    c.call(M::GET, &format!("/v2/bookings/{new_uid}/history"), k, None)
        .await;
    c.call(
        M::POST,
        &format!("/v2/bookings/{new_uid}/cancel"),
        None,
        Some(json!({"cancellationReason": "Done"})),
    )
    .await;
    let (status, _) = c
        .call(
            M::POST,
            &format!("/v2/bookings/{new_uid}/cancel"),
            None,
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 400);
    let (_, declinable) = c
        .call(
            M::POST,
            "/v2/bookings",
            None,
            Some(booking_body(event, &at(date, "13:00"), "d@booker.example")),
        )
        .await;
    let declinable_uid = declinable["data"]["uid"].as_str().unwrap().to_owned();
    let (_, declined) = c
        .call(
            M::POST,
            &format!("/v2/bookings/{declinable_uid}/decline"),
            k,
            Some(json!({"reason": "No"})),
        )
        .await;
    assert_eq!(declined["data"]["status"], "rejected");

    // A host's actions on a booking that stands.
    let placed = booking_body(event, &at(date, "14:00"), "p@booker.example");
    let (_, placed) = c.call(M::POST, "/v2/bookings", None, Some(placed)).await;
    let puid = placed["data"]["uid"].as_str().unwrap().to_owned();
    let room = json!({"location": {"type": "address", "address": "Room 2"}});
    c.call(
        M::PATCH,
        &format!("/v2/bookings/{puid}/location"),
        k,
        Some(room),
    )
    .await;
    c.call(
        M::GET,
        &format!("/v2/bookings/{puid}/calendar-links"),
        k,
        None,
    )
    .await;
    // Reassigning: a round-robin booking goes to the other host, then back to the first.
    let crew = crate::host_groups::crew(&app, "openapi").await;
    let rr = json!({"title": "Intro", "slug": "intro", "lengthInMinutes": 30,
        "minimumBookingNotice": 0, "schedulingType": "ROUND_ROBIN",
        "hosts": [{"userId": crew.ada.0}, {"userId": crew.bob.0}]});
    let teams_path = format!("/v2/teams/{}/event-types", crew.team);
    let (_, rr) = c
        .call(M::POST, &teams_path, Some(&crew.ada.2), Some(rr))
        .await;
    let rr_event = rr["data"]["id"].as_i64().unwrap();
    let rr_body = booking_body(rr_event, &at(date, "15:00"), "r@booker.example");
    let (_, rr_booking) = c.call(M::POST, "/v2/bookings", None, Some(rr_body)).await;
    let ruid = rr_booking["data"]["uid"].as_str().unwrap().to_owned();
    let first = rr_booking["data"]["hosts"][0]["id"].as_i64().unwrap();
    let reassign = format!("/v2/bookings/{ruid}/reassign");
    let (_, moved) = c.call(M::POST, &reassign, Some(&crew.ada.2), None).await;
    assert_ne!(moved["data"]["reassignedTo"]["id"], first, "{moved}");
    let back = format!("{reassign}/{first}");
    let reason = Some(json!({"reason": "Back"}));
    let (status, _) = c.call(M::POST, &back, Some(&crew.ada.2), reason).await;
    assert_eq!(status, 200);
    let ill = json!({"rescheduleReason": "Ill"});
    let (_, asked) = c
        .call(
            M::POST,
            &format!("/v2/bookings/{puid}/request-reschedule"),
            k,
            Some(ill),
        )
        .await;
    assert_eq!(asked["data"]["status"], "cancelled");

    // Out of office.
    let away = json!({"start": format!("{}T00:00:00.000Z", day(40)), "end": format!("{}T23:59:59.999Z", day(41)),
        "notes": "Away", "reason": "travel"});
    let (_, ooo) = c.call(M::POST, "/v2/me/ooo", k, Some(away)).await;
    let oid = ooo["data"]["id"].as_i64().unwrap();
    c.call(M::GET, "/v2/me/ooo?sortStart=desc&take=10", k, None)
        .await;
    c.call(
        M::PATCH,
        &format!("/v2/me/ooo/{oid}"),
        k,
        Some(json!({"notes": "Back soon"})),
    )
    .await;
    c.call(M::DELETE, &format!("/v2/me/ooo/{oid}"), k, None)
        .await;
    let (status, _) = c
        .call(M::GET, &format!("/v2/bookings/{uid}"), Some(&bob_key), None)
        .await;
    assert_eq!(status, 404);

    // The headless query.
    let query = json!({"start": date.to_string(), "end": date.to_string(), "eventType": {"lengthInMinutes": 30},
        "hosts": [{"id": 1, "schedule": {"timeZone": "UTC", "availability": [{"days": ["Monday","Tuesday","Wednesday","Thursday","Friday","Saturday","Sunday"], "startTime": "09:00", "endTime": "10:00"}]}}]});
    c.call(M::POST, "/v2/availability/query", k, Some(query))
        .await;

    calendar_operations(&mut c, &app, &key, (&google, &microsoft)).await;
    // An SMS recipient's STOP, as Twilio posts it.
    let fields = crate::sms::from_attendee("STOP");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let answer = crate::sms::inbound(&app, &fields, AUTH_TOKEN).await;
    let (status, _) = c
        .checked(Method::POST, "/v2/sms/twilio/inbound", answer)
        .await;
    assert_eq!(status, 200);

    let documented: BTreeSet<(String, String)> = c.doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(|verb| (verb.clone(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    let missed: Vec<_> = documented.difference(&c.seen).collect();
    assert!(missed.is_empty(), "never exercised: {missed:?}");
}
