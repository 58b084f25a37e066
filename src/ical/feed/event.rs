//! One VEVENT, read: its start in its own zone, its length, whether it blocks time, its
//! recurrence (RRULE, RDATE, EXDATE) and, for an override, the instance it replaces.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use icalendar::parser::{Component, Property};

use super::time::{Length, Start, Value, iana_zone, parse_duration, parse_value};

/// Longest summary kept, in characters.
const SUMMARY_CHARS: usize = 200;
/// Longest UID kept, in bytes; a longer one is dropped rather than cut (a cut UID could match
/// another event's).
const UID_BYTES: usize = 1024;

/// The zones of a document: what each TZID it uses stands for, and the owner's zone for
/// floating times, all-day dates and TZIDs nothing knows.
pub(super) struct Zones {
    pub owner: Tz,
    pub by_tzid: HashMap<String, Tz>,
}

impl Zones {
    fn of(&self, tzid: &str) -> Tz {
        let tzid = tzid.trim().trim_matches('"');
        self.by_tzid
            .get(tzid)
            .copied()
            .or_else(|| iana_zone(tzid))
            .unwrap_or(self.owner)
    }
}

#[derive(Debug, Clone)]
pub(super) struct Event {
    pub uid: Option<String>,
    pub summary: Option<String>,
    pub start: Start,
    pub length: Length,
    /// Neither TRANSP:TRANSPARENT nor STATUS:CANCELLED.
    pub blocks: bool,
    pub rules: Vec<Rule>,
    /// Extra instances; a PERIOD carries its own length.
    pub rdates: Vec<(Start, Option<Length>)>,
    pub exdates: Vec<Start>,
    /// Set on an override: the instance of its series it replaces.
    pub recurrence_id: Option<Start>,
}

/// An RRULE: its text without UNTIL (handed to the `rrule` crate) and UNTIL, read here
/// because it is written in UTC while the series is expanded on its own wall clock.
#[derive(Debug, Clone)]
pub(super) struct Rule {
    pub text: String,
    pub until: Option<Until>,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Until {
    Instant(DateTime<Utc>),
    Wall(NaiveDateTime),
    Date(NaiveDate),
}

/// Reads a parsed VEVENT; the error says what is wrong with it (the caller adds where).
pub(super) fn read(component: &Component<'_>, zones: &Zones) -> Result<Event, String> {
    let find = |name: &str| find(component, name);
    let dtstart = find("DTSTART").ok_or("it has no DTSTART")?;
    let start = start_of(dtstart, zones)?;
    let length = length_of(component, start, zones)?;
    let status = find("STATUS").map(|p| p.val.as_str().trim().to_ascii_uppercase());
    let transp = find("TRANSP").map(|p| p.val.as_str().trim().to_ascii_uppercase());
    let blocks = status.as_deref() != Some("CANCELLED") && transp.as_deref() != Some("TRANSPARENT");
    let recurrence_id = find("RECURRENCE-ID")
        .map(|p| start_of(p, zones))
        .transpose()?;
    Ok(Event {
        uid: find("UID")
            .map(|p| p.val.as_str().trim().to_owned())
            .filter(|uid| !uid.is_empty() && uid.len() <= UID_BYTES),
        summary: find("SUMMARY").and_then(|p| summary(p.val.as_str())),
        start,
        length,
        blocks,
        rules: all(component, "RRULE")
            .map(rule)
            .collect::<Result<_, _>>()?,
        rdates: all(component, "RDATE")
            .flat_map(|p| list(p, zones))
            .collect::<Result<_, _>>()?,
        exdates: all(component, "EXDATE")
            .flat_map(|p| list(p, zones))
            .map(|item| item.map(|(start, _)| start))
            .collect::<Result<_, _>>()?,
        recurrence_id,
    })
}

fn find<'c, 'a>(component: &'c Component<'a>, name: &str) -> Option<&'c Property<'a>> {
    component
        .properties
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
}

fn all<'c, 'a>(
    component: &'c Component<'a>,
    name: &'c str,
) -> impl Iterator<Item = &'c Property<'a>> {
    component
        .properties
        .iter()
        .filter(move |p| p.name.as_str().eq_ignore_ascii_case(name))
}

fn param<'p>(property: &'p Property<'_>, key: &str) -> Option<&'p str> {
    property
        .params
        .iter()
        .find(|p| p.key.as_str().eq_ignore_ascii_case(key))
        .and_then(|p| p.val.as_ref())
        .map(|v| v.as_str())
}

/// A DTSTART, DTEND, RECURRENCE-ID or list item, in its TZID's zone (UTC for `Z`, the owner's
/// for floating times).
fn start_of(property: &Property<'_>, zones: &Zones) -> Result<Start, String> {
    value_start(property.val.as_str(), property, zones)
}

fn value_start(text: &str, property: &Property<'_>, zones: &Zones) -> Result<Start, String> {
    match parse_value(text) {
        Some(Value::Date(date)) => Ok(Start::AllDay(date)),
        Some(Value::Utc(wall)) => Ok(Start::Timed { wall, tz: Tz::UTC }),
        Some(Value::Local(wall)) => {
            let tz = param(property, "TZID").map_or(zones.owner, |tzid| zones.of(tzid));
            Ok(Start::Timed { wall, tz })
        }
        None => Err(format!(
            "its {} `{}` is not a date or a date-time (expected e.g. 20250330 or 20250330T090000Z)",
            property.name.as_str().to_ascii_uppercase(),
            shown(text)
        )),
    }
}

/// DTEND or DURATION; with neither, a day for a date and nothing for a date-time.
fn length_of(component: &Component<'_>, start: Start, zones: &Zones) -> Result<Length, String> {
    if let Some(dtend) = find(component, "DTEND") {
        let end = start_of(dtend, zones)?;
        return Ok(match (start, end) {
            (Start::AllDay(first), Start::AllDay(last)) => Length::Nominal {
                days: (last - first).num_days().max(1),
                seconds: 0,
            },
            _ => Length::Exact(
                (end.instant(zones.owner) - start.instant(zones.owner))
                    .num_seconds()
                    .max(0),
            ),
        });
    }
    if let Some(duration) = find(component, "DURATION") {
        return parse_duration(duration.val.as_str()).ok_or_else(|| {
            format!(
                "its DURATION `{}` is not a duration (expected e.g. PT1H30M or P1D)",
                shown(duration.val.as_str())
            )
        });
    }
    Ok(match start {
        Start::AllDay(_) => Length::Nominal {
            days: 1,
            seconds: 0,
        },
        Start::Timed { .. } => Length::Exact(0),
    })
}

fn rule(property: &Property<'_>) -> Result<Rule, String> {
    let mut until = None;
    let mut parts = Vec::new();
    for part in property
        .val
        .as_str()
        .split(';')
        .filter(|p| !p.trim().is_empty())
    {
        match part.split_once('=') {
            Some((key, value)) if key.trim().eq_ignore_ascii_case("UNTIL") => {
                until = Some(match parse_value(value) {
                    Some(Value::Utc(wall)) => Until::Instant(wall.and_utc()),
                    Some(Value::Local(wall)) => Until::Wall(wall),
                    Some(Value::Date(date)) => Until::Date(date),
                    None => {
                        return Err(format!(
                            "its RRULE's UNTIL `{}` is not a date",
                            shown(value)
                        ));
                    }
                });
            }
            _ => parts.push(part.trim()),
        }
    }
    Ok(Rule {
        text: parts.join(";"),
        until,
    })
}

/// The items of an RDATE or EXDATE (comma-separated; PERIODs as `start/end` or
/// `start/duration`).
fn list<'p>(
    property: &'p Property<'p>,
    zones: &'p Zones,
) -> impl Iterator<Item = Result<(Start, Option<Length>), String>> + 'p {
    property
        .val
        .as_str()
        .split(',')
        .filter(|item| !item.trim().is_empty())
        .map(move |item| match item.split_once('/') {
            None => Ok((value_start(item, property, zones)?, None)),
            Some((first, second)) => {
                let start = value_start(first, property, zones)?;
                let length = match parse_duration(second) {
                    Some(length) => length,
                    None => {
                        let end = value_start(second, property, zones)?;
                        let seconds =
                            (end.instant(zones.owner) - start.instant(zones.owner)).num_seconds();
                        Length::Exact(seconds.max(0))
                    }
                };
                Ok((start, Some(length)))
            }
        })
}

/// SUMMARY (or a calendar's name) trimmed, without control characters, at most
/// [`SUMMARY_CHARS`] characters.
pub(super) fn summary(text: &str) -> Option<String> {
    let blank = |c: char| c.is_control() || c.is_whitespace();
    let text = text.trim_matches(blank);
    let cut = text
        .char_indices()
        .nth(SUMMARY_CHARS)
        .map_or(text, |(at, _)| &text[..at])
        .trim_end_matches(blank);
    (!cut.is_empty()).then(|| cut.replace(char::is_control, " "))
}

/// A value as quoted in an error message: short, printable.
pub(super) fn shown(text: &str) -> String {
    let printable: String = text
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(40)
        .collect();
    if text.trim().chars().count() > 40 {
        format!("{printable}…")
    } else {
        printable
    }
}
