#!/usr/bin/env bash
# Fuzzes Kairos' parsers of untrusted input with libFuzzer, each target for SECONDS (default 60).
# Builds the targets in fuzz/ with the coverage instrumentation cargo-fuzz uses, on the stable
# toolchain (no cargo-fuzz needed; `cargo fuzz run <target>` works too where it is installed).
# A crash leaves its input in fuzz/artifacts/<target>/ and exits non-zero; turn it into a
# regression test, then keep the input in fuzz/seeds/<target>/.
#   scripts/fuzz.sh            every target, 60 s each
#   scripts/fuzz.sh 600 headless_query
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(headless_query webhook_template booking_request ics_feed)
fi
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
target_dir="${FUZZ_TARGET_DIR:-target}"
# An explicit --target keeps RUSTFLAGS off build scripts and proc-macros (as cargo-fuzz does).
triple="$(rustc -vV | sed -n 's/^host: //p')"
cargo build --release --target "$triple" --target-dir "$target_dir" --bins
for target in "${targets[@]}"; do
    corpus="$(mktemp -d)"
    mkdir -p "artifacts/$target"
    echo "== fuzzing $target for ${seconds}s"
    log="$(mktemp)"
    status=0
    "$target_dir/$triple/release/$target" "$corpus" "seeds/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="artifacts/$target/" >"$log" 2>&1 || status=$?
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY)|panicked' "$log" || true
    if [ "$status" -ne 0 ]; then
        tail -n 40 "$log" >&2
    fi
    rm -f "$log"
    rm -rf "$corpus"
    if [ "$status" -ne 0 ]; then
        echo "fuzz target $target failed; the input is in fuzz/artifacts/$target/" >&2
        exit 1
    fi
done
