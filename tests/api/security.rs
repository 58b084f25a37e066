//! Security headers per kind of answer (pages, embeds, booking pages, the API, static files)
//! and the request-body deadline.

use std::time::{Duration, Instant};

use reqwest::Method as M;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{TestApp, TestDatabase, spawn_app, spawn_app_with};
use crate::pages::{booked, host_with_event};

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

/// The directives of a Content-Security-Policy, by name.
fn directives(csp: &str) -> Vec<(String, String)> {
    csp.split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| match d.split_once(' ') {
            Some((name, value)) => (name.to_owned(), value.to_owned()),
            None => (d.to_owned(), String::new()),
        })
        .collect()
}

fn directive(csp: &str, name: &str) -> Option<String> {
    directives(csp)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

/// A page's headers; panics unless it is HTML with a policy.
async fn page_headers(app: &TestApp, path: &str) -> (u16, String, reqwest::header::HeaderMap) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    assert!(
        header(&response, "content-type")
            .unwrap_or_default()
            .starts_with("text/html"),
        "{path} is a page"
    );
    assert_eq!(
        header(&response, "x-content-type-options").as_deref(),
        Some("nosniff"),
        "{path}"
    );
    let csp = header(&response, "content-security-policy")
        .unwrap_or_else(|| panic!("{path} has no Content-Security-Policy"));
    (status, csp, response.headers().clone())
}

/// What every page's policy says about scripts and styles: nothing inline.
fn assert_no_inline(path: &str, csp: &str) {
    let script = directive(csp, "script-src").unwrap_or_else(|| panic!("{path}: {csp}"));
    assert_eq!(script, "'self'", "{path}: {csp}");
    let style = directive(csp, "style-src").unwrap_or_else(|| panic!("{path}: {csp}"));
    assert_eq!(style, "'self'", "{path}: {csp}");
    assert_eq!(
        directive(csp, "object-src").as_deref(),
        Some("'none'"),
        "{csp}"
    );
    assert_eq!(
        directive(csp, "base-uri").as_deref(),
        Some("'none'"),
        "{csp}"
    );
}

#[tokio::test]
async fn pages_forbid_inline_script_and_framing_except_embeds() {
    let app = spawn_app().await;
    let (_, event) = host_with_event(&app, json!({})).await;
    let start = (chrono::Utc::now() + chrono::Duration::days(20))
        .date_naive()
        .and_hms_opt(10, 0, 0)
        .unwrap()
        .and_utc()
        .to_rfc3339();
    let uid = booked(&app, event, &start, "UTC").await;

    let framed_nowhere = [
        "/".to_owned(),
        "/ada".to_owned(),
        "/ada/intro".to_owned(),
        "/ada/nope".to_owned(),
        format!("/booking/{uid}"),
        format!("/booking/{uid}?cancel=true"),
    ];
    for path in &framed_nowhere {
        let (_, csp, headers) = page_headers(&app, path).await;
        assert_no_inline(path, &csp);
        assert_eq!(
            directive(&csp, "frame-ancestors").as_deref(),
            Some("'none'"),
            "{path}: {csp}"
        );
        assert_eq!(
            headers.get("x-frame-options").map(|v| v.to_str().unwrap()),
            Some("DENY"),
            "{path}"
        );
    }

    // The embed forms, and the booking page an embedded booking ends on.
    let embeddable = [
        "/ada/intro/embed?embed=&embedType=inline".to_owned(),
        "/ada/nope/embed".to_owned(),
        format!("/booking/{uid}?embed=&booked=1"),
    ];
    for path in &embeddable {
        let (_, csp, headers) = page_headers(&app, path).await;
        assert_no_inline(path, &csp);
        assert_eq!(
            directive(&csp, "frame-ancestors").as_deref(),
            Some("*"),
            "{path}: {csp}"
        );
        assert!(headers.get("x-frame-options").is_none(), "{path}");
    }

    // Booking pages carry the booking's key in their URL: no referrer leaves them.
    for path in [format!("/booking/{uid}"), format!("/booking/{uid}?embed=")] {
        let (_, _, headers) = page_headers(&app, &path).await;
        assert_eq!(
            headers.get("referrer-policy").map(|v| v.to_str().unwrap()),
            Some("no-referrer"),
            "{path}"
        );
    }
    for path in ["/ada/intro", "/ada/intro/embed"] {
        let (_, _, headers) = page_headers(&app, path).await;
        assert_eq!(
            headers.get("referrer-policy").map(|v| v.to_str().unwrap()),
            Some("strict-origin-when-cross-origin"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn pages_carry_no_inline_script_or_style() {
    let app = spawn_app().await;
    let (_, event) = host_with_event(&app, json!({})).await;
    let day = (chrono::Utc::now() + chrono::Duration::days(20)).date_naive();
    let uid = booked(&app, event, &format!("{day}T10:00:00Z"), "UTC").await;
    let paths = [
        "/".to_owned(),
        "/ada".to_owned(),
        format!("/ada/intro?tz=UTC&date={day}"),
        format!("/ada/intro?tz=UTC&date={day}&slot={day}T11:00:00Z"),
        format!("/ada/intro/embed?embed=&tz=UTC&date={day}"),
        format!("/booking/{uid}"),
        format!("/booking/{uid}?embed=&booked=1"),
        "/static/embed-test.html".to_owned(),
        "/nobody/nothing".to_owned(),
    ];
    for path in &paths {
        let html = app.get(path).await.text().await.unwrap();
        let lower = html.to_lowercase();
        // A script element either loads a file or is a JSON data block (never run).
        for (i, _) in lower.match_indices("<script") {
            let tag = &lower[i..i + lower[i..].find('>').unwrap()];
            assert!(
                tag.contains(" src=") || tag.contains("type=\"application/json\""),
                "{path}: inline script {tag}"
            );
        }
        assert!(!lower.contains(" style="), "{path}: a style attribute");
        assert!(
            !lower.contains("<style") || path.contains("embed-test"),
            "{path}: a style element"
        );
        let handlers = regex_lite_handlers(&lower);
        assert!(handlers.is_empty(), "{path}: event handlers {handlers:?}");
    }
}

/// `on…=` attributes in `html`.
fn regex_lite_handlers(html: &str) -> Vec<String> {
    html.split(|c: char| c.is_whitespace())
        .filter(|w| {
            w.starts_with("on")
                && w.split_once('=').is_some_and(|(name, _)| {
                    name.len() > 2 && name.chars().all(|c| c.is_ascii_lowercase())
                })
        })
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_brand_colours_come_from_a_stylesheet() {
    let app = spawn_app().await;
    host_with_event(&app, json!({})).await;
    let html = app.get("/ada/intro").await.text().await.unwrap();
    let start = html
        .find("/static/brand.css?")
        .expect("the page links its brand stylesheet");
    // As the browser reads the attribute: askama writes `&` as `&#38;`.
    let href = html[start..start + html[start..].find('"').unwrap()].replace("&#38;", "&");
    assert!(href.ends_with("&dark=fafafa"), "{href}");
    let response = app.get(&href).await;
    assert_eq!(response.status(), 200);
    assert!(
        header(&response, "content-type")
            .unwrap()
            .starts_with("text/css")
    );
    let css = response.text().await.unwrap();
    assert!(css.contains("--brand: #1d4ed8;"), "{css}");
    assert!(css.contains("--brand-ink: #ffffff;"), "{css}");
    // Only colours reach the stylesheet.
    let css = app
        .get("/static/brand.css?light=red%3B%7D%20body%7Bdisplay:none&dark=zz")
        .await
        .text()
        .await
        .unwrap();
    assert!(css.contains("--brand: #292929;"), "{css}");
    assert!(!css.contains("display"), "{css}");
}

#[tokio::test]
async fn the_frame_ancestors_of_embeds_are_configurable() {
    let database = TestDatabase::new().await;
    let config = kairos::config::Config {
        frame_ancestors: "https://www.example.com https://*.example.org".into(),
        ..database.config()
    };
    let app = spawn_app_with(config, database).await;
    host_with_event(&app, json!({})).await;
    let (_, csp, _) = page_headers(&app, "/ada/intro/embed").await;
    assert_eq!(
        directive(&csp, "frame-ancestors").as_deref(),
        Some("https://www.example.com https://*.example.org"),
        "{csp}"
    );
    let (_, csp, _) = page_headers(&app, "/ada/intro").await;
    assert_eq!(
        directive(&csp, "frame-ancestors").as_deref(),
        Some("'none'")
    );
}

#[test]
fn a_frame_ancestors_list_that_could_break_the_header_is_refused() {
    for bad in [
        "https://a.example; script-src *",
        "https://a.example,https://b.example",
        "'unsafe-inline'",
        "javascript:",
        "",
    ] {
        let config = kairos::config::Config {
            frame_ancestors: bad.into(),
            ..Default::default()
        };
        let message = config.validate().unwrap_err().to_string();
        assert!(
            message.contains("KAIROS_FRAME_ANCESTORS"),
            "{bad}: {message}"
        );
    }
    for good in ["*", "'self' https://a.example:8443", "https: 'self'"] {
        let config = kairos::config::Config {
            frame_ancestors: good.into(),
            ..Default::default()
        };
        config.validate().unwrap();
    }
}

#[tokio::test]
async fn api_answers_and_files_are_not_sniffed() {
    let app = spawn_app().await;
    let (key, _) = host_with_event(&app, json!({})).await;
    for response in [
        app.get("/health").await,
        app.get("/v2/me").await,
        app.call(M::GET, "/v2/me", Some(&key), None).await,
        app.get("/v2/nothing-here").await,
        app.get("/static/kairos.css").await,
        app.get("/embed/embed.js").await,
    ] {
        let url = response.url().to_string();
        assert_eq!(
            header(&response, "x-content-type-options").as_deref(),
            Some("nosniff"),
            "{url}"
        );
    }
}

/// Sends a request's headers and `sent` bytes of a longer body, then nothing more; returns
/// what the server said and how long it took to say it.
async fn stalled_body(
    app: &TestApp,
    key: &str,
    path: &str,
    kind: &str,
    sent: &[u8],
) -> (String, Duration) {
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: {kind}\r\n\
         Authorization: Bearer {key}\r\nContent-Length: 1000\r\n\r\n"
    );
    let started = Instant::now();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(sent).await.unwrap();
    let mut answer = Vec::new();
    // Until the server closes the connection; the test's own limit is far above the deadline.
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection was still open after 20 s");
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn a_body_that_stops_arriving_gets_408_within_the_deadline() {
    let database = TestDatabase::new().await;
    let config = kairos::config::Config {
        body_timeout_secs: 2,
        ..database.config()
    };
    let app = spawn_app_with(config, database).await;
    let (key, _) = host_with_event(&app, json!({})).await;
    let json = "application/json";
    let form = "application/x-www-form-urlencoded";
    for (path, kind) in [
        ("/v2/bookings", json),
        ("/v2/availability/query", json),
        ("/ada/intro", form),
    ] {
        let (answer, took) = stalled_body(&app, &key, path, kind, b"{\"start\": ").await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{path}: {answer}");
        assert!(
            took >= Duration::from_millis(1900) && took < Duration::from_secs(6),
            "{path}: answered after {took:?}"
        );
    }
    // The API's answer is Cal.com's envelope.
    let (answer, _) = stalled_body(&app, &key, "/v2/bookings", json, b"{").await;
    assert!(answer.contains("\"status\":\"error\""), "{answer}");
}

#[tokio::test]
async fn a_body_that_trickles_in_gets_408_within_the_deadline() {
    let database = TestDatabase::new().await;
    let config = kairos::config::Config {
        body_timeout_secs: 2,
        ..database.config()
    };
    let app = spawn_app_with(config, database).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /v2/bookings HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: 1000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let (mut reader, mut writer) = stream.into_split();
    // One byte every 200 ms: never idle long, never done.
    let trickle = tokio::spawn(async move {
        for _ in 0..100 {
            if writer.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(15), reader.read_to_end(&mut answer)).await;
    let took = started.elapsed();
    trickle.abort();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(took < Duration::from_secs(6), "answered after {took:?}");
}
