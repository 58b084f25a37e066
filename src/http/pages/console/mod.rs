//! The console: where hosts and admins sign in and run Kairos from the browser. Server-rendered
//! like the booking pages; each action calls the same use case as the API (no second
//! implementation of a rule). This module owns the routes, the frame every console page shares
//! (navigation, sign-out, language) and the guards in `session`; each page is its own module.

mod admin;
mod admin_users;
mod api_keys;
mod auth;
mod availability;
mod booking_detail;
mod bookings;
mod calendars;
/// How the signed-in user reads instants: the one rule, shared with the emails.
pub mod clock {
    pub use crate::i18n::Clock;
}
mod csv;
mod event_types;
mod insights;
mod notifications;
mod profile;
mod security;
pub mod session;
mod settings;
mod teams;
mod webhooks;
mod workflows;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};

use super::QueryState;
use super::i18n::Lang;
use super::{Chrome, PageError};
use crate::http::detached;
use crate::service::ServiceError;
use crate::sessions::SignedIn;

/// The status of every console form shown again with its refusal (the input kept, the message
/// at its field): 422 Unprocessable Content, the request was read but its input cannot be used.
/// Only a collision with what exists (a taken slug or email) says 409 instead ([`status_of`]).
pub const REFUSED: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

/// The status of a form refused with `error`: 409 for a conflict, else [`REFUSED`].
pub fn status_of(error: &ServiceError) -> StatusCode {
    match error {
        ServiceError::Conflict(_) => StatusCode::CONFLICT,
        _ => REFUSED,
    }
}

/// The status and message a form refused by a use case is shown with, or the page's error when
/// the refusal is not the input's (not found, forbidden, a failure).
pub fn refusal_status(lang: Lang, error: ServiceError) -> Result<(StatusCode, String), PageError> {
    let status = status_of(&error);
    match error {
        ServiceError::Invalid(m) | ServiceError::Unprocessable(m) | ServiceError::Conflict(m) => {
            Ok((status, m))
        }
        other => Err(PageError::from_service(lang, other)),
    }
}

/// The console's routes; registered before the booking pages' `/{username}` routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    auth::configure(cfg);
    availability::configure(cfg);
    event_types::configure(cfg);
    webhooks::configure(cfg);
    workflows::configure(cfg);
    teams::configure(cfg);
    calendars::configure(cfg);
    // The lists and the export before `/bookings/{uid}`.
    bookings::configure(cfg);
    booking_detail::configure(cfg);
    insights::configure(cfg);
    profile::configure(cfg);
    notifications::configure(cfg);
    security::configure(cfg);
    api_keys::configure(cfg);
    admin::configure(cfg);
    admin_users::configure(cfg);
}

/// Where a console page belongs in the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    EventTypes,
    Availability,
    Bookings,
    Teams,
    Insights,
    Calendars,
    Workflows,
    Webhooks,
    Settings,
    Admin,
}

impl Section {
    const ALL: [Section; 10] = [
        Section::EventTypes,
        Section::Availability,
        Section::Bookings,
        Section::Teams,
        Section::Insights,
        Section::Calendars,
        Section::Workflows,
        Section::Webhooks,
        Section::Settings,
        Section::Admin,
    ];

    fn href(self) -> &'static str {
        match self {
            Section::EventTypes => "/event-types",
            Section::Availability => "/availability",
            Section::Bookings => "/bookings/upcoming",
            Section::Teams => "/teams",
            Section::Insights => "/insights",
            Section::Calendars => "/apps/installed/calendar",
            Section::Workflows => "/workflows",
            Section::Webhooks => "/settings/developer/webhooks",
            Section::Settings => "/settings/my-account/profile",
            Section::Admin => "/settings/admin",
        }
    }

    fn label(self, lang: Lang) -> &'static str {
        let words = match self {
            Section::EventTypes => [
                "Event types",
                "Ereignistypen",
                "Types d’événements",
                "Tipos de evento",
            ],
            Section::Availability => [
                "Availability",
                "Verfügbarkeit",
                "Disponibilités",
                "Disponibilidad",
            ],
            Section::Bookings => ["Bookings", "Buchungen", "Réservations", "Reservas"],
            Section::Teams => ["Teams", "Teams", "Équipes", "Equipos"],
            Section::Insights => ["Insights", "Einblicke", "Statistiques", "Estadísticas"],
            Section::Calendars => ["Calendars", "Kalender", "Calendriers", "Calendarios"],
            Section::Workflows => ["Workflows", "Workflows", "Workflows", "Flujos de trabajo"],
            Section::Webhooks => ["Webhooks", "Webhooks", "Webhooks", "Webhooks"],
            Section::Settings => ["Settings", "Einstellungen", "Paramètres", "Configuración"],
            Section::Admin => ["Admin", "Verwaltung", "Administration", "Administración"],
        };
        pick(lang, words)
    }
}

/// Runs a use case off the request's task (see [`detached`]: required on SQLite); what it
/// gives is the page's to word.
pub async fn detach<F>(work: F) -> Result<F::Output, PageError>
where
    F: Future + 'static,
    F::Output: 'static,
{
    detached(work)
        .await
        .map_err(|_| PageError::internal("a console task failed"))
}

/// Runs a use case whose refusal is the whole answer (a 404 page for another user's object).
pub async fn call<T, F>(lang: Lang, work: F) -> Result<T, PageError>
where
    T: 'static,
    F: Future<Output = Result<T, ServiceError>> + 'static,
{
    detach(work)
        .await?
        .map_err(|e| PageError::from_service(lang, e))
}

/// One of four translations, in `Lang::ALL`'s order (en, de, fr, es).
pub fn pick<T: Copy>(lang: Lang, words: [T; 4]) -> T {
    match lang {
        Lang::En => words[0],
        Lang::De => words[1],
        Lang::Fr => words[2],
        Lang::Es => words[3],
    }
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// The frame of a signed-in page: the navigation, who is signed in, the sign-out form's token.
pub struct Nav {
    pub items: Vec<NavItem>,
    pub user_name: String,
    pub csrf: String,
    pub sign_out: &'static str,
    pub skip: &'static str,
    pub menu: &'static str,
}

impl Nav {
    pub fn new(who: &SignedIn, current: Section, lang: Lang) -> Self {
        let items = Section::ALL
            .into_iter()
            .filter(|s| *s != Section::Admin || who.is_admin())
            .map(|s| NavItem {
                href: s.href(),
                label: s.label(lang),
                current: s == current,
            })
            .collect();
        Self {
            items,
            user_name: who.user.name.clone(),
            csrf: who.csrf.clone(),
            sign_out: pick(
                lang,
                ["Sign out", "Abmelden", "Se déconnecter", "Cerrar sesión"],
            ),
            skip: pick(
                lang,
                [
                    "Skip to content",
                    "Zum Inhalt",
                    "Aller au contenu",
                    "Ir al contenido",
                ],
            ),
            menu: pick(lang, ["Console", "Konsole", "Console", "Consola"]),
        }
    }
}

/// What every signed-in page's template gets: the chrome (language, colours) and the frame.
pub struct Frame {
    pub lang: Lang,
    pub chrome: Chrome,
    pub nav: Nav,
}

impl Frame {
    pub fn new(req: &HttpRequest, who: &SignedIn, section: Section) -> Self {
        let lang = session::lang_of(req, Some(who));
        Self {
            lang,
            chrome: Chrome::branded(
                lang,
                &who.user.brand_color,
                &who.user.dark_brand_color,
                &QueryState::default(),
            ),
            nav: Nav::new(who, section, lang),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_console_path_is_a_reserved_username() {
        for section in Section::ALL {
            let first = section
                .href()
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap();
            assert!(
                crate::domain::Username::parse(first).is_err(),
                "{first} must be a reserved username"
            );
        }
    }
}
