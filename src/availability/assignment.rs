//! Round-robin host assignment: picks the one host, among those free for a slot, that Cal.com's
//! "lucky user" rules would pick, deterministically, and says why.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub type HostId = i64;

/// Cal.com's default host weight.
pub const DEFAULT_WEIGHT: u32 = 100;
/// Cal.com's default host priority ("medium" on the 0..=4 scale).
pub const DEFAULT_PRIORITY: u8 = 2;

/// Shortfalls are sums and products of fractions, so exact equality would split true ties.
const SHORTFALL_EPSILON: f64 = 1e-9;

/// One round-robin host of the event type, as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundRobinHost {
    pub id: HostId,
    pub weight: u32,
    /// 0 (lowest) ..= 4 (highest).
    pub priority: u8,
    /// When the host was added to the event type; drives newcomer calibration.
    pub joined_at: DateTime<Utc>,
    /// Virtual bookings added on top of the computed ones, e.g. to compensate for time out of
    /// office.
    pub extra_calibration: f64,
}

impl RoundRobinHost {
    pub fn new(id: HostId, joined_at: DateTime<Utc>) -> Self {
        Self {
            id,
            weight: DEFAULT_WEIGHT,
            priority: DEFAULT_PRIORITY,
            joined_at,
            extra_calibration: 0.0,
        }
    }

    /// A NaN or infinite calibration would make every shortfall incomparable and empty the field.
    fn finite_extra_calibration(&self) -> f64 {
        if self.extra_calibration.is_finite() {
            self.extra_calibration
        } else {
            0.0
        }
    }
}

/// An earlier booking of this event type, at any time.
#[derive(Debug, Clone, PartialEq)]
pub struct PastBooking {
    pub host: HostId,
    pub created_at: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub no_show_host: bool,
}

/// Which instant of a booking places it inside or outside the fairness interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampBasis {
    CreatedAt,
    StartTime,
}

impl TimestampBasis {
    fn instant_of(self, booking: &PastBooking) -> DateTime<Utc> {
        match self {
            TimestampBasis::CreatedAt => booking.created_at,
            TimestampBasis::StartTime => booking.start,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct AssignmentInput<'a> {
    /// Every round-robin host of the event type, free or not; host ids are expected unique (the
    /// first occurrence wins).
    pub hosts: &'a [RoundRobinHost],
    /// The hosts free for the chosen slot; ids not in `hosts` are ignored.
    pub free: &'a [HostId],
    /// This event type's bookings, at any time.
    pub bookings: &'a [PastBooking],
    /// `[start, end)` of the current weight-reset period (month or day in the team's zone).
    pub interval: (DateTime<Utc>, DateTime<Utc>),
    pub basis: TimestampBasis,
    pub weights_enabled: bool,
    pub include_no_show: bool,
}

/// What the booking history says about one host; `assign_from_stats` needs nothing else, so
/// callers making many assignments in a row can keep these up to date incrementally.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HostStats {
    /// Counted bookings whose basis instant lies in the interval.
    pub bookings_in_interval: u64,
    /// Virtual bookings for a host who joined during the interval (excludes
    /// `RoundRobinHost::extra_calibration`).
    pub calibration: f64,
    /// Creation time of the host's most recent counted booking, at any time.
    pub last_booked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    pub host: HostId,
    /// The rules that narrowed the field, in the order applied; the last one decided.
    pub reasons: Vec<Reason>,
}

/// Why the chosen host won; values are the chosen host's own.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "reason",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Reason {
    OnlyFreeHost,
    /// `share` is the host's target fraction of all bookings, in 0..=1.
    LargestShortfall {
        shortfall: f64,
        share: f64,
    },
    HighestWeight {
        weight: u32,
    },
    HighestPriority {
        priority: u8,
    },
    LeastRecentlyBooked {
        last_booked: Option<DateTime<Utc>>,
    },
    LowestId,
}

impl Reason {
    pub fn describe(&self) -> String {
        match self {
            Reason::OnlyFreeHost => "was the only free host".to_owned(),
            Reason::LargestShortfall { shortfall, share } => format!(
                "had the largest shortfall ({shortfall:.2} bookings) against its {:.0}% share",
                share * 100.0
            ),
            Reason::HighestWeight { weight } => format!("had the highest weight ({weight})"),
            Reason::HighestPriority { priority } => {
                let name = match priority {
                    0 => "lowest".to_owned(),
                    1 => "low".to_owned(),
                    2 => "medium".to_owned(),
                    3 => "high".to_owned(),
                    4 => "highest".to_owned(),
                    other => other.to_string(),
                };
                format!("had the highest priority ({name})")
            }
            Reason::LeastRecentlyBooked {
                last_booked: Some(at),
            } => format!(
                "was booked least recently (last on {})",
                at.format("%Y-%m-%d %H:%M UTC")
            ),
            Reason::LeastRecentlyBooked { last_booked: None } => {
                "had never been booked for this event type".to_owned()
            }
            Reason::LowestId => "had the lowest id among equally ranked hosts".to_owned(),
        }
    }
}

/// Picks one host among `input.free`; `None` when none of them is a round-robin host.
pub fn assign(input: &AssignmentInput) -> Option<Assignment> {
    let roster = roster(input.hosts);
    if free_field(&roster, input.free).len() <= 1 {
        // No history needed to pick among at most one host.
        return assign_from_stats(input.hosts, input.free, &BTreeMap::new(), false);
    }
    assign_from_stats(
        input.hosts,
        input.free,
        &host_stats(input),
        input.weights_enabled,
    )
}

/// Per-host statistics of `input.bookings`, for every host in `input.hosts`.
pub fn host_stats(input: &AssignmentInput) -> BTreeMap<HostId, HostStats> {
    let roster = roster(input.hosts);
    let mut stats: BTreeMap<HostId, HostStats> = roster
        .keys()
        .map(|&id| (id, HostStats::default()))
        .collect();
    let (start, end) = input.interval;
    let in_interval = |at: DateTime<Utc>| start <= at && at < end;

    // Newcomer calibration needs, per newcomer, the interval's bookings created before it joined
    // (minus its own). Bucketing each booking by the sorted join instants keeps this linear in
    // bookings rather than bookings × newcomers.
    let mut joins: Vec<DateTime<Utc>> = roster
        .values()
        .map(|host| host.joined_at)
        .filter(|&at| in_interval(at))
        .collect();
    joins.sort_unstable();
    joins.dedup();
    let mut earlier_than_join = vec![0u64; joins.len() + 1];
    let mut own_before_join: BTreeMap<HostId, u64> = BTreeMap::new();

    for booking in input.bookings {
        if booking.no_show_host && !input.include_no_show {
            continue;
        }
        let (Some(host), Some(entry)) = (roster.get(&booking.host), stats.get_mut(&booking.host))
        else {
            continue;
        };
        if entry.last_booked_at < Some(booking.created_at) {
            entry.last_booked_at = Some(booking.created_at);
        }
        if !in_interval(input.basis.instant_of(booking)) {
            continue;
        }
        entry.bookings_in_interval += 1;
        let first_later_join = joins.partition_point(|&join| join <= booking.created_at);
        if let Some(bucket) = earlier_than_join.get_mut(first_later_join) {
            *bucket += 1;
        }
        if booking.created_at < host.joined_at {
            *own_before_join.entry(host.id).or_default() += 1;
        }
    }

    // A booking in bucket `i` was created before joins `i..`, so the running total at `p` counts
    // the bookings created before join `p`.
    let mut running = 0;
    for bucket in &mut earlier_than_join {
        running += *bucket;
        *bucket = running;
    }
    let mut all_joins: Vec<DateTime<Utc>> = roster.values().map(|host| host.joined_at).collect();
    all_joins.sort_unstable();
    for host in roster.values().filter(|host| in_interval(host.joined_at)) {
        let position = joins.partition_point(|&join| join < host.joined_at);
        let before_join = earlier_than_join.get(position).copied().unwrap_or(0);
        let others_before =
            before_join.saturating_sub(own_before_join.get(&host.id).copied().unwrap_or(0));
        // The newcomer itself is among the hosts joined by then; it is not one of the hosts the
        // earlier bookings were spread over.
        let hosts_then = all_joins
            .partition_point(|&join| join <= host.joined_at)
            .saturating_sub(1)
            .max(1);
        if let Some(entry) = stats.get_mut(&host.id) {
            entry.calibration = others_before as f64 / hosts_then as f64;
        }
    }
    stats
}

/// `assign` on precomputed statistics; hosts missing from `stats` count as never booked.
pub fn assign_from_stats(
    hosts: &[RoundRobinHost],
    free: &[HostId],
    stats: &BTreeMap<HostId, HostStats>,
    weights_enabled: bool,
) -> Option<Assignment> {
    let roster = roster(hosts);
    let mut field = free_field(&roster, free);
    match field.as_slice() {
        [] => return None,
        [only] => {
            return Some(Assignment {
                host: only.id,
                reasons: vec![Reason::OnlyFreeHost],
            });
        }
        _ => {}
    }
    let stats_of = |id: HostId| stats.get(&id).copied().unwrap_or_default();

    // Summed in id order so that float rounding cannot depend on input order.
    let total_weight: u64 = roster.values().map(|host| u64::from(host.weight)).sum();
    let total_bookings: u64 = roster
        .keys()
        .map(|&id| stats_of(id).bookings_in_interval)
        .sum();
    let total_calibration: f64 = roster
        .values()
        .map(|host| stats_of(host.id).calibration + host.finite_extra_calibration())
        .sum();
    let share_of = |host: &RoundRobinHost| {
        if total_weight == 0 {
            0.0
        } else {
            f64::from(host.weight) / total_weight as f64
        }
    };
    let shortfall_of = |host: &RoundRobinHost| {
        let own = stats_of(host.id);
        (total_bookings as f64 + total_calibration) * share_of(host)
            - (own.bookings_in_interval as f64 + own.calibration + host.finite_extra_calibration())
    };

    let mut deciding = Vec::new();
    if weights_enabled {
        let largest = field
            .iter()
            .map(|host| shortfall_of(host))
            .fold(f64::NEG_INFINITY, f64::max);
        if narrow(&mut field, |host| {
            shortfall_of(host) >= largest - SHORTFALL_EPSILON
        }) {
            deciding.push(Rule::Shortfall);
        }
        if narrow_to_max(&mut field, |host| host.weight) {
            deciding.push(Rule::Weight);
        }
    }
    if narrow_to_max(&mut field, |host| host.priority) {
        deciding.push(Rule::Priority);
    }
    // `None` sorts first, so never-booked hosts win, as Cal.com's epoch default does.
    if narrow_to_max(&mut field, |host| Reverse(stats_of(host.id).last_booked_at)) {
        deciding.push(Rule::LeastRecentlyBooked);
    }
    if field.len() > 1 {
        deciding.push(Rule::LowestId);
    }

    // `field` is sorted by id, so the lowest id is first.
    let winner = field.first()?;
    let reasons = deciding
        .into_iter()
        .map(|rule| match rule {
            Rule::Shortfall => Reason::LargestShortfall {
                shortfall: shortfall_of(winner),
                share: share_of(winner),
            },
            Rule::Weight => Reason::HighestWeight {
                weight: winner.weight,
            },
            Rule::Priority => Reason::HighestPriority {
                priority: winner.priority,
            },
            Rule::LeastRecentlyBooked => Reason::LeastRecentlyBooked {
                last_booked: stats_of(winner.id).last_booked_at,
            },
            Rule::LowestId => Reason::LowestId,
        })
        .collect();
    Some(Assignment {
        host: winner.id,
        reasons,
    })
}

#[derive(Debug, Clone, Copy)]
enum Rule {
    Shortfall,
    Weight,
    Priority,
    LeastRecentlyBooked,
    LowestId,
}

fn roster(hosts: &[RoundRobinHost]) -> BTreeMap<HostId, &RoundRobinHost> {
    let mut roster = BTreeMap::new();
    for host in hosts {
        roster.entry(host.id).or_insert(host);
    }
    roster
}

/// The free round-robin hosts, sorted by id and without duplicates.
fn free_field<'a>(
    roster: &BTreeMap<HostId, &'a RoundRobinHost>,
    free: &[HostId],
) -> Vec<&'a RoundRobinHost> {
    let mut ids = free.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids.iter()
        .filter_map(|id| roster.get(id).copied())
        .collect()
}

/// Keeps the hosts that satisfy `keep`; says whether any was dropped.
fn narrow(field: &mut Vec<&RoundRobinHost>, keep: impl Fn(&RoundRobinHost) -> bool) -> bool {
    let before = field.len();
    field.retain(|host| keep(host));
    field.len() < before
}

fn narrow_to_max<K: Ord>(
    field: &mut Vec<&RoundRobinHost>,
    key: impl Fn(&RoundRobinHost) -> K,
) -> bool {
    match field.iter().map(|host| key(host)).max() {
        Some(best) => narrow(field, |host| key(host) == best),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    fn march(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, day, hour, 0, 0)
            .single()
            .expect("valid test instant")
    }

    fn february() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 2, 1, 0, 0, 0)
            .single()
            .expect("valid test instant")
    }

    fn march_interval() -> (DateTime<Utc>, DateTime<Utc>) {
        let april = Utc
            .with_ymd_and_hms(2025, 4, 1, 0, 0, 0)
            .single()
            .expect("valid test instant");
        (march(1, 0), april)
    }

    fn host(id: HostId) -> RoundRobinHost {
        RoundRobinHost::new(id, february())
    }

    fn weighted(id: HostId, weight: u32) -> RoundRobinHost {
        RoundRobinHost { weight, ..host(id) }
    }

    fn booking(host: HostId, at: DateTime<Utc>) -> PastBooking {
        PastBooking {
            host,
            created_at: at,
            start: at + TimeDelta::days(7),
            no_show_host: false,
        }
    }

    fn input<'a>(
        hosts: &'a [RoundRobinHost],
        free: &'a [HostId],
        bookings: &'a [PastBooking],
    ) -> AssignmentInput<'a> {
        AssignmentInput {
            hosts,
            free,
            bookings,
            interval: march_interval(),
            basis: TimestampBasis::CreatedAt,
            weights_enabled: true,
            include_no_show: false,
        }
    }

    fn chosen(input: &AssignmentInput) -> HostId {
        assign(input).map(|a| a.host).expect("a free host")
    }

    #[test]
    fn no_free_host_means_no_assignment() {
        let hosts = [host(1)];
        assert_eq!(assign(&input(&hosts, &[], &[])), None);
        assert_eq!(assign(&input(&hosts, &[9], &[])), None);
    }

    #[test]
    fn single_free_host_is_chosen() {
        let hosts = [host(1), host(2)];
        let bookings = [booking(2, march(2, 9))];
        let assignment = assign(&input(&hosts, &[2], &bookings));
        assert_eq!(
            assignment,
            Some(Assignment {
                host: 2,
                reasons: vec![Reason::OnlyFreeHost]
            })
        );
    }

    #[test]
    fn equal_weights_fall_back_to_least_recently_booked() {
        let hosts = [host(1), host(2), host(3)];
        let bookings = [
            booking(1, march(3, 9)),
            booking(2, march(2, 9)),
            booking(3, march(4, 9)),
        ];
        let assignment = assign(&input(&hosts, &[1, 2, 3], &bookings)).expect("a free host");
        assert_eq!(assignment.host, 2);
        assert_eq!(
            assignment.reasons,
            vec![Reason::LeastRecentlyBooked {
                last_booked: Some(march(2, 9))
            }]
        );
    }

    #[test]
    fn never_booked_beats_booked_outside_the_interval() {
        let hosts = [host(1), host(2)];
        let bookings = [booking(1, february())];
        let assignment = assign(&input(&hosts, &[1, 2], &bookings)).expect("a free host");
        assert_eq!(assignment.host, 2);
        assert_eq!(
            assignment.reasons,
            vec![Reason::LeastRecentlyBooked { last_booked: None }]
        );
    }

    #[test]
    fn double_weight_host_with_more_bookings_still_wins() {
        // Cal.com's spec: 5 bookings, targets 3.33 and 1.67.
        let hosts = [weighted(1, 200), weighted(2, 100)];
        let bookings = [
            booking(1, march(2, 9)),
            booking(1, march(2, 10)),
            booking(1, march(2, 11)),
            booking(2, march(2, 12)),
            booking(2, march(2, 13)),
        ];
        let assignment = assign(&input(&hosts, &[1, 2], &bookings)).expect("a free host");
        assert_eq!(assignment.host, 1);
        let [Reason::LargestShortfall { shortfall, share }] = assignment.reasons.as_slice() else {
            panic!("unexpected reasons {:?}", assignment.reasons);
        };
        assert!((shortfall - 1.0 / 3.0).abs() < 1e-9);
        assert!((share - 2.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn equal_shortfall_goes_to_the_heavier_host() {
        // Totals 3 of weights 200/100: both hosts are exactly on target.
        let hosts = [weighted(1, 100), weighted(2, 200)];
        let bookings = [
            booking(1, march(2, 9)),
            booking(2, march(2, 10)),
            booking(2, march(2, 11)),
        ];
        let assignment = assign(&input(&hosts, &[1, 2], &bookings)).expect("a free host");
        assert_eq!(assignment.host, 2);
        assert_eq!(
            assignment.reasons,
            vec![Reason::HighestWeight { weight: 200 }]
        );
    }

    #[test]
    fn priority_beats_least_recently_booked_without_weights() {
        let hosts = [
            host(1),
            RoundRobinHost {
                priority: 3,
                ..host(2)
            },
        ];
        let bookings = [booking(2, march(20, 9)), booking(2, march(21, 9))];
        let mut request = input(&hosts, &[1, 2], &bookings);
        request.weights_enabled = false;
        let assignment = assign(&request).expect("a free host");
        assert_eq!(assignment.host, 2);
        assert_eq!(
            assignment.reasons,
            vec![Reason::HighestPriority { priority: 3 }]
        );
    }

    #[test]
    fn full_tie_goes_to_lowest_id() {
        let hosts = [host(7), host(3), host(5)];
        let assignment = assign(&input(&hosts, &[7, 5, 3], &[])).expect("a free host");
        assert_eq!(assignment.host, 3);
        assert_eq!(assignment.reasons, vec![Reason::LowestId]);
    }

    #[test]
    fn newcomer_is_calibrated_rather_than_flooded() {
        // Hosts 1 and 2 took 10 bookings before host 3 joined on 11 March, so host 3 starts
        // with 10 / 2 = 5 virtual bookings.
        let joined = march(11, 0);
        let newcomer = RoundRobinHost::new(3, joined);
        let hosts = [host(1), host(2), newcomer.clone()];
        let mut bookings: Vec<PastBooking> = (0..10)
            .map(|i| booking(1 + i % 2, march(2 + i as u32 / 2, 9 + i as u32 % 2)))
            .collect();
        bookings.push(booking(1, march(12, 9)));
        bookings.push(booking(2, march(13, 9)));

        let stats = host_stats(&input(&hosts, &[1, 2, 3], &bookings));
        assert_eq!(stats[&3].calibration, 5.0);
        assert_eq!(stats[&1].calibration, 0.0);

        // Totals: 12 bookings + 5 virtual, 1/3 each: host 3 is 0.67 short, the others 0.33 over.
        let first = assign(&input(&hosts, &[1, 2, 3], &bookings)).expect("a free host");
        assert_eq!(first.host, 3);
        let [Reason::LargestShortfall { shortfall, share }] = first.reasons.as_slice() else {
            panic!("unexpected reasons {:?}", first.reasons);
        };
        assert!((shortfall - 2.0 / 3.0).abs() < 1e-9);
        assert!((share - 1.0 / 3.0).abs() < 1e-9);

        let next_six = |hosts: &[RoundRobinHost]| {
            let mut history = bookings.clone();
            (0..6)
                .map(|i| {
                    let picked = chosen(&input(hosts, &[1, 2, 3], &history));
                    history.push(booking(picked, march(20, 9 + i)));
                    picked
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(next_six(&hosts), vec![3, 1, 2, 3, 1, 2]);

        // Without calibration (joined before the interval) it would take every booking until
        // it had 6 real ones.
        let uncalibrated = [host(1), host(2), host(3)];
        assert_eq!(next_six(&uncalibrated), vec![3; 6]);
    }

    #[test]
    fn each_newcomer_is_calibrated_against_the_hosts_before_it() {
        let hosts = [
            host(1),
            host(2),
            RoundRobinHost::new(3, march(11, 0)),
            RoundRobinHost::new(4, march(21, 0)),
        ];
        let mut bookings: Vec<PastBooking> = (0..10)
            .map(|i| booking(1 + i % 2, march(2 + i as u32 / 2, 9)))
            .collect();
        bookings.push(booking(3, march(12, 9)));
        bookings.push(booking(1, march(13, 9)));
        // Its own booking from before it joined does not calibrate host 4.
        bookings.push(booking(4, march(14, 9)));
        bookings.push(booking(2, march(22, 9)));
        let stats = host_stats(&input(&hosts, &[1, 2, 3, 4], &bookings));
        let calibration = |id| stats[&id].calibration;
        // Host 3: 10 bookings over hosts 1 and 2; host 4: 12 over hosts 1, 2 and 3.
        assert_eq!([1, 2, 3, 4].map(calibration), [0.0, 0.0, 5.0, 4.0]);
    }

    #[test]
    fn extra_calibration_counts_as_bookings() {
        let hosts = [
            host(1),
            RoundRobinHost {
                extra_calibration: 2.0,
                ..host(2)
            },
        ];
        let bookings = [booking(1, march(2, 9))];
        // Host 2: 0 real + 2 virtual bookings against host 1's 1.
        assert_eq!(chosen(&input(&hosts, &[1, 2], &bookings)), 1);
    }

    #[test]
    fn no_show_bookings_are_excluded_unless_included() {
        let hosts = [host(1), host(2)];
        let no_show = |at| PastBooking {
            no_show_host: true,
            ..booking(1, at)
        };
        let bookings = [
            no_show(march(2, 9)),
            no_show(march(3, 9)),
            booking(2, march(4, 9)),
        ];
        let mut request = input(&hosts, &[1, 2], &bookings);
        assert_eq!(chosen(&request), 1);
        request.include_no_show = true;
        assert_eq!(chosen(&request), 2);
    }

    #[test]
    fn basis_decides_which_bookings_fall_in_the_interval() {
        let hosts = [host(1), host(2)];
        // Created in February for a start in March, and created in March for a start in April.
        let bookings = [
            PastBooking {
                start: march(5, 9),
                ..booking(1, february())
            },
            PastBooking {
                start: march(31, 9) + TimeDelta::days(2),
                ..booking(2, march(30, 9))
            },
        ];
        let mut request = input(&hosts, &[1, 2], &bookings);
        assert_eq!(chosen(&request), 1);
        request.basis = TimestampBasis::StartTime;
        assert_eq!(chosen(&request), 2);
    }

    #[test]
    fn result_does_not_depend_on_input_order() {
        let mut hosts = vec![
            weighted(4, 50),
            weighted(2, 150),
            RoundRobinHost {
                priority: 4,
                ..weighted(9, 100)
            },
            RoundRobinHost::new(6, march(10, 0)),
        ];
        let mut bookings: Vec<PastBooking> = (0..40)
            .map(|i: i64| {
                booking(
                    [2, 4, 6, 9][(i % 4) as usize],
                    march(1, 0) + TimeDelta::hours(i * 7),
                )
            })
            .collect();
        let mut free = vec![2, 4, 6, 9];
        let expected = assign(&input(&hosts, &free, &bookings));
        assert!(expected.is_some());
        for round in 0..4 {
            hosts.rotate_left(1);
            bookings.reverse();
            bookings.rotate_left(round * 3 + 1);
            free.rotate_left(1);
            assert_eq!(assign(&input(&hosts, &free, &bookings)), expected);
        }
    }

    #[test]
    fn reasons_serialize_tagged_and_describe_themselves() {
        let reason = Reason::LeastRecentlyBooked {
            last_booked: Some(march(2, 9)),
        };
        let json = serde_json::to_value(&reason).expect("serializable");
        assert_eq!(json["reason"], "leastRecentlyBooked");
        assert!(json.get("lastBooked").is_some());
        assert_eq!(
            Reason::LargestShortfall {
                shortfall: 0.5,
                share: 0.5
            }
            .describe(),
            "had the largest shortfall (0.50 bookings) against its 50% share"
        );
        assert_eq!(
            Reason::HighestPriority { priority: 4 }.describe(),
            "had the highest priority (highest)"
        );
    }

    /// A small linear congruential generator: deterministic "random" availability.
    struct Lcg(u64);

    impl Lcg {
        fn next_fraction(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Books `slots` slots in sequence, keeping statistics incrementally, and returns each
    /// host's fraction of the bookings made. Every 500 bookings the incremental path is checked
    /// against `assign` on the full history.
    fn simulate(weights: &[u32], slots: usize, unavailable: f64) -> Vec<(f64, f64)> {
        let hosts: Vec<RoundRobinHost> = weights
            .iter()
            .enumerate()
            .map(|(i, &w)| weighted(i as HostId + 1, w))
            .collect();
        let mut stats: BTreeMap<HostId, HostStats> = BTreeMap::new();
        let mut history: Vec<PastBooking> = Vec::with_capacity(slots);
        let mut lcg = Lcg(42);
        for slot in 0..slots {
            let free: Vec<HostId> = hosts
                .iter()
                .map(|h| h.id)
                .filter(|_| lcg.next_fraction() >= unavailable)
                .collect();
            let Some(assignment) = assign_from_stats(&hosts, &free, &stats, true) else {
                continue;
            };
            if slot % 500 == 0 {
                assert_eq!(
                    assign(&input(&hosts, &free, &history)).map(|a| a.host),
                    Some(assignment.host)
                );
            }
            let at = march(1, 0) + TimeDelta::minutes(slot as i64);
            let entry = stats.entry(assignment.host).or_default();
            entry.bookings_in_interval += 1;
            entry.last_booked_at = Some(at);
            history.push(booking(assignment.host, at));
        }
        let total_weight: u32 = weights.iter().sum();
        let booked = history.len() as f64;
        hosts
            .iter()
            .map(|h| {
                let got = stats.get(&h.id).map_or(0, |s| s.bookings_in_interval);
                (
                    got as f64 / booked,
                    f64::from(h.weight) / f64::from(total_weight),
                )
            })
            .collect()
    }

    fn assert_within_two_points(shares: &[(f64, f64)]) {
        for &(actual, target) in shares {
            assert!(
                (actual - target).abs() <= 0.02,
                "share {actual:.4} vs target {target:.4} in {shares:?}"
            );
        }
    }

    #[test]
    fn simulation_matches_weights_when_everyone_is_free() {
        assert_within_two_points(&simulate(&[50, 30, 20], 10_000, 0.0));
        assert_within_two_points(&simulate(&[10, 20, 30, 15, 25], 10_000, 0.0));
    }

    #[test]
    fn simulation_matches_weights_with_partial_availability() {
        assert_within_two_points(&simulate(&[50, 30, 20], 10_000, 0.2));
        assert_within_two_points(&simulate(&[10, 20, 30, 15, 25], 10_000, 0.2));
    }
}
