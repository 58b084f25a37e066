//! What the settings pages share: their tabs (a person's own settings; the instance admin's),
//! instants shown in the signed-in user's time zone and clock, and a use case's "field: message"
//! error put next to its field; the admin pages' refusals.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use askama::Template;
use chrono::{DateTime, Utc};

use super::pick;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{PageError, PageResult};
use crate::service::ServiceError;
use crate::sessions::SignedIn;

pub struct Tab {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// A row of tabs (`console/settings_tabs.html`) and what the row is called.
pub struct Tabs {
    pub label: &'static str,
    pub items: Vec<Tab>,
}

/// The tabs of a person's own settings, `current` marked.
pub fn own_tabs(lang: Lang, current: &str) -> Tabs {
    let tabs = [
        (
            "/settings/my-account/profile",
            pick(lang, ["Profile", "Profil", "Profil", "Perfil"]),
        ),
        (
            "/settings/my-account/notifications",
            pick(
                lang,
                [
                    "Notifications",
                    "Benachrichtigungen",
                    "Notifications",
                    "Notificaciones",
                ],
            ),
        ),
        (
            "/settings/security",
            pick(lang, ["Security", "Sicherheit", "Sécurité", "Seguridad"]),
        ),
        (
            "/settings/developer/api-keys",
            pick(
                lang,
                ["API keys", "API-Schlüssel", "Clés d’API", "Claves de API"],
            ),
        ),
    ];
    Tabs {
        label: pick(
            lang,
            ["Settings", "Einstellungen", "Paramètres", "Configuración"],
        ),
        items: mark(&tabs, current),
    }
}

/// The tabs of the instance admin's pages.
pub fn admin_tabs(lang: Lang, current: &str) -> Tabs {
    let tabs = [
        (
            "/settings/admin",
            pick(lang, ["Overview", "Übersicht", "Vue d’ensemble", "Resumen"]),
        ),
        (
            "/settings/admin/users",
            pick(lang, ["Users", "Benutzer", "Utilisateurs", "Usuarios"]),
        ),
    ];
    Tabs {
        label: pick(
            lang,
            ["Admin", "Verwaltung", "Administration", "Administración"],
        ),
        items: mark(&tabs, current),
    }
}

fn mark(tabs: &[(&'static str, &'static str)], current: &str) -> Vec<Tab> {
    tabs.iter()
        .map(|(href, label)| Tab {
            href,
            label,
            current: *href == current,
        })
        .collect()
}

/// `at` as the signed-in user reads it: their time zone, their 12 or 24 hour clock.
pub fn local_time(lang: Lang, who: &SignedIn, at: DateTime<Utc>) -> String {
    super::clock::Clock::of(&who.user, lang).at(at)
}

/// A use case's `Invalid`/`Conflict` message ("field: what is wrong") split into the field,
/// when it is one of `fields`, and the message.
pub fn field_error(message: &str, fields: &[&str]) -> (Option<String>, String) {
    match message.split_once(": ") {
        Some((field, rest)) if fields.contains(&field) => (Some(field.to_owned()), rest.to_owned()),
        _ => (None, message.to_owned()),
    }
}

/// `?saved=1`: where a settings form sends the browser once it is saved, to say so.
#[derive(Debug, serde::Deserialize)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

/// One form input as shown again: what was typed, and what is wrong with it.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub value: String,
    pub error: Option<String>,
}

impl Input {
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            error: None,
        }
    }
}

/// A rendered page with `status`: a form shown again with its errors (400, 409), or a page
/// that shows something once (a new API key) and must not be stored.
pub fn with_status<T: Template>(page: T, status: StatusCode) -> PageResult {
    let body = page
        .render()
        .map_err(|e| PageError::internal(&e.to_string()))?;
    Ok(HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body))
}

/// An admin use case's refusal as a page: someone who is not an instance admin is told the
/// page does not exist (404, as for another user's object), anything else as usual.
pub fn admin_error(lang: Lang, error: ServiceError) -> PageError {
    match error {
        ServiceError::Forbidden(_) | ServiceError::Unauthorized(_) => PageError::not_found(lang),
        other => PageError::from_service(lang, other),
    }
}
