//! Twilio's Messages API as an SMS [`Provider`]: `POST {api}/2010-04-01/Accounts/{sid}/
//! Messages.json` with HTTP Basic auth and a form body (`To`, `From` or
//! `MessagingServiceSid`, `Body`), and the signature of its inbound webhooks
//! (`X-Twilio-Signature`: base64 HMAC-SHA1 keyed by the auth token over the URL followed by
//! the sorted form fields' names and values). The API's base URL is configurable (tests
//! point it at a local fake).

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha1::Sha1;

use super::{Provider, SendError, Sms};
use crate::domain::PhoneNumber;
use crate::secret::Secret;

/// Twilio's error for a recipient who replied STOP to the sender.
const UNSUBSCRIBED_RECIPIENT: u32 = 21610;

/// Where and as whom messages are sent.
#[derive(Debug, Clone)]
pub struct TwilioSettings {
    pub account_sid: String,
    pub auth_token: Secret,
    pub sender: Sender,
    /// `https://api.twilio.com` unless pointed elsewhere.
    pub api_url: String,
    pub timeout: Duration,
    /// How failed sends are retried.
    pub schedule: crate::jobs::RetrySchedule,
}

/// What messages are sent from: a number, or a Messaging Service (`MG…`) that picks one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    Number(PhoneNumber),
    Service(String),
}

impl Sender {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.starts_with("MG")
            && raw.len() == 34
            && raw[2..].bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Ok(Self::Service(raw.to_owned()));
        }
        PhoneNumber::parse(raw)
            .map(Self::Number)
            .map_err(|e| format!("{e}, or a Messaging Service SID (MG and 32 hex digits)"))
    }

    fn field(&self) -> (&'static str, &str) {
        match self {
            Self::Number(number) => ("From", number.as_str()),
            Self::Service(sid) => ("MessagingServiceSid", sid),
        }
    }
}

/// The Twilio client.
pub struct Twilio {
    settings: TwilioSettings,
    http: reqwest::Client,
}

/// Twilio's answers: the message's `sid`, or an error's `code` and `message`.
#[derive(Deserialize)]
struct Answer {
    sid: Option<String>,
    code: Option<u32>,
    message: Option<String>,
}

impl Twilio {
    pub fn new(settings: TwilioSettings) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Kairos/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { settings, http })
    }

    pub fn schedule(&self) -> &crate::jobs::RetrySchedule {
        &self.settings.schedule
    }

    pub fn account_sid(&self) -> &str {
        &self.settings.account_sid
    }

    /// Whether `signature` is Twilio's for a request to `url` with these form fields.
    pub fn verify(&self, url: &str, fields: &[(String, String)], signature: &str) -> bool {
        let expected = signature_of(self.settings.auth_token.expose(), url, fields);
        subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), signature.trim().as_bytes()).into()
    }

    fn messages_url(&self) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.settings.api_url.trim_end_matches('/'),
            self.settings.account_sid
        )
    }
}

impl Provider for Twilio {
    /// 2xx: sent. 429 and 5xx (and no answer) are retried, after `Retry-After` when given;
    /// 401/403 too (credentials being fixed); other 4xx are permanent, 21610 an opt-out.
    async fn send(&self, sms: &Sms) -> Result<String, SendError> {
        let (sender, from) = self.settings.sender.field();
        let form = [
            ("To", sms.to.as_str()),
            (sender, from),
            ("Body", sms.body.as_str()),
        ];
        let response = self
            .http
            .post(self.messages_url())
            .basic_auth(
                &self.settings.account_sid,
                Some(self.settings.auth_token.expose()),
            )
            .form(&form)
            .send()
            .await
            .map_err(|e| transient(format!("Twilio did not answer: {e}"), None))?;
        let status = response.status();
        let retry_after = (response.headers().get("retry-after"))
            .and_then(|v| v.to_str().ok()?.trim().parse().ok())
            .map(Duration::from_secs);
        let answer: Option<Answer> = response.json().await.ok();
        let said = |a: &Option<Answer>| match a {
            Some(Answer {
                code: Some(code),
                message,
                ..
            }) => {
                format!(
                    "Twilio {status}: {code} {}",
                    message.as_deref().unwrap_or("")
                )
            }
            _ => format!("Twilio {status}"),
        };
        if status.is_success() {
            return answer
                .and_then(|a| a.sid)
                .ok_or_else(|| transient(format!("Twilio {status} without a message sid"), None));
        }
        let error = said(&answer);
        match status.as_u16() {
            429 | 401 | 403 | 500.. => Err(transient(error, retry_after)),
            _ if answer.as_ref().and_then(|a| a.code) == Some(UNSUBSCRIBED_RECIPIENT) => {
                Err(SendError::OptedOut { error })
            }
            _ => Err(SendError::Permanent { error }),
        }
    }
}

fn transient(error: String, retry_after: Option<Duration>) -> SendError {
    SendError::Transient { error, retry_after }
}

/// `X-Twilio-Signature` for a request to `url` (with its query) carrying `fields` (a form
/// body): base64 HMAC-SHA1 keyed by the auth token over the URL, then each field's name and
/// value in name order (then value order).
pub fn signature_of(auth_token: &str, url: &str, fields: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = fields.iter().collect();
    sorted.sort();
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(auth_token.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(caller: &str) -> Vec<(String, String)> {
        [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", caller),
            ("Digits", "1234"),
            ("From", caller),
            ("To", "+18005551212"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    /// Twilio's published examples ("Validating requests": auth token 12345, this URL and
    /// these fields, in the older and the current edition of the page).
    #[test]
    fn signs_as_twilios_documentation_shows() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let old = fields("+14158675309");
        assert_eq!(
            signature_of("12345", url, &old),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        );
        let mut current = fields("+12349013030");
        current.reverse();
        assert_eq!(
            signature_of("12345", url, &current),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
        assert_ne!(
            signature_of("12346", url, &current),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
    }

    #[test]
    fn senders_are_numbers_or_messaging_services() {
        assert_eq!(
            Sender::parse("+1 212 555 0100").unwrap(),
            Sender::Number(PhoneNumber::parse("+12125550100").unwrap())
        );
        let service = format!("MG{}", "a".repeat(32));
        assert_eq!(Sender::parse(&service).unwrap(), Sender::Service(service));
        assert!(Sender::parse("MG123").is_err());
        assert!(Sender::parse("Kairos").is_err());
    }
}
