//! Reservations: a booker's short hold on a slot while they fill in the form.

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
