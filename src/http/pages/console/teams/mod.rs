//! `/teams`: the signed-in user's teams and open invitations, creating a team, and a team's
//! page: its members (invite by email, change a role, remove), its settings and its event
//! types; `hosts` owns a round-robin or collective event type's hosts and the distribution
//! preview. Members read; admins and owners change; anyone else gets "not found". Every action
//! is `teams`' or `event_types`' use case, as the API's.

mod hosts;
mod words;

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::refusal_status;
use super::session::ConsoleForm;
use super::{Frame, Nav, Section};
use crate::domain::text;
use crate::event_types::{self, Target};
use crate::http::AppState;
use crate::http::pages::console::detach;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult, html};
use crate::service::ServiceError;
use crate::sessions::SignedIn;
use crate::storage::teams::{Membership, Team};
use crate::teams::{self, MembershipInput, TeamInput};
use words::Words;

const BASE: &str = "/teams";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(BASE, web::get().to(list))
        .route("/teams/new", web::post().to(create))
        .route("/teams/{id}", web::get().to(team_page))
        .route("/teams/{id}", web::post().to(save_settings))
        .route("/teams/{id}/members", web::post().to(add_member))
        .route("/teams/{id}/members/{member}", web::post().to(change_role))
        .route(
            "/teams/{id}/members/{member}/remove",
            web::post().to(remove),
        )
        .route(
            "/teams/{id}/invitations/{member}/accept",
            web::post().to(accept),
        )
        .route(
            "/teams/{id}/invitations/{member}/decline",
            web::post().to(decline),
        );
    hosts::configure(cfg);
}

/// Runs a use case off the request's task (see [`detached`]); the refusal is kept as it is.
async fn attempt<T: 'static>(
    work: impl Future<Output = Result<T, ServiceError>> + 'static,
) -> Result<Result<T, ServiceError>, PageError> {
    detach(work).await
}

/// [`attempt`] with the refusal worded as the page's error.
async fn run<T: 'static>(
    lang: Lang,
    work: impl Future<Output = Result<T, ServiceError>> + 'static,
) -> Result<T, PageError> {
    attempt(work)
        .await?
        .map_err(|e| PageError::from_service(lang, e))
}

#[derive(Deserialize)]
struct Done {
    #[serde(default)]
    done: Option<String>,
}

/// A refusal placed at the field of the form the use case named (`slug: …`, `email: …`); an
/// unnamed one is shown at the top of its form.
pub struct Refusal {
    form: &'static str,
    field: &'static str,
    message: String,
}

impl Refusal {
    fn of(form: &'static str, message: String) -> Self {
        let head = message
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or_default();
        let field = match head {
            "name" => "name",
            "slug" => "slug",
            "timeZone" => "time_zone",
            "brandColor" => "brand_color",
            "email" => "email",
            "role" => "role",
            _ => "",
        };
        Self {
            form,
            field,
            message,
        }
    }
}

/// `page` rendered with `status` (a refused form).
fn render_with(status: actix_web::http::StatusCode, page: impl Template) -> PageResult {
    let body = page
        .render()
        .map_err(|e| PageError::internal(&e.to_string()))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// The team form as posted (create and settings).
#[derive(Deserialize, Default)]
struct TeamForm {
    #[serde(default, deserialize_with = "text::line")]
    name: String,
    #[serde(default, deserialize_with = "text::line")]
    slug: String,
    #[serde(default, deserialize_with = "text::line")]
    time_zone: String,
    #[serde(default, deserialize_with = "text::line")]
    brand_color: String,
}

impl TeamForm {
    fn of(team: &Team) -> Self {
        Self {
            name: team.name.clone(),
            slug: team.slug.clone(),
            time_zone: team.time_zone.clone(),
            brand_color: team.brand_color.clone(),
        }
    }

    /// The use case's input; an empty field is left to the use case's default (or kept).
    fn input(&self) -> TeamInput {
        let given = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        TeamInput {
            name: Some(self.name.trim().to_owned()),
            slug: given(&self.slug),
            time_zone: given(&self.time_zone),
            brand_color: given(&self.brand_color),
            ..TeamInput::default()
        }
    }
}

struct InvitationRow {
    team: Team,
    membership: i64,
    role: String,
}

#[derive(Template)]
#[template(path = "console/teams.html")]
struct ListPage {
    chrome: Chrome,
    nav: Nav,
    words: Words,
    notice: Option<&'static str>,
    teams: Vec<Team>,
    invitations: Vec<InvitationRow>,
    form: TeamForm,
    error: Option<Refusal>,
}

impl ListPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

async fn list_page(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    who: &SignedIn,
    form: TeamForm,
) -> Result<ListPage, PageError> {
    let Frame { lang, chrome, nav } = Frame::new(req, who, Section::Teams);
    let (state, user) = (state.clone(), who.user.id);
    let (teams, open) = run(lang, async move {
        Ok((
            teams::list(&state.db, user).await?,
            teams::invitations(&state.db, user).await?,
        ))
    })
    .await?;
    let invitations = open
        .into_iter()
        .map(|(team, m)| InvitationRow {
            team,
            membership: m.id,
            role: m.role,
        })
        .collect();
    Ok(ListPage {
        chrome,
        nav,
        words: words::words(lang),
        notice: None,
        teams,
        invitations,
        form,
        error: None,
    })
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    done: web::Query<Done>,
) -> PageResult {
    let lang = super::session::lang_of(&req, Some(&who));
    let form = TeamForm {
        time_zone: who.user.time_zone.clone(),
        ..TeamForm::default()
    };
    let mut page = list_page(&req, &state, &who, form).await?;
    page.notice = done.done.as_deref().and_then(|d| words::notice(d, lang));
    html(page)
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    posted: ConsoleForm<TeamForm>,
) -> PageResult {
    let ConsoleForm { who, form } = posted;
    let lang = super::session::lang_of(&req, Some(&who));
    let (state2, user, input) = (state.clone(), who.user.id, form.input());
    match attempt(async move { teams::create(&state2.db, user, input).await }).await? {
        Ok(team) => Err(PageError::redirect(format!(
            "{BASE}/{}?done=created",
            team.id
        ))),
        Err(error) => {
            let (status, message) = refusal_status(lang, error)?;
            let mut page = list_page(&req, &state, &who, form).await?;
            page.error = Some(Refusal::of("create", message));
            render_with(status, page)
        }
    }
}

struct MemberRow {
    id: i64,
    /// Empty for an open invitation: who was invited is theirs to know (as in the API).
    name: String,
    email: String,
    role: String,
    accepted: bool,
}

struct EventTypeRow {
    id: i64,
    title: String,
    scheduling: &'static str,
    hosts: usize,
}

/// The member form as posted.
#[derive(Deserialize, Default)]
struct MemberForm {
    #[serde(default, deserialize_with = "text::line")]
    email: String,
    #[serde(default, deserialize_with = "text::line")]
    role: String,
}

#[derive(Template)]
#[template(path = "console/team.html")]
struct TeamPage {
    chrome: Chrome,
    nav: Nav,
    words: Words,
    notice: Option<&'static str>,
    team: Team,
    role: String,
    manager: bool,
    members: Vec<MemberRow>,
    event_types: Vec<EventTypeRow>,
    settings: TeamForm,
    member: MemberForm,
    error: Option<Refusal>,
}

impl TeamPage {
    fn error_for(&self, form: &str, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.form == form && e.field == field)
            .map(|e| e.message.as_str())
    }
}

fn member_row(m: &Membership, me: i64) -> MemberRow {
    let known = m.accepted || m.user_id == me;
    MemberRow {
        id: m.id,
        name: if known {
            m.user.name.clone()
        } else {
            String::new()
        },
        email: if known {
            m.user.email.clone()
        } else {
            String::new()
        },
        role: m.role.clone(),
        accepted: m.accepted,
    }
}

/// The team's page as `who` sees it; "not found" unless they are a member.
async fn team_view(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    who: &SignedIn,
    id: i64,
) -> Result<TeamPage, PageError> {
    let Frame { lang, chrome, nav } = Frame::new(req, who, Section::Teams);
    let (state, user) = (state.clone(), who.user.id);
    let (team, memberships, types) = run(lang, async move {
        let team = teams::get(&state.db, user, id).await?;
        let memberships = teams::memberships(&state.db, user, id).await?;
        let types = event_types::list(&state.db, user, Target::Team(id)).await?;
        Ok((team, memberships, types))
    })
    .await?;
    let role = memberships
        .iter()
        .find(|m| m.user_id == user && m.accepted)
        .map(|m| m.role.clone())
        .unwrap_or_default();
    let event_types = types
        .iter()
        .map(|e| EventTypeRow {
            id: e.record.id,
            title: e.record.title.clone(),
            scheduling: e.scheduling().map_or("", |s| s.as_str()),
            hosts: e.hosts.len(),
        })
        .collect();
    Ok(TeamPage {
        chrome,
        nav,
        words: words::words(lang),
        notice: None,
        manager: matches!(role.as_str(), "ADMIN" | "OWNER"),
        role,
        members: memberships.iter().map(|m| member_row(m, user)).collect(),
        event_types,
        settings: TeamForm::of(&team),
        member: MemberForm {
            role: "MEMBER".into(),
            ..MemberForm::default()
        },
        team,
        error: None,
    })
}

async fn team_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    id: web::Path<i64>,
    done: web::Query<Done>,
) -> PageResult {
    let lang = super::session::lang_of(&req, Some(&who));
    let mut page = team_view(&req, &state, &who, id.into_inner()).await?;
    page.notice = done.done.as_deref().and_then(|d| words::notice(d, lang));
    html(page)
}

/// After a team action: back to the team's page with a notice, or the page again with the
/// refusal at `form`'s field (`fill` puts the posted input back).
async fn after(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    who: &SignedIn,
    team: i64,
    outcome: Result<&'static str, ServiceError>,
    form: &'static str,
    fill: impl FnOnce(&mut TeamPage),
) -> PageResult {
    let lang = super::session::lang_of(req, Some(who));
    let error = match outcome {
        Ok(done) => return Err(PageError::redirect(format!("{BASE}/{team}?done={done}"))),
        Err(error) => error,
    };
    let (status, message) = refusal_status(lang, error)?;
    let mut page = team_view(req, state, who, team).await?;
    fill(&mut page);
    page.error = Some(Refusal::of(form, message));
    render_with(status, page)
}

async fn save_settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: ConsoleForm<TeamForm>,
) -> PageResult {
    let ConsoleForm { who, form } = posted;
    let (team, state2, user, input) = (id.into_inner(), state.clone(), who.user.id, form.input());
    let outcome = attempt(async move { teams::update(&state2.db, user, team, input).await })
        .await?
        .map(|_| "saved");
    after(&req, &state, &who, team, outcome, "settings", |page| {
        page.settings = form
    })
    .await
}

async fn add_member(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: ConsoleForm<MemberForm>,
) -> PageResult {
    let ConsoleForm { who, form } = posted;
    let (team, state2, user) = (id.into_inner(), state.clone(), who.user.id);
    let (email, role) = (form.email.clone(), form.role.clone());
    let outcome = attempt(async move {
        // Someone without an account is invited to Kairos too, when the link can be emailed.
        let newcomers = teams::Newcomers {
            signer: &state2.signer,
            base_url: &state2.base_url,
        };
        let newcomers = state2.outbox.email.then_some(&newcomers);
        teams::add_membership_by_email(&state2.db, user, team, &email, &role, newcomers).await
    })
    .await?
    .map(|_| "invited");
    after(&req, &state, &who, team, outcome, "member", |page| {
        page.member = form
    })
    .await
}

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default, deserialize_with = "text::line")]
    role: String,
}

async fn change_role(
    req: HttpRequest,
    state: web::Data<AppState>,
    ids: web::Path<(i64, i64)>,
    posted: ConsoleForm<RoleForm>,
) -> PageResult {
    let ConsoleForm { who, form } = posted;
    let ((team, member), state2, user) = (ids.into_inner(), state.clone(), who.user.id);
    let input = MembershipInput {
        role: Some(form.role),
        ..MembershipInput::default()
    };
    let outcome =
        attempt(
            async move { teams::update_membership(&state2.db, user, team, member, input).await },
        )
        .await?
        .map(|_| "saved");
    after(&req, &state, &who, team, outcome, "members", |_| {}).await
}

#[derive(Deserialize)]
struct Empty {}

async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    ids: web::Path<(i64, i64)>,
    posted: ConsoleForm<Empty>,
) -> PageResult {
    let who = posted.who;
    let ((team, member), state2, user) = (ids.into_inner(), state.clone(), who.user.id);
    let removed =
        attempt(async move { teams::delete_membership(&state2.db, user, team, member).await })
            .await?;
    match removed {
        // Leaving a team: its page is no longer theirs.
        Ok(m) if m.user_id == user => Err(PageError::redirect(format!("{BASE}?done=removed"))),
        outcome => {
            let outcome = outcome.map(|_| "removed");
            after(&req, &state, &who, team, outcome, "members", |_| {}).await
        }
    }
}

/// Accepting or declining the caller's own invitation (the use case refuses anyone else's).
async fn answer(
    req: HttpRequest,
    state: web::Data<AppState>,
    ids: web::Path<(i64, i64)>,
    who: SignedIn,
    yes: bool,
) -> PageResult {
    let lang = super::session::lang_of(&req, Some(&who));
    let ((team, member), user) = (ids.into_inner(), who.user.id);
    let state = state.clone();
    run(lang, async move {
        // Only the invitee answers here: an admin's membership changes are the members table's.
        let open = teams::invitations(&state.db, user).await?;
        if !open.iter().any(|(t, m)| t.id == team && m.id == member) {
            return Err(ServiceError::NotFound(format!(
                "Invitation with id={member} not found"
            )));
        }
        if yes {
            let input = MembershipInput {
                accepted: Some(true),
                ..MembershipInput::default()
            };
            teams::update_membership(&state.db, user, team, member, input).await
        } else {
            teams::delete_membership(&state.db, user, team, member).await
        }
    })
    .await?;
    Err(PageError::redirect(if yes {
        format!("{BASE}/{team}?done=accepted")
    } else {
        format!("{BASE}?done=declined")
    }))
}

async fn accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    ids: web::Path<(i64, i64)>,
    posted: ConsoleForm<Empty>,
) -> PageResult {
    answer(req, state, ids, posted.who, true).await
}

async fn decline(
    req: HttpRequest,
    state: web::Data<AppState>,
    ids: web::Path<(i64, i64)>,
    posted: ConsoleForm<Empty>,
) -> PageResult {
    answer(req, state, ids, posted.who, false).await
}

impl TeamPage {
    /// The settings form's fields: name and label.
    fn setting_fields(&self) -> [(&'static str, &'static str); 4] {
        [
            ("name", self.words.name),
            ("slug", self.words.slug),
            ("time_zone", self.words.time_zone),
            ("brand_color", self.words.brand_color),
        ]
    }

    /// The settings form's value for `field`, as shown.
    fn setting(&self, field: &str) -> &str {
        match field {
            "name" => &self.settings.name,
            "slug" => &self.settings.slug,
            "time_zone" => &self.settings.time_zone,
            _ => &self.settings.brand_color,
        }
    }
}
