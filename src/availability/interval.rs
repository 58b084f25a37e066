//! Half-open UTC intervals in whole seconds, and sorted disjoint sets of them with linear-time
//! union, intersection and subtraction.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// `[start, end)` in seconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Interval {
    pub start: i64,
    pub end: i64,
}

impl Interval {
    pub fn new(start: i64, end: i64) -> Self {
        Self { start, end }
    }

    pub fn from_instants(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Self::new(start.timestamp(), end.timestamp())
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn contains(&self, other: &Interval) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn duration(&self) -> i64 {
        (self.end - self.start).max(0)
    }

    /// The part of `self` inside `other`, possibly empty.
    pub fn clip(&self, other: &Interval) -> Interval {
        Interval::new(self.start.max(other.start), self.end.min(other.end))
    }
}

/// Sorted, disjoint, non-empty, non-touching intervals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntervalSet(Vec<Interval>);

impl IntervalSet {
    pub fn empty() -> Self {
        Self(Vec::new())
    }

    /// Normalises any intervals: sorts, drops empty ones, merges overlapping and touching ones.
    pub fn from_intervals(mut intervals: Vec<Interval>) -> Self {
        intervals.retain(|i| !i.is_empty());
        intervals.sort_unstable();
        let mut merged: Vec<Interval> = Vec::with_capacity(intervals.len());
        for interval in intervals {
            match merged.last_mut() {
                Some(last) if interval.start <= last.end => last.end = last.end.max(interval.end),
                _ => merged.push(interval),
            }
        }
        Self(merged)
    }

    pub fn single(interval: Interval) -> Self {
        Self::from_intervals(vec![interval])
    }

    pub fn as_slice(&self) -> &[Interval] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn union(&self, other: &IntervalSet) -> IntervalSet {
        let mut all = Vec::with_capacity(self.0.len() + other.0.len());
        all.extend_from_slice(&self.0);
        all.extend_from_slice(&other.0);
        IntervalSet::from_intervals(all)
    }

    pub fn intersect(&self, other: &IntervalSet) -> IntervalSet {
        let (a, b) = (&self.0, &other.0);
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < a.len() && j < b.len() {
            let clipped = a[i].clip(&b[j]);
            if !clipped.is_empty() {
                out.push(clipped);
            }
            if a[i].end < b[j].end {
                i += 1;
            } else {
                j += 1;
            }
        }
        IntervalSet(out)
    }

    pub fn subtract(&self, other: &IntervalSet) -> IntervalSet {
        let mut out = Vec::with_capacity(self.0.len());
        let mut j = 0;
        for &interval in &self.0 {
            let mut current = interval;
            while j < other.0.len() && other.0[j].end <= current.start {
                j += 1;
            }
            let mut k = j;
            while k < other.0.len() && other.0[k].start < current.end {
                let cut = other.0[k];
                if cut.start > current.start {
                    out.push(Interval::new(current.start, cut.start));
                }
                current.start = current.start.max(cut.end);
                if current.is_empty() {
                    break;
                }
                k += 1;
            }
            if !current.is_empty() {
                out.push(current);
            }
        }
        IntervalSet(out)
    }

    /// Whether `interval` lies entirely inside one member of the set.
    pub fn covers(&self, interval: &Interval) -> bool {
        self.containing(interval.start)
            .is_some_and(|member| member.contains(interval))
    }

    /// The member containing instant `at`, if any.
    pub fn containing(&self, at: i64) -> Option<&Interval> {
        let index = self.0.partition_point(|i| i.end <= at);
        self.0.get(index).filter(|i| i.start <= at)
    }

    /// Whether any member overlaps `interval`.
    pub fn overlaps(&self, interval: &Interval) -> bool {
        let index = self.0.partition_point(|i| i.end <= interval.start);
        self.0.get(index).is_some_and(|i| i.overlaps(interval))
    }

    pub fn clip_to(&self, range: &Interval) -> IntervalSet {
        self.intersect(&IntervalSet::single(*range))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(pairs: &[(i64, i64)]) -> IntervalSet {
        IntervalSet::from_intervals(pairs.iter().map(|&(s, e)| Interval::new(s, e)).collect())
    }

    fn pairs(set: &IntervalSet) -> Vec<(i64, i64)> {
        set.as_slice().iter().map(|i| (i.start, i.end)).collect()
    }

    #[test]
    fn normalises_by_merging_overlapping_and_touching_intervals() {
        let s = set(&[(5, 7), (0, 2), (2, 3), (6, 9), (10, 10), (12, 11)]);
        assert_eq!(pairs(&s), vec![(0, 3), (5, 9)]);
    }

    #[test]
    fn intersects() {
        let a = set(&[(0, 10), (20, 30)]);
        let b = set(&[(5, 25), (28, 40)]);
        assert_eq!(pairs(&a.intersect(&b)), vec![(5, 10), (20, 25), (28, 30)]);
        assert!(a.intersect(&IntervalSet::empty()).is_empty());
    }

    #[test]
    fn subtracts() {
        let a = set(&[(0, 10), (20, 30)]);
        let b = set(&[(2, 3), (5, 22), (29, 35)]);
        assert_eq!(pairs(&a.subtract(&b)), vec![(0, 2), (3, 5), (22, 29)]);
        assert_eq!(pairs(&a.subtract(&IntervalSet::empty())), pairs(&a));
        assert!(a.subtract(&set(&[(-5, 50)])).is_empty());
    }

    #[test]
    fn answers_membership_questions() {
        let a = set(&[(0, 10), (20, 30)]);
        assert!(a.covers(&Interval::new(20, 30)));
        assert!(!a.covers(&Interval::new(5, 21)));
        assert!(a.overlaps(&Interval::new(9, 11)));
        assert!(!a.overlaps(&Interval::new(10, 20)));
        assert_eq!(a.containing(10), None);
        assert_eq!(a.containing(25), Some(&Interval::new(20, 30)));
    }
}
