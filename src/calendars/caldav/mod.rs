//! CalDAV (RFC 4791) as a calendar provider: Apple iCloud, Fastmail, Nextcloud, Radicale and
//! the like, reached with a user name and an app password. Owns discovery (well-known URL,
//! principal, calendar home, calendars), busy time through `calendar-query` reports behind the
//! collection's ctag, and the booking events Kairos writes. Talks HTTP only, through [`wire`];
//! reads iCalendar through `ical::feed`.

mod event;
mod wire;
mod xml;

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode, header};
use url::Url;

use crate::calendars::{
    Account, BusyBlock, CalendarApi, CalendarBusy, CalendarCursor, Credentials, EventDraft,
    ExternalCalendar, ProviderError, WrittenEvent,
};
use crate::webhooks::ssrf::Policy;
use wire::{Answer, Request, Wire, method, refusal};
use xml::Entry;

/// How the provider reaches servers.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Which addresses may be contacted (the webhooks' rule: public ones unless allowed).
    pub policy: Policy,
    /// The longest one request may take.
    pub timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            policy: Policy::default(),
            timeout: Duration::from_secs(10),
        }
    }
}

/// The CalDAV provider; cheap to clone (one HTTP client underneath).
#[derive(Debug, Clone)]
pub struct CalDav {
    wire: Wire,
}

/// A multistatus answer and the URL its hrefs resolve against.
struct Listing {
    url: Url,
    entries: Vec<Entry>,
}

impl CalDav {
    pub fn new(settings: Settings) -> anyhow::Result<Self> {
        Ok(Self {
            wire: Wire::new(settings.policy, settings.timeout)?,
        })
    }

    /// PROPFIND `body` at `url`; anything but 207 Multi-Status is an error.
    async fn propfind(
        &self,
        account: &Account,
        url: Url,
        depth: &'static str,
        body: &str,
    ) -> Result<Listing, ProviderError> {
        let request = Request::xml(method("PROPFIND"), url, depth, body);
        let answer = self.wire.send(account, request).await?;
        listing(answer, "PROPFIND")
    }

    /// The answer at `/.well-known/caldav` (RFC 6764) after its redirects, when there is one.
    async fn well_known(
        &self,
        account: &Account,
        server: &Url,
    ) -> Result<Option<Listing>, ProviderError> {
        let url = join(server, "/.well-known/caldav")?;
        let request = Request::xml(method("PROPFIND"), url, "0", xml::PROBE);
        // Many servers have no well-known URL, or a broken one: then the URL given is used.
        let answer = match self.wire.send(account, request).await {
            Err(ProviderError::Invalid(_) | ProviderError::NotFound(_)) => return Ok(None),
            answer => answer?,
        };
        match answer.status.as_u16() {
            207 => Ok(listing(answer, "PROPFIND").ok()),
            401 => Err(refusal(&answer, "PROPFIND")),
            _ => Ok(None),
        }
    }

    /// Where the account's calendars live: the calendar home, or the calendar the user named.
    async fn start(&self, account: &Account) -> Result<Listing, ProviderError> {
        let given = server_url(account)?;
        if given.path() == "/"
            && let Some(listing) = self.well_known(account, &given).await?
        {
            return Ok(listing);
        }
        self.propfind(account, given, "0", xml::PROBE).await
    }

    async fn discover(&self, account: &Account) -> Result<Vec<ExternalCalendar>, ProviderError> {
        let probe = self.start(account).await?;
        let here = probe.entries.first().ok_or_else(|| empty(&probe.url))?;
        if here.props.is_calendar {
            let calendars = calendar_of(&probe.url, here)?.into_iter().collect();
            return Ok(with_primary(calendars));
        }
        let home = match (
            &here.props.calendar_home_set,
            &here.props.current_user_principal,
        ) {
            (Some(home), _) => join(&probe.url, home)?,
            (None, Some(principal)) => {
                let principal = join(&probe.url, principal)?;
                self.home_of(account, principal).await?
            }
            (None, None) => probe.url.clone(),
        };
        let listing = self.propfind(account, home, "1", xml::CALENDARS).await?;
        let mut calendars = Vec::new();
        for entry in &listing.entries {
            calendars.extend(calendar_of(&listing.url, entry)?);
        }
        Ok(with_primary(calendars))
    }

    async fn home_of(&self, account: &Account, principal: Url) -> Result<Url, ProviderError> {
        let listing = self.propfind(account, principal, "0", xml::PROBE).await?;
        let home = listing
            .entries
            .first()
            .and_then(|e| e.props.calendar_home_set.as_deref())
            .ok_or_else(|| {
                ProviderError::Invalid(format!(
                    "the CalDAV principal {} names no calendar home (calendar-home-set)",
                    listing.url
                ))
            })?;
        join(&listing.url, home)
    }

    /// The collection's version: its ctag, else its sync-token; `None` when it tells neither.
    async fn version(
        &self,
        account: &Account,
        calendar: &Url,
    ) -> Result<Option<String>, ProviderError> {
        let listing = self
            .propfind(account, calendar.clone(), "0", xml::VERSION)
            .await?;
        Ok(listing
            .entries
            .into_iter()
            .next()
            .and_then(|e| e.props.ctag.or(e.props.sync_token)))
    }

    /// The busy blocks of the calendar's events overlapping `[from, to)`.
    async fn events(
        &self,
        account: &Account,
        calendar: &Url,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<BusyBlock>, ProviderError> {
        let stamp = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
        let body = xml::events_in_range(&stamp(from), &stamp(to));
        let request = Request::xml(method("REPORT"), calendar.clone(), "1", body);
        let answer = self.wire.send(account, request).await?;
        let listing = listing(answer, "REPORT")?;
        let mut blocks = Vec::new();
        for entry in &listing.entries {
            let Some(document) = &entry.props.calendar_data else {
                continue;
            };
            match crate::ical::feed::busy_blocks(document, from, to, account.time_zone) {
                Ok(found) => blocks.extend(found),
                // One event Kairos cannot read must not stop the calendar from blocking time.
                Err(error) => tracing::warn!(
                    calendar = %calendar, href = %entry.href, %error,
                    "a CalDAV event does not read; left out of the busy time"
                ),
            }
        }
        blocks.sort_by_key(|b| (b.start, b.end));
        Ok(blocks)
    }

    /// The current entity tag of a resource.
    async fn etag(&self, account: &Account, url: &Url) -> Result<String, ProviderError> {
        let listing = self.propfind(account, url.clone(), "0", xml::ETAG).await?;
        listing
            .entries
            .into_iter()
            .find_map(|e| e.props.etag)
            .ok_or_else(|| {
                ProviderError::Invalid(format!("the CalDAV server tells no ETag for {url}"))
            })
    }

    /// The tag of what a write stored: the answer's strong ETag, else asked for.
    async fn stored_etag(
        &self,
        account: &Account,
        answer: &Answer,
    ) -> Result<String, ProviderError> {
        match answer.header(header::ETAG).filter(|t| !t.starts_with("W/")) {
            Some(etag) => Ok(etag),
            None => self.etag(account, &answer.url).await,
        }
    }

    /// Sends `request` with `If-Match: etag`; when the resource changed since (412), once
    /// more with its current tag. Kairos owns its booking events, so its version wins.
    async fn conditional(
        &self,
        account: &Account,
        request: Request,
        etag: Option<String>,
    ) -> Result<Answer, ProviderError> {
        let mut etag = match etag {
            Some(etag) => etag,
            None => self.etag(account, &request.url).await?,
        };
        for _ in 0..2 {
            let mut attempt = request.clone();
            attempt.if_match = Some(etag);
            let answer = self.wire.send(account, attempt).await?;
            if answer.status != StatusCode::PRECONDITION_FAILED {
                return Ok(answer);
            }
            etag = self.etag(account, &request.url).await?;
        }
        Err(ProviderError::Unavailable(format!(
            "{} kept changing while Kairos wrote it",
            request.url
        )))
    }

    async fn put(
        &self,
        account: &Account,
        url: Url,
        draft: &EventDraft,
        etag: Option<String>,
    ) -> Result<WrittenEvent, ProviderError> {
        let mut request = Request::new(Method::PUT, url);
        request.body = Some((
            event::resource(draft, Utc::now()),
            "text/calendar; charset=utf-8",
        ));
        let answer = self.conditional(account, request, etag).await?;
        written(self, account, answer).await
    }
}

impl CalendarApi for CalDav {
    async fn calendars(
        &self,
        account: &mut Account,
    ) -> Result<Vec<ExternalCalendar>, ProviderError> {
        check_credentials(account)?;
        self.discover(account).await
    }

    async fn busy(
        &self,
        account: &mut Account,
        calendars: &[CalendarCursor],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CalendarBusy>, ProviderError> {
        check_credentials(account)?;
        let mut answers = Vec::with_capacity(calendars.len());
        for cursor in calendars {
            let calendar = collection_url(&cursor.calendar_id)?;
            // Read before the events: a change in between shows as a new version next time.
            let version = self.version(account, &calendar).await?;
            if version.is_some() && version == cursor.state {
                answers.push(CalendarBusy::Unchanged);
                continue;
            }
            let blocks = self.events(account, &calendar, from, to).await?;
            answers.push(CalendarBusy::Replaced {
                blocks,
                state: version,
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
        check_credentials(account)?;
        let url = join(
            &collection_url(calendar)?,
            &event::resource_name(&draft.ical_uid),
        )?;
        let mut request = Request::new(Method::PUT, url.clone());
        request.if_none_match = true;
        request.body = Some((
            event::resource(draft, Utc::now()),
            "text/calendar; charset=utf-8",
        ));
        let answer = self.wire.send(account, request).await?;
        if answer.status == StatusCode::PRECONDITION_FAILED {
            // Already there: an earlier attempt whose answer was lost. Write it over.
            return self.put(account, url, draft, None).await;
        }
        written(self, account, answer).await
    }

    async fn update_event(
        &self,
        account: &mut Account,
        _calendar: &str,
        event: &WrittenEvent,
        draft: &EventDraft,
    ) -> Result<WrittenEvent, ProviderError> {
        check_credentials(account)?;
        let url = resource_url(&event.external_id)?;
        self.put(account, url, draft, event.etag.clone()).await
    }

    async fn delete_event(
        &self,
        account: &mut Account,
        _calendar: &str,
        event: &WrittenEvent,
    ) -> Result<(), ProviderError> {
        check_credentials(account)?;
        let url = resource_url(&event.external_id)?;
        let request = Request::new(Method::DELETE, url);
        match self.conditional(account, request, event.etag.clone()).await {
            Ok(answer) if answer.status.is_success() => Ok(()),
            Ok(answer) => match refusal(&answer, "DELETE") {
                ProviderError::NotFound(_) => Ok(()),
                other => Err(other),
            },
            Err(ProviderError::NotFound(_)) => Ok(()),
            Err(other) => Err(other),
        }
    }
}

/// The event a successful PUT stored.
async fn written(
    caldav: &CalDav,
    account: &Account,
    answer: Answer,
) -> Result<WrittenEvent, ProviderError> {
    if !answer.status.is_success() {
        return Err(refusal(&answer, "PUT"));
    }
    let etag = caldav.stored_etag(account, &answer).await?;
    Ok(WrittenEvent {
        external_id: answer.url.to_string(),
        etag: Some(etag),
        meeting_url: None,
    })
}

fn listing(answer: Answer, verb: &str) -> Result<Listing, ProviderError> {
    if answer.status != StatusCode::MULTI_STATUS {
        return Err(refusal(&answer, verb));
    }
    let entries = xml::multistatus(&answer.body).map_err(|why| {
        ProviderError::Invalid(format!(
            "the CalDAV server's answer to {verb} {} cannot be read: {why}",
            answer.url
        ))
    })?;
    Ok(Listing {
        url: answer.url,
        entries,
    })
}

fn empty(url: &Url) -> ProviderError {
    ProviderError::Invalid(format!("the CalDAV server said nothing about {url}"))
}

/// A calendar collection holding events, as an [`ExternalCalendar`]; `None` for anything else.
fn calendar_of(base: &Url, entry: &Entry) -> Result<Option<ExternalCalendar>, ProviderError> {
    let props = &entry.props;
    let holds_events = props
        .components
        .as_ref()
        .is_none_or(|c| c.iter().any(|name| name == "VEVENT"));
    if !props.is_calendar || !holds_events {
        return Ok(None);
    }
    let url = join(base, &entry.href)?;
    let name = props.display_name.clone().unwrap_or_else(|| {
        let path = url.path().trim_end_matches('/');
        let last = path.rsplit('/').next().unwrap_or_default();
        if last.is_empty() { "Calendar" } else { last }.to_owned()
    });
    let writable = props.privileges.as_ref().is_none_or(|p| {
        p.iter()
            .any(|name| matches!(name.as_str(), "all" | "write" | "bind"))
    });
    let time_zone = props
        .calendar_timezone
        .as_deref()
        .and_then(xml::time_zone_id)
        .filter(|id| id.parse::<chrono_tz::Tz>().is_ok());
    Ok(Some(ExternalCalendar {
        id: url.to_string(),
        name,
        primary: false,
        read_only: !writable,
        time_zone,
    }))
}

/// CalDAV has no primary calendar; the first writable one the server lists stands for it.
fn with_primary(mut calendars: Vec<ExternalCalendar>) -> Vec<ExternalCalendar> {
    if let Some(first) = calendars.iter_mut().find(|c| !c.read_only) {
        first.primary = true;
    }
    calendars
}

fn check_credentials(account: &Account) -> Result<(), ProviderError> {
    match account.credentials {
        Credentials::Password { .. } | Credentials::None => Ok(()),
        Credentials::OAuth { .. } => Err(ProviderError::Invalid(
            "a CalDAV account signs in with a user name and an app password, not OAuth".into(),
        )),
    }
}

fn server_url(account: &Account) -> Result<Url, ProviderError> {
    let raw = account.url.as_deref().ok_or_else(|| {
        ProviderError::Invalid("a CalDAV account needs its server's URL".to_owned())
    })?;
    parse(raw.trim(), "the CalDAV server URL")
}

/// A calendar's id as a collection URL (with its trailing slash, so names join inside it).
fn collection_url(id: &str) -> Result<Url, ProviderError> {
    let mut url = parse(id, "the calendar id")?;
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn resource_url(id: &str) -> Result<Url, ProviderError> {
    parse(id, "the written event's id")
}

fn parse(raw: &str, what: &str) -> Result<Url, ProviderError> {
    let url = Url::parse(raw).map_err(|e| {
        ProviderError::Invalid(format!(
            "{what} `{raw}` is not an absolute URL ({e}); expected something like https://caldav.example.com/"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ProviderError::Invalid(format!(
            "{what} `{raw}` must use https or http"
        )));
    }
    Ok(url)
}

fn join(base: &Url, href: &str) -> Result<Url, ProviderError> {
    base.join(href).map_err(|e| {
        ProviderError::Invalid(format!(
            "the CalDAV server named `{href}`, which is not a URL relative to {base} ({e})"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(href: &str, props: xml::Props) -> Entry {
        Entry {
            href: href.to_owned(),
            props,
        }
    }

    #[test]
    fn only_event_calendars_are_calendars() {
        let base = Url::parse("https://dav.example.com/cal/ada/").unwrap();
        let calendar = xml::Props {
            is_calendar: true,
            display_name: Some("Work".into()),
            components: Some(vec!["VEVENT".into()]),
            privileges: Some(vec!["read".into()]),
            calendar_timezone: Some("BEGIN:VTIMEZONE\nTZID:Europe/Berlin\nEND:VTIMEZONE".into()),
            ..Default::default()
        };
        let found = calendar_of(&base, &entry("work/", calendar.clone()))
            .unwrap()
            .expect("a calendar");
        assert_eq!(found.id, "https://dav.example.com/cal/ada/work/");
        assert!(found.read_only);
        assert_eq!(found.time_zone.as_deref(), Some("Europe/Berlin"));
        let tasks = xml::Props {
            components: Some(vec!["VTODO".into()]),
            ..calendar.clone()
        };
        assert_eq!(calendar_of(&base, &entry("tasks/", tasks)).unwrap(), None);
        let folder = xml::Props::default();
        assert_eq!(calendar_of(&base, &entry("x/", folder)).unwrap(), None);
        let windows_zone = xml::Props {
            calendar_timezone: Some("TZID:W. Europe Standard Time".into()),
            privileges: None,
            display_name: None,
            ..calendar
        };
        let found = calendar_of(&base, &entry("/cal/ada/home/", windows_zone))
            .unwrap()
            .unwrap();
        assert_eq!(found.time_zone, None);
        assert!(!found.read_only);
        assert_eq!(found.name, "home");
    }

    #[test]
    fn calendar_ids_become_collections() {
        let url = collection_url("https://dav.example.com/ada/work").unwrap();
        assert_eq!(url.as_str(), "https://dav.example.com/ada/work/");
        assert!(collection_url("ftp://x/").is_err());
        assert!(collection_url("work").is_err());
    }
}
