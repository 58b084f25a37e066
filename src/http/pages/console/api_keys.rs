//! `/settings/developer/api-keys`: the signed-in user's API keys through
//! `accounts::create_api_key`, `list_api_keys` and `revoke_api_key` (the command line's use
//! cases). A new key's secret is shown once, on the page that answers the form: it is never
//! stored, so no later page can show it again.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{TimeDelta, Utc};
use serde::Deserialize;

use super::session::{ConsoleForm, lang_of};
use super::settings::{Input, Tabs, field_error, local_time, own_tabs, with_status};
use super::{Frame, Nav, Section, pick};
use crate::accounts;
use crate::http::AppState;
use crate::http::pages::console::detach;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult};
use crate::service::ServiceError;
use crate::sessions::SignedIn;

const PATH: &str = "/settings/developer/api-keys";

/// The expiries the form offers, in days ("" is never).
const EXPIRIES: [u32; 4] = [7, 30, 90, 365];

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(PATH)
            .route(web::get().to(page))
            .route(web::post().to(create)),
    )
    .route(
        "/settings/developer/api-keys/{id}/revoke",
        web::post().to(revoke),
    );
}

struct Words {
    title: &'static str,
    lead: &'static str,
    create: &'static str,
    name: &'static str,
    expires: &'static str,
    expires_after: &'static str,
    never: &'static str,
    days: &'static str,
    prefix: &'static str,
    created: &'static str,
    last_used: &'static str,
    not_used: &'static str,
    none: &'static str,
    revoke: &'static str,
    revoke_confirm: &'static str,
    revoked: &'static str,
    secret_title: &'static str,
    secret_lead: &'static str,
}

fn words(lang: Lang) -> Words {
    Words {
        title: pick(
            lang,
            ["API keys", "API-Schlüssel", "Clés d’API", "Claves de API"],
        ),
        lead: pick(
            lang,
            [
                "A key lets a program use the API as you: send it as “Authorization: Bearer …”.",
                "Mit einem Schlüssel nutzt ein Programm die API in deinem Namen: als „Authorization: Bearer …“.",
                "Une clé permet à un programme d’utiliser l’API en votre nom : « Authorization: Bearer … ».",
                "Una clave permite a un programa usar la API en tu nombre: «Authorization: Bearer …».",
            ],
        ),
        create: pick(
            lang,
            [
                "Create key",
                "Schlüssel erstellen",
                "Créer une clé",
                "Crear clave",
            ],
        ),
        name: pick(lang, ["Name", "Name", "Nom", "Nombre"]),
        expires: pick(lang, ["Expires", "Läuft ab", "Expire", "Caduca"]),
        expires_after: pick(
            lang,
            [
                "Expires after",
                "Läuft ab nach",
                "Expire après",
                "Caduca tras",
            ],
        ),
        never: pick(lang, ["Never", "Nie", "Jamais", "Nunca"]),
        days: pick(lang, ["days", "Tagen", "jours", "días"]),
        prefix: pick(
            lang,
            ["Starts with", "Beginnt mit", "Commence par", "Empieza por"],
        ),
        created: pick(lang, ["Created", "Erstellt", "Créée", "Creada"]),
        last_used: pick(
            lang,
            [
                "Last used",
                "Zuletzt benutzt",
                "Dernière utilisation",
                "Último uso",
            ],
        ),
        not_used: pick(lang, ["Not yet", "Noch nie", "Pas encore", "Aún no"]),
        none: pick(
            lang,
            [
                "No API keys yet.",
                "Noch keine API-Schlüssel.",
                "Aucune clé d’API pour l’instant.",
                "Aún no hay claves de API.",
            ],
        ),
        revoke: pick(lang, ["Revoke", "Widerrufen", "Révoquer", "Revocar"]),
        revoke_confirm: pick(
            lang,
            [
                "Revoke this key? Programs using it stop working.",
                "Diesen Schlüssel widerrufen? Programme, die ihn nutzen, funktionieren dann nicht mehr.",
                "Révoquer cette clé ? Les programmes qui l’utilisent cesseront de fonctionner.",
                "¿Revocar esta clave? Los programas que la usan dejarán de funcionar.",
            ],
        ),
        revoked: pick(
            lang,
            [
                "The key is revoked.",
                "Der Schlüssel ist widerrufen.",
                "La clé est révoquée.",
                "La clave está revocada.",
            ],
        ),
        secret_title: pick(
            lang,
            [
                "Your new key",
                "Dein neuer Schlüssel",
                "Votre nouvelle clé",
                "Tu nueva clave",
            ],
        ),
        secret_lead: pick(
            lang,
            [
                "Copy it now: it is shown only this once.",
                "Kopiere ihn jetzt: er wird nur dieses eine Mal angezeigt.",
                "Copiez-la maintenant : elle n’est affichée qu’une seule fois.",
                "Cópiala ahora: solo se muestra esta vez.",
            ],
        ),
    }
}

struct KeyRow {
    id: i64,
    name: String,
    prefix: String,
    created: String,
    last_used: Option<String>,
    expires: Option<String>,
}

#[derive(Template)]
#[template(path = "console/api_keys.html")]
struct KeysPage {
    chrome: Chrome,
    nav: Nav,
    tabs: Tabs,
    words: Words,
    keys: Vec<KeyRow>,
    name: Input,
    expires: Input,
    expiries: [u32; 4],
    notice: Option<&'static str>,
    /// A key created just now: its name and secret, shown this once.
    secret: Option<(String, String)>,
}

async fn build(req: &HttpRequest, state: &AppState, who: &SignedIn) -> Result<KeysPage, PageError> {
    let Frame { lang, chrome, nav } = Frame::new(req, who, Section::Settings);
    let (db, id) = (state.db.clone(), who.user.id);
    let found = detach(async move { accounts::list_api_keys(&db, id).await })
        .await?
        .map_err(|e| PageError::from_service(lang, e))?;
    let keys = found
        .into_iter()
        .map(|k| KeyRow {
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            created: local_time(lang, who, k.created_at),
            last_used: k.last_used_at.map(|at| local_time(lang, who, at)),
            expires: k.expires_at.map(|at| local_time(lang, who, at)),
        })
        .collect();
    Ok(KeysPage {
        chrome,
        nav,
        tabs: own_tabs(lang, PATH),
        words: words(lang),
        keys,
        name: Input::default(),
        expires: Input::default(),
        expiries: EXPIRIES,
        notice: None,
        secret: None,
    })
}

#[derive(Deserialize)]
struct DoneQuery {
    revoked: Option<String>,
}

async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    query: web::Query<DoneQuery>,
) -> PageResult {
    let mut page = build(&req, &state, &who).await?;
    if query.revoked.is_some() {
        page.notice = Some(page.words.revoked);
    }
    with_status(page, StatusCode::OK)
}

#[derive(Deserialize)]
struct KeyForm {
    #[serde(default)]
    name: String,
    /// Days until the key expires; empty: never.
    #[serde(default)]
    expires: String,
}

fn expiry(raw: &str) -> Result<Option<chrono::DateTime<Utc>>, ServiceError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    match raw.trim().parse::<u32>() {
        Ok(days @ 1..=36_500) => Ok(Some(Utc::now() + TimeDelta::days(days.into()))),
        _ => Err(ServiceError::Invalid(
            "expires: choose a number of days from 1 to 36500, or never".into(),
        )),
    }
}

/// Answers with the page itself (not a redirect): it carries the secret, once.
async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: ConsoleForm<KeyForm>,
) -> PageResult {
    let ConsoleForm { who, form } = form;
    let (db, id, name) = (state.db.clone(), who.user.id, form.name.clone());
    let outcome = match expiry(&form.expires) {
        Ok(at) => detach(async move { accounts::create_api_key(&db, id, &name, at).await }).await?,
        Err(e) => Err(e),
    };
    let error = match outcome {
        Ok((key, secret)) => {
            let mut page = build(&req, &state, &who).await?;
            page.secret = Some((key.name, secret.expose().to_owned()));
            return with_status(page, StatusCode::CREATED);
        }
        Err(ServiceError::Invalid(m)) => m,
        Err(other) => return Err(PageError::from_service(lang_of(&req, Some(&who)), other)),
    };
    let mut page = build(&req, &state, &who).await?;
    page.name = Input::new(form.name);
    page.expires = Input::new(form.expires);
    match field_error(&error, &["name", "expires"]) {
        (Some(f), m) if f == "expires" => page.expires.error = Some(m),
        (_, m) => page.name.error = Some(m),
    }
    with_status(page, super::REFUSED)
}

#[derive(Deserialize)]
struct Empty {}

async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: ConsoleForm<Empty>,
) -> PageResult {
    let who = form.who;
    let (db, user, key) = (state.db.clone(), who.user.id, path.into_inner());
    detach(async move { accounts::revoke_api_key(&db, user, key).await })
        .await?
        .map_err(|e| PageError::from_service(lang_of(&req, Some(&who)), e))?;
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("{PATH}?revoked=1")))
        .finish())
}
