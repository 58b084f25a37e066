//! Typed configuration: built-in defaults, then an optional TOML file, then `KAIROS_*`
//! environment variables (each later source wins). Validation happens here, so a bad value
//! stops start-up with one line naming the setting.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::jobs::RetrySchedule;
pub use crate::secret::Secret;
use crate::storage::DatabaseUrl;
use crate::webhooks::ssrf::Policy;
use crate::webhooks::worker::WorkerConfig;

/// Every setting, with the environment variable that sets it. Printed by `kairos --help`.
pub const ENVIRONMENT_HELP: &str = "\
Configuration (defaults < kairos.toml or --config FILE < environment):
  KAIROS_DATABASE_URL          sqlite://PATH or postgres://USER@HOST/DB   [default: sqlite://data/kairos.db]
                               TLS: ?sslmode=verify-full[&sslrootcert=CA.pem] or require
  KAIROS_BIND                  host:port to listen on                      [default: 127.0.0.1:3000]
  KAIROS_BASE_URL              public URL used in links and emails         [default: http://<bind address>]
  KAIROS_SECRET_KEY            signing key, 32+ characters; shared by all instances
                               [default: generated once into <data dir>/secret.key]
  KAIROS_SECRET_KEY_PREVIOUS   the key before a rotation: still opens the secrets it sealed
                               until start-up has sealed them again        [default: none]
  KAIROS_DATA_DIR              directory for the secret key file           [default: data]
  KAIROS_LOG_FORMAT            human | json                                [default: human]
  KAIROS_LOG_LEVEL             tracing filter, e.g. info or kairos=debug   [default: info]
  KAIROS_DATABASE_MAX_CONNECTIONS  connection pool size                    [default: 10]
  KAIROS_AUTO_MIGRATE          run pending migrations at start-up          [default: true]
  KAIROS_WORKERS               HTTP worker threads                         [default: CPU cores]
  KAIROS_SHUTDOWN_TIMEOUT_SECS grace period for in-flight requests         [default: 30]
  KAIROS_SLOTS_CACHE_MS        how long a slots answer may be reused; 0 = off [default: 1000]
  KAIROS_WEBHOOK_WORKER        send webhooks from this instance            [default: true]
  KAIROS_WEBHOOK_ALLOW_PRIVATE allow subscriber URLs on private, loopback or link-local
                               addresses (trusted networks only)           [default: false]
  KAIROS_WEBHOOK_ALLOWED_HOSTS comma-separated hosts exempt from that rule [default: none]
  KAIROS_WEBHOOK_RETRY_SCHEDULE delays between attempts                    [default: 5s,5m,30m,2h,5h,10h,14h,20h,24h]
  KAIROS_WEBHOOK_LEASE_SECS    how long a delivery stays with the instance sending it [default: 60]
  KAIROS_WEBHOOK_TIMEOUT_SECS  time allowed for a receiver to answer       [default: 15]
  KAIROS_WEBHOOK_DISABLE_AFTER consecutive failed events that switch a subscription off [default: 20]
  KAIROS_SMTP_URL              send emails through this server: smtp://[user:pass@]host:port
                               (add ?tls=required for STARTTLS), smtps://… for TLS; unset = no email
  KAIROS_EMAIL_FROM            sender of booking emails                    [default: Kairos <no-reply@localhost>]
  KAIROS_EMAIL_WORKER          send queued emails from this instance       [default: true]
  KAIROS_EMAIL_RETRY_SCHEDULE  delays between attempts                     [default: 1m,5m,30m,2h,6h,12h,24h,24h,24h]
  KAIROS_TWILIO_ACCOUNT_SID    send workflow text messages through Twilio (or an API like it)
  KAIROS_TWILIO_AUTH_TOKEN     with this account and token, all three set; unset = no SMS
  KAIROS_TWILIO_FROM           from this number (E.164) or Messaging Service SID (MG…)
  KAIROS_TWILIO_API_URL        the Messages API's base URL               [default: https://api.twilio.com]
  KAIROS_SMS_WORKER            send queued text messages from this instance [default: true]
  KAIROS_SMS_RETRY_SCHEDULE    delays between attempts                     [default: 30s,2m,10m,30m,2h]
  KAIROS_EMAIL_LEASE_SECS      how long an email or due reminder stays with the instance sending it [default: 120]
  KAIROS_RATE_LIMIT_PER_IP     anonymous bookings, holds, cancels and reschedules per client
                               address (IPv6: per /64), N/PERIOD or off [default: 30/10m]
  KAIROS_RATE_LIMIT_PER_HOST   the same per host (person or team) being booked [default: 120/10m]
  KAIROS_TRUSTED_PROXIES       comma-separated CIDRs whose X-Forwarded-For is believed [default: none]
  KAIROS_RESERVATION_MAX_HOLD_MINUTES  an anonymous hold's whole life, extensions included [default: 15]
  KAIROS_RESERVATIONS_PER_CLIENT  open anonymous holds per client address; 0 = no cap [default: 5]
  KAIROS_MAX_GUESTS            guests one booking may name (each is emailed) [default: 10]
  KAIROS_FRAME_ANCESTORS       who may frame the embed pages (CSP frame-ancestors sources);
                               other pages may not be framed               [default: *]
  KAIROS_BODY_TIMEOUT_SECS     time a client has to send a request body (else 408) [default: 10]
  KAIROS_METRICS_TOKEN         serve GET /metrics to `Authorization: Bearer <token>`
  KAIROS_METRICS_BIND          serve GET /metrics on this host:port only (token too, if set);
                               neither set = no /metrics                   [default: unset]
  KAIROS_BOOKING_PROOF_OF_WORK the booking form's proof-of-work difficulty: the challenge's
                               largest number (100000 is about 0.5 s in a browser); 0 = off [default: 0]
  KAIROS_CONFIG                configuration file                          [default: kairos.toml if present]";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

/// The email settings, validated: what [`crate::notify`] needs to send. Plain values, so
/// configuration depends on no sender.
#[derive(Debug, Clone)]
pub struct EmailSettings {
    /// `smtp://host:port` (plain or STARTTLS with `?tls=required`), `smtps://host:port`
    /// (TLS from the start); credentials as `user:password@`.
    pub smtp_url: Secret,
    pub from: lettre::message::Mailbox,
    pub schedule: RetrySchedule,
    /// How long a claimed email (or due reminder) stays with the instance working on it.
    pub lease: std::time::Duration,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    pub base_url: Option<String>,
    pub secret_key: Option<Secret>,
    /// The secret key before a rotation (docs/OPERATIONS.md).
    pub secret_key_previous: Option<Secret>,
    pub data_dir: PathBuf,
    pub log_format: LogFormat,
    pub log_level: String,
    pub database_max_connections: usize,
    pub auto_migrate: bool,
    pub workers: Option<usize>,
    pub shutdown_timeout_secs: u64,
    /// How long a `GET /v2/slots` answer may be served again while no write intervened.
    pub slots_cache_ms: u64,
    pub webhook_worker: bool,
    pub webhook_allow_private: bool,
    pub webhook_allowed_hosts: String,
    pub webhook_retry_schedule: String,
    pub webhook_lease_secs: u64,
    pub webhook_timeout_secs: u64,
    pub webhook_disable_after: u32,
    pub smtp_url: Option<Secret>,
    pub email_from: String,
    pub email_worker: bool,
    pub email_retry_schedule: String,
    /// Text messages through Twilio's Messages API: all three set, or none (no SMS).
    pub twilio_account_sid: Option<String>,
    pub twilio_auth_token: Option<Secret>,
    pub twilio_from: Option<String>,
    pub twilio_api_url: String,
    pub sms_worker: bool,
    pub sms_retry_schedule: String,
    pub email_lease_secs: u64,
    /// Abuse limits on the anonymous surface (see [`crate::limits`]).
    pub rate_limit_per_ip: String,
    pub rate_limit_per_host: String,
    pub trusted_proxies: String,
    pub reservation_max_hold_minutes: u32,
    pub reservations_per_client: u32,
    pub max_guests: u32,
    /// The `frame-ancestors` sources of embed pages, space-separated.
    pub frame_ancestors: String,
    /// Origins whose browser code may call the API (`*` or exact origins).
    pub cors_origins: String,
    pub body_timeout_secs: u64,
    pub metrics_token: Option<Secret>,
    pub metrics_bind: Option<String>,
    /// The hosted booking form asks the browser for a proof of work up to this number; 0 = off.
    pub booking_proof_of_work: u64,
    /// Google Calendar: the OAuth client (console.cloud.google.com); unset = not offered.
    pub google_client_id: Option<String>,
    pub google_client_secret: Option<Secret>,
    /// Google's endpoints (tests point them at a local fake).
    pub google_auth_url: String,
    pub google_token_url: String,
    pub google_revoke_url: String,
    pub google_api_url: String,
    /// Microsoft 365: the app registration (entra.microsoft.com); unset = not offered.
    pub microsoft_client_id: Option<String>,
    pub microsoft_client_secret: Option<Secret>,
    pub microsoft_auth_url: String,
    pub microsoft_token_url: String,
    pub microsoft_graph_url: String,
    /// Calendar sync and write-back jobs run in this process.
    pub calendar_worker: bool,
    /// Seconds between background refreshes of a connection's busy time.
    pub calendar_sync_interval: u64,
    /// How far ahead busy time is cached.
    pub calendar_horizon_days: u32,
    /// At booking time, a cache older than this (seconds) is re-checked with the provider,
    pub calendar_freshness_secs: u64,
    /// waiting at most this long; after that the booking goes ahead on the cache.
    pub calendar_recheck_timeout_ms: u64,
    /// Seconds after the last good sync at which a broken connection's cache counts as stale.
    pub calendar_stale_after: u64,
    /// `block` (a host with a stale calendar offers no times) or `ignore`.
    pub calendar_stale_policy: String,
    /// ICS and CalDAV URLs may point at private addresses (a trusted network).
    pub calendar_allow_private: bool,
    pub calendar_allowed_hosts: String,
    /// A console session ends after this many hours without a request,
    pub session_idle_hours: u64,
    /// and this many days after sign-in in any case.
    pub session_max_days: u64,
    /// Anyone may create an account at `/auth/signup` (off: admins invite).
    pub signup: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/kairos.db".to_owned(),
            bind: "127.0.0.1:3000".to_owned(),
            base_url: None,
            secret_key: None,
            secret_key_previous: None,
            data_dir: PathBuf::from("data"),
            log_format: LogFormat::Human,
            log_level: "info".to_owned(),
            database_max_connections: 10,
            auto_migrate: true,
            workers: None,
            shutdown_timeout_secs: 30,
            slots_cache_ms: 1000,
            webhook_worker: true,
            webhook_allow_private: false,
            webhook_allowed_hosts: String::new(),
            webhook_retry_schedule: RetrySchedule::default().to_string(),
            webhook_lease_secs: 60,
            webhook_timeout_secs: 15,
            webhook_disable_after: 20,
            smtp_url: None,
            email_from: "Kairos <no-reply@localhost>".to_owned(),
            email_worker: true,
            email_retry_schedule: "1m,5m,30m,2h,6h,12h,24h,24h,24h".to_owned(),
            twilio_account_sid: None,
            twilio_auth_token: None,
            twilio_from: None,
            twilio_api_url: "https://api.twilio.com".to_owned(),
            sms_worker: true,
            sms_retry_schedule: "30s,2m,10m,30m,2h".to_owned(),
            email_lease_secs: 120,
            rate_limit_per_ip: "30/10m".to_owned(),
            rate_limit_per_host: "120/10m".to_owned(),
            trusted_proxies: String::new(),
            reservation_max_hold_minutes: 15,
            reservations_per_client: 5,
            max_guests: 10,
            frame_ancestors: "*".to_owned(),
            cors_origins: "*".to_owned(),
            body_timeout_secs: 10,
            metrics_token: None,
            metrics_bind: None,
            booking_proof_of_work: 0,
            google_client_id: None,
            google_client_secret: None,
            google_auth_url: "https://accounts.google.com/o/oauth2/v2/auth".to_owned(),
            google_token_url: "https://oauth2.googleapis.com/token".to_owned(),
            google_revoke_url: "https://oauth2.googleapis.com/revoke".to_owned(),
            google_api_url: "https://www.googleapis.com".to_owned(),
            microsoft_client_id: None,
            microsoft_client_secret: None,
            microsoft_auth_url: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize"
                .to_owned(),
            microsoft_token_url: "https://login.microsoftonline.com/common/oauth2/v2.0/token"
                .to_owned(),
            microsoft_graph_url: "https://graph.microsoft.com/v1.0".to_owned(),
            calendar_worker: true,
            calendar_sync_interval: 300,
            calendar_horizon_days: 90,
            calendar_freshness_secs: 60,
            calendar_recheck_timeout_ms: 2000,
            calendar_stale_after: 86400,
            calendar_stale_policy: "block".to_owned(),
            calendar_allow_private: false,
            calendar_allowed_hosts: String::new(),
            session_idle_hours: 24 * 7,
            session_max_days: 30,
            signup: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// An SSRF policy from a switch and a comma-separated list of exempt hosts.
fn policy(allow_private: bool, hosts: &str) -> Policy {
    Policy {
        allow_private,
        allowed_hosts: hosts
            .split(',')
            .map(|h| h.trim().to_lowercase())
            .filter(|h| !h.is_empty())
            .collect(),
    }
}

impl Config {
    /// Loads defaults, then `file` (or `./kairos.toml` when present), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.exists() => return Err(ConfigError::MissingFile(path.into())),
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new("kairos.toml").exists() => {
                figment = figment.merge(Toml::file_exact("kairos.toml"));
            }
            None => {}
        }
        // Only names we know are read, so unrelated KAIROS_* variables in a shell never break
        // start-up; a typo in the TOML file is reported instead.
        let known: Vec<&str> = Self::KEYS.to_vec();
        figment = figment.merge(Env::prefixed("KAIROS_").only(&known));
        let config: Config = figment
            .extract()
            .map_err(|e| ConfigError::Invalid(one_line(&e)))?;
        config.validate()?;
        Ok(config)
    }

    const KEYS: [&'static str; 66] = [
        "database_url",
        "bind",
        "base_url",
        "secret_key",
        "secret_key_previous",
        "data_dir",
        "log_format",
        "log_level",
        "database_max_connections",
        "auto_migrate",
        "workers",
        "shutdown_timeout_secs",
        "slots_cache_ms",
        "webhook_worker",
        "webhook_allow_private",
        "webhook_allowed_hosts",
        "webhook_retry_schedule",
        "webhook_lease_secs",
        "webhook_timeout_secs",
        "webhook_disable_after",
        "smtp_url",
        "email_from",
        "email_worker",
        "email_retry_schedule",
        "twilio_account_sid",
        "twilio_auth_token",
        "twilio_from",
        "twilio_api_url",
        "sms_worker",
        "sms_retry_schedule",
        "email_lease_secs",
        "rate_limit_per_ip",
        "rate_limit_per_host",
        "trusted_proxies",
        "reservation_max_hold_minutes",
        "reservations_per_client",
        "max_guests",
        "frame_ancestors",
        "cors_origins",
        "body_timeout_secs",
        "metrics_token",
        "metrics_bind",
        "booking_proof_of_work",
        "google_client_id",
        "google_client_secret",
        "google_auth_url",
        "google_token_url",
        "google_revoke_url",
        "google_api_url",
        "microsoft_client_id",
        "microsoft_client_secret",
        "microsoft_auth_url",
        "microsoft_token_url",
        "microsoft_graph_url",
        "calendar_worker",
        "calendar_sync_interval",
        "calendar_horizon_days",
        "calendar_freshness_secs",
        "calendar_recheck_timeout_ms",
        "calendar_stale_after",
        "calendar_stale_policy",
        "calendar_allow_private",
        "calendar_allowed_hosts",
        "session_idle_hours",
        "session_max_days",
        "signup",
    ];

    /// How long console sessions last, and whether their cookie is `Secure`.
    pub fn sessions(&self) -> crate::sessions::Settings {
        crate::sessions::Settings {
            idle: chrono::Duration::hours(self.session_idle_hours.min(24 * 365) as i64),
            absolute: chrono::Duration::days(self.session_max_days.min(3650) as i64),
            secure_cookie: self
                .base_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://")),
            signup: self.signup,
        }
    }

    /// Where hosts' calendar URLs (ICS feeds, CalDAV servers) may point.
    pub fn calendar_policy(&self) -> Policy {
        policy(self.calendar_allow_private, &self.calendar_allowed_hosts)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |m: String| Err(ConfigError::Invalid(m));
        if let Err(e) = DatabaseUrl::parse(&self.database_url) {
            return invalid(format!("KAIROS_DATABASE_URL: {e}"));
        }
        if self.session_idle_hours == 0 || self.session_max_days == 0 {
            return invalid(
                "KAIROS_SESSION_IDLE_HOURS and KAIROS_SESSION_MAX_DAYS must be at least 1".into(),
            );
        }
        let host_port = |b: &str| {
            matches!(b.rsplit_once(':'),
                Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok())
        };
        if !host_port(&self.bind) {
            return invalid(format!(
                "KAIROS_BIND must be host:port, e.g. 127.0.0.1:3000, got `{}`",
                self.bind
            ));
        }
        if let Some(bind) = &self.metrics_bind
            && !host_port(bind)
        {
            return invalid(format!(
                "KAIROS_METRICS_BIND must be host:port, e.g. 127.0.0.1:9090, got `{bind}`"
            ));
        }
        if let Some(token) = &self.metrics_token
            && token.expose().len() < 16
        {
            return invalid("KAIROS_METRICS_TOKEN must be at least 16 characters".to_owned());
        }
        if let Some(base) = &self.base_url {
            match url::Url::parse(base) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {}
                _ => {
                    return invalid(format!(
                        "KAIROS_BASE_URL must be an http(s) URL such as https://cal.example.com, got `{base}`"
                    ));
                }
            }
        }
        if let Some(secret) = &self.secret_key
            && secret.expose().len() < 32
        {
            return invalid("KAIROS_SECRET_KEY must be at least 32 characters".to_owned());
        }
        if let Some(previous) = &self.secret_key_previous
            && previous.expose().len() < 32
        {
            return invalid("KAIROS_SECRET_KEY_PREVIOUS must be at least 32 characters".to_owned());
        }
        if self.booking_proof_of_work > 50_000_000 {
            return invalid(
                "KAIROS_BOOKING_PROOF_OF_WORK must be at most 50000000 (about four minutes in a \
                 browser); 100000 takes about half a second"
                    .to_owned(),
            );
        }
        if !matches!(self.calendar_stale_policy.as_str(), "block" | "ignore") {
            return invalid(format!(
                "KAIROS_CALENDAR_STALE_POLICY must be `block` or `ignore`, got `{}`",
                self.calendar_stale_policy
            ));
        }
        if self.calendar_sync_interval < 10 || !(1..=730).contains(&self.calendar_horizon_days) {
            return invalid(
                "KAIROS_CALENDAR_SYNC_INTERVAL must be at least 10 (seconds) and \
                 KAIROS_CALENDAR_HORIZON_DAYS between 1 and 730"
                    .to_owned(),
            );
        }
        if self.database_max_connections == 0 {
            return invalid("KAIROS_DATABASE_MAX_CONNECTIONS must be at least 1".to_owned());
        }
        if self.workers == Some(0) {
            return invalid("KAIROS_WORKERS must be at least 1".to_owned());
        }
        if self.slots_cache_ms > 60_000 {
            return invalid(
                "KAIROS_SLOTS_CACHE_MS must be at most 60000 (answers follow the clock)".to_owned(),
            );
        }
        if let Err(e) = RetrySchedule::parse(&self.webhook_retry_schedule) {
            return invalid(format!("KAIROS_WEBHOOK_RETRY_SCHEDULE: {e}"));
        }
        if !(1..=300).contains(&self.webhook_timeout_secs) {
            return invalid("KAIROS_WEBHOOK_TIMEOUT_SECS must be between 1 and 300".to_owned());
        }
        if self.webhook_lease_secs < 2 * self.webhook_timeout_secs + 1 {
            return invalid(format!(
                "KAIROS_WEBHOOK_LEASE_SECS must exceed twice the timeout ({} s), or a slow \
                 receiver would get a delivery twice",
                2 * self.webhook_timeout_secs
            ));
        }
        if self.webhook_disable_after == 0 {
            return invalid("KAIROS_WEBHOOK_DISABLE_AFTER must be at least 1".to_owned());
        }
        if let Some(smtp) = &self.smtp_url {
            match url::Url::parse(smtp.expose()) {
                Ok(url) if matches!(url.scheme(), "smtp" | "smtps") && url.has_host() => {}
                // The URL may hold a password: it is not echoed.
                _ => {
                    return invalid(
                        "KAIROS_SMTP_URL must look like smtp://host:587?tls=required or smtps://user:password@host:465"
                            .to_owned(),
                    );
                }
            }
        }
        if let Err(e) = self.email_from.parse::<lettre::message::Mailbox>() {
            return invalid(format!(
                "KAIROS_EMAIL_FROM must be an address such as `Kairos <bookings@example.com>`, got `{}`: {e}",
                self.email_from
            ));
        }
        if self.email_lease_secs < 3 {
            return invalid("KAIROS_EMAIL_LEASE_SECS must be at least 3".to_owned());
        }
        if let Err(e) = RetrySchedule::parse(&self.email_retry_schedule) {
            return invalid(format!("KAIROS_EMAIL_RETRY_SCHEDULE: {e}"));
        }
        if let Err(e) = self.try_limits() {
            return invalid(e);
        }
        if let Err(e) = self.try_sms() {
            return invalid(e);
        }
        if let Err(e) = crate::http::FrameAncestors::parse(&self.frame_ancestors) {
            return invalid(format!("KAIROS_FRAME_ANCESTORS: {e}"));
        }
        if let Err(e) = crate::http::CorsOrigins::parse(&self.cors_origins) {
            return invalid(format!("KAIROS_CORS_ORIGINS: {e}"));
        }
        if !(1..=600).contains(&self.body_timeout_secs) {
            return invalid("KAIROS_BODY_TIMEOUT_SECS must be between 1 and 600".to_owned());
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log_level) {
            return invalid(format!("KAIROS_LOG_LEVEL `{}`: {e}", self.log_level));
        }
        Ok(())
    }

    /// The webhook worker's settings, from the validated configuration.
    pub fn webhook_worker(&self) -> WorkerConfig {
        WorkerConfig {
            policy: self.webhook_policy(),
            schedule: RetrySchedule::parse(&self.webhook_retry_schedule)
                .expect("validated when the configuration loaded"),
            lease: std::time::Duration::from_secs(self.webhook_lease_secs),
            disable_after: self.webhook_disable_after,
            timeout: std::time::Duration::from_secs(self.webhook_timeout_secs),
            ..WorkerConfig::default()
        }
    }

    /// Where booking emails go and how often they are tried, when an SMTP server is configured.
    pub fn email(&self) -> Option<EmailSettings> {
        let smtp_url = self.smtp_url.clone()?;
        Some(EmailSettings {
            smtp_url,
            from: self
                .email_from
                .parse()
                .expect("validated when the configuration loaded"),
            schedule: RetrySchedule::parse(&self.email_retry_schedule)
                .expect("validated when the configuration loaded"),
            lease: std::time::Duration::from_secs(self.email_lease_secs),
        })
    }

    /// Where text messages go, when Twilio is configured.
    pub fn sms(&self) -> Option<crate::sms::TwilioSettings> {
        self.try_sms()
            .expect("validated when the configuration loaded")
    }

    fn try_sms(&self) -> Result<Option<crate::sms::TwilioSettings>, String> {
        let (sid, token, from) = match (
            &self.twilio_account_sid,
            &self.twilio_auth_token,
            &self.twilio_from,
        ) {
            (None, None, None) => return Ok(None),
            (Some(sid), Some(token), Some(from)) => (sid.trim(), token, from),
            _ => {
                return Err("KAIROS_TWILIO_ACCOUNT_SID, KAIROS_TWILIO_AUTH_TOKEN and \
                            KAIROS_TWILIO_FROM go together: set all three, or none"
                    .into());
            }
        };
        if sid.is_empty() || !sid.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err("KAIROS_TWILIO_ACCOUNT_SID must be the account SID (AC…)".into());
        }
        let sender = crate::sms::twilio::Sender::parse(from)
            .map_err(|e| format!("KAIROS_TWILIO_FROM: {e}"))?;
        let schedule = RetrySchedule::parse(&self.sms_retry_schedule)
            .map_err(|e| format!("KAIROS_SMS_RETRY_SCHEDULE: {e}"))?;
        match url::Url::parse(&self.twilio_api_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {}
            _ => return Err("KAIROS_TWILIO_API_URL must be an http(s) URL".into()),
        }
        Ok(Some(crate::sms::TwilioSettings {
            account_sid: sid.to_owned(),
            auth_token: token.clone(),
            sender,
            api_url: self.twilio_api_url.clone(),
            timeout: std::time::Duration::from_secs(15),
            schedule,
        }))
    }

    /// The abuse limits, from the validated configuration.
    pub fn limits(&self) -> crate::limits::Settings {
        self.try_limits()
            .expect("validated when the configuration loaded")
    }

    fn try_limits(&self) -> Result<crate::limits::Settings, String> {
        use crate::limits::{Quota, TrustedProxies};
        let quota = |name: &str, raw: &str| match raw.trim() {
            "off" | "0" => Ok(None),
            raw => Quota::parse(raw)
                .map(Some)
                .map_err(|e| format!("{name}: {e}")),
        };
        if !(1..=24 * 60).contains(&self.reservation_max_hold_minutes) {
            return Err("KAIROS_RESERVATION_MAX_HOLD_MINUTES must be between 1 and 1440".into());
        }
        if !(1..=1000).contains(&self.max_guests) {
            return Err("KAIROS_MAX_GUESTS must be between 1 and 1000".into());
        }
        Ok(crate::limits::Settings {
            per_ip: quota("KAIROS_RATE_LIMIT_PER_IP", &self.rate_limit_per_ip)?,
            per_host: quota("KAIROS_RATE_LIMIT_PER_HOST", &self.rate_limit_per_host)?,
            trusted_proxies: TrustedProxies::parse(&self.trusted_proxies)
                .map_err(|e| format!("KAIROS_TRUSTED_PROXIES: {e}"))?,
            max_hold: std::time::Duration::from_secs(
                u64::from(self.reservation_max_hold_minutes) * 60,
            ),
            holds_per_client: self.reservations_per_client,
            max_guests: self.max_guests as usize,
        })
    }

    /// Which subscriber addresses are allowed.
    pub fn webhook_policy(&self) -> Policy {
        policy(self.webhook_allow_private, &self.webhook_allowed_hosts)
    }

    pub fn database(&self) -> DatabaseUrl {
        DatabaseUrl::parse(&self.database_url).expect("validated when the configuration loaded")
    }

    /// The configured secret key, or the one kept in the data directory, created on first use.
    pub fn resolve_secret_key(&self) -> anyhow::Result<Secret> {
        if let Some(secret) = self.existing_secret_key()? {
            return Ok(secret);
        }
        let path = self.data_dir.join("secret.key");
        let generated = {
            use rand::RngCore;
            let mut bytes = [0u8; 32];
            rand::rng().fill_bytes(&mut bytes);
            hex::encode(bytes)
        };
        write_private_file(&path, &generated)?;
        Ok(Secret::new(generated))
    }

    /// The configured secret key, or the one in the data directory when it exists; creates
    /// none (for commands that must not invent a key, such as `kairos migrate`).
    pub fn existing_secret_key(&self) -> anyhow::Result<Option<Secret>> {
        if let Some(secret) = &self.secret_key {
            return Ok(Some(secret.clone()));
        }
        let path = self.data_dir.join("secret.key");
        let Ok(existing) = std::fs::read_to_string(&path) else {
            return Ok(None);
        };
        let existing = existing.trim().to_owned();
        anyhow::ensure!(
            existing.len() >= 32,
            "{} holds a key shorter than 32 characters; delete it to generate a new one",
            path.display()
        );
        Ok(Some(Secret::new(existing)))
    }
}

fn write_private_file(path: &Path, contents: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(contents.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}

fn one_line(err: &figment::Error) -> String {
    err.to_string().replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn rejects_bad_values_with_the_setting_named() {
        type Change = fn(&mut Config);
        let cases: [(Change, &str); 9] = [
            (
                |c| c.database_url = "mysql://x".into(),
                "KAIROS_DATABASE_URL",
            ),
            (|c| c.bind = "3000".into(), "KAIROS_BIND"),
            (|c| c.base_url = Some("ftp://x".into()), "KAIROS_BASE_URL"),
            (
                |c| c.secret_key = Some(Secret::new("short".into())),
                "KAIROS_SECRET_KEY",
            ),
            (|c| c.log_level = "info,[".into(), "KAIROS_LOG_LEVEL"),
            (
                |c| c.rate_limit_per_ip = "lots".into(),
                "KAIROS_RATE_LIMIT_PER_IP",
            ),
            (
                |c| c.trusted_proxies = "10.0.0.0/99".into(),
                "KAIROS_TRUSTED_PROXIES",
            ),
            (|c| c.max_guests = 0, "KAIROS_MAX_GUESTS"),
            (
                |c| c.reservation_max_hold_minutes = 0,
                "KAIROS_RESERVATION_MAX_HOLD_MINUTES",
            ),
        ];
        for (change, setting) in cases {
            let mut config = Config::default();
            change(&mut config);
            let message = config.validate().unwrap_err().to_string();
            assert!(message.contains(setting), "{message}");
        }
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let config = Config {
            secret_key: Some(Secret::new("x".repeat(40))),
            ..Config::default()
        };
        assert!(!format!("{config:?}").contains("xxxx"));
    }

    #[test]
    fn secret_key_is_generated_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: dir.path().join("nested"),
            ..Config::default()
        };
        let first = config.resolve_secret_key().unwrap();
        let second = config.resolve_secret_key().unwrap();
        assert_eq!(first, second);
        assert_eq!(first.expose().len(), 64);
    }
}
