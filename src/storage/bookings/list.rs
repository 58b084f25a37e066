//! The filtered, sorted, paged list of bookings behind `GET /v2/bookings`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::BookingRecord;
use crate::domain::BookingStatus;
use crate::storage::schema::{attendees, booking_claims, bookings, event_types};
use crate::storage::{Conn, StorageResult, to_db_time, with_conn};

/// Filters of `GET /v2/bookings`; every one narrows the result.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Bookings the caller hosts or organises, or of these teams' event types.
    pub visible_to_user: i64,
    pub visible_teams: Vec<i64>,
    pub statuses: Vec<BookingStatus>,
    /// `upcoming`: end after now; `past`: end before now.
    pub end_after: Option<DateTime<Utc>>,
    pub end_before: Option<DateTime<Utc>>,
    pub start_after: Option<DateTime<Utc>>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub updated_after: Option<DateTime<Utc>>,
    pub updated_before: Option<DateTime<Utc>>,
    pub uid: Option<String>,
    pub event_type_ids: Vec<i64>,
    pub team_ids: Vec<i64>,
    pub attendee_email: Option<String>,
    pub attendee_name: Option<String>,
    pub recurring_only: bool,
    /// (column, descending)
    pub sort: Vec<(SortKey, bool)>,
    pub skip: i64,
    pub take: i64,
}

#[derive(Debug, Clone, Copy)]
pub enum SortKey {
    Start,
    End,
    Created,
    Updated,
}

/// The bookings the caller may see: those they organise or host, and those of their teams'
/// event types. A macro, not a function: the boxed query's type depends on the backend, which
/// `with_conn!` picks, so the query is written once and expanded for each.
macro_rules! visible {
    ($f:expr) => {{
        let f: &ListFilter = $f;
        let hosted = booking_claims::table
            .filter(booking_claims::user_id.eq(f.visible_to_user))
            .select(booking_claims::booking_id);
        let team_events = event_types::table
            .filter(event_types::team_id.eq_any(f.visible_teams.clone()))
            .select(event_types::id.nullable());
        bookings::table
            .filter(
                bookings::user_id
                    .eq(f.visible_to_user)
                    .or(bookings::id.eq_any(hosted))
                    .or(bookings::event_type_id.eq_any(team_events)),
            )
            .into_boxed()
    }};
}

/// `visible!` narrowed by every filter `$f` sets.
macro_rules! filtered {
    ($f:expr) => {{
        let f: &ListFilter = $f;
        let mut q = visible!(f);
        if !f.statuses.is_empty() {
            let names: Vec<String> = f.statuses.iter().map(|s| s.to_string()).collect();
            q = q.filter(bookings::status.eq_any(names));
        }
        if let Some(t) = f.end_after {
            q = q.filter(bookings::end_at.ge(to_db_time(t)));
        }
        if let Some(t) = f.end_before {
            q = q.filter(bookings::end_at.le(to_db_time(t)));
        }
        if let Some(t) = f.start_after {
            q = q.filter(bookings::start_at.ge(to_db_time(t)));
        }
        if let Some(t) = f.created_after {
            q = q.filter(bookings::created_at.ge(to_db_time(t)));
        }
        if let Some(t) = f.created_before {
            q = q.filter(bookings::created_at.le(to_db_time(t)));
        }
        if let Some(t) = f.updated_after {
            q = q.filter(bookings::updated_at.ge(to_db_time(t)));
        }
        if let Some(t) = f.updated_before {
            q = q.filter(bookings::updated_at.le(to_db_time(t)));
        }
        if let Some(uid) = &f.uid {
            q = q.filter(bookings::uid.eq(uid.clone()));
        }
        if !f.event_type_ids.is_empty() {
            q = q.filter(bookings::event_type_id.eq_any(f.event_type_ids.clone()));
        }
        if !f.team_ids.is_empty() {
            let of_teams = event_types::table
                .filter(event_types::team_id.eq_any(f.team_ids.clone()))
                .select(event_types::id.nullable());
            q = q.filter(bookings::event_type_id.eq_any(of_teams));
        }
        if let Some(email) = &f.attendee_email {
            let with = attendees::table
                .filter(attendees::email.eq(email.to_lowercase()))
                .select(attendees::booking_id);
            q = q.filter(bookings::id.eq_any(with));
        }
        if let Some(name) = &f.attendee_name {
            let with = attendees::table
                .filter(attendees::name.eq(name.clone()))
                .select(attendees::booking_id);
            q = q.filter(bookings::id.eq_any(with));
        }
        if f.recurring_only {
            q = q.filter(bookings::recurring_event_id.is_not_null());
        }
        q
    }};
}

/// One page of bookings and the total number matching.
pub async fn list(conn: &mut Conn<'_>, f: &ListFilter) -> StorageResult<(Vec<BookingRecord>, i64)> {
    let total: i64 = with_conn!(conn, |c| filtered!(f).count().get_result(c).await)?;
    let rows = with_conn!(conn, |c| {
        let mut q = filtered!(f).select(BookingRecord::as_select());
        for (key, desc) in &f.sort {
            q = match (key, desc) {
                (SortKey::Start, false) => q.then_order_by(bookings::start_at.asc()),
                (SortKey::Start, true) => q.then_order_by(bookings::start_at.desc()),
                (SortKey::End, false) => q.then_order_by(bookings::end_at.asc()),
                (SortKey::End, true) => q.then_order_by(bookings::end_at.desc()),
                (SortKey::Created, false) => q.then_order_by(bookings::created_at.asc()),
                (SortKey::Created, true) => q.then_order_by(bookings::created_at.desc()),
                (SortKey::Updated, false) => q.then_order_by(bookings::updated_at.asc()),
                (SortKey::Updated, true) => q.then_order_by(bookings::updated_at.desc()),
            };
        }
        q.then_order_by(bookings::id.asc())
            .offset(f.skip)
            .limit(f.take)
            .load(c)
            .await
    })?;
    Ok((rows, total))
}
