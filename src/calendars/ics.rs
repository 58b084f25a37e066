//! ICS feeds: a host subscribes Kairos to a published calendar URL (read-only), whose events
//! block the host's time. Owns fetching a feed safely (the SSRF guard on every hop,
//! bounded size and time, conditional requests) and mapping HTTP answers to provider errors;
//! reading the document is `ical::feed`'s. A feed URL's query string often holds a secret
//! token, so no error message or log line carries more of a URL than its host.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{StatusCode, Url};
use serde::{Deserialize, Serialize};

use super::provider::{
    Account, CalendarApi, CalendarBusy, CalendarCursor, EventDraft, ExternalCalendar,
    ProviderError, WrittenEvent,
};
use super::refused_url;
use crate::ical::feed;
use crate::webhooks::retry::parse_retry_after;
use crate::webhooks::ssrf::{GuardedResolver, Policy, Refusal, check_before_send};

/// Largest feed read, in bytes.
pub const MAX_FEED_BYTES: usize = 10 * 1024 * 1024;
/// Redirects followed (each checked like the first URL).
const MAX_REDIRECTS: usize = 3;

/// How feeds are fetched.
#[derive(Debug, Clone)]
pub struct FeedSettings {
    /// Which addresses a feed may be on (tests allow loopback).
    pub policy: Policy,
    /// The whole fetch, redirects and body included.
    pub timeout: Duration,
    pub max_bytes: usize,
}

impl Default for FeedSettings {
    fn default() -> Self {
        Self {
            policy: Policy::default(),
            timeout: Duration::from_secs(10),
            max_bytes: MAX_FEED_BYTES,
        }
    }
}

/// The ICS feed provider; cheap to clone, one HTTP client for all feeds.
#[derive(Debug, Clone)]
pub struct IcsFeeds {
    client: reqwest::Client,
    settings: Arc<FeedSettings>,
}

/// What the cursor's `state` holds between reads: the validators of the last full answer.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Validators {
    #[serde(skip_serializing_if = "Option::is_none")]
    etag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_modified: Option<String>,
}

/// A fetched feed.
enum Fetched {
    NotModified,
    Document {
        text: String,
        validators: Validators,
    },
}

impl IcsFeeds {
    pub fn new(settings: FeedSettings) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            // Redirects are followed by hand, so each hop is checked against the policy.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the feed's host itself, past the guard below.
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver {
                policy: settings.policy.clone(),
            }))
            .connect_timeout(settings.timeout)
            .user_agent(concat!("Kairos-Calendar/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            settings: Arc::new(settings),
        })
    }

    /// Fetches `url`, conditionally when `state` holds validators, within the time limit.
    async fn fetch(&self, url: &str, state: Option<&str>) -> Result<Fetched, ProviderError> {
        let url = feed_url(url, "the ICS feed URL", &self.settings.policy)?;
        let host = host_of(&url);
        let validators: Validators = state
            .and_then(|state| serde_json::from_str(state).ok())
            .unwrap_or_default();
        tokio::time::timeout(
            self.settings.timeout,
            self.fetch_following(url, &validators),
        )
        .await
        .unwrap_or_else(|_| {
            Err(ProviderError::Unavailable(format!(
                "the feed at {host} did not answer within {} s",
                self.settings.timeout.as_secs_f32()
            )))
        })
    }

    async fn fetch_following(
        &self,
        mut url: Url,
        validators: &Validators,
    ) -> Result<Fetched, ProviderError> {
        for _ in 0..=MAX_REDIRECTS {
            let response = self
                .client
                .get(url.clone())
                .headers(conditional_headers(validators))
                .send()
                .await
                .map_err(|error| request_failed(&url, error))?;
            let status = response.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                url = next_hop(&url, response.headers(), &self.settings.policy)?;
                continue;
            }
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Fetched::NotModified);
            }
            check_status(&url, status, response.headers())?;
            return self.read_body(&url, response).await;
        }
        Err(ProviderError::Invalid(format!(
            "the feed at {} redirects more than {MAX_REDIRECTS} times",
            host_of(&url)
        )))
    }

    /// The body as text, at most `max_bytes`, with the validators for the next read.
    async fn read_body(
        &self,
        url: &Url,
        mut response: reqwest::Response,
    ) -> Result<Fetched, ProviderError> {
        let host = host_of(url);
        check_content_type(&host, response.headers())?;
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let validators = Validators {
            etag: header(header::ETAG),
            last_modified: header(header::LAST_MODIFIED),
        };
        let limit = self.settings.max_bytes;
        if response
            .content_length()
            .is_some_and(|length| length > limit as u64)
        {
            return Err(too_large(&host, limit));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| request_failed(url, error))?
        {
            if body.len() + chunk.len() > limit {
                return Err(too_large(&host, limit));
            }
            body.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(body).map_err(|_| {
            ProviderError::Invalid(format!(
                "the feed at {host} is not text (not UTF-8); expected an iCalendar document"
            ))
        })?;
        Ok(Fetched::Document { text, validators })
    }
}

impl CalendarApi for IcsFeeds {
    async fn calendars(
        &self,
        account: &mut Account,
    ) -> Result<Vec<ExternalCalendar>, ProviderError> {
        let url = account_url(account)?.to_owned();
        let Fetched::Document { text, .. } = self.fetch(&url, None).await? else {
            return Err(ProviderError::Invalid(
                "the feed answered 304 Not Modified to an unconditional request".into(),
            ));
        };
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        let read = feed::read(&text, epoch, epoch, account.time_zone)
            .map_err(|error| invalid_feed(&url, &error))?;
        let name = read.name.unwrap_or_else(|| {
            Url::parse(&url).map_or_else(|_| "ICS feed".into(), |u| host_of(&u))
        });
        Ok(vec![ExternalCalendar {
            id: feed_id(&url),
            name,
            primary: true,
            read_only: true,
            time_zone: None,
        }])
    }

    async fn busy(
        &self,
        account: &mut Account,
        calendars: &[CalendarCursor],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CalendarBusy>, ProviderError> {
        // One feed per connection: its URL (and any secret in it) stays in the account.
        let url = account_url(account)?.to_owned();
        let mut answers = Vec::with_capacity(calendars.len());
        for cursor in calendars {
            let answer = match self.fetch(&url, cursor.state.as_deref()).await? {
                Fetched::NotModified => CalendarBusy::Unchanged,
                Fetched::Document { text, validators } => {
                    let read = feed::read(&text, from, to, account.time_zone)
                        .map_err(|error| invalid_feed(&url, &error))?;
                    if !read.skipped.is_empty() {
                        tracing::warn!(
                            host = %Url::parse(&url).map(|u| host_of(&u)).unwrap_or_default(),
                            skipped = read.skipped.len(),
                            first = %read.skipped[0],
                            "ICS feed: events skipped"
                        );
                    }
                    let state = (validators.etag.is_some() || validators.last_modified.is_some())
                        .then(|| serde_json::to_string(&validators).unwrap_or_default());
                    CalendarBusy::Replaced {
                        blocks: read.blocks,
                        state,
                    }
                }
            };
            answers.push(answer);
        }
        Ok(answers)
    }

    async fn create_event(
        &self,
        _account: &mut Account,
        _calendar: &str,
        _draft: &EventDraft,
    ) -> Result<WrittenEvent, ProviderError> {
        Err(read_only())
    }

    async fn update_event(
        &self,
        _account: &mut Account,
        _calendar: &str,
        _event: &WrittenEvent,
        _draft: &EventDraft,
    ) -> Result<WrittenEvent, ProviderError> {
        Err(read_only())
    }

    async fn delete_event(
        &self,
        _account: &mut Account,
        _calendar: &str,
        _event: &WrittenEvent,
    ) -> Result<(), ProviderError> {
        Err(read_only())
    }
}

fn read_only() -> ProviderError {
    ProviderError::Invalid("an ICS feed is read-only".into())
}

/// The feed's calendar id: a fingerprint of its URL, which may hold a secret token and is
/// never shown.
fn feed_id(url: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(url.as_bytes());
    format!("feed-{}", hex::encode(&digest[..8]))
}

fn account_url(account: &Account) -> Result<&str, ProviderError> {
    account
        .url
        .as_deref()
        .ok_or_else(|| ProviderError::Invalid("the ICS feed connection has no URL".into()))
}

/// A feed URL as it is fetched: `webcal://` (and `webcals://`, in any case) read as
/// `https://`, surrounding space dropped.
pub fn as_https(raw: &str) -> Cow<'_, str> {
    let raw = raw.trim();
    ["webcal://", "webcals://"]
        .iter()
        .find_map(|scheme| {
            raw.get(..scheme.len())
                .filter(|prefix| prefix.eq_ignore_ascii_case(scheme))
                .map(|_| Cow::Owned(format!("https://{}", &raw[scheme.len()..])))
        })
        .unwrap_or(Cow::Borrowed(raw))
}

/// The URL to fetch ([`as_https`]), checked by the SSRF guard's send-time check (names are
/// checked by the resolver when connecting); `what` names it in a refusal.
fn feed_url(raw: &str, what: &str, policy: &Policy) -> Result<Url, ProviderError> {
    check_before_send(&as_https(raw), policy)
        .map_err(|refusal| ProviderError::Invalid(refused_url(what, &refusal)))
}

/// Where a redirect leads, checked like the first URL.
fn next_hop(url: &Url, headers: &HeaderMap, policy: &Policy) -> Result<Url, ProviderError> {
    let host = host_of(url);
    let location = headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ProviderError::Invalid(format!("the feed at {host} redirects without a Location"))
        })?;
    let next = url.join(location).map_err(|_| {
        ProviderError::Invalid(format!("the feed at {host} redirects to an invalid URL"))
    })?;
    feed_url(
        next.as_str(),
        &format!("the URL the feed at {host} redirects to"),
        policy,
    )
}

fn conditional_headers(validators: &Validators) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::ACCEPT,
        HeaderValue::from_static("text/calendar, text/plain;q=0.5, */*;q=0.1"),
    );
    let mut set = |name, value: &Option<String>| {
        if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            headers.insert(name, value);
        }
    };
    set(header::IF_NONE_MATCH, &validators.etag);
    set(header::IF_MODIFIED_SINCE, &validators.last_modified);
    headers
}

/// Errors for answers that are not a feed: 401/403, 404/410, 429, 5xx, anything else.
fn check_status(url: &Url, status: StatusCode, headers: &HeaderMap) -> Result<(), ProviderError> {
    let host = host_of(url);
    let said = || format!("the feed at {host} answered {status}");
    match status.as_u16() {
        200..=299 => Ok(()),
        401 | 403 => Err(ProviderError::Unauthorized(said())),
        404 | 410 => Err(ProviderError::NotFound(said())),
        429 => Err(ProviderError::RateLimited {
            retry_after: headers
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, Utc::now())),
        }),
        500..=599 | 408 => Err(ProviderError::Unavailable(said())),
        _ => Err(ProviderError::Invalid(said())),
    }
}

/// Refuses bodies that are declared as something other than text (images, archives, …);
/// iCalendar is served as `text/calendar`, often as `text/plain` or a generic type.
fn check_content_type(host: &str, headers: &HeaderMap) -> Result<(), ProviderError> {
    let Some(kind) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(());
    };
    let essence = kind
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let textual = essence.starts_with("text/")
        || matches!(
            essence.as_str(),
            "application/ics"
                | "application/calendar"
                | "application/x-ical"
                | "application/octet-stream"
                | "application/force-download"
                | "binary/octet-stream"
                | ""
        );
    if textual {
        Ok(())
    } else {
        Err(ProviderError::Invalid(format!(
            "the feed at {host} is `{}`, not text; expected an iCalendar document (text/calendar)",
            essence.chars().take(60).collect::<String>()
        )))
    }
}

fn too_large(host: &str, limit: usize) -> ProviderError {
    ProviderError::Invalid(format!(
        "the feed at {host} is larger than {} MB; Kairos reads feeds up to that size",
        limit / (1024 * 1024)
    ))
}

/// A failed request as a provider error, without the URL reqwest would print.
fn request_failed(url: &Url, error: reqwest::Error) -> ProviderError {
    let host = host_of(url);
    if let Some(refusal @ Refusal::Private { .. }) = Refusal::in_chain(&error) {
        return ProviderError::Unavailable(refused_url(&format!("the feed at {host}"), refusal));
    }
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(&error);
    while let Some(inner) = source {
        cause = inner.to_string();
        source = inner.source();
    }
    let cause = if cause.is_empty() {
        String::new()
    } else {
        format!(": {cause}")
    };
    ProviderError::Unavailable(format!("reading the feed at {host} {kind}{cause}"))
}

fn invalid_feed(url: &str, error: &feed::FeedError) -> ProviderError {
    let host = Url::parse(url).map(|u| host_of(&u)).unwrap_or_default();
    ProviderError::Invalid(format!("the feed at {host} does not read: {error}"))
}

/// The part of a URL that may be shown: its host (and port).
fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => "(no host)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webcal_is_read_as_https_and_private_literals_are_refused() {
        let policy = Policy::default();
        let what = "the ICS feed URL";
        let url = feed_url(
            " webcal://calendar.example.com/a.ics?token=x",
            what,
            &policy,
        )
        .unwrap();
        assert_eq!(url.as_str(), "https://calendar.example.com/a.ics?token=x");
        let url = feed_url("WEBCALS://calendar.example.com/b.ics", what, &policy).unwrap();
        assert_eq!(url.scheme(), "https");
        for refused in [
            "webcal://127.0.0.1/x.ics",
            "http://169.254.169.254/x",
            "ftp://example.com/x",
        ] {
            let error = feed_url(refused, what, &policy).unwrap_err().to_string();
            assert!(error.contains("the ICS feed URL"), "{error}");
            assert!(
                !error.contains("subscriberUrl") && !error.to_lowercase().contains("webhook"),
                "{error}"
            );
        }
        let error = feed_url("webcal://127.0.0.1/x.ics", what, &policy).unwrap_err();
        assert!(
            error.to_string().contains("KAIROS_CALENDAR_ALLOW_PRIVATE"),
            "{error}"
        );
        let error = feed_url("webcal://user:secret@example.com/x", what, &policy).unwrap_err();
        assert!(!error.to_string().contains("secret"), "{error}");
    }
}
