//! The booker page itself (`GET /{username}/{slug}`, `/team/{team}/{slug}`, their `/embed`
//! forms): the template's context, put together from the month view, the form and the URL's
//! state. The same render serves a first visit and a form that comes back with errors.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, web};
use askama::Template;
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use chrono_tz::Tz;

use super::form::{Field, Values, form_fields, location_summary, prefill};
use super::month::{Calendar, Day, Pick, SlotLink, slot_iso, span_label};
use super::state::{Prepared, prepare, target};
use crate::availability::local_time::start_of_day;
use crate::event_types::settings::Recurrence;
use crate::http::AppState;
use crate::http::pages::i18n::Text;
use crate::http::pages::{Chrome, PageError, PageResult, QueryState, html};
use crate::out_of_office;

pub(super) struct LengthLink {
    pub(super) minutes: u32,
    pub(super) href: String,
    pub(super) selected: bool,
}

#[derive(Template)]
#[template(path = "booker.html")]
pub(super) struct Booker<'a> {
    chrome: Chrome,
    t: &'a Text,
    title: String,
    description: String,
    owner: String,
    location: Option<String>,
    minutes: u32,
    lengths: Vec<LengthLink>,
    tz: String,
    zones: &'static [Tz],
    /// The query without `tz`, as hidden inputs of the zone form.
    zone_form: Vec<(String, String)>,
    twelve_hour: bool,
    hour_12_href: String,
    hour_24_href: String,
    month_label: String,
    prev_href: Option<String>,
    next_href: String,
    weekdays: Vec<String>,
    weeks: Vec<Vec<Day>>,
    selected_label: Option<String>,
    slots: Vec<SlotLink>,
    month_empty: bool,
    next_available: Option<(String, String)>,
    notice: Option<&'a str>,
    /// The owner is out of office and sends bookers to a teammate: the line, the link, its words.
    away: Option<(String, String, String)>,
    former: Option<String>,
    /// The form step: the chosen time's label and the back link.
    chosen: Option<(String, String)>,
    chosen_iso: String,
    form_action: String,
    fields: Vec<Field>,
    form_error: Option<String>,
    nonce: String,
    /// The proof-of-work challenge of the form step, when the instance asks for one.
    pow: Option<crate::pow::Challenge>,
    rescheduling: bool,
    /// A recurring event type: "Repeats weekly, 4 occurrences" (none when moving one).
    repeats: Option<String>,
    /// The form step of a recurring event type: every occurrence the booking will hold.
    occurrences: Vec<String>,
}

/// Everything the booker page shows, for the state in `query`.
pub(super) struct View<'q> {
    pub(super) query: &'q QueryState,
    pub(super) notice: Option<&'static str>,
    pub(super) values: Values,
    pub(super) errors: BTreeMap<String, String>,
    pub(super) form_error: Option<String>,
}

/// `GET /{username}/{slug}`, `/team/{team}/{slug}`, and their `/embed` forms.
pub async fn show(
    state: web::Data<AppState>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> PageResult {
    let (owner, slug) = path.into_inner();
    let query = QueryState::from_request(&request);
    let p = prepare(&state, &request, &query, target(&request, owner, slug)).await?;
    if request.method() == actix_web::http::Method::GET {
        state.page_views.count(p.event.record.id, Utc::now());
    }
    let page = render(
        &state,
        &p,
        View {
            query: &query,
            notice: None,
            values: prefill(&query),
            errors: BTreeMap::new(),
            form_error: None,
        },
    )
    .await?;
    html(page)
}

pub(super) async fn render(
    state: &AppState,
    p: &Prepared,
    view: View<'_>,
) -> Result<Booker<'static>, PageError> {
    let query = view.query;
    let lang = p.lang;
    let t = lang.text();
    let now = Utc::now();
    let service = |e| PageError::from_service(lang, e);
    let calendar = Calendar::load(state, p, query, now)
        .await
        .map_err(service)?;
    let (chosen, notice) = match calendar.pick(query) {
        Pick::Free(at) => (Some(at), view.notice),
        Pick::Taken => (None, Some(t.slot_taken)),
        Pick::None => (None, view.notice),
    };
    let next_available = if calendar.is_empty() {
        let found = calendar.next_available(state, p, query, now).await;
        found.map_err(service)?
    } else {
        None
    };
    let away = away(state, p, calendar.month, now).await.map_err(service)?;
    let (weekdays, weeks) = calendar.grid(p, query);
    let fields = if chosen.is_some() {
        form_fields(p, t, &with_booker(p, view.values), &view.errors)
    } else {
        Vec::new()
    };
    let (owner_brand, owner_dark) = p
        .event
        .owner_user
        .as_ref()
        .map(|u| (u.brand_color.clone(), u.dark_brand_color.clone()))
        .unwrap_or_default();
    Ok(Booker {
        chrome: Chrome::branded(lang, &owner_brand, &owner_dark, query),
        t,
        title: p.event.record.title.clone(),
        description: p.event.record.description.clone(),
        owner: p.event.owner_name.clone(),
        location: location_summary(&p.event, t),
        minutes: p.length,
        lengths: length_links(p, query),
        tz: p.tz.name().to_owned(),
        zones: &chrono_tz::TZ_VARIANTS,
        zone_form: query.pairs_without(&["tz", "slot"]),
        twelve_hour: p.twelve_hour,
        hour_12_href: query.href(&[("hour", Some("12".into()))]),
        hour_24_href: query.href(&[("hour", Some("24".into()))]),
        month_label: lang.month_year(calendar.month.year(), calendar.month.month()),
        prev_href: calendar.prev_href(query),
        next_href: calendar.next_href(query),
        weekdays,
        weeks,
        selected_label: calendar.selected.map(|d| lang.long_date(d)),
        slots: calendar.slot_links(p, query),
        month_empty: calendar.is_empty(),
        next_available,
        notice,
        away,
        former: former(p),
        chosen_iso: chosen.map(slot_iso).unwrap_or_default(),
        chosen: chosen.map(|at| chosen_label(p, query, at)),
        form_action: query.href(&[]),
        fields,
        form_error: view.form_error,
        nonce: uuid::Uuid::new_v4().simple().to_string(),
        pow: state
            .proof_of_work
            .as_ref()
            .filter(|_| chosen.is_some())
            .map(|work| work.issue(now.timestamp())),
        rescheduling: p.mode.rescheduling.is_some(),
        repeats: series(p).map(|r| t.repeats(&r)),
        occurrences: chosen
            .zip(series(p))
            .map(|(at, r)| occurrence_labels(p, at, &r))
            .unwrap_or_default(),
    })
}

/// When the owner of a personal event type is out of office during the month shown (from
/// now) and sends bookers to a teammate: "Ada is away until …", and the teammate's page.
async fn away(
    state: &AppState,
    p: &Prepared,
    month: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Option<(String, String, String)>, crate::service::ServiceError> {
    let Some(owner) = &p.event.owner_user else {
        return Ok(None);
    };
    let instant =
        |date: NaiveDate| DateTime::from_timestamp(start_of_day(p.tz, date), 0).unwrap_or(now);
    let next = month.checked_add_months(Months::new(1)).unwrap_or(month);
    let (from, to) = (instant(month).max(now), instant(next));
    if from >= to {
        return Ok(None);
    }
    let found = out_of_office::redirect_during(&state.db, owner.id, from, to).await?;
    Ok(found.map(|(period, other)| {
        let last = (period.end - chrono::Duration::seconds(1)).with_timezone(&p.tz);
        let until = p.lang.long_date(last.date_naive());
        let (line, words) = p.lang.text().away(&owner.name, &until, &other.name);
        (line, format!("/{}", other.username), words)
    }))
}

/// Links to the event type's other lengths (none while moving a booking: it keeps its length).
fn length_links(p: &Prepared, query: &QueryState) -> Vec<LengthLink> {
    if p.mode.rescheduling.is_none() && p.event.lengths().len() > 1 {
        p.event
            .lengths()
            .iter()
            .map(|&minutes| LengthLink {
                minutes,
                href: query.href(&[("duration", Some(minutes.to_string())), ("slot", None)]),
                selected: minutes == p.length,
            })
            .collect()
    } else {
        Vec::new()
    }
}

/// The time of the booking being moved.
fn former(p: &Prepared) -> Option<String> {
    p.mode.rescheduling.as_ref().map(|v| {
        span_label(
            p.lang,
            p.tz,
            p.twelve_hour,
            v.record.start_at.timestamp(),
            v.record.end_at.timestamp(),
        )
    })
}

/// The form's values, with the name and email of the booking being moved (not for the booker
/// to change).
fn with_booker(p: &Prepared, mut values: Values) -> Values {
    if let Some(old) = &p.mode.rescheduling
        && let Some(booker) = old.booker()
    {
        values.insert("name".into(), vec![booker.name.clone()]);
        values.insert("email".into(), vec![booker.email.clone()]);
    }
    values
}

/// The chosen time's label and the link back to the day's times.
/// The event type's recurrence, unless the page moves one booking.
fn series(p: &Prepared) -> Option<Recurrence> {
    let recurrence = p.event.settings.page.recurrence.as_ref()?;
    p.mode.rescheduling.is_none().then_some(recurrence.value)
}

/// The times a series starting at `at` holds, as the booker reads them (the booking use
/// case computes the same starts).
fn occurrence_labels(p: &Prepared, at: i64, r: &Recurrence) -> Vec<String> {
    let first = chrono::DateTime::from_timestamp(at, 0).unwrap_or_default();
    let starts = crate::booking::occurrence_starts(first, p.tz, r).unwrap_or_default();
    let length = i64::from(p.length) * 60;
    (starts.iter())
        .map(|s| {
            span_label(
                p.lang,
                p.tz,
                p.twelve_hour,
                s.timestamp(),
                s.timestamp() + length,
            )
        })
        .collect()
}

fn chosen_label(p: &Prepared, query: &QueryState, at: i64) -> (String, String) {
    (
        span_label(
            p.lang,
            p.tz,
            p.twelve_hour,
            at,
            at + i64::from(p.length) * 60,
        ),
        query.href(&[("slot", None)]),
    )
}
