//! A local stand-in for Microsoft identity (v2.0 authorize and token endpoints) and Microsoft
//! Graph v1.0 (calendars, calendarView, events, getSchedule, subscriptions), speaking their
//! wire protocol from in-memory state, with switches for the failures tests need: expired and
//! revoked grants, 429 with Retry-After, 5xx, a hang. Reusable by end-to-end tests:
//! `FakeMicrosoft::start().await`, point the Microsoft config URLs at `.auth_url()`,
//! `.token_url()` and `.graph_url()`, add calendars and events, read what Kairos wrote.

#![allow(dead_code)] // a toolkit: each test uses a part

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::{Value, json};

use kairos::calendars::{Credentials, OAuthApp};
use kairos::secret::Secret;

pub const CLIENT_ID: &str = "kairos-test-client";
pub const CLIENT_SECRET: &str = "kairos-test-secret";
/// The signed-in user's address (`getSchedule` knows it).
pub const MAILBOX: &str = "host@contoso.example";
const USER_ID: &str = "4d5a0c2e-0000-4000-8000-000000000001";

/// A failure the Graph routes answer with instead of their work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// 429 with `Retry-After: seconds`.
    Throttle(u64),
    /// 503 with `Retry-After: seconds`.
    Busy(u64),
    /// This status with a Graph error body.
    Status(u16),
    /// No answer for a minute.
    Hang,
}

#[derive(Default)]
struct State {
    /// Authorization codes -> the redirect URI they were issued for.
    codes: HashMap<String, String>,
    /// Access tokens -> expiry.
    access_tokens: HashMap<String, DateTime<Utc>>,
    refresh_tokens: Vec<String>,
    /// Token lifetime in seconds.
    token_lifetime: i64,
    /// Refresh tokens are refused (`invalid_grant`): consent revoked.
    revoked: bool,
    /// (id, name, default, canEdit)
    calendars: Vec<(String, String, bool, bool)>,
    /// (calendar id, event in Graph's JSON)
    events: Vec<(String, Value)>,
    subscriptions: Vec<Value>,
    page_size: usize,
    failure: Option<(Failure, usize)>,
    /// "METHOD /path" of every request, in order.
    requests: Vec<String>,
    next_id: u64,
}

/// The fake server; cheap to clone.
#[derive(Clone)]
pub struct FakeMicrosoft {
    url: String,
    state: Arc<Mutex<State>>,
}

type Shared = web::Data<Arc<Mutex<State>>>;

impl FakeMicrosoft {
    /// A fake with a default calendar `cal-primary` ("Calendar"), pages of 2 items and
    /// one-hour tokens.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            token_lifetime: 3600,
            page_size: 2,
            calendars: vec![("cal-primary".into(), "Calendar".into(), true, true)],
            ..State::default()
        }));
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/common/oauth2/v2.0/authorize", web::get().to(authorize))
                .route("/common/oauth2/v2.0/token", web::post().to(token))
                .default_service(web::to(graph))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self { url, state }
    }

    pub fn url(&self) -> &str {
        &self.url
    }
    pub fn graph_url(&self) -> String {
        format!("{}/v1.0", self.url)
    }
    pub fn auth_url(&self) -> String {
        format!("{}/common/oauth2/v2.0/authorize", self.url)
    }
    pub fn token_url(&self) -> String {
        format!("{}/common/oauth2/v2.0/token", self.url)
    }

    /// Kairos's Microsoft app pointed at this fake (as `oauth::microsoft_app` builds it).
    pub fn app(&self) -> OAuthApp {
        OAuthApp {
            client_id: CLIENT_ID.into(),
            client_secret: Secret::new(CLIENT_SECRET.into()),
            auth_url: self.auth_url(),
            token_url: self.token_url(),
            revoke_url: None,
            scopes: vec!["offline_access".into(), "Calendars.ReadWrite".into()],
            auth_params: Vec::new(),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    /// Tokens as if the owner had consented: valid now, refreshable.
    pub fn grant(&self) -> Credentials {
        self.with(|s| {
            let (access, refresh, expires) = s.mint();
            Credentials::OAuth {
                access_token: access,
                refresh_token: Some(refresh),
                expires_at: Some(expires),
            }
        })
    }

    /// Every access token stops working now (Graph answers 401), whatever its expiry said.
    pub fn expire_access_tokens(&self) {
        self.with(|s| s.access_tokens.clear());
    }

    /// The owner revoked consent: access tokens fail and refreshes get `invalid_grant`.
    pub fn revoke_grants(&self) {
        self.with(|s| {
            s.access_tokens.clear();
            s.revoked = true;
        });
    }

    /// Tokens minted from now on last this long (`expires_in`).
    pub fn set_token_lifetime(&self, seconds: i64) {
        self.with(|s| s.token_lifetime = seconds);
    }

    pub fn set_page_size(&self, size: usize) {
        self.with(|s| s.page_size = size.max(1));
    }

    /// The next `times` Graph requests fail this way.
    pub fn fail(&self, failure: Failure, times: usize) {
        self.with(|s| s.failure = Some((failure, times)));
    }

    pub fn add_calendar(&self, id: &str, name: &str, can_edit: bool) {
        self.with(|s| s.calendars.push((id.into(), name.into(), false, can_edit)));
    }

    /// Adds an event (Graph's JSON; see [`timed`] and [`all_day`]) and returns its id.
    pub fn add_event(&self, calendar: &str, event: Value) -> String {
        self.with(|s| s.insert(calendar, event))
    }

    /// The events of a calendar as stored (Graph's JSON, extended properties included).
    pub fn events(&self, calendar: &str) -> Vec<Value> {
        self.with(|s| {
            s.events
                .iter()
                .filter(|(c, _)| c == calendar)
                .map(|(_, e)| e.clone())
                .collect()
        })
    }

    pub fn event(&self, id: &str) -> Option<Value> {
        self.with(|s| {
            s.events
                .iter()
                .find(|(_, e)| e["id"] == id)
                .map(|(_, e)| e.clone())
        })
    }

    pub fn subscriptions(&self) -> Vec<Value> {
        self.with(|s| s.subscriptions.clone())
    }

    /// How many requests' "METHOD /path" contains `fragment`.
    pub fn count(&self, fragment: &str) -> usize {
        self.with(|s| s.requests.iter().filter(|r| r.contains(fragment)).count())
    }

    /// Sends a change notification of subscription `id` as Graph does; the receiver's status.
    pub async fn notify(&self, subscription_id: &str, change_type: &str, event_id: &str) -> u16 {
        let subscription = self
            .subscriptions()
            .into_iter()
            .find(|s| s["id"] == subscription_id)
            .expect("no such subscription");
        let resource = format!("Users/{USER_ID}/Events/{event_id}");
        let body = json!({ "value": [{
            "subscriptionId": subscription_id,
            "subscriptionExpirationDateTime": subscription["expirationDateTime"],
            "changeType": change_type,
            "resource": resource,
            "resourceData": {
                "@odata.type": "#Microsoft.Graph.Event",
                "@odata.id": resource,
                "@odata.etag": "W/\"DwAAABYAAAA=\"",
                "id": event_id,
            },
            "clientState": subscription["clientState"],
            "tenantId": "00000000-0000-4000-8000-00000000cafe",
        }]});
        reqwest::Client::new()
            .post(subscription["notificationUrl"].as_str().unwrap())
            .json(&body)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    }
}

/// A timed event in Graph's JSON (times in UTC), busy.
pub fn timed(subject: &str, start: &str, end: &str) -> Value {
    let at = |s: &str| {
        let t: DateTime<Utc> = s.parse().unwrap();
        json!({ "dateTime": graph_date_time(t.naive_utc()), "timeZone": "UTC" })
    };
    json!({ "subject": subject, "start": at(start), "end": at(end), "isAllDay": false,
            "showAs": "busy", "isCancelled": false })
}

/// An all-day event over `[first, after)` as Graph returns it: midnights in the event's zone.
pub fn all_day(subject: &str, first: &str, after: &str, zone: &str) -> Value {
    let at = |d: &str| {
        let date: NaiveDate = d.parse().unwrap();
        json!({ "dateTime": graph_date_time(date.and_hms_opt(0, 0, 0).unwrap()), "timeZone": zone })
    };
    json!({ "subject": subject, "start": at(first), "end": at(after), "isAllDay": true,
            "showAs": "busy", "isCancelled": false })
}

fn graph_date_time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S.0000000").to_string()
}

/// A Graph `dateTimeTimeZone` as an instant (UTC or an IANA zone).
fn instant(value: &Value) -> Option<DateTime<Utc>> {
    let local =
        NaiveDateTime::parse_from_str(value["dateTime"].as_str()?, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    // Windows zone names ("W. Europe Standard Time") are read as UTC: close enough for
    // deciding which events a window lists.
    match value["timeZone"].as_str().map(str::parse::<chrono_tz::Tz>) {
        Some(Ok(tz)) => Some(
            tz.from_local_datetime(&local)
                .earliest()?
                .with_timezone(&Utc),
        ),
        _ => Some(local.and_utc()),
    }
}

impl State {
    fn mint(&mut self) -> (String, String, DateTime<Utc>) {
        self.next_id += 1;
        let access = format!("at-{}-{}", self.next_id, uuid::Uuid::new_v4().simple());
        let refresh = format!("rt-{}-{}", self.next_id, uuid::Uuid::new_v4().simple());
        let expires = Utc::now() + chrono::Duration::seconds(self.token_lifetime);
        self.access_tokens.insert(access.clone(), expires);
        self.refresh_tokens.push(refresh.clone());
        (access, refresh, expires)
    }

    fn insert(&mut self, calendar: &str, mut event: Value) -> String {
        self.next_id += 1;
        let id = format!("AAMkAGI2TG93AAA-{}=", self.next_id);
        event["id"] = json!(id);
        if event["iCalUId"].is_null() {
            event["iCalUId"] = json!(format!(
                "040000008200E00074C5B7101A82E00800000000{:016X}",
                self.next_id
            ));
        }
        event["@odata.etag"] = json!(format!("W/\"etag-{}\"", self.next_id));
        self.events.push((calendar.into(), event));
        id
    }

    fn authorized(&self, request: &HttpRequest) -> bool {
        let header = request
            .headers()
            .get("authorization")
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        header
            .strip_prefix("Bearer ")
            .and_then(|token| self.access_tokens.get(token))
            .is_some_and(|expires| *expires > Utc::now())
    }

    fn take_failure(&mut self) -> Option<Failure> {
        let (failure, left) = self.failure.as_mut()?;
        let failure = *failure;
        *left -= 1;
        if *left == 0 {
            self.failure = None;
        }
        Some(failure)
    }
}

// ---- Microsoft identity ----

async fn authorize(state: Shared, query: web::Query<HashMap<String, String>>) -> HttpResponse {
    let (Some(redirect), Some(client)) = (query.get("redirect_uri"), query.get("client_id")) else {
        return HttpResponse::BadRequest().body("AADSTS900144: missing redirect_uri or client_id");
    };
    if client != CLIENT_ID || query.get("response_type").map(String::as_str) != Some("code") {
        return HttpResponse::BadRequest().body("AADSTS700016: unknown application");
    }
    let code = format!("code-{}", uuid::Uuid::new_v4().simple());
    state
        .lock()
        .unwrap()
        .codes
        .insert(code.clone(), redirect.clone());
    let mut back = url::Url::parse(redirect).unwrap();
    back.query_pairs_mut().append_pair("code", &code);
    if let Some(s) = query.get("state") {
        back.query_pairs_mut().append_pair("state", s);
    }
    HttpResponse::Found()
        .insert_header(("Location", back.to_string()))
        .finish()
}

fn token_error(status: u16, error: &str, description: &str) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(status).unwrap()).json(json!({
        "error": error,
        "error_description": description,
        "error_codes": [70000],
    }))
}

async fn token(state: Shared, form: web::Form<HashMap<String, String>>) -> HttpResponse {
    let mut s = state.lock().unwrap();
    s.requests.push("POST /token".into());
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if field("client_id") != CLIENT_ID || field("client_secret") != CLIENT_SECRET {
        return token_error(
            401,
            "invalid_client",
            "AADSTS7000215: Invalid client secret.",
        );
    }
    let granted = match field("grant_type") {
        "authorization_code" => s
            .codes
            .remove(field("code"))
            .is_some_and(|redirect| redirect == field("redirect_uri")),
        "refresh_token" => {
            !s.revoked && s.refresh_tokens.iter().any(|t| t == field("refresh_token"))
        }
        _ => return token_error(400, "unsupported_grant_type", "AADSTS70003"),
    };
    if !granted {
        return token_error(
            400,
            "invalid_grant",
            "AADSTS70000: The provided grant is invalid.",
        );
    }
    let (access, refresh, _) = s.mint();
    HttpResponse::Ok().json(json!({
        "token_type": "Bearer",
        "scope": "Calendars.ReadWrite User.Read",
        "expires_in": s.token_lifetime,
        "ext_expires_in": s.token_lifetime,
        "access_token": access,
        "refresh_token": refresh,
    }))
}

// ---- Graph ----

fn graph_error(status: u16, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(status).unwrap()).json(json!({
        "error": { "code": code, "message": message,
                   "innerError": { "request-id": uuid::Uuid::new_v4().to_string() } }
    }))
}

fn retry_later(status: u16, code: &str, seconds: u64) -> HttpResponse {
    let mut response = graph_error(status, code, "Please retry later.");
    response.headers_mut().insert(
        actix_web::http::header::RETRY_AFTER,
        actix_web::http::header::HeaderValue::from(seconds),
    );
    response
}

async fn graph(state: Shared, request: HttpRequest, body: web::Bytes) -> HttpResponse {
    let failure = {
        let mut s = state.lock().unwrap();
        s.requests
            .push(format!("{} {}", request.method(), request.path()));
        let failure = s.take_failure();
        if failure.is_none() && !s.authorized(&request) {
            return graph_error(
                401,
                "InvalidAuthenticationToken",
                "Access token has expired or is not yet valid.",
            );
        }
        failure
    };
    match failure {
        Some(Failure::Throttle(seconds)) => {
            return retry_later(429, "TooManyRequests", seconds);
        }
        Some(Failure::Busy(seconds)) => {
            return retry_later(503, "ServiceUnavailable", seconds);
        }
        Some(Failure::Status(status)) => {
            return graph_error(status, "generalException", "General exception.");
        }
        Some(Failure::Hang) => {
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
        None => {}
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    route(&state, &request, body).await
}

async fn route(state: &Shared, request: &HttpRequest, body: Value) -> HttpResponse {
    let path = request.path().strip_prefix("/v1.0/").unwrap_or_default();
    let segments: Vec<String> = path.split('/').map(percent_decode).collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(request.query_string().as_bytes())
            .into_owned()
            .collect();
    let method = request.method().as_str();
    let base = format!("http://{}/v1.0", request.connection_info().host());
    match (method, segments.as_slice()) {
        ("GET", ["me", "calendars"]) => list_calendars(state, &base, &query),
        ("GET", ["me", "calendars", id, "calendarView"]) => calendar_view(state, &base, id, &query),
        ("POST", ["me", "calendars", id, "events"]) => create_event(state, id, body),
        ("PATCH", ["me", "events", id]) => patch_event(state, id, body),
        ("DELETE", ["me", "events", id]) => delete_event(state, id),
        ("POST", ["me", "calendar", "getSchedule"]) => get_schedule(state, body),
        ("POST", ["subscriptions"]) => create_subscription(state, body).await,
        ("PATCH", ["subscriptions", id]) => renew_subscription(state, id, body),
        ("DELETE", ["subscriptions", id]) => delete_subscription(state, id),
        _ => graph_error(400, "BadRequest", "Resource not found for the segment."),
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// One page of `items` from `$skip`, with `@odata.nextLink` when more follow.
fn page(
    items: Vec<Value>,
    size: usize,
    base_link: &str,
    query: &HashMap<String, String>,
) -> HttpResponse {
    let top: usize = query.get("$top").and_then(|t| t.parse().ok()).unwrap_or(10);
    let size = size.min(top).max(1);
    let skip: usize = query.get("$skip").and_then(|t| t.parse().ok()).unwrap_or(0);
    let value: Vec<Value> = items.iter().skip(skip).take(size).cloned().collect();
    let mut answer = json!({ "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#fake", "value": value });
    if skip + size < items.len() {
        let mut link = url::Url::parse(base_link).unwrap();
        {
            let mut pairs = link.query_pairs_mut();
            for (k, v) in query.iter().filter(|(k, _)| *k != "$skip") {
                pairs.append_pair(k, v);
            }
            pairs.append_pair("$skip", &(skip + size).to_string());
        }
        answer["@odata.nextLink"] = json!(link.to_string());
    }
    HttpResponse::Ok().json(answer)
}

fn list_calendars(state: &Shared, base: &str, query: &HashMap<String, String>) -> HttpResponse {
    let s = state.lock().unwrap();
    let items = s
        .calendars
        .iter()
        .map(|(id, name, default, can_edit)| {
            json!({ "id": id, "name": name, "isDefaultCalendar": default, "canEdit": can_edit,
                    "color": "auto", "owner": { "name": "Host", "address": MAILBOX } })
        })
        .collect();
    page(items, s.page_size, &format!("{base}/me/calendars"), query)
}

fn overlaps(event: &Value, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    match (instant(&event["start"]), instant(&event["end"])) {
        (Some(start), Some(end)) => start < to && end > from,
        _ => false,
    }
}

/// The extended property id asked for in `$expand=singleValueExtendedProperties($filter=id eq '…')`.
fn expanded_property(query: &HashMap<String, String>) -> Option<String> {
    let expand = query.get("$expand")?;
    let inner = expand.strip_prefix("singleValueExtendedProperties($filter=id eq '")?;
    Some(inner.strip_suffix("')")?.to_owned())
}

/// An event as Graph lists it: extended properties only when expanded and matching.
fn render(event: &Value, property: Option<&str>) -> Value {
    let mut shown = event.clone();
    let object = shown.as_object_mut().unwrap();
    let properties = object.remove("singleValueExtendedProperties");
    if let (Some(wanted), Some(Value::Array(properties))) = (property, properties) {
        let matching: Vec<Value> = properties
            .into_iter()
            .filter(|p| {
                p["id"]
                    .as_str()
                    .is_some_and(|id| id.eq_ignore_ascii_case(wanted))
            })
            .collect();
        if !matching.is_empty() {
            object.insert(
                "singleValueExtendedProperties".into(),
                Value::Array(matching),
            );
        }
    }
    shown
}

fn calendar_view(
    state: &Shared,
    base: &str,
    calendar: &str,
    query: &HashMap<String, String>,
) -> HttpResponse {
    let s = state.lock().unwrap();
    if !s.calendars.iter().any(|(id, ..)| id == calendar) {
        return graph_error(
            404,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        );
    }
    let parse = |name: &str| {
        query
            .get(name)
            .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    let (Some(from), Some(to)) = (parse("startDateTime"), parse("endDateTime")) else {
        return graph_error(
            400,
            "ErrorInvalidParameter",
            "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
        );
    };
    let property = expanded_property(query);
    let mut items: Vec<&Value> = s
        .events
        .iter()
        .filter(|(c, e)| c == calendar && overlaps(e, from, to))
        .map(|(_, e)| e)
        .collect();
    items.sort_by_key(|e| instant(&e["start"]));
    let items = items
        .into_iter()
        .map(|e| render(e, property.as_deref()))
        .collect();
    let path = format!("{base}/me/calendars/{}/calendarView", urlencode(calendar));
    page(items, s.page_size, &path, query)
}

fn urlencode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

fn create_event(state: &Shared, calendar: &str, body: Value) -> HttpResponse {
    let mut s = state.lock().unwrap();
    let Some((.., can_edit)) = s.calendars.iter().find(|(id, ..)| id == calendar) else {
        return graph_error(
            404,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        );
    };
    if !can_edit {
        return graph_error(
            403,
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
        );
    }
    if let Some(transaction) = body["transactionId"].as_str()
        && let Some((_, existing)) = s
            .events
            .iter()
            .find(|(_, e)| e["transactionId"] == transaction)
    {
        return HttpResponse::Created().json(render(existing, None));
    }
    let mut event = body;
    for (key, default) in [
        ("showAs", json!("busy")),
        ("isCancelled", json!(false)),
        ("isAllDay", json!(false)),
    ] {
        if event[key].is_null() {
            event[key] = default;
        }
    }
    if event["isOnlineMeeting"] == true && event["onlineMeetingProvider"] == "teamsForBusiness" {
        event["onlineMeeting"] = json!({
            "joinUrl": format!(
                "https://teams.microsoft.com/l/meetup-join/19%3ameeting_{}%40thread.v2/0",
                uuid::Uuid::new_v4().simple()
            )
        });
    }
    event["organizer"] = json!({ "emailAddress": { "name": "Host", "address": MAILBOX } });
    let id = s.insert(calendar, event);
    let stored = s
        .events
        .iter()
        .find(|(_, e)| e["id"] == id)
        .unwrap()
        .1
        .clone();
    HttpResponse::Created().json(render(&stored, None))
}

fn patch_event(state: &Shared, id: &str, body: Value) -> HttpResponse {
    let mut s = state.lock().unwrap();
    s.next_id += 1;
    let etag = format!("W/\"etag-{}\"", s.next_id);
    let Some((_, event)) = s.events.iter_mut().find(|(_, e)| e["id"] == id) else {
        return graph_error(
            404,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        );
    };
    if let Value::Object(changes) = body {
        for (key, value) in changes {
            event[key] = value;
        }
    }
    event["@odata.etag"] = json!(etag);
    HttpResponse::Ok().json(render(event, None))
}

fn delete_event(state: &Shared, id: &str) -> HttpResponse {
    let mut s = state.lock().unwrap();
    let before = s.events.len();
    s.events.retain(|(_, e)| e["id"] != id);
    if s.events.len() == before {
        return graph_error(
            404,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        );
    }
    HttpResponse::NoContent().finish()
}

fn get_schedule(state: &Shared, body: Value) -> HttpResponse {
    let s = state.lock().unwrap();
    let (Some(from), Some(to)) = (instant(&body["startTime"]), instant(&body["endTime"])) else {
        return graph_error(
            400,
            "ErrorInvalidParameter",
            "startTime and endTime are required",
        );
    };
    let schedules = body["schedules"].as_array().cloned().unwrap_or_default();
    let value: Vec<Value> = schedules
        .iter()
        .map(|who| {
            if who != MAILBOX {
                return json!({ "scheduleId": who, "availabilityView": "",
                    "error": { "message": "The user's mailbox was not found.", "responseCode": "ErrorMailRecipientNotFound" } });
            }
            let items: Vec<Value> = s
                .events
                .iter()
                .filter(|(c, e)| c == "cal-primary" && overlaps(e, from, to) && e["isCancelled"] != true)
                .map(|(_, e)| json!({
                    "isPrivate": false, "status": e["showAs"], "subject": e["subject"],
                    "start": e["start"], "end": e["end"],
                }))
                .collect();
            json!({ "scheduleId": who, "availabilityView": "", "scheduleItems": items })
        })
        .collect();
    HttpResponse::Ok().json(json!({ "value": value }))
}

/// Graph validates the notification URL before it creates a subscription: a POST with
/// `?validationToken=…` that must be answered 200, text/plain, the token, within 10 s.
async fn validate(notification_url: &str) -> bool {
    let token = format!(
        "Validation: Testing client application {}",
        uuid::Uuid::new_v4()
    );
    let mut url = match url::Url::parse(notification_url) {
        Ok(url) => url,
        Err(_) => return false,
    };
    url.query_pairs_mut().append_pair("validationToken", &token);
    let answer = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "text/plain; charset=utf-8")
        .timeout(Duration::from_secs(10))
        .send()
        .await;
    let Ok(answer) = answer else { return false };
    let plain = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    answer.status() == 200 && plain && answer.text().await.is_ok_and(|t| t == token)
}

async fn create_subscription(state: &Shared, body: Value) -> HttpResponse {
    let expires = body["expirationDateTime"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc));
    let Some(expires) = expires.filter(|t| *t <= Utc::now() + chrono::Duration::minutes(10_080))
    else {
        return graph_error(
            400,
            "ExtensionError",
            "Subscription expiration can only be 10080 minutes in the future.",
        );
    };
    let url = body["notificationUrl"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if !validate(&url).await {
        return graph_error(
            400,
            "ValidationError",
            "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.",
        );
    }
    let subscription = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "resource": body["resource"],
        "changeType": body["changeType"],
        "clientState": body["clientState"],
        "notificationUrl": url,
        "expirationDateTime": expires.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "applicationId": CLIENT_ID,
        "creatorId": USER_ID,
    });
    state
        .lock()
        .unwrap()
        .subscriptions
        .push(subscription.clone());
    HttpResponse::Created().json(subscription)
}

fn renew_subscription(state: &Shared, id: &str, body: Value) -> HttpResponse {
    let mut s = state.lock().unwrap();
    let Some(subscription) = s.subscriptions.iter_mut().find(|x| x["id"] == id) else {
        return graph_error(404, "ResourceNotFound", "The object was not found.");
    };
    subscription["expirationDateTime"] = body["expirationDateTime"].clone();
    HttpResponse::Ok().json(subscription.clone())
}

fn delete_subscription(state: &Shared, id: &str) -> HttpResponse {
    let mut s = state.lock().unwrap();
    let before = s.subscriptions.len();
    s.subscriptions.retain(|x| x["id"] != id);
    if s.subscriptions.len() == before {
        return graph_error(404, "ResourceNotFound", "The object was not found.");
    }
    HttpResponse::NoContent().finish()
}
