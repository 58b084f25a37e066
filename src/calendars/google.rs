//! Google Calendar behind [`CalendarApi`]: calendar lists, busy time (incrementally through
//! sync tokens), the events Kairos writes for bookings (with Google Meet on request), push
//! channels and the notifications they send. Calls go through `google-calendar3` with the
//! account's current access token (from [`OAuthApp`], renewed on expiry and once on a 401);
//! this module speaks HTTP only and never touches the database.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use google_calendar3::api::{
    CalendarListEntry, Channel as ApiChannel, ConferenceData, ConferenceSolutionKey,
    CreateConferenceRequest, Event, EventAttendee, EventDateTime, FreeBusyRequest,
    FreeBusyRequestItem,
};
use google_calendar3::common::{self, Retry};
use google_calendar3::hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use google_calendar3::hyper_util::client::legacy::Client as HyperClient;
use google_calendar3::hyper_util::client::legacy::connect::HttpConnector;
use google_calendar3::hyper_util::rt::TokioExecutor;
use google_calendar3::{CalendarHub, Delegate};

use super::oauth::OAuthApp;
use super::provider::{
    Account, BusyBlock, CalendarApi, CalendarBusy, CalendarCursor, Credentials, EventDraft,
    ExternalCalendar, ProviderError, WrittenEvent,
};
use crate::availability::local_time::start_of_day;

type Connector = HttpsConnector<HttpConnector>;
type Hub = CalendarHub<Connector>;

/// Google's longest free/busy window per request (Cal.com splits at 90 days too).
const FREEBUSY_MAX_SPAN: chrono::Duration = chrono::Duration::days(90);
/// Google's most calendars per free/busy request (`calendarExpansionMax` is at most 50).
const FREEBUSY_MAX_CALENDARS: usize = 50;
/// How long one API call may take before it counts as the provider being unavailable.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A Google Calendar client for one operator app; cheap to clone.
#[derive(Clone)]
pub struct Google {
    app: OAuthApp,
    api_url: String,
    http: reqwest::Client,
    hyper: HyperClient<Connector, common::Body>,
    timeout: Duration,
}

/// A push channel Google opened for a calendar's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub id: String,
    pub resource_id: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// What a push notification says (Google's `X-Goog-Resource-State`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceState {
    /// The channel was just opened.
    Sync,
    /// Something in the calendar changed.
    Exists,
    /// The watched resource is gone.
    NotExists,
}

/// A push notification's headers, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub channel_id: String,
    pub resource_id: String,
    /// The token the channel was opened with; the receiver compares it with the stored one.
    pub token: Option<String>,
    pub state: ResourceState,
}

impl Google {
    /// `api_url` is the root Google serves its APIs under (`https://www.googleapis.com`).
    pub fn new(app: OAuthApp, api_url: &str, http: reqwest::Client) -> Self {
        let connector = HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .build();
        Self {
            app,
            api_url: api_url.trim_end_matches('/').to_owned(),
            http,
            hyper: HyperClient::builder(TokioExecutor::new()).build(connector),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Changes how long one API call may take (tests use a short one).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn hub(&self, access_token: String) -> Hub {
        let mut hub = CalendarHub::new(self.hyper.clone(), access_token);
        hub.root_url(format!("{}/", self.api_url));
        hub.base_url(format!("{}/calendar/v3/", self.api_url));
        hub
    }

    /// Renews the access token now (after a 401), whatever its recorded expiry says.
    async fn force_refresh(&self, account: &mut Account) -> Result<(), ProviderError> {
        let Credentials::OAuth {
            refresh_token: Some(refresh_token),
            ..
        } = &account.credentials
        else {
            return Err(ProviderError::Unauthorized(
                "Google refused the access token and there is no refresh token".into(),
            ));
        };
        let refresh_token = refresh_token.clone();
        account.credentials = self
            .app
            .refresh(&self.http, &refresh_token, Utc::now())
            .await?;
        Ok(())
    }
}

/// Runs one API call with the account's token: `$call` is an expression over `$hub` and the
/// delegate `$dlg` that yields a `google_calendar3::Result`. A 401 renews the token and tries
/// once more. (A macro, because the call borrows the hub and the delegate it is given.)
macro_rules! api_call {
    ($google:expr, $account:expr, |$hub:ident, $dlg:ident| $call:expr) => {{
        let mut renewed = false;
        loop {
            let token = $google
                .app
                .access_token(&$google.http, $account, Utc::now())
                .await?;
            let $hub = $google.hub(token);
            let mut recorder = Failure::default();
            let result = {
                let $dlg: &mut Failure = &mut recorder;
                tokio::time::timeout($google.timeout, $call).await
            };
            match settle(result, recorder) {
                Err(Attempt::Unauthorized) if !renewed => {
                    renewed = true;
                    $google.force_refresh($account).await?;
                }
                Err(Attempt::Unauthorized) => {
                    break Err(ProviderError::Unauthorized(
                        "Google refused a freshly renewed access token".into(),
                    ));
                }
                Err(Attempt::Failed(error)) => break Err(error),
                Ok(value) => break Ok(value),
            }
        }
    }};
}

/// What a failed answer said, recorded by the hub's delegate (the crate's error alone loses
/// the status and the headers).
#[derive(Default)]
struct Failure {
    status: Option<u16>,
    retry_after: Option<Duration>,
    reason: Option<String>,
    message: Option<String>,
}

impl Delegate for Failure {
    fn http_failure(
        &mut self,
        response: &common::Response,
        error: Option<&serde_json::Value>,
    ) -> Retry {
        self.status = Some(response.status().as_u16());
        self.retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| crate::webhooks::retry::parse_retry_after(v, Utc::now()));
        let text = |pointer: &str| {
            error
                .and_then(|e| e.pointer(pointer))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        self.reason = text("/error/errors/0/reason");
        self.message = text("/error/message");
        Retry::Abort
    }
}

enum Attempt {
    Unauthorized,
    Failed(ProviderError),
}

fn settle<T>(
    result: Result<common::Result<T>, tokio::time::error::Elapsed>,
    failure: Failure,
) -> Result<T, Attempt> {
    let error = match result {
        Ok(Ok(value)) => return Ok(value),
        Ok(Err(error)) => error,
        Err(_) => {
            return Err(Attempt::Failed(ProviderError::Unavailable(
                "Google did not answer in time".into(),
            )));
        }
    };
    let Some(status) = failure.status else {
        return Err(Attempt::Failed(match error {
            common::Error::HttpError(e) => ProviderError::Unavailable(format!("Google: {e}")),
            common::Error::Io(e) => ProviderError::Unavailable(format!("Google: {e}")),
            common::Error::JsonDecodeError(_, e) => {
                ProviderError::Invalid(format!("Google's answer does not read: {e}"))
            }
            other => ProviderError::Invalid(format!("Google call failed: {other}")),
        }));
    };
    Err(classify(status, failure))
}

fn classify(status: u16, failure: Failure) -> Attempt {
    let detail = || {
        format!(
            "Google answered {status}{}",
            failure
                .message
                .as_deref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        )
    };
    let rate_limited = matches!(
        failure.reason.as_deref(),
        Some("rateLimitExceeded" | "userRateLimitExceeded")
    );
    Attempt::Failed(match status {
        401 => return Attempt::Unauthorized,
        429 => ProviderError::RateLimited {
            retry_after: failure.retry_after,
        },
        403 if rate_limited => ProviderError::RateLimited {
            retry_after: failure.retry_after,
        },
        404 => ProviderError::NotFound(detail()),
        410 => ProviderError::CursorExpired,
        500..=599 => ProviderError::Unavailable(detail()),
        _ => ProviderError::Invalid(detail()),
    })
}

impl CalendarApi for Google {
    async fn calendars(
        &self,
        account: &mut Account,
    ) -> Result<Vec<ExternalCalendar>, ProviderError> {
        let mut calendars = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let (_, list) = api_call!(self, account, |hub, dlg| {
                let mut call = hub.calendar_list().list().delegate(dlg);
                if let Some(page) = &page {
                    call = call.page_token(page);
                }
                call.doit()
            })?;
            calendars.extend(
                list.items
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(calendar),
            );
            page = list.next_page_token;
            if page.is_none() {
                return Ok(calendars);
            }
        }
    }

    async fn busy(
        &self,
        account: &mut Account,
        calendars: &[CalendarCursor],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CalendarBusy>, ProviderError> {
        let mut answers = Vec::with_capacity(calendars.len());
        for cursor in calendars {
            answers.push(self.calendar_busy(account, cursor, from, to).await?);
        }
        Ok(answers)
    }

    async fn create_event(
        &self,
        account: &mut Account,
        calendar: &str,
        draft: &EventDraft,
    ) -> Result<WrittenEvent, ProviderError> {
        // events.import, not insert: only import keeps the iCalUID Kairos gives (the booking's,
        // as in its invites), and importing the same iCalUID again updates instead of copying,
        // so a retried write-back cannot duplicate the event. Import sends no invitations.
        let event = event_body(draft, true);
        let (_, written) = api_call!(self, account, |hub, dlg| {
            hub.events()
                .import(event.clone(), calendar)
                .conference_data_version(1)
                .delegate(dlg)
                .doit()
        })?;
        written_event(written, None)
    }

    async fn update_event(
        &self,
        account: &mut Account,
        calendar: &str,
        event: &WrittenEvent,
        draft: &EventDraft,
    ) -> Result<WrittenEvent, ProviderError> {
        let body = event_body(draft, event.meeting_url.is_none());
        let (_, written) = api_call!(self, account, |hub, dlg| {
            hub.events()
                .patch(body.clone(), calendar, &event.external_id)
                .send_updates("none")
                .conference_data_version(1)
                .delegate(dlg)
                .doit()
        })?;
        written_event(written, event.meeting_url.clone())
    }

    async fn delete_event(
        &self,
        account: &mut Account,
        calendar: &str,
        event: &WrittenEvent,
    ) -> Result<(), ProviderError> {
        let result = api_call!(self, account, |hub, dlg| {
            hub.events()
                .delete(calendar, &event.external_id)
                .send_updates("none")
                .delegate(dlg)
                .doit()
        });
        match result {
            Ok(_) | Err(ProviderError::NotFound(_) | ProviderError::CursorExpired) => Ok(()),
            Err(error) => Err(error),
        }
    }
}

fn calendar(entry: CalendarListEntry) -> Option<ExternalCalendar> {
    let id = entry.id?;
    Some(ExternalCalendar {
        name: entry
            .summary_override
            .or(entry.summary)
            .unwrap_or_else(|| id.clone()),
        primary: entry.primary.unwrap_or(false),
        read_only: !matches!(entry.access_role.as_deref(), Some("owner" | "writer")),
        time_zone: entry.time_zone,
        id,
    })
}

/// One page-walked events.list: the events, the calendar's zone and the sync token.
struct Listing {
    events: Vec<Event>,
    time_zone: Option<String>,
    sync_token: Option<String>,
}

/// Which events.list to run.
enum Listed<'a> {
    Range(DateTime<Utc>, DateTime<Utc>),
    Changes(&'a str),
}

impl Google {
    async fn calendar_busy(
        &self,
        account: &mut Account,
        cursor: &CalendarCursor,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<CalendarBusy, ProviderError> {
        let id = cursor.calendar_id.as_str();
        let mut newer_token = None;
        if let Some(token) = &cursor.state {
            match self.list(account, id, Listed::Changes(token)).await {
                Ok(changes) if changes.events.is_empty() => return Ok(CalendarBusy::Unchanged),
                Ok(changes) => newer_token = changes.sync_token,
                // The token is too old: read everything, as without one.
                Err(ProviderError::CursorExpired) => {}
                Err(error) => return Err(error),
            }
        }
        // Any change means a full read of the range: simple, and never wrong about an event
        // that moved out of it.
        let listing = self.list(account, id, Listed::Range(from, to)).await?;
        let zone = listing
            .time_zone
            .as_deref()
            .and_then(|z| z.parse::<Tz>().ok())
            .unwrap_or(account.time_zone);
        Ok(CalendarBusy::Replaced {
            blocks: listing
                .events
                .iter()
                .filter_map(|event| busy_block(event, zone))
                .collect(),
            state: listing.sync_token.or(newer_token),
        })
    }

    async fn list(
        &self,
        account: &mut Account,
        calendar: &str,
        listed: Listed<'_>,
    ) -> Result<Listing, ProviderError> {
        let mut listing = Listing {
            events: Vec::new(),
            time_zone: None,
            sync_token: None,
        };
        let mut page: Option<String> = None;
        loop {
            let (_, events) = api_call!(self, account, |hub, dlg| {
                let mut call = hub
                    .events()
                    .list(calendar)
                    .single_events(true)
                    .delegate(dlg);
                call = match listed {
                    // Google refuses timeMin/timeMax together with a sync token.
                    Listed::Changes(token) => call.sync_token(token),
                    Listed::Range(from, to) => call.time_min(from).time_max(to),
                };
                if let Some(page) = &page {
                    call = call.page_token(page);
                }
                call.doit()
            })?;
            listing.events.extend(events.items.unwrap_or_default());
            listing.time_zone = listing.time_zone.or(events.time_zone);
            page = events.next_page_token;
            if page.is_none() {
                listing.sync_token = events.next_sync_token;
                return Ok(listing);
            }
        }
    }
}

/// The busy block of one listed event, or `None` when it does not block time: free
/// (transparent), cancelled, declined by the calendar's owner, or unreadable.
fn busy_block(event: &Event, zone: Tz) -> Option<BusyBlock> {
    if event.transparency.as_deref() == Some("transparent")
        || event.status.as_deref() == Some("cancelled")
    {
        return None;
    }
    let declined = event
        .attendees
        .iter()
        .flatten()
        .any(|a| a.self_ == Some(true) && a.response_status.as_deref() == Some("declined"));
    if declined {
        return None;
    }
    let start = instant(event.start.as_ref()?, zone)?;
    let end = instant(event.end.as_ref()?, zone)?;
    (start < end).then(|| BusyBlock {
        start,
        end,
        uid: event.i_cal_uid.clone(),
        summary: event.summary.clone(),
    })
}

/// A timed event's instant, or an all-day date's local midnight in the calendar's zone
/// (resolved per date, so a DST day is 23 or 25 hours long).
fn instant(time: &EventDateTime, zone: Tz) -> Option<DateTime<Utc>> {
    if let Some(at) = time.date_time {
        return Some(at);
    }
    let date: NaiveDate = time.date?;
    DateTime::from_timestamp(start_of_day(zone, date), 0)
}

/// The event written for `draft`; `meet` asks Google Meet for a link when the draft wants one.
fn event_body(draft: &EventDraft, meet: bool) -> Event {
    let at = |instant: DateTime<Utc>| EventDateTime {
        date_time: Some(instant),
        time_zone: Some(draft.time_zone.clone()),
        date: None,
    };
    let attendee = |person: &super::provider::Person| EventAttendee {
        email: Some(person.email.clone()),
        display_name: Some(person.name.clone()),
        ..Default::default()
    };
    Event {
        i_cal_uid: Some(draft.ical_uid.clone()),
        summary: Some(draft.title.clone()),
        description: Some(draft.description.clone()),
        location: draft.location.clone(),
        start: Some(at(draft.start)),
        end: Some(at(draft.end)),
        status: Some(
            if draft.cancelled {
                "cancelled"
            } else {
                "confirmed"
            }
            .to_owned(),
        ),
        attendees: Some(draft.attendees.iter().map(attendee).collect()),
        conference_data: (draft.conference && meet).then(|| ConferenceData {
            create_request: Some(CreateConferenceRequest {
                request_id: Some(conference_request_id(&draft.ical_uid)),
                conference_solution_key: Some(ConferenceSolutionKey {
                    type_: Some("hangoutsMeet".into()),
                }),
                status: None,
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// One conference request id per booking: Google ignores a create request whose id it has
/// seen, so a retried write cannot make a second meeting.
fn conference_request_id(ical_uid: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(ical_uid.as_bytes());
    format!("kairos-{}", hex::encode(&digest[..16]))
}

fn written_event(event: Event, meeting_url: Option<String>) -> Result<WrittenEvent, ProviderError> {
    let video = event
        .conference_data
        .as_ref()
        .and_then(|c| c.entry_points.as_ref())
        .and_then(|points| {
            points
                .iter()
                .find(|p| p.entry_point_type.as_deref() == Some("video"))
        })
        .and_then(|p| p.uri.clone());
    Ok(WrittenEvent {
        external_id: event
            .id
            .ok_or_else(|| ProviderError::Invalid("Google wrote an event without an id".into()))?,
        etag: event.etag,
        meeting_url: event.hangout_link.or(video).or(meeting_url),
    })
}

impl Google {
    /// Busy time of `calendar_ids` over `[from, to)` from freebusy.query, for the narrow
    /// booking-time re-check: long ranges are split at Google's 90-day window and 50-calendar
    /// limit. Blocks carry neither uid nor summary (free/busy tells neither).
    pub async fn freebusy(
        &self,
        account: &mut Account,
        calendar_ids: &[String],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<BusyBlock>, ProviderError> {
        let mut blocks = Vec::new();
        let mut start = from;
        while start < to {
            let end = (start + FREEBUSY_MAX_SPAN).min(to);
            for ids in calendar_ids.chunks(FREEBUSY_MAX_CALENDARS) {
                blocks.extend(self.freebusy_window(account, ids, start, end).await?);
            }
            start = end;
        }
        blocks.sort_by_key(|b: &BusyBlock| (b.start, b.end));
        Ok(blocks)
    }

    async fn freebusy_window(
        &self,
        account: &mut Account,
        ids: &[String],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<BusyBlock>, ProviderError> {
        let request = FreeBusyRequest {
            time_min: Some(from),
            time_max: Some(to),
            items: Some(
                ids.iter()
                    .map(|id| FreeBusyRequestItem {
                        id: Some(id.clone()),
                    })
                    .collect(),
            ),
            calendar_expansion_max: Some(FREEBUSY_MAX_CALENDARS as i32),
            ..Default::default()
        };
        let (_, answer) = api_call!(self, account, |hub, dlg| {
            hub.freebusy().query(request.clone()).delegate(dlg).doit()
        })?;
        let mut blocks = Vec::new();
        for (id, calendar) in answer.calendars.unwrap_or_default() {
            if let Some(error) = calendar.errors.iter().flatten().next() {
                let reason = error.reason.clone().unwrap_or_default();
                return Err(match reason.as_str() {
                    "notFound" => ProviderError::NotFound(format!("calendar {id}")),
                    _ => ProviderError::Unavailable(format!("free/busy of {id}: {reason}")),
                });
            }
            blocks.extend(calendar.busy.into_iter().flatten().filter_map(|period| {
                Some(BusyBlock {
                    start: period.start?,
                    end: period.end?,
                    uid: None,
                    summary: None,
                })
            }));
        }
        Ok(blocks)
    }

    /// Opens a push channel on `calendar_id`'s events: Google POSTs to `address` with `token`
    /// in `X-Goog-Channel-Token` when they change, for about `ttl` (Google may shorten it).
    pub async fn watch(
        &self,
        account: &mut Account,
        calendar_id: &str,
        address: &str,
        token: &str,
        ttl: Duration,
    ) -> Result<Channel, ProviderError> {
        let request = ApiChannel {
            id: Some(uuid::Uuid::new_v4().to_string()),
            type_: Some("web_hook".into()),
            address: Some(address.to_owned()),
            token: Some(token.to_owned()),
            params: Some(HashMap::from([(
                "ttl".to_owned(),
                ttl.as_secs().to_string(),
            )])),
            ..Default::default()
        };
        let (_, channel) = api_call!(self, account, |hub, dlg| {
            hub.events()
                .watch(request.clone(), calendar_id)
                .delegate(dlg)
                .doit()
        })?;
        let missing =
            |what: &str| ProviderError::Invalid(format!("Google's channel has no {what}"));
        Ok(Channel {
            id: channel.id.ok_or_else(|| missing("id"))?,
            resource_id: channel.resource_id.ok_or_else(|| missing("resource id"))?,
            expires_at: channel.expiration.and_then(DateTime::from_timestamp_millis),
        })
    }

    /// Closes a push channel; one already gone is not an error.
    pub async fn stop(
        &self,
        account: &mut Account,
        channel: &Channel,
    ) -> Result<(), ProviderError> {
        let request = ApiChannel {
            id: Some(channel.id.clone()),
            resource_id: Some(channel.resource_id.clone()),
            ..Default::default()
        };
        let result = api_call!(self, account, |hub, dlg| {
            hub.channels().stop(request.clone()).delegate(dlg).doit()
        });
        match result {
            Ok(_) | Err(ProviderError::NotFound(_)) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Reads a push notification from its headers (`header(name)` gives a header's value);
    /// `None` when it is not one of Google's.
    pub fn notification<'a>(header: impl Fn(&str) -> Option<&'a str>) -> Option<Notification> {
        let state = match header("X-Goog-Resource-State")? {
            "sync" => ResourceState::Sync,
            "exists" => ResourceState::Exists,
            "not_exists" => ResourceState::NotExists,
            _ => return None,
        };
        Some(Notification {
            channel_id: header("X-Goog-Channel-ID")?.to_owned(),
            resource_id: header("X-Goog-Resource-ID")?.to_owned(),
            token: header("X-Goog-Channel-Token").map(str::to_owned),
            state,
        })
    }
}
