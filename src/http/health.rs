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
    match tokio::time::timeout(PING_TIMEOUT, state.db.ping()).await {
        Ok(Ok(())) => HttpResponse::Ok().json(json!({
            "status": "ok",
            "database": {"status": "ok", "backend": backend},
        })),
        outcome => {
            let reason = match outcome {
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
