//! `POST /v2/availability/query`: the headless availability query. Nothing is read from or
//! written to the database; the document describes the whole situation.

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use crate::error::ApiError;
use crate::headless::{self, AnswerOptions};
use crate::http::extract::Authenticated;

/// Team documents with tens of thousands of busy intervals run to megabytes.
pub const MAX_QUERY_BODY: usize = 16 * 1024 * 1024;

#[derive(Debug, Deserialize)]
pub struct Params {
    format: Option<String>,
    explain: Option<String>,
}

pub async fn query(
    _caller: Authenticated,
    params: web::Query<Params>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let options = AnswerOptions {
        format: params.format,
        explain: params.explain,
    };
    // Parsing and computing a large team month takes milliseconds of CPU: keep it off the
    // worker that serves other requests.
    let answer = web::block(move || headless::answer(&body, &options, Utc::now()))
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("availability query task failed: {e}")))?
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(answer))
}
