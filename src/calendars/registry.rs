//! Which provider a connection speaks, and the configured provider clients behind one
//! dispatch: the use cases and jobs call `Providers`, never a provider module directly.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::webhooks::ssrf::Policy;

use super::caldav::{self, CalDav};
use super::google::Google;
use super::ics::{FeedSettings, IcsFeeds};
use super::microsoft::Microsoft;
use super::provider::{
    Account, CalendarApi, CalendarBusy, CalendarCursor, EventDraft, ExternalCalendar,
    ProviderError, WrittenEvent,
};

/// The kinds of connection, as stored (`calendar_connections.provider`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Google,
    Office365,
    CalDav,
    Ics,
}

impl Provider {
    pub const ALL: [Self; 4] = [Self::Google, Self::Office365, Self::CalDav, Self::Ics];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Google => "google",
            Self::Office365 => "office365",
            Self::CalDav => "caldav",
            Self::Ics => "ics",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == stored)
    }

    /// Cal.com's integration type (`google_calendar`, …), as its API names calendars.
    pub fn integration(self) -> &'static str {
        match self {
            Self::Google => "google_calendar",
            Self::Office365 => "office365_calendar",
            Self::CalDav => "caldav_calendar",
            Self::Ics => "ics-feed_calendar",
        }
    }

    /// The provider named by Cal.com's path segment (`/v2/calendars/{calendar}/…`) or
    /// integration type.
    pub fn from_cal(name: &str) -> Option<Self> {
        match name {
            "google" | "google_calendar" => Some(Self::Google),
            "office365" | "office365_calendar" | "outlook" => Some(Self::Office365),
            "apple" | "apple_calendar" | "caldav" | "caldav_calendar" => Some(Self::CalDav),
            "ics-feed" | "ics-feed_calendar" | "ics" => Some(Self::Ics),
            _ => None,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Google => "Google Calendar",
            Self::Office365 => "Outlook Calendar",
            Self::CalDav => "CalDAV",
            Self::Ics => "ICS Feed",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Self::Google => "google-calendar",
            Self::Office365 => "office365-calendar",
            Self::CalDav => "caldav-calendar",
            Self::Ics => "ics-feed",
        }
    }
}

/// The provider clients of this instance; Google and Microsoft only when the operator has
/// configured their OAuth apps.
#[derive(Clone)]
pub struct Providers {
    ics: std::sync::Arc<IcsFeeds>,
    caldav: std::sync::Arc<CalDav>,
    microsoft: Option<std::sync::Arc<Microsoft>>,
    google: Option<std::sync::Arc<Google>>,
}

impl Providers {
    pub fn new(config: &Config, policy: &Policy) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()?;
        let ics = IcsFeeds::new(FeedSettings {
            policy: policy.clone(),
            ..FeedSettings::default()
        })?;
        let caldav = CalDav::new(caldav::Settings {
            policy: policy.clone(),
            ..caldav::Settings::default()
        })?;
        let google = super::oauth::google_app(config)
            .map(|app| Google::new(app, &config.google_api_url, http.clone()));
        let microsoft = Microsoft::from_config(config, http)
            .transpose()
            .map_err(|e| anyhow::anyhow!("KAIROS_MICROSOFT_*: {e}"))?;
        Ok(Self {
            ics: ics.into(),
            caldav: caldav.into(),
            microsoft: microsoft.map(Into::into),
            google: google.map(Into::into),
        })
    }
}

impl Providers {
    /// The Google client, when Google is configured (push channels are Google's own calls).
    pub fn google(&self) -> Option<&Google> {
        self.google.as_deref()
    }

    /// The Graph client, when Microsoft 365 is configured.
    pub fn microsoft(&self) -> Option<&Microsoft> {
        self.microsoft.as_deref()
    }
}

fn not_configured(p: Provider) -> ProviderError {
    ProviderError::Invalid(format!("{} is not configured on this server", p.title()))
}

/// Runs `$body` with `$api` bound to the client of `$provider`.
macro_rules! with_api {
    ($providers:expr, $provider:expr, |$api:ident| $body:expr) => {
        match $provider {
            Provider::Ics => {
                let $api = &*$providers.ics;
                $body
            }
            Provider::CalDav => {
                let $api = &*$providers.caldav;
                $body
            }
            Provider::Office365 => match &$providers.microsoft {
                Some(client) => {
                    let $api = &**client;
                    $body
                }
                None => Err(not_configured($provider)),
            },
            Provider::Google => match &$providers.google {
                Some(client) => {
                    let $api = &**client;
                    $body
                }
                None => Err(not_configured($provider)),
            },
        }
    };
}

impl Providers {
    pub async fn calendars(
        &self,
        p: Provider,
        account: &mut Account,
    ) -> Result<Vec<ExternalCalendar>, ProviderError> {
        with_api!(self, p, |api| api.calendars(account).await)
    }

    pub async fn busy(
        &self,
        p: Provider,
        account: &mut Account,
        calendars: &[CalendarCursor],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CalendarBusy>, ProviderError> {
        with_api!(self, p, |api| api.busy(account, calendars, from, to).await)
    }

    pub async fn create_event(
        &self,
        p: Provider,
        account: &mut Account,
        calendar: &str,
        draft: &EventDraft,
    ) -> Result<WrittenEvent, ProviderError> {
        with_api!(self, p, |api| api
            .create_event(account, calendar, draft)
            .await)
    }

    pub async fn update_event(
        &self,
        p: Provider,
        account: &mut Account,
        calendar: &str,
        event: &WrittenEvent,
        draft: &EventDraft,
    ) -> Result<WrittenEvent, ProviderError> {
        with_api!(self, p, |api| api
            .update_event(account, calendar, event, draft)
            .await)
    }

    pub async fn delete_event(
        &self,
        p: Provider,
        account: &mut Account,
        calendar: &str,
        event: &WrittenEvent,
    ) -> Result<(), ProviderError> {
        with_api!(self, p, |api| api
            .delete_event(account, calendar, event)
            .await)
    }
}
