//! The headless query document (`POST /v2/availability/query`, `kairos slots`): any bytes are
//! refused with an error naming a field or answered with JSON; nothing panics.
#![no_main]

use chrono::TimeZone;
use kairos::headless::{AnswerOptions, answer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let now = chrono::Utc.with_ymd_and_hms(2030, 3, 1, 12, 0, 0).unwrap();
    for format in [None, Some("range".to_owned())] {
        let options = AnswerOptions {
            format,
            explain: None,
        };
        if let Ok(json) = answer(bytes, &options, now) {
            serde_json::from_slice::<serde_json::Value>(&json).expect("the answer is JSON");
        }
    }
});
