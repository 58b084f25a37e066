//! `GET /v2/openapi.json`: OpenAPI 3.1, built from the endpoint table in `api/mod.rs` and the
//! response schemas below. Schemas are closed (`additionalProperties: false`) so that the tests,
//! which check live responses against them, catch any field the document does not describe.

use actix_web::{HttpResponse, web};
use serde_json::{Map, Value, json};

use super::{Auth, endpoints};
use crate::http::AppState;

pub async fn serve(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(document(&state.base_url))
}

fn string() -> Value {
    json!({"type": "string"})
}
fn integer() -> Value {
    json!({"type": "integer"})
}
fn boolean() -> Value {
    json!({"type": "boolean"})
}
fn any() -> Value {
    json!({})
}
fn object_any() -> Value {
    json!({"type": "object"})
}
fn list(items: Value) -> Value {
    json!({"type": "array", "items": items})
}
fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}
fn nullable(schema: Value) -> Value {
    match schema.get("type").and_then(Value::as_str) {
        Some(t) if schema.as_object().is_some_and(|o| o.len() == 1) => {
            json!({"type": [t, "null"]})
        }
        _ => json!({"anyOf": [schema, {"type": "null"}]}),
    }
}

/// A closed object: `required` fields always present, `optional` ones sometimes.
fn object(required: &[(&str, Value)], optional: &[(&str, Value)]) -> Value {
    let mut properties = Map::new();
    for (name, schema) in required.iter().chain(optional) {
        properties.insert((*name).to_owned(), schema.clone());
    }
    json!({
        "type": "object",
        "properties": properties,
        "required": required.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        "additionalProperties": false,
    })
}

/// A request body: documented fields, others ignored.
fn input(fields: &[(&str, Value)], required: &[&str]) -> Value {
    let mut properties = Map::new();
    for (name, schema) in fields {
        properties.insert((*name).to_owned(), schema.clone());
    }
    json!({"type": "object", "properties": properties, "required": required})
}

/// Cal.com's 2024-04-15 event-type shapes (`http::api::event_types_legacy`): the fields
/// clients read are listed; the rest are open.
fn legacy_event_types(add: &mut dyn FnMut(&str, Value)) {
    let open = |required: &[(&str, Value)]| {
        let mut schema = object(required, &[]);
        schema["additionalProperties"] = json!(true);
        schema
    };
    let event = open(&[
        ("id", integer()),
        ("length", integer()),
        ("slug", string()),
        ("title", string()),
        ("hidden", boolean()),
        ("locations", list(object_any())),
        ("periodType", string()),
        ("requiresConfirmation", boolean()),
        ("bookingLimits", object_any()),
    ]);
    add("LegacyEventType", event);
    add(
        "LegacyEventTypeOne",
        object(&[("eventType", r("LegacyEventType"))], &[]),
    );
    let profile = open(&[("slug", string()), ("name", string())]);
    let group = open(&[
        ("teamId", nullable(integer())),
        ("bookerUrl", string()),
        ("profile", profile),
        ("metadata", object_any()),
        ("eventTypes", list(r("LegacyEventType"))),
    ]);
    add(
        "LegacyEventTypeGroups",
        open(&[
            ("eventTypeGroups", list(group)),
            ("profiles", list(object_any())),
        ]),
    );
    add(
        "LegacyPublicEventType",
        open(&[
            ("id", integer()),
            ("title", string()),
            ("slug", string()),
            ("length", integer()),
        ]),
    );
    add(
        "LegacyPublicEventTypeDetail",
        open(&[
            ("id", integer()),
            ("title", string()),
            ("slug", string()),
            ("length", integer()),
            ("locations", list(object_any())),
            ("bookingFields", list(object_any())),
            ("users", list(object_any())),
        ]),
    );
}

/// Cal.com's 2024-04-15 schedule (`ScheduleOutput`, `http::api::schedules_legacy`).
fn legacy_schedules(add: &mut dyn FnMut(&str, Value)) {
    let range = || object(&[("start", string()), ("end", string())], &[]);
    let working = object(
        &[
            ("days", list(integer())),
            ("startTime", integer()),
            ("endTime", integer()),
            ("userId", nullable(integer())),
        ],
        &[],
    );
    let row = object(
        &[
            ("id", integer()),
            ("userId", nullable(integer())),
            ("eventTypeId", nullable(integer())),
            ("days", list(integer())),
            ("startTime", string()),
            ("endTime", string()),
            ("date", nullable(string())),
            ("scheduleId", nullable(integer())),
        ],
        &[],
    );
    add(
        "LegacySchedule",
        object(
            &[
                ("id", integer()),
                ("name", string()),
                ("isManaged", boolean()),
                ("workingHours", list(working)),
                ("schedule", list(row)),
                ("availability", list(list(range()))),
                ("timeZone", string()),
                (
                    "dateOverrides",
                    list(object(&[("ranges", list(range()))], &[])),
                ),
                ("isDefault", boolean()),
                ("isLastSchedule", boolean()),
                ("readOnly", boolean()),
            ],
            &[],
        ),
    );
    add("LegacySchedules", list(r("LegacySchedule")));
}

fn schemas() -> Map<String, Value> {
    let mut s = Map::new();
    let mut add = |name: &str, schema: Value| {
        s.insert(name.to_owned(), schema);
    };
    let hours = object(
        &[
            ("days", list(string())),
            ("startTime", string()),
            ("endTime", string()),
        ],
        &[],
    );
    let date_hours = object(
        &[
            ("date", string()),
            ("startTime", string()),
            ("endTime", string()),
        ],
        &[],
    );
    add(
        "Me",
        object(
            &[
                ("id", integer()),
                ("username", string()),
                ("email", string()),
                ("name", string()),
                ("avatarUrl", nullable(string())),
                ("bio", string()),
                ("timeFormat", integer()),
                ("defaultScheduleId", nullable(integer())),
                ("weekStart", string()),
                ("timeZone", string()),
                ("locale", string()),
                ("brandColor", string()),
                ("darkBrandColor", string()),
                ("organizationId", nullable(integer())),
            ],
            &[],
        ),
    );
    add(
        "MeChanges",
        input(
            &[
                ("name", string()),
                ("email", string()),
                ("username", string()),
                ("timeZone", string()),
                ("weekStart", string()),
                ("timeFormat", integer()),
                ("locale", string()),
                ("bio", string()),
                ("brandColor", string()),
                ("darkBrandColor", string()),
            ],
            &[],
        ),
    );
    add(
        "Schedule",
        object(
            &[
                ("id", integer()),
                ("ownerId", integer()),
                ("name", string()),
                ("timeZone", string()),
                ("availability", list(hours.clone())),
                ("isDefault", boolean()),
                ("overrides", list(date_hours.clone())),
            ],
            &[],
        ),
    );
    // 2024-04-15's inputs: numbered days (0 Sunday), ISO 8601 times.
    let legacy_hours = input(
        &[
            ("days", list(integer())),
            ("startTime", string()),
            ("endTime", string()),
        ],
        &["days", "startTime", "endTime"],
    );
    let range = input(&[("start", string()), ("end", string())], &["start", "end"]);
    add(
        "ScheduleInput",
        input(
            &[
                ("name", string()),
                ("timeZone", string()),
                ("isDefault", boolean()),
                ("availability", list(hours)),
                ("overrides", list(date_hours)),
                ("availabilities", list(legacy_hours)),
                ("schedule", list(list(range.clone()))),
                ("dateOverrides", list(range)),
            ],
            &[],
        ),
    );
    legacy_schedules(&mut add);
    let event_fields: Vec<(&str, Value)> = vec![
        ("title", string()),
        ("slug", string()),
        ("description", string()),
        ("lengthInMinutes", integer()),
        ("lengthInMinutesOptions", nullable(list(integer()))),
        ("slotInterval", nullable(integer())),
        ("offsetStart", integer()),
        ("minimumBookingNotice", integer()),
        ("beforeEventBuffer", integer()),
        ("afterEventBuffer", integer()),
        ("bookingWindow", nullable(object_any())),
        ("bookingLimitsCount", nullable(object_any())),
        ("bookingLimitsDuration", nullable(object_any())),
        ("seats", nullable(object_any())),
        ("confirmationPolicy", nullable(object_any())),
        ("bookingFields", list(object_any())),
        ("locations", list(object_any())),
        ("scheduleId", nullable(integer())),
        ("restrictionScheduleId", nullable(integer())),
        ("hidden", boolean()),
        ("onlyShowFirstAvailableSlot", boolean()),
        ("disableGuests", boolean()),
        ("successRedirectUrl", nullable(string())),
        ("forwardParamsSuccessRedirect", boolean()),
        ("lockTimeZoneToggleOnBookingPage", boolean()),
        ("defaultReminders", boolean()),
        ("disableCancelling", any()),
        ("disableRescheduling", any()),
        ("customName", nullable(string())),
        ("color", nullable(object_any())),
        ("recurrence", nullable(object_any())),
        ("metadata", object_any()),
    ];
    let mut required = vec![
        ("id", integer()),
        ("ownerId", nullable(integer())),
        ("seatsPerTimeSlot", nullable(integer())),
        ("price", integer()),
        ("currency", string()),
        ("isInstantEvent", boolean()),
        ("bookingRequiresAuthentication", boolean()),
        ("users", list(object_any())),
        ("bookingUrl", string()),
    ];
    required.extend(event_fields.iter().cloned());
    let host = object(
        &[
            ("userId", integer()),
            ("name", string()),
            ("username", string()),
            ("mandatory", boolean()),
            ("priority", string()),
            ("weight", integer()),
            ("groupId", nullable(string())),
        ],
        &[],
    );
    let host_group = object(&[("id", string()), ("name", string())], &[]);
    add(
        "EventType",
        object(
            &required,
            &[
                ("teamId", integer()),
                ("schedulingType", string()),
                ("hosts", list(host)),
                ("hostGroups", list(host_group)),
            ],
        ),
    );
    let mut event_input = event_fields;
    event_input.extend([
        (
            "schedulingType",
            json!({"enum": ["COLLECTIVE", "ROUND_ROBIN", "collective", "roundRobin"]}),
        ),
        (
            "hosts",
            list(input(
                &[
                    ("userId", integer()),
                    ("mandatory", boolean()),
                    (
                        "priority",
                        json!({"enum": ["lowest", "low", "medium", "high", "highest"]}),
                    ),
                    ("weight", integer()),
                    ("groupId", nullable(string())),
                ],
                &["userId"],
            )),
        ),
        ("assignAllTeamMembers", boolean()),
        (
            "hostGroups",
            list(input(&[("id", string()), ("name", string())], &["name"])),
        ),
        // Cal.com's legacy form of `recurrence` (freq 0 yearly, 1 monthly, 2 weekly).
        (
            "recurringEvent",
            nullable(input(
                &[
                    ("freq", json!({"enum": [0, 1, 2]})),
                    ("count", integer()),
                    ("interval", integer()),
                ],
                &["freq", "count"],
            )),
        ),
    ]);
    add(
        "PublicEventType",
        object(
            &[
                ("id", integer()),
                ("ownerId", nullable(integer())),
                ("title", string()),
                ("slug", string()),
                ("description", string()),
                ("lengthInMinutes", integer()),
                ("lengthInMinutesOptions", nullable(list(integer()))),
                ("bookingFields", list(object_any())),
                ("seats", nullable(object_any())),
                ("seatsPerTimeSlot", nullable(integer())),
                ("disableGuests", boolean()),
                ("lockTimeZoneToggleOnBookingPage", boolean()),
                ("recurrence", nullable(object_any())),
                ("price", integer()),
                ("currency", string()),
                ("bookingUrl", string()),
                ("locations", list(object_any())),
                ("users", list(object_any())),
            ],
            &[("teamId", integer())],
        ),
    );
    legacy_event_types(&mut |n: &str, v: Value| add(n, v));
    add(
        "ListedEventType",
        json!({"anyOf": [r("EventType"), r("PublicEventType")]}),
    );
    add(
        "EventTypeInput",
        input(&event_input, &["title", "slug", "lengthInMinutes"]),
    );
    add(
        "DeletedEventType",
        object(
            &[
                ("id", integer()),
                ("lengthInMinutes", integer()),
                ("title", string()),
                ("slug", string()),
            ],
            &[("teamId", integer())],
        ),
    );
    add(
        "Team",
        object(
            &[
                ("id", integer()),
                ("name", string()),
                ("slug", string()),
                ("bio", string()),
                ("logoUrl", nullable(string())),
                ("calVideoLogo", nullable(string())),
                ("appLogo", nullable(string())),
                ("appIconLogo", nullable(string())),
                ("bannerUrl", nullable(string())),
                ("hideBranding", boolean()),
                ("isOrganization", boolean()),
                ("isPrivate", boolean()),
                ("hideBookATeamMember", boolean()),
                ("metadata", object_any()),
                ("theme", nullable(string())),
                ("brandColor", string()),
                ("darkBrandColor", nullable(string())),
                ("timeFormat", nullable(integer())),
                ("timeZone", string()),
                ("weekStart", string()),
                ("parentId", nullable(integer())),
                ("rrResetInterval", json!({"enum": ["MONTH", "DAY"]})),
                (
                    "rrTimestampBasis",
                    json!({"enum": ["CREATED_AT", "START_TIME"]}),
                ),
            ],
            &[],
        ),
    );
    add(
        "TeamInput",
        input(
            &[
                ("name", string()),
                ("slug", string()),
                ("bio", string()),
                ("timeZone", string()),
                ("brandColor", string()),
                ("rrResetInterval", string()),
                ("rrTimestampBasis", string()),
                ("metadata", object_any()),
            ],
            &[],
        ),
    );
    add(
        "Membership",
        object(
            &[
                ("id", integer()),
                ("userId", integer()),
                ("teamId", integer()),
                ("accepted", boolean()),
                ("role", json!({"enum": ["MEMBER", "ADMIN", "OWNER"]})),
                ("disableImpersonation", boolean()),
                (
                    "user",
                    object(
                        &[
                            ("name", nullable(string())),
                            ("email", nullable(string())),
                            ("username", nullable(string())),
                            ("avatarUrl", nullable(string())),
                        ],
                        &[],
                    ),
                ),
            ],
            &[],
        ),
    );
    add(
        "Webhook",
        object(
            &[
                ("id", string()),
                ("subscriberUrl", string()),
                ("active", boolean()),
                ("triggers", list(string())),
                ("payloadTemplate", nullable(string())),
                ("version", string()),
                ("hasSecret", boolean()),
                ("disabledReason", nullable(string())),
                ("disabledAt", nullable(string())),
                ("createdAt", string()),
            ],
            &[
                ("userId", integer()),
                ("eventTypeId", integer()),
                ("secret", string()),
                ("time", integer()),
                ("timeUnit", string()),
            ],
        ),
    );
    add(
        "WebhookInput",
        input(
            &[
                ("subscriberUrl", string()),
                ("triggers", list(string())),
                ("active", boolean()),
                ("secret", nullable(string())),
                ("payloadTemplate", nullable(string())),
                ("version", string()),
                ("time", nullable(integer())),
                ("timeUnit", nullable(string())),
            ],
            &[],
        ),
    );
    let delivery_fields = [
        ("id", string()),
        ("webhookId", string()),
        ("triggerEvent", string()),
        ("bookingId", nullable(integer())),
        (
            "status",
            json!({"enum": ["pending", "delivered", "failed", "cancelled"]}),
        ),
        ("attemptCount", integer()),
        ("nextAttemptAt", nullable(string())),
        ("lastStatusCode", nullable(integer())),
        ("lastError", nullable(string())),
        ("contentType", string()),
        ("version", string()),
        ("createdAt", string()),
        ("finishedAt", nullable(string())),
    ];
    add("WebhookDelivery", object(&delivery_fields, &[]));
    let attempt = object(
        &[
            ("id", integer()),
            ("attemptedAt", string()),
            ("statusCode", nullable(integer())),
            ("latencyMs", integer()),
            ("responseExcerpt", nullable(string())),
            ("error", nullable(string())),
        ],
        &[],
    );
    let mut detail_fields = delivery_fields.to_vec();
    detail_fields.push(("body", string()));
    detail_fields.push(("attempts", list(attempt)));
    add("WebhookDeliveryDetail", object(&detail_fields, &[]));
    add(
        "MembershipInput",
        input(
            &[
                ("userId", integer()),
                ("role", json!({"enum": ["MEMBER", "ADMIN", "OWNER"]})),
                ("accepted", boolean()),
            ],
            &[],
        ),
    );
    let slot = object(
        &[("start", string())],
        &[
            ("end", string()),
            ("attendeesCount", integer()),
            ("bookingUid", string()),
            ("hosts", list(integer())),
        ],
    );
    add(
        "Slots",
        json!({"type": "object", "description": "Booker-local date -> slots", "additionalProperties": list(slot)}),
    );
    let legacy_slot = object(
        &[],
        &[
            ("time", string()),
            ("startTime", string()),
            ("endTime", string()),
            ("attendees", integer()),
            ("bookingUid", string()),
            ("hosts", list(integer())),
        ],
    );
    add(
        "LegacySlots",
        object(
            &[(
                "slots",
                json!({"type": "object", "description": "Date -> slots (2024-04-15: `time`, or `startTime`/`endTime` with slotFormat=range)", "additionalProperties": list(legacy_slot)}),
            )],
            &[],
        ),
    );
    add(
        "Reservation",
        object(
            &[
                ("eventTypeId", integer()),
                ("slotStart", string()),
                ("slotEnd", string()),
                ("slotDuration", integer()),
                ("reservationUid", string()),
                ("reservationDuration", integer()),
                ("reservationUntil", string()),
            ],
            &[],
        ),
    );
    add(
        "ReservationInput",
        input(
            &[
                ("eventTypeId", integer()),
                ("slotStart", string()),
                ("slotDuration", integer()),
                ("reservationDuration", integer()),
            ],
            &["eventTypeId", "slotStart"],
        ),
    );
    let booking_host = object(
        &[
            ("id", integer()),
            ("name", string()),
            ("email", string()),
            ("displayEmail", string()),
            ("username", string()),
            ("timeZone", string()),
        ],
        &[],
    );
    let attendee = object(
        &[
            ("name", string()),
            ("email", string()),
            ("displayEmail", string()),
            ("timeZone", string()),
            ("language", string()),
            ("absent", boolean()),
            ("phoneNumber", nullable(string())),
        ],
        &[("seatUid", string())],
    );
    add(
        "Booking",
        object(
            &[
                ("id", integer()),
                ("uid", string()),
                ("title", string()),
                ("description", string()),
                ("hosts", list(booking_host)),
                (
                    "status",
                    json!({"enum": ["accepted", "pending", "cancelled", "rejected", "awaiting_host"]}),
                ),
                ("start", string()),
                ("end", string()),
                ("duration", integer()),
                ("eventTypeId", nullable(integer())),
                (
                    "eventType",
                    nullable(object(
                        &[("id", integer()), ("slug", nullable(string()))],
                        &[],
                    )),
                ),
                ("meetingUrl", nullable(string())),
                ("location", nullable(string())),
                ("absentHost", boolean()),
                ("attendees", list(attendee)),
                ("guests", list(string())),
                ("bookingFieldsResponses", object_any()),
                ("metadata", object_any()),
                ("icsUid", string()),
                ("createdAt", string()),
                ("updatedAt", nullable(string())),
                ("rating", nullable(integer())),
            ],
            &[
                ("cancellationReason", string()),
                ("cancelledByEmail", string()),
                ("rejectionReason", string()),
                ("reschedulingReason", string()),
                ("rescheduledByEmail", string()),
                ("rescheduledFromUid", string()),
                ("rescheduledToUid", string()),
                ("seatUid", string()),
                // An occurrence of a recurring booking: the series' uid (Cal.com's field).
                ("recurringBookingUid", string()),
                ("assignmentReason", object_any()),
                // Only in a host's view: events on their calendars found overlapping it.
                (
                    "conflicts",
                    list(object(
                        &[
                            ("calendar", string()),
                            ("start", string()),
                            ("end", string()),
                            ("detectedAt", string()),
                        ],
                        &[],
                    )),
                ),
            ],
        ),
    );
    add(
        "BookingInput",
        input(
            &[
                ("start", string()),
                ("eventTypeId", integer()),
                ("eventTypeSlug", string()),
                ("username", string()),
                ("teamSlug", string()),
                (
                    "attendee",
                    input(
                        &[
                            ("name", string()),
                            ("email", string()),
                            ("timeZone", string()),
                            ("language", string()),
                            ("phoneNumber", string()),
                        ],
                        &["name", "email", "timeZone"],
                    ),
                ),
                ("guests", list(string())),
                ("location", any()),
                ("bookingFieldsResponses", object_any()),
                ("metadata", object_any()),
                ("lengthInMinutes", integer()),
                ("reservationUid", string()),
                // A recurring event type: how many occurrences (at most, and by default, its own).
                ("recurrenceCount", integer()),
                (
                    "routing",
                    input(
                        &[
                            ("responseId", integer()),
                            ("teamMemberIds", list(integer())),
                        ],
                        &[],
                    ),
                ),
            ],
            &["start", "attendee"],
        ),
    );
    // A recurring event type's booking (or its series' uid) answers every occurrence.
    add(
        "BookingOrSeries",
        json!({"anyOf": [r("Booking"), list(r("Booking"))]}),
    );
    add(
        "CancelInput",
        input(
            &[
                ("cancellationReason", string()),
                ("seatUid", string()),
                ("cancelSubsequentBookings", boolean()),
            ],
            &[],
        ),
    );
    add(
        "RescheduleInput",
        input(
            &[
                ("start", string()),
                ("reschedulingReason", string()),
                ("rescheduledBy", string()),
                ("rescheduleWithSameHost", boolean()),
                ("seatUid", string()),
            ],
            &["start"],
        ),
    );
    add("DeclineInput", input(&[("reason", string())], &[]));
    add(
        "LocationInput",
        input(&[("location", any())], &["location"]),
    );
    let ooo_fields = [
        ("start", string()),
        ("end", string()),
        ("notes", string()),
        ("toUserId", integer()),
        (
            "reason",
            json!({"enum": ["unspecified", "vacation", "travel", "sick", "public_holiday"]}),
        ),
    ];
    add("OutOfOfficeInput", input(&ooo_fields, &["start", "end"]));
    add("OutOfOfficeChanges", input(&ooo_fields, &[]));
    add(
        "OutOfOffice",
        object(
            &[
                ("id", integer()),
                ("userId", integer()),
                ("start", string()),
                ("end", string()),
            ],
            &[
                ("toUserId", integer()),
                ("notes", string()),
                ("reason", string()),
            ],
        ),
    );
    add("ReassignInput", input(&[("reason", string())], &[]));
    add(
        "Reassigned",
        object(
            &[
                ("bookingUid", string()),
                (
                    "reassignedTo",
                    object(
                        &[
                            ("id", integer()),
                            ("name", string()),
                            ("email", string()),
                            ("displayEmail", string()),
                        ],
                        &[],
                    ),
                ),
            ],
            &[],
        ),
    );
    add(
        "RequestRescheduleInput",
        input(&[("rescheduleReason", string())], &[]),
    );
    add(
        "CalendarLink",
        object(
            &[("label", string()), ("id", string()), ("link", string())],
            &[],
        ),
    );
    add(
        "AbsenceInput",
        input(
            &[
                ("host", boolean()),
                (
                    "attendees",
                    list(input(
                        &[("email", string()), ("absent", boolean())],
                        &["email", "absent"],
                    )),
                ),
            ],
            &[],
        ),
    );
    add(
        "HistoryEntry",
        object(
            &[
                ("id", integer()),
                ("at", string()),
                ("action", string()),
                (
                    "actor",
                    object(
                        &[
                            (
                                "kind",
                                json!({"enum": ["user", "api_key", "booker", "system"]}),
                            ),
                            ("id", nullable(string())),
                        ],
                        &[],
                    ),
                ),
                ("fromStatus", nullable(string())),
                ("toStatus", nullable(string())),
                ("changes", object_any()),
                ("reason", nullable(string())),
            ],
            &[],
        ),
    );
    add(
        "AvailabilityQuery",
        json!({"type": "object", "description": "See docs/API.md: eventType, hosts (schedules, busy time, bookings), start, end, timeZone"}),
    );
    add(
        "Pagination",
        object(
            &[
                ("totalItems", integer()),
                ("remainingItems", integer()),
                ("returnedItems", integer()),
                ("itemsPerPage", integer()),
                ("currentPage", integer()),
                ("totalPages", integer()),
                ("hasNextPage", boolean()),
                ("hasPreviousPage", boolean()),
            ],
            &[],
        ),
    );
    add(
        "Error",
        object(
            &[
                ("status", json!({"const": "error"})),
                ("timestamp", string()),
                ("path", nullable(string())),
                (
                    "error",
                    object(
                        &[
                            ("code", string()),
                            ("message", string()),
                            (
                                "details",
                                object(
                                    &[
                                        ("message", string()),
                                        ("error", string()),
                                        ("statusCode", integer()),
                                    ],
                                    &[],
                                ),
                            ),
                        ],
                        &[],
                    ),
                ),
            ],
            &[],
        ),
    );
    calendar_schemas(&mut add);
    workflow_schemas(&mut add);
    routing_form_schemas(&mut add);
    compat_schemas(&mut add);
    add(
        "CalendarFeed",
        object(&[("url", string()), ("createdAt", string())], &[]),
    );
    let switches = [
        ("bookingCreated", boolean()),
        ("bookingRescheduled", boolean()),
        ("bookingCancelled", boolean()),
        ("workflowEmails", boolean()),
    ];
    add("HostEmails", object(&switches, &[]));
    add("HostEmailChanges", input(&switches, &[]));
    add(
        "CalendarFeedState",
        object(
            &[("exists", boolean()), ("createdAt", nullable(string()))],
            &[],
        ),
    );
    s
}

/// Issue 18's shapes: private links and the zone list (Cal.com's).
fn compat_schemas(add: &mut impl FnMut(&str, Value)) {
    let base = [
        ("linkId", string()),
        ("eventTypeId", integer()),
        ("isExpired", boolean()),
        ("bookingUrl", string()),
    ];
    let mut timed = base.to_vec();
    timed.push(("expiresAt", string()));
    let mut counted = base.to_vec();
    counted.extend([("maxUsageCount", integer()), ("usageCount", integer())]);
    add(
        "PrivateLink",
        json!({"anyOf": [object(&timed, &[]), object(&counted, &[])]}),
    );
    add(
        "PrivateLinkInput",
        input(
            &[("expiresAt", string()), ("maxUsageCount", integer())],
            &[],
        ),
    );
    add(
        "DeletedPrivateLink",
        object(&[("linkId", string()), ("message", string())], &[]),
    );
    legacy_bookings(add);
    add(
        "CityTimezone",
        object(
            &[
                ("city", string()),
                ("timezone", string()),
                ("pop", integer()),
            ],
            &[],
        ),
    );
}

/// Cal.com's 2024-04-15 booking reads (`http::api::bookings_legacy`).
fn legacy_bookings(add: &mut impl FnMut(&str, Value)) {
    let text = || nullable(string());
    let user = object(
        &[("id", integer()), ("name", text()), ("email", string())],
        &[("username", text()), ("timeZone", string())],
    );
    let attendee = object(
        &[
            ("id", integer()),
            ("email", string()),
            ("name", string()),
            ("timeZone", string()),
            ("locale", text()),
            ("bookingId", integer()),
        ],
        &[],
    );
    let event_type = object(
        &[
            ("id", nullable(integer())),
            ("slug", text()),
            ("eventName", text()),
            ("price", integer()),
            ("currency", string()),
            ("metadata", object_any()),
            ("team", any()),
        ],
        &[],
    );
    let common = [
        ("id", integer()),
        ("uid", string()),
        ("title", string()),
        ("description", text()),
        ("customInputs", object_any()),
        ("startTime", string()),
        ("endTime", string()),
        ("metadata", object_any()),
        ("recurringEventId", text()),
        ("location", text()),
        ("status", string()),
        ("userPrimaryEmail", text()),
        ("user", nullable(user)),
    ];
    let mut entry = common.to_vec();
    entry.extend([
        ("attendees", list(attendee)),
        ("eventType", event_type),
        ("paid", boolean()),
        ("payment", list(any())),
        ("references", list(any())),
        ("isRecorded", boolean()),
        ("seatsReferences", list(any())),
        ("rescheduled", boolean()),
    ]);
    add(
        "LegacyBookings",
        object(
            &[
                ("bookings", list(object(&entry, &[]))),
                ("recurringInfo", list(any())),
                ("nextCursor", nullable(integer())),
            ],
            &[],
        ),
    );
    let mut one = common.to_vec();
    one.extend([
        ("smsReminderNumber", text()),
        ("cancellationReason", text()),
        ("rejectionReason", text()),
        ("responses", object_any()),
        ("eventTypeId", nullable(integer())),
        (
            "attendees",
            list(object(
                &[
                    ("name", string()),
                    ("email", string()),
                    ("timeZone", string()),
                ],
                &[],
            )),
        ),
        (
            "eventType",
            nullable(object(
                &[
                    ("eventName", text()),
                    ("slug", text()),
                    ("timeZone", text()),
                ],
                &[],
            )),
        ),
    ]);
    add("LegacyBooking", object(&one, &[]));
    add(
        "LegacyBookingOrSeries",
        json!({"anyOf": [r("LegacyBooking"), list(r("LegacyBooking"))]}),
    );
}

/// The calendar endpoints' shapes (Cal.com's, plus Kairos' status fields).
fn calendar_schemas(add: &mut impl FnMut(&str, Value)) {
    let calendar = object(
        &[
            ("externalId", string()),
            ("name", string()),
            ("primary", boolean()),
            ("readOnly", boolean()),
            ("isSelected", boolean()),
            ("credentialId", integer()),
            ("integration", string()),
            ("email", string()),
        ],
        &[],
    );
    let integration = object(
        &[
            ("name", string()),
            ("title", string()),
            ("type", string()),
            ("slug", string()),
            ("variant", string()),
            ("categories", list(string())),
            ("installed", boolean()),
        ],
        &[],
    );
    let connection = object(
        &[
            ("integration", integration),
            ("credentialId", integer()),
            ("primary", nullable(calendar.clone())),
            ("calendars", list(calendar)),
            ("status", json!({"enum": ["active", "invalid"]})),
            ("invalid", boolean()),
            ("invalidReason", nullable(string())),
            ("lastError", nullable(string())),
            ("syncedAt", nullable(string())),
        ],
        &[],
    );
    let destination = object(
        &[
            ("id", integer()),
            ("integration", string()),
            ("externalId", string()),
            ("userId", integer()),
            ("eventTypeId", nullable(integer())),
            ("credentialId", integer()),
            ("name", string()),
            ("primary", boolean()),
            ("readOnly", boolean()),
            ("integrationTitle", string()),
        ],
        &[],
    );
    add(
        "ConnectedCalendars",
        object(
            &[
                ("connectedCalendars", list(connection)),
                ("destinationCalendar", nullable(destination)),
            ],
            &[],
        ),
    );
    add(
        "CalendarResult",
        object(
            &[("type", string())],
            &[
                ("id", nullable(integer())),
                ("ids", list(integer())),
                ("credentialId", integer()),
                ("userId", integer()),
                ("teamId", nullable(integer())),
                ("appId", string()),
                ("invalid", boolean()),
            ],
        ),
    );
    add(
        "BusyTime",
        object(
            &[("start", string()), ("end", string()), ("source", string())],
            &[],
        ),
    );
    add("AuthUrl", object(&[("authUrl", string())], &[]));
    add(
        "CalendarCheck",
        object(
            &[
                ("ok", boolean()),
                (
                    "connections",
                    list(object(
                        &[
                            ("credentialId", integer()),
                            ("account", string()),
                            ("ok", boolean()),
                            ("error", nullable(string())),
                        ],
                        &[],
                    )),
                ),
            ],
            &[],
        ),
    );
    add(
        "SelectedCalendar",
        object(
            &[
                ("userId", integer()),
                ("integration", string()),
                ("externalId", string()),
                ("credentialId", integer()),
                ("isSelected", boolean()),
            ],
            &[],
        ),
    );
    add(
        "DestinationCalendar",
        object(
            &[
                ("userId", integer()),
                ("integration", string()),
                ("externalId", string()),
                ("credentialId", integer()),
                ("eventTypeId", nullable(integer())),
            ],
            &[],
        ),
    );
    add(
        "IcsFeedInput",
        input(
            &[("urls", list(string())), ("readOnly", boolean())],
            &["urls"],
        ),
    );
    add(
        "CalendarCredentialsInput",
        input(
            &[
                ("username", string()),
                ("password", string()),
                ("serverUrl", string()),
            ],
            &["username", "password"],
        ),
    );
    add("DisconnectInput", input(&[("id", integer())], &["id"]));
    let selected = [
        ("integration", string()),
        ("externalId", string()),
        ("credentialId", integer()),
    ];
    add(
        "SelectedCalendarInput",
        input(&selected, &["integration", "externalId"]),
    );
    add(
        "DestinationCalendarInput",
        input(
            &[
                ("integration", string()),
                ("externalId", string()),
                ("eventTypeId", integer()),
            ],
            &["integration", "externalId"],
        ),
    );
    insights(add);
}

/// Workflows (Cal.com's shapes; the `webhook` action is Kairos').
fn routing_form_schemas(add: &mut impl FnMut(&str, Value)) {
    let field = json!({"type": "object", "description": "A question, in the booking fields' shape: type, slug, label, required, placeholder, hidden, options"});
    let condition = object(
        &[
            ("field", string()),
            (
                "operator",
                json!({"enum": ["equals", "not_equals", "contains", "any_of"]}),
            ),
            ("value", any()),
        ],
        &[],
    );
    let action = object(
        &[(
            "type",
            json!({"enum": ["eventTypeRedirectUrl", "customPageMessage", "externalRedirectUrl"]}),
        )],
        &[
            ("eventTypeId", integer()),
            ("teamMemberIds", list(integer())),
            ("message", string()),
            ("url", string()),
        ],
    );
    let route = object(
        &[
            ("conditions", list(condition)),
            ("isFallback", boolean()),
            ("action", action.clone()),
        ],
        &[],
    );
    add(
        "RoutingForm",
        object(
            &[
                ("id", integer()),
                ("name", string()),
                ("description", nullable(string())),
                ("userId", nullable(integer())),
                ("teamId", nullable(integer())),
                ("fields", list(field.clone())),
                ("routes", list(route)),
                ("createdAt", string()),
                ("updatedAt", string()),
            ],
            &[],
        ),
    );
    add(
        "RoutingFormInput",
        input(
            &[
                ("name", string()),
                ("description", nullable(string())),
                ("fields", list(field)),
                ("routes", list(object_any())),
            ],
            &[],
        ),
    );
    add(
        "RoutingFormAnswers",
        json!({"type": "object", "description": "The answers by question slug"}),
    );
    let mut routed = action;
    for (name, schema) in [("eventTypeSlug", string()), ("bookingUrl", string())] {
        routed["properties"][name] = schema;
    }
    add(
        "RoutingFormResult",
        object(
            &[
                ("responseId", integer()),
                ("formId", integer()),
                ("routedTo", routed.clone()),
            ],
            &[],
        ),
    );
    add(
        "RoutingFormSlots",
        object(
            &[
                ("eventTypeId", nullable(integer())),
                ("routedTo", routed.clone()),
                ("slots", r("Slots")),
            ],
            &[],
        ),
    );
    add(
        "RoutingFormResponse",
        object(
            &[
                ("id", integer()),
                ("formId", integer()),
                ("response", object_any()),
                ("routedTo", routed),
                ("bookingUid", nullable(string())),
                ("createdAt", string()),
            ],
            &[],
        ),
    );
}

fn workflow_schemas(add: &mut impl FnMut(&str, Value)) {
    let triggers = json!({"enum": ["beforeEvent", "afterEvent", "newEvent", "rescheduleEvent", "eventCancelled", "bookingRequested", "bookingRejected"]});
    let actions = json!({"enum": ["email_attendee", "email_host", "email_address", "sms_attendee", "sms_number", "webhook"]});
    let offset = object(
        &[
            ("value", integer()),
            ("unit", json!({"enum": ["minute", "hour", "day"]})),
        ],
        &[],
    );
    let trigger = object(
        &[("type", triggers.clone()), ("offset", offset.clone())],
        &[],
    );
    let message = object(
        &[],
        &[
            ("subject", nullable(string())),
            ("html", nullable(string())),
            ("text", nullable(string())),
        ],
    );
    let activation = object(
        &[
            ("isActiveOnAllEventTypes", boolean()),
            ("activeOnEventTypeIds", list(integer())),
        ],
        &[],
    );
    let step_fields = [
        ("action", actions),
        ("template", json!({"enum": ["reminder", "custom"]})),
        ("sendTo", string()),
        ("webhookId", string()),
        ("includeCalendarEvent", boolean()),
        ("message", message),
    ];
    let step = object(
        &[
            ("id", integer()),
            ("stepNumber", integer()),
            ("action", step_fields[0].1.clone()),
            (
                "recipient",
                json!({"enum": ["attendee", "host", "const", "webhook"]}),
            ),
            ("template", step_fields[1].1.clone()),
            ("includeCalendarEvent", boolean()),
        ],
        &[
            ("sendTo", string()),
            ("webhookId", string()),
            ("message", step_fields[5].1.clone()),
        ],
    );
    add(
        "Workflow",
        object(
            &[
                ("id", integer()),
                ("name", string()),
                ("type", string()),
                ("userId", nullable(integer())),
                ("teamId", nullable(integer())),
                ("activation", activation.clone()),
                ("trigger", trigger),
                ("steps", list(step)),
                ("createdAt", string()),
                ("updatedAt", string()),
            ],
            &[],
        ),
    );
    let trigger_input = input(&[("type", triggers), ("offset", offset)], &["type"]);
    add(
        "WorkflowInput",
        input(
            &[
                ("name", string()),
                ("activation", activation),
                ("trigger", trigger_input.clone()),
                ("steps", list(input(&step_fields, &["action"]))),
            ],
            &[],
        ),
    );
    add(
        "WorkflowPreviewInput",
        input(
            &[
                ("trigger", trigger_input),
                ("step", input(&step_fields, &["action"])),
            ],
            &["trigger", "step"],
        ),
    );
    add(
        "WorkflowPreview",
        object(
            &[
                ("to", string()),
                ("subject", string()),
                ("text", string()),
                ("html", string()),
            ],
            &[],
        ),
    );
}

/// `GET /v2/insights/bookings`' answer.
fn insights(add: &mut impl FnMut(&str, Value)) {
    let number = || json!({"type": "number"});
    let outcomes = [
        "total",
        "accepted",
        "pending",
        "noShow",
        "cancelled",
        "rescheduled",
        "rejected",
    ];
    let counts: Vec<(&str, Value)> = outcomes.iter().map(|k| (*k, integer())).collect();
    let mut point = counts.clone();
    point.push(("start", string()));
    let period = object(
        &[
            ("start", string()),
            ("end", string()),
            ("timeZone", string()),
            ("step", json!({"enum": ["day", "week"]})),
        ],
        &[],
    );
    let scope = object(
        &[
            ("teamId", nullable(integer())),
            ("eventTypeId", nullable(integer())),
            ("userId", nullable(integer())),
        ],
        &[],
    );
    let host = object(
        &[
            ("userId", integer()),
            ("name", string()),
            ("bookings", integer()),
            ("share", number()),
            ("weight", nullable(integer())),
            ("weightShare", nullable(number())),
        ],
        &[],
    );
    let conversion = object(
        &[
            ("eventTypeId", integer()),
            ("title", string()),
            ("views", integer()),
            ("bookings", integer()),
            ("rate", nullable(number())),
        ],
        &[],
    );
    let hour = object(&[("hour", integer()), ("bookings", integer())], &[]);
    add(
        "InsightsBookings",
        object(
            &[
                ("period", period),
                ("scope", scope),
                ("totals", object(&counts, &[])),
                ("averageLeadTimeMinutes", nullable(integer())),
                ("series", list(object(&point, &[]))),
                ("busiestHours", list(hour)),
                ("hosts", list(host)),
                ("conversion", list(conversion)),
            ],
            &[],
        ),
    );
}

/// The success envelope around `data`.
fn envelope(data: Option<&str>, is_list: bool, paginated: bool, explained: bool) -> Value {
    let mut required = vec![("status", json!({"const": "success"}))];
    if let Some(name) = data {
        required.push(("data", if is_list { list(r(name)) } else { r(name) }));
    }
    if paginated {
        required.push(("pagination", r("Pagination")));
    }
    let optional = if explained {
        vec![("explanation", object_any())]
    } else {
        Vec::new()
    };
    object(&required, &optional)
}

/// Anonymous writes are rate limited (`http::admission`): the envelope with the limit's headers.
fn rate_limited(error: &Value) -> Value {
    let seconds = json!({"schema": {"type": "integer", "minimum": 0}});
    let mut answer = error.clone();
    answer["description"] = json!("Too many requests without an API key");
    answer["headers"] = json!({
        "Retry-After": seconds, "RateLimit-Limit": seconds,
        "RateLimit-Remaining": seconds, "RateLimit-Reset": seconds,
    });
    answer
}

pub fn document(base_url: &str) -> Value {
    let mut paths = Map::new();
    for e in endpoints() {
        let path = format!("/v2{}", e.path);
        let d = e.doc;
        let mut parameters: Vec<Value> = e
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| {
                let kind = if name == "id" || name.ends_with("Id") {
                    "integer"
                } else {
                    "string"
                };
                json!({"name": name, "in": "path", "required": true, "schema": {"type": kind}})
            })
            .collect();
        parameters.extend(d.query.iter().map(|(name, kind, description)| {
            json!({"name": name, "in": "query", "required": false, "description": description, "schema": {"type": kind}})
        }));
        if let Some(version) = d.version {
            let description = match d.legacy {
                None => format!(
                    "Shapes follow {version}; a missing or older value gets the same shapes"
                ),
                Some(legacy) if d.legacy_on_request => format!(
                    "Shapes follow {version}, also without the header; with 2024-04-15, `data` \
                     is a {legacy} (Cal.com's 2024-04-15 shape)"
                ),
                Some(legacy) => format!(
                    "Send {version} for these shapes; without it, or with another value (Cal.com's \
                     2024-04-15 default), `data` is a {legacy}"
                ),
            };
            parameters.push(json!({
                "name": "cal-api-version", "in": "header", "required": false,
                "description": description,
                "schema": {"type": "string", "default": version},
            }));
        }
        let success = if e.path == "/openapi.json" {
            json!({"description": "OpenAPI 3.1", "content": {"application/json": {"schema": object_any()}}})
        } else if e.path == "/sms/twilio/inbound" {
            json!({"description": "Empty TwiML", "content": {"text/xml": {"schema": {"type": "string"}}}})
        } else if e.path == "/availability/query" {
            json!({"description": "OK", "content": {"application/json": {"schema": envelope(d.data, false, false, true)}}})
        } else {
            let mut schema = envelope(d.data, d.list, d.paginated, false);
            if let Some(legacy) = d.legacy {
                schema = json!({"anyOf": [schema, envelope(Some(legacy), false, false, false)]});
            }
            json!({"description": if d.status == 201 { "Created" } else { "OK" },
                   "content": {"application/json": {"schema": schema}}})
        };
        let error = json!({"description": "Cal.com's error envelope", "content": {"application/json": {"schema": r("Error")}}});
        let mut responses = Map::new();
        responses.insert(d.status.to_string(), success);
        for code in ["400", "401", "403", "404", "409", "422"] {
            responses.insert(code.to_owned(), error.clone());
        }
        if matches!(d.auth, Auth::Optional) && matches!(e.method.as_str(), "POST" | "PATCH") {
            responses.insert("429".to_owned(), rate_limited(&error));
        }
        let mut operation = json!({
            "summary": d.summary,
            "tags": [d.tag],
            "operationId": format!("{}{}", e.method.as_str().to_lowercase(), e.path.replace(['/', '{', '}', '-', '.'], "_")),
            "parameters": parameters,
            "responses": responses,
            "security": match d.auth { Auth::Key => json!([{"apiKey": []}]), Auth::Optional => json!([{}, {"apiKey": []}]) },
        });
        if e.path == "/sms/twilio/inbound" {
            let fields = json!({"type": "object", "additionalProperties": {"type": "string"}});
            operation["requestBody"] = json!({"required": true,
                "content": {"application/x-www-form-urlencoded": {"schema": fields}}});
        }
        if let Some(body) = d.body {
            operation["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": r(body)}}});
        }
        let entry = paths
            .entry(path)
            .or_insert_with(|| Value::Object(Map::new()));
        entry[e.method.as_str().to_lowercase()] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Kairos API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Cal.com API v2 compatible scheduling API. Send `Authorization: Bearer <api key>`.",
        },
        "servers": [{"url": base_url.trim_end_matches('/')}],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer", "description": "A Kairos API key (cal_live_…)"}},
        },
    })
}
