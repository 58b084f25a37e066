//! CalDAV over HTTP: one guarded `reqwest::Client` (no proxy, the SSRF resolver, a timeout),
//! redirects followed here so every hop is checked again, HTTP Basic credentials attached only
//! where they may go, bounded bodies, and HTTP answers turned into [`ProviderError`]s. Never
//! puts the password in a message.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use url::Url;

use crate::calendars::{Account, Credentials, ProviderError, refused_url};
use crate::webhooks::ssrf::{GuardedResolver, Policy, Refusal, check_before_send};

/// Redirects followed for one request.
const MAX_HOPS: usize = 5;
/// The largest body read from a server (a busy calendar's month of events fits many times).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// A WebDAV method (PROPFIND, REPORT, …) by name.
pub fn method(name: &'static str) -> Method {
    Method::from_bytes(name.as_bytes()).expect("a WebDAV method name is a valid token")
}

/// One request, re-sent as it is to each redirect's target.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub url: Url,
    pub depth: Option<&'static str>,
    pub body: Option<(String, &'static str)>,
    pub if_match: Option<String>,
    pub if_none_match: bool,
}

impl Request {
    pub fn new(method: Method, url: Url) -> Self {
        Self {
            method,
            url,
            depth: None,
            body: None,
            if_match: None,
            if_none_match: false,
        }
    }

    /// A PROPFIND or REPORT with an XML body.
    pub fn xml(method: Method, url: Url, depth: &'static str, body: impl Into<String>) -> Self {
        let mut request = Self::new(method, url);
        request.depth = Some(depth);
        request.body = Some((body.into(), "application/xml; charset=utf-8"));
        request
    }
}

/// What came back: the status, the headers, the body, and the URL that answered (after
/// redirects), against which hrefs resolve.
#[derive(Debug)]
pub struct Answer {
    pub url: Url,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    /// A response header as text.
    pub fn header(&self, name: header::HeaderName) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

#[derive(Debug, Clone)]
pub struct Wire {
    client: reqwest::Client,
    policy: Policy,
}

impl Wire {
    pub fn new(policy: Policy, timeout: Duration) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            // A proxy would resolve the server's name itself, past the guard.
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver {
                policy: policy.clone(),
            }))
            .user_agent(concat!("Kairos-CalDAV/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { client, policy })
    }

    /// Sends `request`, following up to [`MAX_HOPS`] redirects (301, 302, 307, 308) with the
    /// same method and body. Any status comes back as an [`Answer`]; only failures to talk to
    /// the server are errors.
    pub async fn send(&self, account: &Account, request: Request) -> Result<Answer, ProviderError> {
        let origin = account_origin(account);
        let mut request = request;
        for _ in 0..=MAX_HOPS {
            let answer = self.send_once(account, origin.as_ref(), &request).await?;
            let redirected = matches!(answer.status.as_u16(), 301 | 302 | 307 | 308);
            let Some(location) = answer.header(header::LOCATION).filter(|_| redirected) else {
                return Ok(answer);
            };
            request.url = request.url.join(&location).map_err(|e| {
                ProviderError::Invalid(format!(
                    "the CalDAV server redirected {} to an invalid URL ({e})",
                    request.url
                ))
            })?;
        }
        Err(ProviderError::Invalid(format!(
            "the CalDAV server redirected more than {MAX_HOPS} times (last to {})",
            request.url
        )))
    }

    async fn send_once(
        &self,
        account: &Account,
        origin: Option<&url::Origin>,
        request: &Request,
    ) -> Result<Answer, ProviderError> {
        check_before_send(request.url.as_str(), &self.policy)
            .map_err(|refusal| refused(&request.url, &refusal))?;
        let mut builder = self
            .client
            .request(request.method.clone(), request.url.clone());
        if let Some(depth) = request.depth {
            builder = builder.header("Depth", depth);
        }
        if let Some((body, content_type)) = &request.body {
            builder = builder
                .header(header::CONTENT_TYPE, *content_type)
                .body(body.clone());
        }
        if let Some(etag) = &request.if_match {
            builder = builder.header(header::IF_MATCH, etag);
        }
        if request.if_none_match {
            builder = builder.header(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        }
        if let Credentials::Password { username, password } = &account.credentials
            && may_carry_password(&request.url, origin)
        {
            builder = builder.basic_auth(username, Some(password));
        }
        let response = builder
            .send()
            .await
            .map_err(|e| unreachable(&request.url, &e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = read_bounded(response, &request.url).await?;
        Ok(Answer {
            url: request.url.clone(),
            status,
            headers,
            body,
        })
    }
}

fn account_origin(account: &Account) -> Option<url::Origin> {
    account
        .url
        .as_deref()
        .and_then(|u| Url::parse(u).ok())
        .map(|u| u.origin())
}

/// The password goes to the server the user named, and to other hosts it sends Kairos to
/// (iCloud keeps calendars on other hosts than its entry point) only over TLS.
fn may_carry_password(url: &Url, origin: Option<&url::Origin>) -> bool {
    url.scheme() == "https" || origin == Some(&url.origin())
}

async fn read_bounded(mut response: reqwest::Response, url: &Url) -> Result<String, ProviderError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| unreachable(url, &e))? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(ProviderError::Invalid(format!(
                "the answer from {url} is larger than {} MiB",
                MAX_BODY / 1024 / 1024
            )));
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body)
        .map_err(|_| ProviderError::Invalid(format!("the answer from {url} is not UTF-8 text")))
}

/// A URL (the server's, or one it redirected to) the SSRF guard refused: a setting to change.
fn refused(url: &Url, refusal: &Refusal) -> ProviderError {
    let why = refused_url("the CalDAV server", refusal);
    ProviderError::Invalid(format!("Kairos will not contact {url}: {why}"))
}

/// A request that got no answer: a refused address is a setting to change, anything else
/// (timeouts, connection errors) is worth another try.
fn unreachable(url: &Url, error: &reqwest::Error) -> ProviderError {
    if let Some(refusal @ Refusal::Private { .. }) = Refusal::in_chain(error) {
        return refused(url, refusal);
    }
    let mut chain = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    let what = if error.is_timeout() {
        "timed out"
    } else {
        "failed"
    };
    ProviderError::Unavailable(format!("the request to {url} {what}: {chain}"))
}

/// The error for an answer that is not the success asked for.
pub fn refusal(answer: &Answer, method: &str) -> ProviderError {
    let status = answer.status;
    let url = &answer.url;
    match status.as_u16() {
        401 | 403 => ProviderError::Unauthorized(format!(
            "the CalDAV server refused the user name or app password ({status} to {method} {url})"
        )),
        404 | 410 => ProviderError::NotFound(url.to_string()),
        429 => ProviderError::RateLimited {
            retry_after: answer
                .header(header::RETRY_AFTER)
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs),
        },
        408 | 500..=599 => ProviderError::Unavailable(format!("{status} to {method} {url}")),
        _ => ProviderError::Invalid(format!(
            "the CalDAV server answered {status} to {method} {url}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_stays_on_the_given_origin_unless_tls() {
        let given = Url::parse("http://cal.example.com:5232/").unwrap().origin();
        let same = Url::parse("http://cal.example.com:5232/ada/").unwrap();
        let other = Url::parse("http://elsewhere.example.com/ada/").unwrap();
        let tls = Url::parse("https://p01-caldav.example.com/1/calendars/").unwrap();
        assert!(may_carry_password(&same, Some(&given)));
        assert!(!may_carry_password(&other, Some(&given)));
        assert!(may_carry_password(&tls, Some(&given)));
    }
}
