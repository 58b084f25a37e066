//! Kairos: a self-hosted scheduling engine with a Cal.com-compatible API.
//!
//! [`Application::build`] turns a [`config::Config`] into a running server; `main` and the
//! integration tests both start Kairos this way.

pub mod accounts;
pub mod auth;
pub mod availability;
pub mod booking;
pub mod calendars;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod demo;
pub mod domain;
pub mod error;
pub mod event_types;
pub mod headless;
pub mod http;
pub mod i18n;
pub mod ical;
pub mod insights;
pub mod jobs;
pub mod limits;
pub mod links;
pub mod notify;
pub mod out_of_office;
pub mod pow;
pub mod private_links;
pub mod routing_forms;
pub mod schedules;
pub mod secret;
pub mod service;
pub mod sessions;
pub mod sms;
pub mod storage;
pub mod teams;
pub mod telemetry;
pub mod webhooks;
pub mod workflows;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;

use crate::config::Config;
use crate::crypto::{Purpose, Vault};
use crate::secret::Secret;
use crate::storage::{Db, PoolOptions, redact_url, run_migrations};

/// A bound, migrated, ready-to-run Kairos server.
pub struct Application {
    address: SocketAddr,
    base_url: String,
    db: Db,
    secret_key: Secret,
    webhook_secrets: Arc<Vault>,
    /// The job runners' clock (tests move it forward).
    clock: jobs::Clock,
    server: Server,
    /// The `KAIROS_METRICS_BIND` listener's address and server.
    metrics_server: Option<(SocketAddr, Server)>,
    webhook_worker: Option<tokio::task::JoinHandle<()>>,
    mailer: Option<tokio::task::JoinHandle<()>>,
    sms_sender: Option<tokio::task::JoinHandle<()>>,
    /// The runner of due workflow steps (reminders).
    reminders: Option<tokio::task::JoinHandle<()>>,
    /// The calendar sync and write-back runners.
    calendar_sync: Option<[tokio::task::JoinHandle<()>; 2]>,
    /// Booking-page views not yet written, and the runner that writes them.
    page_views: (Arc<insights::views::PageViews>, tokio::task::JoinHandle<()>),
}

/// The `KAIROS_METRICS_BIND` listener, when one is configured: `/metrics` and nothing else.
fn metrics_listener(
    config: &Config,
    state: &web::Data<http::AppState>,
    metrics: &web::Data<http::Metrics>,
) -> anyhow::Result<Option<(SocketAddr, Server)>> {
    let Some(bind) = &config.metrics_bind else {
        return Ok(None);
    };
    let listener = std::net::TcpListener::bind(bind)
        .with_context(|| format!("cannot listen on {bind} for metrics"))?;
    let address = listener.local_addr()?;
    let token = config.metrics_token.clone();
    let server = http::metrics_server(listener, state.clone(), metrics.clone(), token)?;
    Ok(Some((address, server)))
}

/// The signer of password links and form tokens: the server and `kairos user invite` derive
/// it here, so a link the command line prints opens on the server.
pub(crate) fn token_signer(secret_key: &Secret) -> auth::TokenSigner {
    auth::TokenSigner::new(&crypto::derive_key(secret_key, Purpose::SIGNED_TOKEN))
}

/// What the admin overview shows of the configuration.
fn setup(config: &Config, calendars: &calendars::Calendars) -> accounts::admin::Setup {
    let email = config.smtp_url.is_some();
    accounts::admin::Setup {
        email,
        google_calendar: calendars.google.is_some(),
        microsoft_calendar: calendars.microsoft.is_some(),
        signup: config.signup,
        // actix's own default when none is configured.
        http_workers: config.workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        }),
        webhook_worker: config.webhook_worker,
        email_worker: email && config.email_worker,
        calendar_worker: config.calendar_worker,
    }
}

impl Application {
    /// Connects the database, applies pending migrations and seals stored secrets (unless
    /// disabled), and binds the listener. Port 0 picks a free port; [`Application::address`]
    /// tells which.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let options = PoolOptions {
            max_connections: config.database_max_connections,
            acquire_timeout: Duration::from_secs(5),
        };
        let db = Db::connect(&config.database(), &options)?;
        let secret_key = config.resolve_secret_key()?;
        let webhook_secrets = Arc::new(webhook_vault(&config, &secret_key));
        if config.auto_migrate {
            migrate(&db, &config, &webhook_secrets).await?;
        }

        let listener = std::net::TcpListener::bind(&config.bind)
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let address = listener.local_addr()?;
        let base_url = config
            .base_url
            .as_deref()
            .map(|url| url.trim_end_matches('/').to_owned())
            .unwrap_or_else(|| format!("http://{address}"));

        let clock = jobs::Clock::default();
        let mut calendars = calendars::service(&config, &db, &secret_key, &base_url)?;
        calendars.clock = clock.clone();
        let sms = config
            .sms()
            .map(sms::Twilio::new)
            .transpose()?
            .map(Arc::new);
        let page_views = Arc::new(insights::views::PageViews::default());
        let state = web::Data::new(http::AppState {
            db: db.clone(),
            base_url: base_url.clone(),
            secret_key: secret_key.clone(),
            slots_cache: http::SlotsCache::new(Duration::from_millis(config.slots_cache_ms)),
            outbox: webhooks::Outbox {
                booker_url: base_url.clone(),
                email: config.smtp_url.is_some(),
                sms: sms.is_some(),
                clock: clock.clone(),
                signer: token_signer(&secret_key),
            },
            sms: sms.clone(),
            webhook_policy: config.webhook_policy(),
            limits: limits::Limits::new(config.limits()),
            webhook_secrets: webhook_secrets.clone(),
            proof_of_work: (config.booking_proof_of_work > 0)
                .then(|| pow::ProofOfWork::new(secret_key.expose(), config.booking_proof_of_work)),
            calendars: Some(calendars.clone()),
            sessions: config.sessions(),
            signer: token_signer(&secret_key),
            setup: setup(&config, &calendars),
            page_views: page_views.clone(),
        });
        let frame_ancestors = web::Data::new(
            http::FrameAncestors::parse(&config.frame_ancestors).map_err(anyhow::Error::msg)?,
        );
        let cors_origins = web::Data::new(
            http::CorsOrigins::parse(&config.cors_origins).map_err(anyhow::Error::msg)?,
        );
        let body_timeout = web::Data::new(http::BodyTimeout(Duration::from_secs(
            config.body_timeout_secs,
        )));
        let metrics = web::Data::new(http::Metrics::default());
        let webhook_tally = metrics.tally(storage::metrics::WEBHOOK_QUEUE);
        let email_tally = metrics.tally(notify::QUEUE);
        let calendar_tally = metrics.tally(calendars::sync::QUEUE);
        let writer_tally = metrics.tally(calendars::writeback::QUEUE);
        let views_tally = metrics.tally(insights::views::QUEUE);
        let sms_tally = metrics.tally(sms::QUEUE);
        let reminder_tally = metrics.tally(workflows::QUEUE);
        let metrics_access = web::Data::new(http::MetricsAccess {
            served_here: config.metrics_bind.is_none() && config.metrics_token.is_some(),
            token: config.metrics_token.clone(),
        });
        let metrics_server = metrics_listener(&config, &state, &metrics)?;
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(from_fn(http::refuse_nul_in_url))
                .app_data(metrics.clone())
                .app_data(metrics_access.clone())
                .app_data(frame_ancestors.clone())
                .app_data(body_timeout.clone())
                .app_data(cors_origins.clone())
                .wrap(from_fn(http::body_deadline))
                .wrap(from_fn(http::cors))
                .wrap(from_fn(http::embedded_error_pages))
                .wrap(from_fn(http::request_span))
                .wrap(from_fn(http::security_headers))
                // Only for clients that ask (Accept-Encoding); pages and their assets shrink ~5x.
                .wrap(actix_web::middleware::Compress::default())
                .configure(http::configure)
        })
        .listen(listener)?
        .shutdown_timeout(config.shutdown_timeout_secs);
        if let Some(workers) = config.workers {
            server = server.workers(workers);
        }
        let webhook_worker = if config.webhook_worker {
            let worker = webhooks::worker::WorkerConfig {
                tally: webhook_tally,
                clock: clock.clone(),
                ..config.webhook_worker()
            };
            Some(webhooks::worker::spawn(
                db.clone(),
                worker,
                webhook_secrets.clone(),
            )?)
        } else {
            None
        };
        let mailer = match config.email() {
            Some(email) if config.email_worker => {
                let mailer = notify::worker::MailerConfig {
                    tally: email_tally,
                    clock: clock.clone(),
                    ..notify::mailer(email)
                };
                Some(notify::worker::spawn(db.clone(), mailer)?)
            }
            Some(_) => None,
            None => {
                tracing::info!("email is off: set KAIROS_SMTP_URL to send confirmations");
                None
            }
        };
        let sms_on = sms.is_some();
        let sms_sender = (sms.filter(|_| config.sms_worker)).map(|twilio| {
            let schedule = twilio.schedule().clone();
            sms::worker::spawn(db.clone(), twilio, schedule, clock.clone(), sms_tally)
        });
        let calendar_sync = config.calendar_worker.then(|| {
            let settings = calendars::sync_settings(&config, calendar_tally);
            [
                calendars::sync::spawn(db.clone(), calendars.clone(), settings),
                calendars::spawn_writer(db.clone(), calendars, writer_tally),
            ]
        });
        // Due steps become emails and webhook deliveries: run wherever either sender runs.
        let reminders = (config.webhook_worker || config.email_worker).then(|| {
            let outbox = webhooks::Outbox {
                booker_url: base_url.clone(),
                email: config.smtp_url.is_some(),
                sms: sms_on,
                clock: clock.clone(),
                signer: token_signer(&secret_key),
            };
            let lease = Duration::from_secs(config.email_lease_secs);
            workflows::spawn(db.clone(), outbox, reminder_tally, lease)
        });
        let views_runner = insights::views::spawn(db.clone(), page_views.clone(), views_tally);
        Ok(Self {
            address,
            base_url,
            db,
            secret_key,
            webhook_secrets,
            clock,
            server: server.run(),
            metrics_server,
            webhook_worker,
            mailer,
            sms_sender,
            reminders,
            calendar_sync,
            page_views: (page_views, views_runner),
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Where `/metrics` is served when `KAIROS_METRICS_BIND` is set.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics_server.as_ref().map(|(address, _)| *address)
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The job runners' clock: in-process callers (tests) may move it forward to make
    /// reminders due.
    pub fn clock(&self) -> jobs::Clock {
        self.clock.clone()
    }

    pub fn secret_key(&self) -> &Secret {
        &self.secret_key
    }

    /// What seals and opens webhook signing secrets (the worker's, for tools and benches).
    pub fn webhook_secrets(&self) -> Arc<Vault> {
        self.webhook_secrets.clone()
    }

    /// Serves until SIGINT or SIGTERM, then lets in-flight requests finish (up to the
    /// configured grace period) before returning.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let metrics = self.metrics_server.map(|(_, server)| {
            let handle = server.handle();
            tokio::spawn(server);
            handle
        });
        let outcome = self.server.await;
        if let Some(metrics) = metrics {
            metrics.stop(true).await;
        }
        // Deliveries in flight keep their leases and are sent again after them.
        if let Some(worker) = self.webhook_worker {
            worker.abort();
        }
        // So do emails: an email whose outcome was not recorded is sent again.
        if let Some(mailer) = self.mailer {
            mailer.abort();
        }
        // And text messages.
        if let Some(sender) = self.sms_sender {
            sender.abort();
        }
        // A due step not yet handed over is handed over after the restart, once.
        if let Some(reminders) = self.reminders {
            reminders.abort();
        }
        // A sync cut short keeps its lease; the connection is read again after it.
        for task in self.calendar_sync.into_iter().flatten() {
            task.abort();
        }
        // The views counted since the last batch: written now, or lost with the process.
        let (views, runner) = self.page_views;
        runner.abort();
        if let Err(e) = views.flush(&self.db).await {
            tracing::warn!(error = %e, "page views counted since the last batch were not written");
        }
        outcome
    }
}

/// The vault of webhook signing secrets: the current secret key, and the previous one while a
/// rotation is under way.
pub fn webhook_vault(config: &Config, secret_key: &Secret) -> Vault {
    Vault::new(
        Purpose::WEBHOOK_SECRET,
        secret_key,
        config.secret_key_previous.as_ref(),
    )
}

/// Applies pending migrations, then seals the stored secrets that are still plaintext or
/// sealed with the previous key (`kairos migrate` and start-up).
pub async fn migrate(db: &Db, config: &Config, secrets: &Vault) -> anyhow::Result<Vec<String>> {
    let applied = run_migrations(db)
        .await
        .with_context(|| format!("migrating {}", redact_url(&config.database_url)))?;
    if !applied.is_empty() {
        tracing::info!(?applied, "applied database migrations");
    }
    let resealed = webhooks::subscriptions::reseal_secrets(db, secrets)
        .await
        .map_err(|e| anyhow::anyhow!("sealing webhook secrets: {e}"))?;
    if resealed.sealed > 0 {
        tracing::info!(
            count = resealed.sealed,
            key_id = secrets.key_id(),
            "sealed webhook secrets with the current secret key"
        );
    }
    if !resealed.unreadable.is_empty() {
        tracing::error!(
            subscriptions = ?resealed.unreadable,
            "webhook secrets sealed with an unknown secret key: their deliveries fail until \
             the key is set as KAIROS_SECRET_KEY_PREVIOUS or the secrets are set again"
        );
    }
    Ok(applied)
}
