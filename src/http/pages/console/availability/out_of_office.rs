//! `/availability/out-of-office`: periods away. Whole days in the user's time zone on which none
//! of their event types offers times (`crate::out_of_office`; the engine reads these periods and
//! leaves the user out as a host), listed a page at a time, each with a remove button.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;
use chrono::{Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use super::{
    ConsoleForm, Frame, Nav, REFUSED, Section, Tab, call, detach, pick, respond, see_other, tabs,
};
use crate::availability::local_time::local_date;
use crate::domain::TimeZoneName;
use crate::http::AppState;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult, QueryState};
use crate::out_of_office::{self, OutOfOffice};
use crate::service::ServiceError;
use crate::sessions::SignedIn;

const PATH: &str = "/availability/out-of-office";
const PAGE_SIZE: u32 = 20;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(PATH)
            .route(web::get().to(show))
            .route(web::post().to(create)),
    )
    .route(
        "/availability/out-of-office/{id:\\d+}/delete",
        web::post().to(delete),
    );
}

struct Words {
    title: &'static str,
    lead: &'static str,
    zone: &'static str,
    from: &'static str,
    to: &'static str,
    note: &'static str,
    add: &'static str,
    list: &'static str,
    none: &'static str,
    remove: &'static str,
    earlier: &'static str,
    later: &'static str,
    bad_date: &'static str,
    past: &'static str,
}

fn words(lang: Lang) -> Words {
    Words {
        title: pick(
            lang,
            [
                "Out of office",
                "Abwesenheit",
                "Absence",
                "Fuera de la oficina",
            ],
        ),
        lead: pick(
            lang,
            [
                "While you are out of office, none of your event types offers times, whatever schedule it uses: from the start of the first day to the end of the last day in your time zone. Bookings already made stay; cancel or move them yourself.",
                "Während Ihrer Abwesenheit bietet keiner Ihrer Ereignistypen Zeiten an, gleich welchen Zeitplan er nutzt: vom Beginn des ersten bis zum Ende des letzten Tages in Ihrer Zeitzone. Bestehende Buchungen bleiben; sagen Sie sie selbst ab oder verschieben Sie sie.",
                "Pendant votre absence, aucun de vos types d’événements ne propose d’horaires, quel que soit son planning : du début du premier jour à la fin du dernier jour dans votre fuseau horaire. Les réservations déjà faites restent ; annulez-les ou déplacez-les vous-même.",
                "Mientras esté fuera de la oficina, ninguno de sus tipos de evento ofrece horas, use el horario que use: desde el inicio del primer día hasta el final del último en su zona horaria. Las reservas ya hechas se mantienen; cancélelas o muévalas usted.",
            ],
        ),
        zone: pick(
            lang,
            [
                "Your time zone",
                "Ihre Zeitzone",
                "Votre fuseau horaire",
                "Su zona horaria",
            ],
        ),
        from: pick(
            lang,
            ["First day", "Erster Tag", "Premier jour", "Primer día"],
        ),
        to: pick(
            lang,
            ["Last day", "Letzter Tag", "Dernier jour", "Último día"],
        ),
        note: pick(
            lang,
            [
                "Note (optional)",
                "Notiz (optional)",
                "Note (facultative)",
                "Nota (opcional)",
            ],
        ),
        add: pick(lang, ["Add", "Hinzufügen", "Ajouter", "Añadir"]),
        list: pick(
            lang,
            [
                "Current and upcoming",
                "Aktuell und kommend",
                "En cours et à venir",
                "Actuales y próximas",
            ],
        ),
        none: pick(
            lang,
            [
                "No periods away ahead.",
                "Keine kommenden Abwesenheiten.",
                "Aucune absence à venir.",
                "No hay ausencias próximas.",
            ],
        ),
        remove: pick(lang, ["Remove", "Entfernen", "Retirer", "Quitar"]),
        earlier: pick(lang, ["Earlier", "Früher", "Précédentes", "Anteriores"]),
        later: pick(lang, ["Later", "Später", "Suivantes", "Siguientes"]),
        bad_date: pick(
            lang,
            [
                "Pick a date like 2030-03-04.",
                "Wählen Sie ein Datum wie 2030-03-04.",
                "Choisissez une date comme 2030-03-04.",
                "Elija una fecha como 2030-03-04.",
            ],
        ),
        past: pick(
            lang,
            [
                "This period is already over.",
                "Dieser Zeitraum ist schon vorbei.",
                "Cette période est déjà passée.",
                "Este periodo ya ha pasado.",
            ],
        ),
    }
}

struct Row {
    id: i64,
    dates: String,
    note: String,
}

#[derive(Template)]
#[template(path = "console/availability_ooo.html")]
struct OooPage {
    chrome: Chrome,
    nav: Nav,
    words: Words,
    tabs: Vec<Tab>,
    zone: String,
    rows: Vec<Row>,
    prev: Option<String>,
    next: Option<String>,
    form: Kept,
}

/// The create form as shown or as sent, with a message per refused field.
#[derive(Default)]
struct Kept {
    from: String,
    to: String,
    note: String,
    from_error: Option<String>,
    to_error: Option<String>,
    note_error: Option<String>,
}

fn zone_of(who: &SignedIn) -> TimeZoneName {
    TimeZoneName::parse(&who.user.time_zone).unwrap_or(TimeZoneName::UTC)
}

fn row(lang: Lang, tz: Tz, period: &OutOfOffice) -> Row {
    let first = local_date(tz, period.start.timestamp());
    let last = local_date(tz, (period.end - Duration::seconds(1)).timestamp());
    let dates = if first == last {
        lang.long_date(first)
    } else {
        format!("{} – {}", lang.long_date(first), lang.long_date(last))
    };
    Row {
        id: period.id,
        dates,
        note: period.notes.clone().unwrap_or_default(),
    }
}

async fn page(
    req: &HttpRequest,
    state: &AppState,
    who: &SignedIn,
    form: Kept,
    status: StatusCode,
) -> PageResult {
    let Frame { lang, chrome, nav } = Frame::new(req, who, Section::Availability);
    let query = QueryState::from_request(req);
    let number = query
        .get("page")
        .and_then(|p| p.parse::<u32>().ok())
        .filter(|p| (1..=10_000).contains(p))
        .unwrap_or(1);
    let (db, owner) = (state.db.clone(), who.user.id);
    let skip = (number - 1) * PAGE_SIZE;
    let mut found = call(lang, async move {
        out_of_office::upcoming(&db, owner, Utc::now(), skip, PAGE_SIZE + 1).await
    })
    .await?;
    let more = found.len() > PAGE_SIZE as usize;
    found.truncate(PAGE_SIZE as usize);
    let zone = zone_of(who);
    let href = |n: u32| format!("{PATH}?page={n}");
    respond(
        OooPage {
            chrome,
            nav,
            tabs: tabs(lang, true),
            zone: zone.as_str().to_owned(),
            rows: found.iter().map(|p| row(lang, zone.tz(), p)).collect(),
            prev: (number > 1).then(|| href(number - 1)),
            next: more.then(|| href(number + 1)),
            words: words(lang),
            form,
        },
        status,
    )
}

async fn show(req: HttpRequest, state: web::Data<AppState>, who: SignedIn) -> PageResult {
    page(&req, &state, &who, Kept::default(), StatusCode::OK).await
}

#[derive(Deserialize)]
struct CreateForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    note: String,
}

fn parse_date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: ConsoleForm<CreateForm>,
) -> PageResult {
    let (who, f) = (form.who, form.form);
    let lang = super::super::session::lang_of(&req, Some(&who));
    let w = words(lang);
    let zone = zone_of(&who);
    let mut kept = Kept {
        from: f.from.trim().to_owned(),
        to: f.to.trim().to_owned(),
        note: f.note.clone(),
        ..Kept::default()
    };
    let today = Utc::now().with_timezone(&zone.tz()).date_naive();
    let from = parse_date(&f.from);
    let to = parse_date(&f.to);
    kept.from_error = from.is_none().then(|| w.bad_date.to_owned());
    kept.to_error = match to {
        None => Some(w.bad_date.to_owned()),
        Some(to) if to < today => Some(w.past.to_owned()),
        Some(_) => None,
    };
    if let (Some(from), Some(to), None) = (from, to, &kept.to_error) {
        let (db, owner) = (state.db.clone(), who.user.id);
        let period = out_of_office::Period::days(from, to, zone, &f.note);
        let work = async move { out_of_office::create(&db, owner, &period).await };
        match detach(work).await? {
            Ok(_) => return see_other(PATH.to_owned()),
            Err(ServiceError::Invalid(message)) => place(&mut kept, message),
            Err(e) => return Err(PageError::from_service(lang, e)),
        }
    }
    page(&req, &state, &who, kept, REFUSED).await
}

/// Puts the use case's `field: message` next to its field.
fn place(kept: &mut Kept, message: String) {
    let slot = match message.split(':').next() {
        Some("from") => &mut kept.from_error,
        Some("note") => &mut kept.note_error,
        _ => &mut kept.to_error,
    };
    *slot = Some(message);
}

async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: ConsoleForm<super::NoFields>,
) -> PageResult {
    let lang = super::super::session::lang_of(&req, Some(&form.who));
    let (db, owner, id) = (state.db.clone(), form.who.user.id, id.into_inner());
    call(
        lang,
        async move { out_of_office::delete(&db, owner, id).await },
    )
    .await?;
    see_other(PATH.to_owned())
}
