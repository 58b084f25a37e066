//! The distribution preview: the round-robin assignment engine run on a simulated month of
//! bookings, to show how a set of weights and priorities would share the work. Pure: it owns
//! the simulation only; the rules are `assignment`'s.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::assignment::{HostId, HostStats, RoundRobinHost, assign_from_stats};

/// One host's part of the simulated month.
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    pub host: HostId,
    pub weight: u32,
    pub bookings: u64,
    /// The host's weight over all weights, in 0..=1.
    pub target: f64,
    /// The host's bookings over all bookings, in 0..=1.
    pub actual: f64,
}

/// Whether host number `index` is busy for simulated booking `k`: each host misses about one
/// booking in five, at different times, so the preview is not a perfect round.
fn busy(index: usize, k: u32) -> bool {
    (k as usize + index * 3).is_multiple_of(5)
}

/// Assigns `bookings` bookings spread evenly over the 30 days from `start` among `hosts` (the
/// event type's round-robin hosts, fixed hosts left out) and counts each host's part.
pub fn simulate_month(hosts: &[RoundRobinHost], bookings: u32, start: DateTime<Utc>) -> Vec<Share> {
    let mut stats: BTreeMap<HostId, HostStats> =
        hosts.iter().map(|h| (h.id, HostStats::default())).collect();
    let step = Duration::days(30) / bookings.max(1) as i32;
    for k in 0..bookings {
        let at = start + step * k as i32;
        let mut free: Vec<HostId> = hosts
            .iter()
            .enumerate()
            .filter(|(i, _)| !busy(*i, k))
            .map(|(_, h)| h.id)
            .collect();
        if free.is_empty() {
            free = hosts.iter().map(|h| h.id).collect();
        }
        let Some(chosen) = assign_from_stats(hosts, &free, &stats, true) else {
            continue;
        };
        let entry = stats.entry(chosen.host).or_default();
        entry.bookings_in_interval += 1;
        entry.last_booked_at = Some(at);
    }
    let total_weight: u64 = hosts.iter().map(|h| u64::from(h.weight)).sum();
    let total: u64 = stats.values().map(|s| s.bookings_in_interval).sum();
    let ratio = |part: u64, whole: u64| {
        if whole == 0 {
            0.0
        } else {
            part as f64 / whole as f64
        }
    };
    hosts
        .iter()
        .map(|h| {
            let bookings = stats.get(&h.id).map_or(0, |s| s.bookings_in_interval);
            Share {
                host: h.id,
                weight: h.weight,
                bookings,
                target: ratio(u64::from(h.weight), total_weight),
                actual: ratio(bookings, total),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(id: HostId, weight: u32) -> RoundRobinHost {
        let joined = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        RoundRobinHost {
            weight,
            ..RoundRobinHost::new(id, joined)
        }
    }

    #[test]
    fn shares_follow_the_weights() {
        let start = DateTime::parse_from_rfc3339("2026-03-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let shares = simulate_month(&[host(1, 300), host(2, 100)], 200, start);
        assert_eq!(shares.iter().map(|s| s.bookings).sum::<u64>(), 200);
        assert_eq!(shares[0].target, 0.75);
        assert!((shares[0].actual - 0.75).abs() < 0.03, "{shares:?}");
        let even = simulate_month(&[host(1, 100), host(2, 100)], 200, start);
        assert!((even[0].actual - 0.5).abs() < 0.03, "{even:?}");
    }

    #[test]
    fn no_hosts_no_bookings() {
        assert!(simulate_month(&[], 10, Utc::now()).is_empty());
    }
}
