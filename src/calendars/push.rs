//! Push notifications: Google `events.watch` channels and Graph subscriptions on the selected
//! calendars of a connection, so that a change at the provider makes the connection due for a
//! sync within seconds rather than at the next interval. The sync job keeps the channels (opens,
//! renews, stops them, never inside a transaction); the notification endpoints only check a
//! channel and its secret and make its connection due. Only a SHA-256 of a channel's secret
//! (Google's channel token, Graph's `clientState`) is stored.
//!
//! Google delivers only to `https` addresses with a valid certificate: with an `http` base URL
//! channels are still opened (local fakes accept them), but real Google refuses or never calls.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::connections::{Calendars, provider_error};
use super::google::{self, Channel, Google, ResourceState};
use super::provider::{Account, ProviderError};
use super::registry::Provider;
use crate::service::ServiceError;
use crate::storage::calendars::{self as store, CalendarRecord, ChannelRecord, ConnectionRecord};

/// How long a Google channel is asked to live (Google may shorten it).
const GOOGLE_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// How long a Graph subscription lives: under both limits Graph has documented for events.
const GRAPH_LIFETIME: chrono::Duration = chrono::Duration::minutes(4_200);
/// A channel expiring sooner than this is renewed by the sync that finds it.
const RENEW_WITHIN: chrono::Duration = chrono::Duration::days(1);
/// How long stopping channels may hold up a deselect or a disconnect.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// Where `provider` sends notifications: `{base_url}/v2/calendars/{provider}/notifications`.
pub fn notification_url(base_url: &str, provider: Provider) -> String {
    format!(
        "{}/v2/calendars/{}/notifications",
        base_url.trim_end_matches('/'),
        provider.as_str()
    )
}

/// A fresh channel secret: 256 random bits, hex.
fn new_secret() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Whether `given` is the secret whose hash is `stored`, compared in constant time.
fn secret_matches(given: &str, stored: &str) -> bool {
    let given = hash(given);
    given.len() == stored.len()
        && given
            .bytes()
            .zip(stored.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

fn unknown() -> ServiceError {
    ServiceError::NotFound("unknown channel".into())
}

fn refused() -> ServiceError {
    ServiceError::Forbidden("refused".into())
}

fn not_configured() -> ProviderError {
    ProviderError::Invalid("the provider is not configured".into())
}

impl Calendars {
    /// After a good sync: every selected calendar gets a live channel (opened, or renewed when
    /// it expires within a day) and channels of calendars no longer selected are stopped.
    /// Failures are logged; the interval sync still keeps the cache.
    pub async fn keep_channels(&self, record: &ConnectionRecord, account: &mut Account) {
        let Some(provider) = Provider::parse(&record.provider)
            .filter(|p| matches!(p, Provider::Google | Provider::Office365))
        else {
            return;
        };
        let id = record.id;
        let stored = self
            .db
            .run(async |c| {
                let calendars = store::calendars_of_connection(c, id).await?;
                let channels = store::channels_of_connection(c, id).await?;
                Ok::<_, ServiceError>((calendars, channels))
            })
            .await;
        let (calendars, channels) = match stored {
            Ok(found) => found,
            Err(e) => return tracing::warn!(connection = id, error = %e, "reading channels failed"),
        };
        let now = Utc::now();
        for channel in &channels {
            let selected = calendars
                .iter()
                .any(|c| c.id == channel.calendar_id && c.selected);
            if !selected {
                self.stop_channel(provider, account, channel).await;
            }
        }
        for calendar in calendars.iter().filter(|c| c.selected) {
            let mine: Vec<&ChannelRecord> = channels
                .iter()
                .filter(|ch| ch.calendar_id == calendar.id)
                .collect();
            if mine.iter().any(|ch| ch.expires_at > now + RENEW_WITHIN) {
                continue;
            }
            let outcome = match provider {
                Provider::Google => self.google_channel(account, calendar, &mine, now).await,
                _ => self.graph_channel(account, calendar, &mine, now).await,
            };
            if let Err(e) = outcome {
                tracing::warn!(connection = id, calendar = calendar.id, error = %e, "opening a push channel failed");
            }
        }
    }

    /// Opens a new Google channel, then stops the expiring ones it replaces.
    async fn google_channel(
        &self,
        account: &mut Account,
        calendar: &CalendarRecord,
        expiring: &[&ChannelRecord],
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let api = self
            .providers
            .google()
            .ok_or_else(not_configured)
            .map_err(provider_error)?;
        let token = new_secret();
        let address = notification_url(&self.base_url, Provider::Google);
        let opened = api
            .watch(account, &calendar.external_id, &address, &token, GOOGLE_TTL)
            .await
            .map_err(provider_error)?;
        let record = ChannelRecord {
            id: opened.id,
            calendar_id: calendar.id,
            resource_id: Some(opened.resource_id),
            token_hash: hash(&token),
            expires_at: opened
                .expires_at
                .unwrap_or(now + chrono::Duration::from_std(GOOGLE_TTL).unwrap_or_default()),
        };
        self.save(record, now).await?;
        for old in expiring {
            self.stop_channel(Provider::Google, account, old).await;
        }
        Ok(())
    }

    /// Renews the calendar's Graph subscription, or subscribes when it has none (or Graph
    /// forgot it).
    async fn graph_channel(
        &self,
        account: &mut Account,
        calendar: &CalendarRecord,
        expiring: &[&ChannelRecord],
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let api = self
            .providers
            .microsoft()
            .ok_or_else(not_configured)
            .map_err(provider_error)?;
        let until = now + GRAPH_LIFETIME;
        if let Some(old) = expiring.first() {
            match api.renew(account, &old.id, until).await {
                Ok(renewed) => {
                    let (id, at) = (old.id.clone(), renewed.expires_at);
                    return self
                        .db
                        .transaction(async |c| {
                            store::set_channel_expiry(c, &id, at).await?;
                            Ok::<_, ServiceError>(())
                        })
                        .await;
                }
                Err(ProviderError::NotFound(_)) => self.forget(&old.id).await?,
                Err(e) => return Err(provider_error(e)),
            }
        }
        let state = new_secret();
        let address = notification_url(&self.base_url, Provider::Office365);
        let made = api
            .subscribe(account, &calendar.external_id, &address, &state, until)
            .await
            .map_err(provider_error)?;
        let record = ChannelRecord {
            id: made.id,
            calendar_id: calendar.id,
            resource_id: None,
            token_hash: hash(&state),
            expires_at: made.expires_at,
        };
        self.save(record, now).await
    }

    async fn save(&self, channel: ChannelRecord, now: DateTime<Utc>) -> Result<(), ServiceError> {
        self.db
            .transaction(async |c| {
                store::save_channel(c, &channel, now).await?;
                Ok::<_, ServiceError>(())
            })
            .await
    }

    async fn forget(&self, id: &str) -> Result<(), ServiceError> {
        self.db
            .transaction(async |c| {
                store::delete_channel(c, id).await?;
                Ok::<_, ServiceError>(())
            })
            .await
    }

    /// Stops a channel at the provider (best effort: it expires anyway) and forgets it.
    async fn stop_channel(
        &self,
        provider: Provider,
        account: &mut Account,
        channel: &ChannelRecord,
    ) {
        let stopped = match provider {
            Provider::Google => match self.providers.google() {
                Some(api) => stop_google(api, account, channel).await,
                None => Err(not_configured()),
            },
            _ => match self.providers.microsoft() {
                Some(api) => api.unsubscribe(account, &channel.id).await,
                None => Err(not_configured()),
            },
        };
        if let Err(e) = stopped {
            tracing::warn!(calendar = channel.calendar_id, error = %e, "stopping a push channel failed");
        }
        if let Err(e) = self.forget(&channel.id).await {
            tracing::warn!(calendar = channel.calendar_id, error = %e, "forgetting a push channel failed");
        }
    }

    /// Stops the channels of a connection (of one of its calendars, with `calendar_id`), best
    /// effort and briefly: on a deselect or before a disconnect.
    pub async fn stop_channels(
        &self,
        record: &ConnectionRecord,
        zone: &str,
        calendar_id: Option<i64>,
    ) {
        let Some(provider) = Provider::parse(&record.provider) else {
            return;
        };
        let id = record.id;
        let Ok(channels) = self
            .db
            .run(async |c| store::channels_of_connection(c, id).await)
            .await
        else {
            return;
        };
        let chosen: Vec<_> = channels
            .into_iter()
            .filter(|ch| calendar_id.is_none_or(|cal| cal == ch.calendar_id))
            .collect();
        if chosen.is_empty() {
            return;
        }
        let Ok(mut account) = self.account(record, zone) else {
            return;
        };
        let stops = async {
            for channel in &chosen {
                self.stop_channel(provider, &mut account, channel).await;
            }
        };
        if tokio::time::timeout(STOP_TIMEOUT, stops).await.is_err() {
            tracing::warn!(connection = id, "stopping push channels took too long");
        }
    }

    /// A Google notification: its channel must exist, carry the resource it was opened on and
    /// the token it was opened with. `sync` (the channel opened) is only acknowledged; a change
    /// makes the connection due now; `not_exists` also has the next sync replace the channel.
    pub async fn google_notification(
        &self,
        notification: &google::Notification,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let id = notification.channel_id.clone();
        let (channel, connection) = self
            .db
            .run(async |c| store::channel(c, &id).await)
            .await?
            .ok_or_else(unknown)?;
        if channel.resource_id.as_deref() != Some(notification.resource_id.as_str()) {
            return Err(unknown());
        }
        let token = notification.token.as_deref().unwrap_or_default();
        if !secret_matches(token, &channel.token_hash) {
            return Err(refused());
        }
        let gone = match notification.state {
            ResourceState::Sync => return Ok(()),
            ResourceState::Exists => vec![],
            ResourceState::NotExists => vec![channel.id],
        };
        self.due_now(&[connection], &gone, now).await
    }

    /// A batch of Graph notifications: every one must name a known subscription and carry its
    /// `clientState`, or the batch is refused whole. Lifecycle events (`reauthorizationRequired`,
    /// `subscriptionRemoved`, `missed`) also have the next sync renew or replace the channel.
    pub async fn graph_notifications(
        &self,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let batch: Batch = serde_json::from_slice(body)
            .map_err(|_| ServiceError::Invalid("not a Graph notification".into()))?;
        let mut connections = Vec::new();
        let mut lifecycle = Vec::new();
        for item in &batch.value {
            let id = item.subscription_id.clone();
            let (channel, connection) = self
                .db
                .run(async |c| store::channel(c, &id).await)
                .await?
                .ok_or_else(unknown)?;
            let given = item.client_state.as_deref().unwrap_or_default();
            if !secret_matches(given, &channel.token_hash) {
                return Err(refused());
            }
            if item.lifecycle_event.is_some() {
                lifecycle.push(channel.id);
            }
            connections.push(connection);
        }
        connections.dedup();
        self.due_now(&connections, &lifecycle, now).await
    }

    /// Makes connections due now (waking the sync runner with the commit); `expire` channels
    /// are renewed or replaced by that sync.
    async fn due_now(
        &self,
        connections: &[i64],
        expire: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        self.db
            .transaction(async |c| {
                for id in expire {
                    store::set_channel_expiry(c, id, now).await?;
                }
                for &id in connections {
                    store::sync_soon(c, id, now).await?;
                }
                Ok::<_, ServiceError>(())
            })
            .await
    }
}

async fn stop_google(
    api: &Google,
    account: &mut Account,
    channel: &ChannelRecord,
) -> Result<(), ProviderError> {
    let open = Channel {
        id: channel.id.clone(),
        resource_id: channel.resource_id.clone().unwrap_or_default(),
        expires_at: None,
    };
    api.stop(account, &open).await
}

/// What Kairos reads of a Graph notification batch.
#[derive(Deserialize)]
struct Batch {
    value: Vec<BatchItem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchItem {
    subscription_id: String,
    client_state: Option<String>,
    lifecycle_event: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_secret_itself_matches_its_hash() {
        let secret = new_secret();
        let stored = hash(&secret);
        assert_eq!(stored.len(), 64);
        assert!(secret_matches(&secret, &stored));
        assert!(!secret_matches("", &stored));
        assert!(!secret_matches(&new_secret(), &stored));
    }

    #[test]
    fn notification_urls_are_under_the_base_url() {
        assert_eq!(
            notification_url("https://cal.example.com/", Provider::Office365),
            "https://cal.example.com/v2/calendars/office365/notifications"
        );
    }
}
