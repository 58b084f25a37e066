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
use crate::webhooks::ssrf::{MAX_URL_LEN, Refusal};

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
        sms: config.twilio_account_sid.is_some(),
        clock: crate::jobs::Clock::default(),
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
        clock: crate::jobs::Clock::default(),
    };
    crate::jobs::spawn(db, crate::jobs::table::TableQueue(writer), runner)
}

/// Where hosts' calendar URLs may point, and the settings that widen it.
const PUBLIC_ONLY: &str = "calendar URLs may only point at public addresses (set \
     KAIROS_CALENDAR_ALLOW_PRIVATE=true for a trusted network, or list the host in \
     KAIROS_CALENDAR_ALLOWED_HOSTS)";

/// A calendar URL the SSRF guard refused, as the host is told: `what` names what they gave
/// ("the ICS feed URL", "the CalDAV server", "the URL the feed at … redirects to"), and a
/// private address names the settings that change the rule. Shows no more of the URL than its
/// host: a feed's query string may hold a secret.
pub fn refused_url(what: &str, refusal: &Refusal) -> String {
    match refusal {
        Refusal::TooLong { length } => {
            format!("{what} is {length} characters long; the maximum is {MAX_URL_LEN}")
        }
        Refusal::NotAbsolute(error) => {
            format!("{what} is not a valid absolute URL ({error}); expected https://…")
        }
        Refusal::Scheme(scheme) => format!("{what} must use https or http, not `{scheme}`"),
        Refusal::Credentials => format!("{what} must not contain a user name or password"),
        Refusal::NoHost => format!("{what} has no host; expected https://…"),
        Refusal::Unresolved { .. } => format!("{what} cannot be reached: {refusal}"),
        Refusal::Private {
            host: Some(host),
            ip,
        } => format!("{what} is on a private address (`{host}` resolves to {ip}); {PUBLIC_ONLY}"),
        Refusal::Private { host: None, ip } => {
            format!("{what} is on a private address ({ip}); {PUBLIC_ONLY}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_calendar_url_names_what_it_is_and_the_calendar_settings() {
        let private = Refusal::Private {
            host: Some("feeds.internal".into()),
            ip: "10.0.0.7".parse().unwrap(),
        };
        let message = refused_url("the ICS feed URL", &private);
        assert!(
            message.starts_with(
                "the ICS feed URL is on a private address (`feeds.internal` resolves to 10.0.0.7)"
            ),
            "{message}"
        );
        assert!(
            message.contains("KAIROS_CALENDAR_ALLOW_PRIVATE"),
            "{message}"
        );
        assert!(
            message.contains("KAIROS_CALENDAR_ALLOWED_HOSTS"),
            "{message}"
        );
        for refusal in [
            private,
            Refusal::Scheme("ftp".into()),
            Refusal::Credentials,
            Refusal::NoHost,
        ] {
            let message = refused_url("the CalDAV server", &refusal);
            assert!(message.starts_with("the CalDAV server "), "{message}");
            for webhook_words in ["subscriberUrl", "webhook", "WEBHOOK"] {
                assert!(!message.contains(webhook_words), "{message}");
            }
        }
    }
}
