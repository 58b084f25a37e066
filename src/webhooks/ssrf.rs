//! SSRF guard for URLs users give: webhook subscriber URLs, and hosts' calendar URLs (ICS
//! feeds, CalDAV servers and every hop they redirect to).
//!
//! Owns the rule that such URLs reach only public internet addresses unless the operator says
//! otherwise: without it, anyone who can register a URL could make Kairos contact its own admin
//! ports, the cloud metadata service (169.254.169.254) or the private network.
//! The rule is enforced twice: [`check`] when a URL is saved (and [`check_before_send`] before
//! each request), and [`GuardedResolver`] when the HTTP client connects, so a DNS answer that
//! changes between the two (DNS rebinding) is still refused.
//!
//! A refusal is a [`Refusal`], not a sentence: the guard does not know what the URL was for or
//! which setting governs it, so each caller words it for its users (webhooks in
//! `subscriptions::refused`, calendars in `calendars::refused_url`).

use std::error::Error;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use url::{Host, Url};

/// Longest subscriber URL accepted. Real endpoints are far shorter; the cap keeps stored rows
/// and log lines bounded.
pub const MAX_URL_LEN: usize = 2048;

/// How long [`check`] waits for DNS. The system resolver has its own timeouts, but they can add
/// up to much longer than an API request should hang.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(10);

/// Which destinations deliveries may reach.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// Allow every address, private ones included (a trusted network, local development).
    pub allow_private: bool,
    /// Lowercase host names or IP literals exempt from the private-address rule. A listed name
    /// exempts whatever it resolves to; a listed IP also exempts that address when some other
    /// name resolves to it.
    pub allowed_hosts: Vec<String>,
}

impl Policy {
    /// Whether `host` (a name or an IP literal, with or without IPv6 brackets) is listed in
    /// [`Policy::allowed_hosts`].
    pub fn allows_host(&self, host: &str) -> bool {
        let host = normalize_host(host);
        if let Ok(ip) = host.parse::<IpAddr>() {
            return self.allows_listed_ip(ip);
        }
        self.allowed_hosts
            .iter()
            .any(|allowed| normalize_host(allowed) == host)
    }

    /// Whether a connection to `ip` is allowed.
    pub fn permits(&self, ip: IpAddr) -> bool {
        self.allow_private || is_public(ip) || self.allows_listed_ip(ip)
    }

    fn allows_listed_ip(&self, ip: IpAddr) -> bool {
        self.allowed_hosts.iter().any(|allowed| {
            normalize_host(allowed)
                .parse::<IpAddr>()
                .is_ok_and(|listed| listed == ip)
        })
    }
}

/// Lowercase, without IPv6 brackets or a trailing root dot, so `Example.COM.` matches
/// `example.com` and `[::1]` matches `::1`.
fn normalize_host(host: &str) -> String {
    let host = host.trim();
    let host = host
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(host);
    host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase()
}

/// Whether `ip` is a globally routable unicast address.
///
/// Written out by hand because `IpAddr::is_global` is not stable. IPv6 forms that embed an IPv4
/// address (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4
/// `2002::/16`) are judged by that IPv4 address, since that is where packets end up.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let reserved = a == 0 // "this network" 0.0.0.0/8, including the unspecified address
        || a == 10 // private 10/8
        || a == 127 // loopback 127/8
        || (a == 100 && (64..=127).contains(&b)) // carrier-grade NAT 100.64/10
        || (a == 169 && b == 254) // link-local 169.254/16, home of cloud metadata services
        || (a == 172 && (16..=31).contains(&b)) // private 172.16/12
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments 192.0.0.0/24
        || (a == 192 && b == 0 && c == 2) // documentation TEST-NET-1
        || (a == 192 && b == 168) // private 192.168/16
        || (a == 198 && (b == 18 || b == 19)) // benchmarking 198.18/15
        || (a == 198 && b == 51 && c == 100) // documentation TEST-NET-2
        || (a == 203 && b == 0 && c == 113) // documentation TEST-NET-3
        || a >= 224; // multicast 224/4, reserved 240/4, broadcast 255.255.255.255
    !reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    if let Some(v4) = embedded_v4(segments) {
        return is_public_v4(v4);
    }
    let [s0, s1, ..] = segments;
    // Only 2000::/3 is allocated for global unicast. That one test rules out unique local
    // fc00::/7, link-local fe80::/10, multicast ff00::/8, loopback, unspecified, discard-only
    // 100::/64 and local-use NAT64 64:ff9b:1::/48.
    let global_unicast = (s0 & 0xe000) == 0x2000;
    // 2001::/23 (IETF protocol assignments, incl. Teredo), 2001:db8::/32 and 3fff::/20
    // (documentation).
    let reserved = (s0 == 0x2001 && (s1 < 0x0200 || s1 == 0x0db8)) || (s0 == 0x3fff && s1 < 0x1000);
    global_unicast && !reserved
}

/// The IPv4 address an IPv6 address stands for, if it is one of the embedding forms.
fn embedded_v4(segments: [u16; 8]) -> Option<Ipv4Addr> {
    let v4 = |high: u16, low: u16| Ipv4Addr::from((u32::from(high) << 16) | u32::from(low));
    match segments {
        // IPv4-mapped ::ffff:a.b.c.d
        [0, 0, 0, 0, 0, 0xffff, high, low] => Some(v4(high, low)),
        // IPv4-translated ::ffff:0:a.b.c.d (SIIT)
        [0, 0, 0, 0, 0xffff, 0, high, low] => Some(v4(high, low)),
        // IPv4-compatible ::a.b.c.d (deprecated); also covers :: and ::1, which map to 0.0.0.x
        [0, 0, 0, 0, 0, 0, high, low] => Some(v4(high, low)),
        // NAT64 well-known prefix 64:ff9b::/96
        [0x64, 0xff9b, 0, 0, 0, 0, high, low] => Some(v4(high, low)),
        // 6to4 2002:aabb:ccdd::/48
        [0x2002, high, low, ..] => Some(v4(high, low)),
        _ => None,
    }
}

/// Why the guard refused a URL. Its `Display` is a neutral phrase for logs; users are told in
/// their caller's words, which name the field and the setting that changes the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the URL is {length} characters long; the maximum is {MAX_URL_LEN}")]
    TooLong { length: usize },
    #[error("not a valid absolute URL ({0})")]
    NotAbsolute(url::ParseError),
    #[error("the URL uses `{0}`, not http or https")]
    Scheme(String),
    #[error("the URL contains a user name or password")]
    Credentials,
    #[error("the URL has no host")]
    NoHost,
    #[error("`{host}` does not resolve{}", if *.timed_out { " (lookup timed out)" } else { "" })]
    Unresolved { host: String, timed_out: bool },
    /// `host` is the name that resolved to `ip`; `None` when the URL gave the address itself.
    #[error("{}", private_phrase(host.as_deref(), *ip))]
    Private { host: Option<String>, ip: IpAddr },
}

fn private_phrase(host: Option<&str>, ip: IpAddr) -> String {
    match host {
        Some(host) => format!("`{host}` resolves to {ip}, a private address"),
        None => format!("{ip} is a private address"),
    }
}

impl Refusal {
    /// The first refusal in `error`'s source chain: how a [`GuardedResolver`] refusal comes
    /// back out of the HTTP client.
    pub fn in_chain<'a>(error: &'a (dyn Error + 'static)) -> Option<&'a Refusal> {
        let mut next = Some(error);
        while let Some(error) = next {
            if let Some(refusal) = error.downcast_ref::<Refusal>() {
                return Some(refusal);
            }
            next = error.source();
        }
        None
    }
}

/// Checks a URL's form: absolute `http` or `https`, a host, no credentials, at most
/// [`MAX_URL_LEN`] characters. Does not look at where the host points; see [`check`].
pub fn check_syntax(raw: &str) -> Result<Url, Refusal> {
    if raw.len() > MAX_URL_LEN {
        return Err(Refusal::TooLong { length: raw.len() });
    }
    let url = Url::parse(raw).map_err(Refusal::NotAbsolute)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Refusal::Scheme(url.scheme().to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::Credentials);
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Refusal::NoHost);
    }
    Ok(url)
}

/// The send-time check: the URL's form and, when its host is an IP literal, the address
/// rule. Names are left to [`GuardedResolver`], which sees the addresses actually connected
/// to, so a name is resolved once per attempt, not twice.
pub fn check_before_send(raw: &str, policy: &Policy) -> Result<Url, Refusal> {
    let url = check_syntax(raw)?;
    match url.host() {
        Some(Host::Ipv4(ip)) => check_literal(IpAddr::V4(ip), policy)?,
        Some(Host::Ipv6(ip)) => check_literal(IpAddr::V6(ip), policy)?,
        _ => {}
    }
    Ok(url)
}

/// Checks a URL's form and that its host is a public address (or exempt under `policy`). Host
/// names are resolved; if any address they resolve to is not allowed the URL is refused, since
/// the HTTP client may pick any of them.
pub async fn check(raw: &str, policy: &Policy) -> Result<Url, Refusal> {
    let url = check_syntax(raw)?;
    if !policy.allow_private {
        check_destination(&url, policy).await?;
    }
    Ok(url)
}

async fn check_destination(url: &Url, policy: &Policy) -> Result<(), Refusal> {
    let name = match url.host() {
        Some(Host::Ipv4(ip)) => return check_literal(IpAddr::V4(ip), policy),
        Some(Host::Ipv6(ip)) => return check_literal(IpAddr::V6(ip), policy),
        Some(Host::Domain(name)) => name,
        None => return Err(Refusal::NoHost),
    };
    if policy.allows_host(name) {
        return Ok(());
    }
    let port = url.port_or_known_default().unwrap_or(80);
    let unresolved = |timed_out| Refusal::Unresolved {
        host: name.to_owned(),
        timed_out,
    };
    let addresses: Vec<SocketAddr> =
        tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((name, port)))
            .await
            .map_err(|_| unresolved(true))?
            .map_err(|_| unresolved(false))?
            .collect();
    if addresses.is_empty() {
        return Err(unresolved(false));
    }
    match first_forbidden(&addresses, policy) {
        Some(ip) => Err(Refusal::Private {
            host: Some(name.to_owned()),
            ip,
        }),
        None => Ok(()),
    }
}

fn first_forbidden(addresses: &[SocketAddr], policy: &Policy) -> Option<IpAddr> {
    addresses
        .iter()
        .map(SocketAddr::ip)
        .find(|ip| !policy.permits(*ip))
}

fn check_literal(ip: IpAddr, policy: &Policy) -> Result<(), Refusal> {
    if policy.permits(ip) {
        Ok(())
    } else {
        Err(Refusal::Private { host: None, ip })
    }
}

/// A DNS resolver for outgoing clients that refuses names resolving to addresses the policy
/// forbids, so the address actually connected to is the one that was checked. Its refusals are
/// [`Refusal`]s inside the client's error; find them with [`Refusal::in_chain`].
///
/// Install it with `reqwest::ClientBuilder::dns_resolver`. URLs whose host is an IP literal
/// never reach a resolver, so senders call [`check_before_send`] before each request.
#[derive(Clone, Debug, Default)]
pub struct GuardedResolver {
    pub policy: Policy,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(guarded_lookup(
            name.as_str().to_owned(),
            self.policy.clone(),
        ))
    }
}

async fn guarded_lookup(
    host: String,
    policy: Policy,
) -> Result<reqwest::dns::Addrs, Box<dyn Error + Send + Sync>> {
    // Port 0: reqwest substitutes the URL's port.
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
    if addresses.is_empty() {
        return Err(Box::new(Refusal::Unresolved {
            host,
            timed_out: false,
        }));
    }
    if !policy.allows_host(&host)
        && let Some(ip) = first_forbidden(&addresses, &policy)
    {
        return Err(Box::new(Refusal::Private {
            host: Some(host),
            ip,
        }));
    }
    let addresses: reqwest::dns::Addrs = Box::new(addresses.into_iter());
    Ok(addresses)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::dns::Resolve;

    #[test]
    fn public_and_private_addresses() {
        let cases = [
            ("8.8.8.8", true),
            ("1.1.1.1", true),
            ("93.184.216.34", true),
            ("100.63.255.255", true),
            ("100.128.0.0", true),
            ("172.15.255.255", true),
            ("172.32.0.0", true),
            ("192.0.1.1", true),
            ("198.17.255.255", true),
            ("198.20.0.0", true),
            ("223.255.255.255", true),
            ("2606:4700::1111", true),
            ("2001:4860:4860::8888", true),
            ("::ffff:8.8.8.8", true),
            ("64:ff9b::808:808", true),
            ("2002:808:808::1", true),
            ("0.0.0.0", false),
            ("0.1.2.3", false),
            ("10.0.0.5", false),
            ("127.0.0.1", false),
            ("127.255.255.254", false),
            ("100.64.0.1", false),
            ("100.127.255.255", false),
            ("169.254.169.254", false),
            ("172.16.0.1", false),
            ("172.31.255.255", false),
            ("192.0.0.8", false),
            ("192.0.2.1", false),
            ("192.168.1.1", false),
            ("198.18.0.1", false),
            ("198.19.255.255", false),
            ("198.51.100.7", false),
            ("203.0.113.9", false),
            ("224.0.0.1", false),
            ("239.255.255.250", false),
            ("240.0.0.1", false),
            ("255.255.255.255", false),
            ("::", false),
            ("::1", false),
            ("::ffff:127.0.0.1", false),
            ("::ffff:10.0.0.1", false),
            ("::ffff:169.254.169.254", false),
            ("::ffff:0:10.0.0.1", false),
            ("::10.0.0.1", false),
            ("64:ff9b::a00:1", false),
            ("64:ff9b:1::8.8.8.8", false),
            ("2002:a00:1::1", false),
            ("fc00::1", false),
            ("fd12:3456::1", false),
            ("fe80::1", false),
            ("febf::1", false),
            ("ff02::1", false),
            ("2001:db8::1", false),
            ("2001::1", false),
            ("3fff::1", false),
            ("100::1", false),
        ];
        for (text, expected) in cases {
            let ip: IpAddr = text.parse().expect(text);
            assert_eq!(is_public(ip), expected, "{text}");
        }
    }

    #[test]
    fn check_syntax_accepts_plain_urls() {
        let url = check_syntax("https://hooks.example.com/cal?token=abc").expect("valid");
        assert_eq!(url.host_str(), Some("hooks.example.com"));
        assert!(check_syntax("http://10.0.0.5:8080/x").is_ok());
    }

    #[test]
    fn check_syntax_errors() {
        let scheme = |s: &str| Refusal::Scheme(s.to_owned());
        let cases = [
            ("ftp://example.com/x", scheme("ftp")),
            ("mailto:a@example.com", scheme("mailto")),
            ("https://user:pw@example.com/", Refusal::Credentials),
            ("https://user@example.com/", Refusal::Credentials),
            ("http://", Refusal::NotAbsolute(url::ParseError::EmptyHost)),
            (
                "/relative/path",
                Refusal::NotAbsolute(url::ParseError::RelativeUrlWithoutBase),
            ),
            (
                "not a url",
                Refusal::NotAbsolute(url::ParseError::RelativeUrlWithoutBase),
            ),
        ];
        for (raw, expected) in cases {
            assert_eq!(check_syntax(raw).expect_err(raw), expected, "{raw}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN));
        assert_eq!(
            check_syntax(&long).expect_err("too long"),
            Refusal::TooLong { length: long.len() }
        );
    }

    fn allowing(hosts: &[&str]) -> Policy {
        Policy {
            allow_private: false,
            allowed_hosts: hosts.iter().map(|h| (*h).to_owned()).collect(),
        }
    }

    #[tokio::test]
    async fn loopback_literal_is_refused_by_default() {
        let error = check("http://127.0.0.1:9/x", &Policy::default())
            .await
            .expect_err("loopback");
        let ip = "127.0.0.1".parse().expect("ip");
        assert_eq!(error, Refusal::Private { host: None, ip });
        assert_eq!(error.to_string(), "127.0.0.1 is a private address");
    }

    #[tokio::test]
    async fn loopback_literal_is_allowed_with_allow_private() {
        let policy = Policy {
            allow_private: true,
            allowed_hosts: Vec::new(),
        };
        let url = check("http://127.0.0.1:9/x", &policy)
            .await
            .expect("allowed");
        assert_eq!(url.port(), Some(9));
    }

    #[tokio::test]
    async fn loopback_literal_is_allowed_when_listed() {
        assert!(
            check("http://127.0.0.1:9/x", &allowing(&["127.0.0.1"]))
                .await
                .is_ok()
        );
        assert!(
            check("http://[::1]:9/x", &allowing(&["[::1]"]))
                .await
                .is_ok()
        );
        assert!(check("http://[::1]:9/x", &allowing(&["::1"])).await.is_ok());
        assert!(
            check("http://127.0.0.2:9/x", &allowing(&["127.0.0.1"]))
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn disguised_literals_are_refused() {
        // The URL parser normalizes these to IPv4 literals, which is what a client connects to.
        for raw in [
            "http://2130706433/",
            "http://0x7f.1/",
            "http://[::ffff:127.0.0.1]/",
        ] {
            assert!(check(raw, &Policy::default()).await.is_err(), "{raw}");
        }
    }

    #[tokio::test]
    async fn localhost_is_refused_by_default() {
        let error = check("http://localhost:9/", &Policy::default())
            .await
            .expect_err("localhost");
        assert!(
            matches!(&error, Refusal::Private { host: Some(h), ip } if h == "localhost" && ip.is_loopback()),
            "{error:?}"
        );
        assert!(
            error.to_string().starts_with("`localhost` resolves to "),
            "{error}"
        );
    }

    #[tokio::test]
    async fn localhost_is_allowed_when_listed() {
        assert!(
            check("http://localhost:9/", &allowing(&["localhost"]))
                .await
                .is_ok()
        );
        assert!(
            check("http://LOCALHOST:9/", &allowing(&["localhost"]))
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn unresolvable_host_is_refused() {
        let error = check("https://no-such-host.invalid/", &Policy::default())
            .await
            .expect_err("unresolvable");
        assert!(
            matches!(&error, Refusal::Unresolved { host, .. } if host == "no-such-host.invalid"),
            "{error:?}"
        );
        assert!(error.to_string().contains("does not resolve"), "{error}");
    }

    #[tokio::test]
    async fn syntax_errors_come_first_even_when_private_is_allowed() {
        let policy = Policy {
            allow_private: true,
            allowed_hosts: Vec::new(),
        };
        assert!(check("ftp://127.0.0.1/", &policy).await.is_err());
    }

    #[test]
    fn allows_host_normalizes() {
        let policy = allowing(&["Hooks.Internal.", "10.0.0.5", "[fd00::1]"]);
        assert!(policy.allows_host("hooks.internal"));
        assert!(policy.allows_host("HOOKS.INTERNAL."));
        assert!(policy.allows_host("10.0.0.5"));
        assert!(policy.allows_host("[fd00::1]"));
        assert!(policy.allows_host("fd00:0::1"));
        assert!(!policy.allows_host("other.internal"));
        assert!(policy.permits("10.0.0.5".parse().expect("ip")));
        assert!(!policy.permits("10.0.0.6".parse().expect("ip")));
        assert!(policy.permits("8.8.8.8".parse().expect("ip")));
    }

    fn name(host: &str) -> reqwest::dns::Name {
        host.parse().expect("valid DNS name")
    }

    #[tokio::test]
    async fn resolver_refuses_private_answers() {
        let resolver = GuardedResolver::default();
        let error = match resolver.resolve(name("localhost")).await {
            Ok(_) => panic!("localhost should be refused"),
            Err(error) => error,
        };
        assert!(
            matches!(Refusal::in_chain(&*error), Some(Refusal::Private { host: Some(h), .. }) if h == "localhost"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_resolver_refusal_is_found_in_the_clients_error() {
        let client = reqwest::Client::builder()
            .no_proxy()
            .dns_resolver(std::sync::Arc::new(GuardedResolver::default()))
            .build()
            .expect("client");
        let error = client
            .get("http://localhost:9/")
            .send()
            .await
            .expect_err("localhost is refused");
        assert!(
            matches!(Refusal::in_chain(&error), Some(Refusal::Private { host: Some(h), .. }) if h == "localhost"),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn resolver_allows_private_answers_when_permitted() {
        let open = GuardedResolver {
            policy: Policy {
                allow_private: true,
                allowed_hosts: Vec::new(),
            },
        };
        let listed = GuardedResolver {
            policy: allowing(&["localhost"]),
        };
        for resolver in [open, listed] {
            let addresses: Vec<SocketAddr> = match resolver.resolve(name("localhost")).await {
                Ok(addresses) => addresses.collect(),
                Err(error) => panic!("localhost should resolve: {error}"),
            };
            assert!(!addresses.is_empty());
            assert!(addresses.iter().all(|a| a.ip().is_loopback()));
        }
    }

    #[test]
    fn send_time_check_refuses_private_literals_only() {
        let strict = Policy::default();
        assert!(check_before_send("http://127.0.0.1:9/x", &strict).is_err());
        assert!(check_before_send("http://[::ffff:10.0.0.1]/x", &strict).is_err());
        assert!(check_before_send("http://8.8.8.8/x", &strict).is_ok());
        // Names are the resolver's to check.
        assert!(check_before_send("http://localhost:9/x", &strict).is_ok());
        let open = Policy {
            allow_private: true,
            ..Policy::default()
        };
        assert!(check_before_send("http://127.0.0.1:9/x", &open).is_ok());
    }
}
