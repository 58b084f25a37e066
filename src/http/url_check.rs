//! Refuses a URL whose path or query decodes to NUL (`%00`) before any handler reads it:
//! PostgreSQL cannot take NUL in a query parameter (a 500) while SQLite would look it up, so
//! both answer the same 400. Request bodies have their own guard (`extract::parse_body`).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Uri;
use actix_web::middleware::Next;

use crate::error::ApiError;

pub async fn refuse_nul_in_url(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    match nul_in(req.uri()) {
        Some(what) => Ok(req.error_response(ApiError::BadRequest(format!(
            "{what} must not contain the NUL character (%00)"
        )))),
        None => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body),
    }
}

/// What holds NUL: the path, or the query parameter by name.
fn nul_in(uri: &Uri) -> Option<String> {
    if uri.path().contains("%00") || uri.path().contains('\0') {
        return Some("The path".to_owned());
    }
    let query = uri.query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| format!("The query parameter `{}`", k.escape_debug()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_in_the_path_or_named_in_the_query() {
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        assert_eq!(
            nul_in(&uri("/v2/webhooks/a%00b")).as_deref(),
            Some("The path")
        );
        assert_eq!(
            nul_in(&uri("/v2/bookings?take=1&attendeeName=a%00b")).as_deref(),
            Some("The query parameter `attendeeName`")
        );
        assert_eq!(nul_in(&uri("/v2/bookings?attendeeName=a%2500b")), None);
    }
}
