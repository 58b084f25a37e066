//! Which booking emails each host receives (`host_email_choices`): one row per user who chose,
//! none for everyone else (who receive them all). What each choice covers is
//! `crate::notify::choices`' rule, not this module's.

use chrono::Utc;
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;

use super::schema::host_email_choices as choices;
use super::{Conn, StorageResult, to_db_time, with_conn};

/// A host's choices: which kinds of booking email they receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = choices)]
pub struct HostEmails {
    /// Bookings made or requested.
    pub booked: bool,
    /// Bookings moved, or taking place somewhere else.
    pub rescheduled: bool,
    /// Bookings cancelled or declined.
    pub cancelled: bool,
    /// Workflow steps that email the hosts.
    pub workflows: bool,
}

impl Default for HostEmails {
    /// Everything, until the host chooses otherwise.
    fn default() -> Self {
        Self {
            booked: true,
            rescheduled: true,
            cancelled: true,
            workflows: true,
        }
    }
}

/// The choices of those of `users` who made some, as (user, choices).
pub async fn of(conn: &mut Conn<'_>, users: &[i64]) -> StorageResult<Vec<(i64, HostEmails)>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let rows = with_conn!(conn, |c| {
        choices::table
            .filter(choices::user_id.eq_any(users))
            .select((choices::user_id, HostEmails::as_select()))
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// Records user `user`'s choices (replacing earlier ones).
pub async fn set(conn: &mut Conn<'_>, user: i64, chosen: &HostEmails) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    with_conn!(conn, |c| {
        diesel::insert_into(choices::table)
            .values((
                chosen,
                choices::user_id.eq(user),
                choices::updated_at.eq(now),
            ))
            .on_conflict(choices::user_id)
            .do_update()
            .set((
                choices::booked.eq(excluded(choices::booked)),
                choices::rescheduled.eq(excluded(choices::rescheduled)),
                choices::cancelled.eq(excluded(choices::cancelled)),
                choices::workflows.eq(excluded(choices::workflows)),
                choices::updated_at.eq(excluded(choices::updated_at)),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}
