//! `/settings/admin/users`: every account of the instance (search by email or name, pages in
//! creation order), new accounts (with a password the admin chooses, or an invitation link),
//! disabling and enabling accounts, giving and taking the admin role. Each action is a use case
//! of `accounts::admin`, which holds the rules (admins only; not your own account; the last
//! admin stays one); this module only shows them. Non-admins get 404 here.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::session::{ConsoleForm, lang_of};
use super::settings::{Input, Tabs, admin_error, admin_tabs, field_error, local_time, with_status};
use super::{Frame, Nav, Section, pick};
use crate::accounts::{NewAccount, admin};
use crate::auth::Password;
use crate::domain::text::{TextKind, check};
use crate::domain::{Email, PersonName, Role, TimeZoneName};
use crate::http::pages::console::detach;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult, QueryState};
use crate::http::{AppState, detached};
use crate::service::ServiceError;
use crate::sessions::SignedIn;
use crate::storage::users::UsersPage;

const PATH: &str = "/settings/admin/users";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(PATH)
            .route(web::get().to(page))
            .route(web::post().to(add)),
    )
    .route("/settings/admin/users/{id}/status", web::post().to(status))
    .route("/settings/admin/users/{id}/role", web::post().to(role));
}

struct Words {
    title: &'static str,
    search: &'static str,
    search_button: &'static str,
    name: &'static str,
    email: &'static str,
    username: &'static str,
    role: &'static str,
    status: &'static str,
    created: &'static str,
    actions: &'static str,
    admin: &'static str,
    user: &'static str,
    active: &'static str,
    disabled: &'static str,
    you: &'static str,
    disable: &'static str,
    enable: &'static str,
    make_admin: &'static str,
    remove_admin: &'static str,
    none: &'static str,
    previous: &'static str,
    next: &'static str,
    pages: &'static str,
    invite: &'static str,
    invite_lead: &'static str,
    time_zone: &'static str,
    invite_admin: &'static str,
    password: &'static str,
    password_hint: &'static str,
    created_notice: &'static str,
    send: &'static str,
    invited_by_email: &'static str,
    link_title: &'static str,
    link_lead: &'static str,
    saved: &'static str,
    disable_confirm: &'static str,
}

fn words(lang: Lang) -> Words {
    Words {
        title: pick(lang, ["Users", "Benutzer", "Utilisateurs", "Usuarios"]),
        search: pick(
            lang,
            [
                "Email or name",
                "E-Mail oder Name",
                "E-mail ou nom",
                "Correo o nombre",
            ],
        ),
        search_button: pick(lang, ["Search", "Suchen", "Rechercher", "Buscar"]),
        name: pick(lang, ["Name", "Name", "Nom", "Nombre"]),
        email: pick(lang, ["Email", "E-Mail", "E-mail", "Correo electrónico"]),
        username: pick(
            lang,
            ["Username", "Benutzername", "Nom d’utilisateur", "Usuario"],
        ),
        role: pick(lang, ["Role", "Rolle", "Rôle", "Rol"]),
        status: pick(lang, ["Status", "Status", "Statut", "Estado"]),
        created: pick(lang, ["Created", "Erstellt", "Créé", "Creado"]),
        actions: pick(lang, ["Actions", "Aktionen", "Actions", "Acciones"]),
        admin: pick(lang, ["Admin", "Admin", "Admin", "Admin"]),
        user: pick(lang, ["User", "Benutzer", "Utilisateur", "Usuario"]),
        active: pick(lang, ["Active", "Aktiv", "Actif", "Activo"]),
        disabled: pick(
            lang,
            ["Disabled", "Deaktiviert", "Désactivé", "Desactivado"],
        ),
        you: pick(lang, ["you", "du", "vous", "tú"]),
        disable: pick(
            lang,
            ["Disable", "Deaktivieren", "Désactiver", "Desactivar"],
        ),
        enable: pick(lang, ["Enable", "Aktivieren", "Activer", "Activar"]),
        make_admin: pick(
            lang,
            [
                "Make admin",
                "Zum Admin machen",
                "Rendre admin",
                "Hacer admin",
            ],
        ),
        remove_admin: pick(
            lang,
            [
                "Remove admin",
                "Admin entfernen",
                "Retirer admin",
                "Quitar admin",
            ],
        ),
        none: pick(
            lang,
            [
                "No users match.",
                "Keine passenden Benutzer.",
                "Aucun utilisateur ne correspond.",
                "Ningún usuario coincide.",
            ],
        ),
        previous: pick(lang, ["Previous", "Zurück", "Précédent", "Anterior"]),
        next: pick(lang, ["Next", "Weiter", "Suivant", "Siguiente"]),
        pages: pick(lang, ["Pages", "Seiten", "Pages", "Páginas"]),
        invite: pick(
            lang,
            [
                "Add someone",
                "Jemanden hinzufügen",
                "Ajouter quelqu’un",
                "Añadir a alguien",
            ],
        ),
        invite_lead: pick(
            lang,
            [
                "A new account: with the password you set, or with an invitation link, valid for a week, to choose one.",
                "Ein neues Konto: mit dem Passwort, das du setzt, oder mit einem Einladungslink (eine Woche gültig), um eines zu wählen.",
                "Un nouveau compte : avec le mot de passe que vous fixez, ou un lien d’invitation, valable une semaine, pour le choisir.",
                "Una cuenta nueva: con la contraseña que pongas, o con un enlace de invitación, válido una semana, para elegirla.",
            ],
        ),
        time_zone: pick(
            lang,
            ["Time zone", "Zeitzone", "Fuseau horaire", "Zona horaria"],
        ),
        invite_admin: pick(
            lang,
            [
                "Administrator",
                "Administrator",
                "Administrateur",
                "Administrador",
            ],
        ),
        password: pick(
            lang,
            [
                "Password (optional)",
                "Passwort (optional)",
                "Mot de passe (facultatif)",
                "Contraseña (opcional)",
            ],
        ),
        password_hint: pick(
            lang,
            [
                "Empty: they get an invitation link to choose one. Set: the account can sign in at once.",
                "Leer: die Person erhält einen Einladungslink, um eines zu wählen. Gesetzt: das Konto kann sich sofort anmelden.",
                "Vide : la personne reçoit un lien d’invitation pour le choisir. Rempli : le compte peut se connecter tout de suite.",
                "Vacía: recibe un enlace de invitación para elegirla. Rellena: la cuenta puede iniciar sesión ya.",
            ],
        ),
        created_notice: pick(
            lang,
            [
                "The account is created; it can sign in with the password you chose.",
                "Das Konto ist angelegt; es kann sich mit dem gewählten Passwort anmelden.",
                "Le compte est créé ; il peut se connecter avec le mot de passe choisi.",
                "La cuenta está creada; puede iniciar sesión con la contraseña elegida.",
            ],
        ),
        send: pick(lang, ["Add", "Hinzufügen", "Ajouter", "Añadir"]),
        invited_by_email: pick(
            lang,
            [
                "The invitation is on its way by email.",
                "Die Einladung ist per E-Mail unterwegs.",
                "L’invitation est partie par e-mail.",
                "La invitación va de camino por correo.",
            ],
        ),
        link_title: pick(
            lang,
            [
                "Invitation link",
                "Einladungslink",
                "Lien d’invitation",
                "Enlace de invitación",
            ],
        ),
        link_lead: pick(
            lang,
            [
                "This Kairos sends no email: pass this link on yourself. It is shown only this once.",
                "Dieses Kairos versendet keine E-Mails: gib diesen Link selbst weiter. Er wird nur dieses eine Mal angezeigt.",
                "Ce Kairos n’envoie pas d’e-mails : transmettez ce lien vous-même. Il n’est affiché qu’une fois.",
                "Este Kairos no envía correos: pasa tú este enlace. Solo se muestra esta vez.",
            ],
        ),
        saved: pick(lang, ["Saved.", "Gespeichert.", "Enregistré.", "Guardado."]),
        disable_confirm: pick(
            lang,
            [
                "Disable this account? They are signed out and their API keys stop working.",
                "Dieses Konto deaktivieren? Die Person wird abgemeldet, ihre API-Schlüssel funktionieren nicht mehr.",
                "Désactiver ce compte ? La personne est déconnectée et ses clés d’API cessent de fonctionner.",
                "¿Desactivar esta cuenta? Se cierra su sesión y sus claves de API dejan de funcionar.",
            ],
        ),
    }
}

struct UserRow {
    id: i64,
    name: String,
    email: String,
    username: String,
    admin: bool,
    disabled: bool,
    me: bool,
    created: String,
}

/// The invitation form as shown again.
#[derive(Default)]
struct InviteInputs {
    email: Input,
    name: Input,
    time_zone: Input,
    password: Input,
    admin: bool,
}

#[derive(Template)]
#[template(path = "console/admin_users.html")]
struct ListPage {
    chrome: Chrome,
    nav: Nav,
    tabs: Tabs,
    words: Words,
    q: String,
    rows: Vec<UserRow>,
    previous: Option<String>,
    next: Option<String>,
    notice: Option<&'static str>,
    alert: Option<String>,
    invite: InviteInputs,
    zones: &'static [chrono_tz::Tz],
    /// An invitation made just now without email: who, and the link to pass on (shown once).
    link: Option<(String, String)>,
}

impl ListPage {
    fn zone_selected(&self, zone: &chrono_tz::Tz) -> bool {
        zone.name() == self.invite.time_zone.value
    }
}

#[derive(Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    after: Option<String>,
    before: Option<String>,
    notice: Option<String>,
}

impl ListQuery {
    fn page(&self) -> UsersPage {
        let id = |raw: &Option<String>| raw.as_deref().and_then(|r| r.parse().ok());
        match (id(&self.after), id(&self.before)) {
            (Some(after), _) => UsersPage::After(after),
            (None, Some(before)) => UsersPage::Before(before),
            _ => UsersPage::First,
        }
    }
}

async fn build(
    req: &HttpRequest,
    state: &AppState,
    who: &SignedIn,
    query: &ListQuery,
) -> Result<ListPage, PageError> {
    let Frame { lang, chrome, nav } = Frame::new(req, who, Section::Admin);
    let (db, user) = (state.db.clone(), who.user.clone());
    let (q, page) = (query.q.clone().unwrap_or_default(), query.page());
    let search = q.clone();
    let list = detach(async move { admin::list_users(&db, &user, Some(&search), page).await })
        .await?
        .map_err(|e| admin_error(lang, e))?;
    let here = QueryState::from_request(req).only(&["q"]);
    let href = |key: &str, id: i64| here.href(&[(key, Some(id.to_string()))]);
    let rows = list.users.iter().map(|u| UserRow {
        id: u.id,
        name: u.name.clone(),
        email: u.email.clone(),
        username: u.username.clone(),
        admin: u.role == Role::Admin.as_str(),
        disabled: u.is_disabled(),
        me: u.id == who.user.id,
        created: local_time(lang, who, u.created_at),
    });
    Ok(ListPage {
        chrome,
        nav,
        tabs: admin_tabs(lang, PATH),
        words: words(lang),
        q,
        rows: rows.collect(),
        previous: list.previous.map(|id| href("before", id)),
        next: list.next.map(|id| href("after", id)),
        notice: None,
        alert: None,
        invite: InviteInputs {
            time_zone: Input::new(&who.user.time_zone),
            ..InviteInputs::default()
        },
        zones: &chrono_tz::TZ_VARIANTS,
        link: None,
    })
}

async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    query: web::Query<ListQuery>,
) -> PageResult {
    let mut page = build(&req, &state, &who, &query).await?;
    page.notice = match query.notice.as_deref() {
        Some("invited") => Some(page.words.invited_by_email),
        Some("saved") => Some(page.words.saved),
        Some("created") => Some(page.words.created_notice),
        _ => None,
    };
    with_status(page, StatusCode::OK)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    time_zone: String,
    /// Empty: an invitation; otherwise the account's password.
    #[serde(default)]
    password: String,
    /// The checkbox: present when ticked.
    admin: Option<String>,
}

fn account(form: &InviteForm) -> Result<NewAccount, ServiceError> {
    let invalid = |field: &str, m: String| ServiceError::Invalid(format!("{field}: {m}"));
    for (field, value) in [
        ("email", &form.email),
        ("name", &form.name),
        ("timeZone", &form.time_zone),
    ] {
        check(TextKind::Line, value).map_err(|m| invalid(field, m))?;
    }
    Ok(NewAccount {
        email: Email::parse(&form.email).map_err(|m| invalid("email", m))?,
        name: PersonName::parse(&form.name).map_err(|m| invalid("name", m))?,
        time_zone: TimeZoneName::parse(&form.time_zone).map_err(|m| invalid("timeZone", m))?,
        username: None,
        password: match form.password.as_str() {
            "" => None,
            p => Some(Password::parse(p).map_err(|m| invalid("password", m))?),
        },
        role: if form.admin.is_some() {
            Role::Admin
        } else {
            Role::User
        },
    })
}

/// What adding someone came to: an account with a password, or an invitation and its link.
enum Added {
    Created,
    /// Who ("Name <email>") and the link.
    Invited(String, String),
}

/// Through `admin::create` when the form has a password, else `admin::invite`.
async fn add_account(
    state: &AppState,
    who: &SignedIn,
    new: NewAccount,
) -> Result<Added, ServiceError> {
    let (db, user) = (state.db.clone(), who.user.clone());
    let (signer, base, send_email) = (
        state.signer.clone(),
        state.base_url.clone(),
        state.outbox.email,
    );
    detached(async move {
        if new.password.is_some() {
            admin::create(&db, &user, new).await.map(|_| Added::Created)
        } else {
            admin::invite(&db, &signer, &base, &user, new, send_email)
                .await
                .map(|(u, link)| Added::Invited(format!("{} <{}>", u.name, u.email), link))
        }
    })
    .await
    .map_err(|_| ServiceError::Internal(anyhow::anyhow!("account task failed")))?
}

/// A new account. An invitation is emailed when email is configured (then back to the list);
/// otherwise the page shows the link, this once, for the admin to pass on.
async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: ConsoleForm<InviteForm>,
) -> PageResult {
    let ConsoleForm { who, form } = form;
    let outcome = match account(&form) {
        Ok(new) => add_account(&state, &who, new).await,
        Err(e) => Err(e),
    };
    let (status, message) = match outcome {
        Ok(Added::Created) => return Ok(see_list("created")),
        Ok(Added::Invited(..)) if state.outbox.email => return Ok(see_list("invited")),
        Ok(Added::Invited(invitee, link)) => {
            let mut page = build(&req, &state, &who, &ListQuery::default()).await?;
            page.link = Some((invitee, link));
            return with_status(page, StatusCode::CREATED);
        }
        Err(ServiceError::Invalid(m)) => (super::REFUSED, m),
        Err(ServiceError::Conflict(m)) => (StatusCode::CONFLICT, format!("email: {m}")),
        Err(other) => return Err(admin_error(lang_of(&req, Some(&who)), other)),
    };
    let mut page = build(&req, &state, &who, &ListQuery::default()).await?;
    page.invite = InviteInputs {
        email: Input::new(&form.email),
        name: Input::new(&form.name),
        time_zone: Input::new(&form.time_zone),
        password: Input::default(),
        admin: form.admin.is_some(),
    };
    let (field, message) = field_error(&message, &["email", "name", "timeZone", "password"]);
    let input = match field.as_deref() {
        Some("name") => &mut page.invite.name,
        Some("timeZone") => &mut page.invite.time_zone,
        Some("password") => &mut page.invite.password,
        _ => &mut page.invite.email,
    };
    input.error = Some(message);
    with_status(page, status)
}

fn see_list(notice: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("{PATH}?notice={notice}")))
        .finish()
}

#[derive(Deserialize)]
struct StatusForm {
    /// `true` disables the account, `false` enables it.
    disabled: String,
}

#[derive(Deserialize)]
struct RoleForm {
    /// `ADMIN` or `USER`.
    role: String,
}

async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: ConsoleForm<StatusForm>,
) -> PageResult {
    let ConsoleForm { who, form } = form;
    let disabled = form.disabled == "true";
    let (db, user, id) = (state.db.clone(), who.user.clone(), path.into_inner());
    let outcome =
        detach(async move { admin::set_disabled(&db, &user, id, disabled).await }).await?;
    after_change(&req, &state, &who, outcome).await
}

async fn role(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: ConsoleForm<RoleForm>,
) -> PageResult {
    let ConsoleForm { who, form } = form;
    let lang = lang_of(&req, Some(&who));
    let role = Role::parse(&form.role).map_err(|m| PageError::bad_request(lang, &m))?;
    let (db, user, id) = (state.db.clone(), who.user.clone(), path.into_inner());
    let outcome = detach(async move { admin::set_role(&db, &user, id, role).await }).await?;
    after_change(&req, &state, &who, outcome).await
}

/// Back to the list; a rule's refusal (your own account, the last admin) is shown on it.
async fn after_change(
    req: &HttpRequest,
    state: &AppState,
    who: &SignedIn,
    outcome: Result<(), ServiceError>,
) -> PageResult {
    match outcome {
        Ok(()) => Ok(see_list("saved")),
        Err(ServiceError::Conflict(message)) => {
            let mut page = build(req, state, who, &ListQuery::default()).await?;
            page.alert = Some(message);
            with_status(page, StatusCode::CONFLICT)
        }
        Err(other) => Err(admin_error(lang_of(req, Some(who)), other)),
    }
}
