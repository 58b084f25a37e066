//! Console sign-in: passwords checked (argon2id, the same answer and about the same time for an
//! unknown email as for a wrong password), sessions opened, resumed within their idle and
//! absolute limits, and ended (one, or all of a user's); password changes, and the single-use
//! links that set a password (a reset, or an invitation's first one). Knows nothing of HTTP:
//! `http::console` carries the token in a cookie and the CSRF token in forms. `booker`: the
//! booker's portal's sessions, by email, opened with an emailed single-use link.

pub mod booker;

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use crate::auth::{
    Password, SecretToken, TokenError, TokenSigner, hash_password, hash_secret_token,
    verify_password,
};
use crate::domain::Email;
use crate::notify::Email as OutgoingEmail;
use crate::service::ServiceError;
use crate::storage::sessions::{self as store, NewSession, SessionRecord};
use crate::storage::users::{self, User};
use crate::storage::{Db, StorageError};

/// How sessions behave, from the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A session unused this long is over.
    pub idle: Duration,
    /// A session this old is over, used or not.
    pub absolute: Duration,
    /// The cookie is `Secure` (the public URL is https).
    pub secure_cookie: bool,
    /// Self-service sign-up is open.
    pub signup: bool,
}

/// A resumed session: who is signed in, and the token their forms must carry.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session_id: i64,
    pub user: User,
    pub csrf: String,
}

impl SignedIn {
    pub fn is_admin(&self) -> bool {
        self.user.role == crate::domain::Role::Admin.as_str()
    }
}

/// Why a sign-in failed: one message for an unknown email and a wrong password.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("The email or password is not correct.")]
    Refused,
    #[error("This account is disabled; ask an administrator.")]
    Disabled,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A valid argon2id hash of a password nobody knows, verified when the email is unknown so
/// that answer takes as long as a wrong password.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$ZGVjb3lkZWNveWRlY295$0rDN6ybY1xuDPRzZRqqjTZV2hd1mKeRasOkA6zRCG7w";

/// The token a session's forms carry: derived from the cookie's token, so it needs no storage
/// and says nothing about the cookie.
pub fn csrf_token(session_token: &str) -> String {
    hex::encode(Sha256::digest(format!("kairos-csrf\0{session_token}")))
}

/// Checks the password and opens a session; the returned token goes into the cookie.
pub async fn sign_in(
    db: &Db,
    settings: &Settings,
    email: &str,
    password: &str,
    user_agent: &str,
    now: DateTime<Utc>,
) -> Result<(SecretToken, SignedIn), SignInError> {
    let user = match Email::parse(email) {
        Ok(email) => {
            db.run(async |c| users::find_by_email(c, email.as_str()).await)
                .await?
        }
        Err(_) => None,
    };
    let hash = match &user {
        Some(u) => {
            db.run(async |c| users::password_hash(c, u.id).await)
                .await?
        }
        None => None,
    };
    let matches = verify_off_thread(password, hash.as_deref().unwrap_or(DECOY_HASH)).await;
    let user = match user {
        Some(user) if matches && hash.is_some() => user,
        _ => return Err(SignInError::Refused),
    };
    if user.is_disabled() {
        return Err(SignInError::Disabled);
    }
    let token = SecretToken::generate();
    let agent: String = user_agent.chars().take(200).collect();
    let record = db
        .transaction(async |c| {
            // Dead sessions go when anyone signs in, so the table stays small without a sweeper.
            store::delete_expired(c, now, now - settings.idle).await?;
            store::insert(
                c,
                &NewSession {
                    user_id: user.id,
                    token_hash: &token.hash(),
                    user_agent: &agent,
                    now,
                    expires_at: now + settings.absolute,
                },
            )
            .await
        })
        .await?;
    let csrf = csrf_token(token.expose());
    Ok((
        token,
        SignedIn {
            session_id: record.id,
            user,
            csrf,
        },
    ))
}

/// argon2 is deliberately slow: it runs on the blocking pool, never on a request worker.
async fn verify_off_thread(candidate: &str, stored: &str) -> bool {
    let (candidate, stored) = (candidate.to_owned(), stored.to_owned());
    tokio::task::spawn_blocking(move || verify_password(&candidate, &stored))
        .await
        .unwrap_or(false)
}

/// The session a cookie's token names, if it is live at `now`: not past its absolute expiry,
/// used within the idle time, its user not disabled. Restarts the idle clock at most once a
/// minute (a write per request would queue SQLite's readers behind the write lock).
pub async fn resume(
    db: &Db,
    settings: &Settings,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<SignedIn>, StorageError> {
    let Some(hash) = hash_secret_token(token) else {
        return Ok(None);
    };
    let Some((session, user)) = db.run(async |c| store::find(c, &hash).await).await? else {
        return Ok(None);
    };
    if !live(&session, settings, now) || user.is_disabled() {
        db.background_transaction(async |c| store::delete(c, session.id).await)
            .await?;
        return Ok(None);
    }
    if now - session.last_seen_at > Duration::minutes(1) {
        db.background_transaction(async |c| store::touch(c, session.id, now).await)
            .await?;
    }
    Ok(Some(SignedIn {
        session_id: session.id,
        user,
        csrf: csrf_token(token),
    }))
}

fn live(session: &SessionRecord, settings: &Settings, now: DateTime<Utc>) -> bool {
    session.expires_at > now && now - session.last_seen_at < settings.idle
}

pub async fn sign_out(db: &Db, session_id: i64) -> Result<(), StorageError> {
    db.background_transaction(async |c| store::delete(c, session_id).await)
        .await
}

/// Ends every session of the user, this one included.
pub async fn sign_out_everywhere(db: &Db, user_id: i64) -> Result<usize, StorageError> {
    db.background_transaction(async |c| store::delete_for_user(c, user_id, None).await)
        .await
}

/// The user's live sessions at `now`, newest first (for the settings page).
pub async fn list(
    db: &Db,
    settings: &Settings,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<SessionRecord>, StorageError> {
    let all = db
        .run(async |c| store::list_for_user(c, user_id).await)
        .await?;
    Ok(all.into_iter().filter(|s| live(s, settings, now)).collect())
}

/// Changes the signed-in user's password after checking the current one, and ends their other
/// sessions (a stolen session does not outlive a password change).
pub async fn change_password(
    db: &Db,
    who: &SignedIn,
    current: &str,
    new: &str,
) -> Result<(), ServiceError> {
    let new = Password::parse(new).map_err(|m| ServiceError::Invalid(format!("password: {m}")))?;
    let user_id = who.user.id;
    let stored = db
        .run(async |c| users::password_hash(c, user_id).await)
        .await?;
    let Some(stored) = stored else {
        return Err(ServiceError::Invalid(
            "currentPassword: this account has no password yet; use a reset link".into(),
        ));
    };
    if !verify_off_thread(current, &stored).await {
        return Err(ServiceError::Invalid(
            "currentPassword: the current password is not correct".into(),
        ));
    }
    let hash = hash_password(&new)?;
    let keep = who.session_id;
    db.transaction(async |c| {
        users::set_password_hash(c, user_id, &hash).await?;
        store::delete_for_user(c, user_id, Some(keep)).await?;
        Ok::<_, ServiceError>(())
    })
    .await
}

/// What a password link is for; each is its own token audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordLink {
    /// "Forgot password": valid for an hour.
    Reset,
    /// An invitation's first password: valid for a week.
    Invite,
}

impl PasswordLink {
    fn audience(self) -> &'static str {
        match self {
            Self::Reset => "password-reset",
            Self::Invite => "invitation",
        }
    }

    fn ttl(self) -> Duration {
        match self {
            Self::Reset => Duration::hours(1),
            Self::Invite => Duration::days(7),
        }
    }
}

/// A fingerprint of the user's current password hash (or of having none): a link carries it,
/// so any password change (the link's own use included) makes every older link useless.
fn password_fingerprint(hash: Option<&str>) -> String {
    hex::encode(&Sha256::digest(hash.unwrap_or("no password").as_bytes())[..12])
}

/// A signed link token that lets `user` set a password.
pub async fn password_link_token(
    db: &Db,
    signer: &TokenSigner,
    link: PasswordLink,
    user: &User,
    now: DateTime<Utc>,
) -> Result<String, StorageError> {
    let user_id = user.id;
    let hash = db
        .run(async |c| users::password_hash(c, user_id).await)
        .await?;
    Ok(issue_link(signer, link, user_id, hash.as_deref(), now))
}

fn issue_link(
    signer: &TokenSigner,
    link: PasswordLink,
    user_id: i64,
    password_hash: Option<&str>,
    now: DateTime<Utc>,
) -> String {
    signer.issue(
        link.audience(),
        &user_id.to_string(),
        Some(password_fingerprint(password_hash)),
        link.ttl(),
        now,
    )
}

/// Who a link token is for, if it is intact, unexpired and still matches their password.
pub async fn check_password_link(
    db: &Db,
    signer: &TokenSigner,
    link: PasswordLink,
    token: &str,
    now: DateTime<Utc>,
) -> Result<User, ServiceError> {
    let claims = signer
        .verify(token, link.audience(), now)
        .map_err(link_error)?;
    let user_id: i64 = claims
        .sub
        .parse()
        .map_err(|_| link_error(TokenError::Invalid))?;
    let (user, hash) = db
        .run(async |c| {
            let user = users::find(c, user_id).await?;
            let hash = users::password_hash(c, user_id).await?;
            Ok::<_, StorageError>((user, hash))
        })
        .await
        .map_err(|e| match e {
            StorageError::NotFound => link_error(TokenError::Invalid),
            other => other.into(),
        })?;
    if claims.data.as_deref() != Some(&password_fingerprint(hash.as_deref())) {
        return Err(ServiceError::Unauthorized(
            "This link has already been used; ask for a new one.".into(),
        ));
    }
    if user.is_disabled() {
        return Err(ServiceError::Forbidden(
            "This account is disabled; ask an administrator.".into(),
        ));
    }
    Ok(user)
}

/// Sets the password a link allows, once, and ends all of the user's sessions.
pub async fn use_password_link(
    db: &Db,
    signer: &TokenSigner,
    link: PasswordLink,
    token: &str,
    new: &str,
    now: DateTime<Utc>,
) -> Result<User, ServiceError> {
    let new = Password::parse(new).map_err(|m| ServiceError::Invalid(format!("password: {m}")))?;
    let user = check_password_link(db, signer, link, token, now).await?;
    let hash = hash_password(&new)?;
    let user_id = user.id;
    let fingerprint = signer
        .verify(token, link.audience(), now)
        .map_err(link_error)?
        .data;
    db.transaction(async |c| {
        // Checked again inside the transaction: two submits of one link set one password.
        let current = users::password_hash(c, user_id).await?;
        if fingerprint.as_deref() != Some(&password_fingerprint(current.as_deref())) {
            return Err(ServiceError::Unauthorized(
                "This link has already been used; ask for a new one.".into(),
            ));
        }
        users::set_password_hash(c, user_id, &hash).await?;
        store::delete_for_user(c, user_id, None).await?;
        Ok(())
    })
    .await?;
    Ok(user)
}

/// The page a password link opens.
fn link_url(base_url: &str, link: PasswordLink, token: &str) -> String {
    let page = match link {
        PasswordLink::Reset => "reset-password",
        PasswordLink::Invite => "accept-invite",
    };
    format!("{base_url}/auth/{page}?token={token}")
}

/// Who sends an invitation, and to which team when a team's admin invites someone who has no
/// account yet.
pub struct Inviter<'a> {
    pub name: &'a str,
    pub team: Option<&'a str>,
}

fn link_email(
    user: &User,
    link: PasswordLink,
    url: &str,
    inviter: Option<&Inviter<'_>>,
) -> OutgoingEmail {
    let by = inviter.map_or("An administrator", |i| i.name);
    let (subject, body) = match link {
        PasswordLink::Reset => (
            "Reset your Kairos password".to_owned(),
            format!(
                "Hello {},\n\nSomeone (hopefully you) asked to reset the password of your Kairos \
                 account. Choose a new one here within the hour:\n\n{url}\n\nIf it was not you, \
                 ignore this email: your password stays as it is.\n",
                user.name
            ),
        ),
        PasswordLink::Invite => match inviter.and_then(|i| i.team) {
            None => (
                format!("{by} invited you to Kairos"),
                format!(
                    "Hello {},\n\n{by} invited you to schedule with Kairos. Choose your password \
                     here within a week to sign in:\n\n{url}\n",
                    user.name
                ),
            ),
            Some(team) => (
                format!("{by} invited you to the team {team} on Kairos"),
                format!(
                    "Hello {},\n\n{by} invited you to join the team {team} on Kairos. Choose your \
                     password here within a week to sign in:\n\n{url}\n\nThen accept the \
                     invitation on your Teams page.\n",
                    user.name
                ),
            ),
        },
    };
    OutgoingEmail {
        to_name: user.name.clone(),
        to_email: user.email.clone(),
        subject,
        text: body,
        calendar: None,
    }
}

/// "Forgot password": emails a reset link to the account with `email`, if there is one and
/// email is configured. The caller's answer is the same whether or not there is an account.
pub async fn request_reset(
    db: &Db,
    signer: &TokenSigner,
    base_url: &str,
    email: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let Ok(email) = Email::parse(email) else {
        return Ok(());
    };
    let user = db
        .run(async |c| users::find_by_email(c, email.as_str()).await)
        .await?;
    let Some(user) = user.filter(|u| !u.is_disabled()) else {
        return Ok(());
    };
    let token = password_link_token(db, signer, PasswordLink::Reset, &user, now).await?;
    let message = link_email(
        &user,
        PasswordLink::Reset,
        &link_url(base_url, PasswordLink::Reset, &token),
        None,
    );
    db.run(async |c| crate::notify::queue(c, &message, "password_reset").await)
        .await?;
    Ok(())
}

/// An invitation: the account (without a password) and the email with its link, in one
/// transaction. Returns the account and the link, which an admin can also pass on by hand.
/// No permission check: the console goes through `accounts::admin::invite`; the command line
/// (`kairos user invite`, no inviter) is the operator.
pub async fn invite(
    db: &Db,
    signer: &TokenSigner,
    base_url: &str,
    inviter: Option<&User>,
    new: crate::accounts::NewAccount,
    send_email: bool,
    now: DateTime<Utc>,
) -> Result<(User, String), ServiceError> {
    let from = inviter.map(|u| Inviter {
        name: &u.name,
        team: None,
    });
    db.transaction(async |c| {
        invite_in(c, signer, base_url, from.as_ref(), &new, send_email, now).await
    })
    .await
}

/// The body of [`invite`], for a use case that invites within its own transaction (a team's
/// admin inviting someone who has no account yet).
pub(crate) async fn invite_in(
    c: &mut crate::storage::Conn<'_>,
    signer: &TokenSigner,
    base_url: &str,
    from: Option<&Inviter<'_>>,
    new: &crate::accounts::NewAccount,
    send_email: bool,
    now: DateTime<Utc>,
) -> Result<(User, String), ServiceError> {
    let user = crate::accounts::insert_user(c, new, None).await?;
    let token = issue_link(signer, PasswordLink::Invite, user.id, None, now);
    let url = link_url(base_url, PasswordLink::Invite, &token);
    if send_email {
        let message = link_email(&user, PasswordLink::Invite, &url, from);
        crate::notify::queue(c, &message, "invitation").await?;
    }
    Ok((user, url))
}

fn link_error(e: TokenError) -> ServiceError {
    ServiceError::Unauthorized(match e {
        TokenError::Expired => "This link has expired; ask for a new one.".into(),
        TokenError::Invalid => "This link is not valid; ask for a new one.".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decoy_hash_is_a_real_argon2id_hash() {
        // If it did not parse, an unknown email would answer faster than a wrong password.
        assert!(argon2::PasswordHash::new(DECOY_HASH).is_ok());
        assert!(!verify_password("anything", DECOY_HASH));
    }

    #[test]
    fn csrf_tokens_differ_per_session_and_hide_the_session_token() {
        let a = csrf_token("token-a");
        assert_eq!(a, csrf_token("token-a"));
        assert_ne!(a, csrf_token("token-b"));
        assert!(!a.contains("token-a"));
    }

    #[test]
    fn a_password_change_changes_the_fingerprint() {
        assert_ne!(
            password_fingerprint(None),
            password_fingerprint(Some("$argon2id$x"))
        );
        assert_ne!(
            password_fingerprint(Some("$argon2id$x")),
            password_fingerprint(Some("$argon2id$y"))
        );
    }
}
