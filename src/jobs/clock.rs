//! The job runner's clock: the time every runner judges what is due by, and the time reminders
//! are scheduled against. It is the system clock plus an offset that only in-process callers
//! (the integration tests, through the `Application`) can move forward, so a test sees a
//! reminder due in 24 hours sent without waiting for it. No HTTP endpoint reaches it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

/// Shared by the runners and the outbox of one `Application`; clones see the same offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves the clock forward by `by` (tests: "the day before the meeting is now").
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_advance() {
        let clock = Clock::default();
        let seen = clock.clone();
        let before = seen.now();
        clock.advance(Duration::hours(23));
        let moved = seen.now() - before;
        assert!(moved >= Duration::hours(23) && moved < Duration::hours(23) + Duration::minutes(1));
    }
}
