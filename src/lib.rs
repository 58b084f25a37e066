//! Kairos: a self-hosted scheduling engine with a Cal.com-compatible API.
//!
//! [`Application::build`] turns a [`config::Config`] into a running server; `main` and the
//! integration tests both start Kairos this way.

pub mod accounts;
pub mod auth;
pub mod availability;
pub mod booking;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod event_types;
pub mod headless;
pub mod http;
pub mod ical;
pub mod jobs;
pub mod notify;
pub mod pow;
pub mod schedules;
pub mod secret;
pub mod service;
pub mod storage;
pub mod teams;
pub mod telemetry;
pub mod webhooks;

use std::net::SocketAddr;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;

use crate::config::Config;
use crate::secret::Secret;
use crate::storage::{Db, PoolOptions, redact_url, run_migrations};

/// A bound, migrated, ready-to-run Kairos server.
pub struct Application {
    address: SocketAddr,
    base_url: String,
    db: Db,
    secret_key: Secret,
    server: Server,
    webhook_worker: Option<tokio::task::JoinHandle<()>>,
    mailer: Option<tokio::task::JoinHandle<()>>,
}

impl Application {
    /// Connects the database, applies pending migrations (unless disabled), and binds the
    /// listener. Port 0 picks a free port; [`Application::address`] tells which.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let options = PoolOptions {
            max_connections: config.database_max_connections,
            acquire_timeout: Duration::from_secs(5),
        };
        let db = Db::connect(&config.database(), &options)?;
        if config.auto_migrate {
            let applied = run_migrations(&db)
                .await
                .with_context(|| format!("migrating {}", redact_url(&config.database_url)))?;
            if !applied.is_empty() {
                tracing::info!(?applied, "applied database migrations");
            }
        }
        let secret_key = config.resolve_secret_key()?;

        let listener = std::net::TcpListener::bind(&config.bind)
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let address = listener.local_addr()?;
        let base_url = config
            .base_url
            .as_deref()
            .map(|url| url.trim_end_matches('/').to_owned())
            .unwrap_or_else(|| format!("http://{address}"));

        let state = web::Data::new(http::AppState {
            db: db.clone(),
            base_url: base_url.clone(),
            secret_key: secret_key.clone(),
            slots_cache: http::SlotsCache::new(Duration::from_millis(config.slots_cache_ms)),
            outbox: webhooks::Outbox {
                booker_url: base_url.clone(),
                email: config.smtp_url.is_some(),
            },
            webhook_policy: config.webhook_policy(),
            proof_of_work: (config.booking_proof_of_work > 0).then(|| {
                pow::ProofOfWork::new(secret_key.expose(), config.booking_proof_of_work)
            }),
        });
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(from_fn(http::request_span))
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
            Some(webhooks::worker::spawn(
                db.clone(),
                config.webhook_worker(),
            )?)
        } else {
            None
        };
        let mailer = match config.email() {
            Some(email) if config.email_worker => {
                Some(notify::worker::spawn(db.clone(), notify::mailer(email))?)
            }
            Some(_) => None,
            None => {
                tracing::info!("email is off: set KAIROS_SMTP_URL to send confirmations");
                None
            }
        };
        Ok(Self {
            address,
            base_url,
            db,
            secret_key,
            server: server.run(),
            webhook_worker,
            mailer,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn secret_key(&self) -> &Secret {
        &self.secret_key
    }

    /// Serves until SIGINT or SIGTERM, then lets in-flight requests finish (up to the
    /// configured grace period) before returning.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let outcome = self.server.await;
        // Deliveries in flight keep their leases and are sent again after them.
        if let Some(worker) = self.webhook_worker {
            worker.abort();
        }
        // So do emails: an email whose outcome was not recorded is sent again.
        if let Some(mailer) = self.mailer {
            mailer.abort();
        }
        outcome
    }
}
