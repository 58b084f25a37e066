//! Availability engine benchmarks on the standard workloads (B1, B2, B3, B4-*, B5-*).
//!
//! For every workload two figures are measured:
//!
//! - `engine/<name>`: `kairos::availability::slots` on a query parsed beforehand. This is the
//!   figure the performance targets refer to (B1 < 100 µs, B2 < 5 ms, B3 < 2 ms).
//! - `headless/<name>`: the whole headless answer, as `POST /v2/availability/query` and
//!   `kairos slots` run it: read the JSON document, validate it into a query, compute the slots,
//!   build the Cal.com response and serialise it to bytes (HTTP itself is not included).
//!
//! Run (release build):
//!
//! ```text
//! cargo bench --bench availability                 # everything, a few minutes
//! cargo bench --bench availability -- engine/B1    # one benchmark (criterion filter)
//! ```
//!
//! The workloads are the query documents of `../shared/bench/workloads.py`, generated in memory
//! by `benches/workloads/` (byte for byte the same; `tests/api/workloads.rs` checks their
//! SHA-256 against `benches/workloads.sha256`), so neither Python nor `../shared` is needed.
//! Before measuring, the bench prints each workload's size and the number of slots it yields, so
//! the work done is visible next to the timings.
//!
//! Each benchmark warms up for 1 s and measures for 3 s (criterion's `--warm-up-time` and
//! `--measurement-time` override this). Results and history go to `target/criterion/`;
//! `docs/PERFORMANCE.md` records the latest measured figures.

mod workloads;

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use kairos::availability;
use kairos::headless::{self, AnswerOptions, ParsedQuery};

/// One workload document, generated and pre-parsed.
struct Workload {
    name: String,
    bytes: Vec<u8>,
    parsed: ParsedQuery,
}

/// `now` when a document carries none (every standard workload carries its own).
fn fallback_now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2030-06-02T00:00:00Z")
        .expect("valid instant")
        .with_timezone(&Utc)
}

fn load_workloads() -> Vec<Workload> {
    let options = AnswerOptions::default();
    workloads::all()
        .into_iter()
        .map(|w| {
            let name = w.name;
            let document = headless::read_document(&w.document)
                .unwrap_or_else(|e| panic!("workload {name} is not a valid document: {e}"));
            let parsed = headless::parse(&document, &options, fallback_now())
                .unwrap_or_else(|e| panic!("workload {name} is not a valid query: {e}"));
            let slots = availability::slots(&parsed.query);
            let starts = slots.len();
            let host_choices: usize = slots.iter().map(|s| s.hosts.len()).sum();
            eprintln!(
                "workload {name:7} {:>4} hosts {:>3} days {:>6} busy {:>8} bytes -> {starts:>5} \
                 slots ({host_choices} host-slot pairs)",
                w.hosts,
                w.days,
                w.busy_intervals,
                w.document.len(),
            );
            Workload {
                name,
                bytes: w.document,
                parsed,
            }
        })
        .collect()
}

fn benchmarks(c: &mut Criterion) {
    let workloads = load_workloads();
    let options = AnswerOptions::default();
    let now = fallback_now();

    let mut engine = c.benchmark_group("engine");
    for w in &workloads {
        engine.bench_function(&w.name, |b| {
            b.iter(|| availability::slots(black_box(&w.parsed.query)))
        });
    }
    engine.finish();

    let mut full = c.benchmark_group("headless");
    for w in &workloads {
        full.bench_function(&w.name, |b| {
            b.iter(|| {
                headless::answer(black_box(&w.bytes), &options, now).expect("workload answers")
            })
        });
    }
    full.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
}

criterion_group! {
    name = availability_benches;
    config = config();
    targets = benchmarks
}
criterion_main!(availability_benches);
