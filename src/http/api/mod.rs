//! Cal.com REST API v2 (`/v2/...`): envelopes `{"status":"success","data":…}`.
//!
//! Every endpoint is one row of [`endpoints`]: the route actix serves and the description
//! `GET /v2/openapi.json` publishes come from the same row, so the document cannot list a route
//! that does not exist or miss one that does.

mod availability;
mod booking_changes;
mod bookings;
mod bookings_legacy;
mod calendar_feed;
mod calendars;
pub use bookings::read_anonymous_request as read_booking_request;
mod event_types;
mod event_types_legacy;
mod insights;
mod me;
pub mod openapi;
mod out_of_office;
mod private_links;
mod routing_forms;
mod schedules;
mod schedules_legacy;
mod slots;
mod sms;
mod teams;
mod timezones;
mod webhooks;
mod workflows;

use actix_web::http::Method;
use actix_web::{HttpRequest, Route, guard, web};
use serde_json::{Value, json};

/// Cal.com's success envelope.
pub fn success(data: Value) -> Value {
    json!({"status": "success", "data": data})
}

/// The schedules family's current `cal-api-version`.
pub const SCHEDULES_VERSION: &str = "2024-06-11";

/// Cal.com's rule for a family that keeps older shapes: a request without `cal-api-version`, or
/// with a value that is none of the family's `current` versions, is answered in the 2024-04-15
/// shapes (Cal.com's default for a missing or unknown version).
pub fn wants_legacy(req: &HttpRequest, current: &[&str]) -> bool {
    let version = (req.headers().get("cal-api-version"))
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    !version.is_some_and(|v| current.contains(&v))
}

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <api key>` is required.
    Key,
    /// Public; with a key the caller acts as that user.
    Optional,
}

/// What the OpenAPI document says about an endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Doc {
    pub summary: &'static str,
    pub tag: &'static str,
    pub auth: Auth,
    /// The `cal-api-version` this shape follows.
    pub version: Option<&'static str>,
    /// The schema of `data` Cal.com's legacy versions get (no header, an unknown one,
    /// 2024-04-15, 2024-06-11); `None`: every version gets the same shape.
    pub legacy: Option<&'static str>,
    /// `legacy` only for clients that send `cal-api-version: 2024-04-15`, not without a header.
    pub legacy_on_request: bool,
    /// Request body schema (a component name).
    pub body: Option<&'static str>,
    /// Success status and the schema of `data` (`None`: no `data`).
    pub status: u16,
    pub data: Option<&'static str>,
    /// `data` is a list of `data`.
    pub list: bool,
    pub paginated: bool,
    /// Query parameters: (name, JSON type, description).
    pub query: &'static [(&'static str, &'static str, &'static str)],
}

const DOC: Doc = Doc {
    summary: "",
    tag: "",
    auth: Auth::Key,
    version: None,
    legacy: None,
    legacy_on_request: false,
    body: None,
    status: 200,
    data: None,
    list: false,
    paginated: false,
    query: &[],
};

pub struct Endpoint {
    pub method: Method,
    /// Under `/v2`, with `{name}` path parameters.
    pub path: &'static str,
    route: fn() -> Route,
    body_limit: Option<usize>,
    pub doc: Doc,
}

macro_rules! endpoint {
    ($method:ident $path:literal => $handler:path, $doc:expr) => {
        Endpoint {
            method: Method::$method,
            path: $path,
            route: || web::route().to($handler),
            body_limit: None,
            doc: $doc,
        }
    };
}

const SLOT_QUERY: &[(&str, &str, &str)] = &[
    (
        "eventTypeId",
        "integer",
        "The event type; or eventTypeSlug with username or teamSlug",
    ),
    ("eventTypeSlug", "string", "The event type's slug"),
    ("username", "string", "Owner of eventTypeSlug"),
    ("teamSlug", "string", "Team of eventTypeSlug"),
    (
        "start",
        "string",
        "First day (UTC date) or instant (ISO 8601)",
    ),
    ("end", "string", "Last day (UTC date, inclusive) or instant"),
    (
        "timeZone",
        "string",
        "IANA timezone the slots are grouped and shown in; UTC by default",
    ),
    ("duration", "integer", "One of the event type's lengths"),
    ("format", "string", "`range` adds each slot's end"),
    (
        "bookingUidToReschedule",
        "string",
        "A booking being moved: its own time stays free",
    ),
    (
        "routedTeamMemberIds",
        "string",
        "Comma-separated user ids: a round-robin event type's hosts narrowed to these (a routing form's route)",
    ),
    (
        "hashedLink",
        "string",
        "A private link: opens a hidden event type kept behind its links (alone, it names the event type)",
    ),
];

const OOO_QUERY: &[(&str, &str, &str)] = &[
    ("skip", "integer", "How many to skip"),
    (
        "take",
        "integer",
        "How many to return (at most 250, the default)",
    ),
    ("sortStart", "string", "asc or desc: by start"),
    ("sortEnd", "string", "asc or desc: by end"),
];

const BOOKING_QUERY: &[(&str, &str, &str)] = &[
    (
        "status",
        "string",
        "upcoming, recurring, past, cancelled or unconfirmed",
    ),
    ("attendeeEmail", "string", "Bookings with this attendee"),
    ("attendeeName", "string", "Bookings with this attendee name"),
    ("bookingUid", "string", "One booking"),
    ("eventTypeId", "string", "Event type id"),
    ("eventTypeIds", "string", "Comma-separated event type ids"),
    ("teamId", "string", "Bookings of this team's event types"),
    ("teamsIds", "string", "Comma-separated team ids"),
    ("afterStart", "string", "Start at or after this instant"),
    ("beforeEnd", "string", "End at or before this instant"),
    ("afterCreatedAt", "string", "Created at or after"),
    ("beforeCreatedAt", "string", "Created at or before"),
    ("afterUpdatedAt", "string", "Updated at or after"),
    ("beforeUpdatedAt", "string", "Updated at or before"),
    ("sortStart", "string", "asc or desc"),
    ("sortEnd", "string", "asc or desc"),
    ("sortCreated", "string", "asc or desc"),
    ("sortUpdatedAt", "string", "asc or desc"),
    ("take", "integer", "Page size, 1 to 250 (100)"),
    ("skip", "integer", "Items to skip"),
    ("filters[status]", "string", "2024-04-15's name of status"),
    ("limit", "integer", "2024-04-15's name of take"),
    (
        "cursor",
        "integer",
        "2024-04-15's name of skip (its nextCursor)",
    ),
];

/// Every `/v2` endpoint, in matching order (literal segments before `{parameters}`).
pub fn endpoints() -> Vec<Endpoint> {
    const ME: Doc = Doc { tag: "Me", ..DOC };
    const SCHEDULES: Doc = Doc {
        tag: "Schedules",
        version: Some(SCHEDULES_VERSION),
        data: Some("Schedule"),
        legacy: Some("LegacySchedule"),
        ..DOC
    };
    const EVENTS: Doc = Doc {
        tag: "Event types",
        version: Some("2024-06-14"),
        data: Some("EventType"),
        ..DOC
    };
    const TEAMS: Doc = Doc {
        tag: "Teams",
        data: Some("Team"),
        ..DOC
    };
    const MEMBERS: Doc = Doc {
        tag: "Teams",
        data: Some("Membership"),
        ..DOC
    };
    const SLOTS: Doc = Doc {
        tag: "Slots",
        version: Some("2024-09-04"),
        auth: Auth::Optional,
        ..DOC
    };
    const BOOKINGS: Doc = Doc {
        tag: "Bookings",
        version: Some("2024-08-13"),
        data: Some("Booking"),
        ..DOC
    };
    const HOOKS: Doc = Doc {
        tag: "Webhooks",
        data: Some("Webhook"),
        ..DOC
    };
    const DELIVERIES: Doc = Doc {
        tag: "Webhooks",
        data: Some("WebhookDelivery"),
        ..DOC
    };
    const CALENDARS: Doc = Doc {
        tag: "Calendars",
        data: Some("CalendarResult"),
        ..DOC
    };
    const FLOWS: Doc = Doc {
        tag: "Workflows",
        data: Some("Workflow"),
        ..DOC
    };
    const FORMS: Doc = Doc {
        tag: "Routing forms",
        data: Some("RoutingForm"),
        ..DOC
    };
    const PAGE: &[(&str, &str, &str)] = &[
        ("take", "integer", "Page size, 1 to 250 (250)"),
        ("skip", "integer", "Items to skip"),
    ];
    let mut all = vec![
        endpoint!(GET "/openapi.json" => openapi::serve, Doc { summary: "This OpenAPI 3.1 document", tag: "Meta", auth: Auth::Optional, data: None, ..DOC }),
        endpoint!(GET "/me" => me::get_me, Doc { summary: "The key owner's profile", data: Some("Me"), ..ME }),
        endpoint!(PATCH "/me" => me::update_me, Doc { summary: "Change the profile", body: Some("MeChanges"), data: Some("Me"), ..ME }),
        endpoint!(GET "/me/notifications" => me::get_notifications, Doc { summary: "Which booking emails the caller receives as a host (Kairos)", data: Some("HostEmails"), ..ME }),
        endpoint!(PATCH "/me/notifications" => me::update_notifications, Doc { summary: "Choose which booking emails the caller receives as a host; fields not sent stay (Kairos)", body: Some("HostEmailChanges"), data: Some("HostEmails"), ..ME }),
        endpoint!(GET "/me/ooo" => out_of_office::list, Doc { summary: "The caller's out-of-office periods", list: true, data: Some("OutOfOffice"), query: OOO_QUERY, ..ME }),
        endpoint!(POST "/me/ooo" => out_of_office::create, Doc { summary: "Be out of office on whole days (the caller's zone), optionally sending bookers to a teammate (OOO_CREATED)", body: Some("OutOfOfficeInput"), status: 201, data: Some("OutOfOffice"), ..ME }),
        endpoint!(PATCH "/me/ooo/{id}" => out_of_office::update, Doc { summary: "Change an out-of-office period; fields not sent stay", body: Some("OutOfOfficeChanges"), data: Some("OutOfOffice"), ..ME }),
        endpoint!(DELETE "/me/ooo/{id}" => out_of_office::delete, Doc { summary: "Remove an out-of-office period", data: Some("OutOfOffice"), ..ME }),
        endpoint!(POST "/me/calendar-feed" => calendar_feed::create, Doc { summary: "Publish the caller's bookings and free/busy as a secret iCalendar URL, shown only here (replaces an earlier one) (Kairos)", status: 201, data: Some("CalendarFeed"), ..ME }),
        endpoint!(GET "/me/calendar-feed" => calendar_feed::get, Doc { summary: "Whether the caller has a calendar feed (never its URL) (Kairos)", data: Some("CalendarFeedState"), ..ME }),
        endpoint!(DELETE "/me/calendar-feed" => calendar_feed::delete, Doc { summary: "Revoke the caller's calendar feed: its URL stops working (Kairos)", ..ME }),
        endpoint!(GET "/schedules" => schedules::list, Doc { summary: "List schedules", list: true, legacy: Some("LegacySchedules"), ..SCHEDULES }),
        endpoint!(POST "/schedules" => schedules::create, Doc { summary: "Create a schedule (the body in 2024-06-11's fields or 2024-04-15's, whatever the version)", body: Some("ScheduleInput"), status: 201, ..SCHEDULES }),
        endpoint!(GET "/schedules/default" => schedules::default, Doc { summary: "The default schedule", ..SCHEDULES }),
        endpoint!(GET "/schedules/{id}" => schedules::get, Doc { summary: "Get a schedule", ..SCHEDULES }),
        endpoint!(PATCH "/schedules/{id}" => schedules::update, Doc { summary: "Change a schedule (the body in 2024-06-11's fields or 2024-04-15's, whatever the version)", body: Some("ScheduleInput"), ..SCHEDULES }),
        endpoint!(DELETE "/schedules/{id}" => schedules::delete, Doc { summary: "Delete a schedule", data: None, legacy: None, ..SCHEDULES }),
        endpoint!(GET "/event-types" => event_types::list, Doc { summary: "The caller's event types, or a person's public ones by username", auth: Auth::Optional, list: true,
            query: &[("username", "string", "Whose public event types"), ("eventSlug", "string", "Only the one with this slug")], data: Some("ListedEventType"), legacy: Some("LegacyEventTypeGroups"), ..EVENTS }),
        endpoint!(POST "/event-types" => event_types::create, Doc { summary: "Create an event type", body: Some("EventTypeInput"), status: 201, ..EVENTS }),
        endpoint!(GET "/event-types/{username}/public" => event_types::public_list, Doc { summary: "A person's visible event types (Cal.com's 2024-04-15 shape, every version)", auth: Auth::Optional, list: true, version: None, data: Some("LegacyPublicEventType"), ..EVENTS }),
        endpoint!(GET "/event-types/{username}/{eventSlug}/public" => event_types::public_one, Doc { summary: "What a booking widget needs of one event type (Cal.com's 2024-04-15 shape, every version)", auth: Auth::Optional, version: None, data: Some("LegacyPublicEventTypeDetail"),
            query: &[("isTeamEvent", "boolean", "`username` is a team's slug")], ..EVENTS }),
        endpoint!(GET "/event-types/{id}" => event_types::get, Doc { summary: "Get an event type", legacy: Some("LegacyEventTypeOne"), ..EVENTS }),
        endpoint!(PATCH "/event-types/{id}" => event_types::update, Doc { summary: "Change an event type (fields not sent stay)", body: Some("EventTypeInput"), ..EVENTS }),
        endpoint!(DELETE "/event-types/{id}" => event_types::delete, Doc { summary: "Delete an event type", data: Some("DeletedEventType"), ..EVENTS }),
        endpoint!(GET "/event-types/{id}/webhooks" => webhooks::event_type_list, Doc { summary: "An event type's webhooks", list: true, query: PAGE, ..HOOKS }),
        endpoint!(POST "/event-types/{id}/webhooks" => webhooks::event_type_create, Doc { summary: "Subscribe to one event type's bookings", body: Some("WebhookInput"), status: 201, ..HOOKS }),
        endpoint!(GET "/event-types/{id}/webhooks/{webhook}" => webhooks::event_type_get, Doc { summary: "Get an event type's webhook", ..HOOKS }),
        endpoint!(PATCH "/event-types/{id}/webhooks/{webhook}" => webhooks::event_type_update, Doc { summary: "Change an event type's webhook", body: Some("WebhookInput"), ..HOOKS }),
        endpoint!(DELETE "/event-types/{id}/webhooks/{webhook}" => webhooks::event_type_delete, Doc { summary: "Delete an event type's webhook", ..HOOKS }),
        // Issue 18 (Cal.com compatibility): private links and the zone list.
        endpoint!(GET "/event-types/{id}/private-links" => private_links::list, Doc { summary: "An event type's private links (owner, or a team's admins and owners)", tag: "Event types private links", list: true, data: Some("PrivateLink"), ..DOC }),
        endpoint!(POST "/event-types/{id}/private-links" => private_links::create, Doc { summary: "Create a private link (/d/{link}/{slug}): until expiresAt, or for maxUsageCount bookings (1 if neither)", tag: "Event types private links", body: Some("PrivateLinkInput"), status: 201, data: Some("PrivateLink"), ..DOC }),
        endpoint!(PATCH "/event-types/{id}/private-links/{link}" => private_links::update, Doc { summary: "Give a private link a new expiresAt or maxUsageCount (its uses stay counted)", tag: "Event types private links", body: Some("PrivateLinkInput"), data: Some("PrivateLink"), ..DOC }),
        endpoint!(DELETE "/event-types/{id}/private-links/{link}" => private_links::delete, Doc { summary: "Delete a private link: it stops opening the event type", tag: "Event types private links", data: Some("DeletedPrivateLink"), ..DOC }),
        endpoint!(GET "/timezones" => timezones::list, Doc { summary: "Cities and their IANA zones, for a zone picker (pop is always 0: Kairos has no city database)", tag: "Timezones", auth: Auth::Optional, list: true, data: Some("CityTimezone"), ..DOC }),
        endpoint!(GET "/calendars" => calendars::list, Doc { summary: "Connected calendars with their calendars, and the default destination", data: Some("ConnectedCalendars"), ..CALENDARS }),
        endpoint!(GET "/calendars/busy-times" => calendars::busy_times, Doc { summary: "Cached busy time of the selected calendars", list: true, data: Some("BusyTime"),
            query: &[("dateFrom", "string", "Date or instant"), ("dateTo", "string", "Date or instant")], ..CALENDARS }),
        endpoint!(POST "/calendars/ics-feed/save" => calendars::ics_save, Doc { summary: "Subscribe to ICS feeds (read-only)", body: Some("IcsFeedInput"), status: 201, ..CALENDARS }),
        endpoint!(POST "/sms/twilio/inbound" => sms::twilio_inbound, Doc { summary: "Twilio's inbound-message webhook (form body, X-Twilio-Signature): STOP and START from SMS recipients; answered with empty TwiML (Kairos)", tag: "SMS", auth: Auth::Optional, data: None, ..DOC }),
        endpoint!(POST "/calendars/google/notifications" => calendars::google_notifications, Doc { summary: "Google Calendar push notifications (headers X-Goog-Channel-ID, X-Goog-Resource-ID, X-Goog-Resource-State, X-Goog-Channel-Token)", auth: Auth::Optional, data: None, ..CALENDARS }),
        endpoint!(POST "/calendars/office365/notifications" => calendars::office365_notifications, Doc { summary: "Microsoft Graph change notifications; ?validationToken= is echoed as text/plain (200)", auth: Auth::Optional, status: 202, data: None,
            query: &[("validationToken", "string", "Graph's validation handshake")], ..CALENDARS }),
        endpoint!(GET "/calendars/{calendar}/connect" => calendars::connect, Doc { summary: "The provider's consent URL (google, office365)", data: Some("AuthUrl"),
            query: &[("redir", "string", "Where the host lands after connecting")], ..CALENDARS }),
        endpoint!(GET "/calendars/{calendar}/save" => calendars::save, Doc { summary: "The OAuth callback (the provider redirects the browser here)", auth: Auth::Optional,
            query: &[("code", "string", "Authorization code"), ("state", "string", "The signed state")], ..CALENDARS }),
        endpoint!(POST "/calendars/{calendar}/credentials" => calendars::credentials, Doc { summary: "Connect Apple iCloud (apple) or any CalDAV server (caldav, with serverUrl)", body: Some("CalendarCredentialsInput"), status: 201, ..CALENDARS }),
        endpoint!(GET "/calendars/{calendar}/check" => calendars::check, Doc { summary: "Ask the provider whether the connections work", data: Some("CalendarCheck"), ..CALENDARS }),
        endpoint!(POST "/calendars/{calendar}/disconnect" => calendars::disconnect, Doc { summary: "Remove a connection (the OAuth grant is revoked)", body: Some("DisconnectInput"), ..CALENDARS }),
        endpoint!(POST "/selected-calendars" => calendars::select, Doc { summary: "Make a calendar block availability", body: Some("SelectedCalendarInput"), status: 201, data: Some("SelectedCalendar"), ..CALENDARS }),
        endpoint!(DELETE "/selected-calendars" => calendars::deselect, Doc { summary: "Stop a calendar blocking availability", data: Some("SelectedCalendar"),
            query: &[("integration", "string", "e.g. google_calendar"), ("externalId", "string", "The calendar"), ("credentialId", "integer", "The connection")], ..CALENDARS }),
        endpoint!(PUT "/destination-calendars" => calendars::destination, Doc { summary: "Where bookings are written (the default, or one event type's)", body: Some("DestinationCalendarInput"), data: Some("DestinationCalendar"), ..CALENDARS }),
        endpoint!(GET "/webhooks" => webhooks::list, Doc { summary: "The caller's webhooks", list: true, query: PAGE, ..HOOKS }),
        endpoint!(POST "/webhooks" => webhooks::create, Doc { summary: "Subscribe to the caller's bookings", body: Some("WebhookInput"), status: 201, ..HOOKS }),
        endpoint!(GET "/webhooks/{webhook}" => webhooks::get, Doc { summary: "Get a webhook", ..HOOKS }),
        endpoint!(PATCH "/webhooks/{webhook}" => webhooks::update, Doc { summary: "Change a webhook (fields not sent stay; active=true switches a disabled one back on)", body: Some("WebhookInput"), ..HOOKS }),
        endpoint!(DELETE "/webhooks/{webhook}" => webhooks::delete, Doc { summary: "Delete a webhook and its delivery log", ..HOOKS }),
        endpoint!(POST "/webhooks/{webhook}/ping" => webhooks::ping, Doc { summary: "Send a PING delivery now (Kairos)", status: 201, ..DELIVERIES }),
        endpoint!(GET "/webhooks/{webhook}/deliveries" => webhooks::deliveries, Doc { summary: "The delivery log, newest first (Kairos)", list: true, paginated: true,
            query: &[("status", "string", "pending, delivered, failed or cancelled"), ("triggerEvent", "string", "One trigger event"),
                     ("afterCreatedAt", "string", "Created at or after this instant"), ("beforeCreatedAt", "string", "Created before this instant"),
                     ("take", "integer", "Page size, 1 to 250 (100)"), ("skip", "integer", "Items to skip")], ..DELIVERIES }),
        endpoint!(GET "/webhooks/{webhook}/deliveries/{delivery}" => webhooks::delivery, Doc { summary: "One delivery with its body and every attempt (Kairos)", data: Some("WebhookDeliveryDetail"), ..DELIVERIES }),
        endpoint!(POST "/webhooks/{webhook}/deliveries/{delivery}/redeliver" => webhooks::redeliver, Doc { summary: "Send a finished delivery again: same body, same webhook-id (Kairos)", ..DELIVERIES }),
        endpoint!(GET "/workflows" => workflows::list, Doc { summary: "The caller's workflows (on their personal event types)", list: true, ..FLOWS }),
        endpoint!(POST "/workflows" => workflows::create, Doc { summary: "Create a workflow: a trigger and steps (emails, webhook calls)", body: Some("WorkflowInput"), status: 201, ..FLOWS }),
        endpoint!(POST "/workflows/preview" => workflows::preview, Doc { summary: "One step's message for a sample booking, addressed to the caller (Kairos)", body: Some("WorkflowPreviewInput"), data: Some("WorkflowPreview"), ..FLOWS }),
        endpoint!(GET "/workflows/{id}" => workflows::get, Doc { summary: "Get a workflow", ..FLOWS }),
        endpoint!(PATCH "/workflows/{id}" => workflows::update, Doc { summary: "Change a workflow (fields not sent stay; steps are replaced as a whole; reminders already queued for bookings are re-planned)", body: Some("WorkflowInput"), ..FLOWS }),
        endpoint!(DELETE "/workflows/{id}" => workflows::delete, Doc { summary: "Delete a workflow (its queued steps are withdrawn)", data: None, ..FLOWS }),
        endpoint!(GET "/routing-forms" => routing_forms::list, Doc { summary: "The caller's routing forms", list: true, ..FORMS }),
        endpoint!(POST "/routing-forms" => routing_forms::create, Doc { summary: "Create a routing form: questions and ordered routes ending in a fallback", body: Some("RoutingFormInput"), status: 201, ..FORMS }),
        endpoint!(GET "/routing-forms/{id}" => routing_forms::get, Doc { summary: "Get a routing form", ..FORMS }),
        endpoint!(PATCH "/routing-forms/{id}" => routing_forms::update, Doc { summary: "Change a routing form (fields not sent stay; fields and routes are replaced as a whole)", body: Some("RoutingFormInput"), ..FORMS }),
        endpoint!(DELETE "/routing-forms/{id}" => routing_forms::delete, Doc { summary: "Delete a routing form and its responses", data: None, ..FORMS }),
        endpoint!(GET "/routing-forms/{id}/responses" => routing_forms::responses, Doc { summary: "A routing form's responses, newest first", list: true, paginated: true, data: Some("RoutingFormResponse"), query: PAGE, ..FORMS }),
        endpoint!(POST "/routing-forms/{id}/responses" => routing_forms::submit, Doc { summary: "Submit a routing form (public): the answers are checked and stored, and the route's action answered (FORM_SUBMITTED)", auth: Auth::Optional, body: Some("RoutingFormAnswers"), status: 201, data: Some("RoutingFormResult"), ..FORMS }),
        endpoint!(POST "/routing-forms/{id}/calculate-slots" => routing_forms::calculate_slots, Doc { summary: "Where these answers are routed and, for an event type, its slots over the routed hosts (public; nothing is stored)", auth: Auth::Optional, body: Some("RoutingFormAnswers"), data: Some("RoutingFormSlots"),
            query: &[("start", "string", "First day (UTC date) or instant (ISO 8601)"), ("end", "string", "Last day (UTC date, inclusive) or instant"),
                     ("timeZone", "string", "IANA timezone the slots are grouped and shown in; UTC by default"), ("duration", "integer", "One of the event type's lengths"),
                     ("format", "string", "`range` adds each slot's end")], ..FORMS }),
        endpoint!(GET "/teams" => teams::list, Doc { summary: "The caller's teams", list: true, ..TEAMS }),
        endpoint!(POST "/teams" => teams::create, Doc { summary: "Create a team (the caller becomes its owner)", body: Some("TeamInput"), status: 201, ..TEAMS }),
        endpoint!(GET "/teams/{id}" => teams::get, Doc { summary: "Get a team", ..TEAMS }),
        endpoint!(PATCH "/teams/{id}" => teams::update, Doc { summary: "Change a team", body: Some("TeamInput"), ..TEAMS }),
        endpoint!(DELETE "/teams/{id}" => teams::delete, Doc { summary: "Delete a team", ..TEAMS }),
        endpoint!(GET "/teams/{id}/memberships" => teams::memberships, Doc { summary: "List memberships", list: true, ..MEMBERS }),
        endpoint!(POST "/teams/{id}/memberships" => teams::add_membership, Doc { summary: "Add a member", body: Some("MembershipInput"), status: 201, ..MEMBERS }),
        endpoint!(GET "/teams/{id}/memberships/{membershipId}" => teams::get_membership, Doc { summary: "Get a membership", ..MEMBERS }),
        endpoint!(PATCH "/teams/{id}/memberships/{membershipId}" => teams::update_membership, Doc { summary: "Change a membership", body: Some("MembershipInput"), ..MEMBERS }),
        endpoint!(DELETE "/teams/{id}/memberships/{membershipId}" => teams::delete_membership, Doc { summary: "Remove a member (and their host places)", ..MEMBERS }),
        endpoint!(GET "/teams/{id}/event-types" => event_types::team_list, Doc { summary: "A team's event types", list: true, ..EVENTS }),
        endpoint!(POST "/teams/{id}/event-types" => event_types::team_create, Doc { summary: "Create a team event type with hosts", body: Some("EventTypeInput"), status: 201, ..EVENTS }),
        endpoint!(GET "/teams/{id}/event-types/{eventTypeId}" => event_types::team_get, Doc { summary: "Get a team event type", ..EVENTS }),
        endpoint!(PATCH "/teams/{id}/event-types/{eventTypeId}" => event_types::team_update, Doc { summary: "Change a team event type", body: Some("EventTypeInput"), ..EVENTS }),
        endpoint!(DELETE "/teams/{id}/event-types/{eventTypeId}" => event_types::team_delete, Doc { summary: "Delete a team event type", data: Some("DeletedEventType"), ..EVENTS }),
        endpoint!(GET "/teams/{id}/workflows" => workflows::team_list, Doc { summary: "A team's workflows (admins and owners)", list: true, ..FLOWS }),
        endpoint!(POST "/teams/{id}/workflows" => workflows::team_create, Doc { summary: "Create a team workflow, on all or some of its event types", body: Some("WorkflowInput"), status: 201, ..FLOWS }),
        endpoint!(GET "/teams/{id}/workflows/{workflowId}" => workflows::team_get, Doc { summary: "Get a team workflow", ..FLOWS }),
        endpoint!(PATCH "/teams/{id}/workflows/{workflowId}" => workflows::team_update, Doc { summary: "Change a team workflow", body: Some("WorkflowInput"), ..FLOWS }),
        endpoint!(DELETE "/teams/{id}/workflows/{workflowId}" => workflows::team_delete, Doc { summary: "Delete a team workflow", data: None, ..FLOWS }),
        endpoint!(GET "/teams/{id}/routing-forms" => routing_forms::team_list, Doc { summary: "A team's routing forms (admins and owners)", list: true, ..FORMS }),
        endpoint!(POST "/teams/{id}/routing-forms" => routing_forms::team_create, Doc { summary: "Create a team routing form, routing to the team's event types", body: Some("RoutingFormInput"), status: 201, ..FORMS }),
        endpoint!(GET "/teams/{id}/routing-forms/{formId}" => routing_forms::team_get, Doc { summary: "Get a team routing form", ..FORMS }),
        endpoint!(PATCH "/teams/{id}/routing-forms/{formId}" => routing_forms::team_update, Doc { summary: "Change a team routing form", body: Some("RoutingFormInput"), ..FORMS }),
        endpoint!(DELETE "/teams/{id}/routing-forms/{formId}" => routing_forms::team_delete, Doc { summary: "Delete a team routing form and its responses", data: None, ..FORMS }),
        endpoint!(GET "/teams/{id}/routing-forms/{formId}/responses" => routing_forms::team_responses, Doc { summary: "A team routing form's responses, newest first", list: true, paginated: true, data: Some("RoutingFormResponse"), query: PAGE, ..FORMS }),
        endpoint!(GET "/slots" => slots::get, Doc { summary: "Bookable slots by the booker's date", data: Some("Slots"), query: SLOT_QUERY, ..SLOTS }),
        endpoint!(GET "/slots/available" => slots::get, Doc { summary: "The same under the 2024-04-15 path: with cal-api-version 2024-09-04 the current shape, else Cal.com's 2024-04-15 `{slots}` (`startTime`, `endTime`, `slotFormat` accepted)", data: Some("Slots"), legacy: Some("LegacySlots"), query: SLOT_QUERY, ..SLOTS }),
        endpoint!(POST "/slots/reservations" => slots::reserve, Doc { summary: "Hold a slot while the booker fills in the form", body: Some("ReservationInput"), status: 201, data: Some("Reservation"), ..SLOTS }),
        endpoint!(GET "/slots/reservations/{uid}" => slots::get_reservation, Doc { summary: "Get a hold", data: Some("Reservation"), ..SLOTS }),
        endpoint!(PATCH "/slots/reservations/{uid}" => slots::update_reservation, Doc { summary: "Move or extend a hold", body: Some("ReservationInput"), data: Some("Reservation"), ..SLOTS }),
        endpoint!(DELETE "/slots/reservations/{uid}" => slots::delete_reservation, Doc { summary: "Release a hold", ..SLOTS }),
        endpoint!(GET "/bookings" => bookings::list, Doc { summary: "The caller's and their teams' bookings (cal-api-version 2024-04-15: Cal.com's {bookings, recurringInfo, nextCursor}, with filters[status], limit and cursor)", list: true, paginated: true, query: BOOKING_QUERY, legacy: Some("LegacyBookings"), legacy_on_request: true, ..BOOKINGS }),
        endpoint!(POST "/bookings" => bookings::create, Doc { summary: "Book a slot (header Idempotency-Key makes retries safe); a recurring event type's every occurrence, all or none (`data` is then the list)", auth: Auth::Optional, body: Some("BookingInput"), status: 201, data: Some("BookingOrSeries"), ..BOOKINGS }),
        endpoint!(GET "/bookings/{uid}" => bookings::get, Doc { summary: "Get a booking, or every occurrence of a recurring booking by its recurringBookingUid", data: Some("BookingOrSeries"), legacy: Some("LegacyBookingOrSeries"), legacy_on_request: true, ..BOOKINGS }),
        endpoint!(GET "/bookings/{uid}/history" => bookings::history, Doc { summary: "Every change to the booking, oldest first (Kairos)", data: Some("HistoryEntry"), list: true, ..BOOKINGS }),
        endpoint!(POST "/bookings/{uid}/cancel" => bookings::cancel, Doc { summary: "Cancel a booking or one seat; a recurring booking's remaining occurrences by its recurringBookingUid, or an occurrence and the later ones with cancelSubsequentBookings (`data` is then the list)", auth: Auth::Optional, body: Some("CancelInput"), data: Some("BookingOrSeries"), ..BOOKINGS }),
        endpoint!(POST "/bookings/{uid}/reschedule" => bookings::reschedule, Doc { summary: "Move a booking: returns the new booking", auth: Auth::Optional, body: Some("RescheduleInput"), status: 201, ..BOOKINGS }),
        endpoint!(POST "/bookings/{uid}/confirm" => bookings::confirm, Doc { summary: "Accept a pending booking", ..BOOKINGS }),
        endpoint!(POST "/bookings/{uid}/decline" => bookings::decline, Doc { summary: "Reject a pending booking", body: Some("DeclineInput"), ..BOOKINGS }),
        endpoint!(GET "/insights/bookings" => insights::bookings, Doc { summary: "Booking figures for a period: outcomes over time, lead time, busiest hours, load against weight, page-view conversion (Kairos)", tag: "Insights", data: Some("InsightsBookings"),
            query: &[("start", "string", "First local date (YYYY-MM-DD); with end, else the last 30 days"), ("end", "string", "Last local date (YYYY-MM-DD), at most 366 days after start"),
                     ("timeZone", "string", "IANA timezone of the dates, days and hours; the caller's by default"), ("teamId", "integer", "A team's event types (admins and owners: all members; members: their own)"),
                     ("eventTypeId", "integer", "One event type"), ("userId", "integer", "Only this host (with teamId or eventTypeId)")], ..DOC }),
        endpoint!(PATCH "/bookings/{uid}/location" => booking_changes::location, Doc { summary: "Move the meeting to another place or link; tells everyone (BOOKING_LOCATION_UPDATED)", body: Some("LocationInput"), ..BOOKINGS }),
        endpoint!(POST "/bookings/{uid}/request-reschedule" => booking_changes::request_reschedule, Doc { summary: "Cancel the booking and ask the booker to pick a new time; its link still moves it", body: Some("RequestRescheduleInput"), ..BOOKINGS }),
        endpoint!(POST "/bookings/{uid}/reassign" => booking_changes::reassign_auto, Doc { summary: "Give a round-robin booking to the host the assignment rules pick among those free at its time (BOOKING_REASSIGNED)", body: Some("ReassignInput"), data: Some("Reassigned"), ..BOOKINGS }),
        endpoint!(POST "/bookings/{uid}/reassign/{userId}" => booking_changes::reassign_to, Doc { summary: "Give a round-robin booking to this host of its event type, if free at its time (BOOKING_REASSIGNED)", body: Some("ReassignInput"), data: Some("Reassigned"), ..BOOKINGS }),
        endpoint!(GET "/bookings/{uid}/calendar-links" => booking_changes::calendar_links, Doc { summary: "Links that add the booking to Google Calendar, Microsoft Office, Outlook, or as an .ics", data: Some("CalendarLink"), list: true, ..BOOKINGS }),
        endpoint!(POST "/bookings/{uid}/mark-absent" => bookings::mark_absent, Doc { summary: "Mark the host or attendees absent", body: Some("AbsenceInput"), ..BOOKINGS }),
    ];
    all.push(Endpoint {
        body_limit: Some(availability::MAX_QUERY_BODY),
        ..endpoint!(POST "/availability/query" => availability::query, Doc {
            summary: "Headless availability: a whole situation in, slots out (Kairos)", tag: "Availability",
            body: Some("AvailabilityQuery"), data: Some("Slots"),
            query: &[("format", "string", "`range` adds each slot's end"), ("explain", "string", "An instant to explain")], ..DOC })
    });
    all
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    for endpoint in endpoints() {
        let mut resource = web::resource(endpoint.path)
            .guard(guard::Method(endpoint.method.clone()))
            .route((endpoint.route)());
        if let Some(limit) = endpoint.body_limit {
            resource = resource.app_data(web::PayloadConfig::new(limit));
        }
        cfg.service(resource);
    }
}
