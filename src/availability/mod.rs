//! The availability engine: pure slot mathematics. It turns schedules, busy time and event-type
//! rules into bookable slots, and explains why an instant is not one. No IO, no clock (`now` is
//! an input), no async; only std, chrono, chrono-tz, rrule and serde.

pub mod assignment;
pub mod busy;
pub mod distribution;
pub mod explain;
pub mod interval;
pub mod limits;
pub mod local_time;
pub mod model;
pub mod schedule;
pub mod slots;

pub use explain::{Explanation, Reason, explain};
pub use model::*;
pub use slots::slots;

#[cfg(test)]
mod dst_tests;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod scenarios;
