//! The instance admin's pages: only admins get in; invitations (emailed, or shown once when
//! email is off) that end with the invitee signed in; disabling accounts; the admin role and
//! its last holder; the users list's search and pages; and, in Chromium, an invitation from the
//! admin's page to the member signed in, with axe-core on the settings and admin pages.

use kairos::accounts::{self, NewAccount};
use kairos::domain::{Email, PersonName, Role, TimeZoneName};
use kairos::storage::users::{self, User};

use crate::browser::{Driver, ONE_AT_A_TIME, fill, screenshot, text_of, wait_for};
use crate::console::{PASSWORD, Visitor, link_in, location, person, token_of};
use crate::console_browser::axe_violations;
use crate::email::{SmtpServer, app_with_smtp};
use crate::helpers::{TestApp, spawn_app};

const ADMIN: &str = "/settings/admin";
const USERS: &str = "/settings/admin/users";

/// A person with [`PASSWORD`] and the ADMIN role.
async fn admin(app: &TestApp, email: &str) -> User {
    let user = person(app, email).await;
    app.db
        .run(async |c| users::set_role(c, user.id, "ADMIN").await)
        .await
        .unwrap();
    user
}

async fn role_of(app: &TestApp, id: i64) -> User {
    app.db
        .run(async |c| users::find(c, id).await)
        .await
        .unwrap()
}

#[tokio::test]
async fn only_admins_get_the_admin_pages_and_actions() {
    let app = spawn_app().await;
    admin(&app, "root@example.com").await;
    let bo = person(&app, "bo@example.com").await;
    let mut boss = Visitor::signed_in(&app, "root@example.com").await;
    let mut user = Visitor::signed_in(&app, "bo@example.com").await;

    let html = boss.page(ADMIN, 200).await;
    let backend = if app.database.is_postgres() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    assert!(html.contains(backend), "{html}");
    assert!(html.contains("reachable"), "{html}");
    assert!(html.contains(env!("CARGO_PKG_VERSION")), "{html}");
    assert!(
        html.contains("href=\"/settings/admin\""),
        "the nav has Admin"
    );
    boss.page(USERS, 200).await;

    assert!(
        !user
            .page("/event-types", 200)
            .await
            .contains("href=\"/settings/admin\"")
    );
    for page in [ADMIN, USERS] {
        assert_eq!(user.get(page).await.status(), 404, "{page}");
    }
    let status = format!("{USERS}/{}/status", bo.id);
    let role = format!("{USERS}/{}/role", bo.id);
    let refused = [
        user.submit("/event-types", &role, &[("role", "ADMIN")])
            .await,
        user.submit("/event-types", &status, &[("disabled", "true")])
            .await,
        user.submit(
            "/event-types",
            USERS,
            &[
                ("email", "x@example.com"),
                ("name", "X"),
                ("timeZone", "UTC"),
            ],
        )
        .await,
    ];
    for answer in refused {
        assert_eq!(answer.status(), 404, "as if there were no such page");
    }
    let bo = role_of(&app, bo.id).await;
    assert_eq!(bo.role, "USER");
    assert!(!bo.is_disabled());
    let x = app
        .db
        .run(async |c| users::find_by_email(c, "x@example.com").await);
    assert!(x.await.unwrap().is_none(), "no invitation was made");
}

#[tokio::test]
async fn an_emailed_invitation_ends_with_the_invitee_signed_in() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    admin(&app, "root@example.com").await;
    let mut boss = Visitor::signed_in(&app, "root@example.com").await;
    let invited = boss
        .submit(
            USERS,
            USERS,
            &[
                ("email", "Cleo@Example.com"),
                ("name", "Cleo Invitee"),
                ("timeZone", "Europe/Paris"),
            ],
        )
        .await;
    assert_eq!(invited.status(), 303);
    assert_eq!(location(&invited), format!("{USERS}?notice=invited"));
    let html = boss.page(&location(&invited), 200).await;
    assert!(html.contains("cleo@example.com"), "{html}");
    assert!(
        !html.contains("invitation-link"),
        "emailed, not shown: {html}"
    );

    let mails = smtp.wait_for(1).await;
    assert_eq!(mails[0].to, "cleo@example.com");
    assert!(
        mails[0].subject.contains("Ada Host"),
        "{}",
        mails[0].subject
    );
    let link = link_in(
        &mails[0].text,
        &format!("{}/auth/accept-invite?token=", app.address),
    );
    let path = link.trim_start_matches(&app.address).to_owned();
    let mut cleo = Visitor::new(&app);
    let done = cleo
        .submit(
            &path,
            "/auth/accept-invite",
            &[("token", &token_of(&path)), ("password", "cleo's password")],
        )
        .await;
    assert_eq!(done.status(), 303);
    cleo.page("/event-types", 200).await;
    let mut later = Visitor::new(&app);
    assert_eq!(
        later
            .sign_in("cleo@example.com", "cleo's password")
            .await
            .status(),
        303
    );
    assert_eq!(later.get(ADMIN).await.status(), 404, "invited as a user");

    // The same email again is a conflict, shown at the email field.
    let again = boss
        .submit(
            USERS,
            USERS,
            &[
                ("email", "cleo@example.com"),
                ("name", "Cleo"),
                ("timeZone", "UTC"),
            ],
        )
        .await;
    assert_eq!(again.status(), 409);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("id=\"invite-email-error\"")
    );
}

#[tokio::test]
async fn without_email_the_invitation_link_is_shown_once() {
    let app = spawn_app().await;
    admin(&app, "root@example.com").await;
    let mut boss = Visitor::signed_in(&app, "root@example.com").await;
    let invited = boss
        .submit(
            USERS,
            USERS,
            &[
                ("email", "dan@example.com"),
                ("name", "Dan"),
                ("timeZone", "Asia/Tokyo"),
                ("admin", "true"),
            ],
        )
        .await;
    assert_eq!(invited.status(), 201);
    assert_eq!(invited.headers()["cache-control"], "no-store");
    let html = invited.text().await.unwrap();
    let link = link_in(&html, &format!("{}/auth/accept-invite?token=", app.address));
    let link = link.split('<').next().unwrap().to_owned();
    let token = token_of(&link);
    assert!(!boss.page(USERS, 200).await.contains(&token), "shown once");

    let path = link.trim_start_matches(&app.address).to_owned();
    let mut dan = Visitor::new(&app);
    let done = dan
        .submit(
            &path,
            "/auth/accept-invite",
            &[("token", &token), ("password", "dan's password")],
        )
        .await;
    assert_eq!(done.status(), 303);
    dan.page(ADMIN, 200).await;
    let refused = boss
        .submit(
            USERS,
            USERS,
            &[
                ("email", "not an email"),
                ("name", "Eve"),
                ("timeZone", "UTC"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("id=\"invite-email-error\""), "{html}");
    assert!(html.contains("value=\"Eve\""), "the input is kept: {html}");
}

#[tokio::test]
async fn an_account_created_with_a_password_signs_in_at_once() {
    let app = spawn_app().await;
    admin(&app, "root@example.com").await;
    let mut boss = Visitor::signed_in(&app, "root@example.com").await;
    let short = boss
        .submit(
            USERS,
            USERS,
            &[
                ("email", "fay@example.com"),
                ("name", "Fay Typed"),
                ("timeZone", "UTC"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(short.status(), 422);
    let html = short.text().await.unwrap();
    assert!(html.contains("id=\"invite-password-error\""), "{html}");
    assert!(
        html.contains("value=\"Fay Typed\""),
        "the input is kept: {html}"
    );
    let none = app
        .db
        .run(async |c| users::find_by_email(c, "fay@example.com").await);
    assert!(none.await.unwrap().is_none(), "nothing was created");

    let created = boss
        .submit(
            USERS,
            USERS,
            &[
                ("email", "fay@example.com"),
                ("name", "Fay"),
                ("timeZone", "Europe/Madrid"),
                ("password", "fay's own password"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    assert_eq!(location(&created), format!("{USERS}?notice=created"));
    let html = boss.page(&location(&created), 200).await;
    assert!(html.contains("fay@example.com"), "{html}");
    assert!(!html.contains("invitation-link"), "no link: {html}");
    let mut fay = Visitor::new(&app);
    let signed_in = fay.sign_in("fay@example.com", "fay's own password").await;
    assert_eq!(signed_in.status(), 303);
    fay.page("/event-types", 200).await;
    assert_eq!(fay.get(ADMIN).await.status(), 404, "created as a user");
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_until_enabled_again() {
    let app = spawn_app().await;
    let root = admin(&app, "root@example.com").await;
    let bo = person(&app, "bo@example.com").await;
    let mut boss = Visitor::signed_in(&app, "root@example.com").await;
    let mut user = Visitor::signed_in(&app, "bo@example.com").await;
    let status = format!("{USERS}/{}/status", bo.id);

    let disabled = boss.submit(USERS, &status, &[("disabled", "true")]).await;
    assert_eq!(disabled.status(), 303);
    assert_eq!(user.get("/event-types").await.status(), 303, "signed out");
    let refused = user.sign_in("bo@example.com", PASSWORD).await;
    assert_eq!(refused.status(), 401);
    assert!(refused.text().await.unwrap().contains("disabled"));

    // Not your own account.
    let own = format!("{USERS}/{}/status", root.id);
    let mine = boss.submit(USERS, &own, &[("disabled", "true")]).await;
    assert_eq!(mine.status(), 409);
    assert!(mine.text().await.unwrap().contains("your own account"));
    boss.page(ADMIN, 200).await;

    let enabled = boss.submit(USERS, &status, &[("disabled", "false")]).await;
    assert_eq!(enabled.status(), 303);
    assert_eq!(user.sign_in("bo@example.com", PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted() {
    let app = spawn_app().await;
    let root = admin(&app, "root@example.com").await;
    let bo = person(&app, "bo@example.com").await;
    let mut boss = Visitor::signed_in(&app, "root@example.com").await;
    let own = format!("{USERS}/{}/role", root.id);

    let refused = boss.submit(USERS, &own, &[("role", "USER")]).await;
    assert_eq!(refused.status(), 409);
    assert!(refused.text().await.unwrap().contains("last administrator"));
    assert_eq!(role_of(&app, root.id).await.role, "ADMIN");

    let promoted = boss
        .submit(
            USERS,
            &format!("{USERS}/{}/role", bo.id),
            &[("role", "ADMIN")],
        )
        .await;
    assert_eq!(promoted.status(), 303);
    assert_eq!(role_of(&app, bo.id).await.role, "ADMIN");
    // With a second admin, stepping down is allowed, and then the pages are closed.
    let stepped_down = boss.submit(USERS, &own, &[("role", "USER")]).await;
    assert_eq!(stepped_down.status(), 303);
    assert_eq!(boss.get(ADMIN).await.status(), 404);
    let mut other = Visitor::signed_in(&app, "bo@example.com").await;
    let bo_own = format!("{USERS}/{}/role", bo.id);
    let last = other.submit(USERS, &bo_own, &[("role", "USER")]).await;
    assert_eq!(last.status(), 409);
}

async fn someone(app: &TestApp, n: usize) {
    let account = NewAccount {
        email: Email::parse(&format!("user{n:02}@example.com")).unwrap(),
        name: PersonName::parse(&format!("Person {n:02}")).unwrap(),
        time_zone: TimeZoneName::parse("UTC").unwrap(),
        username: None,
        password: None,
        role: Role::User,
    };
    accounts::create_user(&app.db, account).await.unwrap();
}

/// The `href` of the link with `rel`.
fn rel_link(html: &str, rel: &str) -> Option<String> {
    let end = html.find(&format!("\" rel=\"{rel}\""))?;
    let start = html[..end].rfind("href=\"")? + "href=\"".len();
    Some(html[start..end].replace("&amp;", "&"))
}

#[tokio::test]
async fn the_users_list_searches_and_pages() {
    let app = spawn_app().await;
    admin(&app, "root@example.com").await;
    for n in 1..=30 {
        someone(&app, n).await;
    }
    let mut boss = Visitor::signed_in(&app, "root@example.com").await;

    let first = boss.page(USERS, 200).await;
    assert_eq!(first.matches("data-user=").count(), 25);
    assert!(rel_link(&first, "prev").is_none());
    let next = rel_link(&first, "next").expect("a next page");
    let second = boss.page(&format!("{USERS}{next}"), 200).await;
    assert_eq!(second.matches("data-user=").count(), 6);
    assert!(second.contains("user30@example.com"), "{second}");
    assert!(rel_link(&second, "next").is_none());
    let previous = rel_link(&second, "prev").expect("a previous page");
    let back = boss.page(&format!("{USERS}{previous}"), 200).await;
    assert_eq!(back.matches("data-user=").count(), 25);
    assert!(back.contains("root@example.com"), "{back}");

    let by_name = boss.page(&format!("{USERS}?q=person+2"), 200).await;
    assert_eq!(by_name.matches("data-user=").count(), 10, "Person 20-29");
    let by_email = boss.page(&format!("{USERS}?q=USER07"), 200).await;
    assert_eq!(by_email.matches("data-user=").count(), 1);
    assert!(by_email.contains("user07@example.com"));
    let wildcard = boss.page(&format!("{USERS}?q=%25"), 200).await;
    assert_eq!(
        wildcard.matches("data-user=").count(),
        0,
        "% is a character"
    );
    assert!(wildcard.contains("No users match."));
}

#[tokio::test]
async fn admin_actions_without_the_token_are_refused() {
    let app = spawn_app().await;
    admin(&app, "root@example.com").await;
    let bo = person(&app, "bo@example.com").await;
    let mut boss = Visitor::signed_in(&app, "root@example.com").await;
    let status = format!("{USERS}/{}/status", bo.id);
    assert_eq!(
        boss.post(&status, &[("disabled", "true")]).await.status(),
        403
    );
    boss.origin = Some("https://evil.example".into());
    let forged = boss
        .submit(
            USERS,
            &format!("{USERS}/{}/role", bo.id),
            &[("role", "ADMIN")],
        )
        .await;
    assert_eq!(forged.status(), 403);
    let bo = role_of(&app, bo.id).await;
    assert!(!bo.is_disabled());
    assert_eq!(bo.role, "USER");
}

/// axe-core's serious and critical findings on `path`, once `css` is on it.
async fn axe_on(browser: &fantoccini::Client, app: &TestApp, path: &str, css: &str) {
    browser
        .goto(&format!("{}{path}", app.address))
        .await
        .unwrap();
    wait_for(browser, css).await;
    assert_eq!(
        axe_violations(browser).await,
        Vec::<String>::new(),
        "{path}"
    );
}

#[tokio::test]
async fn in_chromium_an_admin_invites_a_member_who_sets_a_password_and_is_signed_in() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    admin(&app, "root@example.com").await;
    let mut driver = Driver::start("Europe/Berlin").await;
    let boss = driver.browser(1280, 900).await;
    boss.goto(&format!("{}/auth/login", app.address))
        .await
        .unwrap();
    fill(&boss, "#email", "root@example.com").await;
    fill(&boss, "#password", PASSWORD).await;
    wait_for(&boss, "form.auth-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&boss, ".console-nav a[aria-current='page']").await;
    axe_on(&boss, &app, ADMIN, ".admin-facts").await;
    axe_on(&boss, &app, USERS, "#invite-email").await;
    screenshot(&boss, "console-admin-users").await;

    fill(&boss, "#invite-email", "mia@example.com").await;
    fill(&boss, "#invite-name", "Mia Member").await;
    wait_for(
        &boss,
        // The search form has the same action; this is the POST one.
        "form[method=post][action='/settings/admin/users'] button",
    )
    .await
    .click()
    .await
    .unwrap();
    let link = text_of(&boss, "#invitation-link").await;
    assert!(link.contains("/auth/accept-invite?token="), "{link}");
    assert_eq!(
        axe_violations(&boss).await,
        Vec::<String>::new(),
        "the link shown"
    );
    boss.close().await.unwrap();

    let member = driver.browser(1280, 900).await;
    member.goto(&link).await.unwrap();
    fill(&member, "#password", "mia's new password").await;
    wait_for(&member, "form.auth-form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&member, ".console-nav a[aria-current='page']").await;
    assert_eq!(member.current_url().await.unwrap().path(), "/event-types");
    assert!(
        !text_of(&member, ".console-nav").await.contains("Admin"),
        "a member has no admin pages"
    );
    axe_on(&member, &app, "/settings/my-account/profile", "#timeZone").await;
    axe_on(
        &member,
        &app,
        "/settings/my-account/notifications",
        "#bookingCancelled",
    )
    .await;
    axe_on(&member, &app, "/settings/security", "#currentPassword").await;
    axe_on(&member, &app, "/settings/developer/api-keys", "#name").await;
    screenshot(&member, "console-settings-api-keys").await;
    member.close().await.unwrap();
}
