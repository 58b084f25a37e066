//! Booking emails over a real SMTP conversation: Kairos's SMTP client (lettre) talks to a small
//! SMTP server on loopback that keeps what it receives, can refuse for a while (4xx), and
//! bounces some recipients (5xx). The messages are read back with a MIME parser, as a mail
//! client would.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mail_parser::{MessageParser, MimeHeaders};
use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Mutex;

use crate::bookings::{at, booking_body, day, host, take_seat};
use crate::helpers::{
    TestApp, TestDatabase, booking_of, data, eventually, spawn_app, spawn_app_with,
};

/// One message as the server received it.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    rcpt: Vec<String>,
    data: Vec<u8>,
}

/// A parsed message: what the tests look at.
#[derive(Debug)]
pub(crate) struct Mail {
    pub(crate) to: String,
    pub(crate) subject: String,
    pub(crate) text: String,
    /// The `text/calendar` part's method parameter and body.
    pub(crate) calendar: Option<(String, String)>,
    /// The `text/html` part, if the message has one.
    pub(crate) html: Option<String>,
    has_ics_attachment: bool,
}

fn parse(received: &Received) -> Mail {
    let message = MessageParser::default()
        .parse(&received.data)
        .expect("a MIME message");
    let calendar = message.parts.iter().find_map(|part| {
        let kind = part.content_type()?;
        (kind.ctype() == "text" && kind.subtype() == Some("calendar")).then(|| {
            (
                kind.attribute("method").unwrap_or_default().to_owned(),
                part.text_contents().unwrap_or_default().to_owned(),
            )
        })
    });
    let html = message.parts.iter().find_map(|part| {
        let kind = part.content_type()?;
        (kind.ctype() == "text" && kind.subtype() == Some("html"))
            .then(|| part.text_contents().unwrap_or_default().to_owned())
    });
    Mail {
        html,
        to: received.rcpt.join(","),
        subject: message.subject().unwrap_or_default().to_owned(),
        text: message.body_text(0).unwrap_or_default().into_owned(),
        calendar,
        has_ics_attachment: message
            .attachments()
            .any(|a| a.attachment_name() == Some("invite.ics")),
    }
}

pub(crate) struct SmtpServer {
    address: SocketAddr,
    inbox: Arc<Mutex<Vec<Received>>>,
    /// Transactions still to refuse with a temporary error.
    refuse: Arc<AtomicUsize>,
    /// How long each message's final reply is held back (milliseconds).
    delay_ms: Arc<AtomicUsize>,
}

impl SmtpServer {
    pub(crate) async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = Self {
            address: listener.local_addr().unwrap(),
            inbox: Arc::default(),
            refuse: Arc::default(),
            delay_ms: Arc::default(),
        };
        let (inbox, refuse) = (server.inbox.clone(), server.refuse.clone());
        let delay = server.delay_ms.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(converse(
                    stream,
                    inbox.clone(),
                    refuse.clone(),
                    delay.clone(),
                ));
            }
        });
        server
    }

    /// Holds each message's final reply back this long (the message counts as received).
    pub(crate) fn set_delay(&self, delay: Duration) {
        self.delay_ms
            .store(delay.as_millis() as usize, Ordering::SeqCst);
    }

    /// Every message so far.
    pub(crate) async fn mails(&self) -> Vec<Mail> {
        self.inbox.lock().await.iter().map(parse).collect()
    }

    pub(crate) fn url(&self) -> String {
        format!("smtp://{}", self.address)
    }

    /// Waits until `n` messages have arrived; fails after 15 s.
    pub(crate) async fn wait_for(&self, n: usize) -> Vec<Mail> {
        let what = format!("{n} emails");
        eventually(&what, Duration::from_secs(15), async || {
            let inbox = self.inbox.lock().await;
            if inbox.len() >= n {
                Ok(inbox.iter().map(parse).collect::<Vec<_>>())
            } else {
                Err(format!("{} emails", inbox.len()))
            }
        })
        .await
    }
}

/// The server side of one SMTP session (RFC 5321), enough for any client: greeting, EHLO,
/// MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT.
async fn converse(
    stream: tokio::net::TcpStream,
    inbox: Arc<Mutex<Vec<Received>>>,
    refuse: Arc<AtomicUsize>,
    delay_ms: Arc<AtomicUsize>,
) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let reply = async |w: &mut tokio::net::tcp::OwnedWriteHalf, text: &str| {
        w.write_all(text.as_bytes()).await.is_ok()
    };
    if !reply(&mut write, "220 smtp.test ESMTP ready\r\n").await {
        return;
    }
    let mut rcpt = Vec::new();
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_ascii_uppercase();
        let answer = if command.starts_with("EHLO") {
            "250-smtp.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n".to_owned()
        } else if command.starts_with("HELO") {
            "250 smtp.test\r\n".to_owned()
        } else if command.starts_with("MAIL FROM") {
            rcpt.clear();
            let refused = refuse
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
            if refused {
                "451 4.3.0 Mail server temporarily unavailable\r\n".to_owned()
            } else {
                "250 2.1.0 OK\r\n".to_owned()
            }
        } else if command.starts_with("RCPT TO") {
            if command.contains("BOUNCE") {
                "550 5.1.1 No such mailbox\r\n".to_owned()
            } else {
                let address = line.trim_end()[8..].trim().to_owned();
                rcpt.push(address.trim_matches(['<', '>', ' ']).to_owned());
                "250 2.1.5 OK\r\n".to_owned()
            }
        } else if command == "DATA" {
            if !reply(&mut write, "354 End data with <CR><LF>.<CR><LF>\r\n").await {
                return;
            }
            let mut data = Vec::new();
            loop {
                let mut raw = Vec::new();
                if lines.read_until(b'\n', &mut raw).await.unwrap_or(0) == 0 {
                    return;
                }
                if raw == b".\r\n" {
                    break;
                }
                // Dot-stuffing: a leading ".." stands for ".".
                let content = if raw.starts_with(b"..") {
                    &raw[1..]
                } else {
                    &raw[..]
                };
                data.extend_from_slice(content);
            }
            inbox.lock().await.push(Received {
                rcpt: std::mem::take(&mut rcpt),
                data,
            });
            let delay = delay_ms.load(Ordering::SeqCst) as u64;
            if delay > 0 {
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            "250 2.0.0 Queued\r\n".to_owned()
        } else if command.starts_with("RSET") || command.starts_with("NOOP") {
            "250 2.0.0 OK\r\n".to_owned()
        } else if command.starts_with("QUIT") {
            let _ = reply(&mut write, "221 2.0.0 Bye\r\n").await;
            return;
        } else {
            "502 5.5.2 Command not recognised\r\n".to_owned()
        };
        if !reply(&mut write, &answer).await {
            return;
        }
    }
}

pub(crate) async fn app_with_smtp(smtp: &SmtpServer) -> TestApp {
    let database = TestDatabase::new().await;
    let mut config = database.config();
    config.smtp_url = Some(kairos::config::Secret::new(smtp.url()));
    config.email_from = "Kairos Test <bookings@kairos.test>".to_owned();
    config.email_retry_schedule = "1s".to_owned();
    spawn_app_with(config, database).await
}

/// Polls `select` until it counts `expected` rows (the worker records an outcome just after
/// the SMTP server has the message); fails after 10 s with the last count.
async fn settles_at(app: &TestApp, select: &str, expected: i64) {
    let what = format!("{expected} rows of {select}");
    eventually(&what, Duration::from_secs(10), async || {
        let rows = app.db.count_rows(select).await.unwrap();
        if rows == expected {
            Ok(())
        } else {
            Err(format!("{rows} rows"))
        }
    })
    .await;
}

pub(crate) fn to<'a>(mails: &'a [Mail], address: &str) -> Vec<&'a Mail> {
    mails.iter().filter(|m| m.to == address).collect()
}

#[tokio::test]
async fn bookings_send_invitations_that_reschedules_update_and_cancellations_withdraw() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (_, event, _) = host(&app, "ada@example.com", json!({})).await;
    let date = day(10);
    let mut body = booking_body(event, &at(date, "14:00"), "grace@booker.example");
    body["guests"] = json!(["guest@booker.example"]);
    let booked = data(
        app.call(Method::POST, "/v2/bookings", None, Some(body))
            .await,
        201,
    )
    .await;
    let uid = booked["uid"].as_str().unwrap().to_owned();
    // The page the booker lands on says where the confirmation went.
    let page = app
        .get(&format!("/booking/{uid}?booked=1"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"id="emailed""#) && page.contains("grace@booker.example."),
        "{page}"
    );

    // The booker, the guest and the host each get one email with the invitation.
    let mails = smtp.wait_for(3).await;
    assert_eq!(mails.len(), 3, "{mails:#?}");
    let grace = to(&mails, "grace@booker.example");
    assert_eq!(grace.len(), 1, "{mails:#?}");
    let grace = grace[0];
    // 14:00 UTC in the booker's own zone (New York, UTC-5 in winter or -4 in summer).
    assert!(
        grace.subject.starts_with("Confirmed: "),
        "{}",
        grace.subject
    );
    assert!(
        grace.subject.contains("(America/New_York)"),
        "{}",
        grace.subject
    );
    assert!(
        grace
            .text
            .contains(&format!("{}/booking/{uid}", app.address)),
        "{}",
        grace.text
    );
    let (method, ics) = grace.calendar.clone().expect("a text/calendar part");
    assert_eq!(method, "REQUEST");
    assert!(
        ics.contains("METHOD:REQUEST") && ics.contains("SEQUENCE:0"),
        "{ics}"
    );
    assert!(grace.has_ics_attachment);
    let ical_uid = ics
        .lines()
        .find_map(|l| l.strip_prefix("UID:"))
        .expect("a UID")
        .to_owned();
    let ada = to(&mails, "ada@example.com");
    assert_eq!(ada.len(), 1);
    assert!(ada[0].subject.starts_with("Booked: "), "{}", ada[0].subject);
    assert!(ada[0].subject.contains("Grace Booker"));
    assert_eq!(to(&mails, "guest@booker.example").len(), 1);

    // Rescheduling updates the same calendar entry (same UID, next sequence).
    let moved = data(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{uid}/reschedule"),
            None,
            Some(json!({"start": at(date, "15:00"), "reschedulingReason": "Clash"})),
        )
        .await,
        201,
    )
    .await;
    let new_uid = moved["uid"].as_str().unwrap().to_owned();
    let mails = smtp.wait_for(6).await;
    let update = to(&mails, "grace@booker.example")
        .into_iter()
        .find(|m| m.subject.starts_with("Rescheduled: "))
        .expect("a reschedule email");
    let (method, ics) = update.calendar.clone().unwrap();
    assert_eq!(method, "REQUEST");
    assert!(
        ics.contains(&format!("UID:{ical_uid}")) && ics.contains("SEQUENCE:1"),
        "{ics}"
    );
    assert!(update.text.contains("It was on"), "{}", update.text);

    // Cancelling withdraws it.
    data(
        app.call(
            Method::POST,
            &format!("/v2/bookings/{new_uid}/cancel"),
            None,
            Some(json!({"cancellationReason": "Plans changed"})),
        )
        .await,
        200,
    )
    .await;
    let mails = smtp.wait_for(9).await;
    let cancelled: Vec<&Mail> = mails
        .iter()
        .filter(|m| m.subject.starts_with("Cancelled: "))
        .collect();
    assert_eq!(cancelled.len(), 3, "{mails:#?}");
    for mail in cancelled {
        let (method, ics) = mail.calendar.clone().unwrap();
        assert_eq!(method, "CANCEL");
        assert!(ics.contains(&format!("UID:{ical_uid}")) && ics.contains("STATUS:CANCELLED"));
        assert!(mail.text.contains("Reason: Plans changed"), "{}", mail.text);
    }
    settles_at(
        &app,
        "SELECT id FROM jobs WHERE queue = 'email' AND status = 'done'",
        9,
    )
    .await;
}

#[tokio::test]
async fn an_smtp_outage_delays_emails_and_a_bounce_is_recorded() {
    let smtp = SmtpServer::start().await;
    // The first transaction is refused for now (451).
    smtp.refuse.store(1, Ordering::SeqCst);
    let app = app_with_smtp(&smtp).await;
    let (_, event, _) = host(&app, "ada@example.com", json!({})).await;
    let mut body = booking_body(event, &at(day(10), "10:00"), "grace@booker.example");
    body["guests"] = json!(["bounce@booker.example"]);
    data(
        app.call(Method::POST, "/v2/bookings", None, Some(body))
            .await,
        201,
    )
    .await;

    // Grace and Ada get theirs, one of them after the retry (1 s later).
    let mails = smtp.wait_for(2).await;
    let mut to_whom: Vec<&str> = mails.iter().map(|m| m.to.as_str()).collect();
    to_whom.sort_unstable();
    assert_eq!(to_whom, ["ada@example.com", "grace@booker.example"]);
    // The bounced email is dead with the server's reply, the other two were sent, and the one
    // refused (whichever it was) took a second attempt.
    settles_at(
        &app,
        "SELECT id FROM jobs WHERE queue = 'email' AND status = 'dead' AND last_error LIKE '%550%'",
        1,
    )
    .await;
    settles_at(
        &app,
        "SELECT id FROM jobs WHERE queue = 'email' AND status = 'done'",
        2,
    )
    .await;
    let retried = app
        .db
        .count_rows("SELECT id FROM jobs WHERE attempts = 2")
        .await
        .unwrap();
    let once = app
        .db
        .count_rows("SELECT id FROM jobs WHERE attempts = 1")
        .await
        .unwrap();
    assert_eq!((retried, once), (1, 2));
    // Nothing more arrives: every email was sent once.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(smtp.inbox.lock().await.len(), 2);
}

#[tokio::test]
async fn without_an_smtp_server_no_email_is_queued() {
    let app = spawn_app().await;
    let (_, event, _) = host(&app, "ada@example.com", json!({})).await;
    let booked = data(
        app.call(
            Method::POST,
            "/v2/bookings",
            None,
            Some(booking_body(
                event,
                &at(day(10), "10:00"),
                "grace@booker.example",
            )),
        )
        .await,
        201,
    )
    .await;
    let queued = app.db.count_rows("SELECT id FROM jobs").await.unwrap();
    assert_eq!(queued, 0);
    // And the booking page promises no email.
    let page = app
        .get(&format!(
            "/booking/{}?booked=1",
            booked["uid"].as_str().unwrap()
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"who\"") && !page.contains("id=\"emailed\""));
}

/// The value of the last `attribute="…"` before `marker` in `html` (the marker being the
/// element's `id`, written after its other attributes).
fn attribute_before(html: &str, marker: &str, attribute: &str) -> String {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {html}"));
    let needle = format!("{attribute}=\"");
    let start = html[..at].rfind(&needle).unwrap() + needle.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end].replace("&amp;", "&").replace("&#38;", "&")
}

#[tokio::test]
async fn a_seat_holder_reads_only_their_seat_and_cancels_it_from_their_email() {
    let smtp = SmtpServer::start().await;
    let app = app_with_smtp(&smtp).await;
    let (key, event, _) = host(
        &app,
        "ada@example.com",
        json!({"seats": {"seatsPerTimeSlot": 3, "showAttendeeInfo": false}}),
    )
    .await;
    let start = at(day(10), "14:00");
    take_seat(&app, event, &start, "Grace Hopper", "grace@first.example").await;
    let seat = take_seat(&app, event, &start, "Alan Turing", "alan@second.example").await;
    let uid = seat["uid"].as_str().unwrap().to_owned();
    // Each holder and the host get one email per seat.
    let mails = smtp.wait_for(4).await;
    let alan = to(&mails, "alan@second.example");
    assert_eq!(alan.len(), 1, "{mails:#?}");
    let alan = alan[0];
    let (_, ics) = alan.calendar.clone().expect("an invitation");
    for text in [&alan.subject, &alan.text, &ics] {
        assert!(
            !text.contains("Grace") && !text.contains("grace@first.example"),
            "the other seat leaked: {text}"
        );
    }
    assert!(alan.subject.contains("Alan Turing"), "{}", alan.subject);
    let host_mail = to(&mails, "ada@example.com");
    assert!(host_mail.iter().any(|m| m.text.contains("Grace Hopper")));

    // The link in the email names the seat; its page cancels that seat alone.
    let link = alan
        .text
        .lines()
        .find(|l| l.starts_with(&format!("{}/booking/{uid}", app.address)))
        .expect("a manage link")
        .to_owned();
    assert!(
        link.contains(&format!(
            "seatReferenceUid={}",
            seat["seatUid"].as_str().unwrap()
        )),
        "{link}"
    );
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(&link)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let cancel = attribute_before(&page, "id=\"cancel-link\"", "href");
    let url = format!("{}{cancel}", app.address);
    let form = client.get(&url).send().await.unwrap().text().await.unwrap();
    let action = attribute_before(&form, "id=\"cancel-form\"", "action");
    let done = client
        .post(format!("{}{action}", app.address))
        .form(&[("reason", "Cannot make it")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status().as_u16(), 303);
    let booking = booking_of(&app, &key, &uid).await;
    assert_eq!(booking["status"], "accepted", "{booking}");
    let emails: Vec<&str> = booking["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["email"].as_str())
        .collect();
    assert_eq!(emails, ["grace@first.example"], "{booking}");
}
