//! What a booker URL asks for, read once per request: the event type, whether a booking is
//! being moved (`rescheduleUid`), and how to show it: the zone (`tz`), the clock (`hour`), the
//! length (`duration`) and the language. It checks the booking being moved; it renders nothing.

use actix_web::HttpRequest;
use chrono::Utc;
use chrono_tz::Tz;

use crate::booking::{self, EventRef};
use crate::domain::TimeZoneName;
use crate::event_types::EventType;
use crate::http::AppState;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{PageError, QueryState};
use crate::private_links;
use crate::service::ServiceError;
use crate::workflows;

/// What the booker is for: a new booking, or moving the booking with this uid.
pub(super) struct Mode {
    pub(super) rescheduling: Option<booking::BookingView>,
}

pub(super) struct Prepared {
    pub(super) event: EventType,
    pub(super) tz: Tz,
    pub(super) lang: Lang,
    pub(super) twelve_hour: bool,
    pub(super) length: u32,
    pub(super) mode: Mode,
    /// A workflow texts this event type's attendees: the form asks for a mobile number.
    pub(super) asks_phone: bool,
    /// Where a routing form sent the booker (`cal.routingFormResponseId`,
    /// `cal.routedTeamMemberIds`); `event`'s hosts are already narrowed to the routed ones.
    pub(super) routing: Option<booking::Routing>,
    /// The private link the page was opened through (`/d/{link}/{slug}`): bookings use it.
    pub(super) link: Option<String>,
}

/// How a booker URL names its event type.
pub(super) enum Entry {
    /// `/team/{team}/{slug}…` or `/{username}/{slug}…`.
    Named(EventRef),
    /// `/d/{link}/{slug}…`: through a private link.
    Private { link: String, slug: String },
}

/// The event type a booker URL names.
pub(super) fn target(request: &HttpRequest, owner: String, slug: String) -> Entry {
    if request.match_info().get("link").is_some() {
        Entry::Private { link: owner, slug }
    } else if request.path().starts_with("/team/") {
        Entry::Named(EventRef::Team { team: owner, slug })
    } else {
        Entry::Named(EventRef::User {
            username: owner,
            slug,
        })
    }
}

/// The event type of `entry` as a booker reaches it, and the private link used, if any. A
/// booking being moved (`rescheduleUid`, checked by `mode` to be one of this event type's)
/// opens its own event type, even one kept behind private links.
async fn reach(
    state: &AppState,
    entry: Entry,
    rescheduling: bool,
) -> Result<(EventType, Option<String>), ServiceError> {
    let viewing = private_links::Use::Viewing;
    match entry {
        Entry::Named(target) if rescheduling => {
            Ok((booking::resolve_event(&state.db, &target).await?, None))
        }
        Entry::Named(target) => {
            let event = booking::resolve_for_booker(&state.db, &target, None, None, viewing);
            Ok((event.await?, None))
        }
        Entry::Private { link, slug } => {
            let id = private_links::event_of(&state.db, &link, Utc::now()).await?;
            let target = EventRef::Id(id);
            let event =
                booking::resolve_for_booker(&state.db, &target, Some(&link), None, viewing).await?;
            if event.record.slug != slug {
                return Err(ServiceError::NotFound(format!(
                    "This private link does not open `{slug}`"
                )));
            }
            Ok((event, Some(link)))
        }
    }
}

pub(super) async fn prepare(
    state: &AppState,
    request: &HttpRequest,
    query: &QueryState,
    entry: Entry,
) -> Result<Prepared, PageError> {
    let lang = query.lang(request);
    let rescheduling = query.get("rescheduleUid").is_some();
    let (event, link) = reach(state, entry, rescheduling)
        .await
        .map_err(|e| PageError::from_service(lang, e))?;
    let routing = routing(query).map_err(|e| PageError::from_service(lang, e))?;
    let event = match routing.as_ref().map(|r| r.team_member_ids.as_slice()) {
        None | Some([]) => event,
        Some(ids) => event.routed_to(ids).map_err(|m| {
            PageError::from_service(
                lang,
                ServiceError::Invalid(format!("cal.routedTeamMemberIds: {m}")),
            )
        })?,
    };
    let mode = mode(state, query, lang, &event).await?;
    let length = length(query, &event, &mode);
    let asks_phone = asks_phone(state, &event)
        .await
        .map_err(|e| PageError::from_service(lang, e))?;
    Ok(Prepared {
        tz: zone(query, &event),
        lang,
        twelve_hour: twelve_hour(query, lang),
        length,
        event,
        mode,
        asks_phone,
        routing,
        link,
    })
}

/// Cal.com's routing parameters on a booking page's URL, as a routing form's redirect sets them.
fn routing(query: &QueryState) -> Result<Option<booking::Routing>, ServiceError> {
    let bad =
        |key: &str| ServiceError::Invalid(format!("{key}: must be user ids, comma-separated"));
    let response_id = match query.get("cal.routingFormResponseId") {
        None => None,
        Some(raw) => Some(
            raw.trim()
                .parse::<i64>()
                .map_err(|_| bad("cal.routingFormResponseId"))?,
        ),
    };
    let team_member_ids = match query
        .get("cal.routedTeamMemberIds")
        .filter(|r| !r.is_empty())
    {
        None => Vec::new(),
        Some(raw) => raw
            .split(',')
            .map(|id| id.trim().parse::<i64>())
            .collect::<Result<_, _>>()
            .map_err(|_| bad("cal.routedTeamMemberIds"))?,
    };
    if response_id.is_none() && team_member_ids.is_empty() {
        return Ok(None);
    }
    Ok(Some(booking::Routing {
        response_id,
        team_member_ids,
    }))
}

/// Whether booking `event` needs the booker's mobile number (`booking::create` refuses a
/// booking without one); no query unless text messages are configured.
async fn asks_phone(state: &AppState, event: &EventType) -> Result<bool, ServiceError> {
    if !state.outbox.sms {
        return Ok(false);
    }
    (state.db)
        .run(async |c| workflows::texts_attendees(c, event, true).await)
        .await
}

/// A new booking, or the booking `rescheduleUid` names while it can still move (else where to go
/// instead: where it already went, or the booker of its own event type).
async fn mode(
    state: &AppState,
    query: &QueryState,
    lang: Lang,
    event: &EventType,
) -> Result<Mode, PageError> {
    let Some(uid) = query.get("rescheduleUid") else {
        return Ok(Mode { rescheduling: None });
    };
    let view = booking::by_link(&state.db, uid, query.get("seatReferenceUid"))
        .await
        .map_err(|e| PageError::from_service(lang, e))?;
    if let Some(moved_to) = &view.rescheduled_to {
        // Already moved (a second click on the button): show where it went.
        return Err(PageError::redirect(format!("/booking/{moved_to}")));
    }
    if !view.may_move() {
        return Err(PageError::gone(lang, lang.text().cannot_reschedule));
    }
    if view.record.event_type_id != Some(event.record.id) {
        return Err(PageError::redirect(format!("/reschedule/{uid}")));
    }
    Ok(Mode {
        rescheduling: Some(view),
    })
}

/// The visitor's zone (`tz`), else the owner's, else UTC.
fn zone(query: &QueryState, event: &EventType) -> Tz {
    let owner_tz = event
        .owner_user
        .as_ref()
        .map(|u| u.time_zone.clone())
        .unwrap_or_else(|| "UTC".into());
    query
        .get("tz")
        .and_then(|z| TimeZoneName::parse(z).ok())
        .or_else(|| TimeZoneName::parse(&owner_tz).ok())
        .map_or(Tz::UTC, TimeZoneName::tz)
}

/// The visitor's clock (booker.js reads it from the browser), else their language's habit;
/// the host's own time format is the host's preference, not the visitor's.
fn twelve_hour(query: &QueryState, lang: Lang) -> bool {
    match query.get("hour") {
        Some("12") => true,
        Some("24") => false,
        _ => lang.twelve_hour(),
    }
}

/// The length to book: the moved booking's, else `duration`, while the event type offers it;
/// else the event type's first.
fn length(query: &QueryState, event: &EventType, mode: &Mode) -> u32 {
    let lengths = event.lengths();
    match &mode.rescheduling {
        // The service keeps the booking's length if the event type still offers it.
        Some(view) => event
            .length(Some(
                (view.record.end_at - view.record.start_at).num_minutes() as u32,
            ))
            .unwrap_or(lengths[0]),
        None => query
            .get("duration")
            .and_then(|d| d.parse::<u32>().ok())
            .filter(|d| lengths.contains(d))
            .unwrap_or(lengths[0]),
    }
}
