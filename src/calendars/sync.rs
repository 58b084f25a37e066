//! The busy cache's refresh: a queue on the job runner over the connections themselves. A
//! connection is due at `sync_due_at` (on connect, on a push notification, a selection
//! change, and every `KAIROS_CALENDAR_SYNC_INTERVAL`); one instance at a time leases it, asks
//! the provider (incrementally where the provider can), and the runner's record step writes the
//! calendars and busy time in the transaction that releases the lease. Failures back off on
//! the retry schedule, honouring the provider's `Retry-After`; refused credentials or a
//! schedule run dry mark the connection invalid, and its cached busy time keeps blocking.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::conflicts;
use super::connections::Calendars;
use super::provider::{CalendarBusy, CalendarCursor, ExternalCalendar, ProviderError};
use super::registry::Provider;
use crate::jobs::{self, Attempt, Next, Outcome, Queue, RetrySchedule, RunnerConfig};
use crate::service::ServiceError;
use crate::storage::calendars::{
    self as store, BusyRow, CalendarRecord, ConnectionRecord, ListedCalendar, SyncEnd,
};
use crate::storage::{Conn, Db, StorageResult, bookings, busy_summaries};
use crate::webhooks::Outbox;

/// How the refresh behaves (from the configuration).
#[derive(Debug, Clone)]
pub struct SyncSettings {
    pub interval: Duration,
    /// Under the `block` policy, how long after the last good sync the cache is trusted.
    pub stale_after: Option<Duration>,
    /// Busy time is cached from a day ago to this many days ahead.
    pub horizon_days: u32,
    pub schedule: RetrySchedule,
    pub lease: Duration,
    pub timeout: Duration,
    pub poll: Duration,
    pub concurrency: usize,
    pub tally: Arc<jobs::Tally>,
}

/// What one sync read from the provider, written by `record`.
#[derive(Debug, Default)]
pub struct Fetched {
    listed: Vec<ExternalCalendar>,
    /// Per stored calendar id.
    busy: Vec<(i64, CalendarBusy)>,
    covered: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Renewed secrets (an OAuth refresh), stored whatever the outcome.
    secrets: Option<String>,
    /// `sync_due_at` when the read began: a later value means a push notification (or a
    /// selection change) arrived during the read, so the next sync is due at once.
    due_seen: Option<DateTime<Utc>>,
}

/// How long keeping the push channels may add to a sync.
const CHANNEL_TIMEOUT: Duration = Duration::from_secs(15);

/// The queue's name in logs and metrics.
pub const QUEUE: &str = "calendar-sync";

pub struct Syncs {
    calendars: Calendars,
    settings: SyncSettings,
}

/// Starts refreshing connections on the current runtime; it runs until the task is aborted.
pub fn spawn(db: Db, calendars: Calendars, settings: SyncSettings) -> tokio::task::JoinHandle<()> {
    let runner = RunnerConfig {
        lease: settings.lease,
        timeout: settings.timeout,
        poll: settings.poll,
        concurrency: settings.concurrency,
        tally: settings.tally.clone(),
        // Syncs read the providers' own notion of now: the system clock.
        clock: jobs::Clock::default(),
    };
    jobs::spawn(
        db,
        Syncs {
            calendars,
            settings,
        },
        runner,
    )
}

impl Syncs {
    fn range(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let days = chrono::Days::new(u64::from(self.settings.horizon_days));
        (now - chrono::Duration::days(1), now + days)
    }

    async fn fetch(
        &self,
        record: &ConnectionRecord,
        out: &mut Fetched,
    ) -> Result<(), ProviderError> {
        let internal = |e: ServiceError| ProviderError::Invalid(e.to_string());
        let provider = Provider::parse(&record.provider).ok_or_else(|| {
            ProviderError::Invalid(format!("unknown provider {}", record.provider))
        })?;
        let db = &self.calendars.db;
        let (user, stored, due) = db
            .run(async |c| {
                let user = crate::storage::users::find(c, record.user_id).await?;
                let stored = store::calendars_of_connection(c, record.id).await?;
                let due = store::sync_due_at(c, record.id).await?;
                Ok::<_, ServiceError>((user, stored, due))
            })
            .await
            .map_err(internal)?;
        out.due_seen = due;
        let mut account = self
            .calendars
            .account(record, &user.time_zone)
            .map_err(internal)?;
        let before = account.credentials.clone();
        let providers = &self.calendars.providers;
        let result = async {
            out.listed = providers.calendars(provider, &mut account).await?;
            let now = Utc::now();
            let (from, to) = self.range(now);
            let selected: Vec<_> = stored.iter().filter(|c| c.selected).collect();
            let cursors: Vec<CalendarCursor> = selected
                .iter()
                .map(|c| CalendarCursor {
                    calendar_id: c.external_id.clone(),
                    // The horizon moves a day at a time: a day later, read everything again.
                    state: c.cursor.clone().filter(|_| {
                        c.synced_at
                            .is_some_and(|at| at.and_utc() > now - chrono::Duration::days(1))
                    }),
                })
                .collect();
            let busy = match providers
                .busy(provider, &mut account, &cursors, from, to)
                .await
            {
                Err(ProviderError::CursorExpired) => {
                    let full: Vec<_> = cursors
                        .iter()
                        .map(|c| CalendarCursor {
                            calendar_id: c.calendar_id.clone(),
                            state: None,
                        })
                        .collect();
                    providers
                        .busy(provider, &mut account, &full, from, to)
                        .await?
                }
                other => other?,
            };
            out.busy = selected.iter().map(|c| c.id).zip(busy).collect();
            out.covered = Some((from, to));
            Ok(())
        }
        .await;
        if result.is_ok() {
            let keep = self.calendars.keep_channels(record, &mut account);
            if tokio::time::timeout(CHANNEL_TIMEOUT, keep).await.is_err() {
                tracing::warn!(
                    connection = record.id,
                    "keeping push channels took too long"
                );
            }
        }
        if account.credentials != before {
            out.secrets = Some(
                self.calendars
                    .seal(account.url.as_deref(), &account.credentials),
            );
        }
        result
    }
}

/// A provider's failure as the runner sees it: refused credentials are final.
fn outcome_of(e: ProviderError) -> Outcome {
    match e {
        ProviderError::Unauthorized(m) => Outcome::Fail {
            error: format!("the provider refused the credentials: {m}"),
        },
        ProviderError::RateLimited { retry_after } => Outcome::Retry {
            error: "rate limited by the provider".into(),
            retry_after,
        },
        other => Outcome::Retry {
            error: other.to_string(),
            retry_after: None,
        },
    }
}

impl Queue for Syncs {
    type Job = ConnectionRecord;
    type Report = Fetched;
    const NAME: &'static str = QUEUE;

    fn schedule(&self) -> &RetrySchedule {
        &self.settings.schedule
    }

    fn id(job: &ConnectionRecord) -> &str {
        &job.account
    }

    fn attempts(job: &ConnectionRecord) -> u32 {
        u32::try_from(job.failures).unwrap_or(0)
    }

    async fn claim(
        &self,
        c: &mut Conn<'_>,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> StorageResult<Vec<ConnectionRecord>> {
        store::claim_due(c, owner, now, until, limit).await
    }

    async fn run(&self, job: &ConnectionRecord) -> (Outcome, Fetched) {
        let mut fetched = Fetched::default();
        let outcome = match tokio::time::timeout(
            self.settings.timeout,
            self.fetch(job, &mut fetched),
        )
        .await
        {
            Ok(Ok(())) => Outcome::Done,
            Ok(Err(e)) => outcome_of(e),
            Err(_) => Outcome::Retry {
                error: format!("no answer within {} s", self.settings.timeout.as_secs()),
                retry_after: None,
            },
        };
        (outcome, fetched)
    }

    async fn record(
        &self,
        c: &mut Conn<'_>,
        owner: &str,
        job: &ConnectionRecord,
        attempt: &Attempt<Fetched>,
    ) -> StorageResult<()> {
        if !store::lock_connection(c, job.id).await? {
            // Disconnected while it synced: nothing left to record.
            return Ok(());
        }
        let fetched = &attempt.report;
        if let Some(secrets) = &fetched.secrets {
            store::set_secrets(c, job.id, secrets).await?;
        }
        let now = Utc::now();
        let error = attempt.outcome.error().unwrap_or_default();
        let end = match attempt.next {
            Next::Done => {
                write_fetched(c, job, fetched, &self.calendars.outbox(), now).await?;
                // A notification that came during the sync makes the next one due at once.
                let pushed = store::sync_due_at(c, job.id).await? != fetched.due_seen;
                let interval =
                    chrono::Duration::from_std(self.settings.interval).unwrap_or_default();
                SyncEnd::Synced {
                    next_at: if pushed { now } else { now + interval },
                    blocks_after: self
                        .settings
                        .stale_after
                        .and_then(|d| chrono::Duration::from_std(d).ok())
                        .map(|d| now + d),
                }
            }
            Next::RetryAt(at) => SyncEnd::Failed { next_at: at, error },
            Next::Dead => {
                if self.calendars.email {
                    tell_owner(c, job, error).await?;
                }
                SyncEnd::Invalid { error }
            }
        };
        store::finish_sync(c, job.id, owner, &end, now).await
    }

    async fn release(
        &self,
        c: &mut Conn<'_>,
        owner: &str,
        jobs: &[ConnectionRecord],
    ) -> StorageResult<()> {
        let ids: Vec<i64> = jobs.iter().map(|j| j.id).collect();
        store::release(c, &ids, owner).await
    }
}

/// Emails a connection's owner that it stopped working (in the transaction that says so).
async fn tell_owner(c: &mut Conn<'_>, job: &ConnectionRecord, error: &str) -> StorageResult<()> {
    let user = crate::storage::users::find(c, job.user_id).await?;
    let title = Provider::parse(&job.provider).map_or("calendar", Provider::title);
    let email = crate::notify::Email {
        to_name: user.name.clone(),
        to_email: user.email.clone(),
        subject: format!("Your {title} is disconnected from Kairos"),
        text: format!(
            "Hello {},\n\nKairos can no longer read your {title} ({}): {error}\n\n\
             Until you connect it again, the busy time Kairos last read from it keeps blocking \
             your availability, and new bookings are not written into it. Connect it again \
             from your calendar settings.\n",
            user.name, job.account
        ),
        calendar: None,
    };
    crate::notify::queue(c, &email, "calendar_disconnected").await
}

/// Writes what a successful sync read: the calendar list, then each read calendar's busy time
/// and the conflicts it brings with the owner's bookings.
async fn write_fetched(
    c: &mut Conn<'_>,
    job: &ConnectionRecord,
    fetched: &Fetched,
    outbox: &Outbox,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    let rows: Vec<ListedCalendar<'_>> = fetched
        .listed
        .iter()
        .map(|l| ListedCalendar {
            external_id: &l.id,
            name: &l.name,
            is_primary: l.primary,
            read_only: l.read_only,
            time_zone: l.time_zone.as_deref(),
        })
        .collect();
    // The owner first, as bookings lock them, before any booking row is touched below.
    bookings::lock_hosts(c, &[job.user_id]).await?;
    let gone = store::replace_calendars(c, job.id, job.user_id, &rows, |_| false).await?;
    let stored = store::calendars_of_connection(c, job.id).await?;
    let mut replaced = false;
    let covered = fetched.covered.unwrap_or((now, now));
    for (calendar_id, busy) in &fetched.busy {
        // A calendar that vanished from the provider's list went with its busy time.
        let Some(calendar) = stored.iter().find(|s| s.id == *calendar_id) else {
            continue;
        };
        match busy {
            CalendarBusy::Unchanged => store::touch_calendar(c, calendar.id, now).await?,
            CalendarBusy::Replaced { blocks, state } => {
                let rows: Vec<BusyRow<'_>> = blocks
                    .iter()
                    .map(|b| BusyRow {
                        start: b.start,
                        end: b.end,
                        uid: b.uid.as_deref(),
                        summary: b.summary.as_deref(),
                    })
                    .collect();
                store::replace_busy(c, calendar, &rows, state.as_deref(), covered, now).await?;
                find_conflicts(c, outbox, calendar, &rows, covered, now).await?;
                replaced = true;
            }
        }
    }
    // Once for the whole sync: calendars gone and busy time replaced alike.
    if gone || replaced {
        busy_summaries::refresh(c, job.user_id).await?;
    }
    Ok(())
}

/// [`conflicts::detect`] inside the sync's transaction: a database failure fails the sync (the
/// transaction is lost anyway); anything else is logged and the busy time is kept.
async fn find_conflicts(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    calendar: &CalendarRecord,
    rows: &[BusyRow<'_>],
    covered: (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
) -> StorageResult<()> {
    match conflicts::detect(c, outbox, calendar, rows, covered, now).await {
        Ok(()) => Ok(()),
        Err(ServiceError::Storage(e)) => Err(e),
        Err(e) => {
            tracing::warn!(calendar = calendar.id, error = %e, "conflict detection failed");
            Ok(())
        }
    }
}
