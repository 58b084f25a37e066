//! `/settings/security`: change the password (`sessions::change_password`: the user's other
//! sessions end), see where the user is signed in (`sessions::list`) and sign out everywhere
//! (the form posts to `/auth/logout-everywhere`).

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::session::{ConsoleForm, lang_of};
use super::settings::{Input, SavedQuery, Tabs, field_error, local_time, own_tabs, with_status};
use super::{Frame, Nav, Section, pick};
use crate::http::AppState;
use crate::http::pages::console::detach;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult};
use crate::service::ServiceError;
use crate::sessions::{self, SignedIn};

const PATH: &str = "/settings/security";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(PATH, web::get().to(page))
        .route("/settings/security/password", web::post().to(change));
}

struct Words {
    title: &'static str,
    password: &'static str,
    password_lead: &'static str,
    current: &'static str,
    new: &'static str,
    change: &'static str,
    changed: &'static str,
    sessions: &'static str,
    created: &'static str,
    last_seen: &'static str,
    device: &'static str,
    this_device: &'static str,
    unknown_device: &'static str,
    everywhere: &'static str,
    everywhere_lead: &'static str,
}

fn words(lang: Lang) -> Words {
    Words {
        title: pick(lang, ["Security", "Sicherheit", "Sécurité", "Seguridad"]),
        password: pick(lang, ["Password", "Passwort", "Mot de passe", "Contraseña"]),
        password_lead: pick(
            lang,
            [
                "Changing it signs you out on every other device.",
                "Eine Änderung meldet dich auf allen anderen Geräten ab.",
                "Le changer vous déconnecte sur tous les autres appareils.",
                "Cambiarla cierra tu sesión en todos los demás dispositivos.",
            ],
        ),
        current: pick(
            lang,
            [
                "Current password",
                "Aktuelles Passwort",
                "Mot de passe actuel",
                "Contraseña actual",
            ],
        ),
        new: pick(
            lang,
            [
                "New password (at least 8 characters)",
                "Neues Passwort (mindestens 8 Zeichen)",
                "Nouveau mot de passe (8 caractères au moins)",
                "Nueva contraseña (al menos 8 caracteres)",
            ],
        ),
        change: pick(
            lang,
            [
                "Change password",
                "Passwort ändern",
                "Changer le mot de passe",
                "Cambiar contraseña",
            ],
        ),
        changed: pick(
            lang,
            [
                "Your password is changed; your other sessions have ended.",
                "Dein Passwort ist geändert; deine anderen Sitzungen sind beendet.",
                "Votre mot de passe est changé ; vos autres sessions sont terminées.",
                "Tu contraseña ha cambiado; tus otras sesiones se han cerrado.",
            ],
        ),
        sessions: pick(
            lang,
            [
                "Where you are signed in",
                "Wo du angemeldet bist",
                "Où vous êtes connecté",
                "Dónde has iniciado sesión",
            ],
        ),
        created: pick(
            lang,
            ["Signed in", "Angemeldet", "Connexion", "Inicio de sesión"],
        ),
        last_seen: pick(
            lang,
            [
                "Last active",
                "Zuletzt aktiv",
                "Dernière activité",
                "Última actividad",
            ],
        ),
        device: pick(lang, ["Browser", "Browser", "Navigateur", "Navegador"]),
        this_device: pick(
            lang,
            [
                "This device",
                "Dieses Gerät",
                "Cet appareil",
                "Este dispositivo",
            ],
        ),
        unknown_device: pick(lang, ["Unknown", "Unbekannt", "Inconnu", "Desconocido"]),
        everywhere: pick(
            lang,
            [
                "Sign out everywhere",
                "Überall abmelden",
                "Se déconnecter partout",
                "Cerrar sesión en todas partes",
            ],
        ),
        everywhere_lead: pick(
            lang,
            [
                "Ends every session above, this one included.",
                "Beendet alle Sitzungen oben, auch diese.",
                "Termine toutes les sessions ci-dessus, y compris celle-ci.",
                "Cierra todas las sesiones anteriores, incluida esta.",
            ],
        ),
    }
}

struct SessionRow {
    created: String,
    last_seen: String,
    agent: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "console/security.html")]
struct SecurityPage {
    chrome: Chrome,
    nav: Nav,
    tabs: Tabs,
    words: Words,
    notice: Option<&'static str>,
    current: Input,
    new: Input,
    alert: Option<String>,
    sessions: Vec<SessionRow>,
}

async fn build(
    req: &HttpRequest,
    state: &AppState,
    who: &SignedIn,
) -> Result<SecurityPage, PageError> {
    let Frame { lang, chrome, nav } = Frame::new(req, who, Section::Settings);
    let (db, settings, id) = (state.db.clone(), state.sessions.clone(), who.user.id);
    let found = detach(async move { sessions::list(&db, &settings, id, Utc::now()).await })
        .await?
        .map_err(|e| PageError::internal(&e.to_string()))?;
    let words = words(lang);
    let sessions = found
        .iter()
        .map(|s| SessionRow {
            created: local_time(lang, who, s.created_at),
            last_seen: local_time(lang, who, s.last_seen_at),
            agent: if s.user_agent.is_empty() {
                words.unknown_device.to_owned()
            } else {
                s.user_agent.clone()
            },
            current: s.id == who.session_id,
        })
        .collect();
    Ok(SecurityPage {
        chrome,
        nav,
        tabs: own_tabs(lang, PATH),
        words,
        notice: None,
        current: Input::default(),
        new: Input::default(),
        alert: None,
        sessions,
    })
}

async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    query: web::Query<SavedQuery>,
) -> PageResult {
    let mut page = build(&req, &state, &who).await?;
    if query.saved.is_some() {
        page.notice = Some(page.words.changed);
    }
    with_status(page, StatusCode::OK)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn change(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: ConsoleForm<PasswordForm>,
) -> PageResult {
    let ConsoleForm { who, form } = form;
    let (db, signed_in) = (state.db.clone(), who.clone());
    let outcome = detach(async move {
        sessions::change_password(&db, &signed_in, &form.current_password, &form.new_password).await
    })
    .await?;
    let message = match outcome {
        Ok(()) => {
            return Ok(HttpResponse::SeeOther()
                .insert_header((LOCATION, format!("{PATH}?saved=1")))
                .finish());
        }
        Err(ServiceError::Invalid(m)) => m,
        Err(other) => return Err(PageError::from_service(lang_of(&req, Some(&who)), other)),
    };
    let mut page = build(&req, &state, &who).await?;
    match field_error(&message, &["currentPassword", "password"]) {
        (Some(f), m) if f == "currentPassword" => page.current.error = Some(m),
        (Some(_), m) => page.new.error = Some(m),
        (None, m) => page.alert = Some(m),
    }
    with_status(page, super::REFUSED)
}
