//! External calendars: the hosts' Google, Microsoft 365, CalDAV and ICS calendars block their
//! availability and receive their bookings. Each provider is a module behind one contract
//! ([`provider::CalendarApi`]); the busy cache lives in the database and is the only thing the
//! slot path reads; sync and write-back run as jobs on the job runner.

pub mod caldav;
pub mod conflicts;
pub mod connections;
pub mod google;
pub mod ics;
pub mod microsoft;
pub mod oauth;
pub mod provider;
pub mod publish;
pub mod push;
pub mod recheck;
pub mod registry;
pub mod sync;
pub mod writeback;

pub use connections::Calendars;
pub use oauth::OAuthApp;
pub use provider::{
    Account, BusyBlock, CalendarApi, CalendarBusy, CalendarCursor, Credentials, EventDraft,
    ExternalCalendar, Person, ProviderError, WrittenEvent,
};
pub use recheck::{Answers, Stale};
pub use registry::{Provider, Providers};

use std::sync::Arc;
use std::time::Duration;

use crate::config::Config;
use crate::crypto::{Purpose, Vault, derive_key};
use crate::secret::Secret;
use crate::storage::Db;

/// The calendar use cases as configured: provider clients, OAuth apps, the vault of
/// connection secrets, the signer of OAuth `state`, and the SSRF rule for hosts' URLs.
pub fn service(
    config: &Config,
    db: &Db,
    secret_key: &Secret,
    base_url: &str,
) -> anyhow::Result<Calendars> {
    let policy = config.calendar_policy();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()?;
    Ok(Calendars {
        db: db.clone(),
        vault: Arc::new(Vault::new(
            Purpose::CALENDAR_TOKEN,
            secret_key,
            config.secret_key_previous.as_ref(),
        )),
        providers: Providers::new(config, &policy)?,
        signer: crate::auth::TokenSigner::new(&derive_key(secret_key, Purpose::SIGNED_TOKEN)),
        base_url: base_url.to_owned(),
        policy,
        google: oauth::google_app(config),
        microsoft: oauth::microsoft_app(config),
        http,
        email: config.smtp_url.is_some(),
        freshness: chrono::Duration::seconds(config.calendar_freshness_secs as i64),
        recheck_timeout: Duration::from_millis(config.calendar_recheck_timeout_ms),
    })
}

/// How connections are refreshed (from the configuration).
pub fn sync_settings(config: &Config, tally: Arc<crate::jobs::Tally>) -> sync::SyncSettings {
    sync::SyncSettings {
        interval: Duration::from_secs(config.calendar_sync_interval),
        stale_after: (config.calendar_stale_policy == "block")
            .then(|| Duration::from_secs(config.calendar_stale_after)),
        horizon_days: config.calendar_horizon_days,
        schedule: crate::jobs::RetrySchedule::parse("30s,1m,2m,5m,10m,30m,1h,2h,4h,8h,12h")
            .expect("a valid schedule"),
        lease: Duration::from_secs(120),
        timeout: Duration::from_secs(45),
        poll: Duration::from_secs(5),
        concurrency: 8,
        tally,
    }
}

/// Starts writing bookings into hosts' calendars, on the job runner.
pub fn spawn_writer(
    db: Db,
    calendars: Calendars,
    tally: Arc<crate::jobs::Tally>,
) -> tokio::task::JoinHandle<()> {
    let writer = writeback::Writer {
        calendars,
        schedule: crate::jobs::RetrySchedule::parse("30s,2m,10m,30m,1h,2h,4h,8h,12h")
            .expect("a valid schedule"),
    };
    let runner = crate::jobs::RunnerConfig {
        lease: Duration::from_secs(120),
        timeout: Duration::from_secs(45),
        poll: Duration::from_secs(5),
        concurrency: 8,
        tally,
    };
    crate::jobs::spawn(db, crate::jobs::table::TableQueue(writer), runner)
}
