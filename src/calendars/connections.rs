//! The calendar use cases a host drives (through the API now, the console next): connect an
//! account (OAuth round trip, CalDAV credentials, ICS feeds), list connections with their
//! calendars, choose which calendars block and where bookings go, check, disconnect, and read
//! the cached busy time. Every check of who may do what is here, not in the handlers.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::oauth::OAuthApp;
use super::provider::{Account, Credentials, ExternalCalendar, ProviderError};
use super::registry::{Provider, Providers};
use crate::auth::{TokenError, TokenSigner};
use crate::crypto::Vault;
use crate::service::ServiceError;
use crate::storage::Db;
use crate::storage::calendars::{self as store, CalendarRecord, ConnectionRecord, ListedCalendar};
use crate::storage::users::User;
use crate::webhooks::{Outbox, ssrf};

/// The audience of OAuth `state` tokens.
const OAUTH_STATE: &str = "calendar-oauth";
/// How long a host has to finish the provider's consent page.
const OAUTH_STATE_TTL: chrono::Duration = chrono::Duration::minutes(10);
/// How long connecting waits for the provider to answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Apple's CalDAV server (app-specific passwords).
pub const ICLOUD_CALDAV: &str = "https://caldav.icloud.com";

/// What a connection keeps sealed: where it points and how it authenticates.
#[derive(Serialize, Deserialize)]
struct Sealed {
    url: Option<String>,
    credentials: Credentials,
}

/// The calendar use cases and what they need.
#[derive(Clone)]
pub struct Calendars {
    pub db: Db,
    pub vault: Arc<Vault>,
    pub providers: Providers,
    pub signer: TokenSigner,
    /// Where providers send hosts back (`{base_url}/v2/calendars/{provider}/save`).
    pub base_url: String,
    /// The SSRF rule for URLs hosts give (feeds, CalDAV servers).
    pub policy: ssrf::Policy,
    pub google: Option<OAuthApp>,
    pub microsoft: Option<OAuthApp>,
    /// For OAuth token calls (no redirects followed).
    pub http: reqwest::Client,
    /// Email is configured: owners hear about connections that stopped working.
    pub email: bool,
    /// Text messages are configured (workflow SMS steps a booking change causes are queued).
    pub sms: bool,
    /// The job runner's clock, for the outbox's reminders.
    pub clock: crate::jobs::Clock,
    /// At booking time, calendars read longer ago than this are asked again ...
    pub freshness: chrono::Duration,
    /// ... waiting at most this long.
    pub recheck_timeout: Duration,
}

/// One connection with its calendars, as listed to its owner.
#[derive(Debug, Clone)]
pub struct ConnectionView {
    pub record: ConnectionRecord,
    pub provider: Provider,
    pub calendars: Vec<CalendarRecord>,
}

impl Calendars {
    /// What the jobs here tell the outside world with (conflicts, meeting links): the emails
    /// and webhook deliveries of the booking site at `base_url`.
    pub fn outbox(&self) -> Outbox {
        Outbox {
            booker_url: self.base_url.clone(),
            email: self.email,
            sms: self.sms,
            clock: self.clock.clone(),
            signer: self.signer.clone(),
        }
    }

    /// Seals a connection's URL and credentials.
    pub fn seal(&self, url: Option<&str>, credentials: &Credentials) -> String {
        let sealed = Sealed {
            url: url.map(str::to_owned),
            credentials: credentials.clone(),
        };
        self.vault
            .seal(&serde_json::to_string(&sealed).expect("serialisable"))
    }

    /// The account of a stored connection, in its owner's zone.
    pub fn account(&self, record: &ConnectionRecord, zone: &str) -> Result<Account, ServiceError> {
        let plain = self.vault.open(&record.secrets).map_err(|e| {
            ServiceError::Internal(anyhow::anyhow!("calendar connection {}: {e}", record.id))
        })?;
        let sealed: Sealed = serde_json::from_str(&plain).map_err(|e| {
            ServiceError::Internal(anyhow::anyhow!("calendar connection {}: {e}", record.id))
        })?;
        Ok(Account {
            url: sealed.url,
            credentials: sealed.credentials,
            time_zone: zone.parse().unwrap_or(chrono_tz::UTC),
        })
    }

    fn app(&self, provider: Provider) -> Result<&OAuthApp, ServiceError> {
        let app = match provider {
            Provider::Google => self.google.as_ref(),
            Provider::Office365 => self.microsoft.as_ref(),
            _ => None,
        };
        app.ok_or_else(|| {
            ServiceError::Invalid(format!(
                "{} is not set up on this server; the operator sets its OAuth client \
                 (see README, \"Connect calendars\")",
                provider.title()
            ))
        })
    }

    fn redirect_uri(&self, provider: Provider) -> String {
        format!("{}/v2/calendars/{}/save", self.base_url, provider.as_str())
    }

    /// The provider's consent page for `user`; `return_to` is where the host lands afterwards.
    pub fn oauth_url(
        &self,
        user: &User,
        provider: Provider,
        return_to: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String, ServiceError> {
        let app = self.app(provider)?;
        let data = serde_json::json!({"p": provider.as_str(), "r": return_to}).to_string();
        let state = self.signer.issue(
            OAUTH_STATE,
            &user.id.to_string(),
            Some(data),
            OAUTH_STATE_TTL,
            now,
        );
        app.authorize_url(&self.redirect_uri(provider), &state)
            .map_err(provider_error)
    }

    /// Completes the OAuth round trip: checks `state` (signed, fresh, for this provider, never
    /// used before), trades the code for tokens, reads the calendars and stores the connection.
    /// Returns the connection and where the host wanted to go next.
    pub async fn oauth_save(
        &self,
        provider: Provider,
        code: &str,
        state: &str,
        now: DateTime<Utc>,
    ) -> Result<(i64, Option<String>), ServiceError> {
        let claims = self
            .signer
            .verify(state, OAUTH_STATE, now)
            .map_err(|e| match e {
                TokenError::Expired => ServiceError::Invalid(
                    "state: the connection attempt expired; start connecting again".into(),
                ),
                TokenError::Invalid => ServiceError::Invalid("state: not a valid state".into()),
            })?;
        let data: serde_json::Value =
            serde_json::from_str(claims.data.as_deref().unwrap_or("{}")).unwrap_or_default();
        if data["p"] != provider.as_str() {
            return Err(ServiceError::Invalid(
                "state: it was issued for another provider".into(),
            ));
        }
        let user_id: i64 = claims
            .sub
            .parse()
            .map_err(|_| ServiceError::Invalid("state: not a valid state".into()))?;
        let expires = DateTime::from_timestamp(claims.exp, 0).unwrap_or(now);
        let fresh = self
            .db
            .run(async |c| crate::storage::spent_tokens::spend(c, &claims.jti, expires, now).await)
            .await?;
        if !fresh {
            return Err(ServiceError::Invalid(
                "state: this connection link was already used; start connecting again".into(),
            ));
        }
        let app = self.app(provider)?;
        let credentials = app
            .exchange(&self.http, &self.redirect_uri(provider), code, now)
            .await
            .map_err(provider_error)?;
        let user = self.user(user_id).await?;
        let account = Account {
            url: None,
            credentials,
            time_zone: user.time_zone.parse().unwrap_or(chrono_tz::UTC),
        };
        let id = self.store_new(&user, provider, account, None, now).await?;
        let back = data["r"].as_str().map(str::to_owned);
        Ok((id, back))
    }

    /// Where a host whose consent was not given goes back to: the return address of a valid
    /// `state` issued for this provider, if it named one. The state is not spent.
    pub fn oauth_return(
        &self,
        provider: Provider,
        state: &str,
        now: DateTime<Utc>,
    ) -> Option<String> {
        let claims = self.signer.verify(state, OAUTH_STATE, now).ok()?;
        let data: serde_json::Value = serde_json::from_str(claims.data.as_deref()?).ok()?;
        if data["p"] != provider.as_str() {
            return None;
        }
        data["r"].as_str().map(str::to_owned)
    }

    async fn user(&self, id: i64) -> Result<User, ServiceError> {
        Ok(self
            .db
            .run(async |c| crate::storage::users::find(c, id).await)
            .await?)
    }

    /// Connects a CalDAV account (any server, or Apple's with `server` `None`) after checking
    /// that the server answers and accepts the password.
    pub async fn connect_caldav(
        &self,
        user: &User,
        server: &str,
        username: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, ServiceError> {
        let url = self
            .check_url("serverUrl", "the CalDAV server", server)
            .await?;
        if username.trim().is_empty() || password.is_empty() {
            return Err(ServiceError::Invalid(
                "username and password are required (an app-specific password for iCloud)".into(),
            ));
        }
        let account = Account {
            url: Some(url.clone()),
            credentials: Credentials::Password {
                username: username.trim().to_owned(),
                password: password.to_owned(),
            },
            time_zone: user.time_zone.parse().unwrap_or(chrono_tz::UTC),
        };
        let label = format!("{} @ {}", username.trim(), host_of(&url));
        self.store_new(user, Provider::CalDav, account, Some(label), now)
            .await
    }

    /// Subscribes the user to ICS feeds, each checked first (it must answer and parse).
    pub async fn connect_ics(
        &self,
        user: &User,
        urls: &[String],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, ServiceError> {
        if urls.is_empty() || urls.len() > 20 {
            return Err(ServiceError::Invalid(
                "urls: give between 1 and 20 feed URLs".into(),
            ));
        }
        let mut ids = Vec::new();
        for raw in urls {
            let raw = raw.trim();
            let url = self
                .check_url("urls", "the ICS feed URL", &super::ics::as_https(raw))
                .await?;
            let account = Account {
                url: Some(url.clone()),
                credentials: Credentials::None,
                time_zone: user.time_zone.parse().unwrap_or(chrono_tz::UTC),
            };
            let label = redacted(&url);
            ids.push(
                self.store_new(user, Provider::Ics, account, Some(label), now)
                    .await?,
            );
        }
        Ok(ids)
    }

    /// `raw` checked by the SSRF guard; a refusal names the request's `field` and `what` the
    /// host gave in it.
    async fn check_url(&self, field: &str, what: &str, raw: &str) -> Result<String, ServiceError> {
        let url = ssrf::check(raw, &self.policy).await.map_err(|refusal| {
            ServiceError::Invalid(format!("{field}: {}", super::refused_url(what, &refusal)))
        })?;
        Ok(url.to_string())
    }

    /// Reads the account's calendars (proving the credentials), then stores the connection
    /// and its calendars in one transaction: the primary one selected, and made the default
    /// destination when the user has none and it is writable.
    async fn store_new(
        &self,
        user: &User,
        provider: Provider,
        mut account: Account,
        label: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<i64, ServiceError> {
        let listed = tokio::time::timeout(
            CONNECT_TIMEOUT,
            self.providers.calendars(provider, &mut account),
        )
        .await
        .map_err(|_| ServiceError::Invalid(format!("{} did not answer in time", provider.title())))?
        .map_err(provider_error)?;
        let primary = listed.iter().find(|c| c.primary).or(listed.first());
        let label = label
            .or_else(|| primary.map(|c| c.id.clone()))
            .unwrap_or_else(|| provider.title().to_owned());
        let key = account_key(provider, &account, &label);
        let secrets = self.seal(account.url.as_deref(), &account.credentials);
        let primary_id = primary.map(|c| c.id.clone());
        let user_id = user.id;
        self.db
            .transaction(async |c| {
                let new = store::NewConnection {
                    user_id,
                    provider: provider.as_str(),
                    account: &label,
                    account_key: &key,
                    secrets: &secrets,
                };
                let id = store::upsert_connection(c, &new, now).await?;
                let rows = listed_rows(&listed);
                let is_primary =
                    |l: &ListedCalendar<'_>| Some(l.external_id) == primary_id.as_deref();
                if store::replace_calendars(c, id, user_id, &rows, is_primary).await? {
                    crate::storage::busy_summaries::refresh(c, user_id).await?;
                }
                if store::default_destination_id(c, user_id).await?.is_none() {
                    let stored = store::calendars_of_connection(c, id).await?;
                    if let Some(cal) = stored.iter().find(|s| {
                        Some(s.external_id.as_str()) == primary_id.as_deref() && !s.read_only
                    }) {
                        store::set_destination(c, user_id, None, cal.id).await?;
                    }
                }
                Ok::<_, ServiceError>(id)
            })
            .await
    }

    /// The user's connections with their calendars, and their default destination.
    pub async fn list(
        &self,
        user: &User,
    ) -> Result<(Vec<ConnectionView>, Option<CalendarRecord>), ServiceError> {
        let user_id = user.id;
        let (records, calendars, destination) = self
            .db
            .run(async |c| {
                let records = store::connections_of(c, user_id).await?;
                let calendars = store::calendars_of_user(c, user_id).await?;
                let destination = store::destination(c, user_id, None).await?;
                Ok::<_, ServiceError>((records, calendars, destination))
            })
            .await?;
        let views = records
            .into_iter()
            .filter_map(|record| {
                let provider = Provider::parse(&record.provider)?;
                let calendars = calendars
                    .iter()
                    .filter(|c| c.connection_id == record.id)
                    .cloned()
                    .collect();
                Some(ConnectionView {
                    record,
                    provider,
                    calendars,
                })
            })
            .collect();
        Ok((views, destination))
    }

    /// The user's calendar named by Cal.com's (integration, externalId[, credentialId]).
    async fn find_calendar(
        &self,
        user: &User,
        integration: &str,
        external_id: &str,
        connection_id: Option<i64>,
    ) -> Result<CalendarRecord, ServiceError> {
        let provider = Provider::from_cal(integration).ok_or_else(|| {
            ServiceError::Invalid(format!(
                "integration: unknown calendar integration `{integration}`"
            ))
        })?;
        let (views, _) = self.list(user).await?;
        views
            .iter()
            .filter(|v| v.provider == provider)
            .filter(|v| connection_id.is_none_or(|id| v.record.id == id))
            .flat_map(|v| &v.calendars)
            .find(|c| c.external_id == external_id)
            .cloned()
            .ok_or_else(|| {
                ServiceError::NotFound(format!(
                    "no connected {} calendar `{external_id}`",
                    provider.title()
                ))
            })
    }

    /// Makes a calendar block (or stop blocking) the user's availability.
    pub async fn select(
        &self,
        user: &User,
        integration: &str,
        external_id: &str,
        connection_id: Option<i64>,
        selected: bool,
        now: DateTime<Utc>,
    ) -> Result<CalendarRecord, ServiceError> {
        let mut calendar = self
            .find_calendar(user, integration, external_id, connection_id)
            .await?;
        let change = [(calendar.id, selected)];
        self.apply_selection(user, calendar.connection_id, &change, now)
            .await?;
        calendar.selected = selected;
        Ok(calendar)
    }

    /// Sets which of one connection's calendars block the user's availability (`blocking`
    /// names them by external id; the others stop blocking), all in one transaction. Another
    /// user's connection does not exist.
    pub async fn choose_blocking(
        &self,
        user: &User,
        connection_id: i64,
        blocking: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let (views, _) = self.list(user).await?;
        let view = views
            .into_iter()
            .find(|v| v.record.id == connection_id)
            .ok_or_else(|| {
                ServiceError::NotFound(format!("no calendar connection with id {connection_id}"))
            })?;
        let known = |id: &String| view.calendars.iter().any(|c| &c.external_id == id);
        if let Some(unknown) = blocking.iter().find(|id| !known(id)) {
            return Err(ServiceError::Invalid(format!(
                "externalId: this connection has no calendar `{unknown}`"
            )));
        }
        let changes: Vec<(i64, bool)> = view
            .calendars
            .iter()
            .map(|c| (c.id, c.selected, blocking.contains(&c.external_id)))
            .filter(|(_, was, now)| was != now)
            .map(|(id, _, now)| (id, now))
            .collect();
        self.apply_selection(user, connection_id, &changes, now)
            .await
    }

    /// Stores the (calendar, blocks) `changes` of one connection in one transaction, has it
    /// read again soon, and stops the notifications of calendars that no longer block.
    async fn apply_selection(
        &self,
        user: &User,
        conn_id: i64,
        changes: &[(i64, bool)],
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        if changes.is_empty() {
            return Ok(());
        }
        let user_id = user.id;
        let rows = changes.to_vec();
        self.db
            .transaction(async |c| {
                store::lock_connection(c, conn_id).await?;
                for (id, selected) in &rows {
                    store::set_selected(c, user_id, *id, *selected).await?;
                }
                // A newly selected calendar is read at once rather than at the next interval.
                store::sync_soon(c, conn_id, now).await?;
                Ok::<_, ServiceError>(())
            })
            .await?;
        let dropped: Vec<i64> = changes
            .iter()
            .filter(|(_, selected)| !selected)
            .map(|(id, _)| *id)
            .collect();
        if !dropped.is_empty() {
            // A calendar that no longer blocks needs no notifications.
            let record = self.owned(user, conn_id).await?;
            for id in dropped {
                self.stop_channels(&record, &user.time_zone, Some(id)).await;
            }
        }
        Ok(())
    }

    /// Where the user's bookings (of one event type, or all) are written.
    pub async fn set_destination(
        &self,
        user: &User,
        integration: &str,
        external_id: &str,
        event_type_id: Option<i64>,
    ) -> Result<CalendarRecord, ServiceError> {
        if let Some(id) = event_type_id {
            self.require_host(user, id).await?;
        }
        let calendar = self
            .find_calendar(user, integration, external_id, None)
            .await?;
        if calendar.read_only {
            return Err(ServiceError::Invalid(format!(
                "externalId: `{external_id}` is read-only; bookings cannot be written into it"
            )));
        }
        let (user_id, id) = (user.id, calendar.id);
        self.db
            .transaction(async |c| {
                store::set_destination(c, user_id, event_type_id, id).await?;
                Ok::<_, ServiceError>(())
            })
            .await?;
        Ok(calendar)
    }

    /// Only a host of an event type chooses where their bookings of it go; for anyone else
    /// the event type does not exist.
    async fn require_host(&self, user: &User, event_type_id: i64) -> Result<(), ServiceError> {
        let event = self
            .db
            .run(async |c| crate::event_types::find_any(c, event_type_id).await)
            .await?;
        let owner = event.owner_user.as_ref().is_some_and(|u| u.id == user.id);
        if owner || event.hosts.iter().any(|h| h.user_id == user.id) {
            return Ok(());
        }
        Err(ServiceError::NotFound(format!(
            "event type {event_type_id} does not exist"
        )))
    }

    /// Removes a connection (with its calendars and busy time), revoking an OAuth grant at the
    /// provider first where it can be revoked; a failed revocation does not keep it connected.
    pub async fn disconnect(
        &self,
        user: &User,
        provider: Provider,
        connection_id: i64,
    ) -> Result<ConnectionRecord, ServiceError> {
        let record = self.owned(user, connection_id).await?;
        if Provider::parse(&record.provider) != Some(provider) {
            return Err(ServiceError::NotFound(format!(
                "no {} connection with id {connection_id}",
                provider.title()
            )));
        }
        self.stop_channels(&record, &user.time_zone, None).await;
        if let (Ok(app), Ok(account)) = (self.app(provider), self.account(&record, &user.time_zone))
            && let Credentials::OAuth {
                access_token,
                refresh_token,
                ..
            } = &account.credentials
        {
            let token = refresh_token.as_deref().unwrap_or(access_token);
            if let Err(e) = app.revoke(&self.http, token).await {
                tracing::warn!(connection = record.id, error = %e, "revoking the calendar grant failed");
            }
        }
        self.db
            .transaction(async |c| {
                store::delete_connection(c, connection_id).await?;
                Ok::<_, ServiceError>(())
            })
            .await?;
        Ok(record)
    }

    async fn owned(&self, user: &User, id: i64) -> Result<ConnectionRecord, ServiceError> {
        let record = self
            .db
            .run(async |c| store::connection(c, id).await)
            .await
            .map_err(|_| ServiceError::NotFound(format!("no calendar connection with id {id}")))?;
        if record.user_id != user.id {
            return Err(ServiceError::NotFound(format!(
                "no calendar connection with id {id}"
            )));
        }
        Ok(record)
    }

    /// Asks the provider whether each of the user's connections of `provider` works now; a
    /// connection marked invalid that answers again is made active and synced at once.
    pub async fn check(
        &self,
        user: &User,
        provider: Provider,
        now: DateTime<Utc>,
    ) -> Result<Vec<(ConnectionRecord, Result<(), String>)>, ServiceError> {
        let (views, _) = self.list(user).await?;
        let mut results = Vec::new();
        for view in views.into_iter().filter(|v| v.provider == provider) {
            let mut account = self.account(&view.record, &user.time_zone)?;
            let probe = tokio::time::timeout(
                CONNECT_TIMEOUT,
                self.providers.calendars(provider, &mut account),
            )
            .await
            .unwrap_or_else(|_| Err(ProviderError::Unavailable("no answer in time".into())));
            let outcome = probe.map(|_| ()).map_err(|e| e.to_string());
            if outcome.is_ok() && view.record.status == "invalid" {
                let secrets = self.seal(account.url.as_deref(), &account.credentials);
                let new = store::NewConnection {
                    user_id: user.id,
                    provider: provider.as_str(),
                    account: &view.record.account,
                    account_key: &account_key(provider, &account, &view.record.account),
                    secrets: &secrets,
                };
                self.db
                    .transaction(async |c| {
                        store::upsert_connection(c, &new, now).await?;
                        Ok::<_, ServiceError>(())
                    })
                    .await?;
            }
            results.push((view.record, outcome));
        }
        Ok(results)
    }

    /// The user's cached busy time over `[from, to)`, from selected calendars.
    pub async fn busy_times(
        &self,
        user: &User,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<store::CachedBusy>, ServiceError> {
        if to <= from || to - from > chrono::Duration::days(366) {
            return Err(ServiceError::Invalid(
                "dateTo must be after dateFrom, at most a year later".into(),
            ));
        }
        let user_id = user.id;
        let (busy, calendars) = self
            .db
            .run(async |c| {
                let busy = store::busy_of_user(c, user_id, from, to).await?;
                let calendars = store::calendars_of_user(c, user_id).await?;
                Ok::<_, ServiceError>((busy, calendars))
            })
            .await?;
        Ok(busy
            .into_iter()
            .filter(|b| {
                calendars
                    .iter()
                    .any(|c| c.id == b.calendar_id && c.selected)
            })
            .collect())
    }
}

fn listed_rows(listed: &[ExternalCalendar]) -> Vec<ListedCalendar<'_>> {
    listed
        .iter()
        .map(|c| ListedCalendar {
            external_id: &c.id,
            name: &c.name,
            is_primary: c.primary,
            read_only: c.read_only,
            time_zone: c.time_zone.as_deref(),
        })
        .collect()
}

/// What makes an account one account: the provider's primary calendar (an email) for OAuth,
/// user and server for CalDAV, a hash of the whole URL for a feed (its secret included).
fn account_key(provider: Provider, account: &Account, label: &str) -> String {
    match (provider, &account.url) {
        (Provider::Ics | Provider::CalDav, Some(url)) => {
            let user = match &account.credentials {
                Credentials::Password { username, .. } => username.as_str(),
                _ => "",
            };
            hex::encode(Sha256::digest(format!("{user}\n{url}")))
        }
        _ => label.to_lowercase(),
    }
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A feed URL fit to show: scheme, host and path, without a query (which often holds a token).
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!(
            "{}://{}{}",
            u.scheme(),
            u.host_str().unwrap_or(""),
            u.path()
        ),
        Err(_) => "feed".into(),
    }
}

/// What a provider's refusal means to the person connecting.
pub fn provider_error(e: ProviderError) -> ServiceError {
    match e {
        // Not a 401: the caller's own key is fine; the calendar's credentials are not.
        ProviderError::Unauthorized(m) => ServiceError::Invalid(format!(
            "the calendar provider refused the credentials: {m}"
        )),
        ProviderError::NotFound(m) => {
            ServiceError::Invalid(format!("not found at the provider: {m}"))
        }
        ProviderError::Invalid(m) => ServiceError::Invalid(m),
        other => ServiceError::Unprocessable(format!(
            "the calendar provider could not be reached ({other}); try again shortly"
        )),
    }
}
