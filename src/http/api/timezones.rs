//! `GET /v2/timezones`: the cities a person picks their zone by, in Cal.com's shape
//! (`[{city, timezone, pop}]`). Public; the answer never changes while the process runs, so it
//! is built once and may be cached by clients for a day. Counted against the client's address
//! like the other anonymous requests.

use std::sync::OnceLock;

use actix_web::http::header::{CACHE_CONTROL, ContentType};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::success;
use crate::domain::TimeZoneName;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::admission;
use crate::http::extract::OptionalCaller;

pub async fn list(
    state: web::Data<AppState>,
    request: HttpRequest,
    caller: OptionalCaller,
) -> Result<HttpResponse, ApiError> {
    let admitted = admission::anonymous(&state, &request, &caller.0)?;
    let response = HttpResponse::Ok()
        .content_type(ContentType::json())
        .insert_header((CACHE_CONTROL, "public, max-age=86400"))
        .body(answer());
    Ok(admission::decorate(admitted, response))
}

/// The answer's bytes, built on first use. `pop` (Cal.com's population figure, which its
/// pickers sort by) is 0: Kairos has no city database.
fn answer() -> Bytes {
    static ANSWER: OnceLock<Bytes> = OnceLock::new();
    ANSWER
        .get_or_init(|| {
            let cities: Vec<Value> = (TimeZoneName::cities().into_iter())
                .map(|c| json!({"city": c.city, "timezone": c.zone.as_str(), "pop": 0}))
                .collect();
            Bytes::from(success(Value::Array(cities)).to_string())
        })
        .clone()
}
