//! Applies [`crate::limits`] to requests: the client's address (the peer, or `X-Forwarded-For`
//! behind a trusted proxy), the per-client and per-host checks of anonymous writes, and the
//! IETF `RateLimit-*` and `Retry-After` headers. Callers with an API key are not counted.

use std::net::{IpAddr, Ipv4Addr};

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};

use super::AppState;
use crate::accounts::Caller;
use crate::booking::{self, EventRef, reservations};
use crate::error::ApiError;
use crate::limits::{Decision, Host, Refusal, ceil_secs};

/// The address a request came from, as the limits count it.
pub fn client_ip(state: &AppState, request: &HttpRequest) -> IpAddr {
    let peer = request
        .peer_addr()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
    let forwarded = request
        .headers()
        .get_all("x-forwarded-for")
        // An unreadable line is a hop that is not an address: the walk stops there.
        .map(|v| v.to_str().unwrap_or("?"));
    state
        .limits
        .settings
        .trusted_proxies
        .client_ip(peer, forwarded)
}

/// An anonymous write let through: who made it and the tightest limit it was counted against.
#[derive(Debug, Clone, Copy)]
pub struct Admitted {
    pub ip: IpAddr,
    tightest: Option<Decision>,
}

impl Admitted {
    /// Counts the request against its client's address.
    pub fn client(state: &AppState, request: &HttpRequest) -> Result<Self, Refusal> {
        let ip = client_ip(state, request);
        let decision = state.limits.client(ip)?;
        Ok(Self {
            ip,
            tightest: decision,
        })
    }

    /// Counts the request against the host it books or changes.
    pub fn host(self, state: &AppState, host: Host) -> Result<Self, Refusal> {
        let decision = state.limits.host(host)?;
        let tightest = match (self.tightest, decision) {
            (Some(a), Some(b)) => Some(if b.remaining < a.remaining { b } else { a }),
            (a, b) => a.or(b),
        };
        Ok(Self { tightest, ..self })
    }

    /// Adds `RateLimit-Limit`, `-Remaining` and `-Reset` to a successful answer.
    pub fn headers(&self, response: &mut HttpResponse) {
        if let Some(d) = &self.tightest {
            for (name, value) in rate_headers(d, d.remaining) {
                response.headers_mut().insert(name, value);
            }
        }
    }
}

/// An API request without a key is counted against its client; with one, it is not counted.
pub fn anonymous(
    state: &AppState,
    request: &HttpRequest,
    caller: &Option<Caller>,
) -> Result<Option<Admitted>, ApiError> {
    match caller {
        Some(_) => Ok(None),
        None => Ok(Some(Admitted::client(state, request)?)),
    }
}

/// Counts an anonymous request against the host of the event type it books.
pub async fn for_event(
    state: &AppState,
    admitted: Option<Admitted>,
    target: &EventRef,
) -> Result<Option<Admitted>, ApiError> {
    let Some(admitted) = admitted else {
        return Ok(None);
    };
    let event = booking::resolve_event(&state.db, target).await?;
    Ok(Some(admitted.host(state, event.record.owner().into())?))
}

/// Counts an anonymous request against the host of the booking it changes (when it exists;
/// the use case answers for one that does not).
pub async fn for_booking(
    state: &AppState,
    admitted: Option<Admitted>,
    uid: &str,
) -> Result<Option<Admitted>, ApiError> {
    let Some(admitted) = admitted else {
        return Ok(None);
    };
    match booking::owner_of_booking(&state.db, uid).await? {
        Some(owner) => Ok(Some(admitted.host(state, owner.into())?)),
        None => Ok(Some(admitted)),
    }
}

/// Adds the tightest limit's headers to a successful answer of an anonymous request.
pub fn decorate(admitted: Option<Admitted>, mut response: HttpResponse) -> HttpResponse {
    if let Some(admitted) = admitted {
        admitted.headers(&mut response);
    }
    response
}

impl Admitted {
    /// The client as an anonymous holder of slots, with the caps on them. The key is a hash of
    /// the address under the instance's secret, so the database never holds the address.
    pub fn holder(&self, state: &AppState) -> reservations::Anonymous {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        hash.update(state.secret_key.expose().as_bytes());
        hash.update(
            crate::limits::client::bucket(self.ip)
                .to_string()
                .as_bytes(),
        );
        let settings = &state.limits.settings;
        reservations::Anonymous {
            key: hex::encode(&hash.finalize()[..16]),
            max_open: settings.holds_per_client,
            max_hold: chrono::Duration::from_std(settings.max_hold)
                .unwrap_or(chrono::Duration::minutes(15)),
        }
    }
}

/// A refused request's headers: `Retry-After` and the limit it ran into.
pub fn refusal_headers(response: &mut HttpResponseBuilder, refusal: &Refusal) {
    response.insert_header(("retry-after", refusal.retry_after_secs()));
    for header in rate_headers(&refusal.decision, 0) {
        response.insert_header(header);
    }
}

fn rate_headers(d: &Decision, remaining: u32) -> [(HeaderName, HeaderValue); 3] {
    [
        (HeaderName::from_static("ratelimit-limit"), d.limit.into()),
        (
            HeaderName::from_static("ratelimit-remaining"),
            remaining.into(),
        ),
        (
            HeaderName::from_static("ratelimit-reset"),
            ceil_secs(d.reset).into(),
        ),
    ]
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        ApiError::TooManyRequests(refusal)
    }
}
