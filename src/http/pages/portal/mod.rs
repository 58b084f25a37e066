//! The booker's portal, `/my-bookings` on the booking pages' host: a booker enters their email
//! and gets a single-use sign-in link by email (`sessions::booker`); the link opens a short
//! booker session in which they see the bookings made with that address, with every host of
//! this instance, and move or cancel them (`list`). The front page says the same whether or
//! not the address has bookings, and asking is throttled per address and per client. Forms
//! carry a CSRF token: before sign-in from the `kairos_form` cookie (the console's
//! `AnonymousForm`), after it from the session (`session::BookerForm`).

mod list;
pub mod session;

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::console::session::{AnonymousForm, anonymous_token_at, lang_of};
use super::i18n::{Lang, Text};
use super::{Chrome, PageError, PageResult, QueryState};
use crate::domain::Email;
use crate::http::{AppState, admission};
use crate::sessions::booker::{self, LinkRefused};
use session::{BookerForm, PORTAL, booker_cookie, carried, cleared_cookie, with_carried};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(PORTAL)
            .route(web::get().to(home))
            .route(web::post().to(ask)),
    )
    .service(
        web::resource("/my-bookings/sign-in")
            .route(web::get().to(link_page))
            .route(web::post().to(sign_in)),
    )
    .route("/my-bookings/sign-out", web::post().to(sign_out))
    .service(
        web::resource("/my-bookings/{uid}/cancel")
            .route(web::get().to(list::cancel_page))
            .route(web::post().to(list::cancel)),
    );
}

/// The portal before sign-in: the email form, "check your inbox", a sign-in link's "continue",
/// or a refused link with the form again.
#[derive(Template)]
#[template(path = "portal_access.html")]
struct Access {
    chrome: Chrome,
    t: &'static Text,
    heading: &'static str,
    lead: String,
    error: Option<&'static str>,
    /// The email form is offered (email is configured and nothing else is asked).
    email_form: bool,
    email: String,
    /// A valid sign-in link's token, for the "continue" form.
    token: Option<String>,
    csrf: String,
    /// The carried display settings for the forms' actions.
    carried: String,
}

impl Access {
    fn new(req: &HttpRequest, state: &AppState, heading: &'static str, lead: String) -> Self {
        let lang = lang_of(req, None);
        Self {
            chrome: Chrome::new(lang, "", &QueryState::default()),
            t: lang.text(),
            heading,
            lead,
            error: None,
            email_form: state.outbox.email,
            email: String::new(),
            token: None,
            csrf: String::new(),
            carried: carried(req),
        }
    }

    fn action(&self, path: &str) -> String {
        with_carried(path, &self.carried)
    }

    /// The page with `status`, its form token from the visitor's form cookie (set when new).
    fn respond(mut self, req: &HttpRequest, state: &AppState, status: StatusCode) -> PageResult {
        let (cookie, csrf) = anonymous_token_at(req, &state.sessions, PORTAL);
        self.csrf = csrf;
        let body = self
            .render()
            .map_err(|e| PageError::internal(&e.to_string()))?;
        let mut response = HttpResponse::build(status);
        if let Some(cookie) = cookie {
            response.cookie(cookie);
        }
        Ok(response
            .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((CACHE_CONTROL, "no-store"))
            .body(body))
    }
}

/// The front page: the email form, or without email configured, why there is none.
fn front(req: &HttpRequest, state: &AppState) -> Access {
    let t = lang_of(req, None).text();
    let lead = if state.outbox.email {
        t.portal_lead
    } else {
        t.portal_no_email
    };
    Access::new(req, state, t.portal_title, lead.to_owned())
}

/// `GET /my-bookings`: the signed-in booker's bookings, else the email form.
async fn home(req: HttpRequest, state: web::Data<AppState>) -> PageResult {
    match session::current(&req).await? {
        Some(who) => list::page(&req, &state, &who).await,
        None => front(&req, &state).respond(&req, &state, StatusCode::OK),
    }
}

#[derive(Deserialize)]
struct Ask {
    #[serde(default)]
    email: String,
}

/// `POST /my-bookings`: emails a sign-in link. The answer is the same for every well-formed
/// address, and so is the work behind it (`booker::request_link`).
async fn ask(req: HttpRequest, state: web::Data<AppState>, form: AnonymousForm<Ask>) -> PageResult {
    let AnonymousForm { form, lang } = form;
    let t = lang.text();
    if !state.outbox.email {
        return front(&req, &state).respond(&req, &state, StatusCode::OK);
    }
    let ip = admission::client_ip(&state, &req);
    if let Err(refusal) = state.limits.booker_link(ip, &form.email) {
        return Err(PageError::too_many_requests(lang, refusal));
    }
    let Ok(email) = Email::parse(&form.email) else {
        let mut page = front(&req, &state);
        page.error = Some(t.portal_email_invalid);
        page.email = form.email;
        return page.respond(&req, &state, super::console::REFUSED);
    };
    booker::request_link(
        &state.db,
        &state.signer,
        &state.base_url,
        &email,
        lang,
        Utc::now(),
    )
    .await
    .map_err(|e| PageError::internal(&e.to_string()))?;
    let mut page = Access::new(
        &req,
        &state,
        t.portal_sent_title,
        t.about("portal-sent", email.as_str()),
    );
    page.email_form = false;
    page.respond(&req, &state, StatusCode::OK)
}

#[derive(Deserialize)]
struct Link {
    #[serde(default)]
    token: String,
}

/// A sign-in link that does not open a session: why, and the email form for a new one.
fn refused(req: &HttpRequest, state: &AppState, why: LinkRefused) -> PageResult {
    let t = lang_of(req, None).text();
    // As the manage links: a link that was good and is no more is gone (410); one this
    // instance never signed is refused (403).
    let (heading, status) = match why {
        LinkRefused::Expired => (t.portal_link_expired, StatusCode::GONE),
        LinkRefused::Used => (t.portal_link_used, StatusCode::GONE),
        LinkRefused::Invalid => (t.portal_link_invalid, StatusCode::FORBIDDEN),
        LinkRefused::Storage(e) => return Err(PageError::internal(&e.to_string())),
    };
    let lead = if state.outbox.email {
        t.portal_link_again
    } else {
        t.portal_no_email
    };
    Access::new(req, state, heading, lead.to_owned()).respond(req, state, status)
}

/// `GET /my-bookings/sign-in?token=…`: asks to continue (mail scanners open links, and only
/// the form's POST spends one), or says why the link does not work.
async fn link_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    link: web::Query<Link>,
) -> PageResult {
    let checked = booker::check_link(&state.db, &state.signer, &link.token, Utc::now()).await;
    let email = match checked {
        Ok(email) => email,
        Err(why) => return refused(&req, &state, why),
    };
    let t = lang_of(&req, None).text();
    let lead = t.about("portal-link-lead", email.as_str());
    let mut page = Access::new(&req, &state, t.portal_link_title, lead);
    page.email_form = false;
    page.token = Some(link.token.clone());
    page.respond(&req, &state, StatusCode::OK)
}

/// `POST /my-bookings/sign-in`: spends the link and opens the session.
async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: AnonymousForm<Link>,
) -> PageResult {
    let signed = booker::sign_in(&state.db, &state.signer, &form.form.token, Utc::now()).await;
    match signed {
        Ok((token, _)) => Ok(HttpResponse::SeeOther()
            .cookie(booker_cookie(token.expose(), &state.sessions))
            .insert_header((LOCATION, with_carried(PORTAL, &carried(&req))))
            .finish()),
        Err(why) => refused(&req, &state, why),
    }
}

#[derive(Deserialize)]
struct Empty {}

/// `POST /my-bookings/sign-out`.
async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: BookerForm<Empty>,
) -> PageResult {
    booker::sign_out(&state.db, form.who.id)
        .await
        .map_err(|e| PageError::internal(&e.to_string()))?;
    Ok(HttpResponse::SeeOther()
        .cookie(cleared_cookie(&state.sessions))
        .insert_header((LOCATION, with_carried(PORTAL, &carried(&req))))
        .finish())
}

/// The language of a portal page, as the booking pages choose it.
pub fn lang(req: &HttpRequest) -> Lang {
    lang_of(req, None)
}
