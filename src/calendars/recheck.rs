//! Asking providers again at booking time: which hosts' selected calendars are older than the
//! freshness bound (one query for all the hosts of a request), and what their providers say
//! about one interval, per host, before a deadline. Whom to ask, and what a round-robin
//! booking does with a busy host, is `booking::recheck`'s; the slot path never comes here.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

use super::connections::Calendars;
use super::provider::{CalendarBusy, CalendarCursor};
use super::registry::Provider;
use crate::service::ServiceError;
use crate::storage::calendars::{self as store, CalendarRecord, ConnectionRecord};

/// The hosts' connections whose selected calendars were read before the freshness bound.
#[derive(Debug, Clone, Default)]
pub struct Stale {
    connections: Vec<StaleConnection>,
}

#[derive(Debug, Clone)]
struct StaleConnection {
    record: ConnectionRecord,
    calendars: Vec<CalendarRecord>,
    zone: String,
}

impl Stale {
    /// Whether `host` has a calendar to ask.
    pub fn has(&self, host: i64) -> bool {
        self.connections.iter().any(|s| s.record.user_id == host)
    }

    pub fn is_empty(&self) -> bool {
        self.connections.is_empty()
    }
}

/// What the providers of some hosts said about one interval.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    /// Hosts with a busy block there that is not a Kairos booking's own event.
    pub busy: Vec<i64>,
    /// Accounts that did not answer before the deadline (or failed): the cache stands for them.
    pub unconfirmed: Vec<String>,
}

impl Calendars {
    /// When a re-check starting now must be done by.
    pub fn recheck_deadline(&self) -> Instant {
        Instant::now() + self.recheck_timeout
    }

    /// The connections of `hosts` with selected calendars read before the freshness bound.
    pub async fn stale(&self, hosts: &[i64], now: DateTime<Utc>) -> Result<Stale, ServiceError> {
        let bound = now - self.freshness;
        let rows = self
            .db
            .run(async |c| store::stale_calendars(c, hosts, bound).await)
            .await?;
        let mut connections: Vec<StaleConnection> = Vec::new();
        for (record, calendar, zone) in rows {
            match connections.last_mut() {
                Some(last) if last.record.id == record.id => last.calendars.push(calendar),
                _ => connections.push(StaleConnection {
                    record,
                    calendars: vec![calendar],
                    zone,
                }),
            }
        }
        Ok(Stale { connections })
    }

    /// Asks the providers of `hosts`' stale calendars, all at once and until `deadline`,
    /// whether `[start, end)` is still free. A busy block there that is not a Kairos booking's
    /// own event (every booking holds its time through its claims, a moved one included) makes
    /// its host busy; a provider that does not answer in time leaves the cache's word standing.
    pub async fn ask_hosts(
        &self,
        stale: &Stale,
        hosts: &[i64],
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        deadline: Instant,
    ) -> Result<Answers, ServiceError> {
        let asks = (stale.connections.iter())
            .filter(|s| hosts.contains(&s.record.user_id))
            .map(|s| async move {
                let answer = tokio::time::timeout_at(deadline, self.ask(s, start, end)).await;
                (s, answer)
            });
        let mut unconfirmed = Vec::new();
        let mut uids: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for (s, answer) in futures_util::future::join_all(asks).await {
            match answer {
                Ok(Ok(blocks)) => uids.entry(s.record.user_id).or_default().extend(blocks),
                Ok(Err(e)) => unconfirmed.push(format!("{}: {e}", s.record.account)),
                Err(_) => unconfirmed.push(format!("{}: no answer in time", s.record.account)),
            }
        }
        let all: Vec<&str> = uids.values().flatten().map(String::as_str).collect();
        let known = if all.iter().any(|u| !u.is_empty()) {
            self.db
                .run(async |c| store::booking_ical_uids(c, &all).await)
                .await?
        } else {
            Vec::new()
        };
        let busy = uids
            .into_iter()
            .filter(|(_, list)| list.iter().any(|u| !known.contains(u)))
            .map(|(host, _)| host)
            .collect();
        Ok(Answers { busy, unconfirmed })
    }

    /// The UIDs (or "" for none) of the provider's busy blocks overlapping `[start, end)`.
    async fn ask(
        &self,
        stale: &StaleConnection,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<String>, ServiceError> {
        let record = &stale.record;
        let provider = Provider::parse(&record.provider)
            .ok_or_else(|| ServiceError::Invalid("unknown provider".into()))?;
        let mut account = self.account(record, &stale.zone)?;
        let cursors: Vec<CalendarCursor> = (stale.calendars.iter())
            .map(|c| CalendarCursor {
                calendar_id: c.external_id.clone(),
                state: None,
            })
            .collect();
        let answers = self
            .providers
            .busy(provider, &mut account, &cursors, start, end)
            .await
            .map_err(|e| ServiceError::Unprocessable(e.to_string()))?;
        Ok(answers
            .into_iter()
            .flat_map(|a| match a {
                CalendarBusy::Replaced { blocks, .. } => blocks,
                CalendarBusy::Unchanged => Vec::new(),
            })
            .filter(|b| b.start < end && b.end > start)
            .map(|b| b.uid.unwrap_or_default())
            .collect())
    }
}
