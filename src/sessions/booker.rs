//! The booker's portal sign-in (`/my-bookings`): a link emailed to an address (a
//! `TokenSigner` token of audience `booker-sign-in`, valid 15 minutes, whose `jti` is spent in
//! `spent_tokens` in the transaction that opens the session, so it works once), and booker
//! sessions by email: a random token in a cookie with only its SHA-256 stored (as the
//! console's), over one hour after sign-in whatever the use, whose forms carry the CSRF token
//! derived as the console's ([`super::csrf_token`]). Knows nothing of HTTP.

use chrono::{DateTime, Duration, Utc};

use super::csrf_token;
use crate::auth::{SecretToken, TokenError, TokenSigner, hash_secret_token};
use crate::domain::Email;
use crate::i18n::Lang;
use crate::notify::Email as OutgoingEmail;
use crate::storage::booker_sessions as store;
use crate::storage::{Db, StorageError, spent_tokens};

/// The audience of sign-in links.
pub const AUDIENCE: &str = "booker-sign-in";

/// How long an emailed sign-in link works.
pub fn link_lifetime() -> Duration {
    Duration::minutes(15)
}

/// How long a booker session lasts after sign-in, used or not.
pub fn session_lifetime() -> Duration {
    Duration::hours(1)
}

/// A live booker session: whose bookings it shows, and the token its forms must carry.
#[derive(Debug, Clone)]
pub struct BookerSession {
    pub id: i64,
    pub email: Email,
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
}

/// Why a sign-in link does not open a session.
#[derive(Debug, thiserror::Error)]
pub enum LinkRefused {
    #[error("the link has expired")]
    Expired,
    #[error("the link was used before")]
    Used,
    #[error("the link is not valid")]
    Invalid,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<TokenError> for LinkRefused {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Expired => Self::Expired,
            TokenError::Invalid => Self::Invalid,
        }
    }
}

/// Queues the email with a sign-in link for `email`, in `lang`, on the email outbox. The same
/// work for every address: nothing is looked up, so neither the answer nor how long it takes
/// says whether the address has bookings (the page it opens does, to its owner).
pub async fn request_link(
    db: &Db,
    signer: &TokenSigner,
    base_url: &str,
    email: &Email,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let token = signer.issue(AUDIENCE, email.as_str(), None, link_lifetime(), now);
    let base = base_url.trim_end_matches('/');
    let url = format!(
        "{base}/my-bookings/sign-in?lang={}&token={token}",
        lang.code()
    );
    let message = link_email(email, lang, &url, site(base));
    db.run(async |c| crate::notify::queue(c, &message, "email.portal_link").await)
        .await
}

/// The instance's name in emails: its host.
fn site(base_url: &str) -> &str {
    let host = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    host.split('/').next().unwrap_or(host)
}

fn link_email(email: &Email, lang: Lang, url: &str, site: &str) -> OutgoingEmail {
    let site = || [("site", site.into())];
    let text = format!(
        "{}\n\n{}\n\n{url}\n\n{}\n",
        lang.t("portal-email-greeting", &[]),
        lang.t("portal-email-lead", &site()),
        lang.t("portal-email-ignore", &[]),
    );
    OutgoingEmail {
        to_name: String::new(),
        to_email: email.as_str().to_owned(),
        subject: lang.t("portal-email-subject", &site()),
        text,
        calendar: None,
    }
}

/// The signed claims of a sign-in link: intact, for this audience, unexpired at `now`.
fn claims(
    signer: &TokenSigner,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(crate::auth::Claims, Email), LinkRefused> {
    let claims = signer.verify(token, AUDIENCE, now)?;
    let email = Email::parse(&claims.sub).map_err(|_| LinkRefused::Invalid)?;
    Ok((claims, email))
}

/// Whose link `token` is, if it would still open a session (the page that asks to continue:
/// mail scanners open links, so only the form's POST spends it).
pub async fn check_link(
    db: &Db,
    signer: &TokenSigner,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Email, LinkRefused> {
    let (claims, email) = claims(signer, token, now)?;
    let spent = db
        .run(async |c| spent_tokens::is_spent(c, &claims.jti).await)
        .await?;
    if spent {
        return Err(LinkRefused::Used);
    }
    Ok(email)
}

/// Spends the link and opens a session for its email, in one transaction: two submits of one
/// link open one session. The returned token goes into the cookie.
pub async fn sign_in(
    db: &Db,
    signer: &TokenSigner,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(SecretToken, BookerSession), LinkRefused> {
    let (claims, email) = claims(signer, token, now)?;
    let link_expiry = DateTime::from_timestamp(claims.exp, 0).unwrap_or(now);
    let session = SecretToken::generate();
    let expires_at = now + session_lifetime();
    let record = db
        .transaction(async |c| {
            if !spent_tokens::spend(c, &claims.jti, link_expiry, now).await? {
                return Err(LinkRefused::Used);
            }
            // Sessions past their time go when anyone signs in: no sweeper needed.
            store::delete_expired(c, now).await?;
            let hash = session.hash();
            Ok(store::insert(c, email.as_str(), &hash, now, expires_at).await?)
        })
        .await?;
    let csrf = csrf_token(session.expose());
    let signed_in = BookerSession {
        id: record.id,
        email,
        csrf,
        expires_at,
    };
    Ok((session, signed_in))
}

/// The session a cookie's token names, if it is live at `now`; one past its time is removed.
pub async fn resume(
    db: &Db,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<BookerSession>, StorageError> {
    let Some(hash) = hash_secret_token(token) else {
        return Ok(None);
    };
    let Some(record) = db.run(async |c| store::find(c, &hash).await).await? else {
        return Ok(None);
    };
    let email = Email::parse(&record.email).ok();
    let Some(email) = email.filter(|_| record.expires_at > now) else {
        db.background_transaction(async |c| store::delete(c, record.id).await)
            .await?;
        return Ok(None);
    };
    Ok(Some(BookerSession {
        id: record.id,
        email,
        csrf: csrf_token(token),
        expires_at: record.expires_at,
    }))
}

pub async fn sign_out(db: &Db, session_id: i64) -> Result<(), StorageError> {
    db.background_transaction(async |c| store::delete(c, session_id).await)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_is_the_base_urls_host() {
        assert_eq!(site("https://cal.example.com"), "cal.example.com");
        assert_eq!(site("http://127.0.0.1:8080/"), "127.0.0.1:8080");
    }

    #[test]
    fn the_email_is_in_the_bookers_language_with_the_link() {
        let email = Email::parse("grace@example.com").unwrap();
        let sent = link_email(&email, Lang::De, "https://x/my-bookings/sign-in?t=1", "x");
        assert_eq!(sent.subject, "Ihr Link zu Ihren Buchungen bei x");
        assert!(
            sent.text
                .contains("\n\nhttps://x/my-bookings/sign-in?t=1\n\n")
        );
        assert!(sent.text.starts_with("Hallo,"), "{}", sent.text);
    }
}
