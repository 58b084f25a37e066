//! The signed-in booker's bookings (`booking::attended_by`): upcoming and past, each with its
//! time in the booker's zone, place, join link, `.ics`, and what they may do (reschedule,
//! cancel: `booking::booker_actions`, the rule the booking's own page follows; book again).
//! The booking's links are signed (`crate::links`) as an email's are; cancelling happens here,
//! with the session, through `booking::cancel_attended`.

use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use super::session::{BookerForm, PORTAL, carried, current, with_carried};
use crate::booking::{self, Attended, Attending};
use crate::domain::{BookingStatus, TimeZoneName};
use crate::http::AppState;
use crate::http::pages::i18n::{Lang, Text};
use crate::http::pages::manage::{admit_change, cancel_reason};
use crate::http::pages::{Chrome, PageError, PageResult, QueryState, html};
use crate::i18n::Clock;
use crate::links::ManageLinks;
use crate::sessions::booker::BookerSession;

/// One booking as the list shows it.
struct Item {
    uid: String,
    title: String,
    when: String,
    /// `scheduled`, `pending`, `cancelled` or `rejected`.
    state: &'static str,
    status: Option<&'static str>,
    hosts: String,
    location: Option<String>,
    join_href: Option<String>,
    details_href: String,
    ics_href: String,
    reschedule_href: Option<String>,
    cancel_href: Option<String>,
    book_again_href: Option<String>,
}

#[derive(Template)]
#[template(path = "portal.html")]
struct Portal {
    chrome: Chrome,
    t: &'static Text,
    signed_in_as: String,
    notice: Option<&'static str>,
    upcoming: Vec<Item>,
    past: Vec<Item>,
    more_past: bool,
    csrf: String,
    sign_out_action: String,
    tz: String,
    zones: &'static [Tz],
    /// The zone form's other settings.
    zone_form: Vec<(String, String)>,
}

/// How the page writes times: `tz` and `hour` from the address (the browser's, set by
/// `booker.js`, or chosen), else the zone the booker last booked in and the language's clock.
fn clock(query: &QueryState, lang: Lang, mine: &Attending) -> Clock {
    let booked_in = (mine.upcoming.iter().chain(&mine.past))
        .next()
        .map(|a| a.attendee.time_zone.as_str());
    let tz = (query.get("tz").or(booked_in))
        .and_then(|z| TimeZoneName::parse(z).ok())
        .map_or(Tz::UTC, TimeZoneName::tz);
    let twelve = match query.get("hour") {
        Some("12") => true,
        Some("24") => false,
        _ => lang.twelve_hour(),
    };
    Clock { tz, twelve, lang }
}

/// What a list row needs besides the booking.
struct Row<'a> {
    t: &'a Text,
    clock: Clock,
    signer: &'a crate::auth::TokenSigner,
    carried: &'a str,
    now: DateTime<Utc>,
}

impl Row<'_> {
    fn item(&self, a: &Attended) -> Item {
        let (t, r) = (self.t, &a.view.record);
        let seat = a.attendee.seat_uid.as_deref();
        let links = ManageLinks {
            base: "",
            uid: &r.uid,
            end: r.end_at,
            signer: Some(self.signer),
            now: self.now,
        };
        let may = booking::booker_actions(&a.view, a.event.as_ref(), self.now);
        let (state, status) = match r.status {
            BookingStatus::Accepted => ("scheduled", None),
            BookingStatus::Pending => ("pending", Some(t.portal_status_pending)),
            BookingStatus::Rejected => ("rejected", Some(t.portal_status_rejected)),
            _ => ("cancelled", Some(t.portal_status_cancelled)),
        };
        let location = r.location.clone().filter(|l| !l.is_empty());
        // A meeting link while the meeting is still to come.
        let join_href = (location.as_deref())
            .filter(|l| l.starts_with("https://") || l.starts_with("http://"))
            .filter(|_| r.status.is_active() && r.end_at > self.now)
            .map(str::to_owned);
        let names: Vec<&str> = a.view.hosts.iter().map(|h| h.name.as_str()).collect();
        let carry = |href: String| with_carried(&href, self.carried);
        Item {
            uid: r.uid.clone(),
            title: r.title.clone(),
            when: self.clock.span(r.start_at, r.end_at),
            state,
            status,
            hosts: t.with_hosts(&names.join(", ")),
            location,
            join_href,
            details_href: carry(links.page(seat)),
            ics_href: links.ics(seat),
            reschedule_href: may.reschedule.then(|| carry(links.reschedule(seat))),
            cancel_href: may
                .cancel
                .then(|| carry(format!("{PORTAL}/{}/cancel", r.uid))),
            book_again_href: (a.event.as_ref()).map(|e| carry(format!("/{}", e.booking_path()))),
        }
    }
}

/// `GET /my-bookings` for a signed-in booker.
pub async fn page(req: &HttpRequest, state: &AppState, who: &BookerSession) -> PageResult {
    let query = QueryState::from_request(req);
    let lang = super::lang(req);
    let t = lang.text();
    let now = Utc::now();
    let mine = booking::attended_by(&state.db, &who.email, now)
        .await
        .map_err(|e| PageError::from_service(lang, e))?;
    let carried = carried(req);
    let row = Row {
        t,
        clock: clock(&query, lang, &mine),
        signer: &state.signer,
        carried: &carried,
        now,
    };
    let zone_form = (query.pairs().iter())
        .filter(|(k, _)| k == "lang" || k == "hour")
        .cloned()
        .collect();
    html(Portal {
        chrome: Chrome::new(lang, "", &query),
        t,
        signed_in_as: t.about("portal-signed-in-as", who.email.as_str()),
        notice: query.get("cancelled").map(|_| t.portal_cancelled),
        upcoming: mine.upcoming.iter().map(|a| row.item(a)).collect(),
        more_past: mine.past.len() as i64 >= booking::PAST_LISTED,
        past: mine.past.iter().map(|a| row.item(a)).collect(),
        csrf: who.csrf.clone(),
        sign_out_action: with_carried("/my-bookings/sign-out", &carried),
        tz: row.clock.tz.name().to_owned(),
        zones: &chrono_tz::TZ_VARIANTS,
        zone_form,
    })
}

#[derive(Template)]
#[template(path = "portal_cancel.html")]
struct CancelPage {
    chrome: Chrome,
    t: &'static Text,
    item: Item,
    csrf: String,
    action: String,
    back_href: String,
}

/// The signed-in booker's upcoming booking `uid`, if they may cancel it; else they go back to
/// their list (a booking they do not attend is not theirs to see).
async fn cancellable(
    req: &HttpRequest,
    state: &AppState,
    who: &BookerSession,
    uid: &str,
) -> Result<Item, PageError> {
    let lang = super::lang(req);
    let now = Utc::now();
    let mine = booking::attended_by(&state.db, &who.email, now)
        .await
        .map_err(|e| PageError::from_service(lang, e))?;
    let Some(found) = mine.upcoming.iter().find(|a| a.view.record.uid == uid) else {
        return Err(PageError::not_found(lang));
    };
    let carried = carried(req);
    let row = Row {
        t: lang.text(),
        clock: clock(&QueryState::from_request(req), lang, &mine),
        signer: &state.signer,
        carried: &carried,
        now,
    };
    let item = row.item(found);
    if item.cancel_href.is_none() {
        return Err(PageError::redirect(with_carried(PORTAL, &carried)));
    }
    Ok(item)
}

/// `GET /my-bookings/{uid}/cancel`: the booking and the cancel form.
pub async fn cancel_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
) -> PageResult {
    let carried = carried(&req);
    let Some(who) = current(&req).await? else {
        return Err(PageError::redirect(with_carried(PORTAL, &carried)));
    };
    let item = cancellable(&req, &state, &who, &uid).await?;
    let lang = super::lang(&req);
    html(CancelPage {
        chrome: Chrome::new(lang, "", &QueryState::from_request(&req)),
        t: lang.text(),
        action: with_carried(&format!("{PORTAL}/{uid}/cancel"), &carried),
        back_href: with_carried(PORTAL, &carried),
        item,
        csrf: who.csrf,
    })
}

#[derive(Deserialize)]
pub struct CancelForm {
    reason: Option<String>,
}

/// `POST /my-bookings/{uid}/cancel`: cancels the booking (or the booker's seat) as the
/// signed-in attendee; back to the list with a notice.
pub async fn cancel(
    req: HttpRequest,
    state: web::Data<AppState>,
    uid: web::Path<String>,
    form: BookerForm<CancelForm>,
) -> PageResult {
    let BookerForm { who, form, lang } = form;
    let admitted = admit_change(&state, &req, lang, &uid).await?;
    let reason = cancel_reason(form.reason.as_deref(), lang)?;
    booking::cancel_attended(&state.db, &state.outbox, &who.email, &uid, reason)
        .await
        .map_err(|e| PageError::from_service(lang, e))?;
    let back = with_carried(&format!("{PORTAL}?cancelled=1"), &carried(&req));
    let mut response = HttpResponse::SeeOther()
        .insert_header((LOCATION, back))
        .finish();
    admitted.headers(&mut response);
    Ok(response)
}
