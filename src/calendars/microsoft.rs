//! Microsoft 365 / Outlook calendars over Microsoft Graph v1.0: the account's calendars, busy
//! time from `calendarView`, the events Kairos writes for bookings (with Teams links), change
//! notification subscriptions, and the pure parts of the notification endpoint (validation
//! handshake, parsing with the `clientState` check). Speaks HTTP only; never touches storage.
//!
//! Choices, where Graph or Cal.com leave room:
//! - Busy: every `showAs` but `free` and `workingElsewhere` blocks (tentative, oof, busy and
//!   unknown too), as Cal.com's Office 365 calendar filters them. Cancelled events never block.
//! - All-day events block their whole local dates in the account's zone (the dates Graph gives,
//!   resolved per date, so a DST day is 23 or 25 hours long).
//! - Incremental reads: none. `calendarView/delta` tells changes, but the contract's `Replaced`
//!   wants every block of the range, which a delta alone cannot give; every read is a full
//!   `calendarView` (cheap: one page per 100 events) and the cursor state stays `None`.
//!   Change notifications ([`Microsoft::subscribe`]) say when to read again.
//! - Written events carry the booking's UID in a single-value extended property (Graph assigns
//!   its own `iCalUId`), and `busy` reports that UID for them; `transactionId` makes a retried
//!   create return the first event instead of a second one.
//! - Graph makes the mailbox owner the organiser; the draft's `organizer` is not sent.
//! - The calendars' zone is `None`: the mailbox zone needs `MailboxSettings.Read` (not among
//!   the app's scopes) and is usually a Windows zone name.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use super::oauth::OAuthApp;
use super::provider::{
    Account, BusyBlock, CalendarApi, CalendarBusy, CalendarCursor, Credentials, EventDraft,
    ExternalCalendar, ProviderError, WrittenEvent,
};
use crate::availability::local_time;

/// The single-value extended property (a string in Kairos's own property set) that holds the
/// booking's iCalendar UID on the events Kairos writes.
pub const UID_PROPERTY: &str = "String {9cee6a55-a4a8-4df4-aab2-e14eca2647a8} Name KairosUid";

/// The longest a subscription to Outlook events may live (Graph's subscription reference:
/// 10,080 minutes; older pages said 4,230, so renew well before either).
pub const MAX_SUBSCRIPTION_LIFETIME: chrono::Duration = chrono::Duration::minutes(10_080);

/// Times come back in UTC whatever the mailbox's zone (all-day events keep their dates).
const PREFER_UTC: &str = "outlook.timezone=\"UTC\"";

/// Microsoft Graph as a calendar provider.
#[derive(Debug, Clone)]
pub struct Microsoft {
    app: OAuthApp,
    graph: Url,
    http: reqwest::Client,
}

/// A change-notification subscription at Graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    pub expires_at: DateTime<Utc>,
}

impl Microsoft {
    /// `graph_url` is the v1.0 root (`https://graph.microsoft.com/v1.0`).
    pub fn new(
        app: OAuthApp,
        graph_url: &str,
        http: reqwest::Client,
    ) -> Result<Self, ProviderError> {
        let graph = Url::parse(graph_url.trim_end_matches('/'))
            .map_err(|e| ProviderError::Invalid(format!("the Graph URL is not valid: {e}")))?;
        if graph.cannot_be_a_base() {
            return Err(ProviderError::Invalid("the Graph URL is not valid".into()));
        }
        Ok(Self { app, graph, http })
    }

    /// The operator's Microsoft app and Graph URL, when Microsoft 365 is configured.
    pub fn from_config(
        config: &crate::config::Config,
        http: reqwest::Client,
    ) -> Option<Result<Self, ProviderError>> {
        let app = super::oauth::microsoft_app(config)?;
        Some(Self::new(app, &config.microsoft_graph_url, http))
    }

    /// `{graph}/{segments…}`, each segment percent-encoded (Graph ids hold `=`, `-`, `_`).
    fn endpoint(&self, segments: &[&str]) -> Url {
        let mut url = self.graph.clone();
        url.path_segments_mut()
            .expect("checked in new: the Graph URL can be a base")
            .extend(segments);
        url
    }

    /// Sends a request with the account's token; on 401 renews the token once and sends again.
    async fn send(
        &self,
        account: &mut Account,
        request: impl Fn(&reqwest::Client) -> RequestBuilder,
    ) -> Result<Response, ProviderError> {
        let token = self
            .app
            .access_token(&self.http, account, Utc::now())
            .await?;
        let response = transmit(request(&self.http).bearer_auth(token)).await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return check(response).await;
        }
        let token = self.renew_token(account).await?;
        let response = transmit(request(&self.http).bearer_auth(token)).await?;
        if response.status() == StatusCode::UNAUTHORIZED {
            let error = graph_error(response).await;
            return Err(ProviderError::Unauthorized(format!(
                "Graph refused a renewed token: {error}"
            )));
        }
        check(response).await
    }

    /// A new access token whatever the old one's expiry says (Graph refused it).
    async fn renew_token(&self, account: &mut Account) -> Result<String, ProviderError> {
        let Credentials::OAuth {
            refresh_token: Some(refresh_token),
            ..
        } = &account.credentials
        else {
            return Err(ProviderError::Unauthorized(
                "Graph refused the token and there is no refresh token; connect again".into(),
            ));
        };
        let credentials = self
            .app
            .refresh(&self.http, refresh_token, Utc::now())
            .await?;
        account.credentials = credentials;
        match &account.credentials {
            Credentials::OAuth { access_token, .. } => Ok(access_token.clone()),
            _ => unreachable!("refresh returns OAuth credentials"),
        }
    }

    /// Every item of a collection, following `@odata.nextLink` (only to the same Graph).
    async fn collect<T: serde::de::DeserializeOwned>(
        &self,
        account: &mut Account,
        first: Url,
    ) -> Result<Vec<T>, ProviderError> {
        let mut items = Vec::new();
        let mut next = Some(first);
        while let Some(url) = next.take() {
            let response = self
                .send(account, |http| {
                    http.get(url.clone()).header("Prefer", PREFER_UTC)
                })
                .await?;
            let page: Page<T> = read_json(response).await?;
            items.extend(page.value);
            next = page
                .next_link
                .map(|link| self.same_graph(&link))
                .transpose()?;
        }
        Ok(items)
    }

    /// A link Graph gave, if it points into the configured Graph (never elsewhere with a token).
    fn same_graph(&self, link: &str) -> Result<Url, ProviderError> {
        let url = Url::parse(link)
            .map_err(|_| ProviderError::Invalid("Graph sent an unreadable next link".into()))?;
        if url.origin() != self.graph.origin() || !url.path().starts_with(self.graph.path()) {
            return Err(ProviderError::Invalid(
                "Graph sent a next link to another server".into(),
            ));
        }
        Ok(url)
    }

    async fn calendar_busy(
        &self,
        account: &mut Account,
        calendar_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<BusyBlock>, ProviderError> {
        let mut url = self.endpoint(&["me", "calendars", calendar_id, "calendarView"]);
        url.query_pairs_mut()
            .append_pair("startDateTime", &graph_instant(from))
            .append_pair("endDateTime", &graph_instant(to))
            .append_pair(
                "$select",
                "subject,start,end,isAllDay,showAs,isCancelled,iCalUId",
            )
            .append_pair(
                "$expand",
                &format!("singleValueExtendedProperties($filter=id eq '{UID_PROPERTY}')"),
            )
            .append_pair("$top", "100");
        let events: Vec<GraphEvent> = self.collect(account, url).await?;
        let zone = account.time_zone;
        let mut blocks = Vec::new();
        for event in events.iter().filter(|e| e.blocks()) {
            let block = event.busy_block(zone)?;
            if block.start < to && block.end > from {
                blocks.push(block);
            }
        }
        blocks.sort_by_key(|b| (b.start, b.end));
        Ok(blocks)
    }

    /// Free/busy of `emails` (the account's own address, or colleagues in the same tenant)
    /// over `[from, to)` from `getSchedule`: a narrow, fast re-check at booking time. Free and
    /// working-elsewhere items do not block, as in [`CalendarApi::busy`].
    pub async fn get_schedule(
        &self,
        account: &mut Account,
        emails: &[String],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(String, Vec<BusyBlock>)>, ProviderError> {
        let url = self.endpoint(&["me", "calendar", "getSchedule"]);
        let body = json!({
            "schedules": emails,
            "startTime": graph_time(from),
            "endTime": graph_time(to),
            "availabilityViewInterval": 15,
        });
        let response = self
            .send(account, |http| {
                http.post(url.clone())
                    .header("Prefer", PREFER_UTC)
                    .json(&body)
            })
            .await?;
        let page: Page<ScheduleInformation> = read_json(response).await?;
        page.value
            .into_iter()
            .map(|schedule| {
                if let Some(error) = schedule.error {
                    return Err(ProviderError::Invalid(format!(
                        "getSchedule for {}: {}",
                        schedule.schedule_id,
                        error.message.unwrap_or_default()
                    )));
                }
                let blocks = schedule
                    .schedule_items
                    .iter()
                    .filter(|item| blocking(item.status.as_deref()))
                    .map(|item| {
                        Ok(BusyBlock {
                            start: item.start.instant()?,
                            end: item.end.instant()?,
                            uid: None,
                            summary: item.subject.clone(),
                        })
                    })
                    .collect::<Result<Vec<_>, ProviderError>>()?;
                Ok((schedule.schedule_id, blocks))
            })
            .collect()
    }

    /// Asks Graph to notify `notification_url` of created, changed and deleted events of
    /// `calendar_id` until `expires` (at most [`MAX_SUBSCRIPTION_LIFETIME`] away). Graph first
    /// sends the validation handshake to that URL ([`validation_token`]); the endpoint must
    /// answer within 10 seconds, so it must be serving before this is called.
    pub async fn subscribe(
        &self,
        account: &mut Account,
        calendar_id: &str,
        notification_url: &str,
        client_state: &str,
        expires: DateTime<Utc>,
    ) -> Result<Subscription, ProviderError> {
        let url = self.endpoint(&["subscriptions"]);
        let body = json!({
            "changeType": "created,updated,deleted",
            "notificationUrl": notification_url,
            "resource": format!("me/calendars/{calendar_id}/events"),
            "expirationDateTime": graph_instant(expires),
            "clientState": client_state,
        });
        let response = self
            .send(account, |http| http.post(url.clone()).json(&body))
            .await?;
        Ok(read_json::<GraphSubscription>(response).await?.into())
    }

    /// Moves a subscription's expiry to `expires`.
    pub async fn renew(
        &self,
        account: &mut Account,
        subscription_id: &str,
        expires: DateTime<Utc>,
    ) -> Result<Subscription, ProviderError> {
        let url = self.endpoint(&["subscriptions", subscription_id]);
        let body = json!({ "expirationDateTime": graph_instant(expires) });
        let response = self
            .send(account, |http| http.patch(url.clone()).json(&body))
            .await?;
        Ok(read_json::<GraphSubscription>(response).await?.into())
    }

    /// Ends a subscription; one already gone is not an error.
    pub async fn unsubscribe(
        &self,
        account: &mut Account,
        subscription_id: &str,
    ) -> Result<(), ProviderError> {
        let url = self.endpoint(&["subscriptions", subscription_id]);
        match self.send(account, |http| http.delete(url.clone())).await {
            Ok(_) | Err(ProviderError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn write_event(
        &self,
        account: &mut Account,
        method: Method,
        url: Url,
        body: Value,
    ) -> Result<WrittenEvent, ProviderError> {
        let response = self
            .send(account, |http| {
                http.request(method.clone(), url.clone())
                    .header("Prefer", PREFER_UTC)
                    .json(&body)
            })
            .await?;
        let event: GraphEvent = read_json(response).await?;
        Ok(WrittenEvent {
            external_id: event.id,
            etag: event.etag,
            meeting_url: event.online_meeting.and_then(|m| m.join_url),
        })
    }
}

impl CalendarApi for Microsoft {
    async fn calendars(
        &self,
        account: &mut Account,
    ) -> Result<Vec<ExternalCalendar>, ProviderError> {
        let mut url = self.endpoint(&["me", "calendars"]);
        url.query_pairs_mut()
            .append_pair("$select", "id,name,isDefaultCalendar,canEdit")
            .append_pair("$top", "100");
        let calendars: Vec<GraphCalendar> = self.collect(account, url).await?;
        Ok(calendars
            .into_iter()
            .map(|c| ExternalCalendar {
                id: c.id,
                name: c.name.unwrap_or_default(),
                primary: c.is_default_calendar,
                read_only: !c.can_edit,
                time_zone: None,
            })
            .collect())
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
            let blocks = self
                .calendar_busy(account, &cursor.calendar_id, from, to)
                .await?;
            answers.push(CalendarBusy::Replaced {
                blocks,
                state: None,
            });
        }
        Ok(answers)
    }

    async fn create_event(
        &self,
        account: &mut Account,
        calendar: &str,
        draft: &EventDraft,
    ) -> Result<WrittenEvent, ProviderError> {
        if draft.cancelled {
            return Err(ProviderError::Invalid(
                "a cancelled booking is not written into a calendar".into(),
            ));
        }
        let mut body = event_body(draft);
        // A retried create (the job ran, the answer was lost) gets the first event back.
        body["transactionId"] = json!(format!("{}:{}", draft.ical_uid, draft.start.timestamp()));
        let url = self.endpoint(&["me", "calendars", calendar, "events"]);
        self.write_event(account, Method::POST, url, body).await
    }

    async fn update_event(
        &self,
        account: &mut Account,
        calendar: &str,
        event: &WrittenEvent,
        draft: &EventDraft,
    ) -> Result<WrittenEvent, ProviderError> {
        if draft.cancelled {
            // Deleting an event as its organiser sends Outlook's cancellation to attendees.
            self.delete_event(account, calendar, event).await?;
            return Ok(event.clone());
        }
        let url = self.endpoint(&["me", "events", &event.external_id]);
        let written = self
            .write_event(account, Method::PATCH, url, event_body(draft))
            .await?;
        Ok(WrittenEvent {
            meeting_url: written.meeting_url.or_else(|| event.meeting_url.clone()),
            ..written
        })
    }

    async fn delete_event(
        &self,
        account: &mut Account,
        _calendar: &str,
        event: &WrittenEvent,
    ) -> Result<(), ProviderError> {
        let url = self.endpoint(&["me", "events", &event.external_id]);
        match self.send(account, |http| http.delete(url.clone())).await {
            Ok(_) | Err(ProviderError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// The JSON of an event Kairos writes (create and update alike).
fn event_body(draft: &EventDraft) -> Value {
    let attendees: Vec<Value> = draft
        .attendees
        .iter()
        .map(|p| {
            json!({
                "emailAddress": { "address": p.email, "name": p.name },
                "type": "required",
            })
        })
        .collect();
    let mut body = json!({
        "subject": draft.title,
        "body": { "contentType": "text", "content": draft.description },
        "start": graph_time(draft.start),
        "end": graph_time(draft.end),
        "attendees": attendees,
        "singleValueExtendedProperties": [{ "id": UID_PROPERTY, "value": draft.ical_uid }],
    });
    body["location"] = match &draft.location {
        Some(place) => json!({ "displayName": place }),
        None => json!({ "displayName": "" }),
    };
    if draft.conference {
        body["isOnlineMeeting"] = json!(true);
        body["onlineMeetingProvider"] = json!("teamsForBusiness");
    }
    body
}

// ---- The notification endpoint's pure parts ----

/// The token of Graph's validation handshake (`POST {notification_url}?validationToken=…`),
/// URL-decoded. The endpoint answers `200 OK`, `Content-Type: text/plain`, with exactly this
/// token as the body, within 10 seconds; `None`: an ordinary notification.
pub fn validation_token(query: &str) -> Option<String> {
    url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
        .find(|(name, _)| name == "validationToken")
        .map(|(_, token)| token.into_owned())
}

/// What a notification says changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Deleted,
    /// A lifecycle event (`reauthorizationRequired`, `subscriptionRemoved`, `missed`): renew,
    /// subscribe again, or read everything.
    Lifecycle(String),
}

/// One notification of a batch Graph POSTs to the endpoint (answer `202 Accepted`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeNotification {
    pub subscription_id: String,
    pub change: Change,
    /// What changed, e.g. `Users/{user}/Events/{id}`.
    pub resource: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    #[error("the notification body is not Graph's: {0}")]
    Malformed(String),
    /// The `clientState` is not the one the subscription was made with: not from Graph.
    #[error("a notification's clientState does not match")]
    ClientState,
}

/// Reads a notification body `{"value": [...]}` sent to the endpoint of a subscription made
/// with `client_state`. A batch with any notification carrying another `clientState` is
/// refused whole: it was not sent by Graph for this subscription.
pub fn parse_notifications(
    body: &[u8],
    client_state: &str,
) -> Result<Vec<ChangeNotification>, NotificationError> {
    let batch: NotificationBatch =
        serde_json::from_slice(body).map_err(|e| NotificationError::Malformed(e.to_string()))?;
    batch
        .value
        .into_iter()
        .map(|n| {
            let given = n.client_state.as_deref().unwrap_or_default();
            if !constant_time_eq(given.as_bytes(), client_state.as_bytes()) {
                return Err(NotificationError::ClientState);
            }
            let change = match (n.lifecycle_event, n.change_type.as_deref()) {
                (Some(event), _) => Change::Lifecycle(event),
                (None, Some("created")) => Change::Created,
                (None, Some("updated")) => Change::Updated,
                (None, Some("deleted")) => Change::Deleted,
                (None, other) => {
                    return Err(NotificationError::Malformed(format!(
                        "unknown changeType {other:?}"
                    )));
                }
            };
            Ok(ChangeNotification {
                subscription_id: n.subscription_id,
                change,
                resource: n.resource,
            })
        })
        .collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

// ---- HTTP answers -> ProviderError ----

async fn transmit(request: RequestBuilder) -> Result<Response, ProviderError> {
    request.send().await.map_err(|e| {
        let what = if e.is_timeout() {
            "timed out"
        } else {
            "failed"
        };
        ProviderError::Unavailable(format!("a request to Graph {what}: {e}"))
    })
}

/// A successful answer, or the error its status and body say (401 is handled by `send`).
async fn check(response: Response) -> Result<Response, ProviderError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let retry_after = retry_after(&response);
    let error = graph_error(response).await;
    Err(match status.as_u16() {
        429 => ProviderError::RateLimited { retry_after },
        503 if retry_after.is_some() => ProviderError::RateLimited { retry_after },
        404 => ProviderError::NotFound(error),
        410 => ProviderError::CursorExpired,
        401 => ProviderError::Unauthorized(error),
        500..=599 => ProviderError::Unavailable(format!("Graph answered {status}: {error}")),
        _ => ProviderError::Invalid(format!("Graph answered {status}: {error}")),
    })
}

/// `Retry-After` in seconds or as an HTTP date.
fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.headers().get("retry-after")?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (at.with_timezone(&Utc) - Utc::now())
            .to_std()
            .unwrap_or_default(),
    )
}

/// Graph's `{"error": {"code", "message"}}` as `code: message` (the body is never logged whole).
async fn graph_error(response: Response) -> String {
    let status = response.status();
    match response.json::<ErrorBody>().await {
        Ok(ErrorBody { error }) => format!(
            "{}: {}",
            error.code.unwrap_or_default(),
            error.message.unwrap_or_default()
        ),
        Err(_) => format!("status {status}"),
    }
}

async fn read_json<T: serde::de::DeserializeOwned>(response: Response) -> Result<T, ProviderError> {
    let bytes = response
        .bytes()
        .await
        .map_err(|e| ProviderError::Unavailable(format!("reading Graph's answer: {e}")))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ProviderError::Invalid(format!("Graph's answer does not read: {e}")))
}

// ---- Graph's JSON ----

/// An instant as Graph's query parameters take it.
fn graph_instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An instant as Graph's `dateTimeTimeZone` in UTC.
fn graph_time(at: DateTime<Utc>) -> Value {
    json!({
        "dateTime": at.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string(),
        "timeZone": "UTC",
    })
}

fn blocking(show_as: Option<&str>) -> bool {
    !matches!(show_as, Some("free" | "workingElsewhere"))
}

#[derive(Deserialize)]
struct Page<T> {
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphCalendar {
    id: String,
    name: Option<String>,
    #[serde(default)]
    is_default_calendar: bool,
    #[serde(default)]
    can_edit: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DateTimeTimeZone {
    date_time: String,
    time_zone: Option<String>,
}

impl DateTimeTimeZone {
    fn local(&self) -> Result<NaiveDateTime, ProviderError> {
        NaiveDateTime::parse_from_str(&self.date_time, "%Y-%m-%dT%H:%M:%S%.f").map_err(|_| {
            ProviderError::Invalid(format!(
                "Graph sent an unreadable time {:?}",
                self.date_time
            ))
        })
    }

    fn date(&self) -> Result<NaiveDate, ProviderError> {
        Ok(self.local()?.date())
    }

    /// The instant, read in its `timeZone` (UTC, as asked for, or an IANA zone).
    fn instant(&self) -> Result<DateTime<Utc>, ProviderError> {
        let local = self.local()?;
        match self.time_zone.as_deref() {
            None | Some("UTC" | "Etc/UTC" | "tzone://Microsoft/Utc") => Ok(local.and_utc()),
            Some(name) => {
                let zone: chrono_tz::Tz = name.parse().map_err(|_| {
                    ProviderError::Invalid(format!("Graph sent a time in zone {name:?}"))
                })?;
                Ok(utc(local_time::resolve(zone, local)))
            }
        }
    }
}

fn utc(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphEvent {
    id: String,
    #[serde(rename = "@odata.etag")]
    etag: Option<String>,
    subject: Option<String>,
    start: Option<DateTimeTimeZone>,
    end: Option<DateTimeTimeZone>,
    #[serde(default)]
    is_all_day: bool,
    show_as: Option<String>,
    #[serde(default)]
    is_cancelled: bool,
    #[serde(rename = "iCalUId")]
    ical_uid: Option<String>,
    #[serde(default)]
    single_value_extended_properties: Vec<ExtendedProperty>,
    online_meeting: Option<OnlineMeeting>,
}

#[derive(Deserialize)]
struct ExtendedProperty {
    id: String,
    value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OnlineMeeting {
    join_url: Option<String>,
}

impl GraphEvent {
    fn blocks(&self) -> bool {
        !self.is_cancelled && blocking(self.show_as.as_deref())
    }

    /// The booking's UID on events Kairos wrote, else Graph's `iCalUId`.
    fn uid(&self) -> Option<String> {
        self.single_value_extended_properties
            .iter()
            // Graph may spell the property set's GUID in another case.
            .find(|p| p.id.eq_ignore_ascii_case(UID_PROPERTY))
            .and_then(|p| p.value.clone())
            .or_else(|| self.ical_uid.clone())
    }

    fn busy_block(&self, zone: chrono_tz::Tz) -> Result<BusyBlock, ProviderError> {
        let (Some(start), Some(end)) = (&self.start, &self.end) else {
            return Err(ProviderError::Invalid(format!(
                "Graph sent event {} without start or end",
                self.id
            )));
        };
        let (start, end) = if self.is_all_day {
            // Graph gives an all-day event's dates at midnight (end exclusive), whatever zone
            // was asked for; they are the account owner's local dates.
            let first = local_time::start_of_day(zone, start.date()?);
            let after = local_time::start_of_day(zone, end.date()?);
            (utc(first), utc(after))
        } else {
            (start.instant()?, end.instant()?)
        };
        Ok(BusyBlock {
            start,
            end: end.max(start),
            uid: self.uid(),
            summary: self.subject.clone(),
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScheduleInformation {
    schedule_id: String,
    #[serde(default)]
    schedule_items: Vec<ScheduleItem>,
    error: Option<GraphErrorDetail>,
}

#[derive(Deserialize)]
struct ScheduleItem {
    status: Option<String>,
    subject: Option<String>,
    start: DateTimeTimeZone,
    end: DateTimeTimeZone,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphSubscription {
    id: String,
    expiration_date_time: DateTime<Utc>,
}

impl From<GraphSubscription> for Subscription {
    fn from(s: GraphSubscription) -> Self {
        Self {
            id: s.id,
            expires_at: s.expiration_date_time,
        }
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: GraphErrorDetail,
}

#[derive(Deserialize)]
struct GraphErrorDetail {
    code: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct NotificationBatch {
    value: Vec<RawNotification>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawNotification {
    subscription_id: String,
    client_state: Option<String>,
    change_type: Option<String>,
    lifecycle_event: Option<String>,
    resource: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_validation_token_is_read_decoded() {
        assert_eq!(
            validation_token("validationToken=Validation%3a+Testing+client+application"),
            Some("Validation: Testing client application".into())
        );
        assert_eq!(validation_token(""), None);
    }

    #[test]
    fn graph_times_with_seven_fraction_digits_read() {
        let time = DateTimeTimeZone {
            date_time: "2026-03-29T09:30:00.0000000".into(),
            time_zone: Some("UTC".into()),
        };
        assert_eq!(
            time.instant().unwrap(),
            "2026-03-29T09:30:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }

    #[test]
    fn free_and_working_elsewhere_do_not_block_but_tentative_and_oof_do() {
        assert!(!blocking(Some("free")));
        assert!(!blocking(Some("workingElsewhere")));
        for status in ["busy", "tentative", "oof", "unknown"] {
            assert!(blocking(Some(status)), "{status}");
        }
    }
}
