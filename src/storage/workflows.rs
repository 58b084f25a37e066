//! Workflows and the event types they are active on. The steps are one JSON column that
//! `crate::workflows` reads and validates; nothing here interprets them.

use chrono::{DateTime, Utc};
use diesel::dsl::{self, exists};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::bookings::BookingRecord;
use super::schema::{bookings, event_types, reminder_opt_outs, workflow_event_types, workflows};
use super::{Conn, StorageResult, StoredInstant, to_db_time, with_conn};
use crate::domain::BookingStatus;

/// Who owns a workflow: a user (their personal event types) or a team (its event types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkflowOwner {
    User(i64),
    Team(i64),
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = workflows)]
pub struct WorkflowRecord {
    pub id: i64,
    pub user_id: Option<i64>,
    pub team_id: Option<i64>,
    pub name: String,
    pub trigger_type: String,
    pub offset_minutes: i32,
    pub offset_unit: String,
    pub active_on_all: bool,
    pub steps: String,
    #[diesel(deserialize_as = StoredInstant)]
    pub created_at: DateTime<Utc>,
    #[diesel(deserialize_as = StoredInstant)]
    pub updated_at: DateTime<Utc>,
}

/// The settable part of a workflow (insert and update).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = workflows)]
pub struct WorkflowFields {
    pub name: String,
    pub trigger_type: String,
    pub offset_minutes: i32,
    pub offset_unit: String,
    pub active_on_all: bool,
    pub steps: String,
}

fn owner_columns(owner: WorkflowOwner) -> (Option<i64>, Option<i64>) {
    match owner {
        WorkflowOwner::User(id) => (Some(id), None),
        WorkflowOwner::Team(id) => (None, Some(id)),
    }
}

/// `owner`'s workflows, as one condition every query filters with: the owner's column equals
/// their id, and the other one is compared with NULL, which matches nothing.
fn owned_by(
    owner: WorkflowOwner,
) -> dsl::Or<dsl::Eq<workflows::user_id, Option<i64>>, dsl::Eq<workflows::team_id, Option<i64>>> {
    let (user_id, team_id) = owner_columns(owner);
    workflows::user_id
        .eq(user_id)
        .or(workflows::team_id.eq(team_id))
}

pub async fn insert(
    conn: &mut Conn<'_>,
    owner: WorkflowOwner,
    fields: &WorkflowFields,
) -> StorageResult<i64> {
    let now = to_db_time(Utc::now());
    let (user_id, team_id) = owner_columns(owner);
    let id = with_conn!(conn, |c| {
        diesel::insert_into(workflows::table)
            .values((
                fields,
                workflows::user_id.eq(user_id),
                workflows::team_id.eq(team_id),
                workflows::created_at.eq(now),
                workflows::updated_at.eq(now),
            ))
            .returning(workflows::id)
            .get_result(c)
            .await
    })?;
    Ok(id)
}

pub async fn update(conn: &mut Conn<'_>, id: i64, fields: &WorkflowFields) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    with_conn!(conn, |c| {
        diesel::update(workflows::table.find(id))
            .set((fields, workflows::updated_at.eq(now)))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Holds workflow `id` until the transaction ends (PostgreSQL; SQLite writes one at a time), so
/// two edits of one workflow re-plan its reminders one after the other.
pub async fn lock(conn: &mut Conn<'_>, id: i64) -> StorageResult<()> {
    if let Conn::Pg(c) = conn {
        let _: Option<i64> = workflows::table
            .find(id)
            .select(workflows::id)
            .for_update()
            .first(&mut **c)
            .await
            .optional()?;
    }
    Ok(())
}

/// The accepted bookings of `owner`'s event types (every one with `every`, else those in
/// `listed`) that end after `since`, oldest first: those a workflow's timed steps may still be
/// due for.
pub async fn standing_bookings(
    conn: &mut Conn<'_>,
    owner: WorkflowOwner,
    every: bool,
    listed: &[i64],
    since: DateTime<Utc>,
) -> StorageResult<Vec<BookingRecord>> {
    let ids: Vec<i64> = if every {
        with_conn!(conn, |c| {
            let query = event_types::table.into_boxed();
            let query = match owner {
                WorkflowOwner::User(id) => query
                    .filter(event_types::owner_id.eq(id))
                    .filter(event_types::team_id.is_null()),
                WorkflowOwner::Team(id) => query.filter(event_types::team_id.eq(id)),
            };
            query.select(event_types::id).load(c).await
        })?
    } else {
        listed.to_vec()
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let since = to_db_time(since);
    let rows = with_conn!(conn, |c| {
        bookings::table
            .filter(bookings::event_type_id.eq_any(&ids))
            .filter(bookings::status.eq(BookingStatus::Accepted.as_str()))
            .filter(bookings::end_at.gt(since))
            .order(bookings::id)
            .select(BookingRecord::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// Workflow `id` if `owner` owns it.
pub async fn find_owned(
    conn: &mut Conn<'_>,
    owner: WorkflowOwner,
    id: i64,
) -> StorageResult<Option<WorkflowRecord>> {
    let found = with_conn!(conn, |c| {
        workflows::table
            .find(id)
            .filter(owned_by(owner))
            .select(WorkflowRecord::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(found)
}

pub async fn find(conn: &mut Conn<'_>, id: i64) -> StorageResult<Option<WorkflowRecord>> {
    let found = with_conn!(conn, |c| {
        workflows::table
            .find(id)
            .select(WorkflowRecord::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(found)
}

/// `owner`'s workflows, oldest first.
pub async fn list(conn: &mut Conn<'_>, owner: WorkflowOwner) -> StorageResult<Vec<WorkflowRecord>> {
    let rows = with_conn!(conn, |c| {
        workflows::table
            .filter(owned_by(owner))
            .order(workflows::id)
            .select(WorkflowRecord::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

pub async fn delete(conn: &mut Conn<'_>, id: i64) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::delete(workflows::table.find(id)).execute(c).await
    })?;
    Ok(())
}

/// The event types workflows `ids` are listed on, as (workflow, event type).
pub async fn activations(conn: &mut Conn<'_>, ids: &[i64]) -> StorageResult<Vec<(i64, i64)>> {
    let rows = with_conn!(conn, |c| {
        workflow_event_types::table
            .filter(workflow_event_types::workflow_id.eq_any(ids))
            .order((
                workflow_event_types::workflow_id,
                workflow_event_types::event_type_id,
            ))
            .select((
                workflow_event_types::workflow_id,
                workflow_event_types::event_type_id,
            ))
            .load(c)
            .await
    })?;
    Ok(rows)
}

pub async fn replace_activations(
    conn: &mut Conn<'_>,
    id: i64,
    event_types: &[i64],
) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::delete(workflow_event_types::table.filter(workflow_event_types::workflow_id.eq(id)))
            .execute(c)
            .await
    })?;
    for event_type in event_types {
        let row = (
            workflow_event_types::workflow_id.eq(id),
            workflow_event_types::event_type_id.eq(*event_type),
        );
        with_conn!(conn, |c| {
            diesel::insert_into(workflow_event_types::table)
                .values(row)
                .on_conflict_do_nothing()
                .execute(c)
                .await
        })?;
    }
    Ok(())
}

/// Which of `ids` are event types of `owner` (a user's personal ones, or a team's).
pub async fn owned_event_types(
    conn: &mut Conn<'_>,
    owner: WorkflowOwner,
    ids: &[i64],
) -> StorageResult<Vec<i64>> {
    let rows = with_conn!(conn, |c| {
        let query = event_types::table
            .filter(event_types::id.eq_any(ids))
            .into_boxed();
        let query = match owner {
            WorkflowOwner::User(id) => query
                .filter(event_types::owner_id.eq(id))
                .filter(event_types::team_id.is_null()),
            WorkflowOwner::Team(id) => query.filter(event_types::team_id.eq(id)),
        };
        query.select(event_types::id).load(c).await
    })?;
    Ok(rows)
}

/// The workflows active on event type `event_type_id`, owned by `owner`, oldest first: one
/// query, inside the booking's transaction.
pub async fn active_on(
    conn: &mut Conn<'_>,
    owner: WorkflowOwner,
    event_type_id: i64,
) -> StorageResult<Vec<WorkflowRecord>> {
    let listed = exists(
        workflow_event_types::table
            .filter(workflow_event_types::workflow_id.eq(workflows::id))
            .filter(workflow_event_types::event_type_id.eq(event_type_id)),
    );
    let rows = with_conn!(conn, |c| {
        workflows::table
            .filter(owned_by(owner))
            .filter(workflows::active_on_all.eq(true).or(listed))
            .order(workflows::id)
            .select(WorkflowRecord::as_select())
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// Attendee `email` wants no more reminders of booking `booking_id`.
pub async fn opt_out(conn: &mut Conn<'_>, booking_id: i64, email: &str) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    with_conn!(conn, |c| {
        diesel::insert_into(reminder_opt_outs::table)
            .values((
                reminder_opt_outs::booking_id.eq(booking_id),
                reminder_opt_outs::email.eq(email),
                reminder_opt_outs::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(c)
            .await
    })?;
    Ok(())
}

/// The attendees of booking `booking_id` who stopped its reminders.
pub async fn opted_out(conn: &mut Conn<'_>, booking_id: i64) -> StorageResult<Vec<String>> {
    let rows = with_conn!(conn, |c| {
        reminder_opt_outs::table
            .filter(reminder_opt_outs::booking_id.eq(booking_id))
            .select(reminder_opt_outs::email)
            .load(c)
            .await
    })?;
    Ok(rows)
}
