//! A booking's own page, reached by its link: what, when (in the booker's zone and the host's),
//! where and who; "add to calendar" links and the `.ics`; cancel and reschedule, as Cal.com's
//! `/booking/{uid}?cancel=true` and `/reschedule/{uid}`. Emails sign these links
//! (`crate::links`): a link with a `token` opens only if the token checks out (expired: 410,
//! forged or another booking's: 403); a link without one opens as Cal.com's do (links sent
//! before, embeds).

use crate::domain::text::{self, TextKind};
use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::json;

use super::i18n::{Lang, Text};
use super::{Chrome, PageError, PageResult, QueryState, html};
use crate::booking::{self, Actor, BookingView, CancelRequest, EventRef};
use crate::domain::{BookingStatus, TimeZoneName};
use crate::http::AppState;
use crate::http::admission::Admitted;
use crate::i18n::Clock;
use crate::service::ServiceError;
use crate::storage::StorageError;
use crate::storage::bookings::AttendeeRecord;

/// Display settings and the link's own token, which travel with the booking's links.
const KEEP: [&str; 8] = [
    "tz",
    "hour",
    "lang",
    "embed",
    "embedType",
    "layout",
    "seatReferenceUid",
    "token",
];

/// A link's `token`, when it has one, must open this booking as this seat (`crate::links`).
fn check_link(
    state: &AppState,
    query: &QueryState,
    lang: Lang,
    uid: &str,
) -> Result<(), PageError> {
    let Some(token) = query.get("token") else {
        return Ok(());
    };
    let seat = query.get("seatReferenceUid");
    crate::links::check(&state.signer, token, uid, seat, Utc::now())
        .map_err(|e| PageError::link_refused(lang, e))
}

struct Person {
    name: String,
    email: String,
}

#[derive(Template)]
#[template(path = "booking.html")]
struct BookingPage<'a> {
    chrome: Chrome,
    t: &'a Text,
    /// `scheduled`, `pending`, `cancelled`, `rescheduled` or `rejected`.
    state: &'static str,
    heading: &'a str,
    title: String,
    when: String,
    host_when: Option<String>,
    tz: String,
    location: Option<String>,
    location_is_link: bool,
    hosts: Vec<Person>,
    attendees: Vec<Person>,
    google_href: String,
    outlook_href: String,
    ics_href: String,
    reschedule_href: Option<String>,
    cancel_href: Option<String>,
    cancelling: bool,
    cancel_action: String,
    keep_href: String,
    reason: Option<String>,
    rescheduled_to: Option<String>,
    /// Right after booking, when email is on: the address the confirmation went to.
    emailed: Option<String>,
    /// Cal.com embed event data, when this page is the end of a booking inside an embed.
    embed_booking: Option<String>,
}

fn zone(raw: Option<&str>) -> Option<Tz> {
    raw.and_then(|z| TimeZoneName::parse(z).ok())
        .map(TimeZoneName::tz)
}

/// The data Cal.com's embed events carry, for `static/embed-iframe.js`.
fn embed_data(
    view: &BookingView,
    attendees: &[&AttendeeRecord],
    slug: Option<&str>,
    rescheduled: bool,
) -> String {
    let r = &view.record;
    let person =
        |name: &str, email: &str, tz: &str| json!({"name": name, "email": email, "timeZone": tz});
    let data = json!({
        "uid": r.uid,
        "id": r.id,
        "title": r.title,
        "startTime": r.start_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "endTime": r.end_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "eventTypeId": r.event_type_id,
        "eventTypeSlug": slug,
        "status": r.status.lower(),
        "duration": (r.end_at - r.start_at).num_minutes(),
        "organizer": view.hosts.first().map(|h| person(&h.name, &h.email, &h.time_zone)),
        "attendees": attendees.iter().map(|a| person(&a.name, &a.email, &a.time_zone)).collect::<Vec<_>>(),
        "location": r.location,
        "rescheduled": rescheduled,
    });
    // Inside <script type="application/json"> no `<`, `>` or `&` may appear raw: `</script>`
    // would close the element and `<!--` would change how the parser reads the rest.
    data.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The request's display state and the booking its link names.
async fn opened(
    state: &AppState,
    request: &HttpRequest,
    uid: &str,
) -> Result<(QueryState, Lang, BookingView), PageError> {
    let query = QueryState::from_request(request);
    let lang = query.lang(request);
    check_link(state, &query, lang, uid)?;
    // Of a seated booking, only what the seat's holder may see (`booking::by_link`).
    let seat = query.get("seatReferenceUid");
    let view = booking::by_link(&state.db, uid, seat)
        .await
        .map_err(|e| PageError::from_service(lang, e))?;
    Ok((query, lang, view))
}

/// `GET /booking/{uid}` (with `?cancel=true` for the cancel form).
pub async fn show(
    state: web::Data<AppState>,
    request: HttpRequest,
    uid: web::Path<String>,
) -> PageResult {
    let (query, lang, view) = opened(&state, &request, &uid).await?;
    let t = lang.text();
    let r = &view.record;
    let attendees: Vec<&AttendeeRecord> = view.attendees.iter().collect();
    let booker = view.booker();
    // The host's switches: no cancelling or rescheduling by link where they are off.
    let event = match r.event_type_id {
        Some(id) => match booking::resolve_event(&state.db, &EventRef::Id(id)).await {
            Ok(event) => Some(event),
            Err(e @ ServiceError::Storage(StorageError::Corrupt { .. })) => {
                return Err(PageError::from_service(lang, e));
            }
            Err(_) => None,
        },
        None => None,
    };
    let may = booking::booker_actions(&view, event.as_ref(), Utc::now());
    let tz = zone(query.get("tz"))
        .or_else(|| zone(booker.map(|b| b.time_zone.as_str())))
        .unwrap_or(Tz::UTC);
    let host = view.hosts.first();
    let twelve = match query.get("hour") {
        Some("12") => true,
        Some("24") => false,
        _ => lang.twelve_hour(),
    };
    let host_tz = zone(host.map(|h| h.time_zone.as_str()));
    let (state_name, heading) = match r.status {
        BookingStatus::Accepted => ("scheduled", t.confirmed_title),
        BookingStatus::Pending => ("pending", t.pending_title),
        BookingStatus::Rejected => ("rejected", t.rejected_title),
        _ if r.rescheduled => ("rescheduled", t.rescheduled_title),
        _ => ("cancelled", t.cancelled_title),
    };
    let active = r.status.is_active() && r.end_at > Utc::now();
    let keep = query.carry_only(&KEEP);
    // A link to another booking carries no token: this one's opens only this booking.
    let keep_untokened = query.with(&[("token", None)]).carry_only(&KEEP);
    let amp = if keep.is_empty() { "?" } else { "&" };
    let page_url = format!("{}/booking/{}", state.base_url, r.uid);
    let links = booking::calendar_links(&view, &page_url);
    let (google_href, outlook_href) = (links.google, links.outlook);
    let location = r.location.clone().filter(|l| !l.is_empty());
    let location_is_link = location
        .as_deref()
        .is_some_and(|l| l.starts_with("https://") || l.starts_with("http://"));
    let just_booked = query.get("booked").is_some() || query.get("rescheduled").is_some();
    let embed_booking = (query.embedded() && just_booked).then(|| {
        embed_data(
            &view,
            &attendees,
            view.event_slug.as_deref(),
            query.get("rescheduled").is_some(),
        )
    });
    let when = Clock { tz, twelve, lang }.span(r.start_at, r.end_at);
    let emailed = (state.outbox.email && just_booked && state_name == "scheduled")
        .then(|| booker.map(|b| b.email.clone()))
        .flatten();
    let page = BookingPage {
        chrome: Chrome::branded(
            lang,
            host.map(|h| h.brand_color.as_str()).unwrap_or_default(),
            host.map(|h| h.dark_brand_color.as_str())
                .unwrap_or_default(),
            &query,
        ),
        t,
        state: state_name,
        heading,
        title: r.title.clone(),
        when: when.clone(),
        // Only when the host's clock reads differently.
        host_when: host_tz
            .map(|h| {
                Clock {
                    tz: h,
                    twelve,
                    lang,
                }
                .span(r.start_at, r.end_at)
            })
            .filter(|h| *h != when),
        tz: tz.name().to_owned(),
        location,
        location_is_link,
        hosts: view
            .hosts
            .iter()
            .map(|h| Person {
                name: h.name.clone(),
                email: h.email.clone(),
            })
            .collect(),
        attendees: attendees
            .iter()
            .map(|a| Person {
                name: a.name.clone(),
                email: a.email.clone(),
            })
            .collect(),
        google_href,
        outlook_href,
        ics_href: format!("/booking/{}/ics{keep}", r.uid),
        // A seat's holder moves or cancels their own seat; a bare link to a seated booking
        // neither.
        reschedule_href: may
            .reschedule
            .then(|| format!("/reschedule/{}{keep}", r.uid)),
        cancel_href: may
            .cancel
            .then(|| format!("/booking/{}{keep}{amp}cancel=true", r.uid)),
        cancelling: may.cancel && query.get("cancel") == Some("true"),
        cancel_action: format!("/booking/{}/cancel{keep}", r.uid),
        keep_href: format!("/booking/{}{keep}", r.uid),
        reason: r
            .cancellation_reason
            .clone()
            .or(r.rejection_reason.clone())
            .filter(|s| !s.is_empty() && !active),
        rescheduled_to: view
            .rescheduled_to
            .as_ref()
            .map(|uid| format!("/booking/{uid}{keep_untokened}")),
        emailed,
        embed_booking,
    };
    html(page)
}

/// Counts a booker's change to booking `uid` (by link or from the portal) against their
/// address and the booking's host, as every anonymous write is.
pub(super) async fn admit_change(
    state: &AppState,
    request: &HttpRequest,
    lang: Lang,
    uid: &str,
) -> Result<Admitted, PageError> {
    let too_many = |r| PageError::too_many_requests(lang, r);
    let admitted = Admitted::client(state, request).map_err(too_many)?;
    let owner = booking::owner_of_booking(&state.db, uid)
        .await
        .map_err(|e| PageError::from_service(lang, e))?;
    match owner {
        Some(owner) => admitted.host(state, owner.into()).map_err(too_many),
        None => Ok(admitted),
    }
}

/// The cancel form's reason: trimmed, empty as none, at most 1000 characters of text.
pub(super) fn cancel_reason(raw: Option<&str>, lang: Lang) -> Result<Option<String>, PageError> {
    let reason = raw.map(str::trim).filter(|v| !v.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 1_000) {
        return Err(PageError::bad_request(
            lang,
            "reason: at most 1000 characters",
        ));
    }
    if let Some(Err(m)) = reason.map(|r| text::check(TextKind::Lines, r)) {
        return Err(PageError::bad_request(lang, &format!("reason: {m}")));
    }
    Ok(reason.map(str::to_owned))
}

/// `POST /booking/{uid}/cancel`: the booker cancels by link.
pub async fn cancel(
    state: web::Data<AppState>,
    request: HttpRequest,
    uid: web::Path<String>,
    body: web::Bytes,
) -> PageResult {
    let query = QueryState::from_request(&request);
    let lang = query.lang(&request);
    let admitted = admit_change(&state, &request, lang, &uid).await?;
    check_link(&state, &query, lang, &uid)?;
    let reason = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "reason")
        .map(|(_, v)| v.into_owned());
    let reason = cancel_reason(reason.as_deref(), lang)?;
    booking::cancel(
        &state.db,
        &state.outbox,
        &uid,
        CancelRequest {
            reason,
            cancelled_by: None,
            seat_uid: query.get("seatReferenceUid").map(str::to_owned),
        },
        Actor::Booker(None),
    )
    .await
    .map_err(|e| PageError::from_service(lang, e))?;
    let keep = query.carry_only(&KEEP);
    let amp = if keep.is_empty() { "?" } else { "&" };
    let mut response = HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("/booking/{uid}{keep}{amp}cancelled=1")))
        .finish();
    admitted.headers(&mut response);
    Ok(response)
}

/// `GET /reschedule/{uid}`: the booker of the booking's event type, moving this booking.
pub async fn reschedule(
    state: web::Data<AppState>,
    request: HttpRequest,
    uid: web::Path<String>,
) -> PageResult {
    let (query, lang, view) = opened(&state, &request, &uid).await?;
    if !view.may_move() {
        return Err(PageError::gone(lang, lang.text().cannot_reschedule));
    }
    let event_id = view
        .record
        .event_type_id
        .ok_or_else(|| PageError::not_found(lang))?;
    let event = booking::resolve_event(&state.db, &EventRef::Id(event_id))
        .await
        .map_err(|e| PageError::from_service(lang, e))?;
    let tz = zone(query.get("tz"))
        .or_else(|| zone(view.booker().map(|a| a.time_zone.as_str())))
        .unwrap_or(Tz::UTC);
    let local = tz.from_utc_datetime(&view.record.start_at.naive_utc());
    // Only the display settings travel on (not the token: the booker's URL is not the
    // booking's); the booker's own steps start afresh.
    let next = query.only(&KEEP).with(&[
        ("token", None),
        ("rescheduleUid", Some(view.record.uid.clone())),
        ("tz", Some(tz.name().to_owned())),
        ("month", Some(local.format("%Y-%m").to_string())),
        ("date", Some(local.format("%Y-%m-%d").to_string())),
    ]);
    let embed_suffix = if query.embedded() { "/embed" } else { "" };
    Ok(HttpResponse::SeeOther()
        .insert_header((
            LOCATION,
            format!("/{}{embed_suffix}{}", event.booking_path(), next.href(&[])),
        ))
        .finish())
}

/// `GET /booking/{uid}/ics`: the booking as an iCalendar file.
pub async fn ics(
    state: web::Data<AppState>,
    request: HttpRequest,
    uid: web::Path<String>,
) -> PageResult {
    let (_, _, view) = opened(&state, &request, &uid).await?;
    let page_url = format!("{}/booking/{}", state.base_url, view.record.uid);
    let calendar = booking::ics(&view, &page_url, Utc::now());
    let file = view.event_slug.as_deref().unwrap_or("booking");
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/calendar; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}.ics\""),
        ))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(calendar))
}
