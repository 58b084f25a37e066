//! Insights: booking figures for a period and a scope (the caller's own, a team, an event type,
//! a host within a team), for the API (`GET /v2/insights/bookings`) and the console
//! (`/insights`). This module decides who may see what and asks storage for grouped counts;
//! `figures` turns them into the figures (pure); `views` counts booking-page views.
//!
//! Access: your own figures always; a team's or a team event type's whole figures for its
//! admins and owners; a plain member asking about a team or its event type gets their own
//! figures within it (as host), and asking about another host is refused (403). A team or event
//! type the caller does not belong to is "not found", as everywhere else.

pub mod figures;
pub mod views;

use chrono::{DateTime, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use crate::domain::BookingStatus;
use crate::service::ServiceError;
use crate::storage::event_types::{self as event_store, EventTypeRecord};
use crate::storage::insights::{self as store, BookingFilter};
use crate::storage::{Conn, Db, teams as team_store};
pub use figures::{Bookings, Conversion, HostLoad, Outcome, Period, Step};
use figures::{ClockTally, DayTally, HostInput, HourTally};

/// Whose bookings count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The caller's, as host or organiser.
    Mine,
    /// A team's event types; `host`: only that member's.
    Team { team: i64, host: Option<i64> },
    /// One event type; `host`: only that host's.
    EventType { id: i64, host: Option<i64> },
}

#[derive(Debug, Clone, Copy)]
pub struct Request {
    pub scope: Scope,
    pub period: Period,
}

/// The figures of one request.
#[derive(Debug, Clone)]
pub struct Report {
    pub period: Period,
    pub scope: Scope,
    /// The host the figures were narrowed to (a plain member's own figures included).
    pub host: Option<i64>,
    pub bookings: Bookings,
    /// Per host; empty for the caller's own figures.
    pub hosts: Vec<HostLoad>,
    /// Weights apply (a round-robin event type).
    pub weighted: bool,
    pub conversion: Vec<Conversion>,
}

/// What a scope resolves to once access is checked.
struct Resolved {
    event_types: Vec<EventTypeRecord>,
    /// Only bookings of `event_types`; false: of any event type (the caller's own figures).
    filter_types: bool,
    host: Option<i64>,
    hosts: Vec<HostInput>,
    weighted: bool,
}

pub async fn report(db: &Db, caller: i64, request: Request) -> Result<Report, ServiceError> {
    let period = request.period;
    db.run(async |c| {
        let scope = resolve(c, caller, request.scope).await?;
        let (from, to) = period.instants();
        let ids: Vec<i64> = scope.event_types.iter().map(|e| e.id).collect();
        let filter = BookingFilter {
            from,
            to,
            event_type_ids: scope.filter_types.then(|| ids.clone()),
            host: scope.host,
        };
        let tz = period.tz;
        let offset_at = move |t: DateTime<Utc>| tz.offset_from_utc_datetime(&t.naive_utc());
        let offset_at = move |t| offset_at(t).fix().local_minus_utc();
        let series = match period.step() {
            Step::Day => store::Series::Days,
            Step::Week => store::Series::Weeks,
        };
        let counts = store::by_local_time(c, &filter, &offset_at, series).await?;
        let per_host = if scope.hosts.is_empty() {
            Vec::new()
        } else {
            store::per_host(c, &filter).await?
        };
        let conversion = conversion(c, &scope, &filter, &period).await?;
        Ok(Report {
            period,
            scope: request.scope,
            host: scope.host,
            bookings: fold(&period, counts)?,
            hosts: figures::host_loads(&scope.hosts, &per_host),
            weighted: scope.weighted,
            conversion,
        })
    })
    .await
}

/// The period's figures from the counts storage grouped.
fn fold(period: &Period, counts: store::LocalCounts) -> Result<Bookings, ServiceError> {
    let hours = counts.hours.into_iter().map(|r| {
        Ok(HourTally {
            hour: r.hour,
            outcome: outcome(&r.status, r.rescheduled, r.no_show)?,
            bookings: r.bookings,
            lead_seconds: r.lead_seconds,
        })
    });
    let days = counts.days.into_iter().map(|r| {
        Ok(DayTally {
            date: r.date,
            outcome: outcome(&r.status, r.rescheduled, r.no_show)?,
            bookings: r.bookings,
        })
    });
    let clock = counts.clock.into_iter().map(|r| {
        Ok(ClockTally {
            hour: r.hour,
            outcome: outcome(&r.status, r.rescheduled, r.no_show)?,
            bookings: r.bookings,
        })
    });
    Ok(figures::fold(
        period,
        &hours.collect::<Result<Vec<_>, ServiceError>>()?,
        &days.collect::<Result<Vec<_>, ServiceError>>()?,
        &clock.collect::<Result<Vec<_>, ServiceError>>()?,
        counts.lead_seconds,
    ))
}

fn outcome(status: &str, rescheduled: bool, no_show: bool) -> Result<Outcome, ServiceError> {
    let status = BookingStatus::parse(status).ok_or_else(|| {
        ServiceError::Internal(anyhow::anyhow!("unknown booking status `{status}`"))
    })?;
    Ok(Outcome::of(status, rescheduled, no_show))
}

/// Views of each event type's page over the period's days (UTC days, as they are counted)
/// against the bookings made in the period. Bookings of any host: a page is the event type's.
async fn conversion(
    c: &mut Conn<'_>,
    scope: &Resolved,
    filter: &BookingFilter,
    period: &Period,
) -> Result<Vec<Conversion>, ServiceError> {
    let ids: Vec<i64> = scope.event_types.iter().map(|e| e.id).collect();
    let made = BookingFilter {
        event_type_ids: Some(ids.clone()),
        host: None,
        ..filter.clone()
    };
    let bookings = store::made_per_event_type(c, &made).await?;
    let views = store::views_per_event_type(c, &ids, period.first, period.last).await?;
    let of = |list: &[(i64, i64)], id| list.iter().find(|(k, _)| *k == id).map_or(0, |p| p.1);
    Ok(scope
        .event_types
        .iter()
        .map(|e| Conversion::new(e.id, e.title.clone(), of(&views, e.id), of(&bookings, e.id)))
        .collect())
}

async fn resolve(c: &mut Conn<'_>, caller: i64, scope: Scope) -> Result<Resolved, ServiceError> {
    match scope {
        Scope::Mine => Ok(Resolved {
            event_types: event_store::list(c, event_store::Scope::User(caller)).await?,
            filter_types: false,
            host: Some(caller),
            hosts: Vec::new(),
            weighted: false,
        }),
        Scope::Team { team, host } => {
            let host = narrowed(c, team, caller, host).await?;
            let event_types = event_store::list(c, event_store::Scope::Team(team)).await?;
            let members = team_store::memberships(c, team, None).await?;
            let hosts = members
                .into_iter()
                .filter(|m| m.accepted && host.is_none_or(|h| h == m.user_id))
                .map(|m| HostInput {
                    user_id: m.user_id,
                    name: m.user.name,
                    weight: None,
                })
                .collect();
            Ok(Resolved {
                event_types,
                filter_types: true,
                host,
                hosts,
                weighted: false,
            })
        }
        Scope::EventType { id, host } => event_type(c, caller, id, host).await,
    }
}

async fn event_type(
    c: &mut Conn<'_>,
    caller: i64,
    id: i64,
    host: Option<i64>,
) -> Result<Resolved, ServiceError> {
    let missing = || ServiceError::NotFound(format!("Event type {id} not found"));
    let record = event_store::find(c, id).await?.ok_or_else(missing)?;
    let Some(team) = record.team_id else {
        if record.owner_id != Some(caller) {
            return Err(missing());
        }
        if host.is_some_and(|h| h != caller) {
            return Err(ServiceError::Invalid(format!(
                "host: event type {id} is yours alone"
            )));
        }
        return Ok(Resolved {
            event_types: vec![record],
            filter_types: true,
            host: None,
            hosts: Vec::new(),
            weighted: false,
        });
    };
    let host = narrowed(c, team, caller, host).await.map_err(|e| match e {
        ServiceError::NotFound(_) => missing(),
        other => other,
    })?;
    let weighted = record.scheduling_type.as_deref() == Some("ROUND_ROBIN");
    let hosts = event_store::hosts(c, id)
        .await?
        .into_iter()
        .filter(|h| host.is_none_or(|only| only == h.user_id))
        .map(|h| HostInput {
            user_id: h.user_id,
            name: h.name,
            weight: (weighted && !h.is_fixed).then_some(h.weight),
        })
        .collect();
    Ok(Resolved {
        event_types: vec![record],
        filter_types: true,
        host,
        hosts,
        weighted,
    })
}

/// The host a team's figures are narrowed to: as asked for by an admin or owner (who must name
/// a member), the caller themselves for a plain member.
async fn narrowed(
    c: &mut Conn<'_>,
    team: i64,
    caller: i64,
    host: Option<i64>,
) -> Result<Option<i64>, ServiceError> {
    let role = crate::teams::team_role(c, team, caller).await?;
    let admin = matches!(role.as_str(), "ADMIN" | "OWNER");
    match host {
        Some(h) if h == caller => Ok(Some(h)),
        Some(h) if admin => {
            if team_store::membership_role(c, team, h).await?.is_none() {
                return Err(ServiceError::Invalid(format!(
                    "host: user {h} is not a member of team {team}"
                )));
            }
            Ok(Some(h))
        }
        Some(_) => Err(ServiceError::Forbidden(format!(
            "Only admins and owners of team {team} see other members' figures"
        ))),
        None if admin => Ok(None),
        None => Ok(Some(caller)),
    }
}

/// What a caller may ask about, for the console's choice of scope: their own event types, then
/// each team they belong to with its event types (id and title), in two queries.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    pub personal: Vec<Titled>,
    /// (team id, team name, its event types).
    pub teams: Vec<(i64, String, Vec<Titled>)>,
}

/// An event type's id and title.
pub type Titled = (i64, String);

pub async fn choices(db: &Db, caller: i64) -> Result<Choices, ServiceError> {
    db.run(async |c| {
        let teams = team_store::list_for_user(c, caller).await?;
        let ids: Vec<i64> = teams.iter().map(|t| t.id).collect();
        let records = event_store::list(c, event_store::Scope::UserAndTeams(caller, &ids)).await?;
        let of = |team: Option<i64>| -> Vec<(i64, String)> {
            records
                .iter()
                .filter(|e| e.team_id == team)
                .map(|e| (e.id, e.title.clone()))
                .collect()
        };
        Ok(Choices {
            personal: of(None),
            teams: teams
                .into_iter()
                .map(|t| (t.id, t.name.clone(), of(Some(t.id))))
                .collect(),
        })
    })
    .await
}

/// Parses the API's and the console's period: `YYYY-MM-DD` dates in `tz`.
pub fn period(start: &str, end: &str, tz: Tz) -> Result<Period, ServiceError> {
    let date = |field: &str, raw: &str| {
        NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
            ServiceError::Invalid(format!("{field}: `{raw}` is not a date (YYYY-MM-DD)"))
        })
    };
    let (first, last) = (date("start", start)?, date("end", end)?);
    Period::new(first, last, tz).map_err(|e| ServiceError::Invalid(format!("end: {e}")))
}

/// The period asked for, or the 30 days up to today in `tz` when neither end is given.
pub fn period_or_default(
    start: Option<&str>,
    end: Option<&str>,
    tz: Tz,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Period, ServiceError> {
    match (start, end) {
        (Some(start), Some(end)) => period(start, end, tz),
        (None, None) => {
            let today = now.with_timezone(&tz).date_naive();
            let first = today - chrono::Days::new(29);
            Period::new(first, today, tz).map_err(ServiceError::Invalid)
        }
        _ => Err(ServiceError::Invalid(
            "start and end: give both dates, or neither for the last 30 days".into(),
        )),
    }
}

/// The scope the API's and the console's parameters name: `teamId` or `eventTypeId` (not
/// both), optionally narrowed to the host `userId`; neither is the caller's own figures.
pub fn scope(
    team: Option<&str>,
    event_type: Option<&str>,
    user: Option<&str>,
    caller: i64,
) -> Result<Scope, ServiceError> {
    let id = |field: &str, raw: Option<&str>| {
        raw.map(|raw| {
            raw.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    ServiceError::Invalid(format!("{field}: `{raw}` is not a positive integer id"))
                })
        })
        .transpose()
    };
    let host = id("userId", user)?;
    match (id("teamId", team)?, id("eventTypeId", event_type)?) {
        (Some(_), Some(_)) => Err(ServiceError::Invalid(
            "teamId and eventTypeId: give one of them".into(),
        )),
        (Some(team), None) => Ok(Scope::Team { team, host }),
        (None, Some(id)) => Ok(Scope::EventType { id, host }),
        (None, None) if host.is_none_or(|h| h == caller) => Ok(Scope::Mine),
        (None, None) => Err(ServiceError::Invalid(
            "userId: another host's figures need teamId or eventTypeId".into(),
        )),
    }
}
