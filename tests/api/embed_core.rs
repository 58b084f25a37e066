//! Cal.com's own published embed, `@calcom/embed-core` from npm (package.json pins it; `.ci/run`
//! installs it with `npm ci`), unchanged and pointed at Kairos, in Chromium: every embed route
//! (an event type, a profile, a team's event type and profile, a reschedule link, a link that
//! names nothing). The host page is a customer's site: a small server here serves it and the
//! npm package's loader on `localhost`, while Kairos answers on `127.0.0.1`, so the embed spans
//! two sites as it does in real life. Without the package these tests fail and say so.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use fantoccini::{Client, Locator};
use reqwest::Method as M;
use serde_json::{Value, json};

use crate::browser::{Driver, ONE_AT_A_TIME, fill, screenshot, wait_for};
use crate::helpers::{TestApp, data, eventually, spawn_app};
use crate::pages::host_with_event;

/// The loader the package's `main` names, the file sites load from Cal.com's CDN.
const LOADER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/node_modules/@calcom/embed-core/dist/embed/embed.js"
);

/// A customer's site with Cal.com's embed on it.
struct HostSite {
    url: String,
}

struct Site {
    kairos: String,
    loader: String,
}

impl HostSite {
    async fn start(kairos: &str) -> Self {
        let loader = std::fs::read_to_string(LOADER).unwrap_or_else(|e| {
            panic!("{LOADER}: {e}; run `npm ci` in the repository (.ci/run does)")
        });
        assert!(
            loader.contains("h.version=\"1.5.3\""),
            "the pinned @calcom/embed-core 1.5.3"
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://localhost:{}", listener.local_addr().unwrap().port());
        let site = web::Data::new(Site {
            kairos: kairos.to_owned(),
            loader,
        });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(site.clone())
                .route("/", web::get().to(host_page))
                .route("/embed.js", web::get().to(loader_script))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self { url }
    }

    /// The host page embedding `cal_link` inline, in namespace `namespace` ("" is the default).
    fn page(&self, cal_link: &str, namespace: &str) -> String {
        let mut url = url::Url::parse(&self.url).unwrap();
        url.query_pairs_mut()
            .append_pair("calLink", cal_link)
            .append_pair("ns", namespace);
        url.to_string()
    }
}

async fn loader_script(site: web::Data<Site>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .body(site.loader.clone())
}

#[derive(serde::Deserialize)]
struct Embedding {
    #[serde(rename = "calLink")]
    cal_link: String,
    ns: String,
}

/// Cal.com's standard snippet (as Cal.com's embed settings hand it out), `init` with the
/// instance's origin, every event of the namespace logged in `window.calEvents`, an inline
/// embed and its looks (`ui`: dark, a brand colour).
async fn host_page(site: web::Data<Site>, query: web::Query<Embedding>) -> HttpResponse {
    let loader = "new URL('/embed.js', location.href).href";
    let (origin, link, ns) = (json!(site.kairos), json!(query.cal_link), json!(query.ns));
    let api = if query.ns.is_empty() {
        "Cal".to_owned()
    } else {
        format!("Cal.ns[{ns}]")
    };
    let init = if query.ns.is_empty() {
        format!("Cal('init', {{origin: {origin}}});")
    } else {
        format!("Cal('init', {ns}, {{origin: {origin}}});")
    };
    let html = format!(
        r##"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A customer's site</title></head>
<body>
<h1>Book a call with us</h1>
<div id="my-cal-inline" style="width:100%;height:100%;overflow:scroll"></div>
<script type="text/javascript">
  (function (C, A, L) {{ let p = function (a, ar) {{ a.q.push(ar); }}; let d = C.document; C.Cal = C.Cal || function () {{ let cal = C.Cal; let ar = arguments; if (!cal.loaded) {{ cal.ns = {{}}; cal.q = cal.q || []; d.head.appendChild(d.createElement("script")).src = A; cal.loaded = true; }} if (ar[0] === L) {{ const api = function () {{ p(api, arguments); }}; const namespace = ar[1]; api.q = api.q || []; if(typeof namespace === "string"){{cal.ns[namespace] = cal.ns[namespace] || api;p(cal.ns[namespace], ar);p(cal, ["initNamespace", namespace]);}} else p(cal, ar); return;}} p(cal, ar); }}; }})(window, {loader}, "init");
  window.calEvents = [];
  {init}
  {api}("on", {{action: "*", callback: function (e) {{
    window.calEvents.push({{type: e.detail.type, namespace: e.detail.namespace, data: e.detail.data}});
  }}}});
  {api}("inline", {{elementOrSelector: "#my-cal-inline", calLink: {link},
    config: {{layout: "month_view"}}}});
  {api}("ui", {{theme: "dark", styles: {{branding: {{brandColor: "#0f766e"}}}}}});
</script>
</body></html>"##
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html)
}

/// What the host page has heard from the embed so far.
async fn heard(browser: &Client) -> Vec<Value> {
    let events = browser
        .execute("return window.calEvents || [];", vec![])
        .await
        .unwrap();
    events.as_array().cloned().unwrap_or_default()
}

fn count(events: &[Value], kind: &str) -> usize {
    events.iter().filter(|e| e["type"] == kind).count()
}

/// Waits until the host page has heard `kind`; that event's data.
async fn hear(browser: &Client, kind: &str) -> Value {
    eventually(
        &format!("the host page to hear `{kind}`"),
        Duration::from_secs(20),
        async || {
            let events = heard(browser).await;
            let seen: Vec<&Value> = events.iter().map(|e| &e["type"]).collect();
            events
                .iter()
                .find(|e| e["type"] == kind)
                .map(|e| e["data"].clone())
                .ok_or_else(|| format!("{seen:?}"))
        },
    )
    .await
}

/// Opens the host page with `cal_link` embedded and waits for the embed to be ready (Cal.com's
/// loader shows its own loader until `linkReady`).
async fn embed(browser: &Client, site: &HostSite, cal_link: &str, namespace: &str) {
    browser.goto(&site.page(cal_link, namespace)).await.unwrap();
    hear(browser, "linkReady").await;
    wait_for(browser, "cal-inline[loading='done'] iframe.cal-embed").await;
}

/// Enters the embed's iframe.
async fn enter(browser: &Client) {
    let frame = wait_for(browser, "iframe.cal-embed").await;
    frame.enter_frame().await.unwrap();
}

/// The address of the page inside the frame (WebDriver's current URL is the top page's).
async fn frame_url(browser: &Client) -> url::Url {
    let href = browser
        .execute("return location.href;", vec![])
        .await
        .unwrap();
    url::Url::parse(href.as_str().unwrap()).unwrap()
}

/// How many pages inside the frame have reported their size since the embed started: each
/// page load's first `__dimensionChanged` says `isFirstTime`.
fn pages_loaded(events: &[Value]) -> usize {
    events
        .iter()
        .filter(|e| e["type"] == "__dimensionChanged" && e["data"]["isFirstTime"] == true)
        .count()
}

async fn bookings(app: &TestApp, key: &str) -> Vec<Value> {
    let all = data(
        app.call(M::GET, "/v2/bookings?take=100", Some(key), None)
            .await,
        200,
    )
    .await;
    all.as_array().unwrap().clone()
}

/// Books the first free time in the booker inside the frame; back on the host page after.
async fn book_in_frame(browser: &Client) {
    enter(browser).await;
    wait_for(browser, ".day.free").await.click().await.unwrap();
    wait_for(browser, ".slot").await.click().await.unwrap();
    fill(browser, "#field-name", "Grace Hopper").await;
    fill(browser, "#field-email", "grace@example.com").await;
    wait_for(browser, "#confirm").await.click().await.unwrap();
    wait_for(browser, "#booking[data-state='scheduled']").await;
    // Cal.com's parent sends `ui` once; every page of the booking still looks as it asked.
    let looks = browser
        .execute(
            "return [document.documentElement.getAttribute('data-theme'),
                     document.documentElement.style.getPropertyValue('--brand')];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(looks, json!(["dark", "#0f766e"]));
    browser.enter_parent_frame().await.unwrap();
}

#[tokio::test]
async fn cal_coms_embed_books_and_reschedules_and_hears_ready_once() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let (key, event) = host_with_event(&app, json!({})).await;
    let site = HostSite::start(&app.address).await;
    let mut driver = Driver::start("UTC").await;
    let browser = driver.browser(1280, 1000).await;

    // Booking inside the embed: the month, the day, the form, the booking page, each a page
    // load in the same iframe; the host page hears ready once and the booking.
    embed(&browser, &site, "ada/intro", "").await;
    book_in_frame(&browser).await;
    let booked = hear(&browser, "bookingSuccessfulV2").await;
    let all = bookings(&app, &key).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(booked["uid"], all[0]["uid"], "{booked}");
    assert_eq!(booked["eventTypeId"], event, "{booked}");
    assert_eq!(booked["status"], "ACCEPTED", "{booked}");
    assert_eq!(booked["title"], all[0]["title"], "{booked}");
    let events = heard(&browser).await;
    assert!(pages_loaded(&events) >= 3, "{events:#?}");
    assert_eq!(count(&events, "__iframeReady"), 1, "{events:#?}");
    assert_eq!(count(&events, "linkReady"), 1, "{events:#?}");
    assert_eq!(count(&events, "bookingSuccessfulV2"), 1, "{events:#?}");
    assert!(
        events.iter().all(|e| e["namespace"] == ""),
        "the default namespace: {events:#?}"
    );
    screenshot(&browser, "embed-core-booked").await;

    // The reschedule link, on a new page of the site: a new embed, ready again (once).
    let uid = booked["uid"].as_str().unwrap().to_owned();
    embed(&browser, &site, &format!("reschedule/{uid}"), "").await;
    enter(&browser).await;
    let at = frame_url(&browser).await;
    assert!(at.path().ends_with("/ada/intro/embed"), "{at}");
    assert!(
        at.query_pairs()
            .any(|(k, v)| k == "rescheduleUid" && v == uid),
        "{at}"
    );
    let mut moved = false;
    for slot in browser.find_all(Locator::Css(".slot")).await.unwrap() {
        let start = slot.attr("data-slot").await.unwrap().unwrap_or_default();
        if json!(format!("{}.000Z", start.trim_end_matches('Z'))) != all[0]["start"] {
            slot.click().await.unwrap();
            moved = true;
            break;
        }
    }
    assert!(moved, "another time on the booking's day");
    wait_for(&browser, "#confirm").await.click().await.unwrap();
    wait_for(&browser, "#booking[data-state='scheduled']").await;
    browser.enter_parent_frame().await.unwrap();
    let rescheduled = hear(&browser, "rescheduleBookingSuccessfulV2").await;
    assert_ne!(rescheduled["uid"], json!(uid), "{rescheduled}");
    let events = heard(&browser).await;
    assert_eq!(count(&events, "__iframeReady"), 1, "{events:#?}");
    assert_eq!(count(&events, "linkReady"), 1, "{events:#?}");
    assert_eq!(count(&events, "bookingSuccessfulV2"), 0, "{events:#?}");
    let all = bookings(&app, &key).await;
    let new = all.iter().find(|b| b["uid"] == rescheduled["uid"]);
    assert_eq!(
        new.map(|b| &b["status"]),
        Some(&json!("accepted")),
        "{all:?}"
    );
    let old = all.iter().find(|b| b["uid"] == json!(uid));
    assert_eq!(
        old.map(|b| &b["status"]),
        Some(&json!("cancelled")),
        "{all:?}"
    );
    screenshot(&browser, "embed-core-rescheduled").await;
    browser.close().await.unwrap();
}

#[tokio::test]
async fn cal_coms_embed_shows_profiles_and_team_pages_and_hears_a_bad_link_fail() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = spawn_app().await;
    let (key, _) = host_with_event(&app, json!({})).await;
    team_with_event(&app, &key).await;
    let site = HostSite::start(&app.address).await;
    let mut driver = Driver::start("UTC").await;
    let browser = driver.browser(1280, 1000).await;

    // A person's profile; its event type opens in the same embed.
    embed(&browser, &site, "ada", "").await;
    follow_event_link(&browser, "/ada/intro/embed").await;
    screenshot(&browser, "embed-core-profile").await;

    // A team's event type, in a namespace of its own.
    embed(&browser, &site, "team/support/call", "team").await;
    enter(&browser).await;
    wait_for(&browser, ".slot").await;
    browser.enter_parent_frame().await.unwrap();
    let events = heard(&browser).await;
    assert!(
        events.iter().all(|e| e["namespace"] == "team"),
        "{events:#?}"
    );

    // The team's profile, and its event type from there.
    embed(&browser, &site, "team/support", "team").await;
    follow_event_link(&browser, "/team/support/call/embed").await;

    // A link that names nothing: the embed hears it fail and shows its error state.
    browser
        .goto(&site.page("nobody/nothing", ""))
        .await
        .unwrap();
    let failed = hear(&browser, "linkFailed").await;
    assert_eq!(failed["code"], "404", "{failed}");
    assert_eq!(failed["msg"], "Problem loading the link", "{failed}");
    let url = failed["data"]["url"].as_str().unwrap_or_default();
    assert!(url.contains("/nobody/nothing/embed"), "{failed}");
    wait_for(
        &browser,
        "cal-inline[loading='failed'][data-error-code='404']",
    )
    .await;
    // Cal.com's iframe sends no size and no linkReady for a page that failed.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let events = heard(&browser).await;
    assert_eq!(count(&events, "__iframeReady"), 1, "{events:#?}");
    assert_eq!(count(&events, "linkFailed"), 1, "{events:#?}");
    assert_eq!(count(&events, "linkReady"), 0, "{events:#?}");
    assert_eq!(count(&events, "__dimensionChanged"), 0, "{events:#?}");
    screenshot(&browser, "embed-core-failed").await;
    browser.close().await.unwrap();
}

/// A team `support` with a collective event type `call` hosted by the key's owner.
async fn team_with_event(app: &TestApp, key: &str) {
    let team = data(
        app.call(
            M::POST,
            "/v2/teams",
            Some(key),
            Some(json!({"name": "Support Crew", "slug": "support"})),
        )
        .await,
        201,
    )
    .await;
    let me = data(app.call(M::GET, "/v2/me", Some(key), None).await, 200).await;
    data(
        app.call(
            M::POST,
            &format!("/v2/teams/{}/event-types", team["id"]),
            Some(key),
            Some(
                json!({"title": "Team Call", "slug": "call", "lengthInMinutes": 30,
                "schedulingType": "COLLECTIVE", "hosts": [{"userId": me["id"]}]}),
            ),
        )
        .await,
        201,
    )
    .await;
}

/// Inside the embed showing a profile: follows the (only) event type's link and checks that the
/// booker opens in embed mode at `path`, with no second ready from the frame.
async fn follow_event_link(browser: &Client, path: &str) {
    enter(browser).await;
    wait_for(browser, ".event-link")
        .await
        .click()
        .await
        .unwrap();
    wait_for(browser, ".slot").await;
    let at = frame_url(browser).await;
    assert_eq!(at.path(), path, "{at}");
    assert!(at.query_pairs().any(|(k, _)| k == "embed"), "{at}");
    browser.enter_parent_frame().await.unwrap();
    let events = eventually(
        "the booker's page to report its size",
        Duration::from_secs(10),
        async || {
            let events = heard(browser).await;
            (pages_loaded(&events) >= 2).then_some(events)
        },
    )
    .await;
    assert_eq!(count(&events, "__iframeReady"), 1, "{events:#?}");
    assert_eq!(count(&events, "linkReady"), 1, "{events:#?}");
}
