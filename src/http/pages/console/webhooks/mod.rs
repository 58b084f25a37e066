//! `/settings/developer/webhooks`: the signed-in user's webhook subscriptions (their own, and
//! with `?event_type=` those of an event type they manage): list, create, edit, switch on again
//! after the worker switched one off, delete. The delivery log, ping and redelivery are in
//! `deliveries`. Every action is `webhooks::subscriptions`' use case, as the API's.

mod deliveries;
mod words;

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::session::ConsoleForm;
use super::{Frame, Nav, Section, call};
use crate::domain::text;
use crate::event_types;
use crate::http::AppState;
use crate::http::pages::console::detach;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult, html};
use crate::service::ServiceError;
use crate::sessions::SignedIn;
use crate::storage::webhooks::WebhookRecord;
use crate::webhooks::subscriptions::{self, Page, SubscriptionInput};
use crate::webhooks::{TRIGGERS, VERSIONS};
use words::{FormWords, ListWords};

const BASE: &str = "/settings/developer/webhooks";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(BASE, web::get().to(list))
        .route(&format!("{BASE}/new"), web::get().to(new_page))
        .route(&format!("{BASE}/new"), web::post().to(create))
        .route(&format!("{BASE}/{{id}}"), web::get().to(edit_page))
        .route(&format!("{BASE}/{{id}}"), web::post().to(update))
        .route(&format!("{BASE}/{{id}}/delete"), web::post().to(delete));
    deliveries::configure(cfg);
}

/// An instant in the viewer's zone and clock, short (`2027-03-02 09:00`), for the logs.
fn local(who: &SignedIn, lang: Lang, at: DateTime<Utc>) -> String {
    super::clock::Clock::of(&who.user, lang).short(at)
}

#[derive(Deserialize)]
struct Scope {
    #[serde(default)]
    event_type: Option<i64>,
    #[serde(default)]
    done: Option<String>,
}

/// An event type whose subscriptions the user may list.
struct Choice {
    id: i64,
    title: String,
    selected: bool,
}

struct Row {
    id: String,
    url: String,
    triggers: usize,
    active: bool,
    disabled: Option<String>,
}

#[derive(Template)]
#[template(path = "console/webhooks.html")]
struct ListPage {
    chrome: Chrome,
    nav: Nav,
    words: ListWords,
    notice: Option<&'static str>,
    choices: Vec<Choice>,
    event_type: Option<i64>,
    rows: Vec<Row>,
}

/// The user's personal event types and their teams', for the scope picker.
async fn choices(state: &AppState, user: i64) -> Result<Vec<(i64, String)>, ServiceError> {
    let mine = event_types::list_mine(&state.db, user).await?;
    let mut out: Vec<(i64, String)> = (mine.personal.iter())
        .map(|e| (e.record.id, e.record.title.clone()))
        .collect();
    for (team, its) in &mine.teams {
        out.extend(
            its.iter()
                .map(|e| (e.record.id, format!("{} · {}", team.name, e.record.title))),
        );
    }
    Ok(out)
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    scope: web::Query<Scope>,
) -> PageResult {
    let Frame { lang, chrome, nav } = Frame::new(&req, &who, Section::Webhooks);
    let scope = scope.into_inner();
    let (state2, user) = (state.clone(), who.user.id);
    let event_type = scope.event_type;
    let (hooks, found) = call(lang, async move {
        let page = Page::new(None, None)?;
        let hooks = subscriptions::list(&state2.db, user, event_type, page).await?;
        Ok((hooks, choices(&state2, user).await?))
    })
    .await?;
    let words = words::list(lang);
    let rows = hooks
        .iter()
        .map(|h| Row {
            id: h.id.clone(),
            url: h.subscriber_url.clone(),
            triggers: h.triggers().len(),
            active: h.active,
            disabled: h.disabled_reason.clone(),
        })
        .collect();
    let choices = found
        .into_iter()
        .map(|(id, title)| Choice {
            id,
            title,
            selected: Some(id) == event_type,
        })
        .collect();
    html(ListPage {
        chrome,
        nav,
        notice: scope.done.as_deref().and_then(|d| words::notice(d, lang)),
        words,
        choices,
        event_type,
        rows,
    })
}

/// The subscription form as posted.
#[derive(Deserialize, Default)]
struct HookForm {
    #[serde(default, deserialize_with = "text::line")]
    subscriber_url: String,
    #[serde(default, deserialize_with = "text::line")]
    triggers: Vec<String>,
    #[serde(default)]
    active: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    secret: String,
    #[serde(default)]
    clear_secret: Option<String>,
    #[serde(default, deserialize_with = "text::lines")]
    payload_template: String,
    #[serde(default, deserialize_with = "text::line")]
    time: String,
    #[serde(default, deserialize_with = "text::line")]
    time_unit: String,
    #[serde(default, deserialize_with = "text::line")]
    event_type: String,
}

impl HookForm {
    fn of(hook: &WebhookRecord) -> Self {
        Self {
            subscriber_url: hook.subscriber_url.clone(),
            triggers: hook.triggers(),
            active: hook.active.then(|| "on".to_owned()),
            payload_template: hook.payload_template.clone().unwrap_or_default(),
            time: hook.time.map(|t| t.to_string()).unwrap_or_default(),
            time_unit: hook.time_unit.clone().unwrap_or_default(),
            ..Self::default()
        }
    }

    /// The use case's input; `editing` keeps a stored secret unless a new one is given or
    /// clearing it is asked.
    fn input(&self, editing: bool) -> Result<SubscriptionInput, ServiceError> {
        let time = match self.time.trim() {
            "" => None,
            t => Some(t.parse::<i32>().map_err(|_| {
                ServiceError::Invalid(format!("time: `{t}` is not a whole number"))
            })?),
        };
        let unit = Some(self.time_unit.trim().to_owned()).filter(|u| !u.is_empty());
        let secret = match (self.secret.trim(), self.clear_secret.is_some()) {
            (_, true) => Some(None),
            ("", false) if editing => None,
            ("", false) => Some(None),
            (s, false) => Some(Some(s.to_owned())),
        };
        Ok(SubscriptionInput {
            subscriber_url: Some(self.subscriber_url.trim().to_owned()),
            triggers: Some(self.triggers.clone()),
            active: Some(self.active.is_some()),
            secret,
            payload_template: Some(Some(self.payload_template.clone())),
            version: Some(VERSIONS[0].to_owned()),
            time: Some(time),
            time_unit: Some(unit),
        })
    }

    fn event_type(&self) -> Result<Option<i64>, ServiceError> {
        match self.event_type.trim() {
            "" => Ok(None),
            t => t
                .parse()
                .map(Some)
                .map_err(|_| ServiceError::Invalid(format!("event_type: `{t}` is not an id"))),
        }
    }
}

/// A refusal placed at the field the use case named (`subscriberUrl: …`, `triggers[2]: …`).
struct Refusal {
    field: &'static str,
    message: String,
}

impl Refusal {
    fn of(message: String) -> Self {
        let head = message
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or_default();
        let field = match head {
            "subscriberUrl" => "subscriber_url",
            "triggers" => "triggers",
            "secret" => "secret",
            "payloadTemplate" => "payload_template",
            "time" => "time",
            "timeUnit" => "time_unit",
            _ => "",
        };
        Self { field, message }
    }
}

struct TriggerBox {
    name: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "console/webhook.html")]
struct HookPage {
    chrome: Chrome,
    nav: Nav,
    words: FormWords,
    notice: Option<&'static str>,
    /// `None` on the new subscription page.
    hook: Option<deliveries::Summary>,
    action: String,
    form: HookForm,
    boxes: Vec<TriggerBox>,
    error: Option<Refusal>,
    has_secret: bool,
}

impl HookPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

fn boxes(form: &HookForm) -> Vec<TriggerBox> {
    TRIGGERS
        .iter()
        .map(|name| TriggerBox {
            name,
            checked: form.triggers.iter().any(|t| t == name),
        })
        .collect()
}

async fn new_page(req: HttpRequest, who: SignedIn, scope: web::Query<Scope>) -> PageResult {
    let Frame { lang, chrome, nav } = Frame::new(&req, &who, Section::Webhooks);
    let form = HookForm {
        active: Some("on".into()),
        event_type: scope.event_type.map(|e| e.to_string()).unwrap_or_default(),
        triggers: vec!["BOOKING_CREATED".into()],
        ..HookForm::default()
    };
    html(HookPage {
        chrome,
        nav,
        words: words::form(lang),
        notice: None,
        hook: None,
        action: format!("{BASE}/new"),
        boxes: boxes(&form),
        form,
        error: None,
        has_secret: false,
    })
}

/// The form again with the refusal at its field (`refusal_status`), or the page's error for the
/// rest.
fn refused(mut page: HookPage, lang: Lang, error: ServiceError) -> PageResult {
    let (status, message) = super::refusal_status(lang, error)?;
    page.error = Some(Refusal::of(message));
    let body = page
        .render()
        .map_err(|e| PageError::internal(&e.to_string()))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(body))
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    posted: ConsoleForm<HookForm>,
) -> PageResult {
    let ConsoleForm { who, form } = posted;
    let Frame { lang, chrome, nav } = Frame::new(&req, &who, Section::Webhooks);
    let user = who.user.id;
    let attempt = (|| Ok((form.input(false)?, form.event_type()?)))();
    let outcome = match attempt {
        Ok((input, event_type)) => {
            let state = state.clone();
            detach(async move {
                subscriptions::create(
                    &state.db,
                    &state.webhook_policy,
                    &state.webhook_secrets,
                    user,
                    event_type,
                    input,
                )
                .await
            })
            .await?
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(hook) => Err(PageError::redirect(format!(
            "{BASE}/{}?done=created",
            hook.id
        ))),
        Err(error) => {
            let page = HookPage {
                chrome,
                nav,
                words: words::form(lang),
                notice: None,
                hook: None,
                action: format!("{BASE}/new"),
                boxes: boxes(&form),
                form,
                error: None,
                has_secret: false,
            };
            refused(page, lang, error)
        }
    }
}

/// The subscription's page: its form filled from `hook` (or from what was posted), its state
/// and the latest deliveries.
async fn hook_page(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    who: &SignedIn,
    hook: WebhookRecord,
    form: Option<HookForm>,
    log: deliveries::LogQuery,
) -> Result<HookPage, PageError> {
    let Frame { lang, chrome, nav } = Frame::new(req, who, Section::Webhooks);
    let summary = deliveries::summary(state, who, lang, &hook, log).await?;
    let form = form.unwrap_or_else(|| HookForm::of(&hook));
    Ok(HookPage {
        chrome,
        nav,
        words: words::form(lang),
        notice: None,
        hook: Some(summary),
        action: format!("{BASE}/{}", hook.id),
        boxes: boxes(&form),
        form,
        error: None,
        has_secret: hook.secret.is_some(),
    })
}

/// The subscription `id` if the user owns it, at either level.
async fn owned(
    state: &web::Data<AppState>,
    lang: Lang,
    user: i64,
    id: String,
) -> Result<WebhookRecord, PageError> {
    let state = state.clone();
    call(lang, async move {
        subscriptions::get_any(&state.db, user, &id).await
    })
    .await
}

async fn edit_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    id: web::Path<String>,
    log: web::Query<deliveries::LogQuery>,
) -> PageResult {
    let lang = super::session::lang_of(&req, Some(&who));
    let hook = owned(&state, lang, who.user.id, id.into_inner()).await?;
    let log = log.into_inner();
    let notice = log.done.as_deref().and_then(|d| words::notice(d, lang));
    let mut page = hook_page(&req, &state, &who, hook, None, log).await?;
    page.notice = notice;
    html(page)
}

async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    posted: ConsoleForm<HookForm>,
) -> PageResult {
    let ConsoleForm { who, form } = posted;
    let lang = super::session::lang_of(&req, Some(&who));
    let hook = owned(&state, lang, who.user.id, id.into_inner()).await?;
    let outcome = match form.input(true) {
        Ok(input) => {
            let (state, user, id, scope) = (
                state.clone(),
                who.user.id,
                hook.id.clone(),
                hook.event_type_id,
            );
            detach(async move {
                subscriptions::update(
                    &state.db,
                    &state.webhook_policy,
                    &state.webhook_secrets,
                    user,
                    scope,
                    &id,
                    input,
                )
                .await
            })
            .await?
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(saved) => Err(PageError::redirect(format!(
            "{BASE}/{}?done=saved",
            saved.id
        ))),
        Err(error) => {
            let page = hook_page(&req, &state, &who, hook, Some(form), Default::default()).await?;
            refused(page, lang, error)
        }
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    posted: ConsoleForm<Empty>,
) -> PageResult {
    let who = posted.who;
    let lang = super::session::lang_of(&req, Some(&who));
    let hook = owned(&state, lang, who.user.id, id.into_inner()).await?;
    let (state, user, scope) = (state.clone(), who.user.id, hook.event_type_id);
    let id = hook.id.clone();
    call(lang, async move {
        subscriptions::delete(&state.db, user, scope, &id).await
    })
    .await?;
    let back = match hook.event_type_id {
        Some(et) => format!("{BASE}?event_type={et}&done=deleted"),
        None => format!("{BASE}?done=deleted"),
    };
    Err(PageError::redirect(back))
}
