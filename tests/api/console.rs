//! The console's sign-in, sessions, CSRF and password links, over real HTTP with a cookie jar
//! of our own (no redirects followed, so every answer is seen). `Visitor` is shared by the
//! console page tests.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use kairos::sessions;

use crate::email::{SmtpServer, app_with_smtp};
use crate::helpers::{TestApp, create_user, spawn_app};

pub const PASSWORD: &str = "correct horse battery";

/// A browser's view of the console: cookies kept, redirects not followed.
pub struct Visitor<'a> {
    pub app: &'a TestApp,
    client: reqwest::Client,
    pub cookies: HashMap<String, String>,
    /// Sent as `Origin` with every form (a browser always sends one with a POST).
    pub origin: Option<String>,
}

impl<'a> Visitor<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
            origin: Some(app.address.clone()),
        }
    }

    /// Signed in as `email` (with [`PASSWORD`]) through the sign-in form.
    pub async fn signed_in(app: &'a TestApp, email: &str) -> Self {
        let mut visitor = Self::new(app);
        let answer = visitor.sign_in(email, PASSWORD).await;
        assert_eq!(answer.status(), 303, "sign-in of {email} failed");
        visitor
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> reqwest::Response {
        let response = self
            .client
            .get(format!("{}{path}", self.app.address))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep_cookies(&response);
        response
    }

    /// The page's text, asserting its status.
    pub async fn page(&mut self, path: &str, status: u16) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), status, "GET {path}");
        response.text().await.unwrap()
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}{path}", self.app.address))
            .header("cookie", self.cookie_header())
            .form(form);
        if let Some(origin) = &self.origin {
            request = request.header("origin", origin);
        }
        let response = request.send().await.unwrap();
        self.keep_cookies(&response);
        response
    }

    /// Loads `page` and posts `form` to `action` with the CSRF token the page carried.
    pub async fn submit(
        &mut self,
        page: &str,
        action: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let html = self.page(page, 200).await;
        let token = csrf_in(&html);
        let mut fields = vec![("_csrf", token.as_str())];
        fields.extend_from_slice(form);
        self.post(action, &fields).await
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> reqwest::Response {
        self.submit(
            "/auth/login",
            "/auth/login",
            &[("email", email), ("password", password)],
        )
        .await
    }
}

/// The value of the page's first `_csrf` field.
pub fn csrf_in(html: &str) -> String {
    let at = html
        .find("name=\"_csrf\" value=\"")
        .expect("the page has a CSRF field");
    let rest = &html[at + "name=\"_csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

pub fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// A user with [`PASSWORD`].
pub async fn person(app: &TestApp, email: &str) -> kairos::storage::users::User {
    let user = create_user(&app.db, email, "Europe/Berlin").await;
    give_password(app, user.id).await;
    user
}

/// Lets user `id` sign in to the console with [`PASSWORD`].
pub async fn give_password(app: &TestApp, id: i64) {
    let hash =
        kairos::auth::hash_password(&kairos::auth::Password::parse(PASSWORD).unwrap()).unwrap();
    app.db
        .run(async |c| kairos::storage::users::set_password_hash(c, id, &hash).await)
        .await
        .unwrap();
}

#[tokio::test]
async fn signing_in_opens_a_session_that_the_console_pages_accept() {
    let app = spawn_app().await;
    person(&app, "ada@example.com").await;
    let mut visitor = Visitor::new(&app);

    let away = visitor.get("/event-types").await;
    assert_eq!(away.status(), 303);
    assert_eq!(location(&away), "/auth/login?next=%2Fevent-types");

    // The sign-in page keeps its URL on this site, and its form still sends an Origin
    // (a `no-referrer` page's form would send `Origin: null`, which is refused).
    let form = visitor.get("/auth/login").await;
    assert_eq!(form.headers()["referrer-policy"], "same-origin");
    let answer = visitor.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(answer.status(), 303);
    assert_eq!(location(&answer), "/event-types");
    let cookie = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("kairos_session="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");

    let html = visitor.page("/event-types", 200).await;
    assert!(html.contains("Event types"), "{html}");
    assert!(html.contains("/auth/logout"), "{html}");
    let csp = visitor.get("/event-types").await.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    person(&app, "ada@example.com").await;
    let mut visitor = Visitor::new(&app);
    let wrong = visitor.sign_in("ada@example.com", "not the password").await;
    assert_eq!(wrong.status(), 401);
    let wrong = wrong.text().await.unwrap();
    let unknown = visitor.sign_in("nobody@example.com", PASSWORD).await;
    assert_eq!(unknown.status(), 401);
    let unknown = unknown.text().await.unwrap();
    let message = "The email or password is not correct.";
    assert!(wrong.contains(message) && unknown.contains(message));
    assert!(!visitor.cookies.contains_key("kairos_session"));
    // The typed email comes back, escaped.
    assert!(wrong.contains("value=\"ada@example.com\""), "{wrong}");
}

#[tokio::test]
async fn a_form_without_its_token_or_from_another_site_is_refused() {
    let app = spawn_app().await;
    person(&app, "ada@example.com").await;
    let mut visitor = Visitor::new(&app);

    // Sign-in without the form cookie's token: another site cannot sign a visitor in.
    let forged = visitor
        .post(
            "/auth/login",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(forged.status(), 403);

    let mut visitor = Visitor::signed_in(&app, "ada@example.com").await;
    let no_token = visitor.post("/auth/logout", &[]).await;
    assert_eq!(no_token.status(), 403);
    let wrong_token = visitor.post("/auth/logout", &[("_csrf", "0000")]).await;
    assert_eq!(wrong_token.status(), 403);
    visitor.origin = Some("https://evil.example".into());
    let cross_site = visitor.submit("/event-types", "/auth/logout", &[]).await;
    assert_eq!(cross_site.status(), 403);
    // Still signed in after all that.
    visitor.page("/event-types", 200).await;

    visitor.origin = Some(app.address.clone());
    let out = visitor.submit("/event-types", "/auth/logout", &[]).await;
    assert_eq!(out.status(), 303);
    assert_eq!(location(&out), "/auth/login");
    assert_eq!(visitor.get("/event-types").await.status(), 303);
}

#[tokio::test]
async fn a_stolen_cookie_stops_working_after_sign_out() {
    let app = spawn_app().await;
    person(&app, "ada@example.com").await;
    let mut visitor = Visitor::signed_in(&app, "ada@example.com").await;
    let mut thief = Visitor::new(&app);
    thief.cookies = visitor.cookies.clone();
    thief.page("/event-types", 200).await;
    visitor.submit("/event-types", "/auth/logout", &[]).await;
    assert_eq!(thief.get("/event-types").await.status(), 303);
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session_of_the_user() {
    let app = spawn_app().await;
    person(&app, "ada@example.com").await;
    person(&app, "bo@example.com").await;
    let mut laptop = Visitor::signed_in(&app, "ada@example.com").await;
    let mut phone = Visitor::signed_in(&app, "ada@example.com").await;
    let mut other = Visitor::signed_in(&app, "bo@example.com").await;
    let out = phone
        .submit("/event-types", "/auth/logout-everywhere", &[])
        .await;
    assert_eq!(out.status(), 303);
    assert_eq!(laptop.get("/event-types").await.status(), 303);
    assert_eq!(phone.get("/event-types").await.status(), 303);
    other.page("/event-types", 200).await;
}

#[tokio::test]
async fn sessions_end_when_idle_or_too_old_and_on_a_password_change() {
    let app = spawn_app().await;
    let ada = person(&app, "ada@example.com").await;
    let settings = sessions::Settings {
        idle: Duration::hours(1),
        absolute: Duration::hours(10),
        secure_cookie: false,
        signup: false,
    };
    let now = Utc::now();
    let open = async || {
        let (token, who) =
            sessions::sign_in(&app.db, &settings, "ada@example.com", PASSWORD, "test", now)
                .await
                .unwrap();
        (token.expose().to_owned(), who)
    };
    let resume = async |token: &str, at| {
        sessions::resume(&app.db, &settings, token, at)
            .await
            .unwrap()
            .is_some()
    };

    let (token, _) = open().await;
    assert!(resume(&token, now + Duration::minutes(59)).await);
    // Used at +59 min, so the idle clock restarted then.
    assert!(resume(&token, now + Duration::minutes(118)).await);
    assert!(
        !resume(&token, now + Duration::minutes(240)).await,
        "idle for 2 h"
    );
    assert!(!resume(&token, now).await, "an ended session stays ended");

    let (token, _) = open().await;
    let mut at = now;
    while at < now + Duration::hours(9) {
        at += Duration::minutes(50);
        assert!(resume(&token, at).await);
    }
    assert!(
        !resume(&token, now + Duration::hours(10)).await,
        "past the absolute limit"
    );

    let (kept, who) = open().await;
    let (other, _) = open().await;
    let refused = sessions::change_password(&app.db, &who, "wrong", "new password 1").await;
    assert!(refused.is_err());
    sessions::change_password(&app.db, &who, PASSWORD, "new password 1")
        .await
        .unwrap();
    assert!(
        resume(&kept, now).await,
        "the session that changed it stays"
    );
    assert!(!resume(&other, now).await, "every other session ends");
    let old = sessions::sign_in(&app.db, &settings, &ada.email, PASSWORD, "", now).await;
    assert!(old.is_err());
}

#[tokio::test]
async fn a_disabled_account_cannot_sign_in_or_use_its_keys() {
    let app = spawn_app().await;
    let ada = person(&app, "ada@example.com").await;
    let (_, key) = crate::helpers::new_key(&app.db, "ada@example.com").await;
    let mut visitor = Visitor::signed_in(&app, "ada@example.com").await;
    kairos::accounts::set_disabled(&app.db, ada.id, true)
        .await
        .unwrap();
    assert_eq!(visitor.get("/event-types").await.status(), 303);
    let refused = visitor.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(refused.status(), 401);
    assert!(refused.text().await.unwrap().contains("disabled"));
    assert_eq!(app.get_with_key("/v2/me", &key).await.status(), 401);

    kairos::accounts::set_disabled(&app.db, ada.id, false)
        .await
        .unwrap();
    assert_eq!(
        visitor.sign_in("ada@example.com", PASSWORD).await.status(),
        303
    );
    assert_eq!(app.get_with_key("/v2/me", &key).await.status(), 200);
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_account() {
    let app = spawn_app().await;
    person(&app, "ada@example.com").await;
    let mut visitor = Visitor::new(&app);
    for _ in 0..kairos::limits::SIGN_IN_PER_ACCOUNT.limit {
        let answer = visitor.sign_in("ada@example.com", "guess").await;
        assert_eq!(answer.status(), 401);
    }
    let refused = visitor.sign_in("ADA@example.com", PASSWORD).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    // Another account from the same address is still let through.
    person(&app, "bo@example.com").await;
    assert_eq!(
        visitor.sign_in("bo@example.com", PASSWORD).await.status(),
        303
    );
}

#[tokio::test]
async fn the_next_page_after_sign_in_stays_on_this_site() {
    let app = spawn_app().await;
    person(&app, "ada@example.com").await;
    for (next, expected) in [
        ("/bookings/upcoming", "/bookings/upcoming"),
        ("https://evil.example/", "/event-types"),
        ("//evil.example/", "/event-types"),
    ] {
        let mut visitor = Visitor::new(&app);
        let path = format!(
            "/auth/login?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        );
        let answer = visitor
            .submit(
                &path,
                "/auth/login",
                &[
                    ("email", "ada@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(location(&answer), expected, "next={next}");
    }
}

/// The link in the only email of `smtp`'s inbox that starts with `prefix`.
pub fn link_in(text: &str, prefix: &str) -> String {
    let at = text.find(prefix).expect("the email has the link");
    text[at..].split_whitespace().next().unwrap().to_owned()
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    person(&app, "ada@example.com").await;
    let mut visitor = Visitor::new(&app);
    let asked = visitor
        .submit(
            "/auth/forgot-password",
            "/auth/forgot-password",
            &[("email", "ada@example.com")],
        )
        .await;
    assert_eq!(asked.status(), 200);
    let for_nobody = visitor
        .submit(
            "/auth/forgot-password",
            "/auth/forgot-password",
            &[("email", "nobody@example.com")],
        )
        .await;
    // The same page for an unknown email: no way to learn who has an account.
    let (a, b) = (
        asked.text().await.unwrap(),
        for_nobody.text().await.unwrap(),
    );
    assert_eq!(a, b);

    let mails = smtp.wait_for(1).await;
    assert_eq!(mails[0].to, "ada@example.com");
    let link = link_in(
        &mails[0].text,
        &format!("{}/auth/reset-password?token=", app.address),
    );
    let path = link.trim_start_matches(&app.address).to_owned();
    let mut old_session = Visitor::signed_in(&app, "ada@example.com").await;

    let short = visitor
        .submit(
            &path,
            "/auth/reset-password",
            &[("token", &token_of(&path)), ("password", "short")],
        )
        .await;
    assert_eq!(short.status(), 422);
    let done = visitor
        .submit(
            &path,
            "/auth/reset-password",
            &[("token", &token_of(&path)), ("password", "a new password")],
        )
        .await;
    assert_eq!(done.status(), 303);
    visitor.page("/event-types", 200).await;
    assert_eq!(
        old_session.get("/event-types").await.status(),
        303,
        "older sessions end"
    );

    let again = visitor.get(&path).await;
    assert_eq!(again.status(), 410);
    assert!(again.text().await.unwrap().contains("already been used"));
    let mut fresh = Visitor::new(&app);
    assert_eq!(
        fresh.sign_in("ada@example.com", PASSWORD).await.status(),
        401
    );
    assert_eq!(
        fresh
            .sign_in("ada@example.com", "a new password")
            .await
            .status(),
        303
    );
    assert_eq!(
        smtp.wait_for(1).await.len(),
        1,
        "no email for the unknown address"
    );
}

pub fn token_of(path: &str) -> String {
    path.split("token=").nth(1).unwrap().to_owned()
}

/// The key the test application signs links with (the test configuration's secret key).
fn app_signer() -> kairos::auth::TokenSigner {
    let secret = kairos::config::Secret::new("test-secret-key-0123456789abcdef-0123".into());
    kairos::auth::TokenSigner::new(&kairos::crypto::derive_key(
        &secret,
        kairos::crypto::Purpose::SIGNED_TOKEN,
    ))
}

fn invitee(email: &str) -> kairos::accounts::NewAccount {
    kairos::accounts::NewAccount {
        email: kairos::domain::Email::parse(email).unwrap(),
        name: kairos::domain::PersonName::parse("Cleo").unwrap(),
        time_zone: kairos::domain::TimeZoneName::parse("Europe/Paris").unwrap(),
        username: None,
        password: None,
        role: kairos::domain::Role::User,
    }
}

#[tokio::test]
async fn an_invitation_lets_the_invitee_choose_a_password_and_sign_in() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let admin = person(&app, "admin@example.com").await;
    let (cleo, link) = sessions::invite(
        &app.db,
        &app_signer(),
        &app.address,
        Some(&admin),
        invitee("cleo@example.com"),
        true,
        Utc::now(),
    )
    .await
    .unwrap();
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails[0].to, "cleo@example.com");
    assert!(mails[0].text.contains(&link), "{}", mails[0].text);
    let mut visitor = Visitor::new(&app);
    assert_eq!(
        visitor.sign_in(&cleo.email, "").await.status(),
        401,
        "no password yet"
    );

    let path = link.trim_start_matches(&app.address).to_owned();
    let html = visitor.page(&path, 200).await;
    assert!(html.contains("Welcome to Kairos"), "{html}");
    let done = visitor
        .submit(
            &path,
            "/auth/accept-invite",
            &[("token", &token_of(&path)), ("password", "cleo's password")],
        )
        .await;
    assert_eq!(done.status(), 303);
    visitor.page("/event-types", 200).await;
    assert_eq!(
        visitor.get(&path).await.status(),
        410,
        "an invitation is used once"
    );
    // A reset token is not an invitation, nor the other way round.
    let as_reset = path.replace("/auth/accept-invite", "/auth/reset-password");
    assert_eq!(visitor.get(&as_reset).await.status(), 410);

    // A link signed with another key is refused.
    let (_, foreign) = sessions::invite(
        &app.db,
        &kairos::auth::TokenSigner::new(&[9; 32]),
        &app.address,
        Some(&admin),
        invitee("dan@example.com"),
        false,
        Utc::now(),
    )
    .await
    .unwrap();
    let foreign = foreign.trim_start_matches(&app.address).to_owned();
    assert_eq!(visitor.get(&foreign).await.status(), 410);
}

#[tokio::test]
async fn sign_up_is_off_by_default_and_opens_an_account_when_on() {
    let app = spawn_app().await;
    let mut visitor = Visitor::new(&app);
    assert_eq!(visitor.get("/auth/signup").await.status(), 404);

    let database = crate::helpers::TestDatabase::new().await;
    let mut config = database.config();
    config.signup = true;
    let app = crate::helpers::spawn_app_with(config, database).await;
    let mut visitor = Visitor::new(&app);
    let form = [
        ("name", "Dee"),
        ("email", "dee@example.com"),
        ("timeZone", "Mars/Olympus"),
        ("password", "dee's password"),
    ];
    let refused = visitor.submit("/auth/signup", "/auth/signup", &form).await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("timeZone"), "{html}");
    assert!(
        html.contains("value=\"dee@example.com\""),
        "the input is kept: {html}"
    );

    let mut form = form;
    form[2].1 = "America/Chicago";
    let created = visitor.submit("/auth/signup", "/auth/signup", &form).await;
    assert_eq!(created.status(), 303);
    visitor.page("/event-types", 200).await;
    let twice = Visitor::new(&app)
        .submit("/auth/signup", "/auth/signup", &form)
        .await;
    assert_eq!(twice.status(), 422);

    // A person called `d` or `forms` by their email is not given a reserved path.
    for email in ["d@example.com", "forms@example.com"] {
        let mut form = form;
        form[1].1 = email;
        let mut visitor = Visitor::new(&app);
        let created = visitor.submit("/auth/signup", "/auth/signup", &form).await;
        assert_eq!(created.status(), 303);
        let user = app
            .db
            .run(async |c| kairos::storage::users::find_by_email(c, email).await);
        let username = user.await.unwrap().unwrap().username;
        assert!(
            !["d", "forms"].contains(&username.as_str()),
            "{email}: {username}"
        );
    }
}
