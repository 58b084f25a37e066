//! The booker's session on the portal's requests: the `kairos_booker` cookie (sent to
//! `/my-bookings` only) read into a [`BookerSession`], and the signed-in booker's forms, whose
//! origin and CSRF token are checked by the console's rules before a handler sees them
//! ([`BookerForm`]): a handler cannot take a form any other way.

use actix_web::cookie::Cookie;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::Utc;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::http::pages::console::session::{
    body, check_token, lang_of, parse, same_origin, session_cookie_at,
};
use crate::http::pages::i18n::Lang;
use crate::http::pages::{PageError, QueryState};
use crate::http::{AppState, detached};
use crate::sessions::Settings;
use crate::sessions::booker::{self, BookerSession};

/// The booker session's cookie.
pub const BOOKER_COOKIE: &str = "kairos_booker";
/// Where the portal lives: its cookies go nowhere else.
pub const PORTAL: &str = "/my-bookings";

/// The session cookie for `token`, kept as long as the session lasts.
pub fn booker_cookie(token: &str, settings: &Settings) -> Cookie<'static> {
    let lifetime = booker::session_lifetime();
    session_cookie_at(BOOKER_COOKIE, token, PORTAL, lifetime, settings)
}

/// A cookie that removes the session cookie.
pub fn cleared_cookie(settings: &Settings) -> Cookie<'static> {
    let mut cookie = booker_cookie("", settings);
    cookie.make_removal();
    cookie
}

/// The display settings every portal link carries: `lang`, `tz`, `hour`, as `a=b&…` (empty
/// when there are none).
pub fn carried(req: &HttpRequest) -> String {
    QueryState::from_request(req)
        .carry_only(&["lang", "tz", "hour"])
        .trim_start_matches('?')
        .to_owned()
}

/// `path` with the carried display settings.
pub fn with_carried(path: &str, carried: &str) -> String {
    if carried.is_empty() {
        path.to_owned()
    } else {
        let joint = if path.contains('?') { '&' } else { '?' };
        format!("{path}{joint}{carried}")
    }
}

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, PageError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| PageError::internal("application state is missing"))
}

/// The live booker session this request's cookie names, if any.
pub async fn current(req: &HttpRequest) -> Result<Option<BookerSession>, PageError> {
    let Some(token) = req.cookie(BOOKER_COOKIE).map(|c| c.value().to_owned()) else {
        return Ok(None);
    };
    let db = state(req)?.db.clone();
    detached(async move { booker::resume(&db, &token, Utc::now()).await })
        .await
        .map_err(|_| PageError::internal("the booker session could not be read"))?
        .map_err(|e| PageError::internal(&e.to_string()))
}

/// A signed-in booker's form, its origin and CSRF token checked: `who` made `form`. Without a
/// live session the booker is sent to the portal's front page (which asks for their email).
pub struct BookerForm<T> {
    pub who: BookerSession,
    pub form: T,
    pub lang: Lang,
}

impl<T: DeserializeOwned + 'static> FromRequest for BookerForm<T> {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = body(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let lang = lang_of(&req, None);
            same_origin(&req, lang)?;
            let Some(who) = current(&req).await? else {
                return Err(PageError::redirect(with_carried(PORTAL, &carried(&req))));
            };
            let body = body.await?;
            check_token(&body, &who.csrf, lang)?;
            let form = parse(&body, lang)?;
            Ok(Self { who, form, lang })
        })
    }
}
