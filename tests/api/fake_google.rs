//! A local stand-in for Google (OAuth and Calendar API v3) on port 0, speaking Google's wire
//! protocol with its state in memory: consent redirect, token endpoint (expiring access tokens,
//! refresh, `invalid_grant`), revoke, calendarList, events (list with paging, time range and
//! sync tokens; insert, import, patch, delete; Meet links), freeBusy, watch and channels.stop.
//! Every Calendar API call needs a live bearer token. Switches make it answer 429, 403
//! rate-limit, 500 or hang, so the provider's error handling can be driven end to end.

use std::collections::{HashMap, HashSet};
use std::net::TcpListener;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

use kairos::calendars::OAuthApp;
use kairos::secret::Secret;

pub const CLIENT_ID: &str = "fake-client-id";
pub const CLIENT_SECRET: &str = "fake-client-secret";

/// A failure mode of the Calendar API (the OAuth endpoints keep working).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// 429 with `Retry-After: seconds`.
    TooManyRequests { retry_after: u64 },
    /// 403 with reason `userRateLimitExceeded`, as Google sends for per-user quotas.
    UserRateLimit,
    /// 500 backendError.
    ServerError,
    /// No answer for an hour.
    Hang,
}

#[derive(Debug, Clone)]
pub struct FakeCalendar {
    pub id: String,
    pub summary: String,
    pub primary: bool,
    pub access_role: String,
    pub time_zone: String,
}

#[derive(Default)]
struct State {
    next_id: u64,
    /// Codes handed out by `/auth`, not yet exchanged.
    codes: HashSet<String>,
    /// Live access tokens and when they expire.
    access_tokens: HashMap<String, DateTime<Utc>>,
    refresh_tokens: HashSet<String>,
    /// Which refresh token each access token was issued under (revoking one revokes both).
    grants: HashMap<String, String>,
    token_lifetime_secs: i64,
    refresh_refused: bool,
    calendars: Vec<FakeCalendar>,
    /// Every event with its calendar and the change sequence that last touched it.
    events: Vec<(String, u64, Value)>,
    /// The change counter; sync tokens are `sync-{n}`.
    sequence: u64,
    /// Sync tokens older than this answer 410.
    oldest_sync: u64,
    page_size: usize,
    failure: Option<Failure>,
    failures_left: u64,
    requests: Vec<(String, String)>,
    authorize_queries: Vec<HashMap<String, String>>,
    revoked: Vec<String>,
    freebusy_requests: Vec<Value>,
    channels: HashMap<String, Value>,
    /// The longest a channel lives, whatever its `ttl` asks (Google may shorten it).
    channel_lifetime_cap: Option<i64>,
    /// Where each channel's notifications go (its `address`).
    channel_addresses: HashMap<String, String>,
    /// Conference create requests seen, by calendar and request id: Google ignores one
    /// repeated for the same calendar, and every other calendar makes its own meeting.
    meetings: HashMap<(String, String), String>,
    /// The account adds a Meet to every event written into it, asked or not (Google's
    /// "Automatically add Google Meet video conferences to events I create").
    meet_always: bool,
}

impl State {
    fn next(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{}", self.next_id)
    }

    fn issue_access_token(&mut self, refresh: &str) -> (String, i64) {
        let token = self.next("ya29.access-");
        self.grants.insert(token.clone(), refresh.to_owned());
        let lifetime = self.token_lifetime_secs;
        self.access_tokens.insert(
            token.clone(),
            Utc::now() + chrono::Duration::seconds(lifetime),
        );
        (token, lifetime)
    }
}

#[derive(Clone)]
pub struct FakeGoogle {
    url: String,
    state: Arc<Mutex<State>>,
}

impl FakeGoogle {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            token_lifetime_secs: 3600,
            page_size: 2,
            ..State::default()
        }));
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/auth", web::get().to(authorize))
                .route("/token", web::post().to(token))
                .route("/revoke", web::post().to(revoke))
                .service(web::scope("/calendar/v3").default_service(web::to(calendar_api)))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self { url, state }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// The root of everything (`google_api_url`); OAuth is at `/auth`, `/token`, `/revoke`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// An OAuth app whose endpoints are this server's.
    pub fn app(&self) -> OAuthApp {
        OAuthApp {
            client_id: CLIENT_ID.into(),
            client_secret: Secret::new(CLIENT_SECRET.to_owned()),
            auth_url: format!("{}/auth", self.url),
            token_url: format!("{}/token", self.url),
            revoke_url: Some(format!("{}/revoke", self.url)),
            scopes: vec!["https://www.googleapis.com/auth/calendar.events".into()],
            auth_params: vec![("access_type".into(), "offline".into())],
        }
    }

    /// Issues a grant directly (as if the consent round trip happened): (access, refresh).
    pub fn grant(&self) -> (String, String) {
        let mut state = self.state();
        let refresh = state.next("1//refresh-");
        let (access, _) = state.issue_access_token(&refresh);
        state.refresh_tokens.insert(refresh.clone());
        (access, refresh)
    }

    /// Makes `access_token` expired now (it answers 401 from here on).
    pub fn expire(&self, access_token: &str) {
        self.state().access_tokens.insert(
            access_token.to_owned(),
            Utc::now() - chrono::Duration::seconds(1),
        );
    }

    pub fn set_token_lifetime(&self, seconds: i64) {
        self.state().token_lifetime_secs = seconds;
    }

    /// From now on, refreshing answers 400 `invalid_grant` (consent revoked at Google).
    pub fn refuse_refresh(&self) {
        self.state().refresh_refused = true;
    }

    /// Revokes every grant: access and refresh tokens stop working.
    pub fn revoke_all(&self) {
        let mut state = self.state();
        state.access_tokens.clear();
        state.refresh_tokens.clear();
    }

    pub fn revoked(&self) -> Vec<String> {
        self.state().revoked.clone()
    }

    pub fn authorize_queries(&self) -> Vec<HashMap<String, String>> {
        self.state().authorize_queries.clone()
    }

    /// The account adds a Meet link to every event written from now on, asked or not.
    pub fn add_meet_to_every_event(&self) {
        self.state().meet_always = true;
    }

    pub fn add_calendar(&self, id: &str, summary: &str, primary: bool, role: &str, zone: &str) {
        self.state().calendars.push(FakeCalendar {
            id: id.into(),
            summary: summary.into(),
            primary,
            access_role: role.into(),
            time_zone: zone.into(),
        });
    }

    /// Adds an event (Google's JSON; `id` and `iCalUID` are filled in when absent); returns its id.
    pub fn add_event(&self, calendar: &str, mut event: Value) -> String {
        let mut state = self.state();
        let id = match event["id"].as_str() {
            Some(id) => id.to_owned(),
            None => state.next("evt"),
        };
        event["id"] = json!(id);
        if event["iCalUID"].is_null() {
            event["iCalUID"] = json!(format!("{id}@google.com"));
        }
        if event["status"].is_null() {
            event["status"] = json!("confirmed");
        }
        state.sequence += 1;
        let sequence = state.sequence;
        state.events.push((calendar.to_owned(), sequence, event));
        id
    }

    /// Changes an existing event's fields (a change the sync token reports).
    pub fn change_event(&self, id: &str, changes: Value) {
        let mut state = self.state();
        state.sequence += 1;
        let sequence = state.sequence;
        let (_, seq, event) = state
            .events
            .iter_mut()
            .find(|(_, _, e)| e["id"] == id)
            .expect("no such event");
        merge(event, &changes);
        *seq = sequence;
    }

    /// The event as stored, by id.
    pub fn event(&self, id: &str) -> Option<Value> {
        self.state()
            .events
            .iter()
            .find(|(_, _, e)| e["id"] == id)
            .map(|(_, _, e)| e.clone())
    }

    /// Every event of `calendar`, as stored (cancelled ones included).
    pub fn events(&self, calendar: &str) -> Vec<Value> {
        self.state()
            .events
            .iter()
            .filter(|(c, _, _)| c == calendar)
            .map(|(_, _, e)| e.clone())
            .collect()
    }

    /// Makes every sync token issued so far stale (410 Gone).
    pub fn expire_sync_tokens(&self) {
        let mut state = self.state();
        state.sequence += 1;
        state.oldest_sync = state.sequence;
    }

    pub fn set_page_size(&self, size: usize) {
        self.state().page_size = size;
    }

    /// The next `times` Calendar API calls fail this way.
    pub fn fail(&self, failure: Failure, times: u64) {
        let mut state = self.state();
        state.failure = Some(failure);
        state.failures_left = times;
    }

    /// (method, path) of every request, in order.
    pub fn requests(&self) -> Vec<(String, String)> {
        self.state().requests.clone()
    }

    /// How many requests went to paths ending with `suffix` with `method`.
    pub fn count(&self, method: &str, suffix: &str) -> usize {
        self.state()
            .requests
            .iter()
            .filter(|(m, p)| m == method && p.ends_with(suffix))
            .count()
    }

    pub fn freebusy_requests(&self) -> Vec<Value> {
        self.state().freebusy_requests.clone()
    }

    /// Open channels by id (their JSON as Google answered it).
    pub fn channels(&self) -> HashMap<String, Value> {
        self.state().channels.clone()
    }

    /// Channels opened from now on live at most `seconds`.
    pub fn set_channel_lifetime(&self, seconds: i64) {
        self.state().channel_lifetime_cap = Some(seconds);
    }

    /// The address channel `id` was opened with.
    pub fn channel_address(&self, id: &str) -> Option<String> {
        self.state().channel_addresses.get(id).cloned()
    }

    /// Sends a push notification of channel `id` as Google does (headers only, no body), with
    /// the channel's own token unless `token` says otherwise; the receiver's status.
    pub async fn notify(&self, id: &str, resource_state: &str, token: Option<&str>) -> u16 {
        let channel = self.channels().get(id).cloned().expect("no such channel");
        let address = self.channel_address(id).expect("no such channel");
        let token = token
            .map(str::to_owned)
            .or_else(|| channel["token"].as_str().map(str::to_owned))
            .unwrap_or_default();
        reqwest::Client::new()
            .post(address)
            .header("X-Goog-Channel-ID", id)
            .header("X-Goog-Channel-Token", token)
            .header("X-Goog-Channel-Expiration", "Tue, 19 Nov 2030 01:13:52 GMT")
            .header(
                "X-Goog-Resource-ID",
                channel["resourceId"].as_str().unwrap_or_default(),
            )
            .header(
                "X-Goog-Resource-URI",
                channel["resourceUri"].as_str().unwrap_or_default(),
            )
            .header("X-Goog-Resource-State", resource_state)
            .header("X-Goog-Message-Number", "2")
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    }
}

/// Overwrites `target`'s top-level fields with `changes`' (PATCH semantics for our uses).
fn merge(target: &mut Value, changes: &Value) {
    if let (Some(target), Some(changes)) = (target.as_object_mut(), changes.as_object()) {
        for (key, value) in changes {
            target.insert(key.clone(), value.clone());
        }
    }
}

fn google_error(status: u16, reason: &str, message: &str) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(status).unwrap()).json(json!({
        "error": {
            "code": status,
            "message": message,
            "errors": [{"domain": "global", "reason": reason, "message": message}],
        }
    }))
}

type Shared = web::Data<Arc<Mutex<State>>>;

async fn authorize(state: Shared, query: web::Query<HashMap<String, String>>) -> HttpResponse {
    let query = query.into_inner();
    let mut state = state.lock().unwrap();
    state.authorize_queries.push(query.clone());
    let (Some(redirect), Some(client)) = (query.get("redirect_uri"), query.get("client_id")) else {
        return HttpResponse::BadRequest().body("missing redirect_uri or client_id");
    };
    if client != CLIENT_ID {
        return HttpResponse::BadRequest().body("invalid_client");
    }
    let code = state.next("4/code-");
    state.codes.insert(code.clone());
    let mut target = url::Url::parse(redirect).unwrap();
    target.query_pairs_mut().append_pair("code", &code);
    if let Some(s) = query.get("state") {
        target.query_pairs_mut().append_pair("state", s);
    }
    HttpResponse::Found()
        .insert_header(("location", target.to_string()))
        .finish()
}

fn token_error(error: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({"error": error, "error_description": error}))
}

async fn token(state: Shared, form: web::Form<HashMap<String, String>>) -> HttpResponse {
    let form = form.into_inner();
    let mut state = state.lock().unwrap();
    if form.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || form.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET)
    {
        return HttpResponse::Unauthorized().json(json!({"error": "invalid_client"}));
    }
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let code = form.get("code").cloned().unwrap_or_default();
            if !state.codes.remove(&code) {
                return token_error("invalid_grant");
            }
            let refresh = state.next("1//refresh-");
            let (access, lifetime) = state.issue_access_token(&refresh);
            state.refresh_tokens.insert(refresh.clone());
            HttpResponse::Ok().json(json!({
                "access_token": access, "token_type": "Bearer", "expires_in": lifetime,
                "refresh_token": refresh,
                "scope": "https://www.googleapis.com/auth/calendar.events",
            }))
        }
        Some("refresh_token") => {
            let refresh = form.get("refresh_token").cloned().unwrap_or_default();
            if state.refresh_refused || !state.refresh_tokens.contains(&refresh) {
                return token_error("invalid_grant");
            }
            let (access, lifetime) = state.issue_access_token(&refresh);
            // Google sends no new refresh token on a refresh.
            HttpResponse::Ok().json(json!({
                "access_token": access, "token_type": "Bearer", "expires_in": lifetime,
            }))
        }
        _ => token_error("unsupported_grant_type"),
    }
}

async fn revoke(state: Shared, form: web::Form<HashMap<String, String>>) -> HttpResponse {
    let mut state = state.lock().unwrap();
    let Some(token) = form.get("token").cloned() else {
        return token_error("invalid_request");
    };
    // Google revokes the whole grant: the refresh token and every access token under it.
    let refresh = state
        .grants
        .get(&token)
        .cloned()
        .unwrap_or_else(|| token.clone());
    let known = state.refresh_tokens.remove(&refresh) | state.access_tokens.contains_key(&token);
    let State {
        grants,
        access_tokens,
        ..
    } = &mut *state;
    grants.retain(|access, r| {
        let keep = *r != refresh;
        if !keep {
            access_tokens.remove(access);
        }
        keep
    });
    state.revoked.push(token);
    if known {
        HttpResponse::Ok().finish()
    } else {
        token_error("invalid_token")
    }
}

enum Admission {
    Pass,
    Hang,
    Refuse(HttpResponse),
}

/// The bearer check and the failure switches.
fn admit(state: &mut State, request: &HttpRequest) -> Admission {
    let authorized = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|token| state.access_tokens.get(token))
        .is_some_and(|expiry| *expiry > Utc::now());
    if !authorized {
        return Admission::Refuse(google_error(401, "authError", "Invalid Credentials"));
    }
    let Some(failure) = state.failure.clone().filter(|_| state.failures_left > 0) else {
        return Admission::Pass;
    };
    state.failures_left -= 1;
    Admission::Refuse(match failure {
        Failure::TooManyRequests { retry_after } => {
            let mut response = google_error(429, "rateLimitExceeded", "Rate Limit Exceeded");
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                retry_after.to_string().parse().unwrap(),
            );
            response
        }
        Failure::UserRateLimit => google_error(403, "userRateLimitExceeded", "User Rate Limit"),
        Failure::ServerError => google_error(500, "backendError", "Backend Error"),
        Failure::Hang => return Admission::Hang,
    })
}

/// The Calendar API: bearer check, failure switches, then the route.
async fn calendar_api(state: Shared, request: HttpRequest, body: web::Bytes) -> HttpResponse {
    let path = request.path().trim_start_matches("/calendar/v3").to_owned();
    let method = request.method().as_str().to_owned();
    let query: HashMap<String, Vec<String>> =
        url::form_urlencoded::parse(request.query_string().as_bytes())
            .into_owned()
            .fold(HashMap::new(), |mut map, (k, v)| {
                map.entry(k).or_default().push(v);
                map
            });
    let admitted = {
        let mut state = state.lock().unwrap();
        state.requests.push((method.clone(), path.clone()));
        admit(&mut state, &request)
    };
    match admitted {
        Admission::Refuse(refusal) => return refusal,
        Admission::Hang => tokio::time::sleep(Duration::from_secs(3600)).await,
        Admission::Pass => {}
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(percent_decode)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let mut state = state.lock().unwrap();
    let one = |name: &str| query.get(name).and_then(|v| v.first()).cloned();
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["users", "me", "calendarList"]) => calendar_list(&state, one("pageToken")),
        ("GET", ["calendars", calendar, "events"]) => list_events(&state, calendar, &one),
        ("POST", ["calendars", calendar, "events"]) => {
            write_event(&mut state, calendar, body, &one, false)
        }
        ("POST", ["calendars", calendar, "events", "import"]) => {
            write_event(&mut state, calendar, body, &one, true)
        }
        ("POST", ["calendars", calendar, "events", "watch"]) => watch(&mut state, calendar, body),
        ("PATCH", ["calendars", calendar, "events", id]) => {
            patch_event(&mut state, calendar, id, body, &one)
        }
        ("DELETE", ["calendars", calendar, "events", id]) => delete_event(&mut state, calendar, id),
        ("POST", ["freeBusy"]) => freebusy(&mut state, body),
        ("POST", ["channels", "stop"]) => {
            let id = body["id"].as_str().unwrap_or_default();
            match state.channels.remove(id) {
                Some(channel) if channel["resourceId"] == body["resourceId"] => {
                    HttpResponse::NoContent().finish()
                }
                _ => google_error(404, "notFound", "Channel not found"),
            }
        }
        _ => google_error(404, "notFound", "Not Found"),
    }
}

fn percent_decode(segment: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", segment.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Pages of `items` from `page_token` (`p{offset}`); the next token when more remain.
fn page<T: Clone>(
    items: &[T],
    size: usize,
    page_token: Option<String>,
) -> (Vec<T>, Option<String>) {
    let offset: usize = page_token
        .and_then(|t| t.strip_prefix('p').and_then(|n| n.parse().ok()))
        .unwrap_or(0);
    let end = (offset + size.max(1)).min(items.len());
    let next = (end < items.len()).then(|| format!("p{end}"));
    (items[offset.min(end)..end].to_vec(), next)
}

fn calendar_list(state: &State, page_token: Option<String>) -> HttpResponse {
    let entries: Vec<Value> = state
        .calendars
        .iter()
        .map(|c| {
            json!({
                "kind": "calendar#calendarListEntry", "id": c.id, "summary": c.summary,
                "primary": c.primary, "accessRole": c.access_role, "timeZone": c.time_zone,
            })
        })
        .collect();
    let (items, next) = page(&entries, state.page_size, page_token);
    let mut answer = json!({"kind": "calendar#calendarList", "items": items});
    if let Some(next) = next {
        answer["nextPageToken"] = json!(next);
    }
    HttpResponse::Ok().json(answer)
}

/// An event's span for range filtering; all-day dates are taken a day wide on either side,
/// which is enough for a fake (the client resolves the real local days).
fn span(event: &Value) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let at = |time: &Value, slack: i64| -> Option<DateTime<Utc>> {
        if let Some(dt) = time["dateTime"].as_str() {
            return DateTime::parse_from_rfc3339(dt).ok().map(|d| d.to_utc());
        }
        let date = NaiveDate::parse_from_str(time["date"].as_str()?, "%Y-%m-%d").ok()?;
        Some(date.and_hms_opt(0, 0, 0)?.and_utc() + chrono::Duration::days(slack))
    };
    Some((at(&event["start"], -1)?, at(&event["end"], 1)?))
}

fn list_events(
    state: &State,
    calendar: &str,
    one: &dyn Fn(&str) -> Option<String>,
) -> HttpResponse {
    let Some(cal) = state.calendars.iter().find(|c| c.id == calendar) else {
        return google_error(404, "notFound", "Not Found");
    };
    if one("singleEvents").as_deref() != Some("true") {
        return google_error(400, "invalid", "this fake only lists singleEvents=true");
    }
    let sync_token = one("syncToken");
    let mut events: Vec<Value> = match &sync_token {
        Some(token) => {
            if one("timeMin").is_some() || one("timeMax").is_some() {
                return google_error(400, "invalid", "syncToken cannot be used with timeMin");
            }
            let since: Option<u64> = token.strip_prefix("sync-").and_then(|n| n.parse().ok());
            let Some(since) = since.filter(|s| *s >= state.oldest_sync) else {
                return google_error(410, "fullSyncRequired", "Sync token is no longer valid");
            };
            state
                .events
                .iter()
                .filter(|(c, seq, _)| c == calendar && *seq > since)
                .map(|(_, _, e)| e.clone())
                .collect()
        }
        None => {
            let bound = |name: &str| {
                one(name).and_then(|t| DateTime::parse_from_rfc3339(&t).ok().map(|d| d.to_utc()))
            };
            let (from, to) = (bound("timeMin"), bound("timeMax"));
            state
                .events
                .iter()
                .filter(|(c, _, _)| c == calendar)
                .filter(|(_, _, e)| {
                    span(e).is_some_and(|(start, end)| {
                        from.is_none_or(|f| end > f) && to.is_none_or(|t| start < t)
                    })
                })
                .map(|(_, _, e)| e.clone())
                .collect()
        }
    };
    events.sort_by_key(|e| span(e).map(|(s, _)| s));
    let (items, next) = page(&events, state.page_size, one("pageToken"));
    let mut answer = json!({
        "kind": "calendar#events", "summary": cal.summary, "timeZone": cal.time_zone,
        "accessRole": cal.access_role, "items": items,
    });
    match next {
        Some(next) => answer["nextPageToken"] = json!(next),
        None => answer["nextSyncToken"] = json!(format!("sync-{}", state.sequence)),
    }
    HttpResponse::Ok().json(answer)
}

/// Fills in what Google makes for a conference `createRequest` when the client says
/// `conferenceDataVersion=1`.
fn conference(
    state: &mut State,
    calendar: &str,
    event: &mut Value,
    one: &dyn Fn(&str) -> Option<String>,
) {
    let wants = !event["conferenceData"]["createRequest"].is_null();
    if !wants {
        return;
    }
    if one("conferenceDataVersion").as_deref() != Some("1") {
        event.as_object_mut().unwrap().remove("conferenceData");
        return;
    }
    let request_id = event["conferenceData"]["createRequest"]["requestId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let key = (calendar.to_owned(), request_id);
    let link = match state.meetings.get(&key) {
        Some(link) => link.clone(),
        None => {
            let link = format!("https://meet.google.com/{}", state.next("abc-defg-"));
            state.meetings.insert(key, link.clone());
            link
        }
    };
    event["hangoutLink"] = json!(link);
    event["conferenceData"]["entryPoints"] =
        json!([{"entryPointType": "video", "uri": link, "label": link}]);
    event["conferenceData"]["conferenceSolution"] =
        json!({"key": {"type": "hangoutsMeet"}, "name": "Google Meet"});
    event["conferenceData"]["createRequest"]["status"] = json!({"statusCode": "success"});
}

fn write_event(
    state: &mut State,
    calendar: &str,
    mut event: Value,
    one: &dyn Fn(&str) -> Option<String>,
    import: bool,
) -> HttpResponse {
    if !state.calendars.iter().any(|c| c.id == calendar) {
        return google_error(404, "notFound", "Not Found");
    }
    if import && event["iCalUID"].as_str().is_none() {
        return google_error(400, "required", "Missing iCalUID");
    }
    if event["start"].is_null() || event["end"].is_null() {
        return google_error(400, "required", "Missing time");
    }
    conference(state, calendar, &mut event, one);
    if state.meet_always && event["hangoutLink"].is_null() {
        event["hangoutLink"] = json!(format!(
            "https://meet.google.com/{}",
            state.next("unasked-")
        ));
    }
    state.sequence += 1;
    let sequence = state.sequence;
    // Importing an iCalUID the calendar has updates that event, as Google does.
    let existing = state
        .events
        .iter()
        .position(|(c, _, e)| import && c == calendar && e["iCalUID"] == event["iCalUID"]);
    let id = match existing {
        Some(index) => state.events[index].2["id"].as_str().unwrap().to_owned(),
        None => state.next("evt"),
    };
    event["id"] = json!(id);
    event["etag"] = json!(format!("\"{sequence}\""));
    event["kind"] = json!("calendar#event");
    if !import || event["iCalUID"].is_null() {
        // events.insert makes its own iCalUID.
        event["iCalUID"] = json!(format!("{id}@google.com"));
    }
    if event["status"].is_null() {
        event["status"] = json!("confirmed");
    }
    match existing {
        Some(index) => state.events[index] = (calendar.to_owned(), sequence, event.clone()),
        None => state
            .events
            .push((calendar.to_owned(), sequence, event.clone())),
    }
    HttpResponse::Ok().json(event)
}

fn patch_event(
    state: &mut State,
    calendar: &str,
    id: &str,
    mut changes: Value,
    one: &dyn Fn(&str) -> Option<String>,
) -> HttpResponse {
    conference(state, calendar, &mut changes, one);
    state.sequence += 1;
    let sequence = state.sequence;
    let Some((_, seq, event)) = state
        .events
        .iter_mut()
        .find(|(c, _, e)| c == calendar && e["id"] == id)
    else {
        return google_error(404, "notFound", "Not Found");
    };
    merge(event, &changes);
    event["etag"] = json!(format!("\"{sequence}\""));
    *seq = sequence;
    HttpResponse::Ok().json(event.clone())
}

fn delete_event(state: &mut State, calendar: &str, id: &str) -> HttpResponse {
    state.sequence += 1;
    let sequence = state.sequence;
    let Some((_, seq, event)) = state
        .events
        .iter_mut()
        .find(|(c, _, e)| c == calendar && e["id"] == id)
    else {
        return google_error(404, "notFound", "Not Found");
    };
    if event["status"] == "cancelled" {
        return google_error(410, "deleted", "Resource has been deleted");
    }
    event["status"] = json!("cancelled");
    *seq = sequence;
    HttpResponse::NoContent().finish()
}

fn watch(state: &mut State, calendar: &str, request: Value) -> HttpResponse {
    if request["type"] != "web_hook" || request["address"].as_str().is_none() {
        return google_error(400, "invalid", "type web_hook and an address are required");
    }
    let ttl: i64 = request["params"]["ttl"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or(604_800);
    let ttl = state.channel_lifetime_cap.map_or(ttl, |cap| ttl.min(cap));
    let resource = state.next("resource-");
    let channel = json!({
        "kind": "api#channel",
        "id": request["id"],
        "resourceId": resource,
        "resourceUri": format!("https://www.googleapis.com/calendar/v3/calendars/{calendar}/events"),
        "token": request["token"],
        "expiration": (Utc::now() + chrono::Duration::seconds(ttl)).timestamp_millis().to_string(),
    });
    let id = request["id"].as_str().unwrap_or_default().to_owned();
    let address = request["address"].as_str().unwrap_or_default().to_owned();
    state.channel_addresses.insert(id.clone(), address);
    state.channels.insert(id, channel.clone());
    HttpResponse::Ok().json(channel)
}

fn freebusy(state: &mut State, request: Value) -> HttpResponse {
    state.freebusy_requests.push(request.clone());
    let bound = |name: &str| {
        request[name]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|d| d.to_utc())
    };
    let (Some(from), Some(to)) = (bound("timeMin"), bound("timeMax")) else {
        return google_error(400, "required", "Missing timeMin or timeMax");
    };
    if to - from > chrono::Duration::days(90) {
        return google_error(400, "timeRangeTooLong", "The time range is too long");
    }
    let items = request["items"].as_array().cloned().unwrap_or_default();
    let mut calendars = serde_json::Map::new();
    for item in &items {
        let id = item["id"].as_str().unwrap_or_default().to_owned();
        if items.len() > 50 {
            calendars.insert(id, json!({"errors": [{"domain": "usageLimits", "reason": "tooManyCalendarsRequested"}]}));
            continue;
        }
        if !state.calendars.iter().any(|c| c.id == id) {
            calendars.insert(
                id,
                json!({"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}),
            );
            continue;
        }
        let busy: Vec<Value> = state
            .events
            .iter()
            .filter(|(c, _, e)| {
                *c == id && e["status"] != "cancelled" && e["transparency"] != "transparent"
            })
            .filter_map(|(_, _, e)| {
                let (start, end) = span(e)?;
                let (start, end) = (start.max(from), end.min(to));
                (start < end).then(|| json!({"start": start.to_rfc3339(), "end": end.to_rfc3339()}))
            })
            .collect();
        calendars.insert(id, json!({"busy": busy}));
    }
    HttpResponse::Ok().json(json!({
        "kind": "calendar#freeBusy",
        "timeMin": from.to_rfc3339(), "timeMax": to.to_rfc3339(),
        "calendars": calendars,
    }))
}
