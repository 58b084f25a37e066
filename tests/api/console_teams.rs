//! The console's team pages: what they save is the API's team, membership and hosts; members
//! read while only admins and owners change; outsiders get "not found"; refusals are shown at
//! their field; the distribution preview follows proposed weights.

use reqwest::Method as M;
use serde_json::json;

use crate::console::{Visitor, link_in, person, token_of};
use crate::email::{SmtpServer, app_with_smtp};
use crate::helpers::{TestApp, data, new_key, spawn_app};

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// A team made in the console by Ada, Bob invited by email and joined, and a round-robin
/// event type (made through the API) hosted by both.
struct Support<'a> {
    ada: Visitor<'a>,
    bob: Visitor<'a>,
    key: String,
    team: i64,
    event: i64,
    page: String,
    ada_id: i64,
    bob_id: i64,
}

/// The membership id of the first open invitation on a `/teams` page.
fn invitation_in(list: &str) -> String {
    let at = list
        .find("data-invitation=\"")
        .expect("the invitation is listed");
    let rest = &list[at + "data-invitation=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

async fn support_team(app: &TestApp) -> Support<'_> {
    let ada_id = person(app, "ada@host.example").await.id;
    let bob_id = person(app, "bob@host.example").await.id;
    let (_, key) = new_key(&app.db, "ada@host.example").await;
    let mut ada = Visitor::signed_in(app, "ada@host.example").await;
    let mut bob = Visitor::signed_in(app, "bob@host.example").await;

    let made = ada
        .submit(
            "/teams",
            "/teams/new",
            &[
                ("name", "Support Crew"),
                ("slug", ""),
                ("time_zone", "Europe/Berlin"),
            ],
        )
        .await;
    assert_eq!(made.status(), 303);
    let to = location(&made);
    let team: i64 = to
        .strip_prefix("/teams/")
        .and_then(|r| r.strip_suffix("?done=created"))
        .unwrap()
        .parse()
        .unwrap();
    let page = format!("/teams/{team}");

    // Bob is invited by email; he is not on the team until he accepts.
    let invited = ada
        .submit(
            &page,
            &format!("{page}/members"),
            &[("email", "bob@host.example"), ("role", "MEMBER")],
        )
        .await;
    assert_eq!(location(&invited), format!("{page}?done=invited"));
    bob.page(&page, 404).await;
    let membership = invitation_in(&bob.page("/teams", 200).await);
    let accepted = bob
        .submit(
            "/teams",
            &format!("{page}/invitations/{membership}/accept"),
            &[],
        )
        .await;
    assert_eq!(location(&accepted), format!("{page}?done=accepted"));

    let event = data(
        app.call(
            M::POST,
            &format!("/v2/teams/{team}/event-types"),
            Some(&key),
            Some(json!({
                "title": "Triage", "slug": "triage", "lengthInMinutes": 30,
                "schedulingType": "ROUND_ROBIN",
                "hosts": [{"userId": ada_id}, {"userId": bob_id}]
            })),
        )
        .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    Support {
        ada,
        bob,
        key,
        team,
        event,
        page,
        ada_id,
        bob_id,
    }
}

#[tokio::test]
async fn a_team_made_in_the_console_is_the_apis_and_its_members_and_settings_change_there() {
    let app = crate::helpers::spawn_app().await;
    let Support {
        mut ada,
        key,
        team,
        page,
        bob_id,
        ..
    } = support_team(&app).await;

    let api = data(
        app.call(M::GET, &format!("/v2/teams/{team}"), Some(&key), None)
            .await,
        200,
    )
    .await;
    assert_eq!(api["slug"], "support-crew");
    assert_eq!(api["timeZone"], "Europe/Berlin");
    let members_path = format!("/v2/teams/{team}/memberships");
    let members = data(app.call(M::GET, &members_path, Some(&key), None).await, 200).await;
    let bob = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["userId"] == bob_id)
        .expect("Bob is a member")
        .clone();
    assert_eq!(bob["accepted"], true);
    let html = ada.page(&page, 200).await;
    assert!(html.contains("bob@host.example"), "{html}");

    // Refusals at their field, the input kept.
    let unknown = ada
        .submit(
            &page,
            &format!("{page}/members"),
            &[("email", "nobody@host.example"), ("role", "MEMBER")],
        )
        .await;
    assert_eq!(unknown.status(), 422);
    let html = unknown.text().await.unwrap();
    assert!(html.contains("id=\"email-error\""), "{html}");
    assert!(html.contains("value=\"nobody@host.example\""));
    let bad_zone = ada
        .submit(
            &page,
            &page,
            &[
                ("name", "Support Crew"),
                ("slug", "support-crew"),
                ("time_zone", "Mars/Olympus"),
                ("brand_color", "#123456"),
            ],
        )
        .await;
    assert_eq!(bad_zone.status(), 422);
    let html = bad_zone.text().await.unwrap();
    assert!(html.contains("id=\"set-time_zone-error\""), "{html}");
    assert!(html.contains("value=\"Mars/Olympus\""));

    let saved = ada
        .submit(
            &page,
            &page,
            &[
                ("name", "Support"),
                ("slug", "support"),
                ("time_zone", "America/New_York"),
                ("brand_color", "#1a73e8"),
            ],
        )
        .await;
    assert_eq!(location(&saved), format!("{page}?done=saved"));
    let api = data(
        app.call(M::GET, &format!("/v2/teams/{team}"), Some(&key), None)
            .await,
        200,
    )
    .await;
    assert_eq!(
        (
            &api["name"],
            &api["slug"],
            &api["timeZone"],
            &api["brandColor"]
        ),
        (
            &json!("Support"),
            &json!("support"),
            &json!("America/New_York"),
            &json!("#1a73e8")
        )
    );

    // The team keeps an owner: Ada cannot step down while she is the only one.
    let own = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "OWNER")
        .unwrap()["id"]
        .clone();
    let bob_member = bob["id"].to_string();
    let demoted = ada
        .submit(
            &page,
            &format!("{page}/members/{own}"),
            &[("role", "MEMBER")],
        )
        .await;
    assert_eq!(demoted.status(), 422);
    assert!(demoted.text().await.unwrap().contains("keeps an owner"));

    let promoted = ada
        .submit(
            &page,
            &format!("{page}/members/{bob_member}"),
            &[("role", "ADMIN")],
        )
        .await;
    assert_eq!(location(&promoted), format!("{page}?done=saved"));
    let role = data(
        app.call(
            M::GET,
            &format!("{members_path}/{bob_member}"),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await["role"]
        .clone();
    assert_eq!(role, "ADMIN");

    let removed = ada
        .submit(&page, &format!("{page}/members/{bob_member}/remove"), &[])
        .await;
    assert_eq!(location(&removed), format!("{page}?done=removed"));
    let members = data(app.call(M::GET, &members_path, Some(&key), None).await, 200).await;
    assert_eq!(members.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_member_reads_but_is_refused_admin_actions_and_outsiders_get_not_found() {
    let app = crate::helpers::spawn_app().await;
    let Support {
        mut ada,
        mut bob,
        key,
        team,
        event,
        page,
        ada_id,
        ..
    } = support_team(&app).await;
    let eve_id = person(&app, "eve@host.example").await.id;
    let mut eve = Visitor::signed_in(&app, "eve@host.example").await;
    let hosts = format!("{page}/event-types/{event}");

    // Bob reads the team and its hosts, without the forms that change them.
    let html = bob.page(&page, 200).await;
    assert!(html.contains("Support Crew") && html.contains("Triage"));
    assert!(!html.contains(&format!("action=\"{page}/members\"")));
    assert!(!bob.page(&hosts, 200).await.contains("name=\"weight\""));

    // Posting anyway is refused by the use cases, and nothing changes.
    let settings = bob
        .submit(&page, &page, &[("name", "Bob's team"), ("slug", "bobs")])
        .await;
    assert_eq!(settings.status(), 403);
    let invite = bob
        .submit(
            &page,
            &format!("{page}/members"),
            &[("email", "eve@host.example"), ("role", "MEMBER")],
        )
        .await;
    assert_eq!(invite.status(), 403);
    let weights = bob
        .submit(
            &hosts,
            &hosts,
            &[
                ("member", &ada_id.to_string()),
                ("host", &ada_id.to_string()),
                ("weight", "1"),
                ("priority", "medium"),
            ],
        )
        .await;
    assert_eq!(weights.status(), 403);
    let api = data(
        app.call(M::GET, &format!("/v2/teams/{team}"), Some(&key), None)
            .await,
        200,
    )
    .await;
    assert_eq!(api["name"], "Support Crew");
    let members = data(
        app.call(
            M::GET,
            &format!("/v2/teams/{team}/memberships"),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(members.as_array().unwrap().len(), 2);

    // Eve is not a member: neither the team nor its event type exists for her.
    eve.page(&page, 404).await;
    eve.page(&hosts, 404).await;
    assert!(!eve.page("/teams", 200).await.contains("Support Crew"));
    for action in [page.clone(), format!("{page}/members"), hosts.clone()] {
        let answer = eve
            .submit(
                "/teams",
                &action,
                &[("name", "Eve's"), ("email", "eve@host.example")],
            )
            .await;
        assert_eq!(answer.status(), 404, "{action}");
    }
    let owner = members.as_array().unwrap()[0]["id"].to_string();
    let taken = eve
        .submit("/teams", &format!("{page}/invitations/{owner}/accept"), &[])
        .await;
    assert_eq!(taken.status(), 404);

    // Only the invitee answers an invitation: Ada cannot accept Eve's for her.
    ada.submit(
        &page,
        &format!("{page}/members"),
        &[("email", "eve@host.example"), ("role", "MEMBER")],
    )
    .await;
    let members = data(
        app.call(
            M::GET,
            &format!("/v2/teams/{team}/memberships"),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    let invitation = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["userId"] == eve_id)
        .unwrap()["id"]
        .to_string();
    let forced = ada
        .submit(
            &page,
            &format!("{page}/invitations/{invitation}/accept"),
            &[],
        )
        .await;
    assert_eq!(forced.status(), 404);
    eve.page(&page, 404).await;
    assert!(
        eve.page("/teams", 200)
            .await
            .contains(&format!("data-invitation=\"{invitation}\""))
    );
}

#[tokio::test]
async fn hosts_saved_in_the_console_are_the_apis_and_the_preview_follows_proposed_weights() {
    let app = crate::helpers::spawn_app().await;
    let Support {
        mut ada,
        key,
        team,
        event,
        page,
        ada_id,
        bob_id,
        ..
    } = support_team(&app).await;
    let hosts = format!("{page}/event-types/{event}");
    let (ada_s, bob_s) = (ada_id.to_string(), bob_id.to_string());

    // Equal weights: the simulated month splits evenly.
    let html = ada.page(&hosts, 200).await;
    assert!(
        html.contains("<td>50 %</td><td data-bookings>50</td><td>50 %</td>"),
        "{html}"
    );

    // Proposed weights (the preview button's GET) change the preview, not the event type.
    let proposed = format!(
        "{hosts}?member={ada_s}&host={ada_s}&weight=300&priority=medium&member={bob_s}&host={bob_s}&weight=100&priority=medium"
    );
    let html = ada.page(&proposed, 200).await;
    assert!(html.contains("<td>300</td><td>75 %</td>"), "{html}");
    assert!(html.contains("value=\"300\""));

    let refused = ada
        .submit(
            &hosts,
            &hosts,
            &[
                ("member", &ada_s),
                ("host", &ada_s),
                ("weight", "300"),
                ("priority", "high"),
                ("member", &bob_s),
                ("host", &bob_s),
                ("weight", "20000"),
                ("priority", "medium"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains(&format!("id=\"host-{bob_id}-error\"")),
        "{html}"
    );
    assert!(html.contains("between 0 and 10000"));

    let saved = ada
        .submit(
            &hosts,
            &hosts,
            &[
                ("member", &ada_s),
                ("host", &ada_s),
                ("weight", "300"),
                ("priority", "high"),
                ("member", &bob_s),
                ("host", &bob_s),
                ("fixed", &bob_s),
                ("weight", "100"),
                ("priority", "low"),
            ],
        )
        .await;
    assert_eq!(location(&saved), format!("{hosts}?done=saved"));
    let api = data(
        app.call(
            M::GET,
            &format!("/v2/teams/{team}/event-types/{event}"),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    let saved: Vec<_> = api["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            json!({"userId": h["userId"], "mandatory": h["mandatory"],
                   "priority": h["priority"], "weight": h["weight"]})
        })
        .collect();
    assert_eq!(
        saved,
        [
            json!({"userId": ada_id, "mandatory": false, "priority": "high", "weight": 300}),
            json!({"userId": bob_id, "mandatory": true, "priority": "low", "weight": 100})
        ]
    );
    // Bob is fixed now: Ada alone takes every round-robin booking.
    let html = ada.page(&hosts, 200).await;
    assert!(
        html.contains("<td>300</td><td>100 %</td><td data-bookings>100</td>"),
        "{html}"
    );
}

/// In Chromium: round-robin weights changed in the form and previewed with the button; the
/// team page and the hosts page free of serious axe-core findings.
#[tokio::test]
async fn in_the_browser_changing_weights_changes_the_preview() {
    use crate::browser::{Driver, ONE_AT_A_TIME, fill, screenshot, wait_for};
    use crate::console_browser::{axe_violations, sign_in};

    let _turn = ONE_AT_A_TIME.lock().await;
    let app = crate::helpers::spawn_app().await;
    let Support {
        team,
        event,
        ada_id,
        ..
    } = support_team(&app).await;
    let mut driver = Driver::start("Europe/Berlin").await;
    let browser = driver.browser(1280, 900).await;
    sign_in(&browser, &app, "ada@host.example").await;

    browser
        .goto(&format!("{}/teams/{team}", app.address))
        .await
        .unwrap();
    wait_for(&browser, "#members").await;
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "team page"
    );
    screenshot(&browser, "console-team").await;

    wait_for(&browser, &format!("tr[data-event-type='{event}'] a"))
        .await
        .click()
        .await
        .unwrap();
    let first = wait_for(&browser, "#distribution tbody td[data-bookings]")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(first, "50");
    fill(
        &browser,
        &format!("tr[data-host='{ada_id}'] input[name=weight]"),
        "300",
    )
    .await;
    wait_for(&browser, "#preview-button")
        .await
        .click()
        .await
        .unwrap();
    crate::helpers::eventually(
        "the preview to follow the weight",
        std::time::Duration::from_secs(10),
        async || {
            // The preview reloads the page: a cell read just before it goes is stale, and
            // looked for again.
            let cell = wait_for(&browser, "#distribution tbody td[data-bookings]").await;
            match cell.text().await {
                Ok(shown) if shown == "75" => Ok(()),
                Ok(shown) => Err(shown),
                Err(e) => Err(e.to_string()),
            }
        },
    )
    .await;
    assert_eq!(
        axe_violations(&browser).await,
        Vec::<String>::new(),
        "hosts page"
    );
    screenshot(&browser, "console-team-hosts").await;
    browser.close().await.unwrap();
}

/// Someone without an account, invited on the team's page, gets an invited account and an
/// email (through the real SMTP server) with the link to choose a password; signed in, they
/// accept the team's invitation, which the API then shows accepted.
#[tokio::test]
async fn inviting_an_email_without_an_account_invites_them_to_kairos_and_the_team() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let Support {
        mut ada,
        key,
        team,
        page,
        ..
    } = support_team(&app).await;
    let invited = ada
        .submit(
            &page,
            &format!("{page}/members"),
            &[("email", "Newbie@Example.com"), ("role", "ADMIN")],
        )
        .await;
    assert_eq!(location(&invited), format!("{page}?done=invited"));
    let members_path = format!("/v2/teams/{team}/memberships");
    let members = data(app.call(M::GET, &members_path, Some(&key), None).await, 200).await;
    let pending: Vec<_> = members
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["accepted"] == false)
        .collect();
    assert_eq!(pending.len(), 1, "{members}");
    assert_eq!(pending[0]["role"], "ADMIN");

    let mails = smtp.wait_for(1).await;
    let mail = mails
        .iter()
        .find(|m| m.to == "newbie@example.com")
        .expect("the invitation is emailed");
    assert!(mail.subject.contains("Support Crew"), "{}", mail.subject);
    let link = link_in(
        &mail.text,
        &format!("{}/auth/accept-invite?token=", app.address),
    );
    let path = link.trim_start_matches(&app.address).to_owned();
    let mut newbie = Visitor::new(&app);
    let chosen = newbie
        .submit(
            &path,
            "/auth/accept-invite",
            &[
                ("token", &token_of(&path)),
                ("password", "newbie's password"),
            ],
        )
        .await;
    assert_eq!(chosen.status(), 303);
    newbie.page(&page, 404).await;
    let membership = invitation_in(&newbie.page("/teams", 200).await);
    let accepted = newbie
        .submit(
            "/teams",
            &format!("{page}/invitations/{membership}/accept"),
            &[],
        )
        .await;
    assert_eq!(location(&accepted), format!("{page}?done=accepted"));
    let joined = data(
        app.call(
            M::GET,
            &format!("{members_path}/{membership}"),
            Some(&key),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(joined["accepted"], true);
    assert_eq!(joined["role"], "ADMIN");
    assert_eq!(joined["user"]["email"], "newbie@example.com");
    // The account is named after the address and set in the team's time zone until they change it.
    let account = app
        .db
        .run(async |c| kairos::storage::users::find_by_email(c, "newbie@example.com").await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (account.name.as_str(), account.time_zone.as_str()),
        ("newbie", "Europe/Berlin")
    );
}

/// Without email no account is made from a team's page: the refusal says so at the email
/// field, and nobody with that address exists afterwards.
#[tokio::test]
async fn without_email_an_unknown_address_is_refused_at_its_field() {
    let app = spawn_app().await;
    let Support { mut ada, page, .. } = support_team(&app).await;
    let refused = ada
        .submit(
            &page,
            &format!("{page}/members"),
            &[("email", "nobody@example.com"), ("role", "MEMBER")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("without email configured"), "{html}");
    assert!(
        html.contains("nobody@example.com"),
        "the address is kept: {html}"
    );
    let nobody = app
        .db
        .run(async |c| kairos::storage::users::find_by_email(c, "nobody@example.com").await)
        .await
        .unwrap();
    assert!(nobody.is_none(), "no account was made");
}

/// The replay of real bookings: eight booked through the API with equal weights went four and
/// four; with 3:1 weights proposed, the engine would give them six and two. A member sees it
/// too.
#[tokio::test]
async fn the_last_real_bookings_are_replayed_with_the_weights_shown() {
    use crate::bookings::{book, booking_body, day, slot_starts};

    let app = spawn_app().await;
    let Support {
        mut ada,
        mut bob,
        event,
        page,
        ada_id,
        bob_id,
        ..
    } = support_team(&app).await;
    let hosts = format!("{page}/event-types/{event}");
    let html = ada.page(&hosts, 200).await;
    assert!(html.contains("id=\"replay\""), "{html}");
    assert!(!html.contains("id=\"replayed\""), "no bookings yet: {html}");

    let mut slots = Vec::new();
    for date in (7..21).map(day) {
        slots.extend(slot_starts(&app, event, date).await);
        if slots.len() >= 8 {
            break;
        }
    }
    for (k, start) in slots.iter().take(8).enumerate() {
        let email = format!("guest{k}@booker.example");
        data(book(&app, booking_body(event, start, &email)).await, 201).await;
    }

    let html = ada.page(&hosts, 200).await;
    assert_eq!(html.matches("<td data-got>4</td>").count(), 2, "{html}");
    assert!(html.contains("<td data-would-get>4</td>"), "{html}");
    let (ada_s, bob_s) = (ada_id.to_string(), bob_id.to_string());
    let proposed = format!(
        "{hosts}?member={ada_s}&host={ada_s}&weight=300&priority=medium&member={bob_s}&host={bob_s}&weight=100&priority=medium"
    );
    let html = ada.page(&proposed, 200).await;
    assert!(
        html.contains("<td>300</td><td>75 %</td><td data-got>4</td><td data-would-get>6</td>"),
        "{html}"
    );
    assert!(
        html.contains("<td>100</td><td>25 %</td><td data-got>4</td><td data-would-get>2</td>"),
        "{html}"
    );
    assert!(html.contains("id=\"same-host\">"), "{html}");
    assert!(html.contains(" / 8</dd>"), "{html}");
    // Bob, a member, reads the same replay.
    let html = bob.page(&hosts, 200).await;
    assert_eq!(html.matches("<td data-got>4</td>").count(), 2, "{html}");
}

/// One host row of the hosts form, with weight 100, medium priority and `group`.
fn host_row<'a>(who: &'a str, group: &'a str) -> [(&'static str, &'a str); 5] {
    [
        ("member", who),
        ("host", who),
        ("weight", "100"),
        ("priority", "medium"),
        ("group", group),
    ]
}

#[tokio::test]
async fn host_groups_are_made_renamed_filled_and_deleted_in_the_hosts_form() {
    let app = crate::helpers::spawn_app().await;
    let Support {
        mut ada,
        key,
        team,
        event,
        page,
        ada_id,
        bob_id,
        ..
    } = support_team(&app).await;
    let hosts = format!("{page}/event-types/{event}");
    let api_path = format!("/v2/teams/{team}/event-types/{event}");
    let (ada_s, bob_s) = (ada_id.to_string(), bob_id.to_string());
    let html = ada.page(&hosts, 200).await;
    assert!(html.contains("<label for=\"new-group\">"), "{html}");
    let (ada_r, bob_r) = (ada_s.as_str(), bob_s.as_str());

    // A new group: made, nobody in it yet.
    let mut fields = vec![("groups_shown", "1"), ("new_group", "North")];
    fields.extend(host_row(ada_r, ""));
    fields.extend(host_row(bob_r, ""));
    let saved = ada.submit(&hosts, &hosts, &fields).await;
    assert_eq!(location(&saved), format!("{hosts}?done=saved"));
    let api = data(app.call(M::GET, &api_path, Some(&key), None).await, 200).await;
    assert_eq!(api["hostGroups"][0]["name"], "North", "{api}");
    let id = api["hostGroups"][0]["id"].as_str().unwrap().to_owned();
    let id = id.as_str();

    // Renamed, and Bob put in it: the preview shares are per group.
    let mut fields = vec![
        ("groups_shown", "1"),
        ("group_id", id),
        ("group_name", "Nord"),
    ];
    fields.extend(host_row(ada_r, ""));
    fields.extend(host_row(bob_r, id));
    let saved = ada.submit(&hosts, &hosts, &fields).await;
    assert_eq!(location(&saved), format!("{hosts}?done=saved"));
    let api = data(app.call(M::GET, &api_path, Some(&key), None).await, 200).await;
    assert_eq!(api["hostGroups"], json!([{"id": id, "name": "Nord"}]));
    let bob = api["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["userId"] == bob_id)
        .unwrap()
        .clone();
    assert_eq!(bob["groupId"], id, "{api}");
    let html = ada.page(&hosts, 200).await;
    assert!(html.contains("<td data-group>Nord</td>"), "{html}");
    assert!(
        html.contains("<td>100</td><td>100 %</td><td data-bookings>100</td>"),
        "{html}"
    );

    // Deleted: Bob returns to the default group.
    let mut fields = vec![
        ("groups_shown", "1"),
        ("group_id", id),
        ("group_name", "Nord"),
        ("delete_group", id),
    ];
    fields.extend(host_row(ada_r, ""));
    fields.extend(host_row(bob_r, id));
    let saved = ada.submit(&hosts, &hosts, &fields).await;
    assert_eq!(location(&saved), format!("{hosts}?done=saved"));
    let api = data(app.call(M::GET, &api_path, Some(&key), None).await, 200).await;
    assert_eq!(api["hostGroups"], json!([]));
    assert!(
        api["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["groupId"].is_null()),
        "{api}"
    );
}
