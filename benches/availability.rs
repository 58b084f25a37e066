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
//! The workloads are the query documents written by `../shared/bench/workloads.py` (see its
//! docstring). They are read from the directory named by `KAIROS_WORKLOADS` (default
//! `target/workloads` under the crate root); when that directory has no `index.json`, the
//! script is run to write it there. Before measuring, the bench prints each workload's size and
//! the number of slots it yields, so the work done is visible next to the timings.
//!
//! Each benchmark warms up for 1 s and measures for 3 s (criterion's `--warm-up-time` and
//! `--measurement-time` override this). Results and history go to `target/criterion/`;
//! `docs/PERFORMANCE.md` records the latest measured figures.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use kairos::availability;
use kairos::headless::{self, AnswerOptions, ParsedQuery};

/// One workload document, read and pre-parsed.
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

fn workloads_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    match std::env::var_os("KAIROS_WORKLOADS") {
        Some(dir) => root.join(dir),
        None => root.join("target").join("workloads"),
    }
}

/// Makes sure `dir/index.json` exists, running the workload generator if it does not.
fn ensure_workloads(dir: &Path) {
    if dir.join("index.json").is_file() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("../shared/bench/workloads.py");
    if !script.is_file() {
        panic!(
            "benchmark workloads not found: {} has no index.json, and the generator {} does not \
             exist. Generate the workloads with `python3 <path>/workloads.py {}` or point \
             KAIROS_WORKLOADS at a directory holding them.",
            dir.display(),
            script.display(),
            dir.display()
        );
    }
    eprintln!(
        "generating workloads: python3 {} {}",
        script.display(),
        dir.display()
    );
    let status = Command::new("python3")
        .arg(&script)
        .arg(dir)
        .status()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `python3 {} {}` to generate the benchmark workloads: {e}",
                script.display(),
                dir.display()
            )
        });
    if !status.success() || !dir.join("index.json").is_file() {
        panic!(
            "`python3 {} {}` failed ({status}); the benchmark workloads could not be generated",
            script.display(),
            dir.display()
        );
    }
}

fn load_workloads() -> Vec<Workload> {
    let dir = workloads_dir();
    ensure_workloads(&dir);
    let index_path = dir.join("index.json");
    let index: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&index_path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", index_path.display())),
    )
    .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", index_path.display()));
    let entries = index
        .as_array()
        .unwrap_or_else(|| panic!("{} is not a JSON array", index_path.display()));

    let options = AnswerOptions::default();
    let mut workloads = Vec::new();
    for entry in entries {
        let name = entry["name"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: an entry has no name", index_path.display()))
            .to_owned();
        let path = dir.join(format!("{name}.json"));
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("cannot read workload {}: {e}", path.display()));
        let document = headless::read_document(&bytes)
            .unwrap_or_else(|e| panic!("workload {name} is not a valid document: {e}"));
        let parsed = headless::parse(&document, &options, fallback_now())
            .unwrap_or_else(|e| panic!("workload {name} is not a valid query: {e}"));
        let slots = availability::slots(&parsed.query);
        let starts = slots.len();
        let host_choices: usize = slots.iter().map(|s| s.hosts.len()).sum();
        eprintln!(
            "workload {name:7} {:>4} hosts {:>3} days {:>6} busy {:>8} bytes -> {starts:>5} slots \
             ({host_choices} host-slot pairs)",
            entry["hosts"],
            entry["days"],
            entry["busyIntervals"],
            bytes.len(),
        );
        workloads.push(Workload {
            name,
            bytes,
            parsed,
        });
    }
    workloads
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
