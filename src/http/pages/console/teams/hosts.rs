//! `/teams/{id}/event-types/{et}`: a team event type's hosts (who hosts, fixed hosts, weights,
//! priorities), saved through `event_types::update` as the API's PATCH, and the distribution
//! preview: `availability::distribution` run on the saved or the proposed (`GET` with the
//! form's fields) weights, on a simulated month (per host group) and replayed on the last real
//! bookings (event types without groups: the replay follows organisers, one host a booking).
//! Host groups are created, renamed and deleted here too (`hostGroups` in the same PATCH).

use actix_web::{HttpRequest, web};
use askama::Template;
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use serde::Deserialize;
use serde_json::{Map, json};

use super::words::{self, Words};
use super::{BASE, Refusal, attempt, refusal_status, render_with, run};
use crate::availability::assignment::RoundRobinHost;
use crate::availability::distribution::{replay, simulate_month};
use crate::event_types::{
    self, EventType, HostGroupInput, HostInput, Scheduling, Target, priority_name,
};
use crate::http::AppState;
use crate::http::pages::console::session::ConsoleForm;
use crate::http::pages::console::{Frame, Nav, Section};
use crate::http::pages::{Chrome, PageError, PageResult, html};
use crate::service::ServiceError;
use crate::sessions::SignedIn;
use crate::storage::teams::Membership;
use crate::teams;

/// Bookings in the simulated month.
const SIMULATED: u32 = 100;
/// Real bookings replayed.
const REPLAYED: i64 = 100;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/teams/{id}/event-types/{et}", web::get().to(page))
        .route("/teams/{id}/event-types/{et}", web::post().to(save));
}

/// The hosts form: one row per member (`member`, `weight`, `priority` in row order), and the
/// ids of those ticked as hosts and as fixed hosts.
#[derive(Deserialize, Default)]
struct HostsForm {
    #[serde(default)]
    member: Vec<String>,
    #[serde(default)]
    weight: Vec<String>,
    #[serde(default)]
    priority: Vec<String>,
    #[serde(default)]
    host: Vec<String>,
    #[serde(default)]
    fixed: Vec<String>,
    /// Per row: the host's group id, empty for the default group.
    #[serde(default)]
    group: Vec<String>,
    /// The event type's groups (ids and names in the same order), those ticked for deletion,
    /// and the name of a new one; `groups_shown` says the form had the groups section.
    #[serde(default)]
    group_id: Vec<String>,
    #[serde(default)]
    group_name: Vec<String>,
    #[serde(default)]
    delete_group: Vec<String>,
    #[serde(default)]
    new_group: Option<String>,
    #[serde(default)]
    groups_shown: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

impl HostsForm {
    /// The hosts as the API takes them, in row order.
    fn hosts(&self) -> Result<Vec<HostInput>, ServiceError> {
        let mut out = Vec::new();
        for (i, member) in self.member.iter().enumerate() {
            if !self.host.contains(member) {
                continue;
            }
            let at = format!("hosts[{}]", out.len());
            let user_id = member.parse().map_err(|_| {
                ServiceError::Invalid(format!("{at}.userId: `{member}` is not an id"))
            })?;
            let raw = self.weight.get(i).map_or("", |w| w.trim());
            let weight = match raw {
                "" => None,
                w => Some(w.parse().map_err(|_| {
                    ServiceError::Invalid(format!("{at}.weight: `{w}` is not a whole number"))
                })?),
            };
            let mandatory = self.fixed.contains(member);
            // A fixed host attends every booking: their group choice is left out.
            let group_id = (self.group.get(i))
                .filter(|g| !g.is_empty() && !mandatory && !self.delete_group.contains(g))
                .cloned();
            out.push(HostInput {
                user_id,
                mandatory,
                priority: self.priority.get(i).cloned(),
                weight,
                group_id,
            });
        }
        Ok(out)
    }

    /// The groups as the API takes them (kept ones renamed, a new one added), when the form
    /// showed them.
    fn host_groups(&self) -> Option<Vec<HostGroupInput>> {
        self.groups_shown.as_ref()?;
        let mut out: Vec<HostGroupInput> = (self.group_id.iter())
            .zip(&self.group_name)
            .filter(|(id, _)| !self.delete_group.contains(id))
            .map(|(id, name)| HostGroupInput {
                id: Some(id.clone()),
                name: name.clone(),
            })
            .collect();
        if let Some(name) = self
            .new_group
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            out.push(HostGroupInput {
                id: None,
                name: name.to_owned(),
            });
        }
        Some(out)
    }
}

struct Row {
    user_id: i64,
    name: String,
    host: bool,
    fixed: bool,
    weight: String,
    priority: String,
    /// The host's group id; empty: the default group.
    group: String,
    error: Option<String>,
}

/// A host group as the form shows it.
struct GroupRow {
    id: String,
    name: String,
}

struct PreviewRow {
    /// The host's group name, empty without groups.
    group: String,
    name: String,
    weight: u32,
    target: String,
    bookings: u64,
    actual: String,
}

struct ReplayRow {
    name: String,
    weight: u32,
    target: String,
    got: u64,
    would_get: u64,
}

#[derive(Default)]
struct ReplayView {
    rows: Vec<ReplayRow>,
    bookings: u64,
    same_host: u64,
    elsewhere: u64,
}

#[derive(Template)]
#[template(path = "console/team_hosts.html")]
struct HostsPage {
    chrome: Chrome,
    nav: Nav,
    words: Words,
    notice: Option<&'static str>,
    team_id: i64,
    team_name: String,
    event_id: i64,
    title: String,
    round_robin: bool,
    manager: bool,
    rows: Vec<Row>,
    groups: Vec<GroupRow>,
    preview: Vec<PreviewRow>,
    replay: ReplayView,
    error: Option<Refusal>,
}

/// The rows: every accepted member and every current host, filled from `form` when given.
fn rows(event: &EventType, members: &[Membership], form: Option<&HostsForm>) -> Vec<Row> {
    let mut out: Vec<Row> = members
        .iter()
        .filter(|m| m.accepted)
        .map(|m| (m.user_id, m.user.name.clone()))
        .chain(event.hosts.iter().map(|h| (h.user_id, h.name.clone())))
        .fold(Vec::new(), |mut seen: Vec<(i64, String)>, (id, name)| {
            if !seen.iter().any(|(s, _)| *s == id) {
                seen.push((id, name));
            }
            seen
        })
        .into_iter()
        .map(|(user_id, name)| {
            let saved = event.hosts.iter().find(|h| h.user_id == user_id);
            Row {
                user_id,
                name,
                host: saved.is_some(),
                fixed: saved.is_some_and(|h| h.is_fixed),
                weight: saved.map_or(100, |h| h.weight).to_string(),
                priority: priority_name(saved.map_or(2, |h| h.priority)).to_owned(),
                group: saved.and_then(|h| h.group_id.clone()).unwrap_or_default(),
                error: None,
            }
        })
        .collect();
    if let Some(form) = form {
        for row in &mut out {
            let id = row.user_id.to_string();
            let Some(i) = form.member.iter().position(|m| *m == id) else {
                continue;
            };
            row.host = form.host.contains(&id);
            row.fixed = form.fixed.contains(&id);
            row.weight = form.weight.get(i).cloned().unwrap_or_default();
            row.priority = form.priority.get(i).cloned().unwrap_or_default();
            if form.groups_shown.is_some() {
                row.group = form.group.get(i).cloned().unwrap_or_default();
            }
        }
    }
    out
}

/// The rows' round-robin hosts (ticked, not fixed) as the engine takes them, as if they had
/// joined before `start`; a weight that does not read leaves the host out until it is fixed.
fn pool<'a>(rows: &[&'a Row], start: DateTime<Utc>) -> Vec<(&'a Row, RoundRobinHost)> {
    rows.iter()
        .copied()
        .filter(|r| r.host && !r.fixed)
        .filter_map(|r| {
            let weight = r.weight.trim().parse().ok()?;
            let priority = (0..=4u8)
                .find(|p| priority_name(i32::from(*p)) == r.priority)
                .unwrap_or(2);
            let joined = start - Duration::days(60);
            Some((
                r,
                RoundRobinHost {
                    weight,
                    priority,
                    ..RoundRobinHost::new(r.user_id, joined)
                },
            ))
        })
        .collect()
}

fn percent(f: f64) -> String {
    format!("{:.0} %", f * 100.0)
}

/// The simulated month for the rows' round-robin hosts, each group on its own (a booking
/// takes one host of every group, so shares are within a group).
fn preview(rows: &[Row], groups: &[GroupRow], default_name: &str) -> Vec<PreviewRow> {
    let now = Utc::now();
    let start = Utc
        .with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .single()
        .unwrap_or(now);
    let named = |id: &str| match groups.iter().find(|g| g.id == id) {
        Some(g) => g.name.clone(),
        None if groups.is_empty() => String::new(),
        None => default_name.to_owned(),
    };
    let mut ids: Vec<&str> = rows.iter().map(|r| r.group.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let members: Vec<&Row> = rows.iter().filter(|r| r.group == id).collect();
        let pool = pool(&members, start);
        let hosts: Vec<RoundRobinHost> = pool.iter().map(|(_, h)| h.clone()).collect();
        out.extend(
            simulate_month(&hosts, SIMULATED, start)
                .into_iter()
                .zip(pool)
                .map(|(share, (row, _))| PreviewRow {
                    group: named(id),
                    name: row.name.clone(),
                    weight: share.weight,
                    target: percent(share.target),
                    bookings: share.bookings,
                    actual: percent(share.actual),
                }),
        );
    }
    out
}

/// The last real bookings (who got each, when, oldest first) replayed with the rows' weights.
fn replayed(rows: &[Row], past: &[(i64, DateTime<Utc>)]) -> ReplayView {
    let start = past.first().map_or_else(Utc::now, |(_, at)| *at);
    let rows: Vec<&Row> = rows.iter().collect();
    let pool = pool(&rows, start);
    let hosts: Vec<RoundRobinHost> = pool.iter().map(|(_, h)| h.clone()).collect();
    let outcome = replay(&hosts, past);
    ReplayView {
        rows: outcome
            .hosts
            .iter()
            .zip(pool)
            .map(|(host, (row, _))| ReplayRow {
                name: row.name.clone(),
                weight: host.weight,
                target: percent(host.target),
                got: host.got,
                would_get: host.would_get,
            })
            .collect(),
        bookings: outcome.bookings,
        same_host: outcome.same_host,
        elsewhere: outcome.elsewhere,
    }
}

/// The page for `who`, "not found" unless they are a member of the team that owns `et`.
async fn view(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    who: &SignedIn,
    (team, et): (i64, i64),
    form: Option<&HostsForm>,
) -> Result<HostsPage, PageError> {
    let Frame { lang, chrome, nav } = Frame::new(req, who, Section::Teams);
    let (state, user) = (state.clone(), who.user.id);
    let (found, event, members, past) = run(lang, async move {
        let found = teams::get(&state.db, user, team).await?;
        let event = event_types::get(&state.db, user, Target::Team(team), et).await?;
        let members = teams::memberships(&state.db, user, team).await?;
        let past = teams::recent_assignments(&state.db, user, team, et, REPLAYED).await?;
        Ok((found, event, members, past))
    })
    .await?;
    let manager = members
        .iter()
        .any(|m| m.user_id == user && m.accepted && matches!(m.role.as_str(), "ADMIN" | "OWNER"));
    let rows = rows(&event, &members, form);
    let round_robin = event.scheduling() == Some(Scheduling::RoundRobin);
    let groups: Vec<GroupRow> = (event.host_groups.iter())
        .map(|g| GroupRow {
            id: g.id.clone(),
            name: g.name.clone(),
        })
        .collect();
    let words = words::words(lang);
    Ok(HostsPage {
        chrome,
        nav,
        notice: None,
        team_id: found.id,
        team_name: found.name,
        event_id: event.record.id,
        title: event.record.title.clone(),
        preview: if round_robin {
            preview(&rows, &groups, words.default_group)
        } else {
            Vec::new()
        },
        // The replay follows organisers: with groups a booking has several round-robin hosts.
        replay: if round_robin && groups.is_empty() {
            replayed(&rows, &past)
        } else {
            ReplayView::default()
        },
        words,
        round_robin,
        manager,
        rows,
        groups,
        error: None,
    })
}

async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    ids: web::Path<(i64, i64)>,
) -> PageResult {
    let lang = crate::http::pages::console::session::lang_of(&req, Some(&who));
    // The preview button sends the form's fields here (repeated keys, so not `web::Query`).
    let form: HostsForm = serde_html_form::from_str(req.query_string()).unwrap_or_default();
    let proposed = (!form.member.is_empty()).then_some(&form);
    let mut page = view(&req, &state, &who, ids.into_inner(), proposed).await?;
    page.notice = form.done.as_deref().and_then(|d| words::notice(d, lang));
    html(page)
}

async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    ids: web::Path<(i64, i64)>,
    posted: ConsoleForm<HostsForm>,
) -> PageResult {
    let ConsoleForm { who, form } = posted;
    let lang = crate::http::pages::console::session::lang_of(&req, Some(&who));
    let ((team, et), state2, user) = (ids.into_inner(), state.clone(), who.user.id);
    let changes = form.hosts().map(|hosts| {
        let mut changes = Map::new();
        changes.insert("hosts".into(), json!(hosts));
        if let Some(groups) = form.host_groups() {
            changes.insert("hostGroups".into(), json!(groups));
        }
        changes
    });
    let outcome = match changes {
        Ok(changes) => {
            attempt(async move {
                event_types::update(&state2.db, user, Target::Team(team), et, changes).await
            })
            .await?
        }
        Err(e) => Err(e),
    };
    let error = match outcome {
        Ok(_) => {
            return Err(PageError::redirect(format!(
                "{BASE}/{team}/event-types/{et}?done=saved"
            )));
        }
        Err(error) => error,
    };
    let (status, message) = refusal_status(lang, error)?;
    let mut page = view(&req, &state, &who, (team, et), Some(&form)).await?;
    place(&mut page, &form, message);
    render_with(status, page)
}

/// A refusal naming `hosts[k]` is shown at the k-th ticked host's row, any other at the form.
fn place(page: &mut HostsPage, form: &HostsForm, message: String) {
    let index = message
        .strip_prefix("hosts[")
        .and_then(|rest| rest.split(']').next())
        .and_then(|k| k.parse::<usize>().ok());
    let ticked: Vec<&String> = form
        .member
        .iter()
        .filter(|m| form.host.contains(m))
        .collect();
    let user = index
        .and_then(|k| ticked.get(k))
        .and_then(|id| id.parse::<i64>().ok());
    match page.rows.iter_mut().find(|r| Some(r.user_id) == user) {
        Some(row) => row.error = Some(message),
        None => page.error = Some(Refusal::of("hosts", message)),
    }
}
