//! What only an instance administrator (role ADMIN, not disabled) may do: see every account,
//! create or invite people, disable or enable accounts, give or take the admin role, and see how the
//! instance is set up. The rules that keep an instance manageable live here, not in the pages:
//! an admin cannot disable their own account, and the last enabled admin keeps the role.

use chrono::Utc;

use super::NewAccount;
use crate::auth::TokenSigner;
use crate::domain::Role;
use crate::domain::text::{TextKind, check};
use crate::service::ServiceError;
use crate::storage::users::{self, User, UsersPage};
use crate::storage::{Backend, Conn, Db};

/// Users per page of the admin's list.
pub const PAGE_SIZE: i64 = 25;

/// How this instance is set up: read from the configuration once, at start.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    /// SMTP is configured: confirmations, reminders and invitations are emailed.
    pub email: bool,
    /// An OAuth app is configured, so hosts can connect these calendars.
    pub google_calendar: bool,
    pub microsoft_calendar: bool,
    /// Anyone may create an account (`KAIROS_SIGNUP`).
    pub signup: bool,
    /// Threads serving HTTP requests.
    pub http_workers: usize,
    /// The background runners this process starts.
    pub webhook_worker: bool,
    pub email_worker: bool,
    pub calendar_worker: bool,
}

/// The admin overview: the setup, the database and the version.
#[derive(Debug, Clone)]
pub struct Overview {
    pub setup: Setup,
    pub backend: Backend,
    pub database_reachable: bool,
    pub version: &'static str,
}

/// One page of the users list and where its neighbours start.
#[derive(Debug, Clone)]
pub struct UserList {
    pub users: Vec<User>,
    /// The page before starts before this id.
    pub previous: Option<i64>,
    /// The page after starts after this id.
    pub next: Option<i64>,
}

fn require_admin(who: &User) -> Result<(), ServiceError> {
    if who.role == Role::Admin.as_str() && !who.is_disabled() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(
            "Only an administrator of this Kairos may do this.".into(),
        ))
    }
}

/// Locks the admins (see [`users::lock_admins`]) and checks that `who` is still one of them.
async fn admins_with(c: &mut Conn<'_>, who: &User) -> Result<Vec<i64>, ServiceError> {
    let admins = users::lock_admins(c).await?;
    if admins.contains(&who.id) {
        Ok(admins)
    } else {
        Err(ServiceError::Forbidden(
            "Only an administrator of this Kairos may do this.".into(),
        ))
    }
}

pub async fn overview(db: &Db, who: &User, setup: &Setup) -> Result<Overview, ServiceError> {
    require_admin(who)?;
    Ok(Overview {
        setup: setup.clone(),
        backend: db.backend(),
        database_reachable: db.ping().await.is_ok(),
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// A page of every account, in the order they were created; `search` keeps those whose email
/// or name contains it.
pub async fn list_users(
    db: &Db,
    who: &User,
    search: Option<&str>,
    page: UsersPage,
) -> Result<UserList, ServiceError> {
    require_admin(who)?;
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    if let Some(s) = search {
        check(TextKind::Line, s).map_err(|m| ServiceError::Invalid(format!("q: {m}")))?;
        if s.chars().count() > 200 {
            return Err(ServiceError::Invalid(
                "q: is longer than 200 characters".into(),
            ));
        }
    }
    let mut found = db
        .run(async |c| users::list(c, search, page, PAGE_SIZE + 1).await)
        .await?;
    let more = found.len() > PAGE_SIZE as usize;
    if more {
        match page {
            UsersPage::Before(_) => found.remove(0),
            _ => found.remove(found.len() - 1),
        };
    }
    let (has_previous, has_next) = match page {
        UsersPage::First => (false, more),
        UsersPage::After(_) => (true, more),
        UsersPage::Before(_) => (more, true),
    };
    Ok(UserList {
        previous: found.first().filter(|_| has_previous).map(|u| u.id),
        next: found.last().filter(|_| has_next).map(|u| u.id),
        users: found,
    })
}

/// Creates an account with the password the admin chose: no link, it can sign in at once.
pub async fn create(db: &Db, who: &User, new: NewAccount) -> Result<User, ServiceError> {
    require_admin(who)?;
    super::create_user(db, new).await
}

/// Creates the account and its invitation link (emailed when `send_email`).
pub async fn invite(
    db: &Db,
    signer: &TokenSigner,
    base_url: &str,
    who: &User,
    new: NewAccount,
    send_email: bool,
) -> Result<(User, String), ServiceError> {
    require_admin(who)?;
    crate::sessions::invite(db, signer, base_url, Some(who), new, send_email, Utc::now()).await
}

/// Disables (no sign-in, no API keys, sessions ended) or enables another account.
pub async fn set_disabled(
    db: &Db,
    who: &User,
    user_id: i64,
    disabled: bool,
) -> Result<(), ServiceError> {
    require_admin(who)?;
    if disabled && user_id == who.id {
        return Err(ServiceError::Conflict(
            "You cannot disable your own account.".into(),
        ));
    }
    // `who` stays an enabled admin, so the instance keeps one.
    db.transaction(async |c| {
        admins_with(c, who).await?;
        super::write_disabled(c, user_id, disabled).await
    })
    .await
}

/// Gives or takes the admin role; the last enabled admin keeps it.
pub async fn set_role(db: &Db, who: &User, user_id: i64, role: Role) -> Result<(), ServiceError> {
    require_admin(who)?;
    db.transaction(async |c| {
        let admins = admins_with(c, who).await?;
        if role == Role::User && admins == [user_id] {
            return Err(ServiceError::Conflict(
                "This is the last administrator; make someone else an administrator first.".into(),
            ));
        }
        if users::set_role(c, user_id, role.as_str()).await? {
            Ok(())
        } else {
            Err(ServiceError::NotFound(format!("no user with id {user_id}")))
        }
    })
    .await
}
