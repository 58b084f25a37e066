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
  KAIROS_BIND                  host:port to listen on                      [default: 127.0.0.1:3000]
  KAIROS_BASE_URL              public URL used in links and emails         [default: http://<bind address>]
  KAIROS_SECRET_KEY            signing key, 32+ characters; shared by all instances
                               [default: generated once into <data dir>/secret.key]
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
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    pub base_url: Option<String>,
    pub secret_key: Option<Secret>,
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
    /// The hosted booking form asks the browser for a proof of work up to this number; 0 = off.
    pub booking_proof_of_work: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/kairos.db".to_owned(),
            bind: "127.0.0.1:3000".to_owned(),
            base_url: None,
            secret_key: None,
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
            booking_proof_of_work: 0,
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

    const KEYS: [&'static str; 23] = [
        "database_url",
        "bind",
        "base_url",
        "secret_key",
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
    ];

    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |m: String| Err(ConfigError::Invalid(m));
        if let Err(e) = DatabaseUrl::parse(&self.database_url) {
            return invalid(format!("KAIROS_DATABASE_URL: {e}"));
        }
        match self.bind.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {}
            _ => {
                return invalid(format!(
                    "KAIROS_BIND must be host:port, e.g. 127.0.0.1:3000, got `{}`",
                    self.bind
                ));
            }
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
        if self.booking_proof_of_work > 50_000_000 {
            return invalid(
                "KAIROS_BOOKING_PROOF_OF_WORK must be at most 50000000 (about four minutes in a \
                 browser); 100000 takes about half a second"
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
        if let Err(e) = RetrySchedule::parse(&self.email_retry_schedule) {
            return invalid(format!("KAIROS_EMAIL_RETRY_SCHEDULE: {e}"));
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
        })
    }

    /// Which subscriber addresses are allowed.
    pub fn webhook_policy(&self) -> Policy {
        Policy {
            allow_private: self.webhook_allow_private,
            allowed_hosts: self
                .webhook_allowed_hosts
                .split(',')
                .map(|h| h.trim().to_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        }
    }

    pub fn database(&self) -> DatabaseUrl {
        DatabaseUrl::parse(&self.database_url).expect("validated when the configuration loaded")
    }

    /// The configured secret key, or the one kept in the data directory, created on first use.
    pub fn resolve_secret_key(&self) -> anyhow::Result<Secret> {
        if let Some(secret) = &self.secret_key {
            return Ok(secret.clone());
        }
        let path = self.data_dir.join("secret.key");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            let existing = existing.trim().to_owned();
            anyhow::ensure!(
                existing.len() >= 32,
                "{} holds a key shorter than 32 characters; delete it to generate a new one",
                path.display()
            );
            return Ok(Secret::new(existing));
        }
        let generated = {
            use rand::RngCore;
            let mut bytes = [0u8; 32];
            rand::rng().fill_bytes(&mut bytes);
            hex::encode(bytes)
        };
        write_private_file(&path, &generated)?;
        Ok(Secret::new(generated))
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
        let cases: [(Change, &str); 5] = [
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
