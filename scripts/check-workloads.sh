#!/usr/bin/env bash
# Checks that benches/workloads.sha256 (the SHA-256 of every benchmark workload document, which
# tests/api/workloads.rs compares with the Rust generator in benches/workloads/) matches what
# the original generator, ../shared/bench/workloads.py, writes. Needs python3 and ../shared.
#
#   scripts/check-workloads.sh            compare; exit 1 on any difference
#   scripts/check-workloads.sh --update   rewrite benches/workloads.sha256 from the Python output
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
script="${WORKLOADS_PY:-$root/../shared/bench/workloads.py}"
digest="$root/benches/workloads.sha256"
names=(B1 B2 B3 B4-1d B4-7d B4-31d B4-90d B5-10 B5-50 B5-100 B5-200)

if [[ ! -f "$script" ]]; then
    echo "check-workloads: $script not found (set WORKLOADS_PY); nothing to compare" >&2
    exit 2
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
python3 "$script" "$out" >/dev/null
(cd "$out" && sha256sum "${names[@]/%/.json}") >"$out/digest"

if [[ "${1:-}" == "--update" ]]; then
    cp "$out/digest" "$digest"
    echo "check-workloads: wrote $digest"
    exit 0
fi
if diff -u "$digest" "$out/digest"; then
    echo "check-workloads: benches/workloads.sha256 matches $script"
else
    echo "check-workloads: $script writes different documents than benches/workloads.sha256 records;" >&2
    echo "  update the Rust generator (benches/workloads/) to match, then run with --update" >&2
    exit 1
fi
