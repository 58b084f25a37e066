//! `/booking/{uid}/reminders-off?token=…`: a booker stops one booking's reminders through the
//! signed link in them. Opening the link only asks (mail scanners open links); the form's POST
//! stops them. English for now, like the reminders.

use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::i18n::Lang;
use super::{Chrome, PageError, PageResult, QueryState, html};
use crate::http::AppState;
use crate::workflows;

#[derive(Template)]
#[template(path = "reminders_off.html")]
struct RemindersOff<'a> {
    chrome: Chrome,
    done: bool,
    token: &'a str,
    action: String,
}

#[derive(Debug, Deserialize)]
pub struct Link {
    #[serde(default)]
    token: String,
}

fn page(request: &HttpRequest, uid: &str, token: &str, done: bool) -> PageResult {
    let chrome = Chrome::new(Lang::En, "", &QueryState::from_request(request));
    html(RemindersOff {
        chrome,
        done,
        token,
        action: format!("/booking/{uid}/reminders-off"),
    })
}

/// `GET`: the question, if the link is good.
pub async fn show(
    state: web::Data<AppState>,
    request: HttpRequest,
    uid: web::Path<String>,
    link: web::Query<Link>,
) -> PageResult {
    workflows::check_unsubscribe(&state.signer, &uid, &link.token)
        .map_err(|e| PageError::from_service(Lang::En, e))?;
    page(&request, &uid, &link.token, false)
}

/// `POST`: stops the reminders.
pub async fn stop(
    state: web::Data<AppState>,
    request: HttpRequest,
    uid: web::Path<String>,
    link: web::Form<Link>,
) -> PageResult {
    workflows::unsubscribe(&state.db, &state.signer, &uid, &link.token)
        .await
        .map_err(|e| PageError::from_service(Lang::En, e))?;
    page(&request, &uid, &link.token, true)
}
