//! The ICS feed provider against a feed server on loopback: conditional requests, recurring
//! events with exceptions, DST, all-day events, and every way a feed can fail (malformed,
//! too large, too slow, 5xx, 429, 404, 403, redirects).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use kairos::calendars::ics::{FeedSettings, IcsFeeds};
use kairos::calendars::{
    Account, CalendarApi, CalendarBusy, CalendarCursor, Credentials, ProviderError,
};
use kairos::webhooks::ssrf::Policy;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const ETAG: &str = "\"v1\"";
const LAST_MODIFIED: &str = "Mon, 03 Mar 2025 10:00:00 GMT";

/// A weekly Berlin meeting across the March DST change, one instance moved, one cancelled by
/// EXDATE, one by a cancelled override; an all-day event on the DST day; a free event.
const RECURRING: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
X-WR-CALNAME:Ana's rota\r\n\
BEGIN:VEVENT\r\nUID:weekly@test\r\nSUMMARY:Weekly\r\n\
DTSTART;TZID=Europe/Berlin:20250317T090000\r\nDTEND;TZID=Europe/Berlin:20250317T100000\r\n\
RRULE:FREQ=WEEKLY;COUNT=6\r\nEXDATE;TZID=Europe/Berlin:20250407T090000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:weekly@test\r\nSUMMARY:Weekly (moved)\r\n\
RECURRENCE-ID;TZID=Europe/Berlin:20250324T090000\r\n\
DTSTART;TZID=Europe/Berlin:20250325T150000\r\nDTEND;TZID=Europe/Berlin:20250325T160000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:weekly@test\r\nRECURRENCE-ID;TZID=Europe/Berlin:20250414T090000\r\nSTATUS:CANCELLED\r\n\
DTSTART;TZID=Europe/Berlin:20250414T090000\r\nDTEND;TZID=Europe/Berlin:20250414T100000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:holiday@test\r\nSUMMARY:Day off\r\nDTSTART;VALUE=DATE:20250330\r\nDTEND;VALUE=DATE:20250331\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:free@test\r\nTRANSP:TRANSPARENT\r\nDTSTART:20250318T120000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

/// What the feed server answers on a path.
#[derive(Clone)]
enum Answer {
    Feed(&'static str),
    Status(u16, &'static [(&'static str, &'static str)]),
    Html,
    /// An endless feed, sent in chunks without a length.
    Huge,
    Slow,
    Redirect(&'static str),
}

/// A feed server on loopback that counts requests and keeps their headers.
struct FeedServer {
    address: SocketAddr,
    requests: Arc<Mutex<Vec<HashMap<String, String>>>>,
}

impl FeedServer {
    async fn start(routes: &[(&'static str, Answer)]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let routes: Arc<HashMap<&'static str, Answer>> = Arc::new(routes.iter().cloned().collect());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, routes.clone(), seen.clone()));
            }
        });
        Self { address, requests }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    fn last_header(&self, name: &str) -> Option<String> {
        self.requests.lock().unwrap().last()?.get(name).cloned()
    }
}

async fn serve(
    mut stream: TcpStream,
    routes: Arc<HashMap<&'static str, Answer>>,
    seen: Arc<Mutex<Vec<HashMap<String, String>>>>,
) {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let text = String::from_utf8_lossy(&request).to_string();
    let mut lines = text.split("\r\n");
    let path = lines
        .next()
        .unwrap_or("")
        .split(' ')
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    let mut headers: HashMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    headers.insert(":path".into(), path.clone());
    let path_only = path.split('?').next().unwrap_or("").to_owned();
    seen.lock().unwrap().push(headers.clone());
    let answer = routes
        .get(path_only.as_str())
        .cloned()
        .unwrap_or(Answer::Status(404, &[]));
    let _ = respond(&mut stream, answer, &headers).await;
}

async fn respond(
    stream: &mut TcpStream,
    answer: Answer,
    headers: &HashMap<String, String>,
) -> std::io::Result<()> {
    let reply = |status: &str, extra: &str, body: &str| {
        format!(
            "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let text = match answer {
        Answer::Feed(body) => {
            let fresh = headers.get("if-none-match").is_some_and(|v| v == ETAG)
                || headers
                    .get("if-modified-since")
                    .is_some_and(|v| v == LAST_MODIFIED);
            if fresh {
                reply("304 Not Modified", &format!("ETag: {ETAG}\r\n"), "")
            } else {
                let extra = format!(
                    "Content-Type: text/calendar; charset=utf-8\r\nETag: {ETAG}\r\nLast-Modified: {LAST_MODIFIED}\r\n"
                );
                reply("200 OK", &extra, body)
            }
        }
        Answer::Status(code, extra) => {
            let extra: String = extra.iter().map(|(n, v)| format!("{n}: {v}\r\n")).collect();
            reply(&format!("{code} Status"), &extra, "")
        }
        Answer::Html => reply(
            "200 OK",
            "Content-Type: text/html\r\n",
            "<!DOCTYPE html><html><body>Please sign in</body></html>",
        ),
        Answer::Redirect(to) => reply("302 Found", &format!("Location: {to}\r\n"), ""),
        Answer::Slow => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            reply("200 OK", "", RECURRING)
        }
        Answer::Huge => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nConnection: close\r\n\r\nBEGIN:VCALENDAR\r\n")
                .await?;
            let chunk =
                "X-FILLER:0123456789012345678901234567890123456789012345678901234567890\r\n"
                    .repeat(1000);
            for _ in 0..200 {
                stream.write_all(chunk.as_bytes()).await?;
            }
            return Ok(());
        }
    };
    stream.write_all(text.as_bytes()).await
}

fn provider(timeout: Duration) -> IcsFeeds {
    IcsFeeds::new(FeedSettings {
        policy: Policy {
            allow_private: false,
            allowed_hosts: vec!["127.0.0.1".into()],
        },
        timeout,
        ..FeedSettings::default()
    })
    .unwrap()
}

fn account(url: &str) -> Account {
    Account {
        url: Some(url.to_owned()),
        credentials: Credentials::None,
        time_zone: chrono_tz::Europe::Berlin,
    }
}

fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
}

async fn busy(
    feeds: &IcsFeeds,
    url: &str,
    state: Option<String>,
) -> Result<CalendarBusy, ProviderError> {
    let cursor = CalendarCursor {
        calendar_id: url.to_owned(),
        state,
    };
    let mut answers = feeds
        .busy(
            &mut account(url),
            &[cursor],
            utc(2025, 3, 1),
            utc(2025, 5, 1),
        )
        .await?;
    assert_eq!(answers.len(), 1);
    Ok(answers.remove(0))
}

/// Blocks as `MM-DD HH:MM+zz..HH:MM summary` in Berlin time.
fn shown(answer: &CalendarBusy) -> (Vec<String>, Option<String>) {
    let CalendarBusy::Replaced { blocks, state } = answer else {
        panic!("expected blocks, got {answer:?}");
    };
    let berlin = |t: DateTime<Utc>| t.with_timezone(&chrono_tz::Europe::Berlin);
    let shown = blocks
        .iter()
        .map(|b| {
            format!(
                "{}..{} {}",
                berlin(b.start).format("%m-%d %H:%M%:z"),
                berlin(b.end).format("%m-%d %H:%M%:z"),
                b.summary.as_deref().unwrap_or("-")
            )
        })
        .collect();
    (shown, state.clone())
}

#[tokio::test]
async fn a_feed_blocks_its_events_and_a_second_read_is_conditional() {
    let server = FeedServer::start(&[("/cal.ics", Answer::Feed(RECURRING))]).await;
    let feeds = provider(Duration::from_secs(10));
    let url = server.url("/cal.ics?token=s3cret");

    let (blocks, state) = shown(&busy(&feeds, &url, None).await.unwrap());
    assert_eq!(
        blocks,
        [
            "03-17 09:00+01:00..03-17 10:00+01:00 Weekly",
            "03-25 15:00+01:00..03-25 16:00+01:00 Weekly (moved)",
            "03-30 00:00+01:00..03-31 00:00+02:00 Day off",
            "03-31 09:00+02:00..03-31 10:00+02:00 Weekly",
            "04-21 09:00+02:00..04-21 10:00+02:00 Weekly",
        ]
    );
    assert_eq!(server.count(), 1);
    assert_eq!(
        server.last_header(":path").as_deref(),
        Some("/cal.ics?token=s3cret")
    );
    assert_eq!(server.last_header("if-none-match"), None);

    let state = state.expect("the answer's validators are kept");
    let second = busy(&feeds, &url, Some(state)).await.unwrap();
    assert_eq!(second, CalendarBusy::Unchanged);
    assert_eq!(server.count(), 2);
    assert_eq!(server.last_header("if-none-match").as_deref(), Some(ETAG));
    assert_eq!(
        server.last_header("if-modified-since").as_deref(),
        Some(LAST_MODIFIED)
    );

    // A state that does not read is a full read, not an error.
    let third = busy(&feeds, &url, Some("not json".into())).await.unwrap();
    assert!(matches!(third, CalendarBusy::Replaced { .. }));
}

#[tokio::test]
async fn calendars_name_the_feed_and_writes_are_refused() {
    let server = FeedServer::start(&[
        ("/named.ics", Answer::Feed(RECURRING)),
        (
            "/plain.ics",
            Answer::Feed("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"),
        ),
    ])
    .await;
    let feeds = provider(Duration::from_secs(10));
    let url = server.url("/named.ics?key=1");
    let calendars = feeds.calendars(&mut account(&url)).await.unwrap();
    assert_eq!(calendars.len(), 1);
    // The id never carries the URL, whose query may be a secret.
    assert!(calendars[0].id.starts_with("feed-"), "{}", calendars[0].id);
    assert!(!calendars[0].id.contains("key"));
    assert_eq!(calendars[0].name, "Ana's rota");
    assert!(calendars[0].read_only);

    let plain = server.url("/plain.ics");
    let calendars = feeds.calendars(&mut account(&plain)).await.unwrap();
    assert_eq!(calendars[0].name, server.address.to_string());

    let event = kairos::calendars::WrittenEvent {
        external_id: "x".into(),
        etag: None,
        meeting_url: None,
    };
    let refused = feeds.delete_event(&mut account(&url), &url, &event).await;
    assert_eq!(
        refused,
        Err(ProviderError::Invalid("an ICS feed is read-only".into()))
    );
}

#[tokio::test]
async fn failures_map_to_provider_errors_without_the_secret_query() {
    let server = FeedServer::start(&[
        ("/html.ics", Answer::Html),
        ("/broken.ics", Answer::Feed("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:b\r\nDTSTART:soon\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")),
        ("/huge.ics", Answer::Huge),
        ("/slow.ics", Answer::Slow),
        ("/down.ics", Answer::Status(503, &[])),
        ("/error.ics", Answer::Status(500, &[])),
        ("/busy.ics", Answer::Status(429, &[("Retry-After", "120")])),
        ("/gone.ics", Answer::Status(410, &[])),
        ("/private.ics", Answer::Status(403, &[])),
        ("/loop.ics", Answer::Redirect("/loop.ics?token=s3cret")),
        ("/moved.ics", Answer::Redirect("/cal.ics")),
        ("/cal.ics", Answer::Feed(RECURRING)),
        ("/away.ics", Answer::Redirect("http://169.254.169.254/latest/meta-data")),
    ])
    .await;
    let feeds = provider(Duration::from_secs(1));
    let error = |path: &'static str| {
        let feeds = feeds.clone();
        let url = server.url(&format!("{path}?token=s3cret"));
        async move { busy(&feeds, &url, None).await.unwrap_err() }
    };

    let html = error("/html.ics").await;
    assert!(
        matches!(&html, ProviderError::Invalid(m) if m.contains("looks like HTML")),
        "{html:?}"
    );
    let broken = error("/broken.ics").await;
    assert!(
        matches!(&broken, ProviderError::Invalid(m) if m.contains("DTSTART `soon`") && m.contains("line 2")),
        "{broken:?}"
    );
    let huge = error("/huge.ics").await;
    assert!(
        matches!(&huge, ProviderError::Invalid(m) if m.contains("larger than 10 MB")),
        "{huge:?}"
    );
    let started = std::time::Instant::now();
    let slow = error("/slow.ics").await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(&slow, ProviderError::Unavailable(m) if m.contains("within 1 s")),
        "{slow:?}"
    );
    assert!(matches!(
        error("/down.ics").await,
        ProviderError::Unavailable(_)
    ));
    assert!(
        matches!(error("/error.ics").await, ProviderError::Unavailable(m) if m.contains("500"))
    );
    assert_eq!(
        error("/busy.ics").await,
        ProviderError::RateLimited {
            retry_after: Some(Duration::from_secs(120))
        }
    );
    assert!(matches!(
        error("/gone.ics").await,
        ProviderError::NotFound(_)
    ));
    assert!(matches!(
        error("/private.ics").await,
        ProviderError::Unauthorized(_)
    ));
    let looping = error("/loop.ics").await;
    assert!(
        matches!(&looping, ProviderError::Invalid(m) if m.contains("redirects more than")),
        "{looping:?}"
    );
    let away = error("/away.ics").await;
    assert!(
        matches!(&away, ProviderError::Invalid(m) if m.starts_with(&format!(
            "the URL the feed at {} redirects to is on a private address (169.254.169.254)",
            server.address
        ))),
        "{away:?}"
    );
    // A connection refused: a port nobody listens on.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        busy(
            &feeds,
            &format!("http://{address}/x.ics?token=s3cret"),
            None,
        )
        .await
        .unwrap_err()
    };
    assert!(
        matches!(&closed, ProviderError::Unavailable(m) if m.contains("could not connect")),
        "{closed:?}"
    );

    for failure in [html, broken, huge, slow, looping, away, closed] {
        assert!(!failure.to_string().contains("s3cret"), "{failure}");
    }
    // A redirect to another feed path is followed.
    let moved = busy(&feeds, &server.url("/moved.ics"), None).await.unwrap();
    assert!(matches!(moved, CalendarBusy::Replaced { ref blocks, .. } if blocks.len() == 5));
}

#[tokio::test]
async fn private_addresses_are_refused_unless_allowed() {
    let server = FeedServer::start(&[("/cal.ics", Answer::Feed(RECURRING))]).await;
    let strict = IcsFeeds::new(FeedSettings::default()).unwrap();
    let url = server.url("/cal.ics");
    let refused = busy(&strict, &url, None).await.unwrap_err();
    assert!(
        matches!(&refused, ProviderError::Invalid(m) if m.starts_with("the ICS feed URL is on a private address (127.0.0.1)")),
        "{refused:?}"
    );
    assert_names_the_calendar_settings(&refused);
    // A name that resolves to loopback is refused by the resolver when connecting.
    let port = server.address.port();
    let named = format!("http://localhost:{port}/cal.ics");
    let refused = busy(&strict, &named, None).await.unwrap_err();
    let expected = format!("the feed at localhost:{port} is on a private address (`localhost`");
    assert!(
        matches!(&refused, ProviderError::Unavailable(m) if m.starts_with(&expected)),
        "{refused:?}"
    );
    assert_names_the_calendar_settings(&refused);
    assert_eq!(server.count(), 0);
}

/// A refused address names the calendar settings, not the webhook ones.
fn assert_names_the_calendar_settings(error: &ProviderError) {
    let message = error.to_string();
    assert!(
        message.contains("KAIROS_CALENDAR_ALLOW_PRIVATE"),
        "{message}"
    );
    assert!(
        message.contains("KAIROS_CALENDAR_ALLOWED_HOSTS"),
        "{message}"
    );
    assert!(!message.to_lowercase().contains("webhook"), "{message}");
}
