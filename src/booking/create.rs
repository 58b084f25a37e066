//! Booking a time: the idempotent request, the locked re-check that the start is still a
//! slot, joining a seated booking or choosing the hosts (round robin), and the writes.

use super::*;

/// The booker's local day around `start`: the engine looks at whole days (first slot of the
/// day, rolling windows), so the re-check does too.
pub(super) fn day_range(tz: Tz, start: i64) -> Interval {
    let day = local_date(tz, start);
    let next = day.succ_opt().unwrap_or(day);
    Interval::new(start_of_day(tz, day), start_of_day(tz, next) - 1)
}

/// The slot starting at `start`, or why there is none: 409 when only other bookings or holds
/// are in the way (someone was faster), 400 when the time was never bookable.
pub(super) fn slot_at(query: &Query, start: i64) -> Result<Slot, ServiceError> {
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

/// The round-robin pick among the free pooled hosts of `slot`, with the reasons.
pub(super) async fn assign_host(
    c: &mut Conn<'_>,
    event: &EventType,
    slot: &Slot,
    keep: Option<i64>,
) -> Result<(Option<i64>, Option<String>), ServiceError> {
    let pool = round_robin_pool(event);
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
    let fairness = Fairness::of(team.as_ref(), Utc::now());
    let past: Vec<PastBooking> = store::assignment_history(c, event.record.id, fairness.from)
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
        interval: (fairness.from, fairness.to),
        basis: fairness.basis,
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

/// The event type's hosts that round robin chooses among (all but the fixed ones).
fn round_robin_pool(event: &EventType) -> Vec<RoundRobinHost> {
    context::hosts_of(event)
        .iter()
        .filter(|h| !h.fixed)
        .map(|h| RoundRobinHost {
            id: h.user_id,
            weight: h.weight,
            priority: h.priority,
            joined_at: h.joined_at,
            extra_calibration: 0.0,
        })
        .collect()
}

/// What round-robin fairness counts: bookings in `[from, to)`, the team's current day or month
/// in its zone, by their creation or their start.
struct Fairness {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    basis: assignment::TimestampBasis,
}

impl Fairness {
    /// The team's settings (`rrResetInterval`, `rrTimestampBasis`); a month by creation without
    /// a team.
    fn of(team: Option<&teams::Team>, now: DateTime<Utc>) -> Self {
        let tz: Tz = team
            .and_then(|t| t.time_zone.parse().ok())
            .unwrap_or(Tz::UTC);
        let today = now.with_timezone(&tz).date_naive();
        let by_day = team.is_some_and(|t| t.rr_reset_interval == "DAY");
        let (from, to) = if by_day {
            (today, today.succ_opt().unwrap_or(today))
        } else {
            let first = today.with_day(1).unwrap_or(today);
            let next = first
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(first);
            (first, next)
        };
        let at = |d: chrono::NaiveDate| instant(start_of_day(tz, d));
        let basis = if team.is_some_and(|t| t.rr_timestamp_basis == "START_TIME") {
            assignment::TimestampBasis::StartTime
        } else {
            assignment::TimestampBasis::CreatedAt
        };
        Self {
            from: at(from),
            to: at(to),
            basis,
        }
    }
}

/// Who a booking at `slot` goes to: the organiser first, then the other hosts.
pub(super) async fn booked_hosts(
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
            // The slot's free round-robin hosts may all have been passed over (their calendars
            // are busy): the fixed hosts alone do not make the booking.
            if chosen.is_none() && hosts.iter().any(|h| !h.fixed) {
                return Err(taken());
            }
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

/// Books `request`. With an idempotency key, a retry returns the first booking unchanged.
pub async fn create(
    db: &Db,
    outbox: &Outbox,
    calendars: Option<&Calendars>,
    request: BookingRequest,
    actor: Actor,
) -> Result<Booked, ServiceError> {
    let event = resolve_event(db, &request.event).await?;
    let prepared = prepare(&event, &request, &actor)?;
    if let Some(replay) = replay(db, &request, &actor, &event).await? {
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
    // The providers are asked before the transaction, about the hosts it will choose.
    let holders = Holders::of(
        &event,
        slot_request(&request, prepared.length, Utc::now()),
        None,
    );
    let end = request.start + Duration::minutes(i64::from(prepared.length));
    let rechecked = recheck(db, calendars, &event, holders, (request.start, end)).await?;
    let fixed = Fixed {
        event: &event,
        plan: &plan,
        host_users: &host_users,
        rechecked: &rechecked,
    };
    // A seated slot's first two bookers may both try to open it; the loser joins on retry.
    let mut attempts = 0;
    loop {
        attempts += 1;
        let outcome = db
            .transaction(async |c| {
                let view = book_in(c, &fixed, &request, &prepared, &actor).await?;
                rechecked.note(c, view.record.id, &host_ids(&view)).await?;
                announce_booked(c, outbox, &view).await?;
                let holder = seat_of(&view, request.attendee.email.as_str());
                seen_by(c, &actor, view, Some(&event), holder).await
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
                if let Some(replay) = replay(db, &request, &actor, &event).await? {
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

pub(super) fn is_race(e: &ServiceError) -> bool {
    matches!(
        e,
        ServiceError::Storage(StorageError::Overlap | StorageError::Conflict(_))
    )
}

/// The booking a retry with the same `Idempotency-Key` made, as its actor saw it then.
pub(super) async fn replay(
    db: &Db,
    request: &BookingRequest,
    actor: &Actor,
    event: &EventType,
) -> Result<Option<Booked>, ServiceError> {
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
        let first = view(c, record).await?;
        let holder = seat_of(&first, request.attendee.email.as_str());
        Ok(Some(Booked {
            view: seen_by(c, actor, first, Some(event), holder).await?,
            replayed: true,
        }))
    })
    .await
}

/// What a booking reads before its transaction.
pub(super) struct Fixed<'a> {
    pub(super) event: &'a EventType,
    pub(super) plan: &'a context::Plan,
    pub(super) host_users: &'a [User],
    /// What the hosts' calendar providers said about the requested time.
    pub(super) rechecked: &'a Rechecked,
}

/// The ids of a booking's hosts.
pub(super) fn host_ids(view: &BookingView) -> Vec<i64> {
    view.hosts.iter().map(|h| h.id).collect()
}

pub(super) async fn book_in(
    c: &mut Conn<'_>,
    fixed: &Fixed<'_>,
    request: &BookingRequest,
    prepared: &Prepared,
    actor: &Actor,
) -> Result<BookingView, ServiceError> {
    let event = fixed.event;
    let now = Utc::now();
    let mut slot = locked_slot(c, fixed, request, prepared, now).await?;
    fixed.rechecked.narrow(&mut slot);
    let seat_uid = event.record.seats_per_slot.map(|_| new_uid());
    if let (Some(uid), Some(seat)) = (&slot.booking_uid, &seat_uid) {
        return join_seat(c, event, request, prepared, actor, uid, seat).await;
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
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("host {} has no user", hosts[0])))?;
    let start_at = request.start;
    let end_at = start_at + Duration::minutes(i64::from(prepared.length));
    let by_host = actor.user_id().is_some_and(|u| hosts.contains(&u));
    let status = initial_status(event, start_at, now, by_host);
    let title = event.booking_title(
        &organizer.name,
        request.attendee.name.as_str(),
        prepared.location.as_deref(),
    );
    let mut people = vec![prepared.booker(seat_uid.clone())];
    people.extend(prepared.guests());
    let assignment = assignment_reason
        .as_deref()
        .and_then(|r| serde_json::from_str::<Value>(r).ok());
    let written = write_booking(
        c,
        event,
        &NewWrite {
            booking: NewBooking {
                uid: new_uid(),
                event_type_id: Some(event.record.id),
                user_id: organizer.id,
                status: status.as_str(),
                start_at: to_db_time(start_at),
                end_at: to_db_time(end_at),
                title,
                description: prepared.notes.clone(),
                location: prepared.location.clone(),
                responses: prepared.responses.to_string(),
                metadata: Value::Object(request.metadata.clone()).to_string(),
                ical_uid: format!("{}@kairos", uuid::Uuid::new_v4()),
                ical_sequence: 0,
                from_reschedule: None,
                rescheduled_by: None,
                reschedule_reason: None,
                assignment_reason,
                created_at: to_db_time(now),
            },
            people,
            hosts: &hosts,
            status,
            actor,
            changes: json!({"start": start_at, "end": end_at, "hosts": hosts, "assignment": assignment}),
            reason: None,
        },
    )
    .await?;
    finish_request(c, request, written.0.id).await?;
    // Everything the view shows was just written or read: no need to read it back.
    let (record, attendees) = written;
    let slug = Some(event.record.slug.clone());
    let mut out = assemble(record, attendees, host_users, slug, None);
    out.seat_uid = seat_uid;
    Ok(out)
}

/// Locks the event type's hosts and finds the requested start among the slots of the booker's
/// day, as they are now.
async fn locked_slot(
    c: &mut Conn<'_>,
    fixed: &Fixed<'_>,
    request: &BookingRequest,
    prepared: &Prepared,
    now: DateTime<Utc>,
) -> Result<Slot, ServiceError> {
    let host_ids: Vec<i64> = context::hosts_of(fixed.event)
        .iter()
        .map(|h| h.user_id)
        .collect();
    if host_ids.is_empty() {
        return Err(ServiceError::Invalid(
            "eventTypeId: this event type has no hosts yet".into(),
        ));
    }
    store::lock_hosts(c, &host_ids).await?;
    let slot_request = slot_request(request, prepared.length, now);
    let query = context::query_with(c, fixed.event, fixed.plan, &slot_request).await?;
    slot_at(&query, request.start.timestamp())
}

/// The slots a booking's start is looked for among: the booker's local day.
pub(super) fn slot_request(
    request: &BookingRequest,
    length: u32,
    now: DateTime<Utc>,
) -> SlotRequest {
    let tz = request.attendee.time_zone.tz();
    SlotRequest {
        range: day_range(tz, request.start.timestamp()),
        booker_tz: tz,
        length: Some(length),
        booker_uid: request.reservation_uid.clone(),
        rescheduling_uid: None,
        now,
    }
}

/// Joins an existing seated booking: one more attendee, no new claim.
async fn join_seat(
    c: &mut Conn<'_>,
    event: &EventType,
    request: &BookingRequest,
    prepared: &Prepared,
    actor: &Actor,
    uid: &str,
    seat: &str,
) -> Result<BookingView, ServiceError> {
    let existing = store::find_by_uid(c, uid).await?.ok_or_else(taken)?;
    store::lock_booking(c, existing.id).await?;
    let attendees = store::attendees_of(c, &[existing.id]).await?;
    let seats = event.record.seats_per_slot.unwrap_or(1) as usize;
    if attendees.len() >= seats {
        return Err(taken());
    }
    let email = request.attendee.email.as_str();
    if attendees.iter().any(|a| a.email == email) {
        return Err(ServiceError::Conflict(format!(
            "attendee.email: {email} already has a seat in this booking"
        )));
    }
    store::insert_attendees(c, existing.id, &[prepared.booker(Some(seat.to_owned()))]).await?;
    let joined = entry(
        "seat_booked",
        actor,
        Some(existing.status),
        Some(existing.status),
        json!({"seatUid": seat, "attendee": email}),
        None,
    );
    store::append_history(c, existing.id, &joined).await?;
    finish_request(c, request, existing.id).await?;
    let mut out = view(c, existing).await?;
    out.seat_uid = Some(seat.to_owned());
    Ok(out)
}

/// Records the idempotency key and releases the booker's reservation.
pub(super) async fn finish_request(
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
