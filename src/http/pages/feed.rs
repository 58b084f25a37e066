//! `GET /feeds/{token}.ics`: a host's published calendar (`calendars::publish`), for calendar
//! apps that subscribe to it. No API key: the token in the path is the credential, so an
//! unknown, revoked and replaced token all get the same 404, and nothing carries the URL on
//! (`Referrer-Policy: no-referrer`). Counted against the client's address like the other
//! anonymous requests.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, REFERRER_POLICY};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

use super::i18n::Lang;
use super::{PageError, PageResult};
use crate::calendars::publish;
use crate::http::AppState;
use crate::http::admission::Admitted;

pub async fn serve(
    state: web::Data<AppState>,
    request: HttpRequest,
    token: web::Path<String>,
) -> PageResult {
    let admitted = Admitted::client(&state, &request)
        .map_err(|refusal| PageError::too_many_requests(Lang::En, refusal))?;
    let feed = publish::render(&state.db, &token, Utc::now())
        .await
        .map_err(|e| PageError::from_service(Lang::En, e))?;
    let mut response = match feed {
        Some(text) => HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, "text/calendar; charset=utf-8"))
            .insert_header((CACHE_CONTROL, "private, max-age=60"))
            .insert_header((REFERRER_POLICY, "no-referrer"))
            .body(text),
        None => HttpResponse::build(StatusCode::NOT_FOUND)
            .insert_header((CONTENT_TYPE, "text/plain; charset=utf-8"))
            .insert_header((CACHE_CONTROL, "no-store"))
            .insert_header((REFERRER_POLICY, "no-referrer"))
            .body("Not found\n"),
    };
    admitted.headers(&mut response);
    Ok(response)
}
