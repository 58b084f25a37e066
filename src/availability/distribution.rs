//! The distribution preview: the round-robin assignment engine run on a simulated month of
//! bookings, and replayed on an event type's real last bookings, to show how a set of weights
//! and priorities would share the work. Pure: it owns the simulation and the replay only; the
//! rules are `assignment`'s.

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

/// `part` over `whole`, 0 when there is nothing.
fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// One host's part of the replayed bookings: how many they got and how many the engine would
/// give them with the weights shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Replayed {
    pub host: HostId,
    pub weight: u32,
    /// The host's weight over all weights, in 0..=1.
    pub target: f64,
    pub got: u64,
    pub would_get: u64,
}

/// The engine replayed on real bookings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Replay {
    pub hosts: Vec<Replayed>,
    /// Bookings replayed.
    pub bookings: u64,
    /// Bookings the engine would give to the host who got them.
    pub same_host: u64,
    /// Bookings that went to someone not among `hosts` (a fixed or a former host).
    pub elsewhere: u64,
}

/// Replays `past` (real bookings, oldest first: who got each and when it was made) through the
/// engine with `hosts`' weights and priorities: each booking goes to whom the engine would
/// choose were every host free, the engine's history being the replay's own choices, counted
/// over all of `past` (one fairness period). Who was really free then is not known, so this
/// shows the weights' effect, not a prediction.
pub fn replay(hosts: &[RoundRobinHost], past: &[(HostId, DateTime<Utc>)]) -> Replay {
    let mut stats: BTreeMap<HostId, HostStats> =
        hosts.iter().map(|h| (h.id, HostStats::default())).collect();
    let everyone: Vec<HostId> = hosts.iter().map(|h| h.id).collect();
    let mut got: BTreeMap<HostId, u64> = BTreeMap::new();
    let mut out = Replay::default();
    for &(actual, at) in past {
        out.bookings += 1;
        if everyone.contains(&actual) {
            *got.entry(actual).or_default() += 1;
        } else {
            out.elsewhere += 1;
        }
        let Some(chosen) = assign_from_stats(hosts, &everyone, &stats, true) else {
            continue;
        };
        out.same_host += u64::from(chosen.host == actual);
        let entry = stats.entry(chosen.host).or_default();
        entry.bookings_in_interval += 1;
        entry.last_booked_at = Some(at);
    }
    let total_weight: u64 = hosts.iter().map(|h| u64::from(h.weight)).sum();
    out.hosts = hosts
        .iter()
        .map(|h| Replayed {
            host: h.id,
            weight: h.weight,
            target: ratio(u64::from(h.weight), total_weight),
            got: got.get(&h.id).copied().unwrap_or(0),
            would_get: stats.get(&h.id).map_or(0, |s| s.bookings_in_interval),
        })
        .collect();
    out
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

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::minutes(minutes)
    }

    #[test]
    fn a_replay_follows_the_weights_not_who_got_the_bookings() {
        // Host 1 got all 40 bookings; with 3:1 weights the engine would give host 2 a quarter.
        let past: Vec<(HostId, DateTime<Utc>)> = (0..40).map(|k| (1, at(k * 60))).collect();
        let replayed = replay(&[host(1, 300), host(2, 100)], &past);
        assert_eq!(replayed.bookings, 40);
        assert_eq!(replayed.elsewhere, 0);
        let got: Vec<u64> = replayed.hosts.iter().map(|h| h.got).collect();
        let would: Vec<u64> = replayed.hosts.iter().map(|h| h.would_get).collect();
        assert_eq!(got, [40, 0]);
        assert_eq!(would, [30, 10]);
        assert_eq!(replayed.same_host, 30);
        assert_eq!(replayed.hosts[0].target, 0.75);
    }

    #[test]
    fn a_replay_counts_bookings_of_others_apart() {
        // Host 9 is no longer a host: its booking is replayed to a current host all the same.
        let past = [(9, at(0)), (1, at(60)), (2, at(120))];
        let replayed = replay(&[host(1, 100), host(2, 100)], &past);
        assert_eq!((replayed.bookings, replayed.elsewhere), (3, 1));
        let would: u64 = replayed.hosts.iter().map(|h| h.would_get).sum();
        assert_eq!(would, 3);
        assert_eq!(replay(&[], &past).same_host, 0);
    }

    #[test]
    fn no_hosts_no_bookings() {
        assert!(simulate_month(&[], 10, Utc::now()).is_empty());
    }
}
