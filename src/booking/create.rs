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

/// The round-robin picks among the free pooled hosts of `slot`: one per host group (the
/// default group first, then by group id), `None` for a group with no free host; with the
/// reasons. Without groups this is one pick, as it always was.
pub(super) async fn assign_hosts(
    c: &mut Conn<'_>,
    event: &EventType,
    slot: &Slot,
    keep: Option<i64>,
) -> Result<(Vec<Option<i64>>, Option<String>), ServiceError> {
    let groups = round_robin_groups(event);
    if groups.is_empty() {
        return Ok((Vec::new(), None));
    }
    let grouped = groups.len() > 1 || groups[0].0.is_some();
    let kept: Vec<Option<i64>> = (groups.iter())
        .map(|(_, pool)| keep.filter(|k| slot.hosts.contains(k) && pool.iter().any(|p| p.id == *k)))
        .collect();
    let history = if kept.iter().all(Option::is_some) {
        None
    } else {
        Some(Fairness::history(c, event, grouped).await?)
    };
    let mut picks = Vec::with_capacity(groups.len());
    let mut described = Vec::with_capacity(groups.len());
    for ((group, pool), kept) in groups.iter().zip(kept) {
        let (pick, reasons, description) = match (kept, &history) {
            (Some(host), _) => (
                Some(host),
                json!([]),
                "kept the host it already had (a rescheduled booking's, or a recurring booking's first occurrence's)"
                    .to_owned(),
            ),
            (None, Some((fairness, past))) => match assign_in(pool, slot, fairness, past) {
                Some(a) => {
                    let text = a.reasons.last().map(|r| r.describe()).unwrap_or_default();
                    (Some(a.host), json!(a.reasons), text)
                }
                None => (None, json!([]), String::new()),
            },
            (None, None) => (None, json!([]), String::new()),
        };
        picks.push(pick);
        described.push((group.clone(), pick, reasons, description));
    }
    Ok((picks, assignment_reason(&described, grouped)))
}

/// One group's pick among its free hosts.
fn assign_in(
    pool: &[RoundRobinHost],
    slot: &Slot,
    fairness: &Fairness,
    past: &[PastBooking],
) -> Option<assignment::Assignment> {
    assignment::assign(&AssignmentInput {
        hosts: pool,
        free: &slot.hosts,
        bookings: past,
        interval: (fairness.from, fairness.to),
        basis: fairness.basis,
        weights_enabled: true,
        include_no_show: false,
    })
}

/// The stored reason: `{reasons, description}` of the one pick; with groups, `groups` lists
/// each group's (`groupId`, `hostId`, `reasons`, `description`) and `description` joins them.
fn assignment_reason(
    described: &[(Option<String>, Option<i64>, Value, String)],
    grouped: bool,
) -> Option<String> {
    if !grouped {
        let (_, pick, reasons, description) = described.first()?;
        pick.as_ref()?;
        return Some(json!({"reasons": reasons, "description": description}).to_string());
    }
    let groups: Vec<Value> = described
        .iter()
        .map(|(group, pick, reasons, description)| {
            json!({"groupId": group, "hostId": pick, "reasons": reasons, "description": description})
        })
        .collect();
    let description = described
        .iter()
        .map(|(group, _, _, d)| format!("{}: {d}", group.as_deref().unwrap_or("default group")))
        .collect::<Vec<_>>()
        .join("; ");
    let first = described.first().map(|d| d.2.clone()).unwrap_or(json!([]));
    Some(json!({"reasons": first, "description": description, "groups": groups}).to_string())
}

/// The event type's round-robin hosts (all but the fixed ones) by host group: the default
/// group (`None`) first, then by group id; empty groups do not count.
pub(super) fn round_robin_groups(event: &EventType) -> Vec<(Option<String>, Vec<RoundRobinHost>)> {
    let mut groups: Vec<(Option<String>, Vec<RoundRobinHost>)> = Vec::new();
    for h in context::hosts_of(event).iter().filter(|h| !h.fixed) {
        let host = RoundRobinHost {
            id: h.user_id,
            weight: h.weight,
            priority: h.priority,
            joined_at: h.joined_at,
            extra_calibration: 0.0,
        };
        match groups.iter_mut().find(|(g, _)| *g == h.group) {
            Some((_, pool)) => pool.push(host),
            None => groups.push((h.group.clone(), vec![host])),
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    groups
}

/// What round-robin fairness counts: bookings in `[from, to)`, the team's current day or month
/// in its zone, by their creation or their start.
struct Fairness {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    basis: assignment::TimestampBasis,
}

impl Fairness {
    /// The fairness period and the event type's bookings in it: by organiser, or with host
    /// groups by every host who held them (one host per group attends each booking).
    async fn history(
        c: &mut Conn<'_>,
        event: &EventType,
        grouped: bool,
    ) -> Result<(Self, Vec<PastBooking>), ServiceError> {
        let team = match event.record.team_id {
            Some(id) => teams::find(c, id).await?,
            None => None,
        };
        let fairness = Fairness::of(team.as_ref(), Utc::now());
        let counted = if grouped {
            store::Counted::Holders
        } else {
            store::Counted::Organiser
        };
        let rows = store::assignment_history(c, event.record.id, fairness.from, counted).await?;
        let past = rows
            .into_iter()
            .map(|(host, created_at, start, no_show_host)| PastBooking {
                host,
                created_at,
                start,
                no_show_host,
            })
            .collect();
        Ok((fairness, past))
    }

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
            let (picks, reason) = assign_hosts(c, event, slot, keep).await?;
            // A group's free round-robin hosts may all have been passed over (their calendars
            // are busy): the fixed hosts and the other groups alone do not make the booking.
            if picks.iter().any(Option::is_none) {
                return Err(taken());
            }
            let chosen: Vec<i64> = picks.into_iter().flatten().collect();
            let mut all = chosen.clone();
            all.extend(fixed.iter().copied().filter(|f| !chosen.contains(f)));
            if all.is_empty() {
                return Err(taken());
            }
            Ok((all, reason))
        }
    }
}

/// The event type as a routing form's route narrowed it (Cal.com's `routing.teamMemberIds`).
fn routed(event: EventType, request: &BookingRequest) -> Result<EventType, ServiceError> {
    match request
        .routing
        .as_ref()
        .map(|r| r.team_member_ids.as_slice())
    {
        None | Some([]) => Ok(event),
        Some(ids) => event
            .routed_to(ids)
            .map_err(|m| ServiceError::Invalid(format!("routing.teamMemberIds: {m}"))),
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
    let event = routed(resolve_event(db, &request.event).await?, &request)?;
    // A retry of a booking made through a single-use link finds the link used: answer the
    // booking before asking the link.
    if let Some(replay) = replay(db, &request, &actor, &event).await? {
        return Ok(replay);
    }
    let link = request.private_link.as_deref();
    let booking = private_links::Use::Booking;
    admit_booker(db, &request.event, &event, link, actor.user_id(), booking).await?;
    let prepared = prepare(&event, &request, &actor)?;
    if let Some(recurrence) = series::repeats(&event, request.recurrence_count)? {
        let series = series::Series {
            event: &event,
            recurrence,
            prepared: &prepared,
        };
        return series.book(db, outbox, calendars, request, actor).await;
    }
    let (plan, host_users) = read_unlocked(db, outbox, &event, &prepared).await?;
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
        series: None,
    };
    // A seated slot's first two bookers may both try to open it; the loser joins on retry.
    let mut attempts = 0;
    loop {
        attempts += 1;
        let outcome = db
            .transaction(async |c| {
                spend_link(c, &event, &request).await?;
                let view = book_in(c, &fixed, &request, &prepared, &actor).await?;
                if let Some(response) = request.routing.as_ref().and_then(|r| r.response_id) {
                    let uid = &view.record.uid;
                    crate::routing_forms::booked(c, response, event.record.id, uid).await?;
                }
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
                    series: Vec::new(),
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

/// Counts the booking against the private link it came through, if any: in its transaction,
/// so a used-up link refuses it and a refused booking does not use the link.
pub(super) async fn spend_link(
    c: &mut Conn<'_>,
    event: &EventType,
    request: &BookingRequest,
) -> Result<(), ServiceError> {
    match &request.private_link {
        Some(link) => private_links::spend(c, event.record.id, link).await,
        None => Ok(()),
    }
}

/// What bookings do not change, read before the write lock: the locked part of a booking is
/// serial per host (per database on SQLite), so every query kept out of it is throughput.
pub(super) async fn read_unlocked(
    db: &Db,
    outbox: &Outbox,
    event: &EventType,
    prepared: &Prepared,
) -> Result<(context::Plan, Vec<User>), ServiceError> {
    db.run(async |c| {
        // Without a number a workflow's texts would silently go nowhere: refuse now.
        if crate::workflows::texts_attendees(c, event, outbox.sms).await? {
            prepared.phone_for_texts()?;
        }
        let plan = context::Plan::load(c, event).await?;
        let users = context::host_users(c, event).await?;
        Ok::<_, ServiceError>((plan, users))
    })
    .await
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
        let seen = seen_by(c, actor, first, Some(event), holder).await?;
        let series = match seen.record.recurring_event_id.clone() {
            Some(id) => series::views(c, &id).await?,
            None => Vec::new(),
        };
        Ok(Some(Booked {
            view: seen,
            series,
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
    /// An occurrence of a recurring series: its id and the host to keep (round robin).
    pub(super) series: Option<Occurrence<'a>>,
}

/// Which series a booking belongs to, and the host the series' first occurrence went to:
/// round robin keeps them for every occurrence they are free for.
#[derive(Clone, Copy)]
pub(super) struct Occurrence<'a> {
    pub(super) recurring_id: &'a str,
    pub(super) keep_host: Option<i64>,
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
    let keep = fixed.series.and_then(|o| o.keep_host);
    let (hosts, assignment_reason) = booked_hosts(c, event, &slot, keep).await?;
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
                recurring_event_id: fixed.series.map(|o| o.recurring_id.to_owned()),
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
