//! Who the client is: the socket's peer address, or, only when that peer is a configured
//! trusted proxy, the rightmost address in `X-Forwarded-For` that is not one of ours. A client
//! can write anything into that header; only the hops our proxies appended can be believed.

use std::net::{IpAddr, Ipv6Addr};

/// One `address/prefix` network (a bare address is the network of that address alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let (address, prefix) = match raw.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (raw, None),
        };
        let address: IpAddr = address
            .parse()
            .map_err(|_| format!("`{raw}` is not an IP address or CIDR like 10.0.0.0/8"))?;
        let address = canonical(address);
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{raw}`: the prefix must be 0 to {max}"))?,
        };
        Ok(Self { address, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.address, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u32::from(net).into(), 32, self.prefix)
                    == masked(u32::from(ip).into(), 32, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(net.into(), 128, self.prefix) == masked(ip.into(), 128, self.prefix)
            }
            _ => false,
        }
    }
}

fn masked(bits: u128, width: u8, prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        bits >> (width - prefix)
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`, what a dual-stack socket reports) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The proxies whose `X-Forwarded-For` is believed (`KAIROS_TRUSTED_PROXIES`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    /// A comma-separated list of addresses and CIDRs; empty trusts no one.
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Network::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client's address: `peer`, unless it is a trusted proxy; then the rightmost hop of
    /// `forwarded_for` (every `X-Forwarded-For` value, in order) that is not trusted. A hop that
    /// is not an address ends the walk at the last address believed.
    pub fn client_ip<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl IntoIterator<Item = &'a str>,
    ) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return client;
        }
        let hops: Vec<&str> = forwarded_for
            .into_iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                return client;
            };
            client = ip;
            if !self.trusts(ip) {
                return client;
            }
        }
        client
    }
}

/// A hop as proxies write it: an address, possibly with a port (`1.2.3.4:5678`, `[::1]:80`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    hop.parse::<std::net::SocketAddr>()
        .ok()
        .map(|s| canonical(s.ip()))
}

/// The key limits count a client under: its IPv4 address, or its IPv6 /64 (one subscriber's
/// network; anyone holding one has all of its 2^64 addresses).
pub fn bucket(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_parse_and_match() {
        let net = Network::parse("10.0.0.0/8").unwrap();
        assert!(net.contains(ip("10.200.3.4")));
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(net.contains(ip("::ffff:10.1.2.3")), "IPv4-mapped");
        let one = Network::parse("192.0.2.7").unwrap();
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let v6 = Network::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(ip("2001:db8:1::5")) && !v6.contains(ip("2001:db9::1")));
        assert!(!v6.contains(ip("10.0.0.1")));
        assert!(Network::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        for bad in [
            "",
            "10.0.0.0/33",
            "2001:db8::/129",
            "10.0.0/8",
            "host.example",
            "1.2.3.4/x",
        ] {
            assert!(Network::parse(bad).is_err(), "{bad}");
        }
        assert!(TrustedProxies::parse("10.0.0.0/8, 127.0.0.1,").is_ok());
        assert!(TrustedProxies::parse("10.0.0.0/8, nope").is_err());
        assert_eq!(
            TrustedProxies::parse(" ").unwrap(),
            TrustedProxies::default()
        );
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let none = TrustedProxies::default();
        // An untrusted peer: the header is the client's own words.
        assert_eq!(
            none.client_ip(ip("198.51.100.9"), ["1.1.1.1"]),
            ip("198.51.100.9")
        );
        assert_eq!(
            proxies.client_ip(ip("198.51.100.9"), ["1.1.1.1"]),
            ip("198.51.100.9")
        );
        // Behind our proxy: the hop it appended (rightmost), not what the client wrote before.
        assert_eq!(
            proxies.client_ip(ip("10.0.0.2"), ["6.6.6.6, 203.0.113.5"]),
            ip("203.0.113.5")
        );
        // Through two of our proxies, and across several header lines.
        assert_eq!(
            proxies.client_ip(ip("10.0.0.2"), ["6.6.6.6, 203.0.113.5", "10.0.0.3"]),
            ip("203.0.113.5")
        );
        // Ports and IPv6 forms proxies write.
        assert_eq!(
            proxies.client_ip(ip("10.0.0.2"), ["203.0.113.5:4711"]),
            ip("203.0.113.5")
        );
        assert_eq!(
            proxies.client_ip(ip("10.0.0.2"), ["[2001:db8::1]:80"]),
            ip("2001:db8::1")
        );
        // No header, or nothing but proxies: the last address believed.
        assert_eq!(proxies.client_ip(ip("10.0.0.2"), []), ip("10.0.0.2"));
        assert_eq!(
            proxies.client_ip(ip("10.0.0.2"), ["10.0.0.9"]),
            ip("10.0.0.9")
        );
        // Garbage ends the walk at the last trusted hop instead of believing what follows.
        assert_eq!(
            proxies.client_ip(ip("10.0.0.2"), ["6.6.6.6, unknown"]),
            ip("10.0.0.2")
        );
        // A dual-stack socket's IPv4-mapped peer is the IPv4 proxy.
        assert_eq!(
            proxies.client_ip(ip("::ffff:10.0.0.2"), ["203.0.113.5"]),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        assert_eq!(bucket(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(bucket(ip("2001:db8:1:2:ffff::9")), ip("2001:db8:1:2::"));
        assert_eq!(bucket(ip("203.0.113.5")), ip("203.0.113.5"));
        assert_eq!(bucket(ip("::ffff:203.0.113.5")), ip("203.0.113.5"));
    }
}
