//! `/booking/{uid}/reminders-off?token=…`: a booker stops one booking's reminders through the
//! signed link in them. Opening the link only asks (mail scanners open links); the form's POST
//! stops them. In the language the link names (the reminder's), else the browser's.

use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::i18n::{Lang, Text};
use super::{Chrome, PageError, PageResult, QueryState, html};
use crate::http::AppState;
use crate::workflows;

#[derive(Template)]
#[template(path = "reminders_off.html")]
struct RemindersOff<'a> {
    chrome: Chrome,
    t: &'static Text,
    done: bool,
    token: &'a str,
    action: String,
}

#[derive(Debug, Deserialize)]
pub struct Link {
    #[serde(default)]
    token: String,
}

fn page(request: &HttpRequest, lang: Lang, uid: &str, token: &str, done: bool) -> PageResult {
    let query = QueryState::from_request(request);
    html(RemindersOff {
        chrome: Chrome::new(lang, "", &query),
        t: lang.text(),
        done,
        token,
        // The answer speaks the language the question did.
        action: format!(
            "/booking/{uid}/reminders-off{}",
            query.carry_only(&["lang"])
        ),
    })
}

fn lang(request: &HttpRequest) -> Lang {
    QueryState::from_request(request).lang(request)
}

/// `GET`: the question, if the link is good.
pub async fn show(
    state: web::Data<AppState>,
    request: HttpRequest,
    uid: web::Path<String>,
    link: web::Query<Link>,
) -> PageResult {
    let lang = lang(&request);
    workflows::check_unsubscribe(&state.signer, &uid, &link.token)
        .map_err(|e| PageError::from_service(lang, e))?;
    page(&request, lang, &uid, &link.token, false)
}

/// `POST`: stops the reminders.
pub async fn stop(
    state: web::Data<AppState>,
    request: HttpRequest,
    uid: web::Path<String>,
    link: web::Form<Link>,
) -> PageResult {
    let lang = lang(&request);
    workflows::unsubscribe(&state.db, &state.signer, &uid, &link.token)
        .await
        .map_err(|e| PageError::from_service(lang, e))?;
    page(&request, lang, &uid, &link.token, true)
}
