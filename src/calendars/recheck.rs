//! The booking-time re-check: when a fixed host's cached busy time is older than the
//! freshness bound, their providers are asked about the requested interval, with a short
//! timeout, before the booking's transaction. The slot path never comes here.

use chrono::{DateTime, Utc};

use super::connections::Calendars;
use super::provider::{CalendarBusy, CalendarCursor};
use super::registry::Provider;
use crate::service::ServiceError;
use crate::storage::calendars::{self as store, CalendarRecord, ConnectionRecord};

/// What asking the providers again at booking time came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recheck {
    /// Every cache was fresh, or the providers confirmed it.
    Clear,
    /// Some provider did not answer in time (or failed): the booking goes ahead on the cache.
    Unconfirmed(Vec<String>),
}

impl Calendars {
    /// Asks the providers of `hosts`' selected calendars that were read longer ago than the
    /// freshness bound whether `[start, end)` is still free. A busy block there that is not a
    /// Kairos booking's own event is a conflict (409, as any taken slot); a provider that does
    /// not answer within the timeout leaves the cache's word standing, and says so.
    pub async fn recheck(
        &self,
        hosts: &[i64],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Recheck, ServiceError> {
        let stale = self.stale_connections(hosts, now).await?;
        if stale.is_empty() {
            return Ok(Recheck::Clear);
        }
        let asks = stale.iter().map(|(record, calendars, zone)| async move {
            let answer = tokio::time::timeout(
                self.recheck_timeout,
                self.ask(record, calendars, zone, start, end),
            )
            .await;
            (record, answer)
        });
        let mut unconfirmed = Vec::new();
        let mut uids = Vec::new();
        for (record, answer) in futures_util::future::join_all(asks).await {
            match answer {
                Ok(Ok(blocks)) => uids.extend(blocks),
                Ok(Err(e)) => unconfirmed.push(format!("{}: {e}", record.account)),
                Err(_) => unconfirmed.push(format!("{}: no answer in time", record.account)),
            }
        }
        if !uids.is_empty() && !self.all_bookings(&uids).await? {
            return Err(ServiceError::Conflict(
                "The host is busy at that time in their calendar; choose another time".into(),
            ));
        }
        Ok(if unconfirmed.is_empty() {
            Recheck::Clear
        } else {
            Recheck::Unconfirmed(unconfirmed)
        })
    }

    /// The hosts' connections with selected calendars read before the freshness bound.
    async fn stale_connections(
        &self,
        hosts: &[i64],
        now: DateTime<Utc>,
    ) -> Result<Vec<(ConnectionRecord, Vec<CalendarRecord>, String)>, ServiceError> {
        let bound = now - self.freshness;
        let mut out = Vec::new();
        for &host in hosts {
            let (user, records, calendars) = self
                .db
                .run(async |c| {
                    let user = crate::storage::users::find(c, host).await?;
                    let records = store::connections_of(c, host).await?;
                    let calendars = store::calendars_of_user(c, host).await?;
                    Ok::<_, ServiceError>((user, records, calendars))
                })
                .await?;
            // A connection whose last sync failed is not asked: it would only add its timeout
            // to every booking while its provider is down; the cache answers.
            let healthy = |r: &ConnectionRecord| r.status == "active" && r.failures == 0;
            for record in records.into_iter().filter(healthy) {
                let selected: Vec<CalendarRecord> = calendars
                    .iter()
                    .filter(|c| c.connection_id == record.id && c.selected)
                    .filter(|c| c.synced_at.is_none_or(|at| at.and_utc() < bound))
                    .cloned()
                    .collect();
                if !selected.is_empty() {
                    out.push((record, selected, user.time_zone.clone()));
                }
            }
        }
        Ok(out)
    }

    /// The UIDs (or "" for none) of the provider's busy blocks overlapping `[start, end)`.
    async fn ask(
        &self,
        record: &ConnectionRecord,
        calendars: &[CalendarRecord],
        zone: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<String>, ServiceError> {
        let provider = Provider::parse(&record.provider)
            .ok_or_else(|| ServiceError::Invalid("unknown provider".into()))?;
        let mut account = self.account(record, zone)?;
        let cursors: Vec<CalendarCursor> = calendars
            .iter()
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

    /// Whether every UID is a Kairos booking's (its own written-back event).
    async fn all_bookings(&self, uids: &[String]) -> Result<bool, ServiceError> {
        if uids.iter().any(String::is_empty) {
            return Ok(false);
        }
        let known = self
            .db
            .run(async |c| crate::storage::bookings::known_ical_uids(c, uids).await)
            .await?;
        Ok(uids.iter().all(|u| known.contains(u)))
    }
}
