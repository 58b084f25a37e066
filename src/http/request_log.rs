//! One tracing span per request (request id, method, path), a closing log line with status and
//! latency (also recorded for `/metrics`, by route pattern), and the request id echoed in
//! `x-request-id`. Query strings are never logged: they can carry tokens.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

use crate::error::ApiError;

/// The path as logged: a booking's uid is the key of its links (cancel and reschedule without
/// an API key), a reservation's uid alone moves or releases the hold, and a published feed's
/// token is its only credential, so none is written to logs. The portal's own pages
/// (`/my-bookings/sign-in`, `/my-bookings/sign-out`) name no booking and are kept.
fn redacted(path: &str) -> String {
    const PORTAL_PAGES: [&str; 2] = ["/my-bookings/sign-in", "/my-bookings/sign-out"];
    if PORTAL_PAGES.contains(&path) {
        return path.to_owned();
    }
    const KEYED: [&str; 6] = [
        "/my-bookings/",
        "/booking/",
        "/reschedule/",
        "/v2/bookings/",
        "/v2/slots/reservations/",
        "/feeds/",
    ];
    for prefix in KEYED {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            return format!("{prefix}…{tail}");
        }
    }
    path.to_owned()
}

pub async fn request_span(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = uuid::Uuid::now_v7().to_string();
    let path = req.path().to_owned();
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %req.method(),
        path = %redacted(&path),
    );
    let metrics = req
        .app_data::<actix_web::web::Data<super::Metrics>>()
        .cloned();
    let (method, route) = (req.method().clone(), req.match_pattern());
    let started = Instant::now();
    // Detached, so a client that hangs up never cancels a handler half-way (see `detached`).
    let handled = super::detached(next.call(req).instrument(span.clone())).await?;
    let mut res = handled?.map_into_boxed_body();

    // Errors carry Cal.com's envelope, whoever raised them (our handlers or actix's extractors);
    // only here is the request path known to put in it. Pages answer with their own HTML.
    let enveloped = res
        .response()
        .error()
        .filter(|e| e.as_error::<super::pages::PageError>().is_none())
        .map(|e| match e.as_error::<ApiError>() {
            Some(api) => api.envelope(Some(&path)),
            None => ApiError::from_status(res.status(), e.to_string()).envelope(Some(&path)),
        });
    if let Some(mut response) = enveloped {
        // Headers set on the way (CORS, the limits') stay; the body's own are the envelope's.
        for (name, value) in res.headers() {
            let own = name == CONTENT_TYPE || name == CONTENT_LENGTH;
            if !own && !response.headers().contains_key(name) {
                response.headers_mut().append(name.clone(), value.clone());
            }
        }
        res = res.into_response(response);
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }

    let status = res.status().as_u16();
    let latency = started.elapsed().as_secs_f64();
    if let Some(metrics) = metrics {
        metrics.record(method.as_str(), route, status, latency);
    }
    let latency_ms = latency * 1000.0;
    span.in_scope(|| {
        if status >= 500 {
            tracing::warn!(status, latency_ms, "request finished");
        } else {
            tracing::info!(status, latency_ms, "request finished");
        }
    });
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn uids_that_act_as_keys_are_left_out_of_logged_paths() {
        let cases = [
            ("/booking/abc123", "/booking/…"),
            ("/booking/abc123/ics", "/booking/…/ics"),
            ("/reschedule/abc123", "/reschedule/…"),
            ("/v2/bookings/abc123/cancel", "/v2/bookings/…/cancel"),
            (
                "/v2/slots/reservations/e3b0c442",
                "/v2/slots/reservations/…",
            ),
            ("/v2/slots/reservations", "/v2/slots/reservations"),
            ("/v2/slots", "/v2/slots"),
            ("/feeds/0123abcd.ics", "/feeds/…"),
            ("/demo/30min", "/demo/30min"),
            ("/my-bookings/abc123/cancel", "/my-bookings/…/cancel"),
            ("/my-bookings/sign-in", "/my-bookings/sign-in"),
            ("/my-bookings/sign-out", "/my-bookings/sign-out"),
            ("/my-bookings", "/my-bookings"),
        ];
        for (path, logged) in cases {
            assert_eq!(redacted(path), logged, "{path}");
        }
    }
}
