//! Users: accounts that own schedules, event types and bookings.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::users;
use super::{Conn, StorageResult, StoredInstant, to_db_time, with_conn};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub username: String,
    pub name: String,
    pub time_zone: String,
    pub role: String,
    pub locale: String,
    pub week_start: String,
    pub time_format: i32,
    pub bio: String,
    pub brand_color: String,
    pub dark_brand_color: String,
    #[diesel(deserialize_as = StoredInstant)]
    pub created_at: chrono::DateTime<Utc>,
    /// Set when an admin disabled the account: no sign-in, no API keys.
    pub disabled_at: Option<chrono::NaiveDateTime>,
}

impl User {
    pub fn is_disabled(&self) -> bool {
        self.disabled_at.is_some()
    }
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub username: &'a str,
    pub name: &'a str,
    pub time_zone: &'a str,
    pub password_hash: Option<&'a str>,
    pub role: &'a str,
}

pub async fn insert(conn: &mut Conn<'_>, new: &NewUser<'_>) -> StorageResult<User> {
    let now = to_db_time(Utc::now());
    let values = (
        users::email.eq(new.email),
        users::username.eq(new.username),
        users::name.eq(new.name),
        users::time_zone.eq(new.time_zone),
        users::password_hash.eq(new.password_hash),
        users::role.eq(new.role),
        users::created_at.eq(now),
        users::updated_at.eq(now),
    );
    let user = with_conn!(conn, |c| {
        diesel::insert_into(users::table)
            .values(values)
            .returning(User::as_returning())
            .get_result(c)
            .await
    })?;
    Ok(user)
}

pub async fn find_by_email(conn: &mut Conn<'_>, email: &str) -> StorageResult<Option<User>> {
    let user = with_conn!(conn, |c| {
        users::table
            .filter(users::email.eq(email))
            .select(User::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(user)
}

pub async fn find(conn: &mut Conn<'_>, id: i64) -> StorageResult<User> {
    let user = with_conn!(conn, |c| {
        users::table
            .find(id)
            .select(User::as_select())
            .first(c)
            .await
    })?;
    Ok(user)
}

pub async fn username_taken(conn: &mut Conn<'_>, username: &str) -> StorageResult<bool> {
    let count: i64 = with_conn!(conn, |c| {
        users::table
            .filter(users::username.eq(username))
            .count()
            .get_result(c)
            .await
    })?;
    Ok(count > 0)
}

pub async fn find_by_username(conn: &mut Conn<'_>, username: &str) -> StorageResult<Option<User>> {
    let user = with_conn!(conn, |c| {
        users::table
            .filter(users::username.eq(username))
            .select(User::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(user)
}

/// The editable part of a profile (`PATCH /v2/me`).
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = users)]
pub struct ProfileFields {
    pub email: String,
    pub username: String,
    pub name: String,
    pub time_zone: String,
    pub locale: String,
    pub week_start: String,
    pub time_format: i32,
    pub bio: String,
    pub brand_color: String,
    pub dark_brand_color: String,
}

pub async fn update_profile(
    conn: &mut Conn<'_>,
    id: i64,
    fields: &ProfileFields,
) -> StorageResult<User> {
    let now = to_db_time(Utc::now());
    let user = with_conn!(conn, |c| {
        diesel::update(users::table.find(id))
            .set((fields, users::updated_at.eq(now)))
            .returning(User::as_returning())
            .get_result(c)
            .await
    })?;
    Ok(user)
}

/// Users by id, in id order.
pub async fn find_many(conn: &mut Conn<'_>, ids: &[i64]) -> StorageResult<Vec<User>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let found = with_conn!(conn, |c| {
        users::table
            .filter(users::id.eq_any(ids))
            .select(User::as_select())
            .order(users::id)
            .load(c)
            .await
    })?;
    Ok(found)
}

/// The stored argon2id hash of a user's password, if they have one.
pub async fn password_hash(conn: &mut Conn<'_>, id: i64) -> StorageResult<Option<String>> {
    let hash = with_conn!(conn, |c| {
        users::table
            .find(id)
            .select(users::password_hash)
            .first::<Option<String>>(c)
            .await
            .optional()
    })?;
    Ok(hash.flatten())
}

pub async fn set_password_hash(conn: &mut Conn<'_>, id: i64, hash: &str) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    with_conn!(conn, |c| {
        diesel::update(users::table.find(id))
            .set((users::password_hash.eq(hash), users::updated_at.eq(now)))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Disables (`Some(at)`) or re-enables (`None`) an account.
pub async fn set_disabled(
    conn: &mut Conn<'_>,
    id: i64,
    at: Option<chrono::DateTime<Utc>>,
) -> StorageResult<bool> {
    let (at, now) = (at.map(to_db_time), to_db_time(Utc::now()));
    let changed = with_conn!(conn, |c| {
        diesel::update(users::table.find(id))
            .set((users::disabled_at.eq(at), users::updated_at.eq(now)))
            .execute(c)
            .await
    })?;
    Ok(changed == 1)
}

#[diesel::declare_sql_function]
extern "SQL" {
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Which page of the users list (the admin's): in id order, a page after or before an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsersPage {
    First,
    After(i64),
    Before(i64),
}

/// Up to `limit` users of `page`, in id order; with `search`, only those whose email or name
/// contains it (ignoring case; `%` and `_` are plain characters).
pub async fn list(
    conn: &mut Conn<'_>,
    search: Option<&str>,
    page: UsersPage,
    limit: i64,
) -> StorageResult<Vec<User>> {
    let pattern = search.map(|s| {
        let escaped = s
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    });
    let mut found = with_conn!(conn, |c| {
        let mut query = users::table.select(User::as_select()).into_boxed();
        if let Some(p) = &pattern {
            query = query.filter(
                users::email
                    .like(p.clone())
                    .escape('\\')
                    .or(lower(users::name).like(p.clone()).escape('\\')),
            );
        }
        query = match page {
            UsersPage::First => query.order(users::id.asc()),
            UsersPage::After(id) => query.filter(users::id.gt(id)).order(users::id.asc()),
            UsersPage::Before(id) => query.filter(users::id.lt(id)).order(users::id.desc()),
        };
        query.limit(limit).load(c).await
    })?;
    if let UsersPage::Before(_) = page {
        found.reverse();
    }
    Ok(found)
}

pub async fn set_role(conn: &mut Conn<'_>, id: i64, role: &str) -> StorageResult<bool> {
    let now = to_db_time(Utc::now());
    let changed = with_conn!(conn, |c| {
        diesel::update(users::table.find(id))
            .set((users::role.eq(role), users::updated_at.eq(now)))
            .execute(c)
            .await
    })?;
    Ok(changed == 1)
}

/// The ids of the enabled admins, their rows locked until the transaction ends on PostgreSQL
/// (SQLite's `BEGIN IMMEDIATE` already serialises writers), so two admins changing each other
/// at once cannot both pass a "someone stays admin" check.
pub async fn lock_admins(conn: &mut Conn<'_>) -> StorageResult<Vec<i64>> {
    let admins = users::table
        .filter(users::role.eq(crate::domain::Role::Admin.as_str()))
        .filter(users::disabled_at.is_null())
        .order(users::id)
        .select(users::id);
    let ids = match conn {
        Conn::Pg(c) => admins.for_update().load(&mut **c).await?,
        Conn::Sqlite(c) => admins.load(&mut **c).await?,
    };
    Ok(ids)
}
