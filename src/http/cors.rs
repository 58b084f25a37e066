//! Cross-origin calls to the API (`/v2/…`) from browser code on other sites: preflights
//! (`OPTIONS` with `Access-Control-Request-Method`) are answered here, before routing, and
//! answers to allowed origins carry `Access-Control-Allow-Origin`. Which origins are allowed is
//! `KAIROS_CORS_ORIGINS`: `*` (the default; Cal.com's API allows any origin) or a list of
//! exact origins. The API reads no cookies (a key or token travels in `Authorization`), so
//! credentials are never allowed, whatever the list. Pages are not covered: they are
//! same-origin or framed.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD,
    HeaderValue, ORIGIN, VARY,
};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

use crate::error::ApiError;

/// The request headers a cross-origin caller may send: Cal.com's API's list, and the
/// `Idempotency-Key` bookings take.
const ALLOWED_HEADERS: &str = "x-cal-client-id, x-cal-secret-key, x-cal-platform-embed, \
    cal-api-version, Accept, Authorization, Content-Type, Origin, Idempotency-Key";
const ALLOWED_METHODS: &str = "GET, PATCH, DELETE, HEAD, POST, PUT, OPTIONS";
/// Answer headers a caller's script may read: the rate limits, where a created thing is and
/// the request id to quote.
const EXPOSED_HEADERS: &str = "Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, \
    RateLimit-Reset, x-request-id";
/// How long a browser may reuse a preflight's answer, in seconds.
const MAX_AGE: &str = "86400";

/// Which origins may call the API from a browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    Any,
    /// Exact origins, `scheme://host[:port]`, lower-case.
    Only(Vec<String>),
}

impl CorsOrigins {
    /// `*`, or origins such as `https://www.example.com http://localhost:8080`, separated by
    /// spaces or commas.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let origins: Vec<&str> = raw
            .split(|c: char| c == ',' || c.is_ascii_whitespace())
            .filter(|s| !s.is_empty())
            .collect();
        match origins.as_slice() {
            [] => Err("give `*` or at least one origin, e.g. https://www.example.com".into()),
            ["*"] => Ok(Self::Any),
            _ => origins
                .iter()
                .map(|o| origin(o))
                .collect::<Result<_, _>>()
                .map(Self::Only),
        }
    }

    /// The `Access-Control-Allow-Origin` value for a caller from `origin`, if it may call.
    fn allow(&self, origin: &str) -> Option<HeaderValue> {
        match self {
            Self::Any => Some(HeaderValue::from_static("*")),
            Self::Only(list) => list
                .iter()
                .any(|o| o.eq_ignore_ascii_case(origin))
                .then(|| HeaderValue::from_str(origin).ok())
                .flatten(),
        }
    }
}

/// One configured origin: a scheme, a host and maybe a port; nothing else.
fn origin(raw: &str) -> Result<String, String> {
    let refuse = || {
        format!(
            "`{raw}` is not an origin; give `*` or origins such as https://www.example.com \
             (scheme, host and port only), separated by spaces or commas"
        )
    };
    let (scheme, rest) = raw.split_once("://").ok_or_else(refuse)?;
    if !matches!(scheme, "http" | "https") || rest.is_empty() {
        return Err(refuse());
    }
    let host_ok = rest
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !host_ok || rest.starts_with(':') || rest.ends_with(':') {
        return Err(refuse());
    }
    Ok(raw.to_ascii_lowercase())
}

/// Answers preflights to `/v2/…` and marks the API's answers to allowed origins.
pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let policy = req.app_data::<web::Data<CorsOrigins>>().cloned();
    let origin = req
        .headers()
        .get(ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (Some(policy), Some(origin), true) = (policy, origin, req.path().starts_with("/v2/"))
    else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let allowed = policy.allow(&origin);
    let preflight = req.method() == Method::OPTIONS
        && req.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        let answer = preflight_answer(allowed);
        return Ok(req.into_response(answer));
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    let headers = res.headers_mut();
    headers.append(VARY, HeaderValue::from_static("Origin"));
    if let Some(value) = allowed {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
    Ok(res)
}

/// A preflight's answer: 204 with what may be sent, or 403 for an origin not on the list.
fn preflight_answer(allowed: Option<HeaderValue>) -> HttpResponse {
    let Some(value) = allowed else {
        let refused = ApiError::Forbidden(
            "This origin may not call the API from a browser; an administrator can allow it \
             in KAIROS_CORS_ORIGINS"
                .into(),
        );
        let mut res = actix_web::ResponseError::error_response(&refused);
        res.headers_mut()
            .insert(VARY, HeaderValue::from_static("Origin"));
        return res;
    };
    HttpResponse::build(StatusCode::NO_CONTENT)
        .insert_header((ACCESS_CONTROL_ALLOW_ORIGIN, value))
        .insert_header((ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS))
        .insert_header((ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS))
        .insert_header((ACCESS_CONTROL_MAX_AGE, MAX_AGE))
        .insert_header((VARY, "Origin"))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_parse_as_any_or_an_exact_list() {
        assert_eq!(CorsOrigins::parse(" * "), Ok(CorsOrigins::Any));
        assert_eq!(
            CorsOrigins::parse("https://A.example.com, http://localhost:8080"),
            Ok(CorsOrigins::Only(vec![
                "https://a.example.com".into(),
                "http://localhost:8080".into()
            ]))
        );
        for bad in [
            "",
            "example.com",
            "https://x.com/path",
            "ftp://x.com",
            "* https://a.b",
        ] {
            assert!(CorsOrigins::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_listed_origins_are_allowed_and_echoed() {
        let list = CorsOrigins::parse("https://a.example.com").unwrap();
        assert_eq!(
            list.allow("https://A.example.com").unwrap(),
            "https://A.example.com"
        );
        assert!(list.allow("https://b.example.com").is_none());
        assert!(list.allow("https://a.example.com.evil.test").is_none());
        assert_eq!(CorsOrigins::Any.allow("null").unwrap(), "*");
    }
}
