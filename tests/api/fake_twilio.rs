//! A local stand-in for Twilio's Messages API (`POST /2010-04-01/Accounts/{sid}/Messages.json`,
//! HTTP Basic auth, form body), answering from a script of failures: 429 with Retry-After,
//! 5xx, or Twilio's error JSON for numbers that cannot take messages.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use serde_json::json;

pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const AUTH_TOKEN: &str = "twilio-test-auth-token";
pub const FROM: &str = "+15005550006";

/// One message Twilio accepted: its form fields.
pub type Sent = HashMap<String, String>;

#[derive(Default)]
struct State {
    sent: Vec<Sent>,
    /// Answers to give before accepting: (status, Twilio error code, Retry-After seconds).
    failures: Vec<(u16, u32, Option<u64>)>,
    /// Numbers that replied STOP at Twilio: sending to them answers 21610.
    unsubscribed: Vec<String>,
    requests: usize,
}

#[derive(Clone)]
pub struct FakeTwilio {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl FakeTwilio {
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shared = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new().app_data(shared.clone()).route(
                "/2010-04-01/Accounts/{sid}/Messages.json",
                web::post().to(messages),
            )
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self { url, state }
    }

    /// The next answers, before messages are accepted again.
    pub fn fail_with(&self, status: u16, code: u32, retry_after: Option<u64>) {
        self.state
            .lock()
            .unwrap()
            .failures
            .push((status, code, retry_after));
    }

    pub fn unsubscribe(&self, number: &str) {
        self.state
            .lock()
            .unwrap()
            .unsubscribed
            .push(number.to_owned());
    }

    pub fn sent(&self) -> Vec<Sent> {
        self.state.lock().unwrap().sent.clone()
    }

    pub fn requests(&self) -> usize {
        self.state.lock().unwrap().requests
    }
}

fn error(status: u16, code: u32, message: &str) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).json(json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status,
    }))
}

fn authorised(request: &HttpRequest, sid: &str) -> bool {
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT_SID}:{AUTH_TOKEN}"));
    let header = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    sid == ACCOUNT_SID && header == Some(format!("Basic {expected}").as_str())
}

async fn messages(
    state: web::Data<Arc<Mutex<State>>>,
    request: HttpRequest,
    sid: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> HttpResponse {
    let mut state = state.lock().unwrap();
    state.requests += 1;
    if !authorised(&request, &sid) {
        return error(401, 20003, "Authenticate");
    }
    if !state.failures.is_empty() {
        let (status, code, retry_after) = state.failures.remove(0);
        let mut response = error(status, code, "scripted failure");
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                seconds.to_string().parse().unwrap(),
            );
        }
        return response;
    }
    let fields: Sent = form.into_inner().into_iter().collect();
    let to = fields.get("To").cloned().unwrap_or_default();
    if state.unsubscribed.contains(&to) {
        return error(400, 21610, "Attempt to send to unsubscribed recipient");
    }
    let (Some(_), Some(_)) = (fields.get("From"), fields.get("Body")) else {
        return error(
            400,
            21604,
            "A 'From' phone number and a 'Body' are required.",
        );
    };
    state.sent.push(fields);
    let number = state.sent.len();
    HttpResponse::Created().json(json!({
        "sid": format!("SM{number:032x}"),
        "account_sid": ACCOUNT_SID,
        "to": to,
        "from": FROM,
        "status": "queued",
    }))
}
