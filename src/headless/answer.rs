//! The slots answer in Cal.com's `GET /v2/slots` shape: a `Serialize` value that borrows the
//! query and the engine's slots and is written straight to bytes. It decides nothing about
//! availability; it only groups, formats and, when asked, attaches the engine's explanation.

use chrono::{DateTime, Datelike, Offset, Timelike, Utc};
use chrono_tz::Tz;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::ParsedQuery;
use crate::availability::{Explanation, HostId, Query, Scheduling, Slot};

/// Cal.com's envelope: `{"status":"success","data":{date: [slot, …]}}`, plus `explanation`
/// when one was asked for.
#[derive(Serialize)]
pub struct SlotsAnswer<'a> {
    status: &'static str,
    data: Days<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<Explanation>,
}

impl<'a> SlotsAnswer<'a> {
    /// Slots grouped by the booker's date, times in the booker's timezone; `end` with the range
    /// format; seat counts for seated events; the free hosts for round robin.
    pub fn new(parsed: &'a ParsedQuery, slots: &'a [Slot]) -> Self {
        let query = &parsed.query;
        let starts: Vec<Iso> = slots
            .iter()
            .map(|s| Iso::new(query.booker_tz, s.start))
            .collect();
        // Dates follow instants except across a DST fall-back at midnight, where a later slot
        // can belong to the day before; a stable sort keeps each day's slots in order and costs
        // one pass over input that is already sorted.
        let mut order: Vec<usize> = (0..slots.len()).collect();
        order.sort_by_key(|&i| starts[i].date());
        SlotsAnswer {
            status: "success",
            data: Days {
                query,
                range_format: parsed.range_format,
                slots,
                starts,
                order,
            },
            explanation: parsed
                .explain
                .map(|at| crate::availability::explain(query, at)),
        }
    }

    /// The answer as JSON bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let per_slot = if self.data.range_format { 80 } else { 40 };
        let mut out = Vec::with_capacity(64 + self.data.slots.len() * per_slot);
        // Every key is a string and every value infallible, so writing to memory cannot fail.
        serde_json::to_writer(&mut out, self).expect("the slots answer serialises");
        out
    }
}

struct Days<'a> {
    query: &'a Query,
    range_format: bool,
    slots: &'a [Slot],
    /// Each slot's start in the booker's timezone, by slot index.
    starts: Vec<Iso>,
    /// Slot indices grouped by the booker's date, dates ascending.
    order: Vec<usize>,
}

impl Serialize for Days<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for day in self
            .order
            .chunk_by(|&a, &b| self.starts[a].date() == self.starts[b].date())
        {
            map.serialize_entry(self.starts[day[0]].date(), &Day { days: self, day })?;
        }
        map.end()
    }
}

/// One date's slots, as indices into [`Days::slots`].
struct Day<'a> {
    days: &'a Days<'a>,
    day: &'a [usize],
}

impl Serialize for Day<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let days = self.days;
        let event = &days.query.event;
        let mut seq = serializer.serialize_seq(Some(self.day.len()))?;
        for &i in self.day {
            let slot = &days.slots[i];
            let seated = event.seats.is_some();
            seq.serialize_element(&SlotEntry {
                start: &days.starts[i],
                end: days
                    .range_format
                    .then(|| Iso::new(days.query.booker_tz, slot.end)),
                attendees_count: seated.then(|| slot.attendees.unwrap_or(0)),
                booking_uid: slot.booking_uid.as_deref().filter(|_| seated),
                hosts: (event.scheduling == Scheduling::RoundRobin).then_some(&slot.hosts[..]),
            })?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SlotEntry<'a> {
    start: &'a Iso,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<Iso>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attendees_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    booking_uid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hosts: Option<&'a [HostId]>,
}

/// An instant as Cal.com prints slots: ISO 8601 with milliseconds and the offset of the
/// timezone (`Z` for UTC), e.g. `2030-06-03T09:00:00.000-04:00`. Kept as bytes on the stack: a
/// month of slots is a thousand of them.
#[derive(Clone, Copy)]
pub struct Iso {
    bytes: [u8; Iso::CAPACITY],
    len: u8,
}

impl Iso {
    /// Room for chrono's widest year (`-262143`) and an offset.
    const CAPACITY: usize = 32;

    pub fn new(tz: Tz, at: i64) -> Self {
        let local = DateTime::<Utc>::from_timestamp(at, 0)
            .unwrap_or_default()
            .with_timezone(&tz);
        let mut iso = Iso {
            bytes: [0; Self::CAPACITY],
            len: 0,
        };
        let year = local.year();
        if (0..=9999).contains(&year) {
            iso.digits(year as u32, 4);
        } else {
            for b in format!("{year:04}").bytes() {
                iso.push(b);
            }
        }
        iso.push(b'-');
        iso.digits(local.month(), 2);
        iso.push(b'-');
        iso.digits(local.day(), 2);
        iso.push(b'T');
        iso.digits(local.hour(), 2);
        iso.push(b':');
        iso.digits(local.minute(), 2);
        iso.push(b':');
        iso.digits(local.second(), 2);
        for &b in b".000" {
            iso.push(b);
        }
        if tz == Tz::UTC {
            iso.push(b'Z');
            return iso;
        }
        let offset = local.offset().fix().local_minus_utc();
        iso.push(if offset < 0 { b'-' } else { b'+' });
        let minutes = offset.unsigned_abs() / 60;
        iso.digits(minutes / 60, 2);
        iso.push(b':');
        iso.digits(minutes % 60, 2);
        iso
    }

    fn push(&mut self, b: u8) {
        self.bytes[usize::from(self.len)] = b;
        self.len += 1;
    }

    /// `value` in exactly `width` decimal digits (it is below 10^width).
    fn digits(&mut self, value: u32, width: u32) {
        for place in (0..width).rev() {
            self.push(b'0' + (value / 10u32.pow(place) % 10) as u8);
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII is ever pushed.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }

    /// The local date, `YYYY-MM-DD`: everything before the `T`.
    fn date(&self) -> &str {
        let text = self.as_str();
        text.split_once('T').map_or(text, |(date, _)| date)
    }
}

impl Serialize for Iso {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_print_in_the_zone_with_milliseconds_and_offset() {
        let at = DateTime::parse_from_rfc3339("2030-06-03T13:05:09Z")
            .unwrap()
            .timestamp();
        assert_eq!(Iso::new(Tz::UTC, at).as_str(), "2030-06-03T13:05:09.000Z");
        let new_york: Tz = "America/New_York".parse().unwrap();
        assert_eq!(
            Iso::new(new_york, at).as_str(),
            "2030-06-03T09:05:09.000-04:00"
        );
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        assert_eq!(
            Iso::new(kolkata, at).as_str(),
            "2030-06-03T18:35:09.000+05:30"
        );
        assert_eq!(Iso::new(kolkata, at).date(), "2030-06-03");
    }

    #[test]
    fn years_beyond_four_digits_print_as_chrono_does() {
        let late = DateTime::parse_from_rfc3339("9999-12-31T23:30:00Z")
            .unwrap()
            .timestamp();
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        assert_eq!(
            Iso::new(tokyo, late).as_str(),
            "10000-01-01T08:30:00.000+09:00"
        );
        assert_eq!(Iso::new(tokyo, late).date(), "10000-01-01");
    }
}
