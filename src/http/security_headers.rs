//! The security headers of every answer. Everything gets `X-Content-Type-Options: nosniff`;
//! HTML pages also get a Content-Security-Policy that allows scripts and styles only from
//! Kairos' own files (no inline script, style or event handler), who may frame them (only the
//! embed pages may be framed, by `KAIROS_FRAME_ANCESTORS`), and how much of their URL may leave
//! in a `Referer`. Which page is which is decided here from the request, in one place.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderValue, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use actix_web::middleware::Next;
use actix_web::web;

/// The policy of every page, before `frame-ancestors`. No `form-action`: a booking form's
/// answer may redirect to the event type's success page on another site, and browsers apply
/// `form-action` to that redirect.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; object-src 'none'; base-uri 'none'";

/// The embed test page stands for a customer's site, where `embed.js` adds its stylesheet
/// (as Cal.com's embed does): inline styles are allowed there, inline scripts still are not.
const HOST_PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'";
const HOST_PAGE: &str = "/static/embed-test.html";

/// Who may frame the embed pages: CSP `frame-ancestors` sources, checked so that the
/// configured text can only ever be a list of sources in that one directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameAncestors(String);

impl FrameAncestors {
    /// `*`, `'self'`, `'none'` (alone), `https:`/`http:`, or hosts such as
    /// `https://*.example.com:8443`, separated by spaces.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let sources: Vec<&str> = raw.split_ascii_whitespace().collect();
        if sources.is_empty() {
            return Err("give at least one source, e.g. * or https://www.example.com".into());
        }
        if sources.contains(&"'none'") && sources.len() > 1 {
            return Err("'none' cannot be combined with other sources".into());
        }
        for source in &sources {
            if !valid_source(source) {
                return Err(format!(
                    "`{source}` is not a frame-ancestors source; use *, 'self', https: or \
                     hosts such as https://www.example.com, separated by spaces"
                ));
            }
        }
        Ok(Self(sources.join(" ")))
    }
}

fn valid_source(source: &str) -> bool {
    if matches!(source, "*" | "'self'" | "'none'" | "https:" | "http:") {
        return true;
    }
    let host = match source.split_once("://") {
        Some(("http" | "https", rest)) => rest,
        Some(_) => return false,
        None => source,
    };
    // A bare `scheme:` other than http(s) (`javascript:`, `data:`) is refused.
    !host.is_empty()
        && !host.ends_with(':')
        && host.chars().any(|c| c.is_ascii_alphanumeric())
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '*' | ':' | '/' | '_'))
        && !host[1..].contains('*')
}

/// What a request is, for its headers.
struct PageKind {
    embeddable: bool,
    /// The URL holds a booking's uid, which alone cancels or moves it.
    keyed: bool,
    /// Sign-in and password-link pages, and the booker's portal (its sign-in link, its
    /// signed booking links): a link's token stays on this site, and the browser still sends
    /// `Origin` with their forms (`no-referrer` would make it `null`, which the console's
    /// origin check refuses).
    auth: bool,
    host_page: bool,
}

impl PageKind {
    fn of(path: &str, query: &str) -> Self {
        let booking_page = path.starts_with("/booking/") || path.starts_with("/reschedule/");
        let embed_mode = url::form_urlencoded::parse(query.as_bytes()).any(|(k, _)| k == "embed");
        Self {
            // The pages' `/embed` forms (Cal.com's embed appends `/embed` to any cal link; a
            // link that names nothing gets its not-found page there), and the booking pages an
            // embedded booker leads to (they carry `embed` in the query).
            embeddable: path.ends_with("/embed") || (booking_page && embed_mode),
            keyed: booking_page
                || url::form_urlencoded::parse(query.as_bytes()).any(|(k, _)| k == "rescheduleUid"),
            auth: path.starts_with("/auth/") || path.starts_with("/my-bookings"),
            host_page: path == HOST_PAGE,
        }
    }

    fn policy(&self, ancestors: &FrameAncestors) -> String {
        let base = if self.host_page {
            HOST_PAGE_POLICY
        } else {
            PAGE_POLICY
        };
        let framing = if self.embeddable {
            ancestors.0.as_str()
        } else {
            "'none'"
        };
        format!("{base}; frame-ancestors {framing}")
    }
}

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let kind = PageKind::of(req.path(), req.query_string());
    let ancestors = req
        .app_data::<web::Data<FrameAncestors>>()
        .map(|a| a.get_ref().clone())
        .unwrap_or_else(|| FrameAncestors("'none'".into()));
    let mut res = next.call(req).await?.map_into_boxed_body();
    let is_page = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = res.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if !is_page {
        return Ok(res);
    }
    if let Ok(policy) = HeaderValue::from_str(&kind.policy(&ancestors)) {
        headers.insert(CONTENT_SECURITY_POLICY, policy);
    }
    if !kind.embeddable {
        // For browsers that predate frame-ancestors.
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    let referrer = if kind.keyed {
        "no-referrer"
    } else if kind.auth {
        "same-origin"
    } else {
        "strict-origin-when-cross-origin"
    };
    headers.insert(REFERRER_POLICY, HeaderValue::from_static(referrer));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embed_pages_and_embedded_booking_pages_may_be_framed() {
        let framed = |path, query| PageKind::of(path, query).embeddable;
        assert!(framed("/ada/intro/embed", ""));
        // Every page's `/embed` form, as Cal.com's embed builds them from a cal link.
        assert!(framed("/ada/embed", "embed="));
        assert!(framed("/team/t/embed", "embed=ns"));
        assert!(framed("/reschedule/abc/embed", "embed="));
        assert!(framed("/team/t/intro/embed", "embed=ns"));
        assert!(framed("/booking/abc", "embed=&booked=1"));
        assert!(!framed("/booking/abc", "booked=1"));
        assert!(!framed("/ada/intro", "embed="));
        assert!(!framed("/", ""));
    }

    #[test]
    fn frame_ancestors_are_normalised_sources() {
        assert_eq!(
            FrameAncestors::parse("  https://a.example   'self' ")
                .unwrap()
                .0,
            "https://a.example 'self'"
        );
        assert!(FrameAncestors::parse("https://*.example.com:8443").is_ok());
        assert!(FrameAncestors::parse("https://a.*.example").is_err());
        assert!(FrameAncestors::parse("'none' https://a.example").is_err());
    }
}
