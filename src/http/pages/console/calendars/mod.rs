//! `/apps/installed/calendar`: the signed-in user's external calendars. Connect Google and
//! Microsoft (the OAuth round trip, coming back here), CalDAV/Apple accounts and ICS feeds;
//! per connection its calendars that block availability, its status, last read and error,
//! check or reconnect, disconnect; and the destination calendar for bookings. Every action is
//! a `calendars::Calendars` use case, the ones the `/v2/calendars` API calls.

mod words;

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::clock::Clock;
use super::session::{ConsoleForm, lang_of};
use super::{Frame, Nav, Section, detach};
use crate::calendars::connections::{ConnectionView, ICLOUD_CALDAV};
use crate::calendars::{Calendars, Provider};
use crate::http::AppState;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult, html};
use crate::service::ServiceError;
use crate::sessions::SignedIn;
use crate::storage::calendars::CalendarRecord;
use words::Words;

const BASE: &str = "/apps/installed/calendar";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(BASE, web::get().to(list))
        .route(
            &format!("{BASE}/connect/{{provider}}"),
            web::post().to(connect),
        )
        .route(&format!("{BASE}/caldav"), web::post().to(caldav))
        .route(&format!("{BASE}/ics"), web::post().to(ics))
        .route(&format!("{BASE}/destination"), web::post().to(destination))
        .route(&format!("{BASE}/{{id}}/blocking"), web::post().to(blocking))
        .route(&format!("{BASE}/{{id}}/check"), web::post().to(check))
        .route(
            &format!("{BASE}/{{id}}/disconnect"),
            web::post().to(disconnect),
        );
}

/// The calendar use cases, or the page's refusal when this server has none.
fn service(state: &AppState, lang: Lang) -> Result<Calendars, PageError> {
    state
        .calendars
        .clone()
        .ok_or_else(|| PageError::bad_request(lang, words::words(lang).unavailable))
}

struct CalendarRow {
    external_id: String,
    name: String,
    primary: bool,
    read_only: bool,
    selected: bool,
}

/// One connection as the page shows it.
struct Card {
    id: i64,
    title: &'static str,
    /// The OAuth provider's path segment (`google`, `office365`): reconnecting is consenting
    /// again. `None` for CalDAV and feeds, which are checked again instead.
    oauth: Option<&'static str>,
    account: String,
    invalid: bool,
    reason: Option<String>,
    last_sync: Option<String>,
    last_error: Option<String>,
    calendars: Vec<CalendarRow>,
}

struct Choice {
    id: i64,
    label: String,
    selected: bool,
}

/// Google or Microsoft: offered with a button when the operator set up its OAuth client.
struct Offer {
    path: &'static str,
    title: &'static str,
    set_up: bool,
    settings: &'static str,
}

#[derive(Deserialize, Default)]
struct CaldavForm {
    #[serde(default)]
    server_url: String,
    #[serde(default)]
    username: String,
    /// Never shown again, not even after a refusal.
    #[serde(default)]
    password: String,
}

#[derive(Deserialize, Default)]
struct IcsForm {
    #[serde(default)]
    url: String,
}

/// A refusal and the field it belongs to (`server_url`, `blocking-7`, …).
struct Refusal {
    field: String,
    message: String,
}

#[derive(Template)]
#[template(path = "console/calendars.html")]
struct CalendarsPage {
    chrome: Chrome,
    nav: Nav,
    words: Words,
    notice: Option<&'static str>,
    available: bool,
    cards: Vec<Card>,
    destinations: Vec<Choice>,
    offers: Vec<Offer>,
    caldav: CaldavForm,
    ics: IcsForm,
    error: Option<Refusal>,
}

impl CalendarsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    fn has_destination(&self) -> bool {
        self.destinations.iter().any(|d| d.selected)
    }
}

fn card(who: &SignedIn, lang: Lang, view: &ConnectionView) -> Card {
    let r = &view.record;
    Card {
        id: r.id,
        title: view.provider.title(),
        oauth: matches!(view.provider, Provider::Google | Provider::Office365)
            .then(|| view.provider.as_str()),
        account: r.account.clone(),
        invalid: r.status == "invalid",
        reason: r.invalid_reason.clone(),
        last_sync: r
            .synced_at
            .map(|t| Clock::of(&who.user, lang).short(t.and_utc())),
        last_error: r.last_error.clone(),
        calendars: view
            .calendars
            .iter()
            .map(|c| CalendarRow {
                external_id: c.external_id.clone(),
                name: c.name.clone(),
                primary: c.is_primary,
                read_only: c.read_only,
                selected: c.selected,
            })
            .collect(),
    }
}

fn destinations(views: &[ConnectionView], current: Option<&CalendarRecord>) -> Vec<Choice> {
    views
        .iter()
        .flat_map(|v| v.calendars.iter().map(move |c| (v, c)))
        .filter(|(_, c)| !c.read_only)
        .map(|(v, c)| Choice {
            id: c.id,
            label: format!("{} · {} · {}", v.provider.title(), v.record.account, c.name),
            selected: current.is_some_and(|d| d.id == c.id),
        })
        .collect()
}

fn offers(calendars: Option<&Calendars>) -> Vec<Offer> {
    vec![
        Offer {
            path: "google",
            title: Provider::Google.title(),
            set_up: calendars.is_some_and(|c| c.google.is_some()),
            settings: "KAIROS_GOOGLE_CLIENT_ID, KAIROS_GOOGLE_CLIENT_SECRET",
        },
        Offer {
            path: "office365",
            title: Provider::Office365.title(),
            set_up: calendars.is_some_and(|c| c.microsoft.is_some()),
            settings: "KAIROS_MICROSOFT_CLIENT_ID, KAIROS_MICROSOFT_CLIENT_SECRET",
        },
    ]
}

/// The user's connections and destination, as the use case lists them (none without the
/// calendar service).
async fn listed(
    calendars: Option<Calendars>,
    who: &SignedIn,
) -> Result<(Vec<ConnectionView>, Option<CalendarRecord>), PageError> {
    let Some(calendars) = calendars else {
        return Ok((Vec::new(), None));
    };
    let user = who.user.clone();
    detach(async move { calendars.list(&user).await })
        .await?
        .map_err(|e| PageError::from_service(Lang::En, e))
}

/// The page as it stands, before any refusal or kept input is placed on it.
async fn page(
    req: &HttpRequest,
    state: &AppState,
    who: &SignedIn,
) -> Result<CalendarsPage, PageError> {
    let Frame { lang, chrome, nav } = Frame::new(req, who, Section::Calendars);
    let (views, current) = listed(state.calendars.clone(), who).await?;
    Ok(CalendarsPage {
        chrome,
        nav,
        words: words::words(lang),
        notice: None,
        available: state.calendars.is_some(),
        cards: views.iter().map(|v| card(who, lang, v)).collect(),
        destinations: destinations(&views, current.as_ref()),
        offers: offers(state.calendars.as_ref()),
        caldav: CaldavForm::default(),
        ics: IcsForm::default(),
        error: None,
    })
}

#[derive(Deserialize)]
struct Done {
    #[serde(default)]
    done: Option<String>,
    /// The provider's refusal, when a host came back from a consent page without consenting.
    #[serde(default)]
    error: Option<String>,
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    done: web::Query<Done>,
) -> PageResult {
    let lang = lang_of(&req, Some(&who));
    let mut page = page(&req, &state, &who).await?;
    match &done.error {
        Some(error) => {
            let refusal: String = error.chars().take(100).collect();
            page.error = Some(Refusal {
                field: String::new(),
                message: format!("{} ({refusal})", page.words.not_granted),
            });
        }
        None => page.notice = done.done.as_deref().and_then(|d| words::notice(d, lang)),
    }
    html(page)
}

/// The page again with the refusal at `field` (`refusal_status`), or the error page for the rest
/// (another user's connection: 404).
async fn refused(
    req: &HttpRequest,
    state: &AppState,
    who: &SignedIn,
    field: String,
    error: ServiceError,
    keep: impl FnOnce(&mut CalendarsPage),
) -> PageResult {
    let lang = lang_of(req, Some(who));
    let (status, message) = super::refusal_status(lang, error)?;
    let mut page = page(req, state, who).await?;
    keep(&mut page);
    page.error = Some(Refusal { field, message });
    let body = page
        .render()
        .map_err(|e| PageError::internal(&e.to_string()))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(body))
}

fn back(done: &str) -> PageError {
    PageError::redirect(format!("{BASE}?done={done}"))
}

#[derive(Deserialize)]
struct Empty {}

/// Starts the OAuth round trip the API's connect endpoint starts; the provider sends the
/// browser to the API's save endpoint, which sends it back here.
async fn connect(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    posted: ConsoleForm<Empty>,
) -> PageResult {
    let who = posted.who;
    let lang = lang_of(&req, Some(&who));
    let provider = match path.as_str() {
        "google" => Provider::Google,
        "office365" => Provider::Office365,
        _ => return Err(PageError::not_found(lang)),
    };
    let calendars = service(&state, lang)?;
    let return_to = format!("{}{BASE}?done=connected", calendars.base_url);
    match calendars.oauth_url(&who.user, provider, Some(&return_to), Utc::now()) {
        Ok(url) => Err(PageError::redirect(url)),
        Err(e) => refused(&req, &state, &who, format!("connect-{}", path), e, |_| {}).await,
    }
}

/// Which CalDAV field a refusal is about.
fn caldav_field(message: &str) -> &'static str {
    if message.starts_with("username") {
        "username"
    } else if message.starts_with("the calendar provider refused") {
        "password"
    } else {
        "server_url"
    }
}

async fn caldav(
    req: HttpRequest,
    state: web::Data<AppState>,
    posted: ConsoleForm<CaldavForm>,
) -> PageResult {
    let ConsoleForm { who, form } = posted;
    let lang = lang_of(&req, Some(&who));
    let calendars = service(&state, lang)?;
    let server = match form.server_url.trim() {
        "" => ICLOUD_CALDAV.to_owned(),
        given => given.to_owned(),
    };
    let (user, username, password) = (who.user.clone(), form.username.clone(), form.password);
    let outcome = detach(async move {
        calendars
            .connect_caldav(&user, &server, &username, &password, Utc::now())
            .await
    })
    .await?;
    match outcome {
        Ok(_) => Err(back("connected")),
        Err(e) => {
            let field = caldav_field(&e.to_string()).to_owned();
            let kept = CaldavForm {
                server_url: form.server_url,
                username: form.username,
                password: String::new(),
            };
            refused(&req, &state, &who, field, e, |p| p.caldav = kept).await
        }
    }
}

async fn ics(
    req: HttpRequest,
    state: web::Data<AppState>,
    posted: ConsoleForm<IcsForm>,
) -> PageResult {
    let ConsoleForm { who, form } = posted;
    let lang = lang_of(&req, Some(&who));
    let calendars = service(&state, lang)?;
    let (user, urls) = (who.user.clone(), vec![form.url.trim().to_owned()]);
    let outcome =
        detach(async move { calendars.connect_ics(&user, &urls, Utc::now()).await }).await?;
    match outcome {
        Ok(_) => Err(back("connected")),
        Err(e) => refused(&req, &state, &who, "ics_url".into(), e, |p| p.ics = form).await,
    }
}

/// The user's connection `id` with its calendars; another user's is not found.
async fn owned(
    state: &AppState,
    who: &SignedIn,
    lang: Lang,
    id: i64,
) -> Result<(Calendars, ConnectionView), PageError> {
    let calendars = service(state, lang)?;
    let (views, _) = listed(Some(calendars.clone()), who).await?;
    let view = views
        .into_iter()
        .find(|v| v.record.id == id)
        .ok_or_else(|| PageError::not_found(lang))?;
    Ok((calendars, view))
}

#[derive(Deserialize)]
struct BlockingForm {
    #[serde(default)]
    blocking: Vec<String>,
}

async fn blocking(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: ConsoleForm<BlockingForm>,
) -> PageResult {
    let ConsoleForm { who, form } = posted;
    let lang = lang_of(&req, Some(&who));
    let (calendars, view) = owned(&state, &who, lang, *id).await?;
    let (user, id) = (who.user.clone(), view.record.id);
    let outcome = detach(async move {
        calendars
            .choose_blocking(&user, id, &form.blocking, Utc::now())
            .await
    })
    .await?;
    match outcome {
        Ok(()) => Err(back("saved")),
        Err(e) => refused(&req, &state, &who, format!("blocking-{id}"), e, |_| {}).await,
    }
}

#[derive(Deserialize)]
struct DestinationForm {
    #[serde(default)]
    destination: String,
}

async fn destination(
    req: HttpRequest,
    state: web::Data<AppState>,
    posted: ConsoleForm<DestinationForm>,
) -> PageResult {
    let ConsoleForm { who, form } = posted;
    let lang = lang_of(&req, Some(&who));
    let calendars = service(&state, lang)?;
    let (views, _) = listed(Some(calendars.clone()), &who).await?;
    let chosen: Option<i64> = form.destination.trim().parse().ok();
    let found = views.iter().find_map(|v| {
        let c = v.calendars.iter().find(|c| Some(c.id) == chosen)?;
        Some((v.provider.integration(), c.external_id.clone()))
    });
    let Some((integration, external_id)) = found else {
        let e = ServiceError::Invalid("destination: choose one of your calendars".into());
        return refused(&req, &state, &who, "destination".into(), e, |_| {}).await;
    };
    let user = who.user.clone();
    let outcome = detach(async move {
        calendars
            .set_destination(&user, integration, &external_id, None)
            .await
    })
    .await?;
    match outcome {
        Ok(_) => Err(back("saved")),
        Err(e) => refused(&req, &state, &who, "destination".into(), e, |_| {}).await,
    }
}

/// Asks the provider again; a connection marked invalid that answers is made active.
async fn check(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: ConsoleForm<Empty>,
) -> PageResult {
    let who = posted.who;
    let lang = lang_of(&req, Some(&who));
    let (calendars, view) = owned(&state, &who, lang, *id).await?;
    let (user, provider, id) = (who.user.clone(), view.provider, view.record.id);
    let outcome = detach(async move { calendars.check(&user, provider, Utc::now()).await }).await?;
    let answer = outcome.map(|all| all.into_iter().find(|(r, _)| r.id == id).map(|(_, o)| o));
    match answer {
        Ok(Some(Ok(()))) => Err(back("checked")),
        Ok(Some(Err(message))) => {
            let e = ServiceError::Invalid(message);
            refused(&req, &state, &who, format!("connection-{id}"), e, |_| {}).await
        }
        Ok(None) => Err(PageError::not_found(lang)),
        Err(e) => refused(&req, &state, &who, format!("connection-{id}"), e, |_| {}).await,
    }
}

async fn disconnect(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: ConsoleForm<Empty>,
) -> PageResult {
    let who = posted.who;
    let lang = lang_of(&req, Some(&who));
    let (calendars, view) = owned(&state, &who, lang, *id).await?;
    let (user, provider, id) = (who.user.clone(), view.provider, view.record.id);
    detach(async move { calendars.disconnect(&user, provider, id).await })
        .await?
        .map_err(|e| PageError::from_service(lang, e))?;
    Err(back("disconnected"))
}
