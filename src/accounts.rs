//! Accounts: creating people and their API keys, and authenticating API callers. The CLI, the
//! API, the console and the demo all go through here, so the same rules apply everywhere.
//! `admin` holds what only an instance administrator may do to other accounts.

pub mod admin;

use crate::domain::text;
use chrono::{DateTime, Utc};

use crate::auth::{ApiKeySecret, Password, hash_api_key, hash_password};
use crate::availability::schedule::MONDAY_TO_FRIDAY;
use crate::domain::{Email, PersonName, Role, TimeZoneName, Username};
use crate::service::ServiceError;
use crate::storage::schedules::WeeklyRule;
use crate::storage::users::{NewUser, User};
use crate::storage::{Conn, Db, StorageError, api_keys, schedules, users};

/// Who is calling the API: the key's owner and the key itself (recorded in audit history).
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub api_key_id: i64,
}

pub struct NewAccount {
    pub email: Email,
    pub name: PersonName,
    pub time_zone: TimeZoneName,
    /// Chosen from the email address when absent.
    pub username: Option<Username>,
    pub password: Option<Password>,
    pub role: Role,
}

/// Creates a user with a default "Working hours" schedule (Monday to Friday, 09:00-17:00 in the
/// user's timezone), all in one transaction.
pub async fn create_user(db: &Db, new: NewAccount) -> Result<User, ServiceError> {
    // Hash before the transaction: argon2 is deliberately slow and must not hold the lock.
    let password_hash = new.password.as_ref().map(hash_password).transpose()?;
    db.transaction(async |c| insert_user(c, &new, password_hash.as_deref()).await)
        .await
}

/// The body of [`create_user`], for callers that create several records in one transaction.
pub(crate) async fn insert_user(
    c: &mut Conn<'_>,
    new: &NewAccount,
    password_hash: Option<&str>,
) -> Result<User, ServiceError> {
    if users::find_by_email(c, new.email.as_str()).await?.is_some() {
        return Err(ServiceError::Conflict(format!(
            "a user with email {} already exists",
            new.email
        )));
    }
    let username = match &new.username {
        Some(chosen) if users::username_taken(c, chosen.as_str()).await? => {
            return Err(ServiceError::Conflict(format!(
                "username {chosen} is already taken"
            )));
        }
        Some(chosen) => chosen.as_str().to_owned(),
        None => free_username(c, &Username::suggest(new.email.local_part())).await?,
    };
    let user = users::insert(
        c,
        &NewUser {
            email: new.email.as_str(),
            username: &username,
            name: new.name.as_str(),
            time_zone: new.time_zone.as_str(),
            password_hash,
            role: new.role.as_str(),
        },
    )
    .await?;
    let working_hours = WeeklyRule {
        days: i32::from(MONDAY_TO_FRIDAY),
        start_minute: 9 * 60,
        end_minute: 17 * 60,
    };
    schedules::insert(
        c,
        user.id,
        "Working hours",
        new.time_zone.as_str(),
        true,
        &[working_hours],
    )
    .await?;
    Ok(user)
}

/// `base`, or `base-2`, `base-3`, … whichever is free first.
async fn free_username(c: &mut Conn<'_>, base: &Username) -> Result<String, ServiceError> {
    if !users::username_taken(c, base.as_str()).await? {
        return Ok(base.as_str().to_owned());
    }
    for n in 2..1000 {
        let candidate = format!("{base}-{n}");
        if !users::username_taken(c, &candidate).await? {
            return Ok(candidate);
        }
    }
    Err(ServiceError::Conflict(format!(
        "no free username derived from {base}; pass one explicitly"
    )))
}

/// The user with `email` (the command line names people by email).
pub async fn user_by_email(db: &Db, email: &Email) -> Result<User, ServiceError> {
    db.run(async |c| users::find_by_email(c, email.as_str()).await)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("no user with email {email}")))
}

/// Creates an API key for `user_id`. The secret is returned once and never stored.
pub async fn create_api_key(
    db: &Db,
    user_id: i64,
    name: &str,
    expires_at: Option<DateTime<Utc>>,
) -> Result<(api_keys::ApiKey, ApiKeySecret), ServiceError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ServiceError::Invalid(
            "name: an API key's name must be 1 to 100 characters".into(),
        ));
    }
    text::check(text::TextKind::Line, name)
        .map_err(|m| ServiceError::Invalid(format!("name: {m}")))?;
    let secret = ApiKeySecret::generate();
    // Through the writer's turn on SQLite: a write beside a busy booking queue must not give
    // up on the lock (`run` would wait on SQLite's busy timeout alone).
    let key = db
        .background_transaction(async |c| {
            api_keys::insert(
                c,
                &api_keys::NewApiKey {
                    user_id,
                    name,
                    prefix: &secret.display_prefix(),
                    key_hash: &secret.hash(),
                    expires_at,
                },
            )
            .await
        })
        .await?;
    Ok((key, secret))
}

/// Makes sure a known key (the demo's) exists for `user_id`; true when it was added now.
pub async fn ensure_api_key(
    db: &Db,
    user_id: i64,
    name: &str,
    secret: &ApiKeySecret,
) -> Result<bool, ServiceError> {
    let hash = secret.hash();
    db.transaction(async |c| {
        if api_keys::exists_with_hash(c, &hash).await? {
            return Ok(false);
        }
        let new = api_keys::NewApiKey {
            user_id,
            name,
            prefix: &secret.display_prefix(),
            key_hash: &hash,
            expires_at: None,
        };
        api_keys::insert(c, &new).await?;
        Ok(true)
    })
    .await
}

/// Revokes one of `user_id`'s live keys; another user's key is as unknown as a missing one.
pub async fn revoke_api_key(db: &Db, user_id: i64, key_id: i64) -> Result<(), ServiceError> {
    let revoked = db
        .run(async |c| api_keys::revoke(c, user_id, key_id).await)
        .await?;
    if revoked {
        Ok(())
    } else {
        Err(ServiceError::NotFound(format!(
            "no active API key with id {key_id}"
        )))
    }
}

/// `user_id`'s keys that are neither revoked nor expired (never the secrets).
pub async fn list_api_keys(db: &Db, user_id: i64) -> Result<Vec<api_keys::ApiKey>, ServiceError> {
    Ok(db
        .run(async |c| api_keys::list_live(c, user_id, Utc::now()).await)
        .await?)
}

/// Disables an account (no sign-in, no API keys, every session ended) or enables it again.
/// No permission check: the console goes through [`admin::set_disabled`].
pub async fn set_disabled(db: &Db, user_id: i64, disabled: bool) -> Result<(), ServiceError> {
    db.transaction(async |c| write_disabled(c, user_id, disabled).await)
        .await
}

/// The body of [`set_disabled`], inside the caller's transaction.
async fn write_disabled(
    c: &mut Conn<'_>,
    user_id: i64,
    disabled: bool,
) -> Result<(), ServiceError> {
    let at = disabled.then(Utc::now);
    if !users::set_disabled(c, user_id, at).await? {
        return Err(ServiceError::NotFound(format!("no user with id {user_id}")));
    }
    if disabled {
        crate::storage::sessions::delete_for_user(c, user_id, None).await?;
    }
    Ok(())
}

/// The caller presenting `key`, if it is a live key.
pub async fn authenticate(db: &Db, key: &str) -> Result<Option<Caller>, StorageError> {
    let hash = hash_api_key(key);
    let found = db
        .run(async |c| api_keys::authenticate(c, &hash, Utc::now()).await)
        .await?;
    Ok(found.map(|(api_key_id, user)| Caller { user, api_key_id }))
}

pub struct Profile {
    pub user: User,
    pub default_schedule_id: Option<i64>,
}

pub async fn profile(db: &Db, user_id: i64) -> Result<Profile, StorageError> {
    db.run(async |c| {
        Ok(Profile {
            user: users::find(c, user_id).await?,
            default_schedule_id: schedules::find_default_id(c, user_id).await?,
        })
    })
    .await
}

/// A person's public page: who they are, by username. `None` for an unknown username.
pub async fn public_profile(db: &Db, username: &str) -> Result<Option<User>, StorageError> {
    db.run(async |c| users::find_by_username(c, username).await)
        .await
}

/// A partial profile change (`PATCH /v2/me`); absent fields stay as they are.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileChanges {
    #[serde(default, deserialize_with = "text::line")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    pub time_zone: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    pub week_start: Option<String>,
    pub time_format: Option<i32>,
    #[serde(default, deserialize_with = "text::line")]
    pub locale: Option<String>,
    #[serde(default, deserialize_with = "text::lines")]
    pub bio: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    pub brand_color: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    pub dark_brand_color: Option<String>,
}

fn hex_colour(field: &str, raw: String) -> Result<String, ServiceError> {
    let hex = raw.strip_prefix('#').unwrap_or("");
    if (hex.len() == 6 || hex.len() == 3) && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(raw)
    } else {
        Err(ServiceError::Invalid(format!(
            "{field}: must be a hex colour like #1a73e8"
        )))
    }
}

/// [`ProfileChanges`] checked: each present field is valid on its own.
struct CheckedChanges {
    name: Option<PersonName>,
    email: Option<Email>,
    username: Option<Username>,
    time_zone: Option<TimeZoneName>,
    week_start: Option<&'static str>,
    time_format: Option<i32>,
    locale: Option<String>,
    bio: Option<String>,
    brand_color: Option<String>,
    dark_brand_color: Option<String>,
}

fn check_changes(changes: ProfileChanges) -> Result<CheckedChanges, ServiceError> {
    let invalid = |field: &str, m: String| ServiceError::Invalid(format!("{field}: {m}"));
    let week_start = changes
        .week_start
        .map(|d| {
            crate::domain::parse_weekday(&d)
                .map(crate::domain::weekday_name)
                .map_err(|m| invalid("weekStart", m))
        })
        .transpose()?;
    if let Some(f) = changes.time_format
        && f != 12
        && f != 24
    {
        return Err(invalid("timeFormat", "must be 12 or 24".into()));
    }
    if let Some(l) = &changes.locale
        && (l.is_empty() || l.len() > 10)
    {
        let m = "must be a language code like en or pt-BR";
        return Err(invalid("locale", m.into()));
    }
    if changes
        .bio
        .as_ref()
        .is_some_and(|b| b.chars().count() > 10_000)
    {
        return Err(invalid("bio", "is longer than 10000 characters".into()));
    }
    Ok(CheckedChanges {
        name: parse_field(changes.name, "name", PersonName::parse)?,
        email: parse_field(changes.email, "email", Email::parse)?,
        username: parse_field(changes.username, "username", Username::parse)?,
        time_zone: parse_field(changes.time_zone, "timeZone", TimeZoneName::parse)?,
        week_start,
        time_format: changes.time_format,
        locale: changes.locale,
        bio: changes.bio,
        brand_color: changes
            .brand_color
            .map(|c| hex_colour("brandColor", c))
            .transpose()?,
        dark_brand_color: changes
            .dark_brand_color
            .map(|c| hex_colour("darkBrandColor", c))
            .transpose()?,
    })
}

fn parse_field<T>(
    raw: Option<String>,
    field: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<T>, ServiceError> {
    raw.map(|r| parse(&r).map_err(|m| ServiceError::Invalid(format!("{field}: {m}"))))
        .transpose()
}

/// A new email or username must be free: another account's is a conflict.
async fn check_unique(
    c: &mut Conn<'_>,
    current: &User,
    email: &str,
    username: &str,
) -> Result<(), ServiceError> {
    if email != current.email && users::find_by_email(c, email).await?.is_some() {
        return Err(ServiceError::Conflict(
            "email: another account uses this email".into(),
        ));
    }
    if username != current.username && users::username_taken(c, username).await? {
        return Err(ServiceError::Conflict(format!(
            "username: {username} is already taken"
        )));
    }
    Ok(())
}

/// Changes the fields `changes` names (`PATCH /v2/me`, the console's profile page).
pub async fn update_profile(
    db: &Db,
    user_id: i64,
    changes: ProfileChanges,
) -> Result<Profile, ServiceError> {
    let new = check_changes(changes)?;
    db.transaction(async |c| {
        let current = users::find(c, user_id).await?;
        let fields = users::ProfileFields {
            email: (new.email.as_ref()).map_or(current.email.clone(), |e| e.as_str().to_owned()),
            username: (new.username.as_ref())
                .map_or(current.username.clone(), |u| u.as_str().to_owned()),
            name: (new.name.as_ref()).map_or(current.name.clone(), |n| n.as_str().to_owned()),
            time_zone: (new.time_zone.as_ref())
                .map_or(current.time_zone.clone(), |z| z.as_str().to_owned()),
            locale: new.locale.clone().unwrap_or(current.locale.clone()),
            week_start: new
                .week_start
                .map_or(current.week_start.clone(), str::to_owned),
            time_format: new.time_format.unwrap_or(current.time_format),
            bio: new.bio.clone().unwrap_or(current.bio.clone()),
            brand_color: new
                .brand_color
                .clone()
                .unwrap_or(current.brand_color.clone()),
            dark_brand_color: (new.dark_brand_color.clone())
                .unwrap_or(current.dark_brand_color.clone()),
        };
        check_unique(c, &current, &fields.email, &fields.username).await?;
        let user = users::update_profile(c, user_id, &fields)
            .await
            .map_err(|e| match e {
                StorageError::Conflict(_) => ServiceError::Conflict(
                    "email: another account took this email or username just now".into(),
                ),
                other => other.into(),
            })?;
        Ok(Profile {
            user,
            default_schedule_id: schedules::find_default_id(c, user_id).await?,
        })
    })
    .await
}
