//! The CalDAV provider against a real CalDAV server: Radicale, started here on a free port with
//! its own storage folder and users, stopped when the test ends. Needs Radicale (`apt-get
//! install -y radicale`; `.ci/run` installs it); without it the tests fail and say so.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use kairos::calendars::caldav::{CalDav, Settings};
use kairos::calendars::{
    Account, CalendarApi, CalendarBusy, CalendarCursor, Credentials, EventDraft, Person,
    ProviderError, WrittenEvent,
};
use kairos::webhooks::ssrf::Policy;

use crate::helpers::eventually;

const RADICALE: &str = "radicale";

const RIGHTS: &str = "\
[root]
user: .+
collection:
permissions: R

[principal]
user: .+
collection: {user}
permissions: RW

[calendars]
user: .+
collection: {user}/[^/]+
permissions: rw

[shared]
user: ada
collection: grace/shared
permissions: r
";

/// A Radicale server with the users `ada` (password `ada-secret`) and `grace`.
pub(crate) struct Radicale {
    process: Child,
    pub(crate) url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Radicale {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Radicale {
    pub(crate) async fn start() -> Self {
        let found = Command::new(RADICALE).arg("--version").output();
        assert!(
            found.is_ok_and(|o| o.status.success()),
            "the CalDAV tests need Radicale: apt-get install -y radicale (.ci/run does this)"
        );
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = write_config(dir.path(), port);
        let process = Command::new(RADICALE)
            .arg("--config")
            .arg(config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("radicale starts");
        let radicale = Self {
            process,
            url: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        };
        let client = reqwest::Client::new();
        let what = format!("radicale to answer on {}", radicale.url);
        eventually(&what, Duration::from_secs(10), async || {
            client.get(&radicale.url).send().await.is_ok()
        })
        .await;
        radicale
    }

    /// `user`'s calendar `name` (MKCALENDAR), holding `component`, in Europe/Berlin.
    pub(crate) async fn calendar(&self, user: &str, name: &str, component: &str) -> String {
        let url = format!("{}/{user}/{name}/", self.url);
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
<D:displayname>{name} calendar</D:displayname>
<C:calendar-timezone>BEGIN:VCALENDAR&#13;
BEGIN:VTIMEZONE&#13;
TZID:Europe/Berlin&#13;
END:VTIMEZONE&#13;
END:VCALENDAR&#13;
</C:calendar-timezone>
<C:supported-calendar-component-set><C:comp name="{component}"/></C:supported-calendar-component-set>
</D:prop></D:set></C:mkcalendar>"#
        );
        let status = self
            .as_user(user, "MKCALENDAR", &url)
            .body(body)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status.as_u16(), 201, "MKCALENDAR {url}");
        url
    }

    pub(crate) fn as_user(&self, user: &str, method: &str, url: &str) -> reqwest::RequestBuilder {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        reqwest::Client::new()
            .request(method, url)
            .basic_auth(user, Some(password(user)))
    }

    /// A resource's text as `ada` reads it with a plain GET; `None` when it is gone.
    pub(crate) async fn get(&self, url: &str) -> Option<String> {
        let response = self.as_user("ada", "GET", url).send().await.unwrap();
        match response.status().as_u16() {
            404 => None,
            200 => Some(response.text().await.unwrap()),
            other => panic!("GET {url}: {other}"),
        }
    }

    /// Stores `ics` as `name` in `calendar`, as ada.
    pub(crate) async fn put(&self, calendar: &str, name: &str, ics: &str) {
        let status = self
            .as_user("ada", "PUT", &format!("{calendar}{name}"))
            .header("Content-Type", "text/calendar; charset=utf-8")
            .body(ics.to_owned())
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_success(), "PUT {name}: {status}");
    }
}

fn write_config(dir: &Path, port: u16) -> std::path::PathBuf {
    let users = dir.join("users");
    std::fs::write(&users, "ada:ada-secret\ngrace:grace-secret\n").unwrap();
    let rights = dir.join("rights");
    std::fs::write(&rights, RIGHTS).unwrap();
    let config = dir.join("config");
    std::fs::write(
        &config,
        format!(
            "[server]\nhosts = 127.0.0.1:{port}\n\n\
             [auth]\ntype = htpasswd\nhtpasswd_filename = {}\nhtpasswd_encryption = plain\n\n\
             [rights]\ntype = from_file\nfile = {}\n\n\
             [storage]\nfilesystem_folder = {}\n\n\
             [logging]\nlevel = warning\n",
            users.display(),
            rights.display(),
            dir.join("collections").display()
        ),
    )
    .unwrap();
    config
}

pub(crate) fn password(user: &str) -> String {
    format!("{user}-secret")
}

/// The provider, allowed to reach 127.0.0.1 (and nothing else private).
fn caldav() -> CalDav {
    CalDav::new(Settings {
        policy: Policy {
            allow_private: false,
            allowed_hosts: vec!["127.0.0.1".to_owned()],
        },
        timeout: Duration::from_secs(10),
    })
    .unwrap()
}

fn account(url: &str, user: &str, password: &str) -> Account {
    Account {
        url: Some(url.to_owned()),
        credentials: Credentials::Password {
            username: user.to_owned(),
            password: password.to_owned(),
        },
        time_zone: chrono_tz::Europe::Berlin,
    }
}

fn ada(url: &str) -> Account {
    account(url, "ada", &password("ada"))
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn draft(uid: &str, start: DateTime<Utc>) -> EventDraft {
    EventDraft {
        ical_uid: uid.to_owned(),
        title: "Intro with Grace".to_owned(),
        description: "Booked on Kairos".to_owned(),
        location: Some("Room 1, Floor 2".to_owned()),
        start,
        end: start + chrono::Duration::minutes(30),
        time_zone: "Europe/Berlin".to_owned(),
        organizer: Person {
            name: "Ada Host".to_owned(),
            email: "ada@example.com".to_owned(),
        },
        attendees: vec![Person {
            name: "Grace Guest".to_owned(),
            email: "grace@example.com".to_owned(),
        }],
        conference: false,
        cancelled: false,
    }
}

#[tokio::test]
async fn discovers_the_event_calendars_from_the_server_root() {
    let server = Radicale::start().await;
    let work = server.calendar("ada", "work", "VEVENT").await;
    server.calendar("ada", "tasks", "VTODO").await;
    let calendars = caldav()
        .calendars(&mut ada(&format!("{}/", server.url)))
        .await
        .expect("discovery");
    assert_eq!(calendars.len(), 1, "{calendars:#?}");
    let calendar = &calendars[0];
    assert_eq!(calendar.id, work);
    assert_eq!(calendar.name, "work calendar");
    assert!(calendar.primary);
    assert!(!calendar.read_only);
    assert_eq!(calendar.time_zone.as_deref(), Some("Europe/Berlin"));
}

#[tokio::test]
async fn discovers_from_the_home_or_a_calendar_url() {
    let server = Radicale::start().await;
    let work = server.calendar("ada", "work", "VEVENT").await;
    let private = server.calendar("ada", "private", "VEVENT").await;
    let mut from_home = caldav()
        .calendars(&mut ada(&format!("{}/ada/", server.url)))
        .await
        .expect("from the home");
    from_home.sort_by(|a, b| a.id.cmp(&b.id));
    let ids: Vec<&str> = from_home.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, [private.as_str(), work.as_str()]);
    assert_eq!(from_home.iter().filter(|c| c.primary).count(), 1);

    let only = caldav()
        .calendars(&mut ada(&work))
        .await
        .expect("from the calendar");
    assert_eq!(only.len(), 1, "{only:#?}");
    assert_eq!(only[0].id, work);
    assert!(only[0].primary);
}

#[tokio::test]
async fn a_calendar_shared_for_reading_is_read_only() {
    let server = Radicale::start().await;
    let shared = server.calendar("grace", "shared", "VEVENT").await;
    let calendars = caldav()
        .calendars(&mut ada(&shared))
        .await
        .expect("discovery");
    assert_eq!(calendars.len(), 1, "{calendars:#?}");
    assert!(calendars[0].read_only);
    assert!(!calendars[0].primary);
    let error = caldav()
        .create_event(
            &mut ada(&shared),
            &shared,
            &draft("x@kairos", utc(2026, 12, 1, 9, 0)),
        )
        .await
        .expect_err("read-only");
    assert!(matches!(error, ProviderError::Unauthorized(_)), "{error:?}");
}

#[tokio::test]
async fn a_wrong_password_is_unauthorized_and_never_repeated() {
    let server = Radicale::start().await;
    let work = server.calendar("ada", "work", "VEVENT").await;
    for url in [format!("{}/", server.url), work.clone()] {
        let error = caldav()
            .calendars(&mut account(&url, "ada", "hunter2-wrong"))
            .await
            .expect_err("wrong password");
        assert!(matches!(error, ProviderError::Unauthorized(_)), "{error:?}");
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }
    let cursor = CalendarCursor {
        calendar_id: work.clone(),
        state: None,
    };
    let error = caldav()
        .busy(
            &mut account(&work, "ada", "hunter2-wrong"),
            &[cursor],
            utc(2026, 12, 1, 0, 0),
            utc(2026, 12, 8, 0, 0),
        )
        .await
        .expect_err("wrong password");
    assert!(matches!(error, ProviderError::Unauthorized(_)), "{error:?}");
}

#[tokio::test]
async fn private_addresses_are_refused_unless_allowed() {
    let server = Radicale::start().await;
    let strict = CalDav::new(Settings::default()).unwrap();
    let error = strict
        .calendars(&mut ada(&format!("{}/", server.url)))
        .await
        .expect_err("127.0.0.1 is private");
    assert!(matches!(error, ProviderError::Invalid(_)), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("the CalDAV server is on a private address (127.0.0.1)"),
        "{message}"
    );
    assert!(
        message.contains("KAIROS_CALENDAR_ALLOW_PRIVATE"),
        "{message}"
    );
    assert!(!message.to_lowercase().contains("webhook"), "{message}");
    // A name resolving to a private address is refused too, at connect time.
    let named = server.url.replace("127.0.0.1", "localhost");
    let error = strict
        .calendars(&mut ada(&format!("{named}/")))
        .await
        .expect_err("localhost is private");
    assert!(matches!(error, ProviderError::Invalid(_)), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("the CalDAV server is on a private address (`localhost` resolves to "),
        "{message}"
    );
    assert!(
        message.contains("KAIROS_CALENDAR_ALLOWED_HOSTS"),
        "{message}"
    );
    assert!(!message.to_lowercase().contains("webhook"), "{message}");
}

/// A server on 127.0.0.1 that gives every request the same raw HTTP `answer` (`{self}` in it
/// is replaced by its own URL), or no answer at all; returns its URL.
async fn fixed_server(answer: Option<&str>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let answer = answer.map(|a| a.replace("{self}", &url));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request).await;
            match &answer {
                Some(answer) => {
                    let _ = stream.write_all(answer.as_bytes()).await;
                }
                // Hold the connection open without a word.
                None => tokio::time::sleep(Duration::from_secs(30)).await,
            }
        }
    });
    url
}

async fn redirecting_server(location: &str) -> String {
    let answer = format!(
        "HTTP/1.1 301 Moved Permanently\r\nLocation: {location}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    fixed_server(Some(&answer)).await
}

fn answer(status: &str, headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn server_trouble_becomes_the_matching_error() {
    let calendars = async |server: String, timeout: Duration| {
        CalDav::new(Settings {
            policy: Policy {
                allow_private: false,
                allowed_hosts: vec!["127.0.0.1".to_owned()],
            },
            timeout,
        })
        .unwrap()
        .calendars(&mut ada(&format!("{server}/dav/")))
        .await
        .expect_err("no calendars")
    };
    let second = Duration::from_secs(1);
    let busy = fixed_server(Some(&answer("503 Service Unavailable", "", ""))).await;
    let error = calendars(busy, second).await;
    assert!(matches!(error, ProviderError::Unavailable(_)), "{error:?}");

    let limited = answer("429 Too Many Requests", "Retry-After: 7\r\n", "");
    let error = calendars(fixed_server(Some(&limited)).await, second).await;
    assert_eq!(
        error,
        ProviderError::RateLimited {
            retry_after: Some(Duration::from_secs(7))
        }
    );

    let login_page = answer(
        "200 OK",
        "Content-Type: text/html\r\n",
        "<html>Log in</html>",
    );
    let error = calendars(fixed_server(Some(&login_page)).await, second).await;
    assert!(matches!(error, ProviderError::Invalid(_)), "{error:?}");
    assert!(error.to_string().contains("200 OK to PROPFIND"), "{error}");

    let broken = answer(
        "207 Multi-Status",
        "",
        "<multistatus xmlns=\"DAV:\"><response>",
    );
    let error = calendars(fixed_server(Some(&broken)).await, second).await;
    assert!(matches!(error, ProviderError::Invalid(_)), "{error:?}");
    assert!(error.to_string().contains("does not parse"), "{error}");

    let silent = fixed_server(None).await;
    let started = std::time::Instant::now();
    let error = calendars(silent, Duration::from_millis(300)).await;
    assert!(matches!(error, ProviderError::Unavailable(_)), "{error:?}");
    assert!(error.to_string().contains("timed out"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn every_redirect_hop_is_checked() {
    // The cloud metadata address: refused before any connection is tried.
    let server = redirecting_server("http://169.254.169.254/latest/").await;
    let error = caldav()
        .calendars(&mut ada(&format!("{server}/dav/")))
        .await
        .expect_err("redirected to a private address");
    assert!(matches!(error, ProviderError::Invalid(_)), "{error:?}");
    assert!(error.to_string().contains("169.254.169.254"), "{error}");

    let looping = redirecting_server("{self}/again/").await;
    let error = caldav()
        .calendars(&mut ada(&format!("{looping}/dav/")))
        .await
        .expect_err("a redirect loop");
    assert!(
        error.to_string().contains("redirected more than"),
        "{error}"
    );
}

#[tokio::test]
async fn writes_updates_and_deletes_a_booking_event() {
    let server = Radicale::start().await;
    let work = server.calendar("ada", "work", "VEVENT").await;
    let provider = caldav();
    let mut account = ada(&format!("{}/", server.url));
    let booking = draft("b7f3@kairos", utc(2026, 12, 1, 9, 0));

    let written = provider
        .create_event(&mut account, &work, &booking)
        .await
        .expect("created");
    assert!(written.external_id.starts_with(&work), "{written:?}");
    let etag = written.etag.clone().expect("an ETag");
    let stored = server.get(&written.external_id).await.expect("stored");
    let unfolded = stored.replace("\r\n ", "");
    assert!(unfolded.contains("UID:b7f3@kairos\r\n"), "{stored}");
    assert!(
        unfolded.contains("DTSTART:20261201T090000Z\r\n"),
        "{stored}"
    );
    assert!(
        unfolded.contains("LOCATION:Room 1\\, Floor 2\r\n"),
        "{stored}"
    );
    assert!(unfolded.contains("mailto:grace@example.com"), "{stored}");
    assert!(unfolded.contains("STATUS:CONFIRMED"), "{stored}");

    // A create retried after a lost answer writes over its own earlier copy.
    let again = provider
        .create_event(&mut account, &work, &booking)
        .await
        .expect("created again");
    assert_eq!(again.external_id, written.external_id);

    let moved = draft("b7f3@kairos", utc(2026, 12, 2, 14, 0));
    let updated = provider
        .update_event(&mut account, &work, &again, &moved)
        .await
        .expect("updated");
    assert_eq!(updated.external_id, written.external_id);
    assert_ne!(updated.etag.as_deref(), Some(etag.as_str()));
    let stored = server.get(&written.external_id).await.expect("stored");
    assert!(stored.contains("DTSTART:20261202T140000Z\r\n"), "{stored}");

    provider
        .delete_event(&mut account, &work, &updated)
        .await
        .expect("deleted");
    assert_eq!(server.get(&written.external_id).await, None);
    provider
        .delete_event(&mut account, &work, &updated)
        .await
        .expect("deleting twice is fine");
    let error = provider
        .update_event(&mut account, &work, &updated, &moved)
        .await
        .expect_err("gone");
    assert!(matches!(error, ProviderError::NotFound(_)), "{error:?}");
}

#[tokio::test]
async fn an_update_over_a_stale_etag_reads_the_new_one() {
    let server = Radicale::start().await;
    let work = server.calendar("ada", "work", "VEVENT").await;
    let provider = caldav();
    let mut account = ada(&work);
    let written = provider
        .create_event(
            &mut account,
            &work,
            &draft("c1@kairos", utc(2026, 12, 1, 9, 0)),
        )
        .await
        .expect("created");
    // Someone edits the event in their calendar app: the stored ETag is stale now.
    let edited = server
        .get(&written.external_id)
        .await
        .unwrap()
        .replace("SUMMARY:Intro with Grace", "SUMMARY:Edited elsewhere");
    let name = written.external_id.rsplit('/').next().unwrap();
    server.put(&work, name, &edited).await;
    let stale = WrittenEvent { ..written.clone() };
    let updated = provider
        .update_event(
            &mut account,
            &work,
            &stale,
            &draft("c1@kairos", utc(2026, 12, 3, 9, 0)),
        )
        .await
        .expect("updated over the edit");
    let stored = server.get(&updated.external_id).await.unwrap();
    assert!(stored.contains("DTSTART:20261203T090000Z"), "{stored}");
    assert!(stored.contains("SUMMARY:Intro with Grace"), "{stored}");
}

/// Weekly on Mondays 10:00-11:00 Berlin from 12 October 2026, across the end of summer time
/// (25 October), without 19 October.
const WEEKLY: &str = "BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Test//Test//EN\r
BEGIN:VTIMEZONE\r
TZID:Europe/Berlin\r
BEGIN:DAYLIGHT\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
TZNAME:CEST\r
DTSTART:19700329T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
TZNAME:CET\r
DTSTART:19701025T030000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
END:STANDARD\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:weekly-standup@example.com\r
DTSTAMP:20260901T000000Z\r
DTSTART;TZID=Europe/Berlin:20261012T100000\r
DTEND;TZID=Europe/Berlin:20261012T110000\r
RRULE:FREQ=WEEKLY;BYDAY=MO\r
EXDATE;TZID=Europe/Berlin:20261019T100000\r
SUMMARY:Standup\r
END:VEVENT\r
END:VCALENDAR\r
";

fn one_off(uid: &str, start: &str, end: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Test//EN\r\nBEGIN:VEVENT\r\n\
         UID:{uid}\r\nDTSTAMP:20260901T000000Z\r\nDTSTART:{start}\r\nDTEND:{end}\r\n\
         SUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

type Span = (DateTime<Utc>, DateTime<Utc>);

/// The blocks' spans and the next state of a `Replaced` answer.
fn replaced(answer: &CalendarBusy) -> (Vec<Span>, Option<String>) {
    match answer {
        CalendarBusy::Replaced { blocks, state } => (
            blocks.iter().map(|b| (b.start, b.end)).collect(),
            state.clone(),
        ),
        CalendarBusy::Unchanged => panic!("expected blocks, got Unchanged"),
    }
}

#[tokio::test]
async fn busy_time_expands_recurrences_and_follows_changes() {
    let server = Radicale::start().await;
    let work = server.calendar("ada", "work", "VEVENT").await;
    server.put(&work, "weekly.ics", WEEKLY).await;
    // Outside the range: not asked for.
    server
        .put(
            &work,
            "old.ics",
            &one_off("old@example.com", "20260101T090000Z", "20260101T100000Z"),
        )
        .await;
    let provider = caldav();
    let mut account = ada(&format!("{}/", server.url));
    let (from, to) = (utc(2026, 10, 12, 0, 0), utc(2026, 11, 9, 0, 0));
    let cursor = |state: Option<String>| CalendarCursor {
        calendar_id: work.clone(),
        state,
    };

    let answers = provider
        .busy(&mut account, &[cursor(None)], from, to)
        .await
        .expect("busy");
    assert_eq!(answers.len(), 1);
    let (blocks, state) = replaced(&answers[0]);
    assert_eq!(
        blocks,
        [
            (utc(2026, 10, 12, 8, 0), utc(2026, 10, 12, 9, 0)),
            // 19 October is excluded; summer time ends on the 25th.
            (utc(2026, 10, 26, 9, 0), utc(2026, 10, 26, 10, 0)),
            (utc(2026, 11, 2, 9, 0), utc(2026, 11, 2, 10, 0)),
        ]
    );
    let state = state.expect("Radicale tells a ctag");

    let answers = provider
        .busy(&mut account, &[cursor(Some(state.clone()))], from, to)
        .await
        .expect("busy");
    assert_eq!(answers, [CalendarBusy::Unchanged]);

    // A change: an event Kairos writes, recognised by its UID.
    let booking = draft("d9@kairos", utc(2026, 10, 14, 12, 0));
    provider
        .create_event(&mut account, &work, &booking)
        .await
        .expect("created");
    let answers = provider
        .busy(&mut account, &[cursor(Some(state.clone()))], from, to)
        .await
        .expect("busy");
    let CalendarBusy::Replaced {
        blocks,
        state: next,
    } = &answers[0]
    else {
        panic!("expected blocks after a change, got {answers:?}");
    };
    assert_eq!(blocks.len(), 4, "{blocks:#?}");
    assert_ne!(next.as_deref(), Some(state.as_str()));
    let written = blocks
        .iter()
        .find(|b| b.uid.as_deref() == Some("d9@kairos"))
        .expect("the written event");
    assert_eq!((written.start, written.end), (booking.start, booking.end));
}

#[tokio::test]
async fn a_missing_calendar_is_not_found() {
    let server = Radicale::start().await;
    server.calendar("ada", "work", "VEVENT").await;
    let cursor = CalendarCursor {
        calendar_id: format!("{}/ada/gone/", server.url),
        state: None,
    };
    let error = caldav()
        .busy(
            &mut ada(&format!("{}/", server.url)),
            &[cursor],
            utc(2026, 12, 1, 0, 0),
            utc(2026, 12, 8, 0, 0),
        )
        .await
        .expect_err("no such calendar");
    assert!(matches!(error, ProviderError::NotFound(_)), "{error:?}");
}

#[tokio::test]
async fn the_ctag_answers_unchanged_until_the_calendar_changes() {
    let server = Radicale::start().await;
    let work = server.calendar("ada", "work", "VEVENT").await;
    let dentist = one_off(
        "dentist@example.com",
        "20261201T090000Z",
        "20261201T100000Z",
    );
    server.put(&work, "dentist.ics", &dentist).await;
    let provider = caldav();
    let mut account = ada(&work);
    let (from, to) = (utc(2026, 11, 30, 0, 0), utc(2026, 12, 7, 0, 0));
    let cursor = |state: Option<&str>| CalendarCursor {
        calendar_id: work.clone(),
        state: state.map(str::to_owned),
    };
    let mut busy = async |cursors: &[CalendarCursor]| {
        provider
            .busy(&mut account, cursors, from, to)
            .await
            .expect("busy")
    };

    let (_, first) = replaced(&busy(&[cursor(None)]).await[0]);
    let first = first.expect("Radicale tells a ctag");
    assert_eq!(
        busy(&[cursor(Some(&first))]).await,
        [CalendarBusy::Unchanged]
    );
    let (_, again) = replaced(&busy(&[cursor(Some("\"stale\""))]).await[0]);
    assert_eq!(again.as_deref(), Some(first.as_str()));

    let moved = dentist.replace("20261201T09", "20261202T09");
    server.put(&work, "dentist.ics", &moved).await;
    let answers = busy(&[cursor(Some(&first)), cursor(None)]).await;
    assert_eq!(answers.len(), 2);
    let (_, second) = replaced(&answers[0]);
    let second = second.expect("a ctag");
    assert_ne!(second, first);
    assert_eq!(replaced(&answers[1]).1.as_deref(), Some(second.as_str()));
    assert_eq!(
        busy(&[cursor(Some(&second))]).await,
        [CalendarBusy::Unchanged]
    );
}
