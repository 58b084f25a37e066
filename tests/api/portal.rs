//! The booker's portal (`/my-bookings`) and the signed links in booking emails, over real HTTP
//! with the console tests' cookie jar (`Visitor`) and a real SMTP conversation (`SmtpServer`):
//! the emailed sign-in link, its expiry and single use, the same answer for any address,
//! throttling, one booker never reaching another's bookings, CSRF, and manage links whose
//! token is checked.

use chrono::{Duration, SecondsFormat, Utc};
use reqwest::Method as M;
use serde_json::{Value, json};

use crate::console::{Visitor, csrf_in, location};
use crate::console_bookings::into_the_past;
use crate::email::{Mail, SmtpServer, app_with_smtp};
use crate::helpers::{
    TestApp, always_bookable, booking_of, create_user, data, eventually, new_key,
};
use kairos::sessions::booker::AUDIENCE;

/// The key the test application signs with (its configuration's secret key).
pub(crate) fn app_signer() -> kairos::auth::TokenSigner {
    let secret = kairos::config::Secret::new("test-secret-key-0123456789abcdef-0123".into());
    kairos::auth::TokenSigner::new(&kairos::crypto::derive_key(
        &secret,
        kairos::crypto::Purpose::SIGNED_TOKEN,
    ))
}

/// A host `email` with an event type `slug` bookable around the clock; (API key, event id).
pub(crate) async fn host(app: &TestApp, email: &str, name: &str, slug: &str) -> (String, i64) {
    create_user(&app.db, email, "Europe/Berlin").await;
    let key = new_key(&app.db, email).await.1;
    data(
        app.call(M::PATCH, "/v2/me", Some(&key), Some(json!({"name": name})))
            .await,
        200,
    )
    .await;
    let body = json!({"title": format!("{name}'s call"), "slug": slug, "lengthInMinutes": 30,
        "locations": [{"type": "link", "link": "https://meet.example/room"}]});
    let event = always_bookable(app, &key, body).await;
    (key, event)
}

/// A booking of `event` by `name` <`email`> `days` ahead at `hour`:00 UTC; its uid.
pub(crate) async fn book(
    app: &TestApp,
    event: i64,
    days: i64,
    hour: u32,
    name: &str,
    email: &str,
) -> String {
    let day = Utc::now().date_naive() + Duration::days(days);
    let start = day.and_hms_opt(hour, 0, 0).unwrap().and_utc();
    let body = json!({"eventTypeId": event, "start": start.to_rfc3339_opts(SecondsFormat::Secs, true),
        "attendee": {"name": name, "email": email, "timeZone": "Europe/Paris"}});
    let booked: Value = data(
        app.call(M::POST, "/v2/bookings", None, Some(body)).await,
        201,
    )
    .await;
    booked["uid"].as_str().unwrap().to_owned()
}

/// The sign-in email sent to `to` (the `n`th, from 1), once it arrived.
async fn link_mail(smtp: &SmtpServer, to: &str, n: usize) -> Mail {
    let what = format!("sign-in email {n} to {to}");
    eventually(&what, std::time::Duration::from_secs(15), async || {
        let mut mine: Vec<Mail> = (smtp.mails().await.into_iter())
            .filter(|m| m.to == to && m.text.contains("/my-bookings/sign-in?"))
            .collect();
        if mine.len() >= n {
            Ok(mine.swap_remove(n - 1))
        } else {
            Err(format!("{} so far", mine.len()))
        }
    })
    .await
}

/// The sign-in link in `mail`, as a path on the app.
pub(crate) fn link_path(app: &TestApp, mail: &Mail) -> String {
    let line = (mail.text.lines())
        .find(|l| l.contains("/my-bookings/sign-in?"))
        .expect("a sign-in link");
    line.trim().trim_start_matches(&app.address).to_owned()
}

/// Asks for a link for `email` on the portal's front page.
async fn ask(visitor: &mut Visitor<'_>, email: &str) -> reqwest::Response {
    visitor
        .submit("/my-bookings", "/my-bookings", &[("email", email)])
        .await
}

/// Opens `path` (a sign-in link) and continues: the session starts.
async fn continue_with(visitor: &mut Visitor<'_>, path: &str) -> reqwest::Response {
    let token = path.split("token=").nth(1).unwrap().to_owned();
    let action = path.split("&token=").next().unwrap().to_owned();
    visitor.submit(path, &action, &[("token", &token)]).await
}

/// A booker signed in through the emailed link (the `n`th sent to `email`).
async fn signed_in<'a>(app: &'a TestApp, smtp: &SmtpServer, email: &str, n: usize) -> Visitor<'a> {
    let mut visitor = Visitor::new(app);
    assert_eq!(ask(&mut visitor, email).await.status(), 200);
    let path = link_path(app, &link_mail(smtp, email, n).await);
    assert_eq!(continue_with(&mut visitor, &path).await.status(), 303);
    visitor
}

/// The bookings a portal list shows (`id` = `upcoming` or `past`), in order.
fn listed(html: &str, id: &str) -> Vec<String> {
    let Some(at) = html.find(&format!("id=\"{id}\"")) else {
        return Vec::new();
    };
    let rest = &html[at..];
    let rest = &rest[..rest.find("</ul>").unwrap()];
    rest.split("data-booking=\"")
        .skip(1)
        .map(|r| r[..r.find('"').unwrap()].to_owned())
        .collect()
}

/// The `href` of the link with `class` in booking `uid`'s item of a portal list, unescaped.
pub(crate) fn item_href(html: &str, uid: &str, class: &str) -> Option<String> {
    let item = &html[html.find(&format!("data-booking=\"{uid}\""))?..];
    let item = &item[..item.find("</li>")?];
    let at = item.find(&format!("class=\"{class}\""))?;
    let start = item[..at].rfind("href=\"")? + 6;
    let end = start + item[start..].find('"')?;
    Some(item[start..end].replace("&amp;", "&").replace("&#38;", "&"))
}

#[tokio::test]
async fn a_booker_signs_in_with_an_emailed_link_and_sees_every_hosts_bookings() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (ada_key, ada) = host(&app, "ada@host.example", "Ada Host", "intro").await;
    let (_, bob) = host(&app, "bob@host.example", "Bob Host", "consult").await;
    let with_ada = book(&app, ada, 5, 9, "Grace Hopper", "grace@example.com").await;
    let with_bob = book(&app, bob, 3, 10, "Grace Hopper", "Grace@Example.COM").await;
    let earlier = book(&app, bob, 8, 11, "Grace Hopper", "grace@example.com").await;
    into_the_past(&app, &earlier, 2).await;
    let alans = book(&app, ada, 6, 9, "Alan Turing", "alan@example.com").await;

    // Asked in any case; the answer names the address, nothing about bookings.
    let mut visitor = Visitor::new(&app);
    let front = visitor.page("/my-bookings", 200).await;
    assert!(front.contains("id=\"email-form\""), "{front}");
    let sent = ask(&mut visitor, "GRACE@example.com").await;
    assert_eq!(sent.status(), 200);
    let sent = sent.text().await.unwrap();
    assert!(
        sent.contains("We sent a link to grace@example.com"),
        "{sent}"
    );

    let mail = link_mail(&smtp, "grace@example.com", 1).await;
    assert!(
        mail.subject
            .starts_with("Your link to your bookings on 127.0.0.1:"),
        "{}",
        mail.subject
    );
    let path = link_path(&app, &mail);
    assert!(
        path.starts_with("/my-bookings/sign-in?lang=en&token="),
        "{path}"
    );

    // Opening the link only asks (mail scanners open links): still no session.
    let asked = visitor.get(&path).await;
    assert_eq!(asked.status(), 200);
    assert_eq!(asked.headers()["referrer-policy"], "same-origin");
    let asked = asked.text().await.unwrap();
    assert!(
        asked.contains("the bookings made with grace@example.com"),
        "{asked}"
    );
    assert!(
        visitor
            .page("/my-bookings", 200)
            .await
            .contains("id=\"email-form\"")
    );

    let opened = continue_with(&mut visitor, &path).await;
    assert_eq!(opened.status(), 303);
    assert_eq!(location(&opened), "/my-bookings?lang=en");
    let cookie = (opened.headers().get_all("set-cookie").iter())
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("kairos_booker="))
        .expect("the booker's session cookie");
    for attribute in [
        "HttpOnly",
        "SameSite=Lax",
        "Path=/my-bookings",
        "Max-Age=3600",
    ] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "the test site is plain http: {cookie}"
    );

    let list = visitor
        .page("/my-bookings?lang=en&tz=Asia/Tokyo", 200)
        .await;
    assert!(list.contains("Signed in as grace@example.com"), "{list}");
    assert_eq!(
        listed(&list, "upcoming"),
        vec![with_bob.clone(), with_ada.clone()]
    );
    assert_eq!(listed(&list, "past"), vec![earlier.clone()]);
    assert!(
        !list.contains(&alans),
        "another booker's booking is not listed"
    );
    assert!(
        list.contains("with Ada Host") && list.contains("with Bob Host"),
        "{list}"
    );
    // 10:00 UTC is 19:00 in Tokyo; the English clock reads 12-hour.
    assert!(list.contains("7:00pm – 7:30pm"), "{list}");
    assert_eq!(
        item_href(&list, &with_ada, "book-again").as_deref(),
        Some("/ada/intro?lang=en&tz=Asia%2FTokyo")
    );
    assert_eq!(
        item_href(&list, &with_bob, "button secondary join").as_deref(),
        Some("https://meet.example/room")
    );
    assert_eq!(
        item_href(&list, &earlier, "button secondary join"),
        None,
        "over"
    );
    assert_eq!(item_href(&list, &earlier, "cancel"), None, "over");

    // The signed links open the booking: its .ics and its reschedule page.
    let ics = item_href(&list, &with_ada, "ics").unwrap();
    assert!(
        ics.starts_with(&format!("/booking/{with_ada}/ics?token=")),
        "{ics}"
    );
    let file = visitor.get(&ics).await;
    assert_eq!(file.status(), 200, "{ics}");
    assert!(file.text().await.unwrap().contains("BEGIN:VCALENDAR"));
    let moved = item_href(&list, &with_ada, "reschedule").unwrap();
    let booker = visitor.get(&moved).await;
    assert_eq!(booker.status(), 303, "{moved}");
    let to = location(&booker);
    assert!(
        to.starts_with("/ada/intro?") && to.contains(&format!("rescheduleUid={with_ada}")),
        "{to}"
    );
    assert!(
        !to.contains("token="),
        "the token stays on the booking's own links: {to}"
    );

    // The link worked once.
    let again = visitor.get(&path).await;
    assert_eq!(again.status(), 410);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("This link has already been used")
    );
    let mut other = Visitor::new(&app);
    assert_eq!(continue_with_fresh(&mut other, &path).await.status(), 410);
    assert!(!other.cookies.contains_key("kairos_booker"));
    assert_eq!(
        booking_of(&app, &ada_key, &with_ada).await["status"],
        "accepted"
    );
}

/// Posts `path`'s token as a browser that got a form token from the front page (the link
/// page itself refuses to show the form once the link is used).
async fn continue_with_fresh(visitor: &mut Visitor<'_>, path: &str) -> reqwest::Response {
    let html = visitor.page("/my-bookings", 200).await;
    let csrf = csrf_in(&html);
    let token = path.split("token=").nth(1).unwrap();
    visitor
        .post(
            "/my-bookings/sign-in",
            &[("_csrf", &csrf), ("token", token)],
        )
        .await
}

#[tokio::test]
async fn an_expired_forged_or_foreign_sign_in_link_is_refused() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let signer = app_signer();
    let now = Utc::now();
    let path = |token: &str| format!("/my-bookings/sign-in?token={token}");
    let mut visitor = Visitor::new(&app);

    // A link signed by the app a moment ago works (so the refusals below are the tokens').
    let fresh = signer.issue(
        AUDIENCE,
        "grace@example.com",
        None,
        Duration::minutes(15),
        now,
    );
    visitor.page(&path(&fresh), 200).await;

    let expired = signer.issue(
        AUDIENCE,
        "grace@example.com",
        None,
        Duration::minutes(15),
        now - Duration::minutes(16),
    );
    let page = visitor.get(&path(&expired)).await;
    assert_eq!(page.status(), 410);
    let page = page.text().await.unwrap();
    assert!(page.contains("This link has expired"), "{page}");
    assert!(
        page.contains("id=\"email-form\""),
        "a new link is offered: {page}"
    );
    assert_eq!(
        continue_with_fresh(&mut visitor, &path(&expired))
            .await
            .status(),
        410
    );

    let forged = kairos::auth::TokenSigner::new(&[9; 32]).issue(
        AUDIENCE,
        "grace@example.com",
        None,
        Duration::minutes(15),
        now,
    );
    let foreign = signer.issue(
        kairos::links::AUDIENCE,
        "grace@example.com",
        None,
        Duration::minutes(15),
        now,
    );
    let mut tampered = fresh.clone();
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    for token in [forged, foreign, tampered, "nonsense".to_owned()] {
        let page = visitor.get(&path(&token)).await;
        assert_eq!(page.status(), 403, "{token}");
        assert!(
            page.text()
                .await
                .unwrap()
                .contains("This link is not valid")
        );
        assert_eq!(
            continue_with_fresh(&mut visitor, &path(&token))
                .await
                .status(),
            403
        );
    }
    assert!(!visitor.cookies.contains_key("kairos_booker"));
    assert_eq!(
        app.db
            .count_rows("SELECT * FROM booker_sessions")
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn asking_says_the_same_for_any_address_and_is_throttled() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (_, ada) = host(&app, "ada@host.example", "Ada Host", "intro").await;
    book(&app, ada, 5, 9, "Grace Hopper", "grace@example.com").await;
    let mut visitor = Visitor::new(&app);

    let known = ask(&mut visitor, "grace@example.com").await;
    let unknown = ask(&mut visitor, "nobody@example.com").await;
    assert_eq!(
        (known.status().as_u16(), unknown.status().as_u16()),
        (200, 200)
    );
    let known = known.text().await.unwrap();
    let unknown = unknown.text().await.unwrap();
    assert!(
        known.contains("We sent a link to grace@example.com"),
        "{known}"
    );
    assert_eq!(
        known.replace("grace@example.com", "…"),
        unknown.replace("nobody@example.com", "…"),
        "the answer does not tell whether the address has bookings"
    );
    // Both are emailed the same words: the email is what proves the address is theirs.
    let (a, b) = (
        link_mail(&smtp, "grace@example.com", 1).await,
        link_mail(&smtp, "nobody@example.com", 1).await,
    );
    assert_eq!(a.subject, b.subject);

    let typo = ask(&mut visitor, "not-an-email").await;
    assert_eq!(typo.status(), 422);
    assert!(
        typo.text()
            .await
            .unwrap()
            .contains("Please enter a valid email address.")
    );

    // Three links per address in 15 minutes, in any case of the address.
    for _ in 0..2 {
        assert_eq!(ask(&mut visitor, "Nobody@Example.com").await.status(), 200);
    }
    let refused = ask(&mut visitor, "nobody@example.com").await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("for this email address") && page.contains("<html"),
        "{page}"
    );
    assert_eq!(
        link_mail(&smtp, "nobody@example.com", 3).await.subject,
        a.subject
    );

    // Ten a client in 15 minutes (six taken above, the refused one included).
    for n in 0..4 {
        let email = format!("someone{n}@example.com");
        assert_eq!(ask(&mut visitor, &email).await.status(), 200);
    }
    let refused = ask(&mut visitor, "someone-else@example.com").await;
    assert_eq!(refused.status(), 429);
    assert!(refused.text().await.unwrap().contains("from your address"));
}

#[tokio::test]
async fn a_booker_reaches_only_their_own_bookings_and_every_form_needs_its_token() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, ada) = host(&app, "ada@host.example", "Ada Host", "intro").await;
    let graces = book(&app, ada, 5, 9, "Grace Hopper", "grace@example.com").await;
    let alans = book(&app, ada, 6, 9, "Alan Turing", "alan@example.com").await;
    let mut grace = signed_in(&app, &smtp, "grace@example.com", 1).await;
    let list = grace.page("/my-bookings", 200).await;
    assert_eq!(listed(&list, "upcoming"), vec![graces.clone()]);
    let csrf = csrf_in(&list);

    // Alan's booking does not exist for Grace: not its page, not its cancel.
    assert_eq!(
        grace
            .get(&format!("/my-bookings/{alans}/cancel"))
            .await
            .status(),
        404
    );
    let refused = grace
        .post(&format!("/my-bookings/{alans}/cancel"), &[("_csrf", &csrf)])
        .await;
    assert_eq!(refused.status(), 404);
    assert_eq!(booking_of(&app, &key, &alans).await["status"], "accepted");

    // Her own: no token, a wrong one, or another site's form are refused.
    let own = format!("/my-bookings/{graces}/cancel");
    assert_eq!(grace.post(&own, &[("reason", "x")]).await.status(), 403);
    assert_eq!(
        grace
            .post(&own, &[("_csrf", "0000"), ("reason", "x")])
            .await
            .status(),
        403
    );
    grace.origin = Some("https://evil.example".into());
    assert_eq!(grace.post(&own, &[("_csrf", &csrf)]).await.status(), 403);
    grace.origin = Some(app.address.clone());
    assert_eq!(booking_of(&app, &key, &graces).await["status"], "accepted");
    // Nor does a forged session cookie reach anything.
    let mut stranger = Visitor::new(&app);
    stranger
        .cookies
        .insert("kairos_booker".into(), "f".repeat(64));
    assert!(
        stranger
            .page("/my-bookings", 200)
            .await
            .contains("id=\"email-form\"")
    );
    assert_eq!(stranger.post(&own, &[("_csrf", &csrf)]).await.status(), 303);

    let page = grace.page(&own, 200).await;
    assert!(page.contains("Cancel this event?"), "{page}");
    let done = grace.submit(&own, &own, &[("reason", "Travelling")]).await;
    assert_eq!(done.status(), 303);
    assert_eq!(location(&done), "/my-bookings?cancelled=1");
    let seen = booking_of(&app, &key, &graces).await;
    assert_eq!(seen["status"], "cancelled");
    assert_eq!(seen["cancellationReason"], "Travelling");
    let list = grace.page("/my-bookings?cancelled=1", 200).await;
    assert!(list.contains("The booking is cancelled."), "{list}");
    assert!(
        !list.contains(&format!("/my-bookings/{graces}/cancel")),
        "no second cancel"
    );

    // Signing out ends the session; a session past its hour is over too.
    let out = grace
        .post("/my-bookings/sign-out", &[("_csrf", &csrf)])
        .await;
    assert_eq!(out.status(), 303);
    assert!(
        grace
            .page("/my-bookings", 200)
            .await
            .contains("id=\"email-form\"")
    );
    let mut again = signed_in(&app, &smtp, "grace@example.com", 2).await;
    again.page("/my-bookings", 200).await;
    app.db
        .execute_sql("UPDATE booker_sessions SET expires_at = '2000-01-01 00:00:00'")
        .await
        .unwrap();
    assert!(
        again
            .page("/my-bookings", 200)
            .await
            .contains("id=\"email-form\"")
    );
}

#[tokio::test]
async fn the_hosts_switches_hold_in_the_portal() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, ada) = host(&app, "ada@host.example", "Ada Host", "intro").await;
    data(
        app.call(
            M::PATCH,
            &format!("/v2/event-types/{ada}"),
            Some(&key),
            Some(json!({"disableCancelling": {"disabled": true},
                "disableRescheduling": {"disabled": true}})),
        )
        .await,
        200,
    )
    .await;
    let uid = book(&app, ada, 5, 9, "Grace Hopper", "grace@example.com").await;
    let mut grace = signed_in(&app, &smtp, "grace@example.com", 1).await;
    let list = grace.page("/my-bookings", 200).await;
    assert_eq!(listed(&list, "upcoming"), vec![uid.clone()]);
    assert!(
        !list.contains("class=\"cancel\"") && !list.contains("class=\"reschedule\""),
        "{list}"
    );
    let csrf = csrf_in(&list);
    let own = format!("/my-bookings/{uid}/cancel");
    assert_eq!(grace.get(&own).await.status(), 303, "no cancel form");
    let refused = grace.post(&own, &[("_csrf", &csrf)]).await;
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("turned off cancelling")
    );
    assert_eq!(booking_of(&app, &key, &uid).await["status"], "accepted");
}

#[tokio::test]
async fn the_portal_and_its_email_speak_the_bookers_language() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (_, ada) = host(&app, "ada@host.example", "Ada Host", "intro").await;
    let uid = book(&app, ada, 5, 9, "Grete", "grete@example.com").await;
    let mut visitor = Visitor::new(&app);
    let front = visitor.page("/my-bookings?lang=de", 200).await;
    assert!(
        front.contains("<html lang=\"de\"") && front.contains("Ihre Buchungen"),
        "{front}"
    );
    let sent = visitor
        .submit(
            "/my-bookings?lang=de",
            "/my-bookings?lang=de",
            &[("email", "grete@example.com")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        sent.contains("Wir haben einen Link an grete@example.com gesendet"),
        "{sent}"
    );
    let mail = link_mail(&smtp, "grete@example.com", 1).await;
    assert!(
        mail.subject.starts_with("Ihr Link zu Ihren Buchungen bei"),
        "{}",
        mail.subject
    );
    assert!(mail.text.starts_with("Hallo,"), "{}", mail.text);
    let path = link_path(&app, &mail);
    assert!(path.starts_with("/my-bookings/sign-in?lang=de&"), "{path}");
    let opened = continue_with(&mut visitor, &path).await;
    assert_eq!(location(&opened), "/my-bookings?lang=de");
    let list = visitor
        .page("/my-bookings?lang=de&tz=Europe/Berlin", 200)
        .await;
    assert!(list.contains("Anstehend") && list.contains(&uid), "{list}");
    assert!(list.contains("Angemeldet als grete@example.com"));
    // German dates and clock: 09:00 UTC is 10:00 in Berlin in winter, 11:00 in summer.
    assert!(list.contains(":00 – ") && !list.contains("am –"), "{list}");
}

#[tokio::test]
async fn signed_links_in_emails_open_the_booking_and_refused_ones_say_why() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, ada) = host(&app, "ada@host.example", "Ada Host", "intro").await;
    let uid = book(&app, ada, 5, 9, "Grace Hopper", "grace@example.com").await;
    let other = book(&app, ada, 6, 9, "Alan Turing", "alan@example.com").await;
    let confirmation = eventually(
        "grace's confirmation",
        std::time::Duration::from_secs(15),
        async || {
            smtp.mails()
                .await
                .into_iter()
                .find(|m| m.to == "grace@example.com")
        },
    )
    .await;
    let prefix = format!("{}/booking/{uid}?token=", app.address);
    let link = (confirmation.text.lines())
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("a signed link in {}", confirmation.text))
        .trim_start_matches(&app.address)
        .to_owned();
    let token = link.split("token=").nth(1).unwrap().to_owned();

    let page = app.get(&link).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Grace Hopper"), "{page}");
    assert!(
        page.contains(&format!("/booking/{uid}?token={token}&amp;cancel=true"))
            || page.contains(&format!("/booking/{uid}?token={token}&#38;cancel=true")),
        "the page's own links keep the token: {page}"
    );
    // Cal.com-style links without a token still open, as links sent before and embeds do.
    assert_eq!(app.get(&format!("/booking/{uid}")).await.status(), 200);

    let signer = app_signer();
    let now = Utc::now();
    let expired = signer.issue(
        kairos::links::AUDIENCE,
        &uid,
        None,
        Duration::days(1),
        now - Duration::days(2),
    );
    let for_other = signer.issue(
        kairos::links::AUDIENCE,
        &other,
        None,
        Duration::days(1),
        now,
    );
    let forged = kairos::auth::TokenSigner::new(&[9; 32]).issue(
        kairos::links::AUDIENCE,
        &uid,
        None,
        Duration::days(1),
        now,
    );
    let mut tampered = token.clone();
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    let expired_page = app.get(&format!("/booking/{uid}?token={expired}")).await;
    assert_eq!(expired_page.status(), 410);
    let expired_page = expired_page.text().await.unwrap();
    assert!(
        expired_page.contains("This link has expired"),
        "{expired_page}"
    );
    assert!(
        expired_page.contains("href=\"/my-bookings?lang=en\""),
        "{expired_page}"
    );
    for bad in [&for_other, &forged, &tampered] {
        for path in [
            format!("/booking/{uid}?token={bad}"),
            format!("/booking/{uid}/ics?token={bad}"),
            format!("/reschedule/{uid}?token={bad}"),
        ] {
            let refused = app.get(&path).await;
            assert_eq!(refused.status(), 403, "{path}");
            assert!(
                refused
                    .text()
                    .await
                    .unwrap()
                    .contains("This link is not valid")
            );
        }
        let cancel =
            crate::pages::post_form(&app, &format!("/booking/{uid}/cancel?token={bad}"), &[]).await;
        assert_eq!(cancel.status(), 403);
    }
    // A seat the token does not name is refused too.
    let seat = app
        .get(&format!("{link}&seatReferenceUid=someone-else"))
        .await;
    assert_eq!(seat.status(), 403);
    assert_eq!(booking_of(&app, &key, &uid).await["status"], "accepted");

    let cancelled = crate::pages::post_form(
        &app,
        &format!("/booking/{uid}/cancel?token={token}"),
        &[("reason", "ill")],
    )
    .await;
    assert_eq!(cancelled.status(), 303);
    assert!(location(&cancelled).starts_with(&format!("/booking/{uid}?token=")));
    assert_eq!(booking_of(&app, &key, &uid).await["status"], "cancelled");
}

#[tokio::test]
async fn a_booker_cannot_cancel_what_has_ended_nor_a_seat_they_do_not_hold() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, ada) = host(&app, "ada@host.example", "Ada Host", "intro").await;

    // Over: the portal's cancel is refused, even posted by hand, and the booking stands.
    let past = book(&app, ada, 3, 9, "Grace Hopper", "grace@example.com").await;
    into_the_past(&app, &past, 2).await;
    let mut grace = signed_in(&app, &smtp, "grace@example.com", 1).await;
    let list = grace.page("/my-bookings", 200).await;
    assert_eq!(listed(&list, "past"), vec![past.clone()]);
    let csrf = csrf_in(&list);
    let refused = (grace.post(&format!("/my-bookings/{past}/cancel"), &[("_csrf", &csrf)])).await;
    assert_eq!(refused.status(), 400);
    assert_eq!(booking_of(&app, &key, &past).await["status"], "accepted");

    // Seats: Alice (with her guest Gina) and Bob hold seats of one time.
    let body = json!({"title": "Workshop", "slug": "workshop", "lengthInMinutes": 60,
        "seats": {"seatsPerTimeSlot": 3, "showAttendeeInfo": false}});
    let workshop = always_bookable(&app, &key, body).await;
    let start = (Utc::now().date_naive() + Duration::days(4))
        .and_hms_opt(10, 0, 0)
        .unwrap();
    let start = start.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true);
    let seat = async |name: &str, email: &str, guests: Value| -> Value {
        let body = json!({"eventTypeId": workshop, "start": start, "guests": guests,
            "attendee": {"name": name, "email": email, "timeZone": "Europe/Paris"}});
        data(
            app.call(M::POST, "/v2/bookings", None, Some(body)).await,
            201,
        )
        .await
    };
    let alice = seat("Alice", "alice@example.com", json!(["gina@example.com"])).await;
    let bob = seat("Bob", "bob@example.com", json!([])).await;
    let uid = alice["uid"].as_str().unwrap().to_owned();
    assert_eq!(bob["uid"], alice["uid"], "one booking, two seats");
    let cancel = json!({"seatUid": alice["seatUid"]});
    let path = format!("/v2/bookings/{uid}/cancel");
    data(app.call(M::POST, &path, None, Some(cancel)).await, 200).await;

    // Gina stays on the booking as Alice's guest but holds no seat: Bob's seat is not hers.
    let mut gina = signed_in(&app, &smtp, "gina@example.com", 1).await;
    let csrf = csrf_in(&gina.page("/my-bookings", 200).await);
    let refused = (gina.post(&format!("/my-bookings/{uid}/cancel"), &[("_csrf", &csrf)])).await;
    assert_eq!(refused.status(), 404);
    let seen = booking_of(&app, &key, &uid).await;
    assert_eq!(seen["status"], "accepted");
    let holders: Vec<&str> = (seen["attendees"].as_array().unwrap().iter())
        .filter_map(|a| a["email"].as_str())
        .collect();
    assert!(holders.contains(&"bob@example.com"), "{seen}");
}
