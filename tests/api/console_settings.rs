//! The console's own settings: the profile (seen again through `GET /v2/me`), the password and
//! sessions, and API keys made, used and revoked from the page.

use crate::console::{PASSWORD, Visitor, location, person};
use crate::helpers::{TestApp, new_key, spawn_app};

const PROFILE: &str = "/settings/my-account/profile";
const SECURITY: &str = "/settings/security";
const KEYS: &str = "/settings/developer/api-keys";

async fn me(app: &TestApp, key: &str) -> serde_json::Value {
    let answer = app.get_with_key("/v2/me", key).await;
    assert_eq!(answer.status(), 200);
    answer.json::<serde_json::Value>().await.unwrap()["data"].clone()
}

fn profile_form<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("name", "Ada Host"),
        ("username", "ada"),
        ("email", "ada@example.com"),
        ("timeZone", "Europe/Berlin"),
        ("weekStart", "Monday"),
        ("timeFormat", "24"),
        ("locale", "en"),
        ("brandColor", "#292929"),
        ("darkBrandColor", "#fafafa"),
        ("bio", ""),
    ];
    for (key, value) in changes {
        form.iter_mut().find(|(k, _)| k == key).unwrap().1 = value;
    }
    form
}

#[tokio::test]
async fn a_profile_saved_on_the_page_is_what_the_api_shows() {
    let app = spawn_app().await;
    person(&app, "ada@example.com").await;
    let (_, key) = new_key(&app.db, "ada@example.com").await;
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;
    let html = ada.page(PROFILE, 200).await;
    assert!(html.contains("value=\"Europe/Berlin\" selected"), "{html}");
    assert!(html.contains("<label for=\"timeZone\">"), "{html}");

    let form = profile_form(&[
        ("name", "Ada Lovelace"),
        ("username", "ada-l"),
        ("email", "Lovelace@Example.com"),
        ("timeZone", "America/New_York"),
        ("weekStart", "Sunday"),
        ("timeFormat", "12"),
        ("locale", "de"),
        ("brandColor", "#112233"),
        ("darkBrandColor", "#445566"),
        ("bio", "Counting machines.\r\nSecond line."),
    ]);
    let saved = ada.submit(PROFILE, PROFILE, &form).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&saved), format!("{PROFILE}?saved=1"));

    let data = me(&app, &key).await;
    assert_eq!(data["name"], "Ada Lovelace");
    assert_eq!(data["username"], "ada-l");
    assert_eq!(data["email"], "lovelace@example.com");
    assert_eq!(data["timeZone"], "America/New_York");
    assert_eq!(data["weekStart"], "Sunday");
    assert_eq!(data["timeFormat"], 12);
    assert_eq!(data["locale"], "de");
    assert_eq!(data["brandColor"], "#112233");
    assert_eq!(data["darkBrandColor"], "#445566");
    assert_eq!(data["bio"], "Counting machines.\nSecond line.");

    // The console now speaks the chosen language.
    let html = ada.page(&format!("{PROFILE}?saved=1"), 200).await;
    assert!(html.contains("Dein Profil ist gespeichert."), "{html}");
    assert!(html.contains("<html lang=\"de\""), "{html}");
}

#[tokio::test]
async fn a_refused_profile_change_is_shown_at_its_field_and_keeps_the_input() {
    let app = spawn_app().await;
    person(&app, "ada@example.com").await;
    person(&app, "bo@example.com").await;
    let (_, key) = new_key(&app.db, "ada@example.com").await;
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;

    let taken = ada
        .submit(
            PROFILE,
            PROFILE,
            &profile_form(&[("username", "bo"), ("name", "Ada Typed")]),
        )
        .await;
    assert_eq!(taken.status(), 409);
    let html = taken.text().await.unwrap();
    assert!(
        html.contains("id=\"username-error\" role=\"alert\">bo is already taken"),
        "{html}"
    );
    assert!(
        html.contains("value=\"Ada Typed\""),
        "the input is kept: {html}"
    );

    for (field, value) in [
        ("username", "Not Valid"),
        ("timeZone", "Mars/Olympus"),
        ("brandColor", "blue"),
        ("timeFormat", "13"),
        ("name", "Ada\u{7}"),
    ] {
        let refused = ada
            .submit(PROFILE, PROFILE, &profile_form(&[(field, value)]))
            .await;
        assert_eq!(refused.status(), 422, "{field}");
        let html = refused.text().await.unwrap();
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {html}"
        );
    }
    let data = me(&app, &key).await;
    assert_eq!(data["username"], "ada");
    assert_eq!(data["name"], "Ada Host");
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    let app = spawn_app().await;
    person(&app, "ada@example.com").await;
    let mut laptop = Visitor::signed_in(&app, "ada@example.com").await;
    let mut phone = Visitor::signed_in(&app, "ada@example.com").await;

    let html = laptop.page(SECURITY, 200).await;
    assert_eq!(
        html.matches("<tr data-current-session").count(),
        1,
        "{html}"
    );
    assert_eq!(
        html.matches("<td>Unknown").count(),
        2,
        "two sessions: {html}"
    );

    let wrong = laptop
        .submit(
            SECURITY,
            "/settings/security/password",
            &[
                ("currentPassword", "not it"),
                ("newPassword", "a new password"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("id=\"currentPassword-error\""), "{html}");
    phone.page(SECURITY, 200).await;

    let changed = laptop
        .submit(
            SECURITY,
            "/settings/security/password",
            &[
                ("currentPassword", PASSWORD),
                ("newPassword", "a new password"),
            ],
        )
        .await;
    assert_eq!(changed.status(), 303);
    assert_eq!(location(&changed), format!("{SECURITY}?saved=1"));
    laptop.page(SECURITY, 200).await;
    assert_eq!(
        phone.get(SECURITY).await.status(),
        303,
        "the other session ended"
    );

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
}

#[tokio::test]
async fn sign_out_everywhere_from_the_security_page_ends_both_sessions() {
    let app = spawn_app().await;
    person(&app, "ada@example.com").await;
    let mut laptop = Visitor::signed_in(&app, "ada@example.com").await;
    let mut phone = Visitor::signed_in(&app, "ada@example.com").await;
    let out = laptop
        .submit(SECURITY, "/auth/logout-everywhere", &[])
        .await;
    assert_eq!(out.status(), 303);
    assert_eq!(laptop.get(SECURITY).await.status(), 303);
    assert_eq!(phone.get(SECURITY).await.status(), 303);
}

/// The secret a freshly answered API keys page shows.
fn secret_in(html: &str) -> String {
    let marker = "id=\"new-api-key\">";
    let at = html.find(marker).expect("the new key is shown") + marker.len();
    html[at..html[at..].find('<').unwrap() + at].to_owned()
}

#[tokio::test]
async fn an_api_key_made_on_the_page_works_until_it_is_revoked() {
    let app = spawn_app().await;
    let ada_user = person(&app, "ada@example.com").await;
    person(&app, "bo@example.com").await;
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;

    let created = ada
        .submit(KEYS, KEYS, &[("name", "deploy bot"), ("expires", "30")])
        .await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["cache-control"], "no-store");
    let secret = secret_in(&created.text().await.unwrap());
    assert!(secret.starts_with("cal_live_"), "{secret}");
    assert_eq!(me(&app, &secret).await["email"], "ada@example.com");

    let listed = ada.page(KEYS, 200).await;
    assert!(listed.contains("deploy bot"), "{listed}");
    assert!(!listed.contains(&secret), "the secret is shown once only");
    assert!(!listed.contains(&secret[13..]), "no part of it either");
    assert!(!listed.contains("Not yet"), "the key was used: {listed}");
    let keys = kairos::accounts::list_api_keys(&app.db, ada_user.id)
        .await
        .unwrap();
    assert_eq!(keys.len(), 1);
    assert!(keys[0].expires_at.is_some());
    let revoke = format!("{KEYS}/{}/revoke", keys[0].id);

    // Someone else cannot revoke it.
    let mut bo = Visitor::signed_in(&app, "bo@example.com").await;
    assert_eq!(bo.submit(KEYS, &revoke, &[]).await.status(), 404);
    assert!(!bo.page(KEYS, 200).await.contains("deploy bot"));
    me(&app, &secret).await;

    let revoked = ada.submit(KEYS, &revoke, &[]).await;
    assert_eq!(revoked.status(), 303);
    assert_eq!(
        app.get_with_key("/v2/me", &secret).await.status(),
        401,
        "a revoked key stops"
    );
    assert!(!ada.page(KEYS, 200).await.contains("deploy bot"));
}

#[tokio::test]
async fn a_key_without_a_name_is_refused_at_its_field() {
    let app = spawn_app().await;
    let ada_user = person(&app, "ada@example.com").await;
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;
    for (name, expires, field) in [(" ", "", "name"), ("ok", "-3", "expires")] {
        let refused = ada
            .submit(KEYS, KEYS, &[("name", name), ("expires", expires)])
            .await;
        assert_eq!(refused.status(), 422);
        let html = refused.text().await.unwrap();
        assert!(html.contains(&format!("id=\"{field}-error\"")), "{html}");
        assert!(!html.contains("id=\"new-api-key\""), "{html}");
    }
    let keys = kairos::accounts::list_api_keys(&app.db, ada_user.id)
        .await
        .unwrap();
    assert!(keys.is_empty());
}

#[tokio::test]
async fn settings_forms_without_the_token_or_from_another_site_are_refused() {
    let app = spawn_app().await;
    let ada_user = person(&app, "ada@example.com").await;
    let mut ada = Visitor::signed_in(&app, "ada@example.com").await;
    let no_token = ada.post(KEYS, &[("name", "forged"), ("expires", "")]).await;
    assert_eq!(no_token.status(), 403);
    let renamed = profile_form(&[("name", "Forged")]);
    assert_eq!(ada.post(PROFILE, &renamed).await.status(), 403);
    ada.origin = Some("https://evil.example".into());
    let cross_site = ada
        .submit(KEYS, KEYS, &[("name", "forged"), ("expires", "")])
        .await;
    assert_eq!(cross_site.status(), 403);
    let cross_site = ada
        .submit(
            SECURITY,
            "/settings/security/password",
            &[
                ("currentPassword", PASSWORD),
                ("newPassword", "stolen password"),
            ],
        )
        .await;
    assert_eq!(cross_site.status(), 403);

    let keys = kairos::accounts::list_api_keys(&app.db, ada_user.id)
        .await
        .unwrap();
    assert!(keys.is_empty());
    let profile = kairos::accounts::profile(&app.db, ada_user.id)
        .await
        .unwrap();
    assert_eq!(profile.user.name, "Ada Host");
    let mut fresh = Visitor::new(&app);
    assert_eq!(
        fresh.sign_in("ada@example.com", PASSWORD).await.status(),
        303
    );
}

#[tokio::test]
async fn the_settings_pages_need_a_session() {
    let app = spawn_app().await;
    let mut visitor = Visitor::new(&app);
    for page in [PROFILE, SECURITY, KEYS, "/settings"] {
        let answer = visitor.get(page).await;
        assert_eq!(answer.status(), 303, "{page}");
        assert!(location(&answer).starts_with("/auth/login"), "{page}");
    }
}
