//! Server-rendered pages (askama templates in `templates/`) and the static files they use:
//! the home page, the public booking pages (`booker`), the booking's own page with its manage
//! links (`manage`), the booker's portal (`portal`), and the embed scripts. Pages speak HTML,
//! errors included; the JSON API is `http::api`.

mod booker;
mod console;
mod feed;
mod i18n;
mod manage;
mod portal;
mod reminders_off;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_TYPE};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use askama::Template;
use askama_web::WebTemplate;

use super::AppState;
use crate::service::ServiceError;
use crate::storage::Backend;
use i18n::Lang;

/// The page routes. Registered after the API, so `/v2`, `/health` and `/static` win over
/// `/{username}`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/static/kairos.css", web::get().to(asset::<0>))
        .route("/static/booker.js", web::get().to(asset::<1>))
        .route("/embed/embed.js", web::get().to(asset::<2>))
        .route("/embed/iframe.js", web::get().to(asset::<3>))
        .route("/static/embed-test.html", web::get().to(asset::<4>))
        .route("/static/embed-test.js", web::get().to(asset::<5>))
        .route("/static/pow.js", web::get().to(asset::<6>))
        .route("/static/console.css", web::get().to(asset::<7>))
        .route("/static/console.js", web::get().to(asset::<8>))
        .route("/static/brand.css", web::get().to(brand_stylesheet))
        .configure(console::configure)
        // The booker's portal, before `/{username}/{slug}` could take `/my-bookings/sign-in`.
        .configure(portal::configure)
        // Cal.com's embed appends `/embed` to any cal link: each page has that form too, in
        // the same resource (so metrics count it under the page's pattern).
        .service(
            web::resource(["/booking/{uid}", "/booking/{uid}/embed"])
                .route(web::get().to(manage::show)),
        )
        .route("/booking/{uid}/cancel", web::post().to(manage::cancel))
        .route("/booking/{uid}/ics", web::get().to(manage::ics))
        .service(
            web::resource("/booking/{uid}/reminders-off")
                .route(web::get().to(reminders_off::show))
                .route(web::post().to(reminders_off::stop)),
        )
        .route("/feeds/{token}.ics", web::get().to(feed::serve))
        .service(
            web::resource(["/forms/{id}", "/forms/{id}/embed"])
                .route(web::get().to(booker::show_form))
                .route(web::post().to(booker::submit_form)),
        )
        .service(
            web::resource(["/reschedule/{uid}", "/reschedule/{uid}/embed"])
                .route(web::get().to(manage::reschedule)),
        )
        .service(
            web::resource(["/team/{team}", "/team/{team}/embed"])
                .route(web::get().to(booker::team_profile)),
        )
        .service(
            // Before `/{username}/{slug}/embed`: a user named `d` has no embed page (Cal.com
            // reserves the path the same way).
            web::resource(["/d/{link}/{slug}", "/d/{link}/{slug}/embed"])
                .route(web::get().to(booker::show))
                .route(web::post().to(booker::submit)),
        )
        .service(
            web::resource(["/team/{team}/{slug}", "/team/{team}/{slug}/embed"])
                .route(web::get().to(booker::show))
                .route(web::post().to(booker::submit)),
        )
        .service(
            web::resource(["/{username}", "/{username}/embed"])
                .route(web::get().to(booker::profile)),
        )
        .service(
            web::resource(["/{username}/{slug}", "/{username}/{slug}/embed"])
                .route(web::get().to(booker::show))
                .route(web::post().to(booker::submit)),
        );
}

/// The files compiled into the binary, so a single file is the whole deployment.
const ASSETS: [(&str, &str); 9] = [
    (
        "text/css; charset=utf-8",
        include_str!("../../../static/kairos.css"),
    ),
    (
        "text/javascript; charset=utf-8",
        include_str!("../../../static/booker.js"),
    ),
    (
        "text/javascript; charset=utf-8",
        include_str!("../../../static/embed.js"),
    ),
    (
        "text/javascript; charset=utf-8",
        include_str!("../../../static/embed-iframe.js"),
    ),
    (
        "text/html; charset=utf-8",
        include_str!("../../../static/embed-test.html"),
    ),
    (
        "text/javascript; charset=utf-8",
        include_str!("../../../static/embed-test.js"),
    ),
    (
        "text/javascript; charset=utf-8",
        include_str!("../../../static/pow.js"),
    ),
    (
        "text/css; charset=utf-8",
        include_str!("../../../static/console.css"),
    ),
    (
        "text/javascript; charset=utf-8",
        include_str!("../../../static/console.js"),
    ),
];

async fn asset<const N: usize>() -> HttpResponse {
    let (kind, body) = ASSETS[N];
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, kind))
        .insert_header((CACHE_CONTROL, "public, max-age=300"))
        .body(body)
}

#[derive(serde::Deserialize)]
struct BrandQuery {
    #[serde(default)]
    light: String,
    #[serde(default)]
    dark: String,
}

/// `GET /static/brand.css?light=rrggbb&dark=rrggbb`: an owner's colours as CSS variables. A
/// stylesheet rather than a `<style>` in the page, so the pages' policy allows no inline style;
/// its text depends only on its URL, so it is cached for good.
async fn brand_stylesheet(query: web::Query<BrandQuery>) -> HttpResponse {
    let chrome = Chrome::branded(
        Lang::En,
        &format!("#{}", query.light),
        &format!("#{}", query.dark),
        &QueryState::default(),
    );
    let css = format!(
        ":root {{ --brand: {}; --brand-ink: {}; --brand-dark: {}; --brand-dark-ink: {}; }}\n",
        chrome.brand, chrome.brand_ink, chrome.brand_dark, chrome.brand_dark_ink
    );
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(css)
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct Home {
    backend: &'static str,
    base_url: String,
}

pub async fn home(state: web::Data<AppState>) -> Home {
    Home {
        backend: match state.db.backend() {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        },
        base_url: state.base_url.clone(),
    }
}

/// The request's query string as ordered pairs: the booker's whole state. Links are built by
/// changing some keys and carrying the rest.
#[derive(Debug, Clone, Default)]
pub struct QueryState {
    pairs: Vec<(String, String)>,
}

impl QueryState {
    pub fn from_request(request: &HttpRequest) -> Self {
        Self {
            pairs: url::form_urlencoded::parse(request.query_string().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    pub fn lang(&self, request: &HttpRequest) -> Lang {
        Lang::negotiate(
            self.get("lang"),
            request
                .headers()
                .get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        )
    }

    /// Inside an embed's iframe: no page chrome, and events for the host page.
    pub fn embedded(&self) -> bool {
        self.get("embed").is_some()
    }

    /// A copy with `changes` applied: `Some` sets a key (replacing every earlier value), `None`
    /// removes it.
    pub fn with(&self, changes: &[(&str, Option<String>)]) -> Self {
        let mut pairs: Vec<(String, String)> = self
            .pairs
            .iter()
            .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
            .cloned()
            .collect();
        for (key, value) in changes {
            if let Some(value) = value {
                pairs.push(((*key).to_owned(), value.clone()));
            }
        }
        Self { pairs }
    }

    /// `?…` for this state with `changes` applied.
    pub fn href(&self, changes: &[(&str, Option<String>)]) -> String {
        let next = self.with(changes);
        format!("?{}", encode(&next.pairs))
    }

    /// `?…` with only `keys` kept, or "" when none of them is present.
    pub fn carry_only(&self, keys: &[&str]) -> String {
        let kept: Vec<(String, String)> = self
            .pairs
            .iter()
            .filter(|(k, _)| keys.contains(&k.as_str()))
            .cloned()
            .collect();
        if kept.is_empty() {
            String::new()
        } else {
            format!("?{}", encode(&kept))
        }
    }

    /// A copy with only `keys` kept.
    pub fn only(&self, keys: &[&str]) -> Self {
        Self {
            pairs: self
                .pairs
                .iter()
                .filter(|(k, _)| keys.contains(&k.as_str()))
                .cloned()
                .collect(),
        }
    }

    pub fn pairs_without(&self, keys: &[&str]) -> Vec<(String, String)> {
        self.pairs
            .iter()
            .filter(|(k, _)| !keys.contains(&k.as_str()))
            .cloned()
            .collect()
    }
}

fn encode(pairs: &[(String, String)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        out.append_pair(k, v);
    }
    out.finish()
}

/// What every page's frame needs: language, brand colour, embed mode, theme.
pub struct Chrome {
    pub lang: &'static str,
    pub brand: String,
    /// Text colour on the brand colour: black or white, whichever contrasts more.
    pub brand_ink: &'static str,
    /// The brand colour on dark backgrounds, and its ink.
    pub brand_dark: String,
    pub brand_dark_ink: &'static str,
    pub embedded: bool,
    /// `light` or `dark` when the page (or the embed) asks for one; else by preference.
    pub theme: Option<String>,
}

impl Chrome {
    pub fn new(lang: Lang, brand_color: &str, query: &QueryState) -> Self {
        Self::branded(lang, brand_color, "", query)
    }

    /// With the owner's colours for light and dark backgrounds (Cal.com's `brandColor` and
    /// `darkBrandColor`); the defaults are Cal.com's.
    pub fn branded(lang: Lang, light: &str, dark: &str, query: &QueryState) -> Self {
        let brand = valid_colour(light).unwrap_or_else(|| "#292929".to_owned());
        let brand_dark = valid_colour(dark).unwrap_or_else(|| "#fafafa".to_owned());
        // 0.179 is where black and white contrast equally with a colour.
        let ink = |colour: &str| {
            if luminance(colour) > 0.179 {
                "#000000"
            } else {
                "#ffffff"
            }
        };
        Self {
            lang: lang.code(),
            brand_ink: ink(&brand),
            brand_dark_ink: ink(&brand_dark),
            brand,
            brand_dark,
            embedded: query.embedded(),
            theme: query
                .get("theme")
                .filter(|t| matches!(*t, "light" | "dark"))
                .map(str::to_owned),
        }
    }

    /// The URL of this page's brand colours (see [`brand_stylesheet`]).
    pub fn brand_stylesheet(&self) -> String {
        format!(
            "/static/brand.css?light={}&dark={}",
            self.brand.trim_start_matches('#'),
            self.brand_dark.trim_start_matches('#')
        )
    }
}

/// `#rrggbb` from `#rgb` or `#rrggbb`; `None` for anything else (it goes into a style attribute).
fn valid_colour(raw: &str) -> Option<String> {
    let hex = raw.strip_prefix('#')?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    match hex.len() {
        6 => Some(format!("#{}", hex.to_ascii_lowercase())),
        3 => Some(format!(
            "#{}",
            hex.chars()
                .flat_map(|c| [c, c])
                .collect::<String>()
                .to_ascii_lowercase()
        )),
        _ => None,
    }
}

/// WCAG relative luminance of `#rrggbb`.
fn luminance(hex: &str) -> f64 {
    let channel = |i: usize| {
        let v = u8::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).unwrap_or(0) as f64 / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2)
}

pub type PageResult = Result<HttpResponse, PageError>;

/// A page that could not be shown, rendered as a page (not the API's JSON envelope).
#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    lang: Lang,
    message: String,
    /// Not an error after all: the visitor belongs on another page (303).
    location: Option<String>,
    /// A rate limit said no: the answer carries `Retry-After` and the limit (429).
    refusal: Option<Box<crate::limits::Refusal>>,
    /// Where to go instead, and the link's words.
    link: Option<(String, &'static str)>,
    /// The page's heading when it is not the message itself.
    title: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    /// The answer's status, for the embed's `linkFailed` event (`static/embed-iframe.js`).
    status: u16,
    title: &'a str,
    message: &'a str,
    link: Option<&'a (String, &'static str)>,
}

impl PageError {
    pub fn not_found(lang: Lang) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            lang,
            lang.text().not_found_title.to_owned(),
        )
    }

    fn new(status: StatusCode, lang: Lang, message: String) -> Self {
        Self {
            status,
            lang,
            message,
            location: None,
            refusal: None,
            link: None,
            title: None,
        }
    }

    /// A booking email's link whose token was refused: it expired (410) or is not this
    /// instance's for this booking (403). The page says so and offers the portal instead.
    pub fn link_refused(lang: Lang, error: crate::auth::TokenError) -> Self {
        let t = lang.text();
        let (status, title, message) = match error {
            crate::auth::TokenError::Expired => (
                StatusCode::GONE,
                t.portal_link_expired,
                t.portal_manage_expired,
            ),
            crate::auth::TokenError::Invalid => (
                StatusCode::FORBIDDEN,
                t.portal_link_invalid,
                t.portal_manage_invalid,
            ),
        };
        Self {
            title: Some(title),
            link: Some((
                format!("/my-bookings?lang={}", lang.code()),
                t.portal_get_link,
            )),
            ..Self::new(status, lang, message.to_owned())
        }
    }

    pub fn too_many_requests(lang: Lang, refusal: crate::limits::Refusal) -> Self {
        Self {
            refusal: Some(Box::new(refusal)),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, lang, refusal.to_string())
        }
    }

    /// Sends the visitor to `location` instead (a page that found the request already done,
    /// or addressed to another page).
    pub fn redirect(location: String) -> Self {
        Self {
            location: Some(location),
            ..Self::new(StatusCode::SEE_OTHER, Lang::En, String::new())
        }
    }

    pub fn bad_request(lang: Lang, message: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, lang, message.to_owned())
    }

    pub fn forbidden(lang: Lang, message: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, lang, message.to_owned())
    }

    /// Something of ours failed: logged with `cause`, the visitor reads a generic sentence.
    pub fn internal(cause: &str) -> Self {
        tracing::error!(error = cause, "page failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            Lang::En,
            "Something went wrong on our side. Please try again in a moment.".to_owned(),
        )
    }

    pub fn gone(lang: Lang, message: &str) -> Self {
        Self::new(StatusCode::GONE, lang, message.to_owned())
    }

    pub fn from_service(lang: Lang, error: ServiceError) -> Self {
        let status = match &error {
            ServiceError::Invalid(_) => StatusCode::BAD_REQUEST,
            ServiceError::Conflict(_) => StatusCode::CONFLICT,
            ServiceError::Unauthorized(_) | ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServiceError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
            ServiceError::Storage(_) | ServiceError::Internal(_) => {
                tracing::error!(error = %error, "page failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            "Something went wrong on our side. Please try again in a moment.".to_owned()
        } else {
            error.to_string()
        };
        Self::new(status, lang, message)
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.status, self.message)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        self.page(&QueryState::default())
    }
}

impl PageError {
    /// The answer, shown as `query` asks: inside an embed (`embed` in the query) the page has
    /// no chrome and loads the iframe script, which tells the host page that the link failed.
    fn page(&self, query: &QueryState) -> HttpResponse {
        if let Some(location) = &self.location {
            return HttpResponse::SeeOther()
                .insert_header((actix_web::http::header::LOCATION, location.as_str()))
                .finish();
        }
        let t = self.lang.text();
        let title = match self.title {
            Some(title) => title,
            None if self.status == StatusCode::NOT_FOUND => t.not_found_title,
            None => &self.message,
        };
        let page = ErrorPage {
            chrome: Chrome::new(self.lang, "", query),
            status: self.status.as_u16(),
            title,
            message: &self.message,
            link: self.link.as_ref(),
        };
        let body = page
            .render()
            .unwrap_or_else(|_| "<!doctype html><title>Error</title>".into());
        let mut response = HttpResponse::build(self.status);
        if let Some(refusal) = &self.refusal {
            super::admission::refusal_headers(&mut response, refusal);
        }
        response
            .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
            .body(body)
    }
}

/// Error pages inside an embed, in embed mode. A handler's [`PageError`] renders without the
/// request, so for a request whose query says `embed` its page is rendered again here, with
/// that query; every other answer passes unchanged.
pub async fn embedded_error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let Some(error) = res
        .response()
        .error()
        .and_then(|e| e.as_error::<PageError>())
    else {
        return Ok(res);
    };
    let query = QueryState::from_request(res.request());
    if !query.embedded() {
        return Ok(res);
    }
    let page = error.page(&query);
    Ok(res.into_response(page))
}

/// What a request that no route answers gets when it comes from inside an embed (a cal link
/// that names nothing): the not-found page in embed mode, so the host page hears `linkFailed`.
/// `None` for everything else (and for the API, which answers in JSON).
pub fn not_found_in_embed(request: &HttpRequest) -> Option<PageError> {
    let query = QueryState::from_request(request);
    (query.embedded() && !request.path().starts_with("/v2/"))
        .then(|| PageError::not_found(query.lang(request)))
}

/// A rendered page, 200.
pub fn html<T: Template>(page: T) -> PageResult {
    let body = page.render().map_err(|e| {
        PageError::from_service(Lang::En, ServiceError::Internal(anyhow::anyhow!(e)))
    })?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_change_some_keys_and_carry_the_rest() {
        let state = QueryState {
            pairs: vec![
                ("tz".into(), "Europe/Paris".into()),
                ("name".into(), "Ada & Co".into()),
                ("date".into(), "2026-12-01".into()),
            ],
        };
        assert_eq!(
            state.href(&[("date", Some("2026-12-02".into())), ("slot", None)]),
            "?tz=Europe%2FParis&name=Ada+%26+Co&date=2026-12-02"
        );
        assert_eq!(state.carry_only(&["tz"]), "?tz=Europe%2FParis");
        assert_eq!(state.carry_only(&["lang"]), "");
    }

    #[test]
    fn brand_colours_are_checked_and_get_a_readable_ink() {
        assert_eq!(valid_colour("#ABC").as_deref(), Some("#aabbcc"));
        assert_eq!(valid_colour("red; background:url(x)"), None);
        let q = QueryState::default();
        assert_eq!(Chrome::new(Lang::En, "#ffd60a", &q).brand_ink, "#000000");
        assert_eq!(Chrome::new(Lang::En, "#1d4ed8", &q).brand_ink, "#ffffff");
        assert_eq!(Chrome::new(Lang::En, "nonsense", &q).brand, "#292929");
    }
}
