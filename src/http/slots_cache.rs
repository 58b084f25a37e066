//! A short-lived cache of `GET /v2/slots` answers, so a popular booking page costs one
//! computation per second instead of one per visitor.
//!
//! An answer is served from the cache only while both hold:
//! - no availability write has committed in this process since it was computed
//!   ([`crate::storage::Db::write_count`], read before the data was), so a booking, a
//!   cancellation or a schedule change shows on the next request;
//! - it is younger than the configured time to live, which bounds how late the answer follows
//!   the clock (minimum notice, expiring holds) and writes made by other instances or other
//!   processes on the same database.
//!
//! Booking never reads this cache: a booking is checked against the engine inside its own
//! transaction, so a stale slot can at worst be offered and then refused with 409.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use tokio::sync::OnceCell;

/// Entries kept at most; a month of one event type is some tens of kilobytes.
const MAX_ENTRIES: usize = 512;

/// One answer, computed once: requests that miss together wait for the first one's
/// computation instead of each repeating it (an expiring popular entry would otherwise set
/// every connection computing the same month at once).
pub type Answer = Arc<OnceCell<Bytes>>;

pub struct SlotsCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

struct Entry {
    writes: u64,
    created: Instant,
    answer: Answer,
}

impl SlotsCache {
    /// A zero `ttl` turns the cache off.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The answer for `key` as of the `writes`-th write: the stored one while it is current
    /// and within its time to live, else a new empty one that the caller fills (and that
    /// concurrent callers share). The caller must read `writes` before reading any data.
    pub fn answer(&self, key: &str, writes: u64) -> Answer {
        if self.ttl.is_zero() {
            return Answer::default();
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = entries.get(key)
            && entry.writes == writes
            && entry.created.elapsed() < self.ttl
        {
            return entry.answer.clone();
        }
        if entries.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            entries.retain(|_, e| e.writes == writes && e.created.elapsed() < ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        let answer = Answer::default();
        entries.insert(
            key.to_owned(),
            Entry {
                writes,
                created: Instant::now(),
                answer: answer.clone(),
            },
        );
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(answer: &Answer, text: &'static str) {
        answer.set(Bytes::from_static(text.as_bytes())).unwrap();
    }

    #[test]
    fn a_write_or_age_retires_an_answer() {
        let cache = SlotsCache::new(Duration::from_millis(50));
        fill(&cache.answer("q", 3), "a");
        assert_eq!(cache.answer("q", 3).get().map(|b| &b[..]), Some(&b"a"[..]));
        assert!(
            cache.answer("q", 4).get().is_none(),
            "a later write retires it"
        );
        assert!(cache.answer("other", 4).get().is_none());
        fill(&cache.answer("q", 4), "b");
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.answer("q", 4).get().is_none(), "age retires it");
    }

    #[test]
    fn concurrent_misses_share_one_answer() {
        let cache = SlotsCache::new(Duration::from_secs(60));
        let first = cache.answer("q", 1);
        let second = cache.answer("q", 1);
        assert!(Arc::ptr_eq(&first, &second));
    }

    #[test]
    fn zero_ttl_stores_nothing() {
        let cache = SlotsCache::new(Duration::ZERO);
        fill(&cache.answer("q", 0), "a");
        assert!(cache.answer("q", 0).get().is_none());
    }

    #[test]
    fn size_stays_bounded() {
        let cache = SlotsCache::new(Duration::from_secs(60));
        for i in 0..(MAX_ENTRIES * 3) {
            cache.answer(&format!("q{i}"), 1);
        }
        assert!(cache.entries.lock().unwrap().len() <= MAX_ENTRIES);
    }
}
