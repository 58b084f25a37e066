//! `POST /v2/sms/twilio/inbound`: Twilio's inbound-message webhook (a form body signed with
//! `X-Twilio-Signature`), where recipients' opt-out (STOP) and opt-in (START) answers arrive.
//! No API key: the signature proves the sender, and nothing is read before it is checked.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

use crate::error::ApiError;
use crate::http::AppState;
use crate::sms::{self, Inbound};

/// An empty TwiML answer: Kairos replies nothing (Twilio answers STOP and START itself).
const EMPTY_TWIML: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response></Response>"#;

pub async fn twilio_inbound(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let twilio = (state.sms.as_ref())
        .ok_or_else(|| ApiError::NotFound("text messages are not configured here".into()))?;
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    // The URL Twilio was given: this instance's public address and the path it called.
    let url = format!("{}{}", state.base_url, request.uri());
    let signature = (request.headers().get("X-Twilio-Signature")).and_then(|v| v.to_str().ok());
    let inbound = Inbound {
        url: &url,
        fields: &fields,
        signature,
    };
    sms::receive(&state.db, twilio, &inbound, Utc::now()).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/xml; charset=utf-8")
        .body(EMPTY_TWIML))
}
