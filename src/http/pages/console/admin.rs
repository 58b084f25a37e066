//! `/settings/admin`: the instance admin's overview of how this Kairos is set up (database,
//! email, calendar apps, workers, sign-up, version) and whether the database answers. Only for
//! admins: `accounts::admin::overview` refuses everyone else, who are told there is no such
//! page (404).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;

use super::settings::{Tabs, admin_error, admin_tabs, with_status};
use super::{Frame, Nav, Section, pick};
use crate::accounts::admin::{self, Overview};
use crate::http::AppState;
use crate::http::pages::console::detach;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageResult};
use crate::sessions::SignedIn;
use crate::storage::Backend;

const PATH: &str = "/settings/admin";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(PATH, web::get().to(page));
}

struct Words {
    title: &'static str,
    setup: &'static str,
    on: &'static str,
    off: &'static str,
}

fn words(lang: Lang) -> Words {
    Words {
        title: pick(
            lang,
            [
                "Administration",
                "Verwaltung",
                "Administration",
                "Administración",
            ],
        ),
        setup: pick(
            lang,
            [
                "This instance",
                "Diese Instanz",
                "Cette instance",
                "Esta instancia",
            ],
        ),
        on: pick(lang, ["on", "an", "activé", "activado"]),
        off: pick(lang, ["off", "aus", "désactivé", "desactivado"]),
    }
}

/// One line of the overview: what, and how it stands.
struct Fact {
    label: &'static str,
    value: String,
    /// Something an admin should look at.
    warn: bool,
}

#[derive(Template)]
#[template(path = "console/admin.html")]
struct AdminPage {
    chrome: Chrome,
    nav: Nav,
    tabs: Tabs,
    words: Words,
    facts: Vec<Fact>,
}

fn on_off(words: &Words, on: bool) -> String {
    if on { words.on } else { words.off }.to_owned()
}

fn facts(lang: Lang, words: &Words, o: &Overview) -> Vec<Fact> {
    let fact = |label: [&'static str; 4], value: String, warn: bool| Fact {
        label: pick(lang, label),
        value,
        warn,
    };
    let s = &o.setup;
    let backend = match o.backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    let health = if o.database_reachable {
        pick(lang, ["reachable", "erreichbar", "joignable", "accesible"])
    } else {
        pick(
            lang,
            [
                "NOT reachable",
                "NICHT erreichbar",
                "INJOIGNABLE",
                "NO accesible",
            ],
        )
    };
    let workers = format!(
        "HTTP {} · webhooks {} · email {} · {} {}",
        s.http_workers,
        on_off(words, s.webhook_worker),
        on_off(words, s.email_worker),
        pick(
            lang,
            ["calendars", "Kalender", "calendriers", "calendarios"]
        ),
        on_off(words, s.calendar_worker),
    );
    vec![
        fact(
            ["Database", "Datenbank", "Base de données", "Base de datos"],
            backend.to_owned(),
            false,
        ),
        fact(
            ["Health", "Zustand", "État", "Estado"],
            health.to_owned(),
            !o.database_reachable,
        ),
        fact(
            [
                "Email (SMTP)",
                "E-Mail (SMTP)",
                "E-mail (SMTP)",
                "Correo (SMTP)",
            ],
            on_off(words, s.email),
            !s.email,
        ),
        fact(
            [
                "Google Calendar app",
                "Google-Kalender-App",
                "Application Google Agenda",
                "Aplicación de Google Calendar",
            ],
            on_off(words, s.google_calendar),
            false,
        ),
        fact(
            [
                "Microsoft calendar app",
                "Microsoft-Kalender-App",
                "Application d’agenda Microsoft",
                "Aplicación de calendario de Microsoft",
            ],
            on_off(words, s.microsoft_calendar),
            false,
        ),
        fact(["Workers", "Worker", "Workers", "Procesos"], workers, false),
        fact(
            [
                "Self-service sign-up",
                "Selbstregistrierung",
                "Inscription libre",
                "Registro abierto",
            ],
            on_off(words, s.signup),
            false,
        ),
        fact(
            ["Version", "Version", "Version", "Versión"],
            o.version.to_owned(),
            false,
        ),
    ]
}

async fn page(req: HttpRequest, state: web::Data<AppState>, who: SignedIn) -> PageResult {
    let Frame { lang, chrome, nav } = Frame::new(&req, &who, Section::Admin);
    let (db, user, setup) = (state.db.clone(), who.user.clone(), state.setup.clone());
    let overview = detach(async move { admin::overview(&db, &user, &setup).await })
        .await?
        .map_err(|e| admin_error(lang, e))?;
    let words = words(lang);
    let facts = facts(lang, &words, &overview);
    let page = AdminPage {
        chrome,
        nav,
        tabs: admin_tabs(lang, PATH),
        words,
        facts,
    };
    with_status(page, StatusCode::OK)
}
