//! Abuse limits on what anyone may do without an API key: rate limits per client address and
//! per host being booked (`rate`), who the client is (`client`), and the caps on holds and
//! guests, as settings. Counts live in this process's memory: with N instances a client gets
//! N times the limit. Knows nothing of HTTP or storage; `http::admission` applies it.

pub mod client;
pub mod rate;

use std::net::IpAddr;
use std::time::Duration;

pub use client::TrustedProxies;
pub use rate::{Decision, Quota, RateLimiter};

use crate::storage::event_types::Owner;

/// At most this many clients (and as many hosts) are tracked at once; idle ones are dropped.
pub const MAX_TRACKED_KEYS: usize = 100_000;

/// The limits, validated, from the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Anonymous writes per client address; `None` = no limit.
    pub per_ip: Option<Quota>,
    /// Anonymous writes per host being booked; `None` = no limit.
    pub per_host: Option<Quota>,
    pub trusted_proxies: TrustedProxies,
    /// How long an anonymous hold may last in all, extensions included.
    pub max_hold: Duration,
    /// Unexpired holds one anonymous client may have at once; 0 = no cap.
    pub holds_per_client: u32,
    /// Guests one booking may name (each is emailed).
    pub max_guests: usize,
}

/// Whose calendar a request books or changes: a person's event types count together, a
/// team's together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Host {
    User(i64),
    Team(i64),
}

impl From<Owner> for Host {
    fn from(owner: Owner) -> Self {
        match owner {
            Owner::User(id) => Self::User(id),
            Owner::Team { id, .. } => Self::Team(id),
        }
    }
}

/// Which limit refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Client,
    Host,
    /// Sign-in attempts for one account.
    Account,
    /// Sign-in links asked for one email address (the booker's portal).
    Email,
}

/// A request refused by a rate limit, with what the `429` answer says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub scope: Scope,
    pub decision: Decision,
}

impl Refusal {
    /// Whole seconds until a retry can succeed, at least one.
    pub fn retry_after_secs(&self) -> u64 {
        ceil_secs(self.decision.retry_after).max(1)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let whom = match self.scope {
            Scope::Client => "from your address",
            Scope::Host => "for this host",
            Scope::Account => "for this account",
            Scope::Email => "for this email address",
        };
        write!(
            f,
            "Too many requests {whom}: the limit is {} per {} s. Try again in {} s.",
            self.decision.limit,
            self.decision.period.as_secs(),
            self.retry_after_secs()
        )
    }
}

/// Seconds, rounded up (what the headers carry).
pub fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// Console sign-in attempts per account (by the email typed) and per client address: enough
/// for people who mistype, too few to guess passwords. Always on, whatever the settings.
pub const SIGN_IN_PER_ACCOUNT: Quota = Quota {
    limit: 10,
    period: Duration::from_secs(15 * 60),
};
pub const SIGN_IN_PER_CLIENT: Quota = Quota {
    limit: 30,
    period: Duration::from_secs(15 * 60),
};

/// Sign-in links of the booker's portal per email address (each is an email sent to it) and
/// per client address: enough to ask again after a lost email, too few to flood an inbox or
/// to mail a list of strangers. Always on, whatever the settings.
pub const BOOKER_LINKS_PER_EMAIL: Quota = Quota {
    limit: 3,
    period: Duration::from_secs(15 * 60),
};
pub const BOOKER_LINKS_PER_CLIENT: Quota = Quota {
    limit: 10,
    period: Duration::from_secs(15 * 60),
};

/// The limiters of this process.
pub struct Limits {
    pub settings: Settings,
    per_ip: Option<RateLimiter<IpAddr>>,
    per_host: Option<RateLimiter<Host>>,
    sign_in_client: RateLimiter<IpAddr>,
    sign_in_account: RateLimiter<String>,
    booker_link_client: RateLimiter<IpAddr>,
    booker_link_email: RateLimiter<String>,
}

impl Limits {
    pub fn new(settings: Settings) -> Self {
        Self {
            per_ip: settings
                .per_ip
                .map(|q| RateLimiter::new(q, MAX_TRACKED_KEYS)),
            per_host: settings
                .per_host
                .map(|q| RateLimiter::new(q, MAX_TRACKED_KEYS)),
            sign_in_client: RateLimiter::new(SIGN_IN_PER_CLIENT, MAX_TRACKED_KEYS),
            sign_in_account: RateLimiter::new(SIGN_IN_PER_ACCOUNT, MAX_TRACKED_KEYS),
            booker_link_client: RateLimiter::new(BOOKER_LINKS_PER_CLIENT, MAX_TRACKED_KEYS),
            booker_link_email: RateLimiter::new(BOOKER_LINKS_PER_EMAIL, MAX_TRACKED_KEYS),
            settings,
        }
    }

    /// Takes one sign-in attempt from the client's and the account's buckets (the email as
    /// typed, lower-cased: unknown emails are limited like known ones).
    pub fn sign_in(&self, ip: IpAddr, email: &str) -> Result<(), Refusal> {
        admit(
            Some(&self.sign_in_client),
            &client::bucket(ip),
            Scope::Client,
        )?;
        let account = email.trim().to_lowercase();
        admit(Some(&self.sign_in_account), &account, Scope::Account)?;
        Ok(())
    }

    /// Takes one sign-in link of the booker's portal from the client's and the email's buckets
    /// (the address as typed, lower-cased: addresses without bookings count like any other).
    pub fn booker_link(&self, ip: IpAddr, email: &str) -> Result<(), Refusal> {
        admit(
            Some(&self.booker_link_client),
            &client::bucket(ip),
            Scope::Client,
        )?;
        let email = email.trim().to_lowercase();
        admit(Some(&self.booker_link_email), &email, Scope::Email)?;
        Ok(())
    }

    /// Takes one request from the client's bucket (its IPv4 address or IPv6 /64).
    pub fn client(&self, ip: IpAddr) -> Result<Option<Decision>, Refusal> {
        admit(self.per_ip.as_ref(), &client::bucket(ip), Scope::Client)
    }

    /// Takes one request from the host's bucket.
    pub fn host(&self, host: Host) -> Result<Option<Decision>, Refusal> {
        admit(self.per_host.as_ref(), &host, Scope::Host)
    }
}

fn admit<K: std::hash::Hash + Eq + Clone>(
    limiter: Option<&RateLimiter<K>>,
    key: &K,
    scope: Scope,
) -> Result<Option<Decision>, Refusal> {
    let Some(limiter) = limiter else {
        return Ok(None);
    };
    let decision = limiter.check(key);
    if decision.allowed {
        Ok(Some(decision))
    } else {
        Err(Refusal { scope, decision })
    }
}
