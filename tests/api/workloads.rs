//! The benchmark workloads generated in Rust (`benches/workloads/`) are the documents the
//! original Python generator writes: their SHA-256 equal `benches/workloads.sha256`, which
//! `scripts/check-workloads.sh` checks against the Python script where `../shared` exists.

use sha2::{Digest, Sha256};

#[path = "../../benches/workloads/mod.rs"]
mod generator;

const DIGEST: &str = include_str!("../../benches/workloads.sha256");

#[test]
fn the_generated_workloads_are_the_recorded_documents() {
    let recorded: Vec<(&str, &str)> = DIGEST
        .lines()
        .filter_map(|line| line.split_once("  "))
        .map(|(hash, file)| (file.trim_end_matches(".json"), hash))
        .collect();
    let generated = generator::all();
    let names: Vec<&str> = generated.iter().map(|w| w.name.as_str()).collect();
    let recorded_names: Vec<&str> = recorded.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, recorded_names);
    for (workload, (_, hash)) in generated.iter().zip(&recorded) {
        assert_eq!(
            hex::encode(Sha256::digest(&workload.document)),
            *hash,
            "{} differs from the recorded document ({} bytes generated)",
            workload.name,
            workload.document.len()
        );
    }
}

/// What docs/PERFORMANCE.md's workload table says each document holds.
#[test]
fn each_workload_has_its_hosts_days_and_busy_time() {
    let shape: Vec<(String, usize, u64, usize)> = generator::all()
        .into_iter()
        .map(|w| (w.name, w.hosts, w.days, w.busy_intervals))
        .collect();
    let expected = [
        ("B1", 1, 31, 500),
        ("B2", 100, 31, 20_000),
        ("B3", 50, 31, 5_000),
        ("B4-1d", 1, 1, 16),
        ("B4-7d", 1, 7, 113),
        ("B4-31d", 1, 31, 500),
        ("B4-90d", 1, 90, 1_452),
        ("B5-10", 10, 31, 2_000),
        ("B5-50", 50, 31, 10_000),
        ("B5-100", 100, 31, 20_000),
        ("B5-200", 200, 31, 40_000),
    ]
    .map(|(name, hosts, days, busy)| (name.to_owned(), hosts, days, busy));
    assert_eq!(shape, expected);
}
