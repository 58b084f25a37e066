//! Webhook subscriptions, the delivery outbox (one row per event and subscription, with the
//! exact body), delivery leases, and the log of every attempt.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{webhook_attempts, webhook_deliveries, webhooks};
use super::{Conn, StorageResult, StoredInstant, to_db_time, with_conn};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
pub struct WebhookRecord {
    pub id: String,
    pub user_id: Option<i64>,
    pub event_type_id: Option<i64>,
    pub team_id: Option<i64>,
    pub subscriber_url: String,
    pub active: bool,
    /// A JSON array of trigger names.
    pub triggers: String,
    pub secret: Option<String>,
    pub payload_template: Option<String>,
    pub version: String,
    pub time: Option<i32>,
    pub time_unit: Option<String>,
    pub consecutive_failures: i32,
    pub disabled_reason: Option<String>,
    #[diesel(deserialize_as = StoredInstant)]
    pub created_at: DateTime<Utc>,
    #[diesel(deserialize_as = StoredInstant)]
    pub updated_at: DateTime<Utc>,
    pub disabled_at: Option<NaiveDateTime>,
}

impl WebhookRecord {
    pub fn triggers(&self) -> Vec<String> {
        serde_json::from_str(&self.triggers).unwrap_or_default()
    }
}

/// The settable part of a subscription (insert and update).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = webhooks, treat_none_as_null = true)]
pub struct WebhookFields {
    pub subscriber_url: String,
    pub active: bool,
    pub triggers: String,
    pub secret: Option<String>,
    pub payload_template: Option<String>,
    pub version: String,
    pub time: Option<i32>,
    pub time_unit: Option<String>,
}

/// Every stored signing secret, by subscription id, as stored (sealed or marked plaintext).
pub async fn secrets(conn: &mut Conn<'_>) -> StorageResult<Vec<(String, String)>> {
    let rows: Vec<(String, Option<String>)> = with_conn!(conn, |c| {
        webhooks::table
            .filter(webhooks::secret.is_not_null())
            .select((webhooks::id, webhooks::secret))
            .order(webhooks::id)
            .load(c)
            .await
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, secret)| secret.map(|s| (id, s)))
        .collect())
}

/// Replaces a subscription's stored secret (sealed again) as long as it is still `was`.
pub async fn replace_secret(
    conn: &mut Conn<'_>,
    id: &str,
    was: &str,
    sealed: &str,
) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::update(webhooks::table.find(id).filter(webhooks::secret.eq(was)))
            .set(webhooks::secret.eq(sealed))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Whose a subscription is: a user's (all their bookings) or one event type's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    User(i64),
    EventType(i64),
}

pub async fn insert(
    conn: &mut Conn<'_>,
    id: &str,
    owner: Owner,
    fields: &WebhookFields,
) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    let (user, event_type) = match owner {
        Owner::User(id) => (Some(id), None),
        Owner::EventType(id) => (None, Some(id)),
    };
    with_conn!(conn, |c| {
        diesel::insert_into(webhooks::table)
            .values((
                webhooks::id.eq(id),
                webhooks::user_id.eq(user),
                webhooks::event_type_id.eq(event_type),
                fields.clone(),
                webhooks::created_at.eq(now),
                webhooks::updated_at.eq(now),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

pub async fn find(conn: &mut Conn<'_>, id: &str) -> StorageResult<Option<WebhookRecord>> {
    let found = with_conn!(conn, |c| {
        webhooks::table
            .find(id)
            .select(WebhookRecord::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(found)
}

pub async fn list(
    conn: &mut Conn<'_>,
    owner: Owner,
    skip: i64,
    take: i64,
) -> StorageResult<Vec<WebhookRecord>> {
    let found = with_conn!(conn, |c| {
        let query = webhooks::table
            .select(WebhookRecord::as_select())
            .order((webhooks::created_at, webhooks::id))
            .offset(skip)
            .limit(take)
            .into_boxed();
        match owner {
            Owner::User(id) => query.filter(webhooks::user_id.eq(id)).load(c).await,
            Owner::EventType(id) => query.filter(webhooks::event_type_id.eq(id)).load(c).await,
        }
    })?;
    Ok(found)
}

/// Saves new settings. Switching a subscription back on clears what switched it off.
pub async fn update(conn: &mut Conn<'_>, id: &str, fields: &WebhookFields) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    with_conn!(conn, |c| {
        diesel::update(webhooks::table.find(id))
            .set((fields.clone(), webhooks::updated_at.eq(now)))
            .execute(c)
            .await
    })?;
    if fields.active {
        with_conn!(conn, |c| {
            diesel::update(
                webhooks::table
                    .find(id)
                    .filter(webhooks::disabled_at.is_not_null()),
            )
            .set((
                webhooks::disabled_at.eq(None::<NaiveDateTime>),
                webhooks::disabled_reason.eq(None::<String>),
                webhooks::consecutive_failures.eq(0),
            ))
            .execute(c)
            .await
        })?;
    }
    Ok(())
}

pub async fn delete(conn: &mut Conn<'_>, id: &str) -> StorageResult<usize> {
    let removed = with_conn!(conn, |c| {
        diesel::delete(webhooks::table.find(id)).execute(c).await
    })?;
    Ok(removed)
}

/// Active subscriptions that receive events of a booking organised by `user` for
/// `event_type`: the organiser's own and the event type's.
pub async fn subscribers(
    conn: &mut Conn<'_>,
    user: i64,
    event_type: Option<i64>,
) -> StorageResult<Vec<WebhookRecord>> {
    let found = with_conn!(conn, |c| {
        webhooks::table
            .filter(webhooks::active.eq(true))
            .filter(
                webhooks::user_id
                    .eq(user)
                    .or(webhooks::event_type_id.nullable().eq(event_type)),
            )
            .select(WebhookRecord::as_select())
            .order(webhooks::id)
            .load(c)
            .await
    })?;
    Ok(found)
}

/// A success resets the count of consecutive failed events.
pub async fn record_success(conn: &mut Conn<'_>, id: &str) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::update(
            webhooks::table
                .find(id)
                .filter(webhooks::consecutive_failures.ne(0)),
        )
        .set(webhooks::consecutive_failures.eq(0))
        .execute(c)
        .await
    })?;
    Ok(())
}

/// Counts one more failed event; returns the count now.
pub async fn record_failure(conn: &mut Conn<'_>, id: &str) -> StorageResult<i32> {
    let count = with_conn!(conn, |c| {
        diesel::update(webhooks::table.find(id))
            .set(webhooks::consecutive_failures.eq(webhooks::consecutive_failures + 1))
            .returning(webhooks::consecutive_failures)
            .get_result(c)
            .await
            .optional()
    })?;
    Ok(count.unwrap_or(0))
}

/// Switches a subscription off, saying why; its pending deliveries are cancelled.
pub async fn disable(conn: &mut Conn<'_>, id: &str, reason: &str) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    with_conn!(conn, |c| {
        diesel::update(webhooks::table.find(id))
            .set((
                webhooks::active.eq(false),
                webhooks::disabled_reason.eq(reason),
                webhooks::disabled_at.eq(now),
                webhooks::updated_at.eq(now),
            ))
            .execute(c)
            .await
    })?;
    with_conn!(conn, |c| {
        diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::webhook_id.eq(id))
                .filter(webhook_deliveries::status.eq(PENDING)),
        )
        .set((
            webhook_deliveries::status.eq(CANCELLED),
            webhook_deliveries::finished_at.eq(now),
            webhook_deliveries::lease_owner.eq(None::<String>),
            webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::last_error.eq(format!("subscription disabled: {reason}")),
        ))
        .execute(c)
        .await
    })?;
    Ok(())
}

// ---- Deliveries ----

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";
pub const CANCELLED: &str = "cancelled";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRecord {
    pub id: String,
    pub webhook_id: String,
    pub trigger_event: String,
    pub booking_id: Option<i64>,
    pub body: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = StoredInstant)]
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<NaiveDateTime>,
    pub content_type: String,
    pub version: String,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
}

pub struct NewDelivery<'a> {
    pub id: &'a str,
    pub webhook_id: &'a str,
    pub trigger: &'a str,
    pub booking_id: Option<i64>,
    pub body: &'a str,
    pub content_type: &'a str,
    pub version: &'a str,
    pub due: DateTime<Utc>,
}

pub async fn insert_delivery(conn: &mut Conn<'_>, new: &NewDelivery<'_>) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    with_conn!(conn, |c| {
        diesel::insert_into(webhook_deliveries::table)
            .values((
                webhook_deliveries::id.eq(new.id),
                webhook_deliveries::webhook_id.eq(new.webhook_id),
                webhook_deliveries::trigger_event.eq(new.trigger),
                webhook_deliveries::booking_id.eq(new.booking_id),
                webhook_deliveries::body.eq(new.body),
                webhook_deliveries::status.eq(PENDING),
                webhook_deliveries::next_attempt_at.eq(to_db_time(new.due)),
                webhook_deliveries::created_at.eq(now),
                webhook_deliveries::content_type.eq(new.content_type),
                webhook_deliveries::version.eq(new.version),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Cancels a booking's pending deliveries of `triggers` (its scheduled meeting events, when
/// the booking is cancelled or moved).
pub async fn cancel_pending(
    conn: &mut Conn<'_>,
    booking_id: i64,
    triggers: &[&str],
) -> StorageResult<usize> {
    let now = to_db_time(Utc::now());
    let n = with_conn!(conn, |c| {
        diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::booking_id.eq(booking_id))
                .filter(webhook_deliveries::status.eq(PENDING))
                .filter(webhook_deliveries::trigger_event.eq_any(triggers)),
        )
        .set((
            webhook_deliveries::status.eq(CANCELLED),
            webhook_deliveries::finished_at.eq(now),
            webhook_deliveries::last_error.eq("the booking was cancelled or moved"),
        ))
        .execute(c)
        .await
    })?;
    Ok(n)
}

/// A leased delivery with what sending it needs.
#[derive(Debug, Clone)]
pub struct Due {
    pub delivery: DeliveryRecord,
    pub url: String,
    pub secret: Option<String>,
}

/// Leases up to `limit` due deliveries to `owner` until `lease_until`, oldest first. A
/// delivery waits while an earlier one of the same subscription is in flight, so a healthy
/// receiver gets events in order. PostgreSQL skips rows other instances are claiming (`SKIP
/// LOCKED`); SQLite runs this in an immediate transaction, one claimer at a time.
pub async fn claim_due(
    conn: &mut Conn<'_>,
    owner: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> StorageResult<Vec<Due>> {
    let now = to_db_time(now);
    let earlier = diesel::alias!(webhook_deliveries as earlier);
    let in_flight_before = earlier
        .filter(
            earlier
                .field(webhook_deliveries::webhook_id)
                .eq(webhook_deliveries::webhook_id),
        )
        .filter(earlier.field(webhook_deliveries::status).eq(PENDING))
        .filter(
            earlier
                .field(webhook_deliveries::id)
                .lt(webhook_deliveries::id),
        )
        .filter(earlier.field(webhook_deliveries::lease_until).gt(now));
    let candidates = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(PENDING))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(
            webhook_deliveries::lease_until
                .is_null()
                .or(webhook_deliveries::lease_until.le(now)),
        )
        .filter(not(exists(in_flight_before)))
        .order(webhook_deliveries::id)
        .limit(limit)
        .select(webhook_deliveries::id);
    let ids: Vec<String> = match conn {
        Conn::Pg(c) => candidates.for_update().skip_locked().load(&mut **c).await?,
        Conn::Sqlite(c) => candidates.load(&mut **c).await?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let lease_until = to_db_time(lease_until);
    with_conn!(conn, |c| {
        diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
            .set((
                webhook_deliveries::lease_owner.eq(owner),
                webhook_deliveries::lease_until.eq(lease_until),
            ))
            .execute(c)
            .await
    })?;
    let rows: Vec<(DeliveryRecord, String, Option<String>)> = with_conn!(conn, |c| {
        webhook_deliveries::table
            .inner_join(webhooks::table)
            .filter(webhook_deliveries::id.eq_any(&ids))
            .order(webhook_deliveries::id)
            .select((
                DeliveryRecord::as_select(),
                webhooks::subscriber_url,
                webhooks::secret,
            ))
            .load(c)
            .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(delivery, url, secret)| Due {
            delivery,
            url,
            secret,
        })
        .collect())
}

/// One attempt, as the log keeps it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_attempts)]
pub struct AttemptRecord {
    pub id: i64,
    pub delivery_id: String,
    #[diesel(deserialize_as = StoredInstant)]
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    pub response_excerpt: Option<String>,
    pub error: Option<String>,
}

/// What an attempt did to its delivery.
pub struct AttemptOutcome<'a> {
    pub delivery_id: &'a str,
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    pub response_excerpt: Option<&'a str>,
    pub error: Option<&'a str>,
    /// `pending` with the next attempt's time, or a final status.
    pub status: &'static str,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// Logs an attempt and moves its delivery on, releasing the lease.
pub async fn record_attempt(conn: &mut Conn<'_>, o: &AttemptOutcome<'_>) -> StorageResult<()> {
    let attempted_at = to_db_time(o.attempted_at);
    with_conn!(conn, |c| {
        diesel::insert_into(webhook_attempts::table)
            .values((
                webhook_attempts::delivery_id.eq(o.delivery_id),
                webhook_attempts::attempted_at.eq(attempted_at),
                webhook_attempts::status_code.eq(o.status_code),
                webhook_attempts::latency_ms.eq(o.latency_ms),
                webhook_attempts::response_excerpt.eq(o.response_excerpt),
                webhook_attempts::error.eq(o.error),
            ))
            .execute(c)
            .await
    })?;
    let finished = (o.status != PENDING).then(|| to_db_time(Utc::now()));
    let next = o.next_attempt_at.map(to_db_time);
    with_conn!(conn, |c| {
        diesel::update(webhook_deliveries::table.find(o.delivery_id))
            .set((
                webhook_deliveries::status.eq(o.status),
                webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
                webhook_deliveries::next_attempt_at.eq(next),
                webhook_deliveries::finished_at.eq(finished),
                webhook_deliveries::lease_owner.eq(None::<String>),
                webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
                webhook_deliveries::last_status_code.eq(o.status_code),
                webhook_deliveries::last_error.eq(o.error),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Filters of the delivery log.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub status: Option<String>,
    pub trigger: Option<String>,
    pub after: Option<DateTime<Utc>>,
    pub before: Option<DateTime<Utc>>,
    pub skip: i64,
    pub take: i64,
}

/// A subscription's deliveries, newest first, and how many match in all.
pub async fn list_deliveries(
    conn: &mut Conn<'_>,
    webhook_id: &str,
    filter: &DeliveryFilter,
) -> StorageResult<(Vec<DeliveryRecord>, i64)> {
    let (rows, total) = with_conn!(conn, |c| {
        let boxed = || {
            let mut q = webhook_deliveries::table
                .filter(webhook_deliveries::webhook_id.eq(webhook_id.to_owned()))
                .into_boxed();
            if let Some(status) = &filter.status {
                q = q.filter(webhook_deliveries::status.eq(status.clone()));
            }
            if let Some(trigger) = &filter.trigger {
                q = q.filter(webhook_deliveries::trigger_event.eq(trigger.clone()));
            }
            if let Some(after) = filter.after {
                q = q.filter(webhook_deliveries::created_at.ge(to_db_time(after)));
            }
            if let Some(before) = filter.before {
                q = q.filter(webhook_deliveries::created_at.lt(to_db_time(before)));
            }
            q
        };
        let rows = boxed()
            .select(DeliveryRecord::as_select())
            .order(webhook_deliveries::id.desc())
            .offset(filter.skip)
            .limit(filter.take)
            .load(c)
            .await?;
        let total: i64 = boxed().count().get_result(c).await?;
        Ok::<_, diesel::result::Error>((rows, total))
    })?;
    Ok((rows, total))
}

pub async fn find_delivery(
    conn: &mut Conn<'_>,
    webhook_id: &str,
    id: &str,
) -> StorageResult<Option<DeliveryRecord>> {
    let found = with_conn!(conn, |c| {
        webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(webhook_id))
            .filter(webhook_deliveries::id.eq(id))
            .select(DeliveryRecord::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(found)
}

/// Up to `limit` deliveries of a booking's changes, newest first, each with its subscription.
pub async fn deliveries_of_booking(
    conn: &mut Conn<'_>,
    booking_id: i64,
    limit: i64,
) -> StorageResult<Vec<(DeliveryRecord, WebhookRecord)>> {
    let found = with_conn!(conn, |c| {
        webhook_deliveries::table
            .inner_join(webhooks::table)
            .filter(webhook_deliveries::booking_id.eq(booking_id))
            .order(webhook_deliveries::id.desc())
            .limit(limit)
            .select((DeliveryRecord::as_select(), WebhookRecord::as_select()))
            .load(c)
            .await
    })?;
    Ok(found)
}

pub async fn attempts(conn: &mut Conn<'_>, delivery_id: &str) -> StorageResult<Vec<AttemptRecord>> {
    let found = with_conn!(conn, |c| {
        webhook_attempts::table
            .filter(webhook_attempts::delivery_id.eq(delivery_id))
            .order(webhook_attempts::id)
            .select(AttemptRecord::as_select())
            .load(c)
            .await
    })?;
    Ok(found)
}

/// Makes a finished delivery due again now, with a fresh retry schedule; the same body and
/// `webhook-id` go out.
pub async fn redeliver(conn: &mut Conn<'_>, id: &str) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    with_conn!(conn, |c| {
        diesel::update(webhook_deliveries::table.find(id))
            .set((
                webhook_deliveries::status.eq(PENDING),
                webhook_deliveries::attempts.eq(0),
                webhook_deliveries::next_attempt_at.eq(now),
                webhook_deliveries::finished_at.eq(None::<NaiveDateTime>),
                webhook_deliveries::lease_owner.eq(None::<String>),
                webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Gives leased deliveries back unsent, due as they were.
pub async fn release(conn: &mut Conn<'_>, ids: &[String]) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(ids)))
            .set((
                webhook_deliveries::lease_owner.eq(None::<String>),
                webhook_deliveries::lease_until.eq(None::<NaiveDateTime>),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}
