//! `/availability/{id}`: one schedule's page. The weekly editor (each weekday off, or one or
//! more ranges, added and removed with submit buttons so that no script is needed), its name
//! and time zone, and the date overrides (`overrides.rs`). Times are wall-clock times in the
//! schedule's zone, stored as such: the engine resolves each date on its own, DST days included.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::overrides::{self, MonthView, OverrideInput, OverrideRow, Pager};
use super::patterns::{self, PatternInput, PatternRow, RepeatOption};
use super::{
    Frame, Nav, REFUSED, Section, call, detach, name_error, respond, see_other, status_of, summary,
    time_label, twelve_hour, zone_error,
};
use crate::domain::{TimeZoneName, parse_hours, parse_time_of_day};
use crate::http::AppState;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult};
use crate::schedules::{self, Schedule, ScheduleChanges, Week};
use crate::service::ServiceError;
use crate::sessions::SignedIn;

use super::words::{EditorWords, editor_words};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/availability/{id:\\d+}")
            .route(web::get().to(show))
            .route(web::post().to(save)),
    );
    overrides::configure(cfg);
}

/// A form value for minutes after midnight; 1440 is `24:00`, the end of the day.
pub(super) fn value(minute: i32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// A weekday as the form shows it, kept as typed so a refused form comes back as it was sent.
#[derive(Clone, Default)]
pub(super) struct DayInput {
    on: bool,
    ranges: Vec<(String, String)>,
}

/// The weekly form: name, zone and days, with a message per field that was refused.
pub(super) struct WeekInput {
    name: String,
    time_zone: String,
    days: Vec<DayInput>,
    name_error: Option<String>,
    zone_error: Option<String>,
    day_errors: [Option<String>; 7],
}

impl WeekInput {
    fn of(schedule: &Schedule) -> Self {
        let week = schedules::week_of(&schedule.rules);
        let days = week
            .iter()
            .map(|ranges| DayInput {
                on: !ranges.is_empty(),
                ranges: ranges.iter().map(|&(s, e)| (value(s), value(e))).collect(),
            })
            .collect();
        Self {
            name: schedule.name.clone(),
            time_zone: schedule.time_zone.clone(),
            days,
            name_error: None,
            zone_error: None,
            day_errors: Default::default(),
        }
    }

    /// The name, zone and week, or `None` with the messages set.
    fn parse(&mut self, lang: Lang, w: &EditorWords) -> Option<(String, TimeZoneName, Week)> {
        let name = schedules::check_name(&self.name).ok();
        if name.is_none() {
            self.name_error = Some(name_error(lang));
        }
        let zone = TimeZoneName::parse(&self.time_zone).ok();
        if zone.is_none() {
            self.zone_error = Some(zone_error(lang));
        }
        let mut week = Week::default();
        for (day, input) in self.days.iter().enumerate().filter(|(_, d)| d.on) {
            for (start, end) in &input.ranges {
                match parse_hours(start, end, false) {
                    Ok((s, e)) => week[day].push((s as i32, e as i32)),
                    Err(_) => {
                        self.day_errors[day] = Some(range_error(w, start, end));
                        break;
                    }
                }
            }
        }
        let refused = self.day_errors.iter().any(Option::is_some);
        match (name, zone) {
            (Some(name), Some(zone)) if !refused => Some((name, zone, week)),
            _ => None,
        }
    }
}

/// Why `start`-`end` is not a range: a time that is not one, or an end not after the start.
pub(super) fn range_error(w: &EditorWords, start: &str, end: &str) -> String {
    if parse_time_of_day(start).is_err() || parse_time_of_day(end).is_err() {
        w.bad_time.to_owned()
    } else {
        w.end_before_start.to_owned()
    }
}

/// What a button in the weekly form asks besides saving.
enum Op {
    Save,
    Add(usize),
    Remove(usize, usize),
}

impl Op {
    fn parse(raw: &str) -> Op {
        let mut parts = raw.split(':');
        let kind = parts.next().unwrap_or_default();
        let mut number = || parts.next().and_then(|p| p.parse::<usize>().ok());
        match (kind, number(), number()) {
            ("add", Some(day), None) if day < 7 => Op::Add(day),
            ("remove", Some(day), Some(i)) if day < 7 => Op::Remove(day, i),
            _ => Op::Save,
        }
    }

    /// Changes `input` as asked; a day with no room for another range gets a message.
    fn apply(self, input: &mut WeekInput, w: &EditorWords) {
        match self {
            Op::Save => {}
            Op::Add(day) => {
                let d = &mut input.days[day];
                if !d.on && !d.ranges.is_empty() {
                    d.on = true;
                    return;
                }
                d.on = true;
                let last_end = d.ranges.last().map(|r| parse_time_of_day(&r.1));
                let start = match last_end {
                    None => 9 * 60,
                    Some(Ok(end)) => end as i32 + 60,
                    Some(Err(_)) => return,
                };
                if start >= 1440 {
                    input.day_errors[day] = Some(w.no_room.to_owned());
                    return;
                }
                let end = if last_end.is_none() {
                    17 * 60
                } else {
                    (start + 60).min(1440)
                };
                d.ranges.push((value(start), value(end)));
            }
            Op::Remove(day, i) => {
                let d = &mut input.days[day];
                if i < d.ranges.len() {
                    d.ranges.remove(i);
                }
                d.on &= !d.ranges.is_empty();
            }
        }
    }
}

#[derive(Deserialize)]
struct WeekForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    time_zone: String,
    /// The weekdays (0 = Monday) whose box is ticked.
    #[serde(default)]
    on: Vec<String>,
    #[serde(default)]
    op: String,
    #[serde(default)]
    start0: Vec<String>,
    #[serde(default)]
    end0: Vec<String>,
    #[serde(default)]
    start1: Vec<String>,
    #[serde(default)]
    end1: Vec<String>,
    #[serde(default)]
    start2: Vec<String>,
    #[serde(default)]
    end2: Vec<String>,
    #[serde(default)]
    start3: Vec<String>,
    #[serde(default)]
    end3: Vec<String>,
    #[serde(default)]
    start4: Vec<String>,
    #[serde(default)]
    end4: Vec<String>,
    #[serde(default)]
    start5: Vec<String>,
    #[serde(default)]
    end5: Vec<String>,
    #[serde(default)]
    start6: Vec<String>,
    #[serde(default)]
    end6: Vec<String>,
}

impl WeekForm {
    fn into_input(self) -> (WeekInput, Op) {
        let starts = [
            self.start0,
            self.start1,
            self.start2,
            self.start3,
            self.start4,
            self.start5,
            self.start6,
        ];
        let ends = [
            self.end0, self.end1, self.end2, self.end3, self.end4, self.end5, self.end6,
        ];
        let days = starts
            .into_iter()
            .zip(ends)
            .enumerate()
            .map(|(day, (starts, ends))| DayInput {
                on: self.on.iter().any(|v| v.trim() == day.to_string()),
                ranges: starts.into_iter().zip(ends).collect(),
            })
            .collect();
        let input = WeekInput {
            name: self.name,
            time_zone: self.time_zone,
            days,
            name_error: None,
            zone_error: None,
            day_errors: Default::default(),
        };
        (input, Op::parse(&self.op))
    }
}

pub(super) struct TimeOption {
    value: String,
    label: String,
}

/// Every quarter hour of a day and the midnight that ends it.
pub(super) fn times(lang: Lang, twelve: bool) -> Vec<TimeOption> {
    (0..=96)
        .map(|q| TimeOption {
            value: value(q * 15),
            label: time_label(lang, twelve, q * 15),
        })
        .collect()
}

/// A select's chosen value; `listed` false when it is not one of [`times`] (kept as typed).
pub(super) struct Chosen {
    value: String,
    label: String,
    listed: bool,
}

impl Chosen {
    pub(super) fn of(raw: &str, lang: Lang, twelve: bool) -> Self {
        let minute = parse_time_of_day(raw).ok().map(|m| m as i32);
        Self {
            value: raw.to_owned(),
            label: minute.map_or_else(|| raw.to_owned(), |m| time_label(lang, twelve, m)),
            listed: minute.is_some_and(|m| m % 15 == 0 && value(m) == raw),
        }
    }
}

pub(super) struct DayRow {
    index: usize,
    label: String,
    on: bool,
    ranges: Vec<(Chosen, Chosen)>,
    error: Option<String>,
}

fn day_rows(input: &WeekInput, lang: Lang, twelve: bool) -> Vec<DayRow> {
    input
        .days
        .iter()
        .enumerate()
        .map(|(index, day)| {
            let mut ranges = day.ranges.clone();
            if ranges.is_empty() {
                ranges.push((value(9 * 60), value(17 * 60)));
            }
            DayRow {
                index,
                label: lang.weekday(super::WEEK[index]),
                on: day.on,
                ranges: ranges
                    .iter()
                    .map(|(s, e)| (Chosen::of(s, lang, twelve), Chosen::of(e, lang, twelve)))
                    .collect(),
                error: input.day_errors[index].clone(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "console/availability_schedule.html")]
struct EditorPage {
    chrome: Chrome,
    nav: Nav,
    words: EditorWords,
    id: i64,
    heading: String,
    is_default: bool,
    summary: String,
    zone: String,
    alert: Option<String>,
    name: String,
    time_zone: String,
    name_error: Option<String>,
    zone_error: Option<String>,
    days: Vec<DayRow>,
    times: Vec<TimeOption>,
    zones: &'static [chrono_tz::Tz],
    month: MonthView,
    ovr: OverrideInput,
    ovr_start: Chosen,
    ovr_end: Chosen,
    overrides: Vec<OverrideRow>,
    pager: Pager,
    pattern: PatternInput,
    pattern_start: Chosen,
    pattern_end: Chosen,
    patterns: Vec<PatternRow>,
    repeats: Vec<RepeatOption>,
}

/// What a re-rendered page keeps from the request: the weekly form or the override form as
/// sent, and a message for the whole page.
#[derive(Default)]
pub(super) struct Kept {
    pub(super) week: Option<WeekInput>,
    pub(super) ovr: Option<OverrideInput>,
    pub(super) pattern: Option<PatternInput>,
    pub(super) alert: Option<String>,
}

/// The schedule's page (404 when it is not the user's), with what `kept` carries.
pub(super) async fn render(
    req: &HttpRequest,
    state: &AppState,
    who: &SignedIn,
    id: i64,
    kept: Kept,
    status: StatusCode,
) -> PageResult {
    let Frame { lang, chrome, nav } = Frame::new(req, who, Section::Availability);
    let (db, owner) = (state.db.clone(), who.user.id);
    let schedule = call(lang, async move { schedules::get(&db, owner, id).await }).await?;
    let words = editor_words(lang);
    let twelve = twelve_hour(who);
    let week = kept.week.unwrap_or_else(|| WeekInput::of(&schedule));
    let shown = overrides::Shown::of(req, &schedule, kept.ovr);
    let (overrides, pager) = shown.list(lang, twelve, &schedule, &words);
    let pattern = kept.pattern.unwrap_or_default();
    let page = EditorPage {
        chrome,
        nav,
        id,
        heading: schedule.name.clone(),
        is_default: schedule.is_default,
        summary: summary(lang, twelve, &schedule.rules, words.no_hours),
        zone: schedule.time_zone.clone(),
        alert: kept.alert,
        days: day_rows(&week, lang, twelve),
        name: week.name,
        time_zone: week.time_zone,
        name_error: week.name_error,
        zone_error: week.zone_error,
        times: times(lang, twelve),
        zones: &chrono_tz::TZ_VARIANTS,
        month: shown.month(lang, &who.user.week_start, &schedule),
        ovr_start: Chosen::of(&shown.input.start, lang, twelve),
        ovr_end: Chosen::of(&shown.input.end, lang, twelve),
        overrides,
        pager,
        ovr: shown.input,
        pattern_start: Chosen::of(&pattern.start, lang, twelve),
        pattern_end: Chosen::of(&pattern.end, lang, twelve),
        pattern,
        patterns: patterns::rows(lang, twelve, &schedule.patterns, &words),
        repeats: patterns::repeat_options(&words),
        words,
    };
    respond(page, status)
}

async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    id: web::Path<i64>,
) -> PageResult {
    let id = id.into_inner();
    render(&req, &state, &who, id, Kept::default(), StatusCode::OK).await
}

async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: super::ConsoleForm<WeekForm>,
) -> PageResult {
    let (who, id) = (form.who, id.into_inner());
    let lang = super::super::session::lang_of(&req, Some(&who));
    let words = editor_words(lang);
    let (mut input, op) = form.form.into_input();
    op.apply(&mut input, &words);
    let Some((name, zone, week)) = input.parse(lang, &words) else {
        let kept = Kept {
            week: Some(input),
            ..Kept::default()
        };
        return render(&req, &state, &who, id, kept, REFUSED).await;
    };
    let changes = ScheduleChanges {
        name: Some(name),
        time_zone: Some(zone),
        rules: Some(schedules::rules_of(&week)),
        ..ScheduleChanges::default()
    };
    let (db, owner) = (state.db.clone(), who.user.id);
    match detach(async move { schedules::update(&db, owner, id, changes).await }).await? {
        Ok(_) => see_other(format!("/availability/{id}")),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let kept = Kept {
                week: Some(input),
                alert: Some(e.to_string()),
                ..Kept::default()
            };
            render(&req, &state, &who, id, kept, status_of(&e)).await
        }
        Err(e) => Err(PageError::from_service(lang, e)),
    }
}
