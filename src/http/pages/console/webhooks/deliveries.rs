//! A subscription's delivery log on its page (filtered by status, a page at a time), one
//! delivery with every attempt, and the ping and redeliver buttons: the use cases of
//! `/v2/webhooks/{id}/deliveries`, `…/ping` and `…/redeliver`.

use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::words::{self, DeliveryWords};
use super::{BASE, Empty, call, local, owned};
use crate::http::AppState;
use crate::http::pages::console::session::{ConsoleForm, lang_of};
use crate::http::pages::console::{Frame, Nav, Section};
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult, html};
use crate::sessions::SignedIn;
use crate::storage::webhooks::{DeliveryRecord, WebhookRecord};
use crate::webhooks::subscriptions::{self, DeliveryQuery};

/// Deliveries a page of the log shows.
const PER_PAGE: i64 = 25;
const STATUSES: [&str; 4] = ["pending", "delivered", "failed", "cancelled"];

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(&format!("{BASE}/{{id}}/ping"), web::post().to(ping))
        .route(
            &format!("{BASE}/{{id}}/deliveries/{{delivery}}"),
            web::get().to(detail),
        )
        .route(
            &format!("{BASE}/{{id}}/deliveries/{{delivery}}/redeliver"),
            web::post().to(redeliver),
        );
}

/// The log's filter and page, as the subscription page's query string has them.
#[derive(Deserialize, Default)]
pub struct LogQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    pub done: Option<String>,
}

pub struct Row {
    pub id: String,
    pub created: String,
    pub trigger: String,
    pub status: String,
    pub attempts: i32,
    pub code: String,
    pub error: String,
}

impl Row {
    fn of(who: &SignedIn, lang: Lang, d: &DeliveryRecord) -> Self {
        Self {
            id: d.id.clone(),
            created: local(who, lang, d.created_at),
            trigger: d.trigger_event.clone(),
            status: d.status.clone(),
            attempts: d.attempts,
            code: d
                .last_status_code
                .map(|c| c.to_string())
                .unwrap_or_default(),
            error: d.last_error.clone().unwrap_or_default(),
        }
    }
}

/// A subscription's state and a page of its log, for its page.
pub struct Summary {
    pub id: String,
    pub scope: String,
    pub disabled: Option<String>,
    pub failures: i32,
    pub created: String,
    pub rows: Vec<Row>,
    pub total: i64,
    pub status: String,
    pub statuses: [&'static str; 4],
    pub page: i64,
    pub pages: i64,
}

impl Summary {
    /// The log's address for page `page` with the same filter.
    pub fn page_href(&self, page: i64) -> String {
        match self.status.as_str() {
            "" => format!("{BASE}/{}?page={page}#log", self.id),
            s => format!("{BASE}/{}?status={s}&page={page}#log", self.id),
        }
    }
}

pub async fn summary(
    state: &web::Data<AppState>,
    who: &SignedIn,
    lang: Lang,
    hook: &WebhookRecord,
    log: LogQuery,
) -> Result<Summary, PageError> {
    let status = log.status.filter(|s| STATUSES.contains(&s.as_str()));
    let page = log.page.unwrap_or(1).max(1);
    let query = DeliveryQuery {
        status: status.clone(),
        take: Some(PER_PAGE),
        skip: Some((page - 1).saturating_mul(PER_PAGE)),
        ..DeliveryQuery::default()
    };
    let (state, user, id) = (state.clone(), who.user.id, hook.id.clone());
    let found = call(lang, async move {
        subscriptions::deliveries(&state.db, user, &id, query).await
    })
    .await?;
    let scope = match hook.event_type_id {
        Some(et) => format!("{BASE}?event_type={et}"),
        None => BASE.to_owned(),
    };
    Ok(Summary {
        id: hook.id.clone(),
        scope,
        disabled: hook.disabled_reason.as_ref().map(|reason| {
            let when = hook
                .disabled_at
                .map(|at| local(who, lang, at.and_utc()))
                .unwrap_or_default();
            format!("{reason} ({when})")
        }),
        failures: hook.consecutive_failures,
        created: local(who, lang, hook.created_at),
        rows: found.rows.iter().map(|d| Row::of(who, lang, d)).collect(),
        total: found.total,
        status: status.unwrap_or_default(),
        statuses: STATUSES,
        page,
        pages: ((found.total + PER_PAGE - 1) / PER_PAGE).max(1),
    })
}

async fn ping(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    posted: ConsoleForm<Empty>,
) -> PageResult {
    let who = posted.who;
    let lang = lang_of(&req, Some(&who));
    let (state, user, id) = (state.clone(), who.user.id, id.into_inner());
    let hook = id.clone();
    let delivery = call(lang, async move {
        subscriptions::ping(&state.db, user, &id).await
    })
    .await?;
    Err(PageError::redirect(format!(
        "{BASE}/{hook}/deliveries/{}?done=pinged",
        delivery.id
    )))
}

struct Attempt {
    at: String,
    code: String,
    latency: i32,
    outcome: String,
}

#[derive(Template)]
#[template(path = "console/webhook_delivery.html")]
struct DetailPage {
    chrome: Chrome,
    nav: Nav,
    words: DeliveryWords,
    notice: Option<&'static str>,
    hook: String,
    row: Row,
    body: String,
    next: String,
    attempts: Vec<Attempt>,
    /// Why redelivery is not offered, if it is not.
    blocked: Option<&'static str>,
}

#[derive(Deserialize)]
struct Done {
    #[serde(default)]
    done: Option<String>,
}

async fn detail(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    path: web::Path<(String, String)>,
    done: web::Query<Done>,
) -> PageResult {
    let Frame { lang, chrome, nav } = Frame::new(&req, &who, Section::Webhooks);
    let (id, delivery) = path.into_inner();
    let hook = owned(&state, lang, who.user.id, id.clone()).await?;
    let (state, user) = (state.clone(), who.user.id);
    let (found, attempts) = call(lang, async move {
        subscriptions::delivery(&state.db, user, &id, &delivery).await
    })
    .await?;
    let words = words::delivery(lang);
    let blocked = if found.status == "pending" {
        Some(words.pending)
    } else if !hook.active {
        Some(words.inactive)
    } else {
        None
    };
    let attempts = attempts
        .iter()
        .map(|a| Attempt {
            at: local(&who, lang, a.attempted_at),
            code: a.status_code.map(|c| c.to_string()).unwrap_or_default(),
            latency: a.latency_ms,
            outcome: a
                .error
                .clone()
                .or_else(|| a.response_excerpt.clone())
                .unwrap_or_default(),
        })
        .collect();
    html(DetailPage {
        chrome,
        nav,
        notice: done.done.as_deref().and_then(|d| words::notice(d, lang)),
        hook: hook.id.clone(),
        next: found
            .next_attempt_at
            .map(|at| local(&who, lang, at.and_utc()))
            .unwrap_or_default(),
        body: found.body.clone(),
        row: Row::of(&who, lang, &found),
        words,
        attempts,
        blocked,
    })
}

async fn redeliver(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    posted: ConsoleForm<Empty>,
) -> PageResult {
    let who = posted.who;
    let lang = lang_of(&req, Some(&who));
    let (id, delivery) = path.into_inner();
    let (state, user) = (state.clone(), who.user.id);
    let back = format!("{BASE}/{id}/deliveries/{delivery}");
    call(lang, async move {
        subscriptions::redeliver(&state.db, user, &id, &delivery).await
    })
    .await?;
    Err(PageError::redirect(format!("{back}?done=redelivered")))
}
