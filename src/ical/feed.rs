//! Reading iCalendar documents (ICS feeds, CalDAV resources) into busy time: events expanded
//! over a range (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides) in their own zones, with
//! transparent and cancelled events left out and all-day events blocking whole local days.
//! Pure: text in, intervals out.
//!
//! A document must be an iCalendar document (it starts with `BEGIN:VCALENDAR`); otherwise the
//! whole read fails. Inside it, each VEVENT and VTIMEZONE is parsed on its own (with the
//! `icalendar` crate's parser), so one broken event does not hide the others: it is skipped
//! and reported in [`Feed::skipped`]. Only when every event of a document is broken does the
//! read fail, with the first event's problem, since such a feed blocks nothing and its owner
//! should hear why.
//!
//! Zones: a TZID is read as an IANA name, then as a Windows name (Outlook, Exchange), then by
//! its VTIMEZONE (`X-LIC-LOCATION`, or its offsets and daylight rule for common zones); a TZID
//! none of these knows, floating times and all-day dates are read in the owner's zone.

mod event;
mod expand;
#[cfg(test)]
mod tests;
mod time;

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use icalendar::parser::{Component, read_calendar_simple, unfold};

use crate::calendars::BusyBlock;
use event::{Event, Zones, shown};
use expand::{Budget, Excluded, MAX_STEPS_PER_DOCUMENT, Range, RuleTexts};

/// Why a document could not be read; the message names what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FeedError(pub String);

/// What a document gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// The busy blocks overlapping the range asked for, sorted by start.
    pub blocks: Vec<BusyBlock>,
    /// The calendar's name (`X-WR-CALNAME`), when it has one.
    pub name: Option<String>,
    /// The events left out because they do not read, each with its reason (the first 20).
    pub skipped: Vec<FeedError>,
}

/// How many skipped events' reasons a [`Feed`] keeps.
const SKIPPED_KEPT: usize = 20;

/// The busy blocks of `document` that overlap `[from, to)`, sorted by start. Floating times
/// and all-day dates are read in `zone` (the calendar owner's).
pub fn busy_blocks(
    document: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    zone: Tz,
) -> Result<Vec<BusyBlock>, FeedError> {
    read(document, from, to, zone).map(|feed| feed.blocks)
}

/// [`busy_blocks`], with the calendar's name and the events that were skipped.
pub fn read(
    document: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    zone: Tz,
) -> Result<Feed, FeedError> {
    let outline = outline(document)?;
    let zones = Zones {
        owner: zone,
        by_tzid: outline
            .zones
            .iter()
            .filter_map(|block| zone_of(block))
            .collect(),
    };
    let mut skipped = Vec::new();
    let mut events = Vec::new();
    for block in &outline.events {
        match with_component(block, |component| event::read(component, &zones)) {
            Ok(event) => events.push((block, event)),
            Err(reason) => skipped.push(block.error(&reason)),
        }
    }
    if let (true, Some(first)) = (events.is_empty(), skipped.first()) {
        return Err(first.clone());
    }
    let range = Range { from, to };
    let blocks = blocks_of(&events, range, zone, &mut skipped);
    skipped.truncate(SKIPPED_KEPT);
    Ok(Feed {
        blocks,
        name: outline.name,
        skipped,
    })
}

/// The busy blocks of read events: each master's instances less its EXDATEs and overridden
/// instances, and each override on its own.
fn blocks_of(
    events: &[(&Block<'_>, Event)],
    range: Range,
    zone: Tz,
    skipped: &mut Vec<FeedError>,
) -> Vec<BusyBlock> {
    let mut overridden: HashMap<&str, Vec<time::Start>> = HashMap::new();
    for (_, event) in events {
        if let (Some(uid), Some(instance)) = (&event.uid, event.recurrence_id) {
            overridden.entry(uid.as_str()).or_default().push(instance);
        }
    }
    let mut budget = Budget(MAX_STEPS_PER_DOCUMENT);
    let mut rules = RuleTexts::default();
    // Spans with their event's position, built in place and sorted before any block is built:
    // the same order a stable sort of the blocks by span gives, without moving their strings.
    let mut spans = Vec::new();
    for (index, (block, event)) in events.iter().enumerate() {
        if !event.blocks {
            continue;
        }
        let excluded = if event.recurrence_id.is_none() {
            let replaced = event.uid.as_deref().and_then(|uid| overridden.get(uid));
            let starts = event.exdates.iter().chain(replaced.into_iter().flatten());
            Excluded::new(starts.copied(), zone)
        } else {
            Excluded::default()
        };
        let before = spans.len();
        let mut found = |span: expand::Span| spans.push((span, index));
        if let Err(reason) = expand::instances(
            event,
            &excluded,
            range,
            zone,
            &mut budget,
            &mut rules,
            &mut found,
        ) {
            spans.truncate(before);
            skipped.push(block.error(&reason));
        }
    }
    // An instance found twice (an RDATE on an occurrence) is one block.
    spans.sort_unstable();
    spans.dedup();
    spans
        .into_iter()
        .map(|((start, end), index)| BusyBlock {
            start,
            end,
            uid: events[index].1.uid.clone(),
            summary: events[index].1.summary.clone(),
        })
        .collect()
}

/// A VEVENT or VTIMEZONE's text and where it starts.
struct Block<'d> {
    text: &'d str,
    line: usize,
    /// Its 1-based position among the document's events.
    number: usize,
}

impl Block<'_> {
    fn error(&self, reason: &str) -> FeedError {
        FeedError(format!(
            "event {} (line {}{}): {reason}",
            self.number,
            self.line,
            uid_hint(self.text),
        ))
    }
}

/// `, UID …` for an error message, found without parsing (the block may not parse).
fn uid_hint(text: &str) -> String {
    text.lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("UID")
                .then(|| format!(", UID {}", shown(value)))
        })
        .unwrap_or_default()
}

/// A document cut into its components, before any of them is parsed.
struct Outline<'d> {
    name: Option<String>,
    events: Vec<Block<'d>>,
    zones: Vec<Block<'d>>,
}

/// Finds the VEVENT and VTIMEZONE blocks and the calendar's name, line by line (folded
/// continuation lines start with a space or tab and never begin or end a component).
fn outline(document: &str) -> Result<Outline<'_>, FeedError> {
    let document = document.strip_prefix('\u{feff}').unwrap_or(document);
    check_start(document)?;
    let mut outline = Outline {
        name: None,
        events: Vec::new(),
        zones: Vec::new(),
    };
    let mut open: Option<(&str, usize, usize)> = None;
    let mut offset = 0;
    for (index, raw) in document.split_inclusive('\n').enumerate() {
        let here = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\r', '\n']);
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let upper = |prefix: &str| {
            line.get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
        };
        let is = |text: &str| line.trim_end().eq_ignore_ascii_case(text);
        let kind = if is("BEGIN:VEVENT") {
            Some("VEVENT")
        } else if is("BEGIN:VTIMEZONE") {
            Some("VTIMEZONE")
        } else {
            None
        };
        if let Some(kind) = kind {
            // A component begun inside an event: that event never ended.
            if let Some(("VEVENT", line_number, _)) = open.take() {
                outline.events.push(Block {
                    text: "",
                    line: line_number,
                    number: outline.events.len() + 1,
                });
            }
            open = Some((kind, index + 1, here));
            continue;
        }
        if let Some((kind, line_number, start)) = open {
            if is(if kind == "VEVENT" {
                "END:VEVENT"
            } else {
                "END:VTIMEZONE"
            }) {
                let block = Block {
                    text: &document[start..offset],
                    line: line_number,
                    number: 0,
                };
                match kind {
                    "VEVENT" => outline.events.push(Block {
                        number: outline.events.len() + 1,
                        ..block
                    }),
                    _ => outline.zones.push(block),
                }
                open = None;
            }
        } else if upper("X-WR-CALNAME:") || upper("X-WR-CALNAME;") {
            let value = line.split_once(':').map_or("", |(_, value)| value);
            outline.name = event::summary(&unfold_value(value));
        }
    }
    if let Some(("VEVENT", line_number, _)) = open {
        outline.events.push(Block {
            text: "",
            line: line_number,
            number: outline.events.len() + 1,
        });
    }
    Ok(outline)
}

/// A calendar name as written (escapes undone; only the first line of a folded value).
fn unfold_value(value: &str) -> String {
    value
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\\\", "\\")
}

/// The document must begin with `BEGIN:VCALENDAR`; the error says what it looks like instead.
fn check_start(document: &str) -> Result<(), FeedError> {
    let first = document
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty());
    match first {
        Some(line) if line.eq_ignore_ascii_case("BEGIN:VCALENDAR") => Ok(()),
        None => Err(FeedError(
            "the document is empty; expected an iCalendar document (BEGIN:VCALENDAR …)".into(),
        )),
        Some(line) if line.starts_with('<') => Err(FeedError(format!(
            "the document is not iCalendar but looks like HTML or XML (it starts with `{}`); is the URL the calendar's published address, and public?",
            shown(line)
        ))),
        Some(line) => Err(FeedError(format!(
            "the document is not iCalendar: it starts with `{}` instead of BEGIN:VCALENDAR",
            shown(line)
        ))),
    }
}

/// Parses one block with the `icalendar` crate and hands the component to `read`; an event
/// with no END line has empty text.
fn with_component<T>(
    block: &Block<'_>,
    read: impl FnOnce(&Component<'_>) -> Result<T, String>,
) -> Result<T, String> {
    if block.text.is_empty() {
        return Err("it has no END:VEVENT line".into());
    }
    // Unfolding copies the text; most blocks have no folded line to join.
    let unfolded = if block.text.contains("\n ") || block.text.contains("\n\t") {
        Cow::Owned(unfold(block.text))
    } else {
        Cow::Borrowed(block.text)
    };
    let components = read_calendar_simple(&unfolded).map_err(|error| {
        let at = unfolded.len().saturating_sub(error.input.len());
        let line = unfolded
            .get(..at)
            .map_or(0, |before| before.matches('\n').count());
        format!("it does not parse as iCalendar near its line {}", line + 1)
    })?;
    match components.first() {
        Some(component) => read(component),
        None => Err("it is empty".into()),
    }
}

/// The IANA zone a VTIMEZONE block stands for, by its TZID, `X-LIC-LOCATION` or rules.
fn zone_of(block: &Block<'_>) -> Option<(String, Tz)> {
    with_component(block, |component| Ok(zone_in(component))).ok()?
}

fn zone_in(component: &Component<'_>) -> Option<(String, Tz)> {
    let value = |component: &Component<'_>, name: &str| {
        component
            .properties
            .iter()
            .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
            .map(|p| p.val.as_str().trim().to_owned())
    };
    let tzid = value(component, "TZID")?;
    let tz = time::iana_zone(&tzid)
        .or_else(|| value(component, "X-LIC-LOCATION").and_then(|l| time::iana_zone(&l)))
        .or_else(|| {
            let observance = |kind: &str| {
                component
                    .components
                    .iter()
                    .rfind(|c| c.name.as_str().eq_ignore_ascii_case(kind))
            };
            let standard = time::parse_offset(&value(observance("STANDARD")?, "TZOFFSETTO")?)?;
            let daylight = observance("DAYLIGHT").and_then(|daylight| {
                let offset = time::parse_offset(&value(daylight, "TZOFFSETTO")?)?;
                let rule = value(daylight, "RRULE")?.to_ascii_uppercase();
                let part = |key: &str| {
                    rule.split(';')
                        .find_map(|p| p.strip_prefix(key).map(str::to_owned))
                        .unwrap_or_default()
                };
                Some((offset, part("BYMONTH="), part("BYDAY=")))
            });
            match &daylight {
                Some((offset, month, day)) => {
                    time::zone_by_rules(standard, Some((*offset, month, day)))
                }
                None => time::zone_by_rules(standard, None),
            }
        })?;
    Some((tzid.trim_matches('"').to_owned(), tz))
}
