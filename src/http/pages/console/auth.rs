//! Sign-in and its neighbours, at Cal.com's paths: `/auth/login`, `/auth/logout`,
//! `/auth/forgot-password`, the password links (`/auth/reset-password`, `/auth/accept-invite`)
//! and, when `KAIROS_SIGNUP` is on, `/auth/signup`. One template serves them all.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, USER_AGENT};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::pick;
use super::session::{
    AnonymousForm, ConsoleForm, anonymous_token, cleared_session_cookie, lang_of, session_cookie,
};
use crate::http::pages::console::detach;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult, QueryState};
use crate::http::{AppState, admission};
use crate::service::ServiceError;
use crate::sessions::{self, PasswordLink, SignInError};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/auth/login")
            .route(web::get().to(login_page))
            .route(web::post().to(login)),
    )
    .route("/auth/logout", web::post().to(logout))
    .route("/auth/logout-everywhere", web::post().to(logout_everywhere))
    .service(
        web::resource("/auth/forgot-password")
            .route(web::get().to(forgot_page))
            .route(web::post().to(forgot)),
    )
    .service(
        web::resource("/auth/signup")
            .route(web::get().to(signup_page))
            .route(web::post().to(signup)),
    )
    .service(
        web::resource(["/auth/reset-password", "/auth/accept-invite"])
            .route(web::get().to(link_page))
            .route(web::post().to(use_link)),
    );
}

pub struct Words {
    pub title: &'static str,
    pub submit: &'static str,
}

pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "console/auth.html")]
struct AuthPage {
    chrome: Chrome,
    words: Words,
    lead: Option<&'static str>,
    error: Option<String>,
    notice: Option<&'static str>,
    show_form: bool,
    action: String,
    csrf: String,
    hidden: Vec<(&'static str, String)>,
    fields: Vec<Field>,
    links: Vec<(String, &'static str)>,
}

impl AuthPage {
    fn new(lang: Lang, words: Words, action: String, csrf: String) -> Self {
        Self {
            chrome: Chrome::new(lang, "", &QueryState::default()),
            words,
            lead: None,
            error: None,
            notice: None,
            show_form: true,
            action,
            csrf,
            hidden: Vec::new(),
            fields: Vec::new(),
            links: Vec::new(),
        }
    }
}

/// Renders `page` with `status`, setting the anonymous form cookie when the visitor had none.
fn respond(
    page: AuthPage,
    status: actix_web::http::StatusCode,
    cookie: Option<actix_web::cookie::Cookie<'static>>,
) -> PageResult {
    let body = page
        .render()
        .map_err(|e| PageError::internal(&e.to_string()))?;
    let mut response = HttpResponse::build(status);
    if let Some(cookie) = cookie {
        response.cookie(cookie);
    }
    Ok(response
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body))
}

fn email_field(lang: Lang, value: String) -> Field {
    Field {
        name: "email",
        label: pick(lang, ["Email", "E-Mail", "E-mail", "Correo electrónico"]),
        kind: "email",
        autocomplete: "username",
        value,
    }
}

fn password_field(lang: Lang, new: bool) -> Field {
    Field {
        name: "password",
        label: if new {
            pick(
                lang,
                [
                    "New password (at least 8 characters)",
                    "Neues Passwort (mindestens 8 Zeichen)",
                    "Nouveau mot de passe (8 caractères au moins)",
                    "Nueva contraseña (al menos 8 caracteres)",
                ],
            )
        } else {
            pick(lang, ["Password", "Passwort", "Mot de passe", "Contraseña"])
        },
        kind: "password",
        autocomplete: if new {
            "new-password"
        } else {
            "current-password"
        },
        value: String::new(),
    }
}

fn forgot_link(lang: Lang) -> (String, &'static str) {
    (
        "/auth/forgot-password".to_owned(),
        pick(
            lang,
            [
                "Forgot your password?",
                "Passwort vergessen?",
                "Mot de passe oublié ?",
                "¿Olvidaste tu contraseña?",
            ],
        ),
    )
}

/// Only a path on this site is a place to return to after sign-in.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/event-types".to_owned(),
    }
}

fn login_form(lang: Lang, csrf: String, email: String, next: Option<&str>) -> AuthPage {
    let words = Words {
        title: pick(
            lang,
            ["Sign in", "Anmelden", "Se connecter", "Iniciar sesión"],
        ),
        submit: pick(
            lang,
            ["Sign in", "Anmelden", "Se connecter", "Iniciar sesión"],
        ),
    };
    let mut page = AuthPage::new(lang, words, "/auth/login".to_owned(), csrf);
    page.fields = vec![email_field(lang, email), password_field(lang, false)];
    page.hidden = vec![("next", safe_next(next))];
    page.links = vec![forgot_link(lang)];
    page
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<NextQuery>,
) -> PageResult {
    let lang = lang_of(&req, None);
    let (cookie, csrf) = anonymous_token(&req, &state.sessions);
    let page = login_form(lang, csrf, String::new(), query.next.as_deref());
    respond(page, actix_web::http::StatusCode::OK, cookie)
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: AnonymousForm<LoginForm>,
) -> PageResult {
    let AnonymousForm { form, lang } = form;
    let ip = admission::client_ip(&state, &req);
    if let Err(refusal) = state.limits.sign_in(ip, &form.email) {
        return Err(PageError::too_many_requests(lang, refusal));
    }
    let agent = req
        .headers()
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (db, settings) = (state.db.clone(), state.sessions.clone());
    let (email, password) = (form.email.clone(), form.password);
    let outcome = detach(async move {
        sessions::sign_in(&db, &settings, &email, &password, &agent, Utc::now()).await
    })
    .await?;
    match outcome {
        Ok((token, _)) => Ok(HttpResponse::SeeOther()
            .cookie(session_cookie(token.expose(), &state.sessions))
            .insert_header((LOCATION, safe_next(form.next.as_deref())))
            .finish()),
        Err(SignInError::Storage(e)) => Err(PageError::internal(&e.to_string())),
        Err(refused) => {
            let csrf = anonymous_token(&req, &state.sessions).1;
            let mut page = login_form(lang, csrf, form.email, form.next.as_deref());
            page.error = Some(refused_message(lang, &refused));
            respond(page, actix_web::http::StatusCode::UNAUTHORIZED, None)
        }
    }
}

fn refused_message(lang: Lang, error: &SignInError) -> String {
    match error {
        SignInError::Disabled => pick(lang, [
            "This account is disabled; ask an administrator.",
            "Dieses Konto ist deaktiviert; wende dich an eine Administratorin oder einen Administrator.",
            "Ce compte est désactivé ; contactez un administrateur.",
            "Esta cuenta está desactivada; consulta a un administrador.",
        ]),
        _ => pick(lang, [
            "The email or password is not correct.",
            "E-Mail oder Passwort ist nicht korrekt.",
            "L’e-mail ou le mot de passe est incorrect.",
            "El correo o la contraseña no son correctos.",
        ]),
    }
    .to_owned()
}

#[derive(Deserialize)]
struct Empty {}

async fn logout(state: web::Data<AppState>, form: ConsoleForm<Empty>) -> PageResult {
    let ConsoleForm {
        who,
        form: Empty {},
    } = form;
    let db = state.db.clone();
    let id = who.session_id;
    detach(async move { sessions::sign_out(&db, id).await })
        .await?
        .map_err(|e| PageError::internal(&e.to_string()))?;
    signed_out(&state)
}

/// Ends every session of the user (a lost laptop): this browser's too.
async fn logout_everywhere(state: web::Data<AppState>, form: ConsoleForm<Empty>) -> PageResult {
    let db = state.db.clone();
    let id = form.who.user.id;
    detach(async move { sessions::sign_out_everywhere(&db, id).await })
        .await?
        .map_err(|e| PageError::internal(&e.to_string()))?;
    signed_out(&state)
}

fn signed_out(state: &AppState) -> PageResult {
    Ok(HttpResponse::SeeOther()
        .cookie(cleared_session_cookie(&state.sessions))
        .insert_header((LOCATION, "/auth/login"))
        .finish())
}

fn forgot_form(lang: Lang, csrf: String) -> AuthPage {
    let words = Words {
        title: pick(
            lang,
            [
                "Reset your password",
                "Passwort zurücksetzen",
                "Réinitialiser le mot de passe",
                "Restablecer la contraseña",
            ],
        ),
        submit: pick(
            lang,
            [
                "Email me a link",
                "Link per E-Mail senden",
                "M’envoyer un lien",
                "Enviarme un enlace",
            ],
        ),
    };
    let mut page = AuthPage::new(lang, words, "/auth/forgot-password".to_owned(), csrf);
    page.lead = Some(pick(
        lang,
        [
            "Enter your account’s email and we will send you a link to choose a new password.",
            "Gib die E-Mail deines Kontos ein; wir senden dir einen Link für ein neues Passwort.",
            "Saisissez l’e-mail de votre compte : nous vous enverrons un lien pour choisir un nouveau mot de passe.",
            "Introduce el correo de tu cuenta y te enviaremos un enlace para elegir una nueva contraseña.",
        ],
    ));
    page.fields = vec![email_field(lang, String::new())];
    page.links = vec![(
        "/auth/login".to_owned(),
        pick(
            lang,
            [
                "Back to sign in",
                "Zurück zur Anmeldung",
                "Retour à la connexion",
                "Volver a iniciar sesión",
            ],
        ),
    )];
    page
}

async fn forgot_page(req: HttpRequest, state: web::Data<AppState>) -> PageResult {
    let lang = lang_of(&req, None);
    let (cookie, csrf) = anonymous_token(&req, &state.sessions);
    respond(
        forgot_form(lang, csrf),
        actix_web::http::StatusCode::OK,
        cookie,
    )
}

#[derive(Deserialize)]
struct ForgotForm {
    email: String,
}

/// The same answer whether or not the email has an account (and throttled like sign-in, so
/// it cannot be used to flood someone's inbox).
async fn forgot(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: AnonymousForm<ForgotForm>,
) -> PageResult {
    let AnonymousForm { form, lang } = form;
    let ip = admission::client_ip(&state, &req);
    if let Err(refusal) = state.limits.sign_in(ip, &form.email) {
        return Err(PageError::too_many_requests(lang, refusal));
    }
    let csrf = anonymous_token(&req, &state.sessions).1;
    let mut page = forgot_form(lang, csrf);
    page.show_form = false;
    if !state.outbox.email {
        page.notice = Some(pick(
            lang,
            [
                "This Kairos sends no email, so it cannot send reset links. Ask an administrator to reset your password.",
                "Dieses Kairos versendet keine E-Mails und kann keine Links senden. Bitte eine Administratorin oder einen Administrator, dein Passwort zurückzusetzen.",
                "Ce Kairos n’envoie pas d’e-mails et ne peut donc pas envoyer de lien. Demandez à un administrateur de réinitialiser votre mot de passe.",
                "Este Kairos no envía correos y no puede mandar enlaces. Pide a un administrador que restablezca tu contraseña.",
            ],
        ));
        return respond(page, actix_web::http::StatusCode::OK, None);
    }
    let (db, signer, base) = (
        state.db.clone(),
        state.signer.clone(),
        state.base_url.clone(),
    );
    detach(
        async move { sessions::request_reset(&db, &signer, &base, &form.email, Utc::now()).await },
    )
    .await?
    .map_err(|e| PageError::from_service(lang, e))?;
    page.notice = Some(pick(
        lang,
        [
            "If an account uses that email, a link to choose a new password is on its way. It works for an hour.",
            "Falls ein Konto diese E-Mail verwendet, ist ein Link für ein neues Passwort unterwegs. Er gilt eine Stunde.",
            "Si un compte utilise cet e-mail, un lien pour choisir un nouveau mot de passe est en route. Il est valable une heure.",
            "Si una cuenta usa ese correo, te llegará un enlace para elegir una nueva contraseña. Vale durante una hora.",
        ],
    ));
    respond(page, actix_web::http::StatusCode::OK, None)
}

fn signup_form(lang: Lang, csrf: String, form: Option<&SignupForm>) -> AuthPage {
    let words = Words {
        title: pick(
            lang,
            [
                "Create your account",
                "Konto erstellen",
                "Créer votre compte",
                "Crea tu cuenta",
            ],
        ),
        submit: pick(
            lang,
            [
                "Create account",
                "Konto erstellen",
                "Créer le compte",
                "Crear cuenta",
            ],
        ),
    };
    let mut page = AuthPage::new(lang, words, "/auth/signup".to_owned(), csrf);
    let value = |f: fn(&SignupForm) -> &String| form.map(f).cloned().unwrap_or_default();
    page.fields = vec![
        Field {
            name: "name",
            label: pick(lang, ["Your name", "Dein Name", "Votre nom", "Tu nombre"]),
            kind: "text",
            autocomplete: "name",
            value: value(|f| &f.name),
        },
        email_field(lang, value(|f| &f.email)),
        Field {
            name: "timeZone",
            label: pick(
                lang,
                [
                    "Time zone (e.g. Europe/Berlin)",
                    "Zeitzone (z. B. Europe/Berlin)",
                    "Fuseau horaire (p. ex. Europe/Paris)",
                    "Zona horaria (p. ej. Europe/Madrid)",
                ],
            ),
            kind: "text",
            autocomplete: "off",
            value: form.map_or_else(|| "UTC".to_owned(), |f| f.time_zone.clone()),
        },
        password_field(lang, true),
    ];
    page.links = vec![(
        "/auth/login".to_owned(),
        pick(
            lang,
            [
                "Already have an account? Sign in",
                "Schon ein Konto? Anmelden",
                "Déjà un compte ? Se connecter",
                "¿Ya tienes cuenta? Inicia sesión",
            ],
        ),
    )];
    page
}

async fn signup_page(req: HttpRequest, state: web::Data<AppState>) -> PageResult {
    let lang = lang_of(&req, None);
    if !state.sessions.signup {
        return Err(PageError::not_found(lang));
    }
    let (cookie, csrf) = anonymous_token(&req, &state.sessions);
    respond(
        signup_form(lang, csrf, None),
        actix_web::http::StatusCode::OK,
        cookie,
    )
}

#[derive(Deserialize)]
struct SignupForm {
    name: String,
    email: String,
    #[serde(rename = "timeZone")]
    time_zone: String,
    password: String,
}

impl SignupForm {
    fn account(&self) -> Result<crate::accounts::NewAccount, String> {
        use crate::domain::{Email, PersonName, Role, TimeZoneName};
        fn field(name: &'static str) -> impl Fn(String) -> String {
            move |m| format!("{name}: {m}")
        }
        Ok(crate::accounts::NewAccount {
            email: Email::parse(&self.email).map_err(field("email"))?,
            name: PersonName::parse(&self.name).map_err(field("name"))?,
            time_zone: TimeZoneName::parse(self.time_zone.trim()).map_err(field("timeZone"))?,
            username: None,
            password: Some(
                crate::auth::Password::parse(&self.password).map_err(field("password"))?,
            ),
            role: Role::User,
        })
    }
}

/// Self-service sign-up (only with `KAIROS_SIGNUP`): the account, then a session.
async fn signup(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: AnonymousForm<SignupForm>,
) -> PageResult {
    let AnonymousForm { form, lang } = form;
    if !state.sessions.signup {
        return Err(PageError::not_found(lang));
    }
    let ip = admission::client_ip(&state, &req);
    if let Err(refusal) = state.limits.sign_in(ip, &form.email) {
        return Err(PageError::too_many_requests(lang, refusal));
    }
    let refuse = |message: String, form: &SignupForm| {
        let csrf = anonymous_token(&req, &state.sessions).1;
        let mut page = signup_form(lang, csrf, Some(form));
        page.error = Some(message);
        respond(page, super::REFUSED, None)
    };
    let account = match form.account() {
        Ok(account) => account,
        Err(message) => return refuse(message, &form),
    };
    let (db, settings) = (state.db.clone(), state.sessions.clone());
    let (email, password) = (form.email.clone(), form.password.clone());
    let outcome = detach(async move {
        crate::accounts::create_user(&db, account).await?;
        sessions::sign_in(&db, &settings, &email, &password, "", Utc::now())
            .await
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!(e.to_string())))
    })
    .await?;
    match outcome {
        Ok((token, _)) => Ok(HttpResponse::SeeOther()
            .cookie(session_cookie(token.expose(), &state.sessions))
            .insert_header((LOCATION, "/event-types"))
            .finish()),
        // Says that the email has an account, as any sign-up form must; throttled above.
        Err(ServiceError::Conflict(message)) => refuse(message, &form),
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}

fn link_kind(req: &HttpRequest) -> PasswordLink {
    if req.path().ends_with("accept-invite") {
        PasswordLink::Invite
    } else {
        PasswordLink::Reset
    }
}

fn link_form(
    lang: Lang,
    link: PasswordLink,
    action: String,
    csrf: String,
    token: String,
) -> AuthPage {
    let words = match link {
        PasswordLink::Reset => Words {
            title: pick(
                lang,
                [
                    "Choose a new password",
                    "Neues Passwort wählen",
                    "Choisir un nouveau mot de passe",
                    "Elige una nueva contraseña",
                ],
            ),
            submit: pick(
                lang,
                [
                    "Save and sign in",
                    "Speichern und anmelden",
                    "Enregistrer et se connecter",
                    "Guardar e iniciar sesión",
                ],
            ),
        },
        PasswordLink::Invite => Words {
            title: pick(
                lang,
                [
                    "Welcome to Kairos",
                    "Willkommen bei Kairos",
                    "Bienvenue sur Kairos",
                    "Bienvenido a Kairos",
                ],
            ),
            submit: pick(
                lang,
                [
                    "Set password and sign in",
                    "Passwort setzen und anmelden",
                    "Définir le mot de passe et se connecter",
                    "Establecer contraseña e iniciar sesión",
                ],
            ),
        },
    };
    let mut page = AuthPage::new(lang, words, action, csrf);
    page.fields = vec![password_field(lang, true)];
    page.hidden = vec![("token", token)];
    page
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn link_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> PageResult {
    let lang = lang_of(&req, None);
    let link = link_kind(&req);
    let (db, signer, token) = (state.db.clone(), state.signer.clone(), query.token.clone());
    let checked = detach(async move {
        sessions::check_password_link(&db, &signer, link, &token, Utc::now()).await
    })
    .await?;
    let (cookie, csrf) = anonymous_token(&req, &state.sessions);
    let mut page = link_form(lang, link, req.path().to_owned(), csrf, query.token.clone());
    match checked {
        Ok(user) => {
            page.hidden.push(("email", user.email));
            respond(page, actix_web::http::StatusCode::OK, cookie)
        }
        Err(e @ (ServiceError::Unauthorized(_) | ServiceError::Forbidden(_))) => {
            page.show_form = false;
            page.error = Some(e.to_string());
            page.links = vec![forgot_link(lang)];
            respond(page, actix_web::http::StatusCode::GONE, cookie)
        }
        Err(other) => Err(PageError::from_service(lang, other)),
    }
}

#[derive(Deserialize)]
struct LinkForm {
    token: String,
    password: String,
}

/// Sets the password and signs the person in (a fresh session: every older one was ended).
async fn use_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: AnonymousForm<LinkForm>,
) -> PageResult {
    let AnonymousForm { form, lang } = form;
    let link = link_kind(&req);
    let (db, signer, settings) = (
        state.db.clone(),
        state.signer.clone(),
        state.sessions.clone(),
    );
    let (token, password) = (form.token.clone(), form.password.clone());
    let outcome = detach(async move {
        let now = Utc::now();
        let user = sessions::use_password_link(&db, &signer, link, &token, &password, now).await?;
        sessions::sign_in(&db, &settings, &user.email, &password, "", now)
            .await
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!(e.to_string())))
    })
    .await?;
    match outcome {
        Ok((session, _)) => Ok(HttpResponse::SeeOther()
            .cookie(session_cookie(session.expose(), &state.sessions))
            .insert_header((LOCATION, "/event-types"))
            .finish()),
        Err(ServiceError::Invalid(message)) => {
            let csrf = anonymous_token(&req, &state.sessions).1;
            let mut page = link_form(lang, link, req.path().to_owned(), csrf, form.token);
            page.error = Some(message.trim_start_matches("password: ").to_owned());
            respond(page, super::REFUSED, None)
        }
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}
