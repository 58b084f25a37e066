//! The filtered, sorted, paged list of bookings behind `GET /v2/bookings` and the console's
//! booking lists. Console pages are keyset pages (start, id): each way the caller sees bookings
//! is read apart from the cursor in its own index and stops at the page's end, however deep
//! the page.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::BookingRecord;
use super::claims::MAX_CLAIM_SPAN;
use crate::domain::BookingStatus;
use crate::storage::schema::{attendees, booking_claims, bookings, event_types};
use crate::storage::{Conn, StorageResult, event_types as event_type_store, to_db_time, with_conn};

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
    /// Starts strictly before this instant.
    pub start_before: Option<DateTime<Utc>>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub updated_after: Option<DateTime<Utc>>,
    pub updated_before: Option<DateTime<Utc>>,
    pub uid: Option<String>,
    pub event_type_ids: Vec<i64>,
    pub team_ids: Vec<i64>,
    /// Organised by, or claiming the time of, one of these users.
    pub host_ids: Vec<i64>,
    pub attendee_email: Option<String>,
    pub attendee_name: Option<String>,
    /// Part of an attendee's name or email, in any case.
    pub attendee_search: Option<String>,
    pub recurring_only: bool,
    /// (column, descending)
    pub sort: Vec<(SortKey, bool)>,
    /// Set: a keyset page in start order; `sort` and `skip` are then not used.
    pub keyset: Option<Keyset>,
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

/// A page in (start, id) order: ascending or descending, after `after` in that order.
#[derive(Debug, Clone, Copy)]
pub struct Keyset {
    pub descending: bool,
    pub after: Option<(DateTime<Utc>, i64)>,
}

impl ListFilter {
    /// The earliest and latest start the filter allows, the cursor included. A booking lasts
    /// at most [`MAX_CLAIM_SPAN`] (its claims hold its time), so an end bound is a start bound.
    fn start_bounds(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let cursor = self
            .keyset
            .and_then(|k| k.after.map(|(at, _)| (k.descending, at)));
        let lower = [
            self.start_after,
            self.end_after.map(|t| t - MAX_CLAIM_SPAN),
            cursor.filter(|(desc, _)| !desc).map(|(_, at)| at),
        ];
        let upper = [
            self.start_before,
            self.end_before,
            cursor.filter(|(desc, _)| *desc).map(|(_, at)| at),
        ];
        (
            lower.into_iter().flatten().max(),
            upper.into_iter().flatten().min(),
        )
    }

    /// Where the claims of the bookings the filter allows start: a claim starts at most
    /// [`MAX_CLAIM_SPAN`] before its booking and never after it. A subquery on the claims
    /// cannot be boxed, so absent bounds are the ends of time.
    fn claim_range(&self) -> (NaiveDateTime, NaiveDateTime) {
        let (earliest, latest) = self.start_bounds();
        let (dawn, dusk) = ends_of_time();
        (
            earliest.map_or(dawn, |t| to_db_time(t - MAX_CLAIM_SPAN)),
            latest.map_or(dusk, to_db_time),
        )
    }
}

/// The first and last instants both backends store, for a range left open.
fn ends_of_time() -> (NaiveDateTime, NaiveDateTime) {
    let new_year = |y| NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default();
    (
        new_year(1).and_time(NaiveTime::MIN),
        new_year(9999).and_time(NaiveTime::MIN),
    )
}

/// `%text%` for LIKE with `\` as the escape character.
fn containing(text: &str) -> String {
    let mut pattern = String::from("%");
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

/// The attendee search (`f.attendee_search`) as a query of the matching attendees' booking
/// ids: an attendee's name or email contains the text, ASCII letters in any case (SQLite's
/// `lower()` folds ASCII only; PostgreSQL's does too under `COLLATE "C"`), so both backends
/// match the same attendees. PostgreSQL's trigram indexes serve the `LIKE` itself; on SQLite
/// the trigram table `attendees_search` narrows to candidates (its folding is wider than
/// ASCII) that the `LIKE` then checks, and cannot match text shorter than three characters,
/// which reads every attendee. The text is written in as a quoted literal: the query is one
/// SQL fragment, the same shape on both backends.
fn matching_attendees(conn: &Conn<'_>, f: &ListFilter) -> Option<String> {
    let text = f.attendee_search.as_deref()?.replace('\0', "");
    let pattern = quoted(&containing(&text.to_ascii_lowercase()));
    let (name, email, candidates) = match conn {
        Conn::Pg(_) => (
            r#"lower(a.name COLLATE "C")"#,
            r#"lower(a.email COLLATE "C")"#,
            String::new(),
        ),
        Conn::Sqlite(_) => {
            let phrase = format!("\"{}\"", text.replace('"', "\"\""));
            let candidates = (text.chars().count() >= 3).then(|| {
                format!(
                    "a.id IN (SELECT rowid FROM attendees_search \
                     WHERE attendees_search MATCH {}) AND ",
                    quoted(&phrase)
                )
            });
            (
                "lower(a.name)",
                "lower(a.email)",
                candidates.unwrap_or_default(),
            )
        }
    };
    Some(format!(
        "SELECT a.booking_id FROM attendees a WHERE {candidates}\
         ({name} LIKE {pattern} ESCAPE '\\' OR {email} LIKE {pattern} ESCAPE '\\')"
    ))
}

/// The attendee search as a condition on `bookings`, for the backend of `conn`.
enum Search {
    /// No search.
    Any,
    /// At most [`FEW_MATCHES`] attendees match: their bookings' ids, written in as digits, so
    /// a list reads them by primary key and nothing else (a search that matches nothing
    /// reads nothing).
    Few(Vec<i64>),
    /// More match: the matching attendees' query, which each list query runs.
    Many(String),
}

/// Up to this many matching attendees, a search reads their bookings by id.
const FEW_MATCHES: i64 = 500;

#[derive(QueryableByName)]
struct MatchedBooking {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    booking_id: i64,
}

impl Search {
    /// Asks the attendees once whether few match: the trigram indexes answer at once, and a
    /// search matching many stops reading at the first [`FEW_MATCHES`] + 1.
    async fn of(conn: &mut Conn<'_>, f: &ListFilter) -> StorageResult<Search> {
        let Some(matching) = matching_attendees(conn, f) else {
            return Ok(Search::Any);
        };
        let sql = format!("{matching} LIMIT {}", FEW_MATCHES + 1);
        let rows: Vec<MatchedBooking> =
            with_conn!(conn, |c| diesel::sql_query(&sql).load(c).await)?;
        if rows.len() as i64 > FEW_MATCHES {
            return Ok(Search::Many(matching));
        }
        let mut ids: Vec<i64> = rows.into_iter().map(|r| r.booking_id).collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(Search::Few(ids))
    }

    /// The condition `filtered!` adds to a query on `bookings`.
    fn condition(&self) -> Option<String> {
        match self {
            Search::Any => None,
            Search::Few(ids) if ids.is_empty() => Some("1 = 0".to_owned()),
            Search::Few(ids) => {
                let list: Vec<String> = ids.iter().map(i64::to_string).collect();
                Some(format!("bookings.id IN ({})", list.join(",")))
            }
            Search::Many(matching) => Some(format!("bookings.id IN ({matching})")),
        }
    }
}

/// `text` as an SQL string literal (standard quoting: both backends take backslashes as they are).
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The ways a booking is visible to the caller: they organise it, they host it (a claim of
/// theirs holds its time) while someone else organises it, or it is of a team event type of a
/// team they manage. A keyset page reads each apart and merges them (`keyset_rows`), so each
/// walks its own index (`bookings_user_start`, `booking_claims_user_time`,
/// `bookings_event_type_start` or `bookings_start`) instead of the whole start order, which a
/// user who sees few of many bookings would walk past everyone else's (docs/PERFORMANCE.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Branch<'a> {
    Organiser,
    Host,
    /// The managed teams' event types, by id: both planners then estimate the rows per id.
    Team(&'a [i64]),
}

/// The bookings the caller may see (`$branch` `None`), or those of one [`Branch`]. A macro,
/// not a function: the boxed query's type depends on the backend, which `with_conn!` picks, so
/// the query is written once and expanded for each. All of them in one query: hosting is a
/// correlated `EXISTS` on the claims, bounded by the filter's start range (a claim starts at
/// most [`MAX_CLAIM_SPAN`] before its booking and never after it). The hosting branch alone:
/// the booking ids of the caller's claims in that range.
macro_rules! visible {
    ($f:expr, $branch:expr) => {{
        let f: &ListFilter = $f;
        let branch: Option<Branch<'_>> = $branch;
        let (earliest, latest) = f.start_bounds();
        let (first, last) = f.claim_range();
        let my_claims = booking_claims::table
            .filter(booking_claims::user_id.eq(f.visible_to_user))
            .filter(booking_claims::blocked_start.between(first, last));
        let me = bookings::user_id.eq(f.visible_to_user);
        let mut q = bookings::table.into_boxed();
        q = match branch {
            None => {
                let claims = my_claims
                    .filter(booking_claims::booking_id.eq(bookings::id))
                    .select(booking_claims::booking_id);
                let team_events = event_types::table
                    .filter(event_types::team_id.eq_any(f.visible_teams.clone()))
                    .select(event_types::id.nullable());
                q.filter(
                    me.or(exists(claims))
                        .or(bookings::event_type_id.eq_any(team_events)),
                )
            }
            Some(Branch::Organiser) => q.filter(me),
            Some(Branch::Host) => q
                .filter(bookings::user_id.ne(f.visible_to_user))
                .filter(bookings::id.eq_any(my_claims.select(booking_claims::booking_id))),
            Some(Branch::Team(ids)) => {
                let q = q.filter(bookings::event_type_id.eq_any(ids.to_vec()));
                // Some bound on start, even the ends of time, or SQLite (no statistics) guesses
                // `bookings_event_type_created` as good as `bookings_event_type_start` and
                // sorts every booking of the teams (the cancelled tab, docs/PERFORMANCE.md).
                match (earliest, latest) {
                    (None, None) => q.filter(bookings::start_at.le(ends_of_time().1)),
                    _ => q,
                }
            }
        };
        if let Some(t) = earliest {
            q = q.filter(bookings::start_at.ge(to_db_time(t)));
        }
        if let Some(t) = latest {
            q = q.filter(bookings::start_at.le(to_db_time(t)));
        }
        q
    }};
}

/// `visible!` (all, or one branch) narrowed by every filter `$f` sets; `$search` is
/// [`Search::condition`] for the backend the query is for.
macro_rules! filtered {
    ($f:expr, $branch:expr, $search:expr) => {{
        let f: &ListFilter = $f;
        let mut q = visible!(f, $branch);
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
        if let Some(t) = f.start_before {
            q = q.filter(bookings::start_at.lt(to_db_time(t)));
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
        if !f.host_ids.is_empty() {
            // Not correlated: the hosts' claims in the range are read once (PostgreSQL hashes
            // them), not probed per booking of the caller's own (docs/PERFORMANCE.md).
            let (first, last) = f.claim_range();
            let claimed = booking_claims::table
                .filter(booking_claims::user_id.eq_any(f.host_ids.clone()))
                .filter(booking_claims::blocked_start.between(first, last))
                .select(booking_claims::booking_id);
            q = q.filter(
                bookings::user_id
                    .eq_any(f.host_ids.clone())
                    .or(bookings::id.eq_any(claimed)),
            );
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
        if let Some(condition) = $search {
            q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(condition));
        }
        if f.recurring_only {
            q = q.filter(bookings::recurring_event_id.is_not_null());
        }
        q
    }};
}

/// One page of bookings and the total number matching.
pub async fn list(conn: &mut Conn<'_>, f: &ListFilter) -> StorageResult<(Vec<BookingRecord>, i64)> {
    let search = Search::of(conn, f).await?;
    let condition = search.condition();
    let condition = condition.as_deref();
    let total: i64 = with_conn!(conn, |c| {
        filtered!(f, None, condition).count().get_result(c).await
    })?;
    Ok((searched_rows(conn, f, &search).await?, total))
}

/// One page of bookings, without counting them all: a keyset page (`f.keyset`) is in (start,
/// id) order after its cursor; otherwise `f.sort`, then id, after skipping `f.skip`.
pub async fn rows(conn: &mut Conn<'_>, f: &ListFilter) -> StorageResult<Vec<BookingRecord>> {
    let search = Search::of(conn, f).await?;
    searched_rows(conn, f, &search).await
}

/// [`rows`], with the attendee search already asked.
async fn searched_rows(
    conn: &mut Conn<'_>,
    f: &ListFilter,
    search: &Search,
) -> StorageResult<Vec<BookingRecord>> {
    if let Some(keyset) = f.keyset {
        return keyset_rows(conn, f, keyset, search).await;
    }
    let search = search.condition();
    let search = search.as_deref();
    let rows = with_conn!(conn, |c| {
        let mut q = filtered!(f, None, search).select(BookingRecord::as_select());
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
    Ok(rows)
}

/// `f.take` bookings in (start, id) order after the cursor. The caller's own and their teams'
/// are each read from the cursor in their index. Those they host for others are read in
/// widening windows of start time from the cursor, each only as far as the page reaches: a
/// claim does not carry its booking's start to walk in that order, and most of a user's claims
/// are of bookings they organise, so reading all of them would be the whole history. When an
/// attendee search matches few bookings, those are read in one query by their ids instead: a
/// search that matches little would otherwise walk every window to the end of the range.
async fn keyset_rows(
    conn: &mut Conn<'_>,
    f: &ListFilter,
    keyset: Keyset,
    search: &Search,
) -> StorageResult<Vec<BookingRecord>> {
    if let Search::Few(_) = search {
        return branch_rows(conn, f, keyset, None, search).await;
    }
    let team_events = event_type_store::ids_of_teams(conn, &f.visible_teams).await?;
    let teams = Some(Branch::Team(&team_events));
    if only_teams(f, &team_events) {
        return branch_rows(conn, f, keyset, teams, search).await;
    }
    let mut page = Page::new(f.take, keyset.descending);
    page.add(branch_rows(conn, f, keyset, Some(Branch::Organiser), search).await?);
    if !team_events.is_empty() {
        page.add(branch_rows(conn, f, keyset, teams, search).await?);
    }
    let Some((first, last)) = super::claims::extent(conn, f.visible_to_user).await? else {
        return Ok(page.rows);
    };
    // Where the caller's claims allow bookings to start, narrowed by the filter.
    let (lower, upper) = f.start_bounds();
    let lower = lower.map_or(first, |t| t.max(first));
    let upper = upper.map_or(last + MAX_CLAIM_SPAN, |t| t.min(last + MAX_CLAIM_SPAN));
    let (mut from, mut width) = if keyset.descending {
        (upper, -WINDOW)
    } else {
        (lower, WINDOW)
    };
    if lower > upper {
        return Ok(page.rows);
    }
    loop {
        // No further than the page's end: nothing past it can enter the page.
        let to = from + width;
        let (low, high) = match (keyset.descending, page.end()) {
            (true, end) => (end.map_or(to, |e| to.max(e)), from),
            (false, end) => (from, end.map_or(to, |e| to.min(e))),
        };
        // Windows meet at their ends (a booking there is read twice, and merged once).
        let mut window = f.clone();
        window.start_after = [f.start_after, Some(low)].into_iter().flatten().max();
        window.start_before = [f.start_before, Some(high + TimeDelta::seconds(1))]
            .into_iter()
            .flatten()
            .min();
        page.add(branch_rows(conn, &window, keyset, Some(Branch::Host), search).await?);
        let done = match (keyset.descending, page.end()) {
            (true, end) => low <= end.unwrap_or(lower).max(lower),
            (false, end) => high >= end.unwrap_or(upper).min(upper),
        };
        if done {
            return Ok(page.rows);
        }
        (from, width) = (to, width * 4);
    }
}

/// Whether the filter allows only bookings of the managed teams' event types (`team_events`,
/// of `f.visible_teams`): every one of them is then the teams' branch's, and the other
/// branches could only read them again (the hosted one in every window of its range).
fn only_teams(f: &ListFilter, team_events: &[i64]) -> bool {
    let events =
        !f.event_type_ids.is_empty() && f.event_type_ids.iter().all(|id| team_events.contains(id));
    let teams = !f.team_ids.is_empty() && f.team_ids.iter().all(|t| f.visible_teams.contains(t));
    events || teams
}

/// The first window of start time the hosted bookings are read in; each next is four times
/// as wide.
const WINDOW: TimeDelta = TimeDelta::days(1);

/// A keyset page being merged from several reads: at most `take` rows, in page order.
struct Page {
    rows: Vec<BookingRecord>,
    take: usize,
    descending: bool,
}

impl Page {
    fn new(take: i64, descending: bool) -> Self {
        Self {
            rows: Vec::new(),
            take: usize::try_from(take).unwrap_or(0),
            descending,
        }
    }

    /// Merges `rows` in: a booking read twice (its team's and its organiser's) is kept once.
    fn add(&mut self, rows: Vec<BookingRecord>) {
        self.rows.extend(rows);
        self.rows.sort_by_key(|b| (b.start_at, b.id));
        self.rows.dedup_by_key(|b| b.id);
        if self.descending {
            self.rows.reverse();
        }
        self.rows.truncate(self.take);
    }

    /// The start of the page's last row once the page is full: later rows cannot enter it.
    fn end(&self) -> Option<DateTime<Utc>> {
        (self.rows.len() >= self.take)
            .then(|| self.rows.last().map(|b| b.start_at))
            .flatten()
    }
}

/// One branch's first `f.take` bookings in (start, id) order after the cursor (`None`: of
/// every branch at once).
async fn branch_rows(
    conn: &mut Conn<'_>,
    f: &ListFilter,
    keyset: Keyset,
    branch: Option<Branch<'_>>,
    search: &Search,
) -> StorageResult<Vec<BookingRecord>> {
    let search = search.condition();
    let search = search.as_deref();
    let rows = with_conn!(conn, |c| {
        let mut q = filtered!(f, branch, search).select(BookingRecord::as_select());
        if let Some((at, id)) = keyset.after {
            let at = to_db_time(at);
            q = if keyset.descending {
                q.filter(bookings::start_at.lt(at).or(bookings::id.lt(id)))
            } else {
                q.filter(bookings::start_at.gt(at).or(bookings::id.gt(id)))
            };
        }
        q = if keyset.descending {
            q.order((bookings::start_at.desc(), bookings::id.desc()))
        } else {
            q.order((bookings::start_at.asc(), bookings::id.asc()))
        };
        q.limit(f.take).load(c).await
    })?;
    Ok(rows)
}
