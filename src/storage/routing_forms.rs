//! Routing forms and their responses. Fields and routes are JSON columns that
//! `crate::routing_forms` reads and validates; nothing here interprets them.

use chrono::{DateTime, Utc};
use diesel::dsl;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{routing_form_responses, routing_forms};
use super::{Conn, StorageResult, StoredInstant, to_db_time, with_conn};

/// Who owns a routing form: a user or a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormOwner {
    User(i64),
    Team(i64),
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = routing_forms)]
pub struct FormRecord {
    pub id: i64,
    pub user_id: Option<i64>,
    pub team_id: Option<i64>,
    pub name: String,
    pub description: Option<String>,
    pub fields: String,
    pub routes: String,
    #[diesel(deserialize_as = StoredInstant)]
    pub created_at: DateTime<Utc>,
    #[diesel(deserialize_as = StoredInstant)]
    pub updated_at: DateTime<Utc>,
}

impl FormRecord {
    pub fn owner(&self) -> FormOwner {
        match (self.user_id, self.team_id) {
            (Some(user), _) => FormOwner::User(user),
            (None, team) => FormOwner::Team(team.unwrap_or_default()),
        }
    }
}

/// The settable part of a form (insert and update).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = routing_forms, treat_none_as_null = true)]
pub struct FormFields {
    pub name: String,
    pub description: Option<String>,
    pub fields: String,
    pub routes: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = routing_form_responses)]
pub struct ResponseRecord {
    pub id: i64,
    pub form_id: i64,
    pub answers: String,
    pub routed: String,
    pub event_type_id: Option<i64>,
    pub booking_uid: Option<String>,
    #[diesel(deserialize_as = StoredInstant)]
    pub created_at: DateTime<Utc>,
}

fn owner_columns(owner: FormOwner) -> (Option<i64>, Option<i64>) {
    match owner {
        FormOwner::User(id) => (Some(id), None),
        FormOwner::Team(id) => (None, Some(id)),
    }
}

/// `owner`'s forms: the owner's column equals their id; the other is compared with NULL,
/// which matches nothing.
fn owned_by(
    owner: FormOwner,
) -> dsl::Or<
    dsl::Eq<routing_forms::user_id, Option<i64>>,
    dsl::Eq<routing_forms::team_id, Option<i64>>,
> {
    let (user_id, team_id) = owner_columns(owner);
    routing_forms::user_id
        .eq(user_id)
        .or(routing_forms::team_id.eq(team_id))
}

pub async fn insert(
    conn: &mut Conn<'_>,
    owner: FormOwner,
    fields: &FormFields,
) -> StorageResult<i64> {
    let now = to_db_time(Utc::now());
    let (user_id, team_id) = owner_columns(owner);
    let id = with_conn!(conn, |c| {
        diesel::insert_into(routing_forms::table)
            .values((
                fields,
                routing_forms::user_id.eq(user_id),
                routing_forms::team_id.eq(team_id),
                routing_forms::created_at.eq(now),
                routing_forms::updated_at.eq(now),
            ))
            .returning(routing_forms::id)
            .get_result(c)
            .await
    })?;
    Ok(id)
}

pub async fn update(conn: &mut Conn<'_>, id: i64, fields: &FormFields) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    with_conn!(conn, |c| {
        diesel::update(routing_forms::table.find(id))
            .set((fields, routing_forms::updated_at.eq(now)))
            .execute(c)
            .await
    })?;
    Ok(())
}

pub async fn delete(conn: &mut Conn<'_>, id: i64) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::delete(routing_forms::table.find(id))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Form `id` if `owner` owns it.
pub async fn find_owned(
    conn: &mut Conn<'_>,
    owner: FormOwner,
    id: i64,
) -> StorageResult<Option<FormRecord>> {
    let found = with_conn!(conn, |c| {
        routing_forms::table
            .find(id)
            .filter(owned_by(owner))
            .select(FormRecord::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(found)
}

pub async fn find(conn: &mut Conn<'_>, id: i64) -> StorageResult<Option<FormRecord>> {
    let found = with_conn!(conn, |c| {
        routing_forms::table
            .find(id)
            .select(FormRecord::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(found)
}

/// `owner`'s forms, oldest first.
pub async fn list(conn: &mut Conn<'_>, owner: FormOwner) -> StorageResult<Vec<FormRecord>> {
    let rows = with_conn!(conn, |c| {
        routing_forms::table
            .filter(owned_by(owner))
            .order(routing_forms::id)
            .select(FormRecord::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// A new response; returns its id.
pub async fn insert_response(
    conn: &mut Conn<'_>,
    form_id: i64,
    answers: &str,
    routed: &str,
    event_type_id: Option<i64>,
    at: DateTime<Utc>,
) -> StorageResult<i64> {
    let at = to_db_time(at);
    let id = with_conn!(conn, |c| {
        diesel::insert_into(routing_form_responses::table)
            .values((
                routing_form_responses::form_id.eq(form_id),
                routing_form_responses::answers.eq(answers),
                routing_form_responses::routed.eq(routed),
                routing_form_responses::event_type_id.eq(event_type_id),
                routing_form_responses::created_at.eq(at),
            ))
            .returning(routing_form_responses::id)
            .get_result(c)
            .await
    })?;
    Ok(id)
}

pub async fn find_response(conn: &mut Conn<'_>, id: i64) -> StorageResult<Option<ResponseRecord>> {
    let found = with_conn!(conn, |c| {
        routing_form_responses::table
            .find(id)
            .select(ResponseRecord::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(found)
}

/// Form `form_id`'s responses, newest first, `take` after the first `skip`, and how many there
/// are in all.
pub async fn responses(
    conn: &mut Conn<'_>,
    form_id: i64,
    skip: i64,
    take: i64,
) -> StorageResult<(Vec<ResponseRecord>, i64)> {
    let (rows, total) = with_conn!(conn, |c| {
        let rows = routing_form_responses::table
            .filter(routing_form_responses::form_id.eq(form_id))
            .order(routing_form_responses::id.desc())
            .offset(skip)
            .limit(take)
            .select(ResponseRecord::as_select())
            .load(c)
            .await?;
        let total: i64 = routing_form_responses::table
            .filter(routing_form_responses::form_id.eq(form_id))
            .count()
            .get_result(c)
            .await?;
        Ok::<_, diesel::result::Error>((rows, total))
    })?;
    Ok((rows, total))
}

/// Marks response `id`, routed to `event_type_id` and not booked yet, as booked by `uid`.
/// Returns whether it was.
pub async fn link_booking(
    conn: &mut Conn<'_>,
    id: i64,
    event_type_id: i64,
    uid: &str,
) -> StorageResult<bool> {
    let n = with_conn!(conn, |c| {
        diesel::update(
            routing_form_responses::table
                .find(id)
                .filter(routing_form_responses::event_type_id.eq(event_type_id))
                .filter(routing_form_responses::booking_uid.is_null()),
        )
        .set(routing_form_responses::booking_uid.eq(uid))
        .execute(c)
        .await
    })?;
    Ok(n == 1)
}
