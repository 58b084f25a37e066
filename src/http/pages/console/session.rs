//! The console's request guards: the session cookie read into a [`SignedIn`] (or a redirect
//! to the sign-in page), and forms whose CSRF token and origin are checked before a handler
//! sees them. Every state-changing console request goes through [`ConsoleForm`] or, before
//! sign-in, [`AnonymousForm`]: a handler cannot take a form any other way.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::Payload;
use actix_web::http::header::{HOST, ORIGIN, REFERER};
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use crate::http::pages::PageError;
use crate::http::pages::i18n::Lang;
use crate::http::{AppState, MAX_JSON_BODY, detached};
use crate::sessions::{self, SignedIn, csrf_token};

/// The session cookie: the token, HttpOnly, `SameSite=Lax`, `Secure` behind https.
pub const SESSION_COOKIE: &str = "kairos_session";
/// Before sign-in: a random value whose derived token the anonymous forms carry (a
/// double-submit token, so another site cannot sign a visitor into its own account).
pub const FORM_COOKIE: &str = "kairos_form";

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, PageError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| PageError::internal("application state is missing"))
}

/// The page's language for a signed-in user: their profile's, else the browser's.
pub fn lang_of(req: &HttpRequest, who: Option<&SignedIn>) -> Lang {
    let accept = req
        .headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let query = crate::http::pages::QueryState::from_request(req);
    Lang::negotiate(
        query.get("lang").or(who
            .map(|w| w.user.locale.as_str())
            .filter(|l| !l.is_empty())),
        accept,
    )
}

/// Where an anonymous visitor is sent: the sign-in page, coming back here afterwards.
fn sign_in_redirect(req: &HttpRequest) -> PageError {
    let here = match req.uri().path_and_query() {
        Some(pq) if req.method() == actix_web::http::Method::GET => pq.as_str().to_owned(),
        _ => "/event-types".to_owned(),
    };
    let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
    PageError::redirect(format!("/auth/login?next={next}"))
}

impl FromRequest for SignedIn {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state(&req)?;
            let Some(token) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()) else {
                return Err(sign_in_redirect(&req));
            };
            let (db, settings) = (state.db.clone(), state.sessions.clone());
            let now = chrono::Utc::now();
            let found =
                detached(async move { sessions::resume(&db, &settings, &token, now).await })
                    .await
                    .map_err(|_| PageError::internal("the session could not be read"))?
                    .map_err(|e| PageError::internal(&e.to_string()))?;
            found.ok_or_else(|| sign_in_redirect(&req))
        })
    }
}

/// A signed-in user's form, its CSRF token and origin checked: `who` made `form`.
pub struct ConsoleForm<T> {
    pub who: SignedIn,
    pub form: T,
}

impl<T: DeserializeOwned + 'static> FromRequest for ConsoleForm<T> {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let who = SignedIn::from_request(req, payload);
        let body = body(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let who = who.await?;
            let lang = lang_of(&req, Some(&who));
            same_origin(&req, lang)?;
            let body = body.await?;
            check_token(&body, &who.csrf, lang)?;
            let form = parse(&body, lang)?;
            Ok(Self { who, form })
        })
    }
}

/// A form posted before sign-in (sign-in, password links): the token must match the one
/// derived from the visitor's form cookie.
pub struct AnonymousForm<T> {
    pub form: T,
    pub lang: Lang,
}

impl<T: DeserializeOwned + 'static> FromRequest for AnonymousForm<T> {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = body(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let lang = lang_of(&req, None);
            same_origin(&req, lang)?;
            let body = body.await?;
            let Some(cookie) = req.cookie(FORM_COOKIE) else {
                return Err(expired_form(lang));
            };
            check_token(&body, &csrf_token(cookie.value()), lang)?;
            let form = parse(&body, lang)?;
            Ok(Self { form, lang })
        })
    }
}

pub(in crate::http::pages) fn body(
    req: &HttpRequest,
    payload: &mut Payload,
) -> LocalBoxFuture<'static, Result<web::Bytes, PageError>> {
    let bytes = web::Bytes::from_request(req, payload);
    Box::pin(async move {
        bytes.await.map_err(|_| {
            PageError::bad_request(
                Lang::En,
                &format!("The form is larger than {MAX_JSON_BODY} bytes or did not arrive whole."),
            )
        })
    })
}

pub(in crate::http::pages) fn expired_form(lang: Lang) -> PageError {
    PageError::forbidden(
        lang,
        "This form has expired or did not come from this site. Reload the page and try again.",
    )
}

/// The `_csrf` field equals `expected` (compared in constant time).
pub(in crate::http::pages) fn check_token(
    body: &[u8],
    expected: &str,
    lang: Lang,
) -> Result<(), PageError> {
    let given = url::form_urlencoded::parse(body)
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if !given.is_empty() && bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(expired_form(lang))
    }
}

pub(in crate::http::pages) fn parse<T: DeserializeOwned>(
    body: &[u8],
    lang: Lang,
) -> Result<T, PageError> {
    serde_html_form::from_bytes(body)
        .map_err(|e| PageError::bad_request(lang, &format!("The form is not valid: {e}")))
}

/// A browser's `Origin` (or, failing that, `Referer`) names this site: the host the request
/// was sent to. A request with neither (not a browser's form) is judged by its token alone.
pub(in crate::http::pages) fn same_origin(req: &HttpRequest, lang: Lang) -> Result<(), PageError> {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    let Some(claimed) = header(ORIGIN).or_else(|| header(REFERER)) else {
        return Ok(());
    };
    let claimed_host = url::Url::parse(claimed).ok().and_then(|u| {
        let host = u.host_str()?.to_owned();
        Some(match u.port() {
            Some(port) => format!("{host}:{port}"),
            None => host,
        })
    });
    let host = header(HOST)
        .map(str::to_owned)
        .unwrap_or_else(|| req.connection_info().host().to_owned());
    if claimed_host.as_deref() == Some(host.as_str()) {
        Ok(())
    } else {
        Err(expired_form(lang))
    }
}

/// A session's cookie: HttpOnly, `SameSite=Lax`, `Secure` when the site is https, on `path`,
/// kept by the browser for `lifetime` (the console's and the booker portal's).
pub(in crate::http::pages) fn session_cookie_at(
    name: &'static str,
    token: &str,
    path: &'static str,
    lifetime: chrono::Duration,
    settings: &sessions::Settings,
) -> Cookie<'static> {
    Cookie::build(name, token.to_owned())
        .path(path)
        .http_only(true)
        .secure(settings.secure_cookie)
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::seconds(lifetime.num_seconds()))
        .finish()
}

/// The session cookie for `token`, lasting as long as the session may.
pub fn session_cookie(token: &str, settings: &sessions::Settings) -> Cookie<'static> {
    session_cookie_at(SESSION_COOKIE, token, "/", settings.absolute, settings)
}

/// A cookie that removes the session cookie.
pub fn cleared_session_cookie(settings: &sessions::Settings) -> Cookie<'static> {
    let mut cookie = session_cookie("", settings);
    cookie.make_removal();
    cookie
}

/// The anonymous form cookie for the forms under `path` (a fresh random value) and the token
/// its forms carry.
pub fn form_cookie(settings: &sessions::Settings, path: &'static str) -> (Cookie<'static>, String) {
    let value = crate::auth::SecretToken::generate().expose().to_owned();
    let token = csrf_token(&value);
    let cookie = Cookie::build(FORM_COOKIE, value)
        .path(path)
        .http_only(true)
        .secure(settings.secure_cookie)
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::hours(2))
        .finish();
    (cookie, token)
}

/// The form token for a visitor who already has a form cookie, else a new cookie and token
/// (the console's sign-in pages, under `/auth`).
pub fn anonymous_token(
    req: &HttpRequest,
    settings: &sessions::Settings,
) -> (Option<Cookie<'static>>, String) {
    anonymous_token_at(req, settings, "/auth")
}

/// [`anonymous_token`] for the anonymous forms under `path`.
pub fn anonymous_token_at(
    req: &HttpRequest,
    settings: &sessions::Settings,
    path: &'static str,
) -> (Option<Cookie<'static>>, String) {
    match req.cookie(FORM_COOKIE) {
        Some(c) if crate::auth::hash_secret_token(c.value()).is_some() => {
            (None, csrf_token(c.value()))
        }
        _ => {
            let (cookie, token) = form_cookie(settings, path);
            (Some(cookie), token)
        }
    }
}
