//! The schedule page's recurring hours: extra hours every week, every n weeks or every month
//! from a first date (an RFC 5545 rule the engine expands on the schedule's wall clock), added
//! with `schedules::add_pattern` and removed with `schedules::remove_pattern`.

use actix_web::{HttpRequest, web};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::editor::{Kept, range_error, render, value};
use super::words::{EditorWords, editor_words};
use super::{ConsoleForm, NoFields, REFUSED, call, detach, hours_label, see_other, status_of};
use crate::domain::parse_hours;
use crate::http::AppState;
use crate::http::pages::PageResult;
use crate::http::pages::i18n::Lang;
use crate::schedules::{self, Pattern};
use crate::service::ServiceError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/availability/{id:\\d+}/patterns", web::post().to(add))
        .route(
            "/availability/{id:\\d+}/patterns/{pattern:\\d+}/delete",
            web::post().to(remove),
        );
}

/// How often the hours come back: the form's choices and the rule each writes.
const REPEATS: [(&str, &str); 5] = [
    ("1w", "FREQ=WEEKLY"),
    ("2w", "FREQ=WEEKLY;INTERVAL=2"),
    ("3w", "FREQ=WEEKLY;INTERVAL=3"),
    ("4w", "FREQ=WEEKLY;INTERVAL=4"),
    ("1m", "FREQ=MONTHLY"),
];

/// The pattern form as shown or as sent.
pub struct PatternInput {
    pub first: String,
    pub repeat: String,
    pub until: String,
    pub start: String,
    pub end: String,
    pub error: Option<String>,
}

impl Default for PatternInput {
    fn default() -> Self {
        Self {
            first: String::new(),
            repeat: "1w".into(),
            until: String::new(),
            start: value(9 * 60),
            end: value(17 * 60),
            error: None,
        }
    }
}

pub struct RepeatOption {
    pub value: &'static str,
    pub label: &'static str,
}

/// The repeat choices in `lang`.
pub fn repeat_options(w: &EditorWords) -> Vec<RepeatOption> {
    REPEATS
        .iter()
        .zip(w.repeats)
        .map(|((value, _), label)| RepeatOption { value, label })
        .collect()
}

pub struct PatternRow {
    pub id: i64,
    pub label: String,
}

/// "Every 2 weeks from Tuesday, 15 December 2026 until …: 14:00–16:00"; a rule the form did
/// not write is shown as it is stored.
pub fn rows(lang: Lang, twelve: bool, patterns: &[Pattern], w: &EditorWords) -> Vec<PatternRow> {
    patterns
        .iter()
        .map(|p| {
            let (rule, until) = match p.rrule.split_once(";UNTIL=") {
                Some((rule, until)) => (
                    rule,
                    NaiveDate::parse_from_str(until.get(..8).unwrap_or(""), "%Y%m%d").ok(),
                ),
                None => (p.rrule.as_str(), None),
            };
            let repeat = REPEATS
                .iter()
                .zip(w.repeats)
                .find(|((_, r), _)| *r == rule)
                .map_or(p.rrule.clone(), |(_, label)| label.to_owned());
            let mut label = format!("{repeat} · {} {}", w.from_date, lang.long_date(p.starts_on));
            if let Some(until) = until {
                label.push_str(&format!(" {} {}", w.until_date, lang.long_date(until)));
            }
            let hours = hours_label(lang, twelve, &[(p.start_minute, p.end_minute)]);
            PatternRow {
                id: p.id,
                label: format!("{label} · {hours}"),
            }
        })
        .collect()
}

#[derive(Deserialize)]
struct PatternForm {
    #[serde(default)]
    first: String,
    #[serde(default)]
    repeat: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
}

fn parse_date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

/// The pattern the form asks for, or the message for what is wrong with it.
fn parse(input: &PatternInput, w: &EditorWords) -> Result<Pattern, String> {
    let first = parse_date(&input.first).ok_or_else(|| w.bad_date.to_owned())?;
    let rule = REPEATS
        .iter()
        .find(|(v, _)| *v == input.repeat)
        .map(|(_, rule)| *rule)
        .ok_or_else(|| w.bad_repeat.to_owned())?;
    let mut rrule = rule.to_owned();
    if !input.until.trim().is_empty() {
        let until = parse_date(&input.until).ok_or_else(|| w.bad_date.to_owned())?;
        if until < first {
            return Err(w.until_before_first.to_owned());
        }
        rrule.push_str(&format!(
            ";UNTIL={:04}{:02}{:02}T235959Z",
            until.year(),
            until.month(),
            until.day()
        ));
    }
    let (start, end) = parse_hours(&input.start, &input.end, false)
        .map_err(|_| range_error(w, &input.start, &input.end))?;
    Ok(Pattern {
        id: 0,
        rrule,
        starts_on: first,
        start_minute: start as i32,
        end_minute: end as i32,
    })
}

async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: ConsoleForm<PatternForm>,
) -> PageResult {
    let (who, id, f) = (form.who, id.into_inner(), form.form);
    let lang = super::super::session::lang_of(&req, Some(&who));
    let w = editor_words(lang);
    let mut input = PatternInput {
        first: f.first.trim().to_owned(),
        repeat: f.repeat,
        until: f.until.trim().to_owned(),
        start: f.start,
        end: f.end,
        error: None,
    };
    let (db, owner) = (state.db.clone(), who.user.id);
    call(lang, async move { schedules::get(&db, owner, id).await }).await?;
    let (message, status) = match parse(&input, &w) {
        Ok(pattern) => {
            let (db, owner) = (state.db.clone(), who.user.id);
            let work = async move { schedules::add_pattern(&db, owner, id, pattern).await };
            match detach(work).await? {
                Ok(_) => return see_other(format!("/availability/{id}#patterns")),
                Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
                    (e.to_string(), status_of(&e))
                }
                Err(e) => return Err(crate::http::pages::PageError::from_service(lang, e)),
            }
        }
        Err(message) => (message, REFUSED),
    };
    input.error = Some(message);
    let kept = Kept {
        pattern: Some(input),
        ..Kept::default()
    };
    render(&req, &state, &who, id, kept, status).await
}

async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: ConsoleForm<NoFields>,
) -> PageResult {
    let (id, pattern) = path.into_inner();
    let lang = super::super::session::lang_of(&req, Some(&form.who));
    let (db, owner) = (state.db.clone(), form.who.user.id);
    call(lang, async move {
        schedules::remove_pattern(&db, owner, id, pattern).await
    })
    .await?;
    see_other(format!("/availability/{id}#patterns"))
}
