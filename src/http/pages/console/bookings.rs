//! `/bookings/upcoming`, `/bookings/unconfirmed`, `/bookings/past`, `/bookings/cancelled`: the
//! bookings the signed-in user may see (the API's `GET /v2/bookings` rule and query: their own
//! and those of teams they administer), searched and filtered, in keyset pages; bulk cancel
//! through the cancel use case, one booking at a time; and `/bookings/export.csv`, every row of
//! a filtered list, read and written in chunks. Times read in the user's zone and clock.

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

pub(super) use super::clock::Clock;
use super::csv::csv_line;
use super::session::ConsoleForm;
use super::{Frame, Nav, Section, pick};
use crate::availability::local_time::start_of_day;
use crate::booking::{self, Actor, BookingView, CancelRequest, Tab};
use crate::domain::{BookingStatus, text};
use crate::event_types;
use crate::http::pages::console::detach;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult, QueryState, html};
use crate::http::{AppState, detached};
use crate::service::ServiceError;
use crate::sessions::SignedIn;
use crate::storage::bookings::{Keyset, ListFilter};
use crate::storage::users::User;

/// The tabs, in Cal.com's order.
const TABS: [Tab; 4] = [Tab::Upcoming, Tab::Unconfirmed, Tab::Past, Tab::Cancelled];
const PAGE: i64 = 25;
/// Rows an export reads at a time.
const CHUNK: i64 = 500;
/// The most bookings one bulk cancel takes.
const MAX_BULK: usize = 100;

pub fn configure(cfg: &mut web::ServiceConfig) {
    let tabs: Vec<String> = TABS
        .iter()
        .map(|t| format!("/bookings/{}", t.name()))
        .collect();
    cfg.route("/bookings", web::get().to(to_upcoming))
        .route("/bookings/export.csv", web::get().to(export))
        .route("/bookings/cancel", web::post().to(bulk_cancel))
        .service(web::resource(tabs).route(web::get().to(list)));
}

async fn to_upcoming() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, "/bookings/upcoming"))
        .finish()
}

// ---- Time, in the user's zone and clock ----

/// A status as the console names it.
pub(super) fn status_label(lang: Lang, status: BookingStatus) -> &'static str {
    let words = match status {
        BookingStatus::Accepted => ["Confirmed", "Bestätigt", "Confirmée", "Confirmada"],
        BookingStatus::Pending => [
            "Unconfirmed",
            "Unbestätigt",
            "Non confirmée",
            "Sin confirmar",
        ],
        BookingStatus::Cancelled => ["Cancelled", "Abgesagt", "Annulée", "Cancelada"],
        BookingStatus::Rejected => ["Declined", "Abgelehnt", "Refusée", "Rechazada"],
        BookingStatus::AwaitingHost => [
            "Awaiting host",
            "Wartet auf Gastgeber",
            "En attente de l’hôte",
            "Esperando al anfitrión",
        ],
    };
    pick(lang, words)
}

fn tab_label(lang: Lang, tab: Tab) -> &'static str {
    let words = match tab {
        Tab::Upcoming | Tab::Recurring => ["Upcoming", "Bevorstehend", "À venir", "Próximas"],
        Tab::Unconfirmed => [
            "Unconfirmed",
            "Unbestätigt",
            "Non confirmées",
            "Sin confirmar",
        ],
        Tab::Past => ["Past", "Vergangen", "Passées", "Pasadas"],
        Tab::Cancelled => ["Cancelled", "Abgesagt", "Annulées", "Canceladas"],
    };
    pick(lang, words)
}

// ---- Filters ----

/// The filters as the query string carries them (the list, its pages and the export).
#[derive(Debug, Default, Deserialize)]
struct FilterQuery {
    #[serde(default)]
    tab: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    event_type: String,
    #[serde(default)]
    host: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    before: String,
    #[serde(default)]
    cancelled: String,
}

/// The filters, checked: each narrows the tab's list.
#[derive(Debug, Default)]
struct Chosen {
    search: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    event_type: Option<i64>,
    host: Option<i64>,
    status: Option<BookingStatus>,
}

/// A filter that could not be read: the field and why.
struct FieldError {
    field: &'static str,
    message: String,
}

fn field_error(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

fn optional<T>(
    field: &'static str,
    raw: &str,
    read: impl Fn(&str) -> Option<T>,
    expected: &str,
) -> Result<Option<T>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    read(raw)
        .map(Some)
        .ok_or_else(|| field_error(field, format!("`{raw}` is not {expected}")))
}

impl Chosen {
    fn read(q: &FilterQuery, tab: Option<Tab>) -> Result<Self, FieldError> {
        let search = q.q.trim();
        text::check(text::TextKind::Line, search).map_err(|m| field_error("q", m))?;
        if search.chars().count() > 200 {
            return Err(field_error("q", "at most 200 characters"));
        }
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let id = |s: &str| s.parse::<i64>().ok();
        let allowed = tab.map_or(BookingStatus::ALL.to_vec(), Tab::statuses);
        let status = |s: &str| BookingStatus::parse(s).filter(|st| allowed.contains(st));
        let chosen = Self {
            search: (!search.is_empty()).then(|| search.to_owned()),
            from: optional("from", &q.from, date, "a date like 2027-03-02")?,
            to: optional("to", &q.to, date, "a date like 2027-03-02")?,
            event_type: optional("event_type", &q.event_type, id, "an event type")?,
            host: optional("host", &q.host, id, "a host")?,
            status: optional("status", &q.status, status, "a status of this list")?,
        };
        if let (Some(from), Some(to)) = (chosen.from, chosen.to)
            && to < from
        {
            return Err(field_error("to", "must not be before the first day"));
        }
        Ok(chosen)
    }

    /// The API's list filter for `who`'s `tab` (or every booking), narrowed by these filters;
    /// days are the user's.
    fn filter(&self, who: &User, tab: Option<Tab>, tz: Tz, now: DateTime<Utc>) -> ListFilter {
        let mut f = ListFilter {
            visible_to_user: who.id,
            ..ListFilter::default()
        };
        if let Some(tab) = tab {
            tab.narrow(&mut f, now);
        }
        if let Some(status) = self.status {
            f.statuses = vec![status];
        }
        let instant = |date: NaiveDate| DateTime::from_timestamp(start_of_day(tz, date), 0);
        f.start_after = self.from.and_then(instant);
        f.start_before = self.to.and_then(|d| d.succ_opt()).and_then(instant);
        f.event_type_ids = self.event_type.into_iter().collect();
        f.host_ids = self.host.into_iter().collect();
        f.attendee_search = self.search.clone();
        f
    }
}

/// A keyset cursor in a link: `<start, unix seconds>.<booking id>`.
fn cursor_of(view: &BookingView) -> String {
    format!("{}.{}", view.record.start_at.timestamp(), view.record.id)
}

fn read_cursor(raw: &str) -> Option<(DateTime<Utc>, i64)> {
    let (at, id) = raw.split_once('.')?;
    Some((
        DateTime::from_timestamp(at.parse().ok()?, 0)?,
        id.parse().ok()?,
    ))
}

fn query_of(req: &HttpRequest, lang: Lang) -> Result<FilterQuery, PageError> {
    serde_html_form::from_str(req.query_string())
        .map_err(|e| PageError::bad_request(lang, &format!("The address is not valid: {e}")))
}

// ---- The list ----

struct Words {
    title: &'static str,
    search: &'static str,
    from: &'static str,
    to: &'static str,
    event_type: &'static str,
    host: &'static str,
    status: &'static str,
    any: &'static str,
    apply: &'static str,
    clear: &'static str,
    export: &'static str,
    none: &'static str,
    when: &'static str,
    what: &'static str,
    who: &'static str,
    select: &'static str,
    prev: &'static str,
    next: &'static str,
    reason: &'static str,
    cancel_selected: &'static str,
    confirm_cancel: &'static str,
    cancelled_notice: &'static str,
    filters: &'static str,
    tabs: &'static str,
    personal: &'static str,
}

fn words(lang: Lang) -> Words {
    Words {
        title: pick(lang, ["Bookings", "Buchungen", "Réservations", "Reservas"]),
        search: pick(
            lang,
            [
                "Attendee name or email",
                "Name oder E-Mail des Teilnehmers",
                "Nom ou e-mail du participant",
                "Nombre o correo del asistente",
            ],
        ),
        from: pick(lang, ["From", "Von", "Du", "Desde"]),
        to: pick(lang, ["To", "Bis", "Au", "Hasta"]),
        event_type: pick(
            lang,
            [
                "Event type",
                "Ereignistyp",
                "Type d’événement",
                "Tipo de evento",
            ],
        ),
        host: pick(lang, ["Host", "Gastgeber", "Hôte", "Anfitrión"]),
        status: pick(lang, ["Status", "Status", "Statut", "Estado"]),
        any: pick(lang, ["Any", "Alle", "Tous", "Todos"]),
        apply: pick(lang, ["Filter", "Filtern", "Filtrer", "Filtrar"]),
        clear: pick(
            lang,
            [
                "Clear filters",
                "Filter zurücksetzen",
                "Effacer les filtres",
                "Quitar filtros",
            ],
        ),
        export: pick(
            lang,
            [
                "Export CSV",
                "Als CSV exportieren",
                "Exporter en CSV",
                "Exportar CSV",
            ],
        ),
        none: pick(
            lang,
            [
                "No bookings here.",
                "Keine Buchungen.",
                "Aucune réservation.",
                "No hay reservas.",
            ],
        ),
        when: pick(lang, ["When", "Wann", "Quand", "Cuándo"]),
        what: pick(lang, ["What", "Was", "Quoi", "Qué"]),
        who: pick(
            lang,
            ["Attendees", "Teilnehmer", "Participants", "Asistentes"],
        ),
        select: pick(lang, ["Select", "Auswählen", "Sélectionner", "Seleccionar"]),
        prev: pick(
            lang,
            [
                "Previous page",
                "Vorherige Seite",
                "Page précédente",
                "Página anterior",
            ],
        ),
        next: pick(
            lang,
            [
                "Next page",
                "Nächste Seite",
                "Page suivante",
                "Página siguiente",
            ],
        ),
        reason: pick(
            lang,
            [
                "Reason for cancelling (optional)",
                "Grund der Absage (optional)",
                "Motif de l’annulation (facultatif)",
                "Motivo de la cancelación (opcional)",
            ],
        ),
        cancel_selected: pick(
            lang,
            [
                "Cancel selected bookings",
                "Ausgewählte Buchungen absagen",
                "Annuler les réservations choisies",
                "Cancelar las reservas elegidas",
            ],
        ),
        confirm_cancel: pick(
            lang,
            [
                "Cancel the selected bookings? Their attendees are told.",
                "Die ausgewählten Buchungen absagen? Die Teilnehmer werden benachrichtigt.",
                "Annuler les réservations choisies ? Les participants sont prévenus.",
                "¿Cancelar las reservas elegidas? Se avisará a los asistentes.",
            ],
        ),
        cancelled_notice: pick(
            lang,
            [
                "Bookings cancelled:",
                "Abgesagte Buchungen:",
                "Réservations annulées :",
                "Reservas canceladas:",
            ],
        ),
        filters: pick(lang, ["Filters", "Filter", "Filtres", "Filtros"]),
        tabs: pick(lang, ["Lists", "Listen", "Listes", "Listas"]),
        personal: pick(lang, ["Personal", "Persönlich", "Personnel", "Personal"]),
    }
}

struct TabLink {
    href: String,
    label: &'static str,
    current: bool,
}

struct Row {
    uid: String,
    title: String,
    when: String,
    status: &'static str,
    status_class: &'static str,
    attendees: String,
    hosts: String,
    /// Still open to cancelling: offered for the bulk cancel.
    cancellable: bool,
}

impl Row {
    fn of(view: &BookingView, clock: Clock, me: i64, now: DateTime<Utc>) -> Self {
        let r = &view.record;
        let people: Vec<String> = view
            .attendees
            .iter()
            .map(|a| format!("{} <{}>", a.name, a.email))
            .collect();
        let others: Vec<&str> = (view.hosts.iter())
            .filter(|h| h.id != me)
            .map(|h| h.name.as_str())
            .collect();
        Self {
            uid: r.uid.clone(),
            title: r.title.clone(),
            when: clock.span(r.start_at, r.end_at),
            status: status_label(clock.lang, r.status),
            status_class: r.status.lower(),
            attendees: people.join(", "),
            hosts: others.join(", "),
            cancellable: r.status.is_active() && r.end_at > now,
        }
    }
}

/// A choice of a select: value, label, selected.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn choices(options: Vec<(String, String)>, current: &str) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "console/bookings.html")]
struct ListPage {
    chrome: Chrome,
    nav: Nav,
    words: Words,
    tabs: Vec<TabLink>,
    tab_label: &'static str,
    action: String,
    q: String,
    from: String,
    to: String,
    event_types: Vec<Choice>,
    hosts: Vec<Choice>,
    statuses: Vec<Choice>,
    error: Option<FieldErrorView>,
    rows: Vec<Row>,
    prev: Option<String>,
    next: Option<String>,
    export: String,
    back: String,
    cancelled: Option<u32>,
    any_cancellable: bool,
}

struct FieldErrorView {
    field: &'static str,
    message: String,
}

/// One keyset page of `f` in the tab's order: the rows, and whether there are rows before and
/// after them. `before` reads backwards from its cursor.
async fn page_of(
    state: &AppState,
    mut f: ListFilter,
    tab: Tab,
    query: &FilterQuery,
    lang: Lang,
) -> Result<(Vec<BookingView>, bool, bool), PageError> {
    let bad = |field| PageError::bad_request(lang, &format!("{field}: not a page of this list"));
    let after = optional("after", &query.after, read_cursor, "a page").map_err(|_| bad("after"))?;
    let before =
        optional("before", &query.before, read_cursor, "a page").map_err(|_| bad("before"))?;
    let backwards = before.is_some() && after.is_none();
    f.keyset = Some(Keyset {
        descending: tab.newest_first() != backwards,
        after: after.or(before),
    });
    f.take = PAGE + 1;
    let db = state.db.clone();
    let mut rows = detach(async move { booking::page(&db, f).await })
        .await?
        .map_err(|e| PageError::from_service(lang, e))?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    if backwards {
        rows.reverse();
        return Ok((rows, more, true));
    }
    Ok((rows, after.is_some(), more))
}

/// The event types and hosts the filters offer: the user's own and their teams' event types;
/// the user and the members of teams they administer.
async fn options(
    state: &AppState,
    who: &User,
    personal: &str,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), ServiceError> {
    let db = &state.db;
    let mine = event_types::list_mine(db, who.id).await?;
    let mut events: Vec<(String, String)> = (mine.personal.iter())
        .map(|e| {
            (
                e.record.id.to_string(),
                format!("{} · {personal}", e.record.title),
            )
        })
        .collect();
    for (team, its) in &mine.teams {
        events.extend(its.iter().map(|e| {
            (
                e.record.id.to_string(),
                format!("{} · {}", e.record.title, team.name),
            )
        }));
    }
    let mut hosts = vec![(who.id.to_string(), who.name.clone())];
    for m in crate::teams::managed_memberships(db, who.id).await? {
        if !hosts.iter().any(|(id, _)| *id == m.user_id.to_string()) {
            hosts.push((m.user_id.to_string(), m.user.name));
        }
    }
    Ok((events, hosts))
}

/// What a list page shows, once read: its page of bookings and the filters' choices.
struct Listing {
    tab: Tab,
    query: FilterQuery,
    views: Vec<BookingView>,
    has_prev: bool,
    has_next: bool,
    events: Vec<(String, String)>,
    hosts: Vec<(String, String)>,
    error: Option<FieldErrorView>,
}

async fn list(req: HttpRequest, state: web::Data<AppState>, who: SignedIn) -> PageResult {
    let frame = Frame::new(&req, &who, Section::Bookings);
    let lang = frame.lang;
    let tab = (req.path().rsplit('/').next())
        .and_then(Tab::parse)
        .ok_or_else(|| PageError::not_found(lang))?;
    let query = query_of(&req, lang)?;
    let clock = Clock::of(&who.user, lang);
    let now = Utc::now();
    let chosen = Chosen::read(&query, Some(tab));
    let (views, has_prev, has_next) = match &chosen {
        Ok(c) => {
            let filter = c.filter(&who.user, Some(tab), clock.tz, now);
            page_of(&state, filter, tab, &query, lang).await?
        }
        Err(_) => (Vec::new(), false, false),
    };
    let (events, hosts) = {
        let (state, user) = (state.clone(), who.user.clone());
        let personal = words(lang).personal;
        detach(async move { options(&state, &user, personal).await })
            .await?
            .map_err(|e| PageError::from_service(lang, e))?
    };
    let error = chosen.err().map(|e| FieldErrorView {
        field: e.field,
        message: e.message,
    });
    let listing = Listing {
        tab,
        query,
        views,
        has_prev,
        has_next,
        events,
        hosts,
        error,
    };
    let rows = (listing.views.iter())
        .map(|v| Row::of(v, clock, who.user.id, now))
        .collect();
    list_page(&req, frame, listing, rows)
}

/// The list page: 400 when a filter did not read (named next to it), else 200.
fn list_page(req: &HttpRequest, frame: Frame, listing: Listing, rows: Vec<Row>) -> PageResult {
    let Frame { lang, chrome, nav } = frame;
    let Listing {
        tab,
        query,
        views,
        has_prev,
        has_next,
        events,
        hosts,
        error,
    } = listing;
    let here = QueryState::from_request(req);
    // A malformed query in the address is the request's fault (400), not a refused form.
    let status = if error.is_some() {
        actix_web::http::StatusCode::BAD_REQUEST
    } else {
        actix_web::http::StatusCode::OK
    };
    let (first, last) = (views.first(), views.last());
    let mut response = html(ListPage {
        chrome,
        nav,
        words: words(lang),
        tabs: tab_links(lang, tab, &here),
        tab_label: tab_label(lang, tab),
        action: req.path().to_owned(),
        q: query.q.clone(),
        from: query.from.clone(),
        to: query.to.clone(),
        event_types: choices(events, query.event_type.trim()),
        hosts: choices(hosts, query.host.trim()),
        statuses: status_choices(lang, tab, query.status.trim()),
        prev: (first.filter(|_| has_prev)).map(|v| page_href(&here, "before", v)),
        next: (last.filter(|_| has_next)).map(|v| page_href(&here, "after", v)),
        export: export_href(tab, &here),
        back: back_href(req, &here),
        cancelled: query.cancelled.parse().ok(),
        any_cancellable: rows.iter().any(|r| r.cancellable),
        error,
        rows,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// The link to the page `direction` ("after" or "before") `view`.
fn page_href(here: &QueryState, direction: &str, view: &BookingView) -> String {
    here.href(&[
        ("after", None),
        ("before", None),
        ("cancelled", None),
        (direction, Some(cursor_of(view))),
    ])
}

fn tab_links(lang: Lang, current: Tab, here: &QueryState) -> Vec<TabLink> {
    // The filters carry over; the page and the notice do not.
    let kept = here.with(&[("after", None), ("before", None), ("cancelled", None)]);
    let query = kept.href(&[]);
    let query = if query == "?" { String::new() } else { query };
    TABS.iter()
        .map(|&t| TabLink {
            href: format!("/bookings/{}{query}", t.name()),
            label: tab_label(lang, t),
            current: t == current,
        })
        .collect()
}

fn status_choices(lang: Lang, tab: Tab, current: &str) -> Vec<Choice> {
    let statuses = tab.statuses();
    if statuses.len() < 2 {
        return Vec::new();
    }
    let options = (statuses.into_iter())
        .map(|s| (s.lower().to_owned(), status_label(lang, s).to_owned()))
        .collect();
    choices(options, current)
}

fn export_href(tab: Tab, here: &QueryState) -> String {
    let query = here.href(&[
        ("tab", Some(tab.name().to_owned())),
        ("after", None),
        ("before", None),
        ("cancelled", None),
    ]);
    format!("/bookings/export.csv{query}")
}

/// This list's address, to come back to after a bulk cancel.
fn back_href(req: &HttpRequest, here: &QueryState) -> String {
    let query = here.href(&[("cancelled", None)]);
    let query = if query == "?" { String::new() } else { query };
    format!("{}{query}", req.path())
}

// ---- Bulk cancel ----

#[derive(Debug, Deserialize)]
struct BulkForm {
    #[serde(default, deserialize_with = "text::line")]
    uid: Vec<String>,
    #[serde(default, deserialize_with = "text::lines")]
    reason: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    back: Option<String>,
}

/// What became of one booking of a bulk cancel.
struct Outcome {
    uid: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "console/bookings_cancelled.html")]
struct OutcomePage {
    chrome: Chrome,
    nav: Nav,
    title: &'static str,
    booking: &'static str,
    done: &'static str,
    failed: &'static str,
    back_label: &'static str,
    back: String,
    outcomes: Vec<Outcome>,
    error: Option<String>,
}

/// A list page of the console to return to; anything else is the upcoming list.
fn safe_back(back: Option<&str>) -> String {
    match back {
        Some(b) if b.starts_with("/bookings/") && !b.contains("//") && !b.contains('\\') => {
            b.to_owned()
        }
        _ => "/bookings/upcoming".to_owned(),
    }
}

async fn cancel_each(
    state: &AppState,
    lang: Lang,
    who: &User,
    uids: Vec<String>,
    reason: Option<String>,
) -> Vec<Outcome> {
    let mut outcomes = Vec::with_capacity(uids.len());
    for uid in uids {
        let change = CancelRequest {
            reason: reason.clone(),
            cancelled_by: Some(who.email.clone()),
            seat_uid: None,
        };
        let actor = Actor::User { user_id: who.id };
        let done = booking::cancel(&state.db, &state.outbox, &uid, change, actor).await;
        outcomes.push(Outcome {
            uid,
            error: done.err().map(|e| match e {
                ServiceError::Storage(_) | ServiceError::Internal(_) => {
                    tracing::error!(error = %e, "bulk cancel failed");
                    pick(
                        lang,
                        [
                            "Something went wrong on our side.",
                            "Bei uns ist etwas schiefgelaufen.",
                            "Un problème est survenu de notre côté.",
                            "Algo salió mal por nuestra parte.",
                        ],
                    )
                    .to_owned()
                }
                other => other.to_string(),
            }),
        });
    }
    outcomes
}

/// The bookings a bulk cancel names (blanks and repeats dropped) and its reason, or why the
/// form cannot be acted on, in the user's words.
fn read_bulk(lang: Lang, form: BulkForm) -> Result<(Vec<String>, Option<String>), String> {
    let mut seen = std::collections::HashSet::new();
    let uids: Vec<String> = (form.uid.iter())
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty() && seen.insert(u.clone()))
        .collect();
    if uids.is_empty() {
        let words = [
            "Select at least one booking.",
            "Wählen Sie mindestens eine Buchung.",
            "Choisissez au moins une réservation.",
            "Elija al menos una reserva.",
        ];
        return Err(pick(lang, words).to_owned());
    }
    if uids.len() > MAX_BULK {
        let (before, after) = pick(
            lang,
            [
                ("At most", "bookings at once."),
                ("Höchstens", "Buchungen auf einmal."),
                ("Au plus", "réservations à la fois."),
                ("Como máximo", "reservas a la vez."),
            ],
        );
        return Err(format!("{before} {MAX_BULK} {after}"));
    }
    let reason = booking::reason(form.reason).map_err(|m| format!("reason: {m}"))?;
    Ok((uids, reason))
}

/// `POST /bookings/cancel`: cancels each selected booking through the cancel use case, each in
/// its own transaction. All done: back to the list; otherwise a page saying which failed.
async fn bulk_cancel(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: ConsoleForm<BulkForm>,
) -> PageResult {
    let ConsoleForm { who, form } = form;
    let frame = Frame::new(&req, &who, Section::Bookings);
    let back = safe_back(form.back.as_deref());
    let (uids, reason) = match read_bulk(frame.lang, form) {
        Ok(read) => read,
        Err(problem) => return outcome_page(frame, back, Vec::new(), Some(problem)),
    };
    let outcomes = {
        let (state, user, lang) = (state.clone(), who.user.clone(), frame.lang);
        detach(async move { cancel_each(&state, lang, &user, uids, reason).await }).await?
    };
    if outcomes.iter().all(|o| o.error.is_none()) {
        let sep = if back.contains('?') { '&' } else { '?' };
        let done = outcomes.len();
        return Err(PageError::redirect(format!("{back}{sep}cancelled={done}")));
    }
    outcome_page(frame, back, outcomes, None)
}

/// What became of each booking of a bulk cancel (200 if any was cancelled, else 400), or why
/// none was tried.
fn outcome_page(
    frame: Frame,
    back: String,
    outcomes: Vec<Outcome>,
    problem: Option<String>,
) -> PageResult {
    let Frame { lang, chrome, nav } = frame;
    let status = if outcomes.iter().any(|o| o.error.is_none()) {
        actix_web::http::StatusCode::OK
    } else {
        super::REFUSED
    };
    let mut response = html(OutcomePage {
        chrome,
        nav,
        title: pick(
            lang,
            [
                "Cancelling bookings",
                "Buchungen absagen",
                "Annulation des réservations",
                "Cancelación de reservas",
            ],
        ),
        booking: pick(lang, ["Booking", "Buchung", "Réservation", "Reserva"]),
        done: pick(lang, ["Cancelled", "Abgesagt", "Annulée", "Cancelada"]),
        failed: pick(
            lang,
            [
                "Not cancelled",
                "Nicht abgesagt",
                "Non annulée",
                "No cancelada",
            ],
        ),
        back_label: pick(
            lang,
            [
                "Back to the list",
                "Zurück zur Liste",
                "Retour à la liste",
                "Volver a la lista",
            ],
        ),
        back,
        outcomes,
        error: problem,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

// ---- CSV export ----

const CSV_HEADER: [&str; 12] = [
    "uid",
    "title",
    "status",
    "start",
    "end",
    "time zone",
    "event type",
    "hosts",
    "attendees",
    "attendee emails",
    "location",
    "created (UTC)",
];

fn csv_row(view: &BookingView, clock: Clock) -> String {
    let r = &view.record;
    let names: Vec<&str> = view.attendees.iter().map(|a| a.name.as_str()).collect();
    let emails: Vec<&str> = view.attendees.iter().map(|a| a.email.as_str()).collect();
    let hosts: Vec<&str> = view.hosts.iter().map(|h| h.name.as_str()).collect();
    csv_line(&[
        r.uid.clone(),
        r.title.clone(),
        r.status.lower().to_owned(),
        clock.plain(r.start_at),
        clock.plain(r.end_at),
        clock.tz.name().to_owned(),
        view.event_slug.clone().unwrap_or_default(),
        hosts.join("; "),
        names.join("; "),
        emails.join("; "),
        r.location.clone().unwrap_or_default(),
        r.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    ])
}

/// Where an export is: the filter (its keyset cursor at the last row sent), whether the header
/// went out, and whether it has ended.
struct Export {
    state: web::Data<AppState>,
    filter: ListFilter,
    clock: Clock,
    header: bool,
    done: bool,
}

impl Export {
    /// Ends the export with an error: the client sees a cut-off download, never a
    /// complete-looking one.
    fn failed(
        mut self,
        cause: &dyn std::fmt::Display,
    ) -> (Result<web::Bytes, actix_web::Error>, Export) {
        tracing::error!(error = %cause, "booking export failed");
        self.done = true;
        let error = actix_web::error::ErrorInternalServerError("export failed");
        (Err(error), self)
    }
}

/// The next chunk of an export: the header first, then `CHUNK` rows at a time.
async fn next_chunk(mut export: Export) -> Option<(Result<web::Bytes, actix_web::Error>, Export)> {
    if export.done {
        return None;
    }
    if !export.header {
        export.header = true;
        let header: Vec<String> = CSV_HEADER.iter().map(|h| (*h).to_owned()).collect();
        return Some((Ok(web::Bytes::from(csv_line(&header))), export));
    }
    let (db, filter) = (export.state.db.clone(), export.filter.clone());
    let read = detached(async move { booking::page(&db, filter).await }).await;
    let rows = match read {
        Ok(Ok(rows)) => rows,
        Ok(Err(e)) => return Some(export.failed(&e)),
        Err(e) => return Some(export.failed(&e)),
    };
    export.done = (rows.len() as i64) < CHUNK;
    if let (Some(keyset), Some(last)) = (export.filter.keyset.as_mut(), rows.last()) {
        keyset.after = Some((last.record.start_at, last.record.id));
    }
    let text: String = rows.iter().map(|v| csv_row(v, export.clock)).collect();
    Some((Ok(web::Bytes::from(text)), export))
}

/// `GET /bookings/export.csv?tab=…&…`: every booking of the filtered list (all bookings the
/// user may see without `tab`), streamed in chunks of `CHUNK` keyset rows.
async fn export(req: HttpRequest, state: web::Data<AppState>, who: SignedIn) -> PageResult {
    let lang = super::session::lang_of(&req, Some(&who));
    let query = query_of(&req, lang)?;
    let tab = match query.tab.trim() {
        "" => None,
        name => Some(Tab::parse(name).ok_or_else(|| {
            PageError::bad_request(lang, &format!("tab: `{name}` is not a list of bookings"))
        })?),
    };
    let chosen = Chosen::read(&query, tab)
        .map_err(|e| PageError::bad_request(lang, &format!("{}: {}", e.field, e.message)))?;
    let clock = Clock::of(&who.user, lang);
    let mut filter = chosen.filter(&who.user, tab, clock.tz, Utc::now());
    filter.keyset = Some(Keyset {
        descending: tab.is_some_and(Tab::newest_first),
        after: None,
    });
    filter.take = CHUNK;
    let start = Export {
        state,
        filter,
        clock,
        header: false,
        done: false,
    };
    let body = futures_util::stream::unfold(start, next_chunk);
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((CONTENT_DISPOSITION, "attachment; filename=\"bookings.csv\""))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .streaming(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back() {
        assert_eq!(
            read_cursor("1800000000.42"),
            Some((DateTime::from_timestamp(1_800_000_000, 0).unwrap(), 42))
        );
        assert_eq!(read_cursor("x.1"), None);
        assert_eq!(read_cursor("12"), None);
    }

    #[test]
    fn bulk_cancel_returns_only_to_a_bookings_list() {
        assert_eq!(safe_back(Some("/bookings/past?q=a")), "/bookings/past?q=a");
        assert_eq!(
            safe_back(Some("https://evil.example/")),
            "/bookings/upcoming"
        );
        assert_eq!(
            safe_back(Some("/bookings//evil.example")),
            "/bookings/upcoming"
        );
        assert_eq!(safe_back(None), "/bookings/upcoming");
    }
}
