//! `/workflows`: the signed-in user's workflows and, with `?team=`, those of a team they
//! administer: list, create, edit (name, trigger and offset, where it is active, its steps and
//! their messages, with a preview of a step's message), delete. Every action is
//! `crate::workflows`' use case, as the API's; the form is turned into the API's body.

mod words;

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Value, json};

use super::session::ConsoleForm;
use super::{Frame, Nav, Section, call, detach};
use crate::domain::text;
use crate::http::AppState;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult, html};
use crate::service::ServiceError;
use crate::sessions::SignedIn;
use crate::storage::workflows::WorkflowOwner;
use crate::workflows::{self, PreviewInput, Recipient, Workflow};
use words::{FormWords, ListWords};

const BASE: &str = "/workflows";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(BASE, web::get().to(list))
        .route(&format!("{BASE}/new"), web::get().to(new_page))
        .route(&format!("{BASE}/new"), web::post().to(create))
        .route(&format!("{BASE}/{{id}}"), web::get().to(edit_page))
        .route(&format!("{BASE}/{{id}}"), web::post().to(update))
        .route(&format!("{BASE}/{{id}}/delete"), web::post().to(delete));
}

#[derive(Deserialize)]
struct Scope {
    #[serde(default)]
    team: Option<i64>,
    #[serde(default)]
    done: Option<String>,
}

fn owner_of(who: &SignedIn, team: Option<i64>) -> WorkflowOwner {
    team.map_or(WorkflowOwner::User(who.user.id), WorkflowOwner::Team)
}

fn team_query(owner: WorkflowOwner) -> String {
    match owner {
        WorkflowOwner::Team(team) => format!("?team={team}"),
        WorkflowOwner::User(_) => String::new(),
    }
}

/// A team whose workflows the user may manage, for the scope picker.
struct Choice {
    id: i64,
    name: String,
    selected: bool,
}

struct Row {
    id: i64,
    name: String,
    trigger: String,
    active_on: String,
    steps: usize,
}

#[derive(Template)]
#[template(path = "console/workflows.html")]
struct ListPage {
    chrome: Chrome,
    nav: Nav,
    words: ListWords,
    notice: Option<&'static str>,
    choices: Vec<Choice>,
    team: Option<i64>,
    rows: Vec<Row>,
}

/// The teams the user administers, by name.
async fn managed_teams(state: &AppState, user: i64) -> Result<Vec<(i64, String)>, ServiceError> {
    let managed = crate::teams::managed(&state.db, user).await?;
    let all = crate::teams::list(&state.db, user).await?;
    Ok(all
        .into_iter()
        .filter(|t| managed.contains(&t.id))
        .map(|t| (t.id, t.name))
        .collect())
}

/// How a trigger reads in a list: its label, with the offset for the timed ones.
fn trigger_label(w: &Workflow, words: &FormWords) -> String {
    let kind = w.trigger.kind.name();
    let label = (words.triggers.iter())
        .find(|(k, _)| *k == kind)
        .map_or(kind, |(_, l)| l);
    if !w.trigger.kind.timed() {
        return label.to_owned();
    }
    let (value, unit) = offset_of(w);
    let unit = (words.units.iter())
        .find(|(u, _)| *u == unit)
        .map_or(unit.as_str(), |(_, l)| l);
    format!("{label}: {value} {unit}")
}

fn offset_of(w: &Workflow) -> (u32, String) {
    let input = w.input();
    let offset = input.trigger.and_then(|t| t.offset);
    offset.map_or((0, "hour".to_owned()), |o| (o.value, o.unit))
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    scope: web::Query<Scope>,
) -> PageResult {
    let Frame { lang, chrome, nav } = Frame::new(&req, &who, Section::Workflows);
    let owner = owner_of(&who, scope.team);
    let (state2, user) = (state.clone(), who.user.id);
    let (all, teams) = call(lang, async move {
        let all = workflows::list(&state2.db, user, owner).await?;
        Ok((all, managed_teams(&state2, user).await?))
    })
    .await?;
    let words = words::list(lang);
    let form_words = words::form(lang);
    let rows = all
        .iter()
        .map(|w| Row {
            id: w.record.id,
            name: w.record.name.clone(),
            trigger: trigger_label(w, &form_words),
            active_on: if w.record.active_on_all {
                words.all.to_owned()
            } else {
                w.event_types.len().to_string()
            },
            steps: w.steps.len(),
        })
        .collect();
    let choices = teams
        .into_iter()
        .map(|(id, name)| Choice {
            id,
            name,
            selected: Some(id) == scope.team,
        })
        .collect();
    html(ListPage {
        chrome,
        nav,
        notice: scope.done.as_deref().and_then(|d| words::notice(d, lang)),
        words,
        choices,
        team: scope.team,
        rows,
    })
}

/// The workflow form as posted: one value per step in each list, in order (the last step
/// offered is a blank one, kept out while its action is empty).
#[derive(Deserialize, Default, Clone)]
struct WorkflowForm {
    #[serde(default, deserialize_with = "text::line")]
    name: String,
    #[serde(default, deserialize_with = "text::line")]
    trigger: String,
    #[serde(default, deserialize_with = "text::line")]
    offset_value: String,
    #[serde(default, deserialize_with = "text::line")]
    offset_unit: String,
    #[serde(default)]
    all_event_types: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    event_types: Vec<String>,
    #[serde(default, deserialize_with = "text::line")]
    team: String,
    #[serde(default, deserialize_with = "text::line")]
    action: Vec<String>,
    #[serde(default, deserialize_with = "text::line")]
    send_to: Vec<String>,
    #[serde(default, deserialize_with = "text::line")]
    template: Vec<String>,
    #[serde(default, deserialize_with = "text::line")]
    subject: Vec<String>,
    #[serde(default, deserialize_with = "text::lines")]
    body: Vec<String>,
    #[serde(default, deserialize_with = "text::line")]
    format: Vec<String>,
    /// The step to preview (its index) instead of saving.
    #[serde(default, deserialize_with = "text::line")]
    preview: Option<String>,
}

/// One step as the form shows it.
#[derive(Clone, Default)]
struct StepView {
    action: String,
    send_to: String,
    template: String,
    subject: String,
    body: String,
    /// The body is HTML (a step written through the API with `message.html` only).
    html: bool,
}

fn nth(list: &[String], i: usize) -> String {
    list.get(i).map(|s| s.trim().to_owned()).unwrap_or_default()
}

impl WorkflowForm {
    fn of(w: &Workflow, owner: WorkflowOwner) -> Self {
        let (value, unit) = offset_of(w);
        let mut form = Self {
            name: w.record.name.clone(),
            trigger: w.trigger.kind.name().to_owned(),
            offset_value: value.to_string(),
            offset_unit: unit,
            all_event_types: w.record.active_on_all.then(|| "on".to_owned()),
            event_types: w.event_types.iter().map(i64::to_string).collect(),
            team: team_of(owner).map(|t| t.to_string()).unwrap_or_default(),
            ..Self::default()
        };
        for step in &w.steps {
            let message = step.message.clone().unwrap_or_default();
            let html = message.text.is_none() && message.html.is_some();
            let target = step.send_to.clone().or(step.webhook_id.clone());
            form.action.push(json_name(&json!(step.action)));
            form.send_to.push(target.unwrap_or_default());
            form.template.push(step.template.clone());
            form.subject.push(message.subject.unwrap_or_default());
            form.body
                .push(message.text.or(message.html).unwrap_or_default());
            form.format
                .push(if html { "html" } else { "text" }.to_owned());
        }
        form
    }

    fn steps(&self) -> Vec<StepView> {
        (0..self.action.len())
            .map(|i| StepView {
                action: nth(&self.action, i),
                send_to: nth(&self.send_to, i),
                template: nth(&self.template, i),
                subject: nth(&self.subject, i),
                body: self.body.get(i).cloned().unwrap_or_default(),
                html: nth(&self.format, i) == "html",
            })
            .collect()
    }

    fn team(&self) -> Result<Option<i64>, ServiceError> {
        match self.team.trim() {
            "" => Ok(None),
            t => t
                .parse()
                .map(Some)
                .map_err(|_| ServiceError::Invalid(format!("team: `{t}` is not an id"))),
        }
    }

    fn trigger_json(&self) -> Result<Value, ServiceError> {
        let mut trigger = json!({"type": self.trigger.trim()});
        let value = self.offset_value.trim();
        if !value.is_empty() {
            let value: u32 = value.parse().map_err(|_| {
                ServiceError::Invalid(format!(
                    "trigger.offset.value: `{value}` is not a whole number"
                ))
            })?;
            trigger["offset"] = json!({"value": value, "unit": self.offset_unit.trim()});
        }
        Ok(trigger)
    }

    /// The API's body for this form: every field, so an update replaces the whole.
    fn body(&self) -> Result<Value, ServiceError> {
        let mut ids = Vec::new();
        for raw in self.event_types.iter().filter(|e| !e.trim().is_empty()) {
            let id: i64 = raw.trim().parse().map_err(|_| {
                ServiceError::Invalid(format!(
                    "activation.activeOnEventTypeIds: `{raw}` is not an id"
                ))
            })?;
            ids.push(id);
        }
        let steps: Vec<Value> = self
            .steps()
            .iter()
            .filter(|s| !s.action.is_empty())
            .map(step_json)
            .collect();
        Ok(json!({
            "name": self.name.trim(),
            "activation": {
                "isActiveOnAllEventTypes": self.all_event_types.is_some(),
                "activeOnEventTypeIds": ids,
            },
            "trigger": self.trigger_json()?,
            "steps": steps,
        }))
    }
}

/// A serialised enum's name (`"email_host"` → `email_host`).
fn json_name(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn team_of(owner: WorkflowOwner) -> Option<i64> {
    match owner {
        WorkflowOwner::Team(team) => Some(team),
        WorkflowOwner::User(_) => None,
    }
}

/// A step of the form as the API's step.
fn step_json(s: &StepView) -> Value {
    let template = if s.template.is_empty() {
        "reminder"
    } else {
        s.template.as_str()
    };
    let mut step = json!({"action": s.action, "template": template});
    if !s.send_to.is_empty() {
        let key = if s.action == "webhook" {
            "webhookId"
        } else {
            "sendTo"
        };
        step[key] = json!(s.send_to);
    }
    if template == "custom" {
        let part = if s.html { "html" } else { "text" };
        step["message"] = json!({"subject": s.subject, part: s.body});
    }
    step
}

struct EventChoice {
    id: i64,
    title: String,
    checked: bool,
}

struct Preview {
    to: String,
    subject: String,
    text: String,
}

#[derive(Template)]
#[template(path = "console/workflow.html")]
struct WorkflowPage {
    chrome: Chrome,
    nav: Nav,
    words: FormWords,
    notice: Option<&'static str>,
    /// `None` on the new workflow's page.
    id: Option<i64>,
    back: String,
    action: String,
    form: WorkflowForm,
    steps: Vec<StepView>,
    event_types: Vec<EventChoice>,
    variables: Vec<String>,
    preview: Option<Preview>,
    error: Option<String>,
    csrf: String,
}

/// The owner's event types: a user's personal ones, or the team's.
async fn event_choices(
    state: &web::Data<AppState>,
    lang: Lang,
    user: i64,
    owner: WorkflowOwner,
) -> Result<Vec<(i64, String)>, PageError> {
    let state = state.clone();
    let mine = call(lang, async move {
        crate::event_types::list_mine(&state.db, user).await
    })
    .await?;
    let chosen = match owner {
        WorkflowOwner::User(_) => mine.personal,
        WorkflowOwner::Team(team) => (mine.teams.into_iter())
            .find(|(t, _)| t.id == team)
            .map(|(_, events)| events)
            .unwrap_or_default(),
    };
    Ok(chosen
        .into_iter()
        .map(|e| (e.record.id, e.record.title))
        .collect())
}

fn me(who: &SignedIn) -> Recipient<'_> {
    Recipient {
        name: &who.user.name,
        email: &who.user.email,
        clock: crate::notify::compose::host_clock(&who.user),
    }
}

/// The form's page for `owner`'s workflow `id` (or a new one), filled from `form`.
async fn page(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    who: &SignedIn,
    owner: WorkflowOwner,
    id: Option<i64>,
    form: WorkflowForm,
) -> Result<WorkflowPage, PageError> {
    let Frame { lang, chrome, nav } = Frame::new(req, who, Section::Workflows);
    let choices = event_choices(state, lang, who.user.id, owner).await?;
    let event_types = choices
        .into_iter()
        .map(|(eid, title)| EventChoice {
            checked: form.event_types.iter().any(|e| e.trim() == eid.to_string()),
            id: eid,
            title,
        })
        .collect();
    let mut steps = form.steps();
    steps.push(StepView::default());
    let query = team_query(owner);
    Ok(WorkflowPage {
        chrome,
        words: words::form(lang),
        notice: None,
        id,
        back: format!("{BASE}{query}"),
        action: id.map_or(format!("{BASE}/new"), |id| format!("{BASE}/{id}")),
        steps,
        event_types,
        variables: workflows::variable_names(&me(who)),
        preview: None,
        error: None,
        csrf: nav.csrf.clone(),
        nav,
        form,
    })
}

fn render_with(page: &WorkflowPage, status: actix_web::http::StatusCode) -> PageResult {
    let body = page
        .render()
        .map_err(|e| PageError::internal(&e.to_string()))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// The form again with the refusal above it, or the page's error for the rest.
fn refused(mut page: WorkflowPage, lang: Lang, error: ServiceError) -> PageResult {
    let (status, message) = super::refusal_status(lang, error)?;
    page.error = Some(message);
    render_with(&page, status)
}

/// The page with step `index`'s message previewed (nothing is saved), or its refusal.
fn previewed(
    mut page: WorkflowPage,
    who: &SignedIn,
    lang: Lang,
    index: &str,
    base: &str,
) -> PageResult {
    let form = &page.form;
    let step = index
        .parse::<usize>()
        .ok()
        .and_then(|i| form.steps().get(i).cloned())
        .filter(|s| !s.action.is_empty());
    let input = match (step, form.trigger_json()) {
        (Some(step), Ok(trigger)) => serde_json::from_value::<PreviewInput>(
            json!({"trigger": trigger, "step": step_json(&step)}),
        )
        .map_err(|e| ServiceError::Invalid(format!("trigger: {e}"))),
        (None, _) => Err(ServiceError::Invalid(
            "steps: choose the step's action first".into(),
        )),
        (_, Err(e)) => Err(e),
    };
    match input.and_then(|i| workflows::preview(i, &me(who), base)) {
        Ok(message) => {
            page.preview = Some(Preview {
                to: format!("{} <{}>", message.email.to_name, message.email.to_email),
                subject: message.email.subject,
                text: message.email.text,
            });
            render_with(&page, actix_web::http::StatusCode::OK)
        }
        Err(error) => refused(page, lang, error),
    }
}

async fn new_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    scope: web::Query<Scope>,
) -> PageResult {
    let owner = owner_of(&who, scope.team);
    let lang = super::session::lang_of(&req, Some(&who));
    // Only who may manage the owner's workflows sees the form.
    let (state2, user) = (state.clone(), who.user.id);
    call(lang, async move {
        workflows::list(&state2.db, user, owner).await
    })
    .await?;
    let form = WorkflowForm {
        trigger: "beforeEvent".into(),
        offset_value: "24".into(),
        offset_unit: "hour".into(),
        team: scope.team.map(|t| t.to_string()).unwrap_or_default(),
        ..WorkflowForm::default()
    };
    html(page(&req, &state, &who, owner, None, form).await?)
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    posted: ConsoleForm<WorkflowForm>,
) -> PageResult {
    let ConsoleForm { who, form } = posted;
    let lang = super::session::lang_of(&req, Some(&who));
    let team = form.team().map_err(|e| PageError::from_service(lang, e))?;
    let owner = owner_of(&who, team);
    if let Some(index) = form.preview.clone() {
        let shown = page(&req, &state, &who, owner, None, form).await?;
        return previewed(shown, &who, lang, &index, &state.base_url);
    }
    let outcome = match form.body() {
        Ok(body) => {
            let (state, user) = (state.clone(), who.user.id);
            detach(
                async move { workflows::create(&state.db, &state.outbox, user, owner, body).await },
            )
            .await?
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(made) => Err(PageError::redirect(format!(
            "{BASE}/{}?done=created",
            made.record.id
        ))),
        Err(error) => {
            let shown = page(&req, &state, &who, owner, None, form).await?;
            refused(shown, lang, error)
        }
    }
}

/// Workflow `id` and its owner, if the user may manage it (else the not-found page).
async fn found(
    state: &web::Data<AppState>,
    lang: Lang,
    user: i64,
    id: i64,
) -> Result<(WorkflowOwner, Workflow), PageError> {
    let state = state.clone();
    call(lang, async move {
        workflows::find_any(&state.db, user, id).await
    })
    .await
}

async fn edit_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    id: web::Path<i64>,
    scope: web::Query<Scope>,
) -> PageResult {
    let lang = super::session::lang_of(&req, Some(&who));
    let (owner, workflow) = found(&state, lang, who.user.id, *id).await?;
    let form = WorkflowForm::of(&workflow, owner);
    let mut shown = page(&req, &state, &who, owner, Some(*id), form).await?;
    shown.notice = scope.done.as_deref().and_then(|d| words::notice(d, lang));
    html(shown)
}

async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: ConsoleForm<WorkflowForm>,
) -> PageResult {
    let ConsoleForm { who, form } = posted;
    let lang = super::session::lang_of(&req, Some(&who));
    let id = id.into_inner();
    let (owner, _) = found(&state, lang, who.user.id, id).await?;
    if let Some(index) = form.preview.clone() {
        let shown = page(&req, &state, &who, owner, Some(id), form).await?;
        return previewed(shown, &who, lang, &index, &state.base_url);
    }
    let outcome = match form.body() {
        Ok(body) => {
            let (state, user) = (state.clone(), who.user.id);
            detach(async move {
                workflows::update(&state.db, &state.outbox, user, owner, id, body).await
            })
            .await?
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Err(PageError::redirect(format!("{BASE}/{id}?done=saved"))),
        Err(error) => {
            let shown = page(&req, &state, &who, owner, Some(id), form).await?;
            refused(shown, lang, error)
        }
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: ConsoleForm<Empty>,
) -> PageResult {
    let who = posted.who;
    let lang = super::session::lang_of(&req, Some(&who));
    let id = id.into_inner();
    let (owner, _) = found(&state, lang, who.user.id, id).await?;
    let (state, user) = (state.clone(), who.user.id);
    call(lang, async move {
        workflows::delete(&state.db, &state.outbox, user, owner, id).await
    })
    .await?;
    let query = team_query(owner);
    let sep = if query.is_empty() { '?' } else { '&' };
    Err(PageError::redirect(format!(
        "{BASE}{query}{sep}done=deleted"
    )))
}
