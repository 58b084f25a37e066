//! Subscription use cases: a user's or an event type's webhooks, their delivery log, ping and
//! redelivery. The rules live here, so the API and the web console apply the same ones: who may
//! see and change a subscription, what a partial update changes, the subscriber URL's address
//! check (SSRF), triggers, secret, template, version and no-show timing. No HTTP here: callers
//! parse their request into these types and shape the answer.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{TRIGGERS, VERSIONS, delivery_id, payload, render, ssrf};
use crate::crypto::Vault;
use crate::event_types;
use crate::service::ServiceError;
use crate::storage::webhooks::{
    self as store, AttemptRecord, DeliveryFilter, DeliveryRecord, NewDelivery, Owner,
    WebhookFields, WebhookRecord,
};
use crate::storage::{Conn, Db};

const MAX_SECRET: usize = 256;
const MAX_TEMPLATE: usize = 64 * 1024;
const MAX_PAGE: i64 = 250;
const DELIVERY_STATUSES: [&str; 4] = ["pending", "delivered", "failed", "cancelled"];

/// A subscription's settings as sent. For a create, absent fields take their defaults; for an
/// update, absent fields keep their values and `Some(None)` clears a nullable one.
#[derive(Debug, Default)]
pub struct SubscriptionInput {
    pub subscriber_url: Option<String>,
    pub triggers: Option<Vec<String>>,
    pub active: Option<bool>,
    pub secret: Option<Option<String>>,
    pub payload_template: Option<Option<String>>,
    pub version: Option<String>,
    pub time: Option<Option<i32>>,
    pub time_unit: Option<Option<String>>,
}

/// A page of a list: `take` rows after skipping `skip`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub skip: i64,
    pub take: i64,
}

impl Page {
    /// `take` rows (250 unless given, at most 250) after `skip` (0 unless given).
    pub fn new(take: Option<i64>, skip: Option<i64>) -> Result<Self, ServiceError> {
        Self::with_default(take, skip, MAX_PAGE)
    }

    fn with_default(
        take: Option<i64>,
        skip: Option<i64>,
        default_take: i64,
    ) -> Result<Self, ServiceError> {
        let take = take.unwrap_or(default_take);
        if !(1..=MAX_PAGE).contains(&take) {
            return Err(invalid(format!("take: must be between 1 and {MAX_PAGE}")));
        }
        let skip = skip.unwrap_or(0);
        if skip < 0 {
            return Err(invalid("skip: must not be negative"));
        }
        Ok(Self { skip, take })
    }
}

/// Which deliveries of the log to list, as asked; checked by [`deliveries`].
#[derive(Debug, Default)]
pub struct DeliveryQuery {
    pub status: Option<String>,
    pub trigger_event: Option<String>,
    /// ISO 8601 instants.
    pub after_created_at: Option<String>,
    pub before_created_at: Option<String>,
    pub take: Option<i64>,
    pub skip: Option<i64>,
}

/// One page of the delivery log and how many deliveries match in all.
#[derive(Debug)]
pub struct Deliveries {
    pub rows: Vec<DeliveryRecord>,
    pub total: i64,
    pub page: Page,
}

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(message.into())
}

/// Where webhooks may go, and the setting that widens it.
pub(crate) const PUBLIC_ONLY: &str = "webhooks may only be sent to public addresses \
     (set KAIROS_WEBHOOK_ALLOW_PRIVATE=true for a trusted network)";

/// A subscriber URL the SSRF guard refused, as its owner is told (and the delivery log says).
pub(crate) fn refused(refusal: &ssrf::Refusal) -> String {
    use ssrf::Refusal as R;
    const EXAMPLE: &str = "expected something like https://example.com/webhooks";
    match refusal {
        R::TooLong { length } => format!(
            "subscriberUrl is {length} characters long; the maximum is {}",
            ssrf::MAX_URL_LEN
        ),
        R::NotAbsolute(error) => {
            format!("subscriberUrl is not a valid absolute URL ({error}); {EXAMPLE}")
        }
        R::Scheme(scheme) => format!("subscriberUrl must use http or https, not `{scheme}`"),
        R::Credentials => "subscriberUrl must not contain a user name or password \
             (`user:password@`); put a token in the path or query string instead, and verify \
             deliveries with the webhook secret"
            .to_owned(),
        R::NoHost => format!("subscriberUrl has no host; {EXAMPLE}"),
        R::Unresolved { .. } => format!("subscriberUrl: {refusal}"),
        R::Private { .. } => format!("subscriberUrl: {refusal}; {PUBLIC_ONLY}"),
    }
}

fn not_found(id: &str) -> ServiceError {
    ServiceError::NotFound(format!("Webhook with id={id} not found"))
}

fn delivery_not_found(delivery: &str) -> ServiceError {
    ServiceError::NotFound(format!("Delivery with id={delivery} not found"))
}

/// The input, or for what it leaves out the current value (`Some(None)` in the input clears).
fn pick<T: Clone>(
    given: Option<T>,
    current: Option<&WebhookRecord>,
    of: fn(&WebhookRecord) -> T,
) -> Option<T> {
    given.or_else(|| current.map(of))
}

/// Merges `input` into `current` (an update; `None` for a create) and validates the whole, so
/// a stored subscription is always a valid one. The URL check resolves names: call it outside
/// transactions.
async fn settle(
    input: SubscriptionInput,
    current: Option<&WebhookRecord>,
    policy: &ssrf::Policy,
) -> Result<WebhookFields, ServiceError> {
    let url = pick(input.subscriber_url, current, |c| c.subscriber_url.clone())
        .ok_or_else(|| invalid("subscriberUrl: is required"))?;
    let url = ssrf::check(url.trim(), policy)
        .await
        .map_err(|refusal| invalid(refused(&refusal)))?;
    let triggers = pick(input.triggers, current, WebhookRecord::triggers)
        .ok_or_else(|| invalid("triggers: is required (a list of trigger events)"))?;
    check_triggers(&triggers)?;
    let secret = match input.secret {
        Some(s) => s.filter(|s| !s.is_empty()),
        None => current.and_then(|c| c.secret.clone()),
    };
    if secret.as_ref().is_some_and(|s| s.len() > MAX_SECRET) {
        return Err(invalid(format!(
            "secret: may be at most {MAX_SECRET} characters"
        )));
    }
    let template = match input.payload_template {
        Some(t) => t.filter(|t| !t.trim().is_empty()),
        None => current.and_then(|c| c.payload_template.clone()),
    };
    if template.as_ref().is_some_and(|t| t.len() > MAX_TEMPLATE) {
        return Err(invalid(format!(
            "payloadTemplate: may be at most {MAX_TEMPLATE} bytes"
        )));
    }
    let version = pick(input.version, current, |c| c.version.clone())
        .unwrap_or_else(|| VERSIONS[0].to_owned());
    if !VERSIONS.contains(&version.as_str()) {
        return Err(invalid(format!(
            "version: `{version}` is not supported; use {}",
            VERSIONS.join(" or ")
        )));
    }
    let time = pick(input.time, current, |c| c.time).flatten();
    let time_unit = match input.time_unit {
        Some(u) => u.map(|u| u.to_uppercase()),
        None => current.and_then(|c| c.time_unit.clone()),
    };
    check_timing(&triggers, time, time_unit.as_deref())?;
    let active = pick(input.active, current, |c| c.active).unwrap_or(true);
    Ok(WebhookFields {
        subscriber_url: url.to_string(),
        active,
        triggers: json!(triggers).to_string(),
        secret,
        payload_template: template,
        version,
        time,
        time_unit,
    })
}

fn check_triggers(triggers: &[String]) -> Result<(), ServiceError> {
    if triggers.is_empty() {
        return Err(invalid("triggers: must name at least one trigger event"));
    }
    for (i, trigger) in triggers.iter().enumerate() {
        if !TRIGGERS.contains(&trigger.as_str()) {
            return Err(invalid(format!(
                "triggers[{i}]: `{trigger}` is not a trigger event; use one of {}",
                TRIGGERS.join(", ")
            )));
        }
        if triggers[..i].contains(trigger) {
            return Err(invalid(format!(
                "triggers[{i}]: `{trigger}` is listed twice"
            )));
        }
    }
    Ok(())
}

/// The no-show triggers fire a while after the meeting: they need `time` and `timeUnit`.
fn check_timing(
    triggers: &[String],
    time: Option<i32>,
    unit: Option<&str>,
) -> Result<(), ServiceError> {
    let no_show = triggers.iter().any(|t| t.starts_with("AFTER_"));
    if no_show && (time.is_none() || unit.is_none()) {
        return Err(invalid(
            "time: `time` and `timeUnit` are required with the AFTER_*_CAL_VIDEO_NO_SHOW triggers",
        ));
    }
    if time.is_some_and(|t| t < 1) {
        return Err(invalid("time: must be a positive number"));
    }
    if let Some(unit) = unit
        && !["DAY", "HOUR", "MINUTE"].contains(&unit)
    {
        return Err(invalid(format!(
            "timeUnit: `{unit}` is not DAY, HOUR or MINUTE"
        )));
    }
    Ok(())
}

/// The subscription `id` if `caller` owns it (directly, or through an event type they
/// manage) and, when `event_type` is given, it belongs to that event type.
async fn owned(
    c: &mut Conn<'_>,
    caller: i64,
    event_type: Option<i64>,
    id: &str,
) -> Result<WebhookRecord, ServiceError> {
    let hook = store::find(c, id).await?.ok_or_else(|| not_found(id))?;
    match (event_type, hook.user_id, hook.event_type_id) {
        (None, Some(user), _) if user == caller => Ok(hook),
        (None, None, Some(et)) | (Some(et), None, Some(_)) if Some(et) == hook.event_type_id => {
            event_types::manageable(c, caller, et)
                .await
                .map_err(|_| not_found(id))?;
            Ok(hook)
        }
        _ => Err(not_found(id)),
    }
}

/// A subscription the caller owns, at user or event-type level (the delivery log and ping
/// are addressed by subscription id alone).
async fn owned_any(c: &mut Conn<'_>, caller: i64, id: &str) -> Result<WebhookRecord, ServiceError> {
    let hook = store::find(c, id).await?.ok_or_else(|| not_found(id))?;
    owned(c, caller, hook.event_type_id, id).await
}

/// The caller's own subscriptions, or (with `event_type`) those of an event type they manage.
async fn owner(
    c: &mut Conn<'_>,
    caller: i64,
    event_type: Option<i64>,
) -> Result<Owner, ServiceError> {
    match event_type {
        Some(et) => {
            event_types::manageable(c, caller, et).await?;
            Ok(Owner::EventType(et))
        }
        None => Ok(Owner::User(caller)),
    }
}

/// Subscribes the caller (or, with `event_type`, an event type they manage). The secret is
/// stored sealed; the record returned carries it in the clear, to be shown this once.
pub async fn create(
    db: &Db,
    policy: &ssrf::Policy,
    secrets: &Vault,
    caller: i64,
    event_type: Option<i64>,
    input: SubscriptionInput,
) -> Result<WebhookRecord, ServiceError> {
    let mut fields = settle(input, None, policy).await?;
    let plaintext = fields.secret.clone();
    fields.secret = plaintext.as_deref().map(|s| secrets.seal(s));
    let id = uuid::Uuid::new_v4().to_string();
    let mut hook = db
        .transaction(async |c| {
            let owner = owner(c, caller, event_type).await?;
            store::insert(c, &id, owner, &fields).await?;
            store::find(c, &id).await?.ok_or_else(|| not_found(&id))
        })
        .await?;
    hook.secret = plaintext;
    Ok(hook)
}

pub async fn list(
    db: &Db,
    caller: i64,
    event_type: Option<i64>,
    page: Page,
) -> Result<Vec<WebhookRecord>, ServiceError> {
    db.run(async |c| {
        let owner = owner(c, caller, event_type).await?;
        Ok(store::list(c, owner, page.skip, page.take).await?)
    })
    .await
}

pub async fn get(
    db: &Db,
    caller: i64,
    event_type: Option<i64>,
    id: &str,
) -> Result<WebhookRecord, ServiceError> {
    db.run(async |c| owned(c, caller, event_type, id).await)
        .await
}

/// A subscription the caller owns, at user or event-type level, addressed by id alone (the
/// console's pages).
pub async fn get_any(db: &Db, caller: i64, id: &str) -> Result<WebhookRecord, ServiceError> {
    db.run(async |c| owned_any(c, caller, id).await).await
}

/// Applies `input` to the subscription: fields not given keep their values; the result is
/// validated whole. `active: true` switches a disabled subscription back on.
pub async fn update(
    db: &Db,
    policy: &ssrf::Policy,
    secrets: &Vault,
    caller: i64,
    event_type: Option<i64>,
    id: &str,
    input: SubscriptionInput,
) -> Result<WebhookRecord, ServiceError> {
    // The URL check resolves names, so it runs before the transaction, on the current values.
    let current = get(db, caller, event_type, id).await?;
    // A secret not sent is kept as stored (sealed); a new one is sealed here.
    let new_secret = input.secret.is_some();
    let mut fields = settle(input, Some(&current), policy).await?;
    if new_secret {
        fields.secret = fields.secret.map(|s| secrets.seal(&s));
    }
    db.transaction(async |c| {
        owned(c, caller, event_type, id).await?;
        store::update(c, id, &fields).await?;
        store::find(c, id).await?.ok_or_else(|| not_found(id))
    })
    .await
}

/// Deletes the subscription and its delivery log; returns what it was.
pub async fn delete(
    db: &Db,
    caller: i64,
    event_type: Option<i64>,
    id: &str,
) -> Result<WebhookRecord, ServiceError> {
    db.transaction(async |c| {
        let hook = owned(c, caller, event_type, id).await?;
        store::delete(c, id).await?;
        Ok(hook)
    })
    .await
}

/// What [`reseal_secrets`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Resealed {
    /// Secrets now sealed with the current key (they were plaintext or under the previous key).
    pub sealed: usize,
    /// Subscriptions whose secret opens with neither key: their deliveries fail until the
    /// secret is set again (or the key that sealed it is configured).
    pub unreadable: Vec<String>,
}

/// Seals every stored signing secret that is still plaintext (stored before secrets were
/// sealed) or sealed with the previous secret key, with the current key, in one transaction.
/// Start-up runs it after the migrations.
pub async fn reseal_secrets(db: &Db, secrets: &Vault) -> Result<Resealed, ServiceError> {
    db.background_transaction(async |c| {
        let mut outcome = Resealed::default();
        for (id, stored) in store::secrets(c).await? {
            if !secrets.is_stale(&stored) {
                continue;
            }
            match secrets.open(&stored) {
                Ok(plain) => {
                    store::replace_secret(c, &id, &stored, &secrets.seal(&plain)).await?;
                    outcome.sealed += 1;
                }
                Err(e) => {
                    tracing::warn!(webhook = %id, error = %e, "webhook secret cannot be opened");
                    outcome.unreadable.push(id);
                }
            }
        }
        Ok(outcome)
    })
    .await
}

/// Queues a `PING` to the subscription now, whatever its triggers; returns the delivery.
pub async fn ping(db: &Db, caller: i64, id: &str) -> Result<DeliveryRecord, ServiceError> {
    db.transaction(async |c| {
        let hook = owned_any(c, caller, id).await?;
        let now = Utc::now();
        let envelope = payload::envelope("PING", now, payload::ping_payload(now));
        let (body, content_type) = render(&hook, &envelope, true);
        let delivery = delivery_id();
        store::insert_delivery(
            c,
            &NewDelivery {
                id: &delivery,
                webhook_id: &hook.id,
                trigger: "PING",
                booking_id: None,
                body: &body,
                content_type,
                version: &hook.version,
                due: now,
            },
        )
        .await?;
        store::find_delivery(c, id, &delivery)
            .await?
            .ok_or_else(|| not_found(id))
    })
    .await
}

fn instant(field: &str, raw: Option<&str>) -> Result<Option<DateTime<Utc>>, ServiceError> {
    raw.map(|raw| {
        DateTime::parse_from_rfc3339(raw)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| invalid(format!("{field}: `{raw}` is not an ISO 8601 instant")))
    })
    .transpose()
}

/// The query, checked, as the log's filter (100 deliveries a page unless asked otherwise).
fn delivery_filter(query: DeliveryQuery) -> Result<DeliveryFilter, ServiceError> {
    if let Some(status) = &query.status
        && !DELIVERY_STATUSES.contains(&status.as_str())
    {
        return Err(invalid(format!(
            "status: `{status}` is not pending, delivered, failed or cancelled"
        )));
    }
    if let Some(trigger) = &query.trigger_event
        && trigger != "PING"
        && !TRIGGERS.contains(&trigger.as_str())
    {
        return Err(invalid(format!(
            "triggerEvent: `{trigger}` is not a trigger event"
        )));
    }
    let page = Page::with_default(query.take, query.skip, 100)?;
    Ok(DeliveryFilter {
        after: instant("afterCreatedAt", query.after_created_at.as_deref())?,
        before: instant("beforeCreatedAt", query.before_created_at.as_deref())?,
        status: query.status,
        trigger: query.trigger_event,
        skip: page.skip,
        take: page.take,
    })
}

/// The subscription's delivery log, newest first.
pub async fn deliveries(
    db: &Db,
    caller: i64,
    id: &str,
    query: DeliveryQuery,
) -> Result<Deliveries, ServiceError> {
    let filter = delivery_filter(query)?;
    let (rows, total) = db
        .run(async |c| {
            owned_any(c, caller, id).await?;
            Ok::<_, ServiceError>(store::list_deliveries(c, id, &filter).await?)
        })
        .await?;
    Ok(Deliveries {
        rows,
        total,
        page: Page {
            skip: filter.skip,
            take: filter.take,
        },
    })
}

/// One delivery with every attempt.
pub async fn delivery(
    db: &Db,
    caller: i64,
    id: &str,
    delivery: &str,
) -> Result<(DeliveryRecord, Vec<AttemptRecord>), ServiceError> {
    db.run(async |c| {
        owned_any(c, caller, id).await?;
        let found = store::find_delivery(c, id, delivery)
            .await?
            .ok_or_else(|| delivery_not_found(delivery))?;
        let attempts = store::attempts(c, delivery).await?;
        Ok((found, attempts))
    })
    .await
}

/// A delivery of a booking's change, with its subscriber and every attempt.
#[derive(Debug)]
pub struct BookingDelivery {
    pub delivery: DeliveryRecord,
    pub subscriber_url: String,
    pub attempts: Vec<AttemptRecord>,
}

/// The most deliveries of one booking [`of_booking`] reads.
const BOOKING_DELIVERIES: i64 = 50;

/// The deliveries of booking `booking_id`'s changes to subscriptions `caller` owns (their
/// own, or an event type's they manage), newest first: another owner's subscriber stays
/// hidden even from someone who may see the booking. The caller has checked the booking.
pub async fn of_booking(
    db: &Db,
    caller: i64,
    booking_id: i64,
) -> Result<Vec<BookingDelivery>, ServiceError> {
    db.run(async |c| {
        let mut out = Vec::new();
        for (delivery, hook) in
            store::deliveries_of_booking(c, booking_id, BOOKING_DELIVERIES).await?
        {
            match owned(c, caller, hook.event_type_id, &hook.id).await {
                Ok(_) => {}
                Err(ServiceError::NotFound(_)) => continue,
                Err(other) => return Err(other),
            }
            let attempts = store::attempts(c, &delivery.id).await?;
            out.push(BookingDelivery {
                delivery,
                subscriber_url: hook.subscriber_url,
                attempts,
            });
        }
        Ok(out)
    })
    .await
}

/// Sends a finished delivery again (same body, same `webhook-id`); a pending one, or one of a
/// switched-off subscription, is refused.
pub async fn redeliver(
    db: &Db,
    caller: i64,
    id: &str,
    delivery: &str,
) -> Result<DeliveryRecord, ServiceError> {
    db.transaction(async |c| {
        let hook = owned_any(c, caller, id).await?;
        let found = store::find_delivery(c, id, delivery)
            .await?
            .ok_or_else(|| delivery_not_found(delivery))?;
        if found.status == store::PENDING {
            return Err(ServiceError::Conflict(format!(
                "Delivery {delivery} is still pending; it will be attempted again on its own"
            )));
        }
        if !hook.active {
            return Err(ServiceError::Conflict(format!(
                "Webhook {id} is not active; switch it on (PATCH active=true) before redelivering"
            )));
        }
        store::redeliver(c, delivery).await?;
        store::find_delivery(c, id, delivery)
            .await?
            .ok_or_else(|| not_found(id))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open() -> ssrf::Policy {
        ssrf::Policy {
            allow_private: true,
            allowed_hosts: Vec::new(),
        }
    }

    fn new_hook() -> SubscriptionInput {
        SubscriptionInput {
            subscriber_url: Some(" https://hooks.example.com/in ".into()),
            triggers: Some(vec!["BOOKING_CREATED".into()]),
            ..SubscriptionInput::default()
        }
    }

    fn stored(fields: WebhookFields) -> WebhookRecord {
        WebhookRecord {
            id: "w1".into(),
            user_id: Some(1),
            event_type_id: None,
            team_id: None,
            subscriber_url: fields.subscriber_url,
            active: fields.active,
            triggers: fields.triggers,
            secret: fields.secret,
            payload_template: fields.payload_template,
            version: fields.version,
            time: fields.time,
            time_unit: fields.time_unit,
            consecutive_failures: 0,
            disabled_reason: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            disabled_at: None,
        }
    }

    fn message(err: ServiceError) -> String {
        match err {
            ServiceError::Invalid(m) => m,
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_create_needs_a_url_and_triggers_and_takes_defaults_for_the_rest() {
        let fields = settle(new_hook(), None, &open()).await.unwrap();
        assert_eq!(fields.subscriber_url, "https://hooks.example.com/in");
        assert_eq!(fields.triggers, r#"["BOOKING_CREATED"]"#);
        assert!(fields.active);
        assert_eq!(fields.version, VERSIONS[0]);
        assert_eq!((fields.secret, fields.payload_template), (None, None));

        let no_url = SubscriptionInput {
            subscriber_url: None,
            ..new_hook()
        };
        let err = settle(no_url, None, &open()).await.unwrap_err();
        assert_eq!(message(err), "subscriberUrl: is required");
        let no_triggers = SubscriptionInput {
            triggers: None,
            ..new_hook()
        };
        let err = settle(no_triggers, None, &open()).await.unwrap_err();
        assert!(message(err).starts_with("triggers: is required"));
    }

    #[tokio::test]
    async fn an_update_changes_what_it_names_and_clears_what_it_sends_as_null() {
        let created = SubscriptionInput {
            secret: Some(Some("s3cret".into())),
            payload_template: Some(Some("{\"t\":\"{{triggerEvent}}\"}".into())),
            ..new_hook()
        };
        let current = stored(settle(created, None, &open()).await.unwrap());

        let switch_off = SubscriptionInput {
            active: Some(false),
            ..SubscriptionInput::default()
        };
        let kept = settle(switch_off, Some(&current), &open()).await.unwrap();
        assert!(!kept.active);
        assert_eq!(kept.subscriber_url, current.subscriber_url);
        assert_eq!(kept.triggers, current.triggers);
        assert_eq!(kept.secret.as_deref(), Some("s3cret"));
        assert_eq!(kept.payload_template, current.payload_template);

        let clear = SubscriptionInput {
            secret: Some(None),
            payload_template: Some(Some("  ".into())),
            ..SubscriptionInput::default()
        };
        let cleared = settle(clear, Some(&current), &open()).await.unwrap();
        assert_eq!((cleared.secret, cleared.payload_template), (None, None));
        assert!(cleared.active);
    }

    #[tokio::test]
    async fn triggers_are_known_and_listed_once() {
        for (triggers, expected) in [
            (vec![], "triggers: must name at least one trigger event"),
            (
                vec!["BOOKING_CREATED", "BOOKING_CREATED"],
                "triggers[1]: `BOOKING_CREATED` is listed twice",
            ),
            (vec!["PING"], "triggers[0]: `PING` is not a trigger event"),
        ] {
            let input = SubscriptionInput {
                triggers: Some(triggers.into_iter().map(String::from).collect()),
                ..new_hook()
            };
            let err = message(settle(input, None, &open()).await.unwrap_err());
            assert!(err.starts_with(expected), "{err}");
        }
    }

    #[tokio::test]
    async fn no_show_triggers_need_a_positive_time_and_a_known_unit() {
        let no_show = |time: Option<i32>, unit: Option<&str>| SubscriptionInput {
            triggers: Some(vec!["AFTER_HOSTS_CAL_VIDEO_NO_SHOW".into()]),
            time: Some(time),
            time_unit: Some(unit.map(String::from)),
            ..new_hook()
        };
        let fields = settle(no_show(Some(5), Some("minute")), None, &open())
            .await
            .unwrap();
        assert_eq!(
            (fields.time, fields.time_unit.as_deref()),
            (Some(5), Some("MINUTE"))
        );
        for (time, unit, expected) in [
            (
                None,
                Some("HOUR"),
                "time: `time` and `timeUnit` are required",
            ),
            (Some(0), Some("HOUR"), "time: must be a positive number"),
            (
                Some(1),
                Some("WEEK"),
                "timeUnit: `WEEK` is not DAY, HOUR or MINUTE",
            ),
        ] {
            let err = message(
                settle(no_show(time, unit), None, &open())
                    .await
                    .unwrap_err(),
            );
            assert!(err.starts_with(expected), "{err}");
        }
    }

    #[tokio::test]
    async fn private_addresses_are_refused_by_default() {
        let input = SubscriptionInput {
            subscriber_url: Some("http://127.0.0.1:9/hook".into()),
            ..new_hook()
        };
        let err = message(
            settle(input, None, &ssrf::Policy::default())
                .await
                .unwrap_err(),
        );
        assert_eq!(
            err,
            "subscriberUrl: 127.0.0.1 is a private address; webhooks may only be sent to \
             public addresses (set KAIROS_WEBHOOK_ALLOW_PRIVATE=true for a trusted network)"
        );
    }

    #[test]
    fn refused_subscriber_urls_read_as_before() {
        let cases = [
            (
                "ftp://example.com/x",
                "subscriberUrl must use http or https, not `ftp`",
            ),
            (
                "https://user:pw@example.com/",
                "subscriberUrl must not contain a user name or password (`user:password@`); \
                 put a token in the path or query string instead, and verify deliveries with \
                 the webhook secret",
            ),
            (
                "not a url",
                "subscriberUrl is not a valid absolute URL (relative URL without a base); \
                 expected something like https://example.com/webhooks",
            ),
        ];
        for (raw, expected) in cases {
            let refusal = ssrf::check_syntax(raw).unwrap_err();
            assert_eq!(refused(&refusal), expected, "{raw}");
        }
        let unresolved = ssrf::Refusal::Unresolved {
            host: "gone.example".into(),
            timed_out: true,
        };
        assert_eq!(
            refused(&unresolved),
            "subscriberUrl: `gone.example` does not resolve (lookup timed out)"
        );
    }

    #[test]
    fn pages_hold_1_to_250_rows() {
        assert_eq!(Page::new(None, None).unwrap(), Page { skip: 0, take: 250 });
        assert_eq!(
            Page::with_default(None, Some(10), 100).unwrap(),
            Page {
                skip: 10,
                take: 100
            }
        );
        let err = message(Page::new(Some(251), None).unwrap_err());
        assert_eq!(err, "take: must be between 1 and 250");
        let err = message(Page::new(Some(0), None).unwrap_err());
        assert_eq!(err, "take: must be between 1 and 250");
        let err = message(Page::new(None, Some(-1)).unwrap_err());
        assert_eq!(err, "skip: must not be negative");
    }

    #[test]
    fn the_delivery_log_is_filtered_by_known_values_only() {
        let filter = delivery_filter(DeliveryQuery {
            status: Some("failed".into()),
            trigger_event: Some("PING".into()),
            after_created_at: Some("2026-11-01T00:00:00Z".into()),
            ..DeliveryQuery::default()
        })
        .unwrap();
        assert_eq!((filter.skip, filter.take), (0, 100));
        assert_eq!(filter.status.as_deref(), Some("failed"));
        assert!(filter.after.is_some() && filter.before.is_none());
        for (query, expected) in [
            (
                DeliveryQuery {
                    status: Some("lost".into()),
                    ..DeliveryQuery::default()
                },
                "status: `lost` is not pending, delivered, failed or cancelled",
            ),
            (
                DeliveryQuery {
                    trigger_event: Some("NOPE".into()),
                    ..DeliveryQuery::default()
                },
                "triggerEvent: `NOPE` is not a trigger event",
            ),
            (
                DeliveryQuery {
                    before_created_at: Some("yesterday".into()),
                    ..DeliveryQuery::default()
                },
                "beforeCreatedAt: `yesterday` is not an ISO 8601 instant",
            ),
        ] {
            assert_eq!(message(delivery_filter(query).unwrap_err()), expected);
        }
    }
}
