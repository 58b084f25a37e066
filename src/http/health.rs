//! `GET /health`: 200 when the database answers, 503 when it does not.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::AppState;

const PING_TIMEOUT: Duration = Duration::from_secs(3);

pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let backend = match state.db.backend() {
        crate::storage::Backend::Sqlite => "sqlite",
        crate::storage::Backend::Postgres => "postgres",
    };
    let db = state.db.clone();
    // The timeout drops the waiting future, never the query itself (see `detached`).
    let ping = super::detached(async move { db.ping().await });
    match tokio::time::timeout(PING_TIMEOUT, ping).await {
        Ok(Ok(Ok(()))) => HttpResponse::Ok().json(json!({
            "status": "ok",
            "database": {"status": "ok", "backend": backend},
        })),
        outcome => {
            let reason = match outcome {
                Ok(Ok(Err(e))) => e.to_string(),
                Ok(Err(e)) => e.to_string(),
                _ => format!("no answer within {} s", PING_TIMEOUT.as_secs()),
            };
            tracing::warn!(reason, "health check: database unreachable");
            HttpResponse::ServiceUnavailable().json(json!({
                "status": "error",
                "database": {"status": "unreachable", "backend": backend},
            }))
        }
    }
}
