//! Text messages (SMS): what a workflow step sends to an attendee's or a fixed number. A message
//! is rendered and queued in the `jobs` table inside the transaction that causes it (as emails
//! are), due now or at a reminder's time, and sent by [`worker`] through a [`Provider`]: one
//! HTTP implementation speaks Twilio's Messages API ([`twilio`]). Numbers that answered an
//! opt-out word (STOP, ...) to our sender, as the provider's inbound webhook tells us, get
//! nothing until they answer START; that is checked again when a queued message is sent.

pub mod twilio;
pub mod worker;

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::PhoneNumber;
use crate::service::ServiceError;
use crate::storage::jobs::{self, NewJob};
use crate::storage::{Conn, Db, StorageResult, sms as store};

pub use twilio::{Twilio, TwilioSettings};

/// The queue text messages wait in.
pub const QUEUE: &str = "sms";
/// Attempts before a message is given up.
pub const MAX_ATTEMPTS: i32 = 6;
/// The longest body sent: ten concatenated segments of 160 GSM characters.
pub const MAX_BODY: usize = 1600;

/// One text message, as queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sms {
    /// E.164.
    pub to: String,
    pub body: String,
}

impl Sms {
    /// A message to `to`; a body longer than [`MAX_BODY`] characters is cut with an ellipsis.
    pub fn new(to: &PhoneNumber, body: &str) -> Self {
        let body = match body.char_indices().nth(MAX_BODY - 1) {
            Some((end, _)) => format!("{}…", &body[..end]),
            None => body.to_owned(),
        };
        Self {
            to: to.as_str().to_owned(),
            body,
        }
    }
}

/// Why a provider did not take a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth trying again (the provider is down, throttling, or the credentials are being
    /// fixed), no sooner than `retry_after` when the provider said.
    Transient {
        error: String,
        retry_after: Option<Duration>,
    },
    /// Trying again would not help (the number cannot take messages).
    Permanent { error: String },
    /// The recipient has unsubscribed at the provider (it refuses to send to them).
    OptedOut { error: String },
}

/// Something that sends a text message and tells its own id for it.
pub trait Provider: Send + Sync + 'static {
    fn send(&self, sms: &Sms) -> impl Future<Output = Result<String, SendError>> + Send;
}

impl<P: Provider> Provider for std::sync::Arc<P> {
    fn send(&self, sms: &Sms) -> impl Future<Output = Result<String, SendError>> + Send {
        P::send(self, sms)
    }
}

/// Queues `sms` of `kind` (about booking `booking_id`, if any) in the caller's transaction, due
/// at `at`. False, and nothing queued, when the number has opted out.
pub async fn queue(
    c: &mut Conn<'_>,
    sms: &Sms,
    kind: &str,
    booking_id: Option<i64>,
    at: DateTime<Utc>,
) -> StorageResult<bool> {
    if store::opted_out(c, &sms.to).await? {
        return Ok(false);
    }
    // Two strings: serialising cannot fail.
    let payload = serde_json::to_string(sms).expect("an SMS serialises");
    let job = NewJob {
        queue: QUEUE,
        kind,
        payload: &payload,
        run_at: at,
        max_attempts: MAX_ATTEMPTS,
    };
    jobs::enqueue_about(c, &job, booking_id).await?;
    Ok(true)
}

/// What an inbound message's text asks of our sender, by the opt-out and opt-in words carriers
/// and Twilio honour (one word, any case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    OptOut,
    OptIn,
}

impl Keyword {
    pub fn of(body: &str) -> Option<Self> {
        let word = body
            .trim()
            .trim_end_matches(['.', '!'])
            .to_ascii_uppercase();
        match word.as_str() {
            "STOP" | "STOPALL" | "UNSUBSCRIBE" | "CANCEL" | "END" | "QUIT" | "REVOKE"
            | "OPTOUT" => Some(Self::OptOut),
            "START" | "YES" | "UNSTOP" => Some(Self::OptIn),
            _ => None,
        }
    }
}

/// Records what an inbound message from `from` asked (an opt-out or opt-in word), in the
/// caller's transaction; any other text changes nothing.
async fn inbound_words(
    c: &mut Conn<'_>,
    from: &PhoneNumber,
    body: &str,
    now: DateTime<Utc>,
) -> StorageResult<Option<Keyword>> {
    let keyword = Keyword::of(body);
    match keyword {
        Some(Keyword::OptOut) => store::opt_out(c, from.as_str(), now).await?,
        Some(Keyword::OptIn) => store::opt_in(c, from.as_str()).await?,
        None => {}
    }
    Ok(keyword)
}

/// An inbound message as Twilio posts it to our webhook: the URL it was sent to, the form's
/// fields and the `X-Twilio-Signature` header. Checked before anything is read: not signed by
/// our account's token, or for another account, is refused (403).
pub struct Inbound<'a> {
    pub url: &'a str,
    pub fields: &'a [(String, String)],
    pub signature: Option<&'a str>,
}

impl Inbound<'_> {
    fn field(&self, name: &str) -> Option<&str> {
        (self.fields.iter())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Takes an inbound message: an opt-out or opt-in word from a number is recorded; anything
/// else is ignored (Kairos holds no conversations).
pub async fn receive(
    db: &Db,
    twilio: &Twilio,
    inbound: &Inbound<'_>,
    now: DateTime<Utc>,
) -> Result<Option<Keyword>, ServiceError> {
    let signed = (inbound.signature).is_some_and(|s| twilio.verify(inbound.url, inbound.fields, s));
    if !signed || inbound.field("AccountSid") != Some(twilio.account_sid()) {
        return Err(ServiceError::Forbidden(
            "not signed by this Twilio account (X-Twilio-Signature)".into(),
        ));
    }
    let from = inbound
        .field("From")
        .ok_or_else(|| ServiceError::Invalid("From: the sender's number is missing".into()))?;
    let from = PhoneNumber::parse(from).map_err(|e| ServiceError::Invalid(format!("From: {e}")))?;
    let body = inbound.field("Body").unwrap_or_default();
    let keyword = db
        .transaction(async |c| inbound_words(c, &from, body, now).await)
        .await?;
    if let Some(keyword) = keyword {
        tracing::info!(?keyword, "an SMS recipient changed their opt-out");
    }
    Ok(keyword)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opt_out_and_opt_in_words_are_single_words_in_any_case() {
        for word in ["STOP", "stop", " Stop. ", "unsubscribe", "QUIT", "optout"] {
            assert_eq!(Keyword::of(word), Some(Keyword::OptOut), "{word}");
        }
        for word in ["START", "yes", "Unstop!"] {
            assert_eq!(Keyword::of(word), Some(Keyword::OptIn), "{word}");
        }
        for text in ["please stop", "", "stopp", "Can I cancel my booking?"] {
            assert_eq!(Keyword::of(text), None, "{text}");
        }
    }

    #[test]
    fn long_bodies_are_cut_on_a_character() {
        let to = PhoneNumber::parse("+12125550100").unwrap();
        let long = "é".repeat(MAX_BODY + 5);
        let sms = Sms::new(&to, &long);
        assert_eq!(sms.body.chars().count(), MAX_BODY);
        assert!(sms.body.ends_with('…'));
        assert_eq!(Sms::new(&to, "hi").body, "hi");
    }
}
