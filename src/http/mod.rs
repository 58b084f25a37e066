//! HTTP: the actix-web application. `api/` serves Cal.com's REST API v2 as JSON; handlers parse
//! input into domain values, call a use case, and map the result. Writes never go to storage
//! directly from here.

pub mod admission;
mod api;
pub use api::read_booking_request;
mod body_deadline;
mod cors;
mod extract;
mod health;
mod metrics;
mod pages;
mod request_log;
mod security_headers;
mod slots_cache;
mod url_check;

pub use slots_cache::SlotsCache;

use actix_web::{HttpRequest, web};

use crate::error::ApiError;
use crate::secret::Secret;
use crate::storage::Db;

/// Request bodies above this size are refused before they are parsed.
pub const MAX_JSON_BODY: usize = 256 * 1024;

/// What every handler can reach.
pub struct AppState {
    pub db: Db,
    pub base_url: String,
    pub secret_key: Secret,
    pub slots_cache: SlotsCache,
    pub outbox: crate::webhooks::Outbox,
    pub webhook_policy: crate::webhooks::ssrf::Policy,
    pub limits: crate::limits::Limits,
    /// Seals webhook signing secrets before they are stored.
    pub webhook_secrets: std::sync::Arc<crate::crypto::Vault>,
    /// The booking form's proof of work, when `KAIROS_BOOKING_PROOF_OF_WORK` is on.
    pub proof_of_work: Option<crate::pow::ProofOfWork>,
    /// External calendars' use cases.
    pub calendars: Option<crate::calendars::Calendars>,
    /// How console sessions last.
    pub sessions: crate::sessions::Settings,
    /// Signs the short-lived tokens of links and forms (password links, sign-in forms).
    pub signer: crate::auth::TokenSigner,
    /// How the instance is set up, for the admin overview.
    pub setup: crate::accounts::admin::Setup,
    /// Text messages' provider, when configured (its inbound webhook is checked with it).
    pub sms: Option<std::sync::Arc<crate::sms::Twilio>>,
    /// Booking-page views counted in memory until the `page_views` queue writes them.
    pub page_views: std::sync::Arc<crate::insights::views::PageViews>,
}

/// Every route, in one place.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(json_config())
        .app_data(web::PayloadConfig::new(MAX_JSON_BODY))
        .app_data(query_config())
        .app_data(path_config())
        .route("/health", web::get().to(health::health))
        .route("/metrics", web::get().to(metrics::scrape))
        .service(web::scope("/v2").configure(api::configure))
        .configure(pages::configure)
        .default_service(web::to(not_found));
}

pub use body_deadline::{BodyTimeout, body_deadline};
pub use cors::{CorsOrigins, cors};
pub use metrics::{Metrics, MetricsAccess, server as metrics_server};
pub use pages::embedded_error_pages;
pub use request_log::request_span;
pub use security_headers::{FrameAncestors, security_headers};
pub use url_check::refuse_nul_in_url;

/// Runs `work` as its own task on this worker and waits for it. Dropping the returned future
/// detaches the task instead of cancelling it: a SQLite query cancelled half-way on actix's
/// current-thread workers would panic inside diesel-async (its cancel guard calls
/// `block_in_place`), and a cancelled write is a half-finished one. Every database call made
/// from HTTP code runs inside one of these: the request middleware wraps each handler, and
/// extractors and timeouts that can drop a future early wrap their own calls.
pub async fn detached<F>(work: F) -> Result<F::Output, ApiError>
where
    F: std::future::Future + 'static,
    F::Output: 'static,
{
    actix_web::rt::spawn(work)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("request task failed: {e}")))
}

fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_JSON_BODY)
        .error_handler(|err, _req| {
            use actix_web::error::JsonPayloadError;
            let api = match &err {
                JsonPayloadError::OverflowKnownLength { .. }
                | JsonPayloadError::Overflow { .. } => ApiError::PayloadTooLarge(format!(
                    "The request body is larger than the limit of {MAX_JSON_BODY} bytes"
                )),
                JsonPayloadError::ContentType => ApiError::BadRequest(
                    "The request body must be JSON, sent with Content-Type: application/json"
                        .into(),
                ),
                other => ApiError::BadRequest(format!("The request body is not valid: {other}")),
            };
            api.into()
        })
}

fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        ApiError::BadRequest(format!("The query string is not valid: {err}")).into()
    })
}

fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _req| {
        ApiError::NotFound(format!("The path is not valid: {err}")).into()
    })
}

async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, actix_web::Error> {
    if let Some(page) = pages::not_found_in_embed(&req) {
        return Err(page.into());
    }
    Err(ApiError::NotFound(format!(
        "Cannot {} {}: no such route",
        req.method(),
        req.path()
    ))
    .into())
}
