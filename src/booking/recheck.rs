//! The booking-time calendar re-check as bookings and reschedules use it: whose calendars a new
//! time must be free in (every host who will hold it; for round robin the fixed hosts and the
//! hosts the assignment chooses, one per host group), asked before the change's transaction. A round-robin host
//! whose provider reports the time busy is passed over for the assignment's next choice, at
//! most [`MAX_CANDIDATES`] of them and all within the re-check's timeout. The asking itself is
//! `calendars::recheck`'s; no provider is called inside a transaction.

use tokio::time::Instant;

use super::*;
use crate::calendars::{Answers, Stale};

/// How many round-robin hosts one booking asks in turn, at most.
const MAX_CANDIDATES: usize = 3;

/// Who will hold a booking's new time.
pub(super) enum Holders {
    /// Every one of them: personal and collective event types, a move that keeps its hosts.
    All(Vec<i64>),
    /// The event type's fixed hosts, and the round-robin host the assignment chooses among
    /// the free hosts of the slot `request` finds (keeping `keep` while they are free).
    RoundRobin {
        fixed: Vec<i64>,
        keep: Option<i64>,
        request: SlotRequest,
    },
}

impl Holders {
    /// The holders of a booking of `event` at the slot `request` finds.
    pub(super) fn of(event: &EventType, request: SlotRequest, keep: Option<i64>) -> Self {
        let hosts = context::hosts_of(event);
        match event.scheduling() {
            Some(SchedulingType::RoundRobin) => Holders::RoundRobin {
                fixed: hosts
                    .iter()
                    .filter(|h| h.fixed)
                    .map(|h| h.user_id)
                    .collect(),
                keep,
                request,
            },
            _ => Holders::All(hosts.iter().map(|h| h.user_id).collect()),
        }
    }
}

/// What the re-check found, for the change's transaction.
#[derive(Debug, Default)]
pub(super) struct Rechecked {
    /// Round-robin hosts whose provider reported the time busy: the assignment passes them over.
    excluded: Vec<i64>,
    /// Round-robin hosts with stale calendars that were not asked: past the bounds, or not
    /// the choice then.
    unasked: Vec<i64>,
    /// Providers that did not confirm the cache in time.
    unconfirmed: Vec<String>,
}

impl Rechecked {
    /// Takes the hosts whose providers reported the time busy out of the slot's free hosts.
    pub(super) fn narrow(&self, slot: &mut Slot) {
        slot.hosts.retain(|h| !self.excluded.contains(h));
    }

    /// A booking given to `hosts` on cached calendar data says so in its history.
    pub(super) async fn note(
        &self,
        c: &mut Conn<'_>,
        booking_id: i64,
        hosts: &[i64],
    ) -> Result<(), ServiceError> {
        let mut why = self.unconfirmed.clone();
        let unasked = hosts.iter().filter(|h| self.unasked.contains(h));
        why.extend(unasked.map(|h| format!("host {h}: calendars not asked again")));
        if why.is_empty() {
            return Ok(());
        }
        let entry = HistoryEntry {
            action: "calendar_recheck_unconfirmed".into(),
            actor_kind: "system".into(),
            actor_id: None,
            from_status: None,
            to_status: None,
            changes: json!({"providers": why}).to_string(),
            reason: Some(
                "booked on cached calendar data: not every provider confirmed the time".into(),
            ),
        };
        store::append_note(c, booking_id, &entry).await?;
        Ok(())
    }
}

fn busy_host() -> ServiceError {
    ServiceError::Conflict(
        "The host is busy at that time in their calendar; choose another time".into(),
    )
}

/// Asks the providers of `holders`' calendars read longer ago than the freshness bound whether
/// `interval` is still free: a busy host who must hold it is a 409 (as any taken slot), a busy
/// round-robin host is passed over, a provider that does not answer in time leaves the cache's
/// word standing.
pub(super) async fn recheck(
    db: &Db,
    calendars: Option<&Calendars>,
    event: &EventType,
    holders: Holders,
    interval: (DateTime<Utc>, DateTime<Utc>),
) -> Result<Rechecked, ServiceError> {
    let Some(calendars) = calendars else {
        return Ok(Rechecked::default());
    };
    let everyone: Vec<i64> = match &holders {
        Holders::All(hosts) => hosts.clone(),
        Holders::RoundRobin { .. } => context::hosts_of(event).iter().map(|h| h.user_id).collect(),
    };
    let stale = calendars.stale(&everyone, Utc::now()).await?;
    if stale.is_empty() {
        return Ok(Rechecked::default());
    }
    let asking = Asking {
        calendars,
        stale: &stale,
        interval,
        deadline: calendars.recheck_deadline(),
    };
    match holders {
        Holders::All(hosts) => {
            let answers = asking.ask(&hosts).await?;
            if !answers.busy.is_empty() {
                return Err(busy_host());
            }
            Ok(Rechecked {
                unconfirmed: answers.unconfirmed,
                ..Rechecked::default()
            })
        }
        Holders::RoundRobin {
            fixed,
            keep,
            request,
        } => {
            let slot = free_slot(db, event, &request, interval.0, &stale).await?;
            let pool = Pool {
                db,
                event,
                slot: slot.as_ref(),
                keep,
            };
            round_robin(&asking, &pool, &fixed).await
        }
    }
}

/// One re-check's providers, interval and deadline.
struct Asking<'a> {
    calendars: &'a Calendars,
    stale: &'a Stale,
    interval: (DateTime<Utc>, DateTime<Utc>),
    deadline: Instant,
}

impl Asking<'_> {
    async fn ask(&self, hosts: &[i64]) -> Result<Answers, ServiceError> {
        (self.calendars)
            .ask_hosts(self.stale, hosts, self.interval, self.deadline)
            .await
    }
}

/// The round-robin hosts of a slot, chosen as the booking's transaction will choose them.
struct Pool<'a> {
    db: &'a Db,
    event: &'a EventType,
    /// `None` when no round-robin host needs asking (or the time is no slot: the transaction
    /// says why).
    slot: Option<&'a Slot>,
    keep: Option<i64>,
}

impl Pool<'_> {
    /// The assignment's choices among the free hosts but `excluded`: one per host group.
    async fn choices(&self, excluded: &[i64]) -> Result<Vec<i64>, ServiceError> {
        let Some(slot) = self.slot else {
            return Ok(Vec::new());
        };
        let mut free = slot.clone();
        free.hosts.retain(|h| !excluded.contains(h));
        let (event, keep) = (self.event, self.keep);
        let picks = (self.db)
            .run(async |c| Ok::<_, ServiceError>(assign_hosts(c, event, &free, keep).await?.0))
            .await?;
        Ok(picks.into_iter().flatten().collect())
    }
}

/// The fixed hosts and the chosen round-robin hosts (one per host group) are asked together;
/// while a chosen one's provider reports the time busy, its group's next choice is asked,
/// within the bounds (counted over all groups). Round-robin
/// hosts with stale calendars that were not asked are remembered: should the transaction give
/// the booking to one of them (past the bounds, or another booking changed the choice), its
/// history says the cache decided.
async fn round_robin(
    asking: &Asking<'_>,
    pool: &Pool<'_>,
    fixed: &[i64],
) -> Result<Rechecked, ServiceError> {
    let mut out = Rechecked::default();
    let mut asked = Vec::new();
    let mut batch = fixed.to_vec();
    loop {
        let choices = pool.choices(&out.excluded).await?;
        let in_bounds = out.excluded.len() < MAX_CANDIDATES && Instant::now() < asking.deadline;
        let candidates: Vec<i64> = (choices.into_iter())
            .filter(|h| asking.stale.has(*h) && in_bounds && !asked.contains(h))
            .collect();
        batch.extend(&candidates);
        asked.extend(&candidates);
        let answers = asking.ask(&batch).await?;
        out.unconfirmed.extend(answers.unconfirmed);
        if answers.busy.iter().any(|h| fixed.contains(h)) {
            return Err(busy_host());
        }
        let busy: Vec<i64> = (candidates.into_iter())
            .filter(|h| answers.busy.contains(h))
            .collect();
        if busy.is_empty() {
            break;
        }
        out.excluded.extend(busy);
        batch.clear();
    }
    out.unasked = context::hosts_of(pool.event)
        .iter()
        .filter(|h| !h.fixed && asking.stale.has(h.user_id) && !asked.contains(&h.user_id))
        .map(|h| h.user_id)
        .collect();
    Ok(out)
}

/// The requested slot as it is now, without locks, when a round-robin host has calendars to
/// ask; `None` otherwise.
async fn free_slot(
    db: &Db,
    event: &EventType,
    request: &SlotRequest,
    start: DateTime<Utc>,
    stale: &Stale,
) -> Result<Option<Slot>, ServiceError> {
    let pool_is_stale = context::hosts_of(event)
        .iter()
        .any(|h| !h.fixed && stale.has(h.user_id));
    if !pool_is_stale {
        return Ok(None);
    }
    db.run(async |c| {
        let query = build_query(c, event, request).await?;
        Ok(slot_at(&query, start.timestamp()).ok())
    })
    .await
}
