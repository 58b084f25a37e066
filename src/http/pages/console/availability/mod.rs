//! `/availability`: the signed-in user's schedules (weekly hours, date overrides, time zone)
//! and out-of-office periods. Every action calls `crate::schedules` or `crate::out_of_office`,
//! the use cases `/v2/schedules` calls too; these modules read forms and lay out pages.
//! `editor` is one schedule's page, `out_of_office` the periods away; this module the list.

mod editor;
mod out_of_office;
mod overrides;
mod patterns;
mod words;

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{NaiveTime, Weekday};
use serde::Deserialize;

use super::session::ConsoleForm;
use super::{Frame, Nav, REFUSED, Section, call, detach, pick, status_of};
use crate::domain::TimeZoneName;
use crate::http::AppState;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult};
use crate::schedules::{self, NewSchedule, Schedule, ScheduleChanges, WeeklyRule};
use crate::service::ServiceError;
use crate::sessions::SignedIn;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/availability")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .route(
        "/availability/{id:\\d+}/default",
        web::post().to(make_default),
    )
    .route("/availability/{id:\\d+}/delete", web::post().to(delete));
    out_of_office::configure(cfg);
    editor::configure(cfg);
    patterns::configure(cfg);
}

fn respond(page: impl Template, status: StatusCode) -> PageResult {
    let body = page
        .render()
        .map_err(|e| PageError::internal(&e.to_string()))?;
    Ok(HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body))
}

fn see_other(location: String) -> PageResult {
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, location))
        .finish())
}

fn twelve_hour(who: &SignedIn) -> bool {
    who.user.time_format == 12
}

/// A time of day for people: 12 or 24 hour; 1440 is the midnight that ends the day.
fn time_label(lang: Lang, twelve: bool, minute: i32) -> String {
    if minute >= 1440 {
        return if twelve { "12:00am" } else { "24:00" }.to_owned();
    }
    let minute = minute.max(0) as u32;
    let time = NaiveTime::from_num_seconds_from_midnight_opt(minute * 60, 0).unwrap_or_default();
    lang.time(time, twelve)
}

fn hours_label(lang: Lang, twelve: bool, ranges: &[(i32, i32)]) -> String {
    let labels: Vec<String> = ranges
        .iter()
        .map(|&(s, e)| {
            format!(
                "{}–{}",
                time_label(lang, twelve, s),
                time_label(lang, twelve, e)
            )
        })
        .collect();
    labels.join(", ")
}

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// One line for weekly hours: runs of days with the same hours, "Mon–Fri 09:00–17:00".
fn summary(lang: Lang, twelve: bool, rules: &[WeeklyRule], none: &str) -> String {
    let week = schedules::week_of(rules);
    let mut parts = Vec::new();
    let mut day = 0;
    while day < 7 {
        let mut last = day;
        while last + 1 < 7 && week[last + 1] == week[day] {
            last += 1;
        }
        if !week[day].is_empty() {
            let days = match last - day {
                0 => lang.weekday_short(WEEK[day]),
                _ => format!(
                    "{}–{}",
                    lang.weekday_short(WEEK[day]),
                    lang.weekday_short(WEEK[last])
                ),
            };
            parts.push(format!("{days} {}", hours_label(lang, twelve, &week[day])));
        }
        day = last + 1;
    }
    if parts.is_empty() {
        none.to_owned()
    } else {
        parts.join("; ")
    }
}

/// The tabs above both availability pages.
pub struct Tab {
    href: &'static str,
    label: &'static str,
    current: bool,
}

fn tabs(lang: Lang, out_of_office: bool) -> Vec<Tab> {
    vec![
        Tab {
            href: "/availability",
            label: pick(lang, ["Schedules", "Zeitpläne", "Plannings", "Horarios"]),
            current: !out_of_office,
        },
        Tab {
            href: "/availability/out-of-office",
            label: pick(
                lang,
                [
                    "Out of office",
                    "Abwesenheit",
                    "Absence",
                    "Fuera de la oficina",
                ],
            ),
            current: out_of_office,
        },
    ]
}

/// The time zone field's message for an unknown name.
fn zone_error(lang: Lang) -> String {
    pick(
        lang,
        [
            "Unknown time zone; use an IANA name such as Europe/Berlin.",
            "Unbekannte Zeitzone; nutzen Sie einen IANA-Namen wie Europe/Berlin.",
            "Fuseau horaire inconnu ; utilisez un nom IANA comme Europe/Paris.",
            "Zona horaria desconocida; use un nombre IANA como Europe/Madrid.",
        ],
    )
    .to_owned()
}

fn name_error(lang: Lang) -> String {
    pick(
        lang,
        [
            "Give the schedule a name of 1 to 100 characters.",
            "Geben Sie dem Zeitplan einen Namen mit 1 bis 100 Zeichen.",
            "Donnez au planning un nom de 1 à 100 caractères.",
            "Dé al horario un nombre de 1 a 100 caracteres.",
        ],
    )
    .to_owned()
}

struct ListWords {
    title: &'static str,
    lead: &'static str,
    default: &'static str,
    make_default: &'static str,
    delete: &'static str,
    confirm_delete: &'static str,
    none: &'static str,
    no_hours: &'static str,
    create: &'static str,
    name: &'static str,
    zone: &'static str,
    add: &'static str,
    keep_default: &'static str,
    restricts: &'static str,
}

fn list_words(lang: Lang) -> ListWords {
    ListWords {
        title: pick(
            lang,
            [
                "Availability",
                "Verfügbarkeit",
                "Disponibilités",
                "Disponibilidad",
            ],
        ),
        lead: pick(
            lang,
            [
                "Your schedules say when you can be booked. Event types use the default one unless they name another.",
                "Ihre Zeitpläne legen fest, wann man Sie buchen kann. Ereignistypen nutzen den Standard, sofern sie keinen anderen nennen.",
                "Vos plannings disent quand on peut vous réserver. Les types d’événements utilisent celui par défaut, sauf s’ils en nomment un autre.",
                "Sus horarios indican cuándo se le puede reservar. Los tipos de evento usan el predeterminado salvo que indiquen otro.",
            ],
        ),
        default: pick(
            lang,
            ["Default", "Standard", "Par défaut", "Predeterminado"],
        ),
        make_default: pick(
            lang,
            [
                "Set as default",
                "Als Standard festlegen",
                "Définir par défaut",
                "Establecer como predeterminado",
            ],
        ),
        delete: pick(lang, ["Delete", "Löschen", "Supprimer", "Eliminar"]),
        confirm_delete: pick(
            lang,
            [
                "Delete this schedule?",
                "Diesen Zeitplan löschen?",
                "Supprimer ce planning ?",
                "¿Eliminar este horario?",
            ],
        ),
        none: pick(
            lang,
            [
                "No schedules yet.",
                "Noch keine Zeitpläne.",
                "Aucun planning pour l’instant.",
                "Aún no hay horarios.",
            ],
        ),
        no_hours: pick(
            lang,
            [
                "No weekly hours",
                "Keine Wochenzeiten",
                "Aucune heure hebdomadaire",
                "Sin horas semanales",
            ],
        ),
        create: pick(
            lang,
            [
                "New schedule",
                "Neuer Zeitplan",
                "Nouveau planning",
                "Nuevo horario",
            ],
        ),
        name: pick(lang, ["Name", "Name", "Nom", "Nombre"]),
        zone: pick(
            lang,
            ["Time zone", "Zeitzone", "Fuseau horaire", "Zona horaria"],
        ),
        add: pick(lang, ["Create", "Anlegen", "Créer", "Crear"]),
        keep_default: pick(
            lang,
            [
                "This is your default schedule. Make another schedule the default before you delete it.",
                "Dies ist Ihr Standard-Zeitplan. Legen Sie einen anderen als Standard fest, bevor Sie ihn löschen.",
                "C’est votre planning par défaut. Définissez-en un autre par défaut avant de le supprimer.",
                "Este es su horario predeterminado. Establezca otro como predeterminado antes de eliminarlo.",
            ],
        ),
        restricts: pick(
            lang,
            [
                "Event types use this schedule to restrict their times. Remove it from them before you delete it.",
                "Ereignistypen schränken ihre Zeiten mit diesem Zeitplan ein. Entfernen Sie ihn dort, bevor Sie ihn löschen.",
                "Des types d’événements limitent leurs horaires avec ce planning. Retirez-le d’eux avant de le supprimer.",
                "Hay tipos de evento que restringen sus horas con este horario. Quíteselo antes de eliminarlo.",
            ],
        ),
    }
}

struct Row {
    id: i64,
    name: String,
    zone: String,
    is_default: bool,
    summary: String,
}

#[derive(Template)]
#[template(path = "console/availability.html")]
struct ListPage {
    chrome: Chrome,
    nav: Nav,
    words: ListWords,
    tabs: Vec<Tab>,
    rows: Vec<Row>,
    error: Option<String>,
    new_name: String,
    new_zone: String,
    name_error: Option<String>,
    zone_error: Option<String>,
    zones: &'static [chrono_tz::Tz],
}

/// What the create form held, and what went wrong with it or with an action on a row.
#[derive(Default)]
struct ListState {
    error: Option<String>,
    new_name: String,
    new_zone: Option<String>,
    name_error: Option<String>,
    zone_error: Option<String>,
}

async fn list_page(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    who: &SignedIn,
    shown: ListState,
    status: StatusCode,
) -> PageResult {
    let Frame { lang, chrome, nav } = Frame::new(req, who, Section::Availability);
    let words = list_words(lang);
    let (db, owner) = (state.db.clone(), who.user.id);
    let all: Vec<Schedule> = call(lang, async move { schedules::list(&db, owner).await }).await?;
    let twelve = twelve_hour(who);
    let rows = all
        .iter()
        .map(|s| Row {
            id: s.id,
            name: s.name.clone(),
            zone: s.time_zone.clone(),
            is_default: s.is_default,
            summary: summary(lang, twelve, &s.rules, words.no_hours),
        })
        .collect();
    let page = ListPage {
        chrome,
        nav,
        tabs: tabs(lang, false),
        words,
        rows,
        error: shown.error,
        new_name: shown.new_name,
        new_zone: shown.new_zone.unwrap_or_else(|| who.user.time_zone.clone()),
        name_error: shown.name_error,
        zone_error: shown.zone_error,
        zones: &chrono_tz::TZ_VARIANTS,
    };
    respond(page, status)
}

async fn list(req: HttpRequest, state: web::Data<AppState>, who: SignedIn) -> PageResult {
    list_page(&req, &state, &who, ListState::default(), StatusCode::OK).await
}

#[derive(Deserialize)]
struct CreateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    time_zone: String,
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: ConsoleForm<CreateForm>,
) -> PageResult {
    let ConsoleForm { who, form } = form;
    let lang = super::session::lang_of(&req, Some(&who));
    let mut shown = ListState {
        new_name: form.name.clone(),
        new_zone: Some(form.time_zone.clone()),
        ..ListState::default()
    };
    if schedules::check_name(&form.name).is_err() {
        shown.name_error = Some(name_error(lang));
    }
    let zone = TimeZoneName::parse(&form.time_zone).ok();
    if zone.is_none() {
        shown.zone_error = Some(zone_error(lang));
    }
    let (Some(zone), None) = (zone, &shown.name_error) else {
        return list_page(&req, &state, &who, shown, REFUSED).await;
    };
    let (db, owner) = (state.db.clone(), who.user.id);
    let new = NewSchedule {
        name: form.name,
        time_zone: zone,
        rules: None,
        overrides: Vec::new(),
        is_default: false,
    };
    let created = call(
        lang,
        async move { schedules::create(&db, owner, new).await },
    )
    .await?;
    see_other(format!("/availability/{}", created.id))
}

#[derive(Deserialize)]
struct NoFields {}

async fn make_default(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: ConsoleForm<NoFields>,
) -> PageResult {
    let lang = super::session::lang_of(&req, Some(&form.who));
    let (db, owner, id) = (state.db.clone(), form.who.user.id, id.into_inner());
    let changes = ScheduleChanges {
        is_default: Some(true),
        ..ScheduleChanges::default()
    };
    call(lang, async move {
        schedules::update(&db, owner, id, changes).await
    })
    .await?;
    see_other("/availability".to_owned())
}

async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: ConsoleForm<NoFields>,
) -> PageResult {
    let who = form.who;
    let lang = super::session::lang_of(&req, Some(&who));
    let (db, owner, id) = (state.db.clone(), who.user.id, id.into_inner());
    match detach(async move { schedules::delete(&db, owner, id).await }).await? {
        Ok(()) => see_other("/availability".to_owned()),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let words = list_words(lang);
            let message = match e {
                ServiceError::Conflict(_) => words.restricts,
                _ => words.keep_default,
            };
            let shown = ListState {
                error: Some(message.to_owned()),
                ..ListState::default()
            };
            list_page(&req, &state, &who, shown, status_of(&e)).await
        }
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}
