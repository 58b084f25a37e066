//! A keyed rate limiter: the generic cell rate algorithm (GCRA), the token bucket written as
//! one instant per key. Memory stays bounded: a key whose bucket has refilled is idle and is
//! swept away, and at most `max_keys` are kept.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `limit` requests per `period`, all of them available at once after a quiet `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: u32,
    pub period: Duration,
}

impl Quota {
    /// `N/PERIOD` with PERIOD like `30s`, `10m`, `1h` (a bare unit is one of it: `20/m`).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let shape = || format!("`{raw}` is not N/PERIOD like 30/10m or 5/1s");
        let (limit, period) = raw.trim().split_once('/').ok_or_else(shape)?;
        let limit: u32 = limit.trim().parse().map_err(|_| shape())?;
        let period = period.trim();
        let split = period
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(shape)?;
        let (count, unit) = period.split_at(split);
        let count: u64 = if count.is_empty() {
            1
        } else {
            count.parse().map_err(|_| shape())?
        };
        let seconds = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(shape()),
        };
        if limit == 0 || count == 0 {
            return Err(format!(
                "`{raw}`: the count and the period must be positive"
            ));
        }
        let period = Duration::from_secs(count.saturating_mul(seconds));
        if period > Duration::from_secs(7 * 86_400) {
            return Err(format!("`{raw}`: the period may be at most 7 days"));
        }
        Ok(Self { limit, period })
    }

    /// The time one request uses up: the bucket refills one request per this.
    fn emission(&self) -> Duration {
        self.period / self.limit
    }
}

impl std::fmt::Display for Quota {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}s", self.limit, self.period.as_secs())
    }
}

/// What a check found: the numbers of the IETF `RateLimit-*` headers, and whether the
/// request may go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    /// The quota's period: `limit` requests per this.
    pub period: Duration,
    pub remaining: u32,
    /// Until the bucket is full again.
    pub reset: Duration,
    /// Until the next request would be allowed (zero when this one was).
    pub retry_after: Duration,
}

struct Buckets<K> {
    /// Per key, the theoretical arrival time: when its bucket will be full again.
    full_at: HashMap<K, Instant>,
    /// Sweep idle keys once the map reaches this size.
    sweep_at: usize,
    /// At the bound with every key busy, the next sweep waits until then.
    quiet_until: Option<Instant>,
}

pub struct RateLimiter<K> {
    quota: Quota,
    max_keys: usize,
    buckets: Mutex<Buckets<K>>,
}

const FIRST_SWEEP: usize = 1024;

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    pub fn new(quota: Quota, max_keys: usize) -> Self {
        Self {
            quota,
            max_keys: max_keys.max(1),
            buckets: Mutex::new(Buckets {
                full_at: HashMap::new(),
                sweep_at: FIRST_SWEEP.min(max_keys.max(1)),
                quiet_until: None,
            }),
        }
    }

    pub fn quota(&self) -> Quota {
        self.quota
    }

    /// Takes one request from `key`'s bucket, if there is one left.
    pub fn check(&self, key: &K) -> Decision {
        self.check_at(key, Instant::now())
    }

    pub fn check_at(&self, key: &K, now: Instant) -> Decision {
        let Quota { limit, period } = self.quota;
        let emission = self.quota.emission();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let full_at = buckets.full_at.get(key).copied().unwrap_or(now).max(now);
        let next = full_at + emission;
        let used = next - now;
        if used > period {
            // Not enough left: nothing is taken.
            let retry_after = used - period;
            return Decision {
                allowed: false,
                limit,
                period,
                remaining: 0,
                reset: full_at - now,
                retry_after,
            };
        }
        if !buckets.full_at.contains_key(key) && !buckets.make_room(now, self.max_keys) {
            // Every slot holds a key still limited: this one is let through untracked rather
            // than refused, so a flood of new addresses cannot lock everyone out. The
            // per-host limit still applies to it.
            return Decision {
                allowed: true,
                limit,
                period,
                remaining: limit - 1,
                reset: emission,
                retry_after: Duration::ZERO,
            };
        }
        buckets.full_at.insert(key.clone(), next);
        let remaining = ((period - used).as_nanos() / emission.as_nanos().max(1)) as u32;
        Decision {
            allowed: true,
            limit,
            period,
            remaining,
            reset: used,
            retry_after: Duration::ZERO,
        }
    }

    /// How many keys are tracked (for tests of the bound).
    pub fn tracked(&self) -> usize {
        self.buckets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .full_at
            .len()
    }
}

impl<K: Hash + Eq> Buckets<K> {
    /// Whether one more key fits, sweeping idle keys (full buckets) first when it is time.
    fn make_room(&mut self, now: Instant, max_keys: usize) -> bool {
        if self.full_at.len() >= self.sweep_at && self.quiet_until.is_none_or(|t| now >= t) {
            self.full_at.retain(|_, full_at| *full_at > now);
            // Sweep again when the map has doubled, so sweeping costs O(1) per insert; a
            // map full of busy keys is swept at most once a second.
            self.sweep_at = (self.full_at.len() * 2).clamp(FIRST_SWEEP.min(max_keys), max_keys);
            self.quiet_until =
                (self.full_at.len() >= max_keys).then(|| now + Duration::from_secs(1));
        }
        self.full_at.len() < max_keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quota(limit: u32, secs: u64) -> Quota {
        Quota {
            limit,
            period: Duration::from_secs(secs),
        }
    }

    #[test]
    fn quotas_parse_and_refuse_nonsense() {
        assert_eq!(Quota::parse("30/10m").unwrap(), quota(30, 600));
        assert_eq!(Quota::parse(" 5 / 1s ").unwrap(), quota(5, 1));
        assert_eq!(Quota::parse("20/m").unwrap(), quota(20, 60));
        assert_eq!(Quota::parse("100/1h").unwrap(), quota(100, 3600));
        for bad in [
            "", "30", "30/", "x/1m", "0/1m", "5/0s", "5/1w", "5/1.5m", "5/8d", "-1/1m",
        ] {
            assert!(Quota::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_full_bucket_allows_the_limit_at_once_then_one_per_emission() {
        let limiter = RateLimiter::new(quota(3, 30), 100);
        let t0 = Instant::now();
        let remaining: Vec<u32> = (0..3).map(|_| limiter.check_at(&1, t0).remaining).collect();
        assert_eq!(remaining, [2, 1, 0]);
        let refused = limiter.check_at(&1, t0);
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after, Duration::from_secs(10));
        assert_eq!(refused.reset, Duration::from_secs(30));
        // Another key has its own bucket.
        assert!(limiter.check_at(&2, t0).allowed);
        // One emission interval later, exactly one more.
        let later = t0 + Duration::from_secs(10);
        assert!(limiter.check_at(&1, later).allowed);
        assert!(!limiter.check_at(&1, later).allowed);
        // A refused request takes nothing: after a full period the bucket is full again.
        let quiet = later + Duration::from_secs(30);
        assert_eq!(limiter.check_at(&1, quiet).remaining, 2);
    }

    #[test]
    fn idle_keys_are_swept_and_the_map_stays_bounded() {
        let limiter = RateLimiter::new(quota(1, 1), 2000);
        let t0 = Instant::now();
        for key in 0..2000 {
            assert!(limiter.check_at(&key, t0).allowed);
        }
        assert_eq!(limiter.tracked(), 2000);
        // Two seconds later every bucket is full again: the next new key sweeps them away.
        let later = t0 + Duration::from_secs(2);
        limiter.check_at(&-1, later);
        assert_eq!(limiter.tracked(), 1);
        // At the bound, busy keys are kept and a new key is let through untracked.
        for key in 0..3000 {
            assert!(limiter.check_at(&key, later).allowed);
        }
        assert_eq!(limiter.tracked(), 2000);
        assert!(!limiter.check_at(&0, later).allowed);
    }
}
