//! Booking use cases: slots over stored data, reservations, and the booking lifecycle (book,
//! reschedule, cancel, confirm, decline, mark absent), each write one transaction.
//!
//! No double booking: a booking is accepted only if its start is a slot the engine returns
//! inside the transaction that writes it, after the hosts are locked (PostgreSQL row locks;
//! SQLite's `BEGIN IMMEDIATE`); and the per-host claims it writes are checked by the database
//! itself (an exclusion constraint, or triggers), so even a bug above cannot double-book.

pub mod context;
mod requests;

use chrono::{DateTime, Datelike, Duration, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use crate::availability::assignment::{self, AssignmentInput, PastBooking, RoundRobinHost};
use crate::availability::interval::Interval;
use crate::availability::local_time::{local_date, start_of_day};
use crate::availability::{self, Query, Slot};
use crate::event_types::{self, EventType};
use crate::notify;
use crate::service::ServiceError;
use crate::storage::bookings::{
    self as store, AttendeeRecord, BookingRecord, Claim, HistoryEntry, HistoryRecord, NewAttendee,
    NewBooking, StatusChange,
};
use crate::storage::event_types::SchedulingType;
use crate::storage::users::User;
use crate::storage::{Conn, Db, StorageError, teams, to_db_time, users};
use crate::webhooks::{self, Outbox, payload::Change};

pub use context::{SlotRequest, build_query};
pub use requests::*;

/// Who did something to a booking, for the history.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A user through one of their API keys.
    ApiKey {
        key_id: i64,
        user_id: i64,
    },
    /// The person holding the booking link (the booker), by email when known.
    Booker(Option<String>),
    System,
}

impl Actor {
    fn kind(&self) -> &'static str {
        match self {
            Actor::ApiKey { .. } => "api_key",
            Actor::Booker(_) => "booker",
            Actor::System => "system",
        }
    }

    fn id(&self) -> Option<String> {
        match self {
            Actor::ApiKey { key_id, user_id } => Some(format!("user:{user_id}/key:{key_id}")),
            Actor::Booker(email) => email.clone(),
            Actor::System => None,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        match self {
            Actor::ApiKey { user_id, .. } => Some(*user_id),
            _ => None,
        }
    }
}

/// A booking with what its API view needs.
#[derive(Debug, Clone)]
pub struct BookingView {
    pub record: BookingRecord,
    pub attendees: Vec<AttendeeRecord>,
    pub hosts: Vec<User>,
    pub event_slug: Option<String>,
    pub rescheduled_to: Option<String>,
    /// The seat this request booked, for seated event types.
    pub seat_uid: Option<String>,
}

/// The outcome of `POST /v2/bookings`.
pub struct Booked {
    pub view: BookingView,
    /// An `Idempotency-Key` retry: nothing new was created.
    pub replayed: bool,
}

fn not_found(uid: &str) -> ServiceError {
    ServiceError::NotFound(format!("Booking with uid={uid} not found"))
}

fn taken() -> ServiceError {
    ServiceError::Conflict("The requested time is no longer available; choose another slot".into())
}

/// A 22-character base58 identifier, as Cal.com's booking uids look.
pub fn new_uid() -> String {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut n = uuid::Uuid::new_v4().as_u128();
    let mut out = Vec::with_capacity(22);
    while out.len() < 22 {
        out.push(ALPHABET[(n % 58) as usize]);
        n /= 58;
    }
    String::from_utf8(out).unwrap_or_default()
}

// ---- Slots ----

/// Slots of an event type (the `GET /v2/slots` and booking-page path).
pub async fn slots(
    db: &Db,
    event: &EventType,
    request: &SlotRequest,
) -> Result<(Query, Vec<Slot>), ServiceError> {
    let query = db
        .run(async |c| build_query(c, event, request).await)
        .await?;
    let found = availability::slots(&query);
    Ok((query, found))
}

/// The booker's local day around `start`: the engine looks at whole days (first slot of the
/// day, rolling windows), so the re-check does too.
fn day_range(tz: Tz, start: i64) -> Interval {
    let day = local_date(tz, start);
    let next = day.succ_opt().unwrap_or(day);
    Interval::new(start_of_day(tz, day), start_of_day(tz, next) - 1)
}

/// The slot starting at `start`, or why there is none: 409 when only other bookings or holds
/// are in the way (someone was faster), 400 when the time was never bookable.
fn slot_at(query: &Query, start: i64) -> Result<Slot, ServiceError> {
    if let Some(slot) = availability::slots(query)
        .into_iter()
        .find(|s| s.start == start)
    {
        return Ok(slot);
    }
    let mut free = query.clone();
    free.reservations.clear();
    for host in &mut free.hosts {
        host.bookings.clear();
    }
    if availability::slots(&free).iter().any(|s| s.start == start) {
        return Err(taken());
    }
    let reasons = availability::explain(query, start);
    let why = serde_json::to_value(&reasons)
        .ok()
        .and_then(|v| v.get("reasons").cloned())
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    Err(ServiceError::Invalid(format!(
        "start: {} is not an available slot of this event type{why}; GET /v2/slots lists the bookable times",
        instant(start).to_rfc3339()
    )))
}

fn instant(at: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(at, 0).unwrap_or_default()
}

// ---- Reading ----

async fn view(c: &mut Conn<'_>, record: BookingRecord) -> Result<BookingView, ServiceError> {
    let mut all = views(c, vec![record]).await?;
    all.pop()
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("booking view lost")))
}

/// Bookings with their attendees, hosts, event type slug and successor, in a fixed number of
/// queries however many there are.
async fn views(
    c: &mut Conn<'_>,
    records: Vec<BookingRecord>,
) -> Result<Vec<BookingView>, ServiceError> {
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    let attendees = store::attendees_of(c, &ids).await?;
    let hosts = store::hosts_of(c, &ids).await?;
    let organizers: Vec<i64> = records.iter().map(|r| r.user_id).collect();
    let organizers = users::find_many(c, &organizers).await?;
    let event_ids: Vec<i64> = records.iter().filter_map(|r| r.event_type_id).collect();
    let slugs = crate::storage::event_types::slugs(c, &event_ids).await?;
    let moved: Vec<String> = records
        .iter()
        .filter(|r| r.rescheduled)
        .map(|r| r.uid.clone())
        .collect();
    let successors = store::rescheduled_to(c, &moved).await?;
    Ok(records
        .into_iter()
        .map(|record| {
            let people: Vec<User> = hosts
                .iter()
                .filter(|(id, _)| *id == record.id)
                .map(|(_, u)| u.clone())
                .collect();
            let people = if people.is_empty() {
                organizers
                    .iter()
                    .filter(|u| u.id == record.user_id)
                    .cloned()
                    .collect()
            } else {
                people
            };
            let booked_with = attendees
                .iter()
                .filter(|a| a.booking_id == record.id)
                .cloned()
                .collect();
            let slug = record
                .event_type_id
                .and_then(|id| slugs.iter().find(|s| s.0 == id).map(|s| s.1.clone()));
            let successor = successors
                .iter()
                .rev()
                .find(|(from, _)| *from == record.uid)
                .map(|(_, to)| to.clone());
            assemble(record, booked_with, people, slug, successor)
        })
        .collect())
}

/// One booking's view from its parts; `hosts` are the users holding its claims.
fn assemble(
    record: BookingRecord,
    attendees: Vec<AttendeeRecord>,
    mut hosts: Vec<User>,
    event_slug: Option<String>,
    rescheduled_to: Option<String>,
) -> BookingView {
    hosts.sort_by_key(|u| u.id);
    // The organiser first, as Cal.com lists hosts.
    hosts.sort_by_key(|u| u.id != record.user_id);
    BookingView {
        attendees,
        hosts,
        event_slug,
        rescheduled_to,
        seat_uid: None,
        record,
    }
}

/// Whether `user` may see the booking: they host or organise it, or belong to its team.
async fn can_see(
    c: &mut Conn<'_>,
    user: i64,
    record: &BookingRecord,
) -> Result<bool, ServiceError> {
    Ok(access(c, user, record).await?.is_some())
}

/// `Some(true)` for hosts, organisers and team admins and owners (who may confirm, decline,
/// mark absent), `None` for everyone else.
async fn access(
    c: &mut Conn<'_>,
    user: i64,
    record: &BookingRecord,
) -> Result<Option<bool>, ServiceError> {
    if record.user_id == user {
        return Ok(Some(true));
    }
    let hosts = store::hosts_of(c, &[record.id]).await?;
    if hosts.iter().any(|(_, u)| u.id == user) {
        return Ok(Some(true));
    }
    if let Some(event_id) = record.event_type_id
        && let Some(event) = crate::storage::event_types::find(c, event_id).await?
        && let Some(team) = event.team_id
        && let Some(role) = teams::membership_role(c, team, user).await?
    {
        // Plain members see the team's bookings they host (above), as in Cal.com.
        return Ok(matches!(role.as_str(), "ADMIN" | "OWNER").then_some(true));
    }
    Ok(None)
}

async fn visible(c: &mut Conn<'_>, user: i64, uid: &str) -> Result<BookingRecord, ServiceError> {
    let record = store::find_by_uid(c, uid)
        .await?
        .ok_or_else(|| not_found(uid))?;
    if can_see(c, user, &record).await? {
        Ok(record)
    } else {
        Err(not_found(uid))
    }
}

pub async fn get(db: &Db, user: i64, uid: &str) -> Result<BookingView, ServiceError> {
    db.run(async |c| {
        let record = visible(c, user, uid).await?;
        view(c, record).await
    })
    .await
}

/// A booking by its uid alone: the booking link is the booker's key to it, as in Cal.com.
pub async fn by_link(db: &Db, uid: &str) -> Result<BookingView, ServiceError> {
    db.run(async |c| {
        let record = store::find_by_uid(c, uid)
            .await?
            .ok_or_else(|| not_found(uid))?;
        view(c, record).await
    })
    .await
}

pub async fn history(db: &Db, user: i64, uid: &str) -> Result<Vec<HistoryRecord>, ServiceError> {
    db.run(async |c| {
        let record = visible(c, user, uid).await?;
        Ok(store::history(c, record.id).await?)
    })
    .await
}

/// One page of the bookings `filter` selects, and how many there are in all.
pub async fn list(
    db: &Db,
    mut filter: store::ListFilter,
) -> Result<(Vec<BookingView>, i64), ServiceError> {
    db.run(async |c| {
        filter.visible_teams = teams::managed_team_ids(c, filter.visible_to_user).await?;
        let (records, total) = store::list(c, &filter).await?;
        Ok((views(c, records).await?, total))
    })
    .await
}

// ---- Booking ----

fn title_for(event: &EventType, organizer: &str, attendee: &str, location: Option<&str>) -> String {
    let custom = event.input().custom_name.filter(|n| !n.trim().is_empty());
    match custom {
        Some(template) => template
            .replace("{Event type title}", &event.record.title)
            .replace("{EVENT_NAME}", &event.record.title)
            .replace("{Organiser}", organizer)
            .replace("{ORGANIZER}", organizer)
            .replace("{Scheduler}", attendee)
            .replace("{ATTENDEE}", attendee)
            .replace("{Location}", location.unwrap_or_default())
            .replace("{LOCATION}", location.unwrap_or_default()),
        None => format!("{} between {organizer} and {attendee}", event.record.title),
    }
}

/// The round-robin pick among the free pooled hosts of `slot`, with the reasons.
async fn assign_host(
    c: &mut Conn<'_>,
    event: &EventType,
    slot: &Slot,
    keep: Option<i64>,
) -> Result<(Option<i64>, Option<String>), ServiceError> {
    let hosts = context::hosts_of(event);
    let pool: Vec<RoundRobinHost> = hosts
        .iter()
        .filter(|h| !h.fixed)
        .map(|h| RoundRobinHost {
            id: h.user_id,
            weight: h.weight,
            priority: h.priority,
            joined_at: h.joined_at,
            extra_calibration: 0.0,
        })
        .collect();
    if pool.is_empty() {
        return Ok((None, None));
    }
    if let Some(host) = keep.filter(|k| slot.hosts.contains(k) && pool.iter().any(|p| p.id == *k)) {
        return Ok((
            Some(host),
            Some(
                json!({"reasons": [], "description": "kept the host of the rescheduled booking"})
                    .to_string(),
            ),
        ));
    }
    let team = match event.record.team_id {
        Some(id) => teams::find(c, id).await?,
        None => None,
    };
    let tz: Tz = team
        .as_ref()
        .and_then(|t| t.time_zone.parse().ok())
        .unwrap_or(Tz::UTC);
    let now = Utc::now().with_timezone(&tz);
    let by_day = team.as_ref().is_some_and(|t| t.rr_reset_interval == "DAY");
    let (from, to) = if by_day {
        let day = now.date_naive();
        (day, day.succ_opt().unwrap_or(day))
    } else {
        let first = now.date_naive().with_day(1).unwrap_or(now.date_naive());
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(first);
        (first, next)
    };
    let at = |d: chrono::NaiveDate| instant(start_of_day(tz, d));
    let basis = if team
        .as_ref()
        .is_some_and(|t| t.rr_timestamp_basis == "START_TIME")
    {
        assignment::TimestampBasis::StartTime
    } else {
        assignment::TimestampBasis::CreatedAt
    };
    let past: Vec<PastBooking> = store::assignment_history(c, event.record.id, at(from))
        .await?
        .into_iter()
        .map(|(host, created_at, start, no_show_host)| PastBooking {
            host,
            created_at,
            start,
            no_show_host,
        })
        .collect();
    let picked = assignment::assign(&AssignmentInput {
        hosts: &pool,
        free: &slot.hosts,
        bookings: &past,
        interval: (at(from), at(to)),
        basis,
        weights_enabled: true,
        include_no_show: false,
    });
    Ok(match picked {
        Some(a) => {
            let description = a.reasons.last().map(|r| r.describe()).unwrap_or_default();
            (
                Some(a.host),
                Some(json!({"reasons": a.reasons, "description": description}).to_string()),
            )
        }
        None => (None, None),
    })
}

/// Who a booking at `slot` goes to: the organiser first, then the other hosts.
async fn booked_hosts(
    c: &mut Conn<'_>,
    event: &EventType,
    slot: &Slot,
    keep: Option<i64>,
) -> Result<(Vec<i64>, Option<String>), ServiceError> {
    let hosts = context::hosts_of(event);
    match event.scheduling() {
        None | Some(SchedulingType::Collective) => {
            Ok((hosts.iter().map(|h| h.user_id).collect(), None))
        }
        Some(SchedulingType::RoundRobin) => {
            let fixed: Vec<i64> = hosts
                .iter()
                .filter(|h| h.fixed)
                .map(|h| h.user_id)
                .collect();
            let (chosen, reason) = assign_host(c, event, slot, keep).await?;
            let mut all = Vec::new();
            all.extend(chosen);
            all.extend(fixed.iter().copied().filter(|f| Some(*f) != chosen));
            if all.is_empty() {
                return Err(taken());
            }
            Ok((all, reason))
        }
    }
}

fn claims_for(
    event: &EventType,
    hosts: &[i64],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    active: bool,
) -> Vec<Claim> {
    let before = Duration::minutes(i64::from(event.record.before_buffer));
    let after = Duration::minutes(i64::from(event.record.after_buffer));
    hosts
        .iter()
        .map(|&user_id| Claim {
            user_id,
            blocked_start: start - before,
            blocked_end: end + after,
            active,
        })
        .collect()
}

fn claim_active(event: &EventType, status: &str) -> bool {
    status == "ACCEPTED" || (status == "PENDING" && event.record.unconfirmed_blocks_slot)
}

fn entry(
    action: &str,
    actor: &Actor,
    from: Option<&str>,
    to: Option<&str>,
    changes: Value,
    reason: Option<&str>,
) -> HistoryEntry {
    HistoryEntry {
        action: action.to_owned(),
        actor_kind: actor.kind().to_owned(),
        actor_id: actor.id(),
        from_status: from.map(str::to_owned),
        to_status: to.map(str::to_owned),
        changes: changes.to_string(),
        reason: reason.map(str::to_owned),
    }
}

/// Queues what a booking change tells the outside world, in the caller's transaction: the
/// emails to its attendees and hosts, and the webhook deliveries.
async fn announce(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    booking: &BookingRecord,
    change: Change<'_>,
    seat: Option<&str>,
) -> Result<(), ServiceError> {
    announce_to(c, outbox, booking, change, seat, None).await
}

async fn announce_to(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    booking: &BookingRecord,
    change: Change<'_>,
    seat: Option<&str>,
    known: Option<notify::Known<'_>>,
) -> Result<(), ServiceError> {
    notify::booking_changed(c, outbox, booking, &change, seat, known).await?;
    webhooks::booking_changed(c, outbox, booking, change, seat).await
}

/// [`announce`] for a booking just made (or a seat just taken).
async fn announce_booked(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    view: &BookingView,
) -> Result<(), ServiceError> {
    let change = if view.record.status == "PENDING" {
        Change::Requested
    } else {
        Change::Created
    };
    // The people were just written or read: the emails need not read them again.
    let known = notify::Known {
        attendees: &view.attendees,
        hosts: &view.hosts,
    };
    let seat = view.seat_uid.as_deref();
    announce_to(c, outbox, &view.record, change, seat, Some(known)).await
}

/// Books `request`. With an idempotency key, a retry returns the first booking unchanged.
pub async fn create(
    db: &Db,
    outbox: &Outbox,
    request: BookingRequest,
    actor: Actor,
) -> Result<Booked, ServiceError> {
    let event = resolve_event(db, &request.event).await?;
    let prepared = prepare(&event, &request, &actor)?;
    if let Some(replay) = replay(db, &request).await? {
        return Ok(replay);
    }
    // What bookings do not change is read before the write lock: the locked part of a booking
    // is serial per host (per database on SQLite), so every query kept out of it is throughput.
    let (plan, host_users) = db
        .run(async |c| {
            let plan = context::Plan::load(c, &event).await?;
            let users = context::host_users(c, &event).await?;
            Ok::<_, ServiceError>((plan, users))
        })
        .await?;
    let fixed = Fixed {
        event: &event,
        plan: &plan,
        host_users: &host_users,
    };
    // A seated slot's first two bookers may both try to open it; the loser joins on retry.
    let mut attempts = 0;
    loop {
        attempts += 1;
        let outcome = db
            .transaction(async |c| {
                let view = book_in(c, &fixed, &request, &prepared, &actor).await?;
                announce_booked(c, outbox, &view).await?;
                Ok(view)
            })
            .await;
        match outcome {
            Ok(view) => {
                return Ok(Booked {
                    view,
                    replayed: false,
                });
            }
            Err(e) => {
                // A concurrent retry with the same key may have won: answer with its booking.
                if let Some(replay) = replay(db, &request).await? {
                    return Ok(replay);
                }
                if is_race(&e) && attempts < 2 && event.record.seats_per_slot.is_some() {
                    continue;
                }
                return Err(match e {
                    ServiceError::Storage(StorageError::Overlap) => taken(),
                    other => other,
                });
            }
        }
    }
}

fn is_race(e: &ServiceError) -> bool {
    matches!(
        e,
        ServiceError::Storage(StorageError::Overlap | StorageError::Conflict(_))
    )
}

async fn replay(db: &Db, request: &BookingRequest) -> Result<Option<Booked>, ServiceError> {
    let Some(key) = &request.idempotency else {
        return Ok(None);
    };
    db.run(async |c| {
        let Some((hash, booking_id)) = store::find_idempotency_key(c, &key.key).await? else {
            return Ok(None);
        };
        if hash != key.request_hash {
            return Err(ServiceError::Unprocessable(
                "Idempotency-Key: this key was already used with a different request; use a new key for a new booking".into(),
            ));
        }
        let record = store::find(c, booking_id).await?;
        Ok(Some(Booked {
            view: view(c, record).await?,
            replayed: true,
        }))
    })
    .await
}

/// What a booking reads before its transaction.
struct Fixed<'a> {
    event: &'a EventType,
    plan: &'a context::Plan,
    host_users: &'a [User],
}

async fn book_in(
    c: &mut Conn<'_>,
    fixed: &Fixed<'_>,
    request: &BookingRequest,
    prepared: &Prepared,
    actor: &Actor,
) -> Result<BookingView, ServiceError> {
    let event = fixed.event;
    let host_ids: Vec<i64> = context::hosts_of(event).iter().map(|h| h.user_id).collect();
    if host_ids.is_empty() {
        return Err(ServiceError::Invalid(
            "eventTypeId: this event type has no hosts yet".into(),
        ));
    }
    store::lock_hosts(c, &host_ids).await?;
    let now = Utc::now();
    let start = request.start.timestamp();
    let slot_request = SlotRequest {
        range: day_range(request.attendee.time_zone.tz(), start),
        booker_tz: request.attendee.time_zone.tz(),
        length: Some(prepared.length),
        booker_uid: request.reservation_uid.clone(),
        rescheduling_uid: None,
        now,
    };
    let query = context::query_with(c, event, fixed.plan, &slot_request).await?;
    let slot = slot_at(&query, start)?;
    let start_at = request.start;
    let end_at = start_at + Duration::minutes(i64::from(prepared.length));
    let seat_uid = event.record.seats_per_slot.map(|_| new_uid());

    // Joining an existing seated booking: one more attendee, no new claim.
    if let (Some(uid), Some(seat)) = (&slot.booking_uid, &seat_uid) {
        let existing = store::find_by_uid(c, uid).await?.ok_or_else(taken)?;
        store::lock_booking(c, existing.id).await?;
        let attendees = store::attendees_of(c, &[existing.id]).await?;
        let seats = event.record.seats_per_slot.unwrap_or(1) as usize;
        if attendees.len() >= seats {
            return Err(taken());
        }
        if attendees
            .iter()
            .any(|a| a.email == request.attendee.email.as_str())
        {
            return Err(ServiceError::Conflict(format!(
                "attendee.email: {} already has a seat in this booking",
                request.attendee.email.as_str()
            )));
        }
        store::insert_attendees(c, existing.id, &[prepared.booker(Some(seat.clone()))]).await?;
        store::append_history(
            c,
            existing.id,
            &entry(
                "seat_booked",
                actor,
                Some(&existing.status),
                Some(&existing.status),
                json!({"seatUid": seat, "attendee": request.attendee.email.as_str()}),
                None,
            ),
        )
        .await?;
        finish_request(c, request, existing.id).await?;
        let mut out = view(c, existing).await?;
        out.seat_uid = Some(seat.clone());
        return Ok(out);
    }

    let (hosts, assignment_reason) = booked_hosts(c, event, &slot, None).await?;
    let host_users: Vec<User> = fixed
        .host_users
        .iter()
        .filter(|u| hosts.contains(&u.id))
        .cloned()
        .collect();
    let organizer = host_users
        .iter()
        .find(|u| u.id == hosts[0])
        .cloned()
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("host {} has no user", hosts[0])))?;
    let minutes_ahead = (start_at - now).num_minutes();
    let status = if event.needs_confirmation(minutes_ahead)
        && actor.user_id().is_none_or(|u| !hosts.contains(&u))
    {
        "PENDING"
    } else {
        "ACCEPTED"
    };
    let uid = new_uid();
    let new = NewBooking {
        uid: uid.clone(),
        event_type_id: Some(event.record.id),
        user_id: organizer.id,
        status: status.to_owned(),
        start_at: to_db_time(start_at),
        end_at: to_db_time(end_at),
        title: title_for(
            event,
            &organizer.name,
            request.attendee.name.as_str(),
            prepared.location.as_deref(),
        ),
        description: prepared.notes.clone(),
        location: prepared.location.clone(),
        responses: prepared.responses.to_string(),
        metadata: Value::Object(request.metadata.clone()).to_string(),
        ical_uid: format!("{}@kairos", uuid::Uuid::new_v4()),
        ical_sequence: 0,
        from_reschedule: None,
        rescheduled_by: None,
        reschedule_reason: None,
        assignment_reason: assignment_reason.clone(),
        created_at: to_db_time(now),
    };
    let record = store::insert(c, &new).await?;
    let id = record.id;
    let mut people = vec![prepared.booker(seat_uid.clone())];
    people.extend(prepared.guests());
    let attendees = store::insert_attendees(c, id, &people).await?;
    store::insert_claims(
        c,
        id,
        &claims_for(event, &hosts, start_at, end_at, claim_active(event, status)),
    )
    .await?;
    store::append_history(
        c,
        id,
        &entry(
            "created",
            actor,
            None,
            Some(status),
            json!({"start": start_at, "end": end_at, "hosts": hosts, "assignment": assignment_reason.and_then(|r| serde_json::from_str::<Value>(&r).ok())}),
            None,
        ),
    )
    .await?;
    finish_request(c, request, id).await?;
    // Everything the view shows was just written or read: no need to read it back.
    let mut out = assemble(
        record,
        attendees,
        host_users,
        Some(event.record.slug.clone()),
        None,
    );
    out.seat_uid = seat_uid;
    Ok(out)
}

/// Records the idempotency key and releases the booker's reservation.
async fn finish_request(
    c: &mut Conn<'_>,
    request: &BookingRequest,
    booking_id: i64,
) -> Result<(), ServiceError> {
    if let Some(key) = &request.idempotency {
        store::insert_idempotency_key(c, &key.key, &key.request_hash, booking_id).await?;
    }
    if let Some(uid) = &request.reservation_uid {
        store::delete_reservation(c, uid).await?;
    }
    Ok(())
}

/// The event type a request names, whoever owns it (public booking paths).
pub async fn resolve_event(db: &Db, target: &EventRef) -> Result<EventType, ServiceError> {
    let found = match target {
        EventRef::Id(id) => return db.run(async |c| event_types::find_any(c, *id).await).await,
        EventRef::User { username, slug } => {
            event_types::list_public(db, username, Some(slug), true).await?
        }
        EventRef::Team { team, slug } => {
            event_types::list_public_team(db, team, Some(slug)).await?
        }
    };
    found.into_iter().next().ok_or_else(|| {
        ServiceError::NotFound(match target {
            EventRef::User { username, slug } => {
                format!("Event type `{slug}` of user `{username}` not found")
            }
            EventRef::Team { team, slug } => {
                format!("Event type `{slug}` of team `{team}` not found")
            }
            EventRef::Id(id) => format!("Event type with id={id} not found"),
        })
    })
}

// ---- Changes to a booking ----

/// The booking, if the actor may act on it: anyone holding the uid when acting as the booker;
/// only a host, organiser or team member when acting with an API key.
async fn actionable(
    c: &mut Conn<'_>,
    actor: &Actor,
    uid: &str,
) -> Result<BookingRecord, ServiceError> {
    match actor.user_id() {
        Some(user) => visible(c, user, uid).await,
        None => store::find_by_uid(c, uid)
            .await?
            .ok_or_else(|| not_found(uid)),
    }
}

async fn owner_only(
    c: &mut Conn<'_>,
    actor: &Actor,
    uid: &str,
) -> Result<BookingRecord, ServiceError> {
    let user = actor
        .user_id()
        .ok_or_else(|| ServiceError::Unauthorized("This action needs the host's API key".into()))?;
    let record = store::find_by_uid(c, uid)
        .await?
        .ok_or_else(|| not_found(uid))?;
    match access(c, user, &record).await? {
        Some(true) => Ok(record),
        Some(false) => Err(ServiceError::Forbidden(
            "Only the booking's hosts and team admins can do this".into(),
        )),
        None => Err(not_found(uid)),
    }
}

/// Locks the booking row (PostgreSQL) and reads it again: a concurrent change that committed
/// since the first read is seen before anything is decided.
async fn relock(c: &mut Conn<'_>, record: BookingRecord) -> Result<BookingRecord, ServiceError> {
    store::lock_booking(c, record.id).await?;
    Ok(store::find(c, record.id).await?)
}

fn refuse_if_closed(record: &BookingRecord, action: &str) -> Result<(), ServiceError> {
    match record.status.as_str() {
        "ACCEPTED" | "PENDING" => Ok(()),
        "CANCELLED" if record.rescheduled => Err(ServiceError::Invalid(format!(
            "Booking {} was rescheduled and can no longer {action}; act on the new booking instead",
            record.uid
        ))),
        other => Err(ServiceError::Invalid(format!(
            "Booking {} is {} and can no longer {action}",
            record.uid,
            other.to_lowercase()
        ))),
    }
}

async fn event_of(c: &mut Conn<'_>, record: &BookingRecord) -> Result<EventType, ServiceError> {
    let id = record.event_type_id.ok_or_else(|| {
        ServiceError::Invalid(format!(
            "Booking {}'s event type was deleted; it can only be cancelled",
            record.uid
        ))
    })?;
    event_types::find_any(c, id).await
}

fn host_switch_refused(
    event: &EventType,
    actor: &Actor,
    key: &str,
    what: &str,
) -> Result<(), ServiceError> {
    if actor.user_id().is_none() && event.setting_bool(key) {
        return Err(ServiceError::Forbidden(format!(
            "The host has turned off {what} for this event type"
        )));
    }
    Ok(())
}

/// Cancels a booking (or one seat of it) and frees its time at once.
pub async fn cancel(
    db: &Db,
    outbox: &Outbox,
    uid: &str,
    change: CancelRequest,
    actor: Actor,
) -> Result<BookingView, ServiceError> {
    db.transaction(async |c| {
        let record = actionable(c, &actor, uid).await?;
        let record = relock(c, record).await?;
        refuse_if_closed(&record, "be cancelled")?;
        if let Ok(event) = event_of(c, &record).await {
            host_switch_refused(&event, &actor, "disableCancelling", "cancelling")?;
        }
        let attendees = store::attendees_of(c, &[record.id]).await?;
        let seats_taken = attendees.iter().filter(|a| a.seat_uid.is_some()).count();
        if change.seat_uid.is_none() && actor.user_id().is_none() && seats_taken > 1 {
            return Err(ServiceError::Invalid(
                "seatUid: this booking has several seats; cancel yours by passing its seatUid"
                    .into(),
            ));
        }
        if let Some(seat) = &change.seat_uid {
            let Some(seated) = attendees
                .iter()
                .find(|a| a.seat_uid.as_deref() == Some(seat))
            else {
                return Err(ServiceError::NotFound(format!(
                    "Seat {seat} not found in booking {uid}"
                )));
            };
            if seats_taken > 1 {
                let mut seat_record = record.clone();
                seat_record.status = "CANCELLED".into();
                seat_record.cancellation_reason = change.reason.clone();
                seat_record.cancelled_by =
                    change.cancelled_by.clone().or(Some(seated.email.clone()));
                announce(
                    c,
                    outbox,
                    &seat_record,
                    Change::Cancelled {
                        request_reschedule: false,
                    },
                    Some(seat),
                )
                .await?;
                store::remove_attendee(c, seated.id).await?;
                store::append_history(
                    c,
                    record.id,
                    &entry(
                        "seat_cancelled",
                        &actor,
                        Some(&record.status),
                        Some(&record.status),
                        json!({"seatUid": seat, "attendee": seated.email}),
                        change.reason.as_deref(),
                    ),
                )
                .await?;
                return view(c, record).await;
            }
        }
        // The booker cancelling by link is who Cal.com names.
        let booker = attendees.first().map(|a| a.email.clone());
        let cancelled_by = change.cancelled_by.clone().or(booker);
        store::set_claims_active(c, record.id, false).await?;
        store::set_status(
            c,
            record.id,
            &StatusChange {
                status: "CANCELLED",
                cancellation_reason: change.reason.as_deref(),
                cancelled_by: cancelled_by.as_deref(),
                rejection_reason: None,
                rescheduled: false,
            },
        )
        .await?;
        store::append_history(
            c,
            record.id,
            &entry(
                "cancelled",
                &actor,
                Some(&record.status),
                Some("CANCELLED"),
                json!({"cancelledBy": cancelled_by}),
                change.reason.as_deref(),
            ),
        )
        .await?;
        let record = store::find(c, record.id).await?;
        let cancelled = Change::Cancelled {
            request_reschedule: false,
        };
        announce(c, outbox, &record, cancelled, None).await?;
        view(c, record).await
    })
    .await
}

/// Moves a booking: a new booking at the new time, the old one cancelled and marked
/// rescheduled, in one transaction.
pub async fn reschedule(
    db: &Db,
    outbox: &Outbox,
    uid: &str,
    change: RescheduleRequest,
    actor: Actor,
) -> Result<BookingView, ServiceError> {
    db.transaction(async |c| {
        let old = actionable(c, &actor, uid).await?;
        refuse_if_closed(&old, "be rescheduled")?;
        let event = event_of(c, &old).await?;
        host_switch_refused(&event, &actor, "disableRescheduling", "rescheduling")?;
        let old_hosts: Vec<i64> = store::hosts_of(c, &[old.id]).await?.into_iter().map(|(_, u)| u.id).collect();
        let lock: Vec<i64> = context::hosts_of(&event)
            .iter()
            .map(|h| h.user_id)
            .chain(old_hosts.iter().copied())
            .collect();
        store::lock_hosts(c, &lock).await?;
        let old = relock(c, old).await?;
        refuse_if_closed(&old, "be rescheduled")?;
        let attendees = store::attendees_of(c, &[old.id]).await?;
        if actor.user_id().is_none() && attendees.iter().filter(|a| a.seat_uid.is_some()).count() > 1 {
            return Err(ServiceError::Invalid(
                "start: this booking has several seats and cannot be moved by one booker; cancel your seat (seatUid) and book the new time".into(),
            ));
        }
        let booker_tz: Tz = attendees
            .first()
            .and_then(|a| a.time_zone.parse().ok())
            .unwrap_or(Tz::UTC);
        let length = (old.end_at - old.start_at).num_minutes().max(1) as u32;
        // The booking keeps its length while the event type still offers it.
        let length = event
            .length(Some(length))
            .unwrap_or(event.record.length_minutes as u32);
        let now = Utc::now();
        let start = change.start.timestamp();
        let query = build_query(
            c,
            &event,
            &SlotRequest {
                range: day_range(booker_tz, start),
                booker_tz,
                length: Some(length),
                booker_uid: None,
                rescheduling_uid: Some(old.uid.clone()),
                now,
            },
        )
        .await?;
        let slot = slot_at(&query, start)?;
        let keep = Some(old.user_id);
        let (hosts, reason) = match event.scheduling() {
            Some(SchedulingType::RoundRobin) if !change.same_host_only => {
                booked_hosts(c, &event, &slot, keep).await?
            }
            Some(SchedulingType::RoundRobin) => {
                if !old_hosts.iter().all(|h| slot.hosts.contains(h)) {
                    return Err(taken());
                }
                let mut same = old_hosts.clone();
                same.sort_by_key(|h| *h != old.user_id);
                (same, old.assignment_reason.clone())
            }
            _ => booked_hosts(c, &event, &slot, None).await?,
        };
        // Release the old time first: the new one may overlap it.
        store::set_claims_active(c, old.id, false).await?;
        store::set_status(
            c,
            old.id,
            &StatusChange {
                status: "CANCELLED",
                cancellation_reason: change.reason.as_deref(),
                cancelled_by: None,
                rejection_reason: None,
                rescheduled: true,
            },
        )
        .await?;
        let start_at = change.start;
        let end_at = start_at + Duration::minutes(i64::from(length));
        let by_host = actor.user_id().is_some_and(|u| hosts.contains(&u));
        let status = if event.needs_confirmation((start_at - now).num_minutes()) && !by_host {
            "PENDING"
        } else {
            "ACCEPTED"
        };
        let organizer = users::find(c, hosts[0]).await?;
        let new_uid = new_uid();
        let title = if organizer.id == old.user_id {
            old.title.clone()
        } else {
            let booker = attendees.first().map(|a| a.name.as_str()).unwrap_or_default();
            title_for(&event, &organizer.name, booker, old.location.as_deref())
        };
        let record = store::insert(
            c,
            &NewBooking {
                uid: new_uid.clone(),
                event_type_id: Some(event.record.id),
                user_id: organizer.id,
                status: status.to_owned(),
                start_at: to_db_time(start_at),
                end_at: to_db_time(end_at),
                title,
                description: old.description.clone(),
                location: old.location.clone(),
                responses: old.responses.clone(),
                metadata: old.metadata.clone(),
                ical_uid: old.ical_uid.clone(),
                ical_sequence: old.ical_sequence + 1,
                from_reschedule: Some(old.uid.clone()),
                rescheduled_by: change.rescheduled_by.clone(),
                reschedule_reason: change.reason.clone(),
                assignment_reason: reason,
                created_at: to_db_time(now),
            },
        )
        .await?;
        let id = record.id;
        let copies: Vec<NewAttendee> = attendees
            .iter()
            .map(|a| NewAttendee {
                email: a.email.clone(),
                name: a.name.clone(),
                time_zone: a.time_zone.clone(),
                locale: a.locale.clone(),
                phone_number: a.phone_number.clone(),
                seat_uid: a.seat_uid.as_ref().map(|_| crate::booking::new_uid()),
            })
            .collect();
        store::insert_attendees(c, id, &copies).await?;
        store::insert_claims(c, id, &claims_for(&event, &hosts, start_at, end_at, claim_active(&event, status)))
            .await?;
        let moved = json!({"from": {"start": old.start_at, "end": old.end_at}, "to": {"start": start_at, "end": end_at}});
        store::append_history(
            c,
            old.id,
            &entry("rescheduled", &actor, Some(&old.status), Some("CANCELLED"),
                json!({"rescheduledToUid": new_uid, "time": moved, "rescheduledBy": change.rescheduled_by}),
                change.reason.as_deref()),
        )
        .await?;
        store::append_history(
            c,
            id,
            &entry("created", &actor, None, Some(status),
                json!({"rescheduledFromUid": old.uid, "time": moved, "hosts": hosts}),
                change.reason.as_deref()),
        )
        .await?;
        announce(c, outbox, &record, Change::Rescheduled { from: &old }, None).await?;
        view(c, record).await
    })
    .await
    .map_err(|e| match e {
        ServiceError::Storage(StorageError::Overlap) => taken(),
        other => other,
    })
}

/// Accepts a pending booking; its time must still be free (409 otherwise).
pub async fn confirm(
    db: &Db,
    outbox: &Outbox,
    uid: &str,
    actor: Actor,
) -> Result<BookingView, ServiceError> {
    db.transaction(async |c| {
        let record = owner_only(c, &actor, uid).await?;
        let record = relock(c, record).await?;
        if record.status != "PENDING" {
            return Err(ServiceError::Invalid(format!(
                "Booking {uid} is {} and only pending bookings can be confirmed",
                record.status.to_lowercase()
            )));
        }
        store::set_claims_active(c, record.id, true).await?;
        store::set_status(
            c,
            record.id,
            &StatusChange {
                status: "ACCEPTED",
                cancellation_reason: None,
                cancelled_by: None,
                rejection_reason: None,
                rescheduled: false,
            },
        )
        .await?;
        store::append_history(
            c,
            record.id,
            &entry("confirmed", &actor, Some("PENDING"), Some("ACCEPTED"), json!({}), None),
        )
        .await?;
        let record = store::find(c, record.id).await?;
        announce(c, outbox, &record, Change::Created, None).await?;
        view(c, record).await
    })
    .await
    .map_err(|e| match e {
        ServiceError::Storage(StorageError::Overlap) => ServiceError::Conflict(
            "The booking's time was taken by another booking while it waited for confirmation; decline it or ask the booker to reschedule".into(),
        ),
        other => other,
    })
}

pub async fn decline(
    db: &Db,
    outbox: &Outbox,
    uid: &str,
    reason: Option<String>,
    actor: Actor,
) -> Result<BookingView, ServiceError> {
    db.transaction(async |c| {
        let record = owner_only(c, &actor, uid).await?;
        let record = relock(c, record).await?;
        if record.status != "PENDING" {
            return Err(ServiceError::Invalid(format!(
                "Booking {uid} is {} and only pending bookings can be declined",
                record.status.to_lowercase()
            )));
        }
        store::set_claims_active(c, record.id, false).await?;
        store::set_status(
            c,
            record.id,
            &StatusChange {
                status: "REJECTED",
                cancellation_reason: None,
                cancelled_by: None,
                rejection_reason: reason.as_deref(),
                rescheduled: false,
            },
        )
        .await?;
        store::append_history(
            c,
            record.id,
            &entry(
                "declined",
                &actor,
                Some("PENDING"),
                Some("REJECTED"),
                json!({}),
                reason.as_deref(),
            ),
        )
        .await?;
        let record = store::find(c, record.id).await?;
        announce(c, outbox, &record, Change::Rejected, None).await?;
        view(c, record).await
    })
    .await
}

pub async fn mark_absent(
    db: &Db,
    uid: &str,
    change: AbsenceRequest,
    actor: Actor,
) -> Result<BookingView, ServiceError> {
    db.transaction(async |c| {
        let record = owner_only(c, &actor, uid).await?;
        let record = relock(c, record).await?;
        if record.status != "ACCEPTED" {
            return Err(ServiceError::Invalid(format!(
                "Booking {uid} is {}; only accepted bookings have absences",
                record.status.to_lowercase()
            )));
        }
        let attendees = store::attendees_of(c, &[record.id]).await?;
        for (i, (email, _)) in change.attendees.iter().enumerate() {
            if !attendees.iter().any(|a| &a.email == email) {
                return Err(ServiceError::Invalid(format!(
                    "attendees[{i}].email: {email} is not an attendee of booking {uid}"
                )));
            }
        }
        store::set_no_show(c, record.id, change.host, &change.attendees).await?;
        store::append_history(
            c,
            record.id,
            &entry("absence_marked", &actor, Some(&record.status), Some(&record.status),
                json!({"host": change.host, "attendees": change.attendees.iter().map(|(e, a)| json!({"email": e, "absent": a})).collect::<Vec<_>>()}),
                None),
        )
        .await?;
        let record = store::find(c, record.id).await?;
        webhooks::no_show_changed(c, &record, &change.attendees, change.host).await?;
        view(c, record).await
    })
    .await
}

/// Reservations: a booker's short hold on a slot while they fill in the form.
pub mod reservations {
    use super::*;
    use crate::storage::bookings::ReservationRecord;

    pub const DEFAULT_MINUTES: u32 = 5;
    pub const MAX_MINUTES: u32 = 60;

    fn not_found(uid: &str) -> ServiceError {
        ServiceError::NotFound(format!("Reservation with uid={uid} not found"))
    }

    pub struct Hold {
        pub event_type_id: i64,
        pub start: DateTime<Utc>,
        pub length: Option<u32>,
        pub minutes: u32,
        pub booker_tz: Tz,
    }

    /// Holds a free slot; the slot must be one the engine offers (other holds excluded).
    pub async fn create(db: &Db, hold: Hold) -> Result<ReservationRecord, ServiceError> {
        let event = resolve_event(db, &EventRef::Id(hold.event_type_id)).await?;
        let uid = uuid::Uuid::new_v4().to_string();
        db.transaction(async |c| {
            let record = place(c, &event, &hold, uid.clone(), None).await?;
            store::insert_reservation(c, &record).await?;
            Ok(record)
        })
        .await
    }

    async fn place(
        c: &mut Conn<'_>,
        event: &EventType,
        hold: &Hold,
        uid: String,
        own: Option<String>,
    ) -> Result<ReservationRecord, ServiceError> {
        let hosts: Vec<i64> = context::hosts_of(event).iter().map(|h| h.user_id).collect();
        store::lock_hosts(c, &hosts).await?;
        let now = Utc::now();
        let start = hold.start.timestamp();
        let length = event
            .length(hold.length)
            .map_err(|m| ServiceError::Invalid(format!("slotDuration: {m}")))?;
        let query = build_query(
            c,
            event,
            &SlotRequest {
                range: day_range(hold.booker_tz, start),
                booker_tz: hold.booker_tz,
                length: Some(length),
                booker_uid: own,
                rescheduling_uid: None,
                now,
            },
        )
        .await?;
        let slot = slot_at(&query, start)?;
        let record = ReservationRecord {
            uid,
            event_type_id: event.record.id,
            user_id: match event.scheduling() {
                None => hosts.first().copied(),
                Some(_) if slot.hosts.len() == 1 => slot.hosts.first().copied(),
                Some(_) => None,
            },
            slot_start: hold.start,
            slot_end: hold.start + Duration::minutes(i64::from(length)),
            expires_at: now + Duration::minutes(i64::from(hold.minutes)),
            is_seat: event.record.seats_per_slot.is_some(),
            created_at: now,
        };
        Ok(record)
    }

    pub async fn get(db: &Db, uid: &str) -> Result<ReservationRecord, ServiceError> {
        db.run(async |c| {
            store::find_reservation(c, uid)
                .await?
                .filter(|r| r.expires_at > Utc::now())
                .ok_or_else(|| not_found(uid))
        })
        .await
    }

    /// Moves or extends a hold.
    pub async fn update(db: &Db, uid: &str, hold: Hold) -> Result<ReservationRecord, ServiceError> {
        let event = resolve_event(db, &EventRef::Id(hold.event_type_id)).await?;
        db.transaction(async |c| {
            let current = store::find_reservation(c, uid)
                .await?
                .filter(|r| r.expires_at > Utc::now())
                .ok_or_else(|| not_found(uid))?;
            if current.event_type_id != hold.event_type_id {
                return Err(ServiceError::Invalid(format!(
                    "eventTypeId: this reservation holds a slot of event type {}; make a new reservation for another",
                    current.event_type_id
                )));
            }
            let record = place(c, &event, &hold, uid.to_owned(), Some(uid.to_owned())).await?;
            store::update_reservation(c, &record).await?;
            Ok(record)
        })
        .await
    }

    pub async fn delete(db: &Db, uid: &str) -> Result<(), ServiceError> {
        let removed = db
            .transaction(async |c| store::delete_reservation(c, uid).await)
            .await?;
        if removed == 0 {
            return Err(not_found(uid));
        }
        Ok(())
    }
}
