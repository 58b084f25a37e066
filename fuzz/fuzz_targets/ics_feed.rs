//! An ICS feed read over a range: any text reads or fails with a message, never panics, and
//! the blocks it gives are sorted, non-empty and overlap the range.
#![no_main]

use chrono::{TimeZone, Utc};
use kairos::ical::feed::busy_blocks;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|document: &str| {
    let from = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2025, 4, 1, 0, 0, 0).unwrap();
    // The zone's type is inferred from the signature, so the fuzz crate needs no chrono-tz.
    let zone = "Europe/Berlin".parse().unwrap();
    if let Ok(blocks) = busy_blocks(document, from, to, zone) {
        for pair in blocks.windows(2) {
            assert!(pair[0].start <= pair[1].start);
        }
        for block in &blocks {
            assert!(block.start < block.end && block.start < to && block.end > from);
        }
    }
});
