//! Reading bookings: slots over stored data, a booking's view (attendees, hosts, event slug,
//! the booking it was moved to), who may see it, lists and history.

use super::*;

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

// ---- Reading ----

pub(super) async fn view(
    c: &mut Conn<'_>,
    record: BookingRecord,
) -> Result<BookingView, ServiceError> {
    let mut all = views(c, vec![record]).await?;
    all.pop()
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("booking view lost")))
}

/// Bookings with their attendees, hosts, event type slug and successor, in a fixed number of
/// queries however many there are.
pub(super) async fn views(
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
pub(super) fn assemble(
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
        seated: attendees.iter().any(|a| a.seat_uid.is_some()),
        attendees,
        hosts,
        event_slug,
        rescheduled_to,
        seat_uid: None,
        conflicts: None,
        record,
    }
}

/// Whether `user` may see the booking: they host or organise it, or belong to its team.
pub(super) async fn can_see(
    c: &mut Conn<'_>,
    user: i64,
    record: &BookingRecord,
) -> Result<bool, ServiceError> {
    Ok(access(c, user, record).await?.is_some())
}

/// `Some(true)` for hosts, organisers and team admins and owners (who may confirm, decline,
/// mark absent), `None` for everyone else.
pub(super) async fn access(
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

pub(super) async fn visible(
    c: &mut Conn<'_>,
    user: i64,
    uid: &str,
) -> Result<BookingRecord, ServiceError> {
    let record = store::find_by_uid(c, uid)
        .await?
        .ok_or_else(|| not_found(uid))?;
    if can_see(c, user, &record).await? {
        Ok(record)
    } else {
        Err(not_found(uid))
    }
}

/// A booking as a user with an API key sees it; its hosts see the conflicts found on their
/// own calendars too.
pub async fn get(db: &Db, user: i64, uid: &str) -> Result<BookingView, ServiceError> {
    db.run(async |c| {
        let record = visible(c, user, uid).await?;
        let mut view = view(c, record).await?;
        if view.hosts.iter().any(|h| h.id == user) {
            let found = crate::storage::calendars::conflicts_of(c, view.record.id, user).await?;
            view.conflicts = Some(found);
        }
        Ok(view)
    })
    .await
}

/// A booking by its uid alone: the booking link is the booker's key to it, as in Cal.com. Of a
/// seated booking, what the holder of `seat` (Cal.com's `seatReferenceUid`) may see; without
/// it, no one's seat.
pub async fn by_link(db: &Db, uid: &str, seat: Option<&str>) -> Result<BookingView, ServiceError> {
    db.run(async |c| {
        let record = store::find_by_uid(c, uid)
            .await?
            .ok_or_else(|| not_found(uid))?;
        let view = view(c, record).await?;
        if !view.seated {
            return Ok(view);
        }
        let event = event_if_any(c, &view.record).await?;
        let holder = (view.attendees.iter())
            .find(|a| seat.is_some() && a.seat_uid.as_deref() == seat)
            .cloned();
        Ok(for_seat(view, event.as_ref(), holder.as_ref()))
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

/// One page of the bookings `filter` selects, not counting the rest (the console's keyset
/// pages and exports, which must stay quick however many bookings match).
pub async fn page(
    db: &Db,
    mut filter: store::ListFilter,
) -> Result<Vec<BookingView>, ServiceError> {
    db.run(async |c| {
        filter.visible_teams = teams::managed_team_ids(c, filter.visible_to_user).await?;
        let records = store::rows(c, &filter).await?;
        views(c, records).await
    })
    .await
}

/// The lists Cal.com shows a host: `GET /v2/bookings?status=…` and the console's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Upcoming,
    Recurring,
    Unconfirmed,
    Past,
    Cancelled,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Upcoming,
        Tab::Unconfirmed,
        Tab::Recurring,
        Tab::Past,
        Tab::Cancelled,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Tab::Upcoming => "upcoming",
            Tab::Recurring => "recurring",
            Tab::Unconfirmed => "unconfirmed",
            Tab::Past => "past",
            Tab::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.name() == raw)
    }

    /// The statuses this tab lists.
    pub fn statuses(self) -> Vec<BookingStatus> {
        match self {
            Tab::Unconfirmed => vec![BookingStatus::Pending],
            Tab::Cancelled => vec![BookingStatus::Cancelled, BookingStatus::Rejected],
            _ => BookingStatus::ACTIVE.to_vec(),
        }
    }

    /// Past and cancelled bookings read newest first, the others soonest first.
    pub fn newest_first(self) -> bool {
        matches!(self, Tab::Past | Tab::Cancelled)
    }

    /// Narrows `f` to this tab's bookings as of `now`.
    pub fn narrow(self, f: &mut store::ListFilter, now: DateTime<Utc>) {
        f.statuses = self.statuses();
        match self {
            Tab::Upcoming | Tab::Unconfirmed => f.end_after = Some(now),
            Tab::Recurring => {
                f.end_after = Some(now);
                f.recurring_only = true;
            }
            Tab::Past => f.end_before = Some(now),
            Tab::Cancelled => {}
        }
    }
}
