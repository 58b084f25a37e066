//! The schedule page's date overrides: a month calendar that picks a date, the form that makes
//! the date unavailable or gives it hours (`schedules::add_date_override`), and the upcoming
//! overrides a page at a time, each with a remove button.

use actix_web::{HttpRequest, web};
use chrono::{Datelike, Months, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;

use super::editor::{Kept, range_error, render, value};
use super::words::{EditorWords, editor_words};
use super::{ConsoleForm, REFUSED, detach, hours_label, see_other, status_of};
use crate::domain::parse_hours;
use crate::http::AppState;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{PageError, PageResult, QueryState};
use crate::schedules::{self, DateOverride, Schedule};
use crate::service::ServiceError;

/// Upcoming override dates per page of the list.
const PAGE_SIZE: usize = 20;
/// How far ahead the calendar goes.
const MONTHS_AHEAD: u32 = 24;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/availability/{id:\\d+}/overrides", web::post().to(add))
        .route(
            "/availability/{id:\\d+}/overrides/delete",
            web::post().to(remove),
        );
}

/// The override form as shown or as sent.
pub struct OverrideInput {
    pub date: String,
    pub closed: bool,
    pub start: String,
    pub end: String,
    pub error: Option<String>,
}

#[derive(Clone)]
pub struct Cell {
    pub number: u32,
    pub iso: String,
    pub href: Option<String>,
    pub selected: bool,
    pub marked: bool,
    pub label: String,
}

pub struct MonthView {
    pub label: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub weekdays: Vec<String>,
    pub weeks: Vec<Vec<Cell>>,
}

pub struct OverrideRow {
    pub iso: String,
    pub label: String,
    pub hours: String,
}

pub struct Pager {
    pub prev: Option<String>,
    pub next: Option<String>,
}

fn parse_date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

fn first_of(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

fn today_in(schedule: &Schedule) -> NaiveDate {
    let tz: Tz = schedule.time_zone.parse().unwrap_or(Tz::UTC);
    Utc::now().with_timezone(&tz).date_naive()
}

/// What the page shows of the overrides: the month, the chosen date, the list's page.
pub(super) struct Shown {
    id: i64,
    query: QueryState,
    today: NaiveDate,
    this_month: NaiveDate,
    month: NaiveDate,
    selected: Option<NaiveDate>,
    page: usize,
    pub(super) input: OverrideInput,
}

impl Shown {
    pub(super) fn of(req: &HttpRequest, schedule: &Schedule, kept: Option<OverrideInput>) -> Self {
        let today = today_in(schedule);
        let this_month = first_of(today);
        let query = QueryState::from_request(req);
        let selected = match &kept {
            Some(k) => parse_date(&k.date),
            None => query.get("date").and_then(parse_date),
        }
        .filter(|d| *d >= today);
        let asked = query
            .get("month")
            .and_then(|m| parse_date(&format!("{m}-01")));
        let last = this_month + Months::new(MONTHS_AHEAD);
        let month = asked
            .or(selected.map(first_of))
            .filter(|m| *m >= this_month && *m <= last)
            .unwrap_or(this_month);
        let page = query
            .get("page")
            .and_then(|p| p.parse::<usize>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1);
        let input = kept.unwrap_or_else(|| OverrideInput {
            date: selected.map(|d| d.to_string()).unwrap_or_default(),
            closed: true,
            start: value(9 * 60),
            end: value(17 * 60),
            error: None,
        });
        Self {
            id: schedule.id,
            query,
            today,
            this_month,
            month,
            selected,
            page,
            input,
        }
    }

    fn href(&self, changes: &[(&str, Option<String>)]) -> String {
        format!("/availability/{}{}", self.id, self.query.href(changes))
    }

    fn month_href(&self, month: NaiveDate) -> String {
        self.href(&[("month", Some(month.format("%Y-%m").to_string()))]) + "#overrides"
    }

    /// The calendar of the month on show, weeks starting on the user's week start.
    pub(super) fn month(&self, lang: Lang, week_start: &str, schedule: &Schedule) -> MonthView {
        let start = match week_start {
            "Sunday" => Weekday::Sun,
            "Saturday" => Weekday::Sat,
            _ => Weekday::Mon,
        };
        let mut weekdays = Vec::new();
        let mut day = start;
        for _ in 0..7 {
            weekdays.push(lang.weekday_short(day));
            day = day.succ();
        }
        let lead =
            (self.month.weekday().num_days_from_monday() + 7 - start.num_days_from_monday()) % 7;
        let mut cells: Vec<Cell> = (0..lead).map(|_| Cell::blank()).collect();
        let mut date = self.month;
        while date.month() == self.month.month() {
            cells.push(self.cell(lang, schedule, date));
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
        while !cells.len().is_multiple_of(7) {
            cells.push(Cell::blank());
        }
        let weeks = cells.chunks(7).map(<[Cell]>::to_vec).collect();
        let last = self.this_month + Months::new(MONTHS_AHEAD);
        MonthView {
            label: lang.month_year(self.month.year(), self.month.month()),
            prev: (self.month > self.this_month)
                .then(|| self.month_href(self.month - Months::new(1))),
            next: (self.month < last).then(|| self.month_href(self.month + Months::new(1))),
            weekdays,
            weeks,
        }
    }

    fn cell(&self, lang: Lang, schedule: &Schedule, date: NaiveDate) -> Cell {
        let href = (date >= self.today).then(|| {
            self.href(&[
                ("month", Some(self.month.format("%Y-%m").to_string())),
                ("date", Some(date.to_string())),
            ]) + "#override-form"
        });
        Cell {
            number: date.day(),
            iso: date.to_string(),
            href,
            selected: Some(date) == self.selected,
            marked: schedule.overrides.iter().any(|o| o.date == date),
            label: lang.long_date(date),
        }
    }

    /// This page of the upcoming override dates, and links to the pages around it.
    pub(super) fn list(
        &self,
        lang: Lang,
        twelve: bool,
        schedule: &Schedule,
        w: &EditorWords,
    ) -> (Vec<OverrideRow>, Pager) {
        let mut dates: Vec<(NaiveDate, Vec<(i32, i32)>)> = Vec::new();
        for o in schedule.overrides.iter().filter(|o| o.date >= self.today) {
            match dates.last_mut() {
                Some((d, hours)) if *d == o.date => hours.push((o.start_minute, o.end_minute)),
                _ => dates.push((o.date, vec![(o.start_minute, o.end_minute)])),
            }
        }
        let skip = (self.page - 1) * PAGE_SIZE;
        let rows = dates
            .iter()
            .skip(skip)
            .take(PAGE_SIZE)
            .map(|(date, hours)| OverrideRow {
                iso: date.to_string(),
                label: lang.long_date(*date),
                hours: if hours.iter().all(|h| *h == (0, 0)) {
                    w.unavailable.to_owned()
                } else {
                    hours_label(lang, twelve, hours)
                },
            })
            .collect();
        let page_href = |page: usize| self.href(&[("page", Some(page.to_string()))]) + "#overrides";
        let pager = Pager {
            prev: (self.page > 1).then(|| page_href(self.page - 1)),
            next: (dates.len() > skip + PAGE_SIZE).then(|| page_href(self.page + 1)),
        };
        (rows, pager)
    }
}

impl Cell {
    fn blank() -> Self {
        Cell {
            number: 0,
            iso: String::new(),
            href: None,
            selected: false,
            marked: false,
            label: String::new(),
        }
    }
}

#[derive(Deserialize)]
struct OverrideForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
}

/// The override the form asks for, or the message for the field that is wrong.
fn parse(input: &OverrideInput, today: NaiveDate, w: &EditorWords) -> Result<DateOverride, String> {
    let date = parse_date(&input.date).ok_or_else(|| w.bad_date.to_owned())?;
    if date < today {
        return Err(w.past_date.to_owned());
    }
    if input.closed {
        return Ok(DateOverride {
            date,
            start_minute: 0,
            end_minute: 0,
        });
    }
    let (start, end) = parse_hours(&input.start, &input.end, false)
        .map_err(|_| range_error(w, &input.start, &input.end))?;
    Ok(DateOverride {
        date,
        start_minute: start as i32,
        end_minute: end as i32,
    })
}

async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: ConsoleForm<OverrideForm>,
) -> PageResult {
    let (who, id, f) = (form.who, id.into_inner(), form.form);
    let lang = super::super::session::lang_of(&req, Some(&who));
    let w = editor_words(lang);
    let mut input = OverrideInput {
        date: f.date.trim().to_owned(),
        closed: f.kind != "hours",
        start: f.start,
        end: f.end,
        error: None,
    };
    let (db, owner) = (state.db.clone(), who.user.id);
    let schedule = super::call(lang, async move { schedules::get(&db, owner, id).await }).await?;
    let refused = match parse(&input, today_in(&schedule), &w) {
        Ok(added) => {
            let (db, owner) = (state.db.clone(), who.user.id);
            let work = async move { schedules::add_date_override(&db, owner, id, added).await };
            match detach(work).await? {
                Ok(_) => {
                    let month = added.date.format("%Y-%m");
                    return see_other(format!("/availability/{id}?month={month}#overrides"));
                }
                Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
                    (e.to_string(), status_of(&e))
                }
                Err(e) => return Err(PageError::from_service(lang, e)),
            }
        }
        Err(message) => (message, REFUSED),
    };
    input.error = Some(refused.0);
    let kept = Kept {
        ovr: Some(input),
        ..Kept::default()
    };
    render(&req, &state, &who, id, kept, refused.1).await
}

#[derive(Deserialize)]
struct RemoveForm {
    #[serde(default)]
    date: String,
}

async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: ConsoleForm<RemoveForm>,
) -> PageResult {
    let (who, id) = (form.who, id.into_inner());
    let lang = super::super::session::lang_of(&req, Some(&who));
    let Some(date) = parse_date(&form.form.date) else {
        return Err(PageError::bad_request(lang, editor_words(lang).bad_date));
    };
    let (db, owner) = (state.db.clone(), who.user.id);
    super::call(lang, async move {
        schedules::remove_date_override(&db, owner, id, date).await
    })
    .await?;
    see_other(format!("/availability/{id}#overrides"))
}
