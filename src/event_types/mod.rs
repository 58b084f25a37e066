//! Event types use cases: what people can book, personal or a team's, in Cal.com API v2's
//! vocabulary (2024-06-14). Input is validated field by field (`validate.rs`, messages name the
//! field), stored in columns the engine reads plus JSON columns, and read back once, when loaded,
//! into typed [`Settings`] (`settings.rs`); a stored value that does not read is a storage
//! error, never a default. Updates merge the changed fields into the current ones and validate
//! the whole again, so a stored event type is always a valid one.

mod booking_fields;
mod event_type;
mod input;
mod locations;
pub mod settings;
mod shapes;
mod validate;

use std::collections::HashMap;

use serde_json::{Map, Value};

pub use booking_fields::{BookingField, CHOICE_TYPES, FieldKind, SYSTEM_FIELDS, read_questions};
pub use event_type::{EventType, seat_title};
pub use input::{EventTypeInput, HostGroupInput, HostInput, priority_name, read_legacy_recurrence};
pub use locations::{Location, LocationKind, awaits_conference};
pub use settings::{Limits, Settings};

use crate::service::ServiceError;
use crate::storage::event_types::{
    self as store, EventTypeRecord, HostGroupRecord, HostRecord, NewHost, Owner, SchedulingType,
    Scope, WantedHost,
};
use crate::storage::{Conn, Db, StorageError, schedules, teams, users};
use validate::{Validated, validate};

pub use crate::storage::event_types::SchedulingType as Scheduling;

/// Where an event type lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Personal,
    Team(i64),
}

fn invalid(field: &str, message: impl std::fmt::Display) -> ServiceError {
    ServiceError::Invalid(format!("{field}: {message}"))
}

fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound(format!("Event type with id={id} not found"))
}

async fn load(c: &mut Conn<'_>, record: EventTypeRecord) -> Result<EventType, ServiceError> {
    let mut loaded = load_all(c, vec![record]).await?;
    loaded
        .pop()
        .ok_or(ServiceError::Storage(StorageError::NotFound))
}

/// Event types from their records, in the records' order: their owners, hosts and host groups
/// read in four queries however many there are (a list page would otherwise read them per event type).
async fn load_all(
    c: &mut Conn<'_>,
    records: Vec<EventTypeRecord>,
) -> Result<Vec<EventType>, ServiceError> {
    let (mut user_ids, mut team_ids, mut team_events) = (Vec::new(), Vec::new(), Vec::new());
    for record in &records {
        match record.owner() {
            Owner::User(id) => user_ids.push(id),
            Owner::Team { id, .. } => {
                team_ids.push(id);
                team_events.push(record.id);
            }
        }
    }
    let people: HashMap<i64, users::User> = (users::find_many(c, &user_ids).await?.into_iter())
        .map(|u| (u.id, u))
        .collect();
    let teams: HashMap<i64, teams::Team> = (teams::find_many(c, &team_ids).await?.into_iter())
        .map(|t| (t.id, t))
        .collect();
    let mut hosts: HashMap<i64, Vec<HostRecord>> = HashMap::new();
    for (id, host) in store::hosts_of(c, &team_events).await? {
        hosts.entry(id).or_default().push(host);
    }
    let mut groups: HashMap<i64, Vec<HostGroupRecord>> = HashMap::new();
    for (id, group) in store::host_groups_of(c, &team_events).await? {
        groups.entry(id).or_default().push(group);
    }
    let mut out = Vec::with_capacity(records.len());
    for record in records {
        let its_groups = groups.remove(&record.id).unwrap_or_default();
        let (its, path_owner, owner_name, owner_user) = match record.owner() {
            Owner::User(id) => {
                let user = people.get(&id).ok_or(StorageError::NotFound)?;
                let (username, name) = (user.username.clone(), user.name.clone());
                (Vec::new(), username, name, Some(user.clone()))
            }
            Owner::Team { id, .. } => {
                let team = teams.get(&id).ok_or(StorageError::NotFound)?;
                let its = hosts.remove(&record.id).unwrap_or_default();
                (its, team.slug.clone(), team.name.clone(), None)
            }
        };
        let settings = Settings::from_record(&record)?;
        out.push(EventType {
            record,
            settings,
            hosts: its,
            host_groups: its_groups,
            path_owner,
            owner_name,
            owner_user,
        });
    }
    Ok(out)
}

/// Everything [`list_mine`] reads: the caller's event types, and each of their teams with its.
#[derive(Debug)]
pub struct Mine {
    pub personal: Vec<EventType>,
    pub teams: Vec<(teams::Team, Vec<EventType>)>,
}

/// The caller's own event types and those of every team they are an accepted member of, in
/// five queries however many teams and event types there are (the console's lists and
/// pickers); each list in [`list`]'s order, the teams in `teams::list`'s.
pub async fn list_mine(db: &Db, caller: i64) -> Result<Mine, ServiceError> {
    db.run(async |c| {
        let their = teams::list_for_user(c, caller).await?;
        let ids: Vec<i64> = their.iter().map(|t| t.id).collect();
        let records = store::list(c, Scope::UserAndTeams(caller, &ids)).await?;
        let mut mine = Mine {
            personal: Vec::new(),
            teams: their.into_iter().map(|t| (t, Vec::new())).collect(),
        };
        for event in load_all(c, records).await? {
            match event.record.team_id {
                None => mine.personal.push(event),
                Some(team) => {
                    let group = mine.teams.iter_mut().find(|(t, _)| t.id == team);
                    if let Some((_, events)) = group {
                        events.push(event);
                    }
                }
            }
        }
        Ok(mine)
    })
    .await
}

/// The event type `id` if `caller` may change it: their own, or their team's when they are
/// an admin or owner of it. Anything else is "not found", so ids of others reveal nothing.
pub async fn manageable(
    c: &mut Conn<'_>,
    caller: i64,
    id: i64,
) -> Result<EventTypeRecord, ServiceError> {
    let record = store::find(c, id).await?.ok_or_else(|| not_found(id))?;
    match record.owner() {
        Owner::User(user) if user == caller => Ok(record),
        Owner::Team { id: team, .. } => {
            crate::teams::manageable(c, team, caller)
                .await
                .map_err(|_| not_found(id))?;
            Ok(record)
        }
        Owner::User(_) => Err(not_found(id)),
    }
}

/// An event type by id, whoever owns it (public booking paths).
pub async fn find_any(c: &mut Conn<'_>, id: i64) -> Result<EventType, ServiceError> {
    let record = store::find(c, id).await?.ok_or_else(|| not_found(id))?;
    load(c, record).await
}

/// A booking's event type, `None` when it has none or it was deleted; one that cannot be read
/// is an error.
pub async fn find_if_any(
    c: &mut Conn<'_>,
    id: Option<i64>,
) -> Result<Option<EventType>, ServiceError> {
    let Some(id) = id else {
        return Ok(None);
    };
    match store::find(c, id).await? {
        Some(record) => Ok(Some(load(c, record).await?)),
        None => Ok(None),
    }
}

/// An event type the caller may see under `target`; anything else is "not found".
async fn visible(
    c: &mut Conn<'_>,
    caller: i64,
    target: Target,
    id: i64,
) -> Result<EventTypeRecord, ServiceError> {
    let record = store::find(c, id).await?.ok_or_else(|| not_found(id))?;
    let ok = match target {
        Target::Personal => record.owner_id == Some(caller),
        Target::Team(team) => {
            crate::teams::team_role(c, team, caller).await?;
            record.team_id == Some(team)
        }
    };
    if ok { Ok(record) } else { Err(not_found(id)) }
}

async fn check_references(
    c: &mut Conn<'_>,
    caller: i64,
    target: Target,
    v: &mut Validated,
) -> Result<(), ServiceError> {
    let named = [
        ("scheduleId", v.fields.schedule_id),
        ("restrictionScheduleId", v.fields.restriction_schedule_id),
    ];
    for (field, schedule) in named {
        let Some(schedule) = schedule else { continue };
        let owner = schedules::owner_of(c, schedule).await?;
        let ok = match (target, owner) {
            (Target::Personal, Some(owner)) => owner == caller,
            (Target::Team(team), Some(owner)) => !store::team_members_among(c, team, &[owner])
                .await?
                .is_empty(),
            _ => false,
        };
        if !ok {
            return Err(invalid(
                field,
                format!("schedule {schedule} does not exist or is not yours"),
            ));
        }
    }
    if let Target::Team(team) = target {
        if v.assign_all {
            let members = teams::member_ids(c, team).await?;
            let existing = v.hosts.take().unwrap_or_default();
            v.hosts = Some(
                members
                    .into_iter()
                    .map(|user_id| {
                        existing
                            .iter()
                            .find(|h| h.host.user_id == user_id)
                            .cloned()
                            .unwrap_or(WantedHost {
                                host: NewHost {
                                    user_id,
                                    is_fixed: v.scheduling == Some(SchedulingType::Collective),
                                    weight: 100,
                                    priority: 2,
                                },
                                group_id: None,
                            })
                    })
                    .collect(),
            );
        }
        if let Some(hosts) = &v.hosts {
            let ids: Vec<i64> = hosts.iter().map(|h| h.host.user_id).collect();
            let members = store::team_members_among(c, team, &ids).await?;
            if let Some(stranger) = ids.iter().find(|id| !members.contains(id)) {
                return Err(invalid(
                    "hosts",
                    format!("user {stranger} is not an accepted member of team {team}"),
                ));
            }
        }
    }
    Ok(())
}

fn slug_taken(e: ServiceError, slug: &str) -> ServiceError {
    match e {
        ServiceError::Storage(crate::storage::StorageError::Conflict(_)) => ServiceError::Conflict(
            format!("slug: an event type with slug `{slug}` already exists here"),
        ),
        other => other,
    }
}

pub async fn create(
    db: &Db,
    caller: i64,
    target: Target,
    mut input: EventTypeInput,
) -> Result<EventType, ServiceError> {
    input.default_reminders.get_or_insert(true);
    let validated = validate(&input, target)?;
    db.transaction(async |c| insert(c, caller, target, validated).await)
        .await
}

/// Writes a validated new event type under `target`, if the caller may.
async fn insert(
    c: &mut Conn<'_>,
    caller: i64,
    target: Target,
    mut validated: Validated,
) -> Result<EventType, ServiceError> {
    let owner = match target {
        Target::Personal => Owner::User(caller),
        Target::Team(team) => {
            crate::teams::manageable(c, team, caller).await?;
            Owner::Team {
                id: team,
                scheduling: validated.scheduling.unwrap_or(SchedulingType::Collective),
            }
        }
    };
    check_references(c, caller, target, &mut validated).await?;
    let id = store::insert_full(c, owner, &validated.fields)
        .await
        .map_err(|e| slug_taken(e.into(), &validated.fields.slug))?;
    write_hosts(c, id, &validated).await?;
    find_any(c, id).await
}

/// Writes the host groups the input named, then the hosts (a host names its group by id).
/// Only the event type's own groups keep their ids; any other id the client sent only labels a
/// new group within the request, which is stored under a fresh UUID (so nothing tells a client
/// whether an id belongs to someone else's event type).
async fn write_hosts(c: &mut Conn<'_>, id: i64, v: &Validated) -> Result<(), ServiceError> {
    let mut hosts = v.hosts.clone();
    if let Some(groups) = &v.host_groups {
        let own: Vec<String> = (store::host_groups_of(c, &[id]).await?.into_iter())
            .map(|(_, g)| g.id)
            .collect();
        let groups = own_group_ids(groups, &own, hosts.iter_mut().flatten());
        store::replace_host_groups(c, id, &groups).await?;
    }
    if let Some(hosts) = &hosts {
        store::replace_hosts(c, id, hosts).await?;
    }
    Ok(())
}

/// `groups` with every id not in `own` replaced by a fresh UUID, and `hosts` following them.
fn own_group_ids<'h>(
    groups: &[HostGroupRecord],
    own: &[String],
    hosts: impl Iterator<Item = &'h mut WantedHost>,
) -> Vec<HostGroupRecord> {
    let mut renamed: Vec<(String, String)> = Vec::new();
    let groups = (groups.iter().cloned())
        .map(|mut group| {
            if !own.contains(&group.id) {
                let fresh = uuid::Uuid::new_v4().to_string();
                renamed.push((std::mem::replace(&mut group.id, fresh.clone()), fresh));
            }
            group
        })
        .collect();
    for host in hosts {
        if let Some(group) = &mut host.group_id
            && let Some((_, fresh)) = renamed.iter().find(|(label, _)| label == group)
        {
            *group = fresh.clone();
        }
    }
    groups
}

/// A PATCH that names `hostGroups` but not `hosts` keeps the hosts and ungroups those whose
/// group it removed (as deleting a group does).
fn ungroup_removed(input: &mut EventTypeInput) {
    let kept: Vec<String> = (input.host_groups.iter().flatten())
        .filter_map(|g| g.id.clone())
        .collect();
    for host in input.hosts.iter_mut().flatten() {
        if host.group_id.as_ref().is_some_and(|g| !kept.contains(g)) {
            host.group_id = None;
        }
    }
}

/// `current`'s fields with `changes` (the API's vocabulary) on top, read as one input.
fn merged(
    current: &EventType,
    changes: Map<String, Value>,
) -> Result<EventTypeInput, ServiceError> {
    let mut merged = match serde_json::to_value(current.input()) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    for (key, value) in changes {
        merged.insert(key, value);
    }
    serde_path_to_error::deserialize(Value::Object(merged))
        .map_err(|e| invalid(&e.path().to_string(), e.into_inner()))
}

/// A copy of event type `id` (its hosts too, for a team's) beside it, with `changes` (a new
/// title and slug, …) applied. The caller must be allowed to create event types there.
pub async fn duplicate(
    db: &Db,
    caller: i64,
    id: i64,
    changes: Map<String, Value>,
) -> Result<EventType, ServiceError> {
    db.transaction(async |c| {
        let record = store::find(c, id).await?.ok_or_else(|| not_found(id))?;
        let target = target_of(&record);
        let record = visible(c, caller, target, id).await?;
        let input = merged(&load(c, record).await?, changes)?;
        insert(c, caller, target, validate(&input, target)?).await
    })
    .await
}

fn target_of(record: &EventTypeRecord) -> Target {
    match record.owner() {
        Owner::User(_) => Target::Personal,
        Owner::Team { id, .. } => Target::Team(id),
    }
}

/// An event type found by id alone (the console's `/event-types/{id}`), with where it lives
/// and whether the caller may change it.
#[derive(Debug, Clone)]
pub struct Reached {
    pub event: EventType,
    pub target: Target,
    /// Its owner, or an admin or owner of its team; a team's other members only read it.
    pub can_change: bool,
}

/// Event type `id` if the caller may see it: their own, or a team's they belong to. Anything
/// else is "not found".
pub async fn reach(db: &Db, caller: i64, id: i64) -> Result<Reached, ServiceError> {
    db.run(async |c| {
        let record = store::find(c, id).await?.ok_or_else(|| not_found(id))?;
        let target = target_of(&record);
        let record = visible(c, caller, target, id).await.map_err(|e| match e {
            ServiceError::NotFound(_) => not_found(id),
            other => other,
        })?;
        let can_change = match target {
            Target::Personal => true,
            Target::Team(team) => crate::teams::manageable(c, team, caller).await.is_ok(),
        };
        Ok(Reached {
            event: load(c, record).await?,
            target,
            can_change,
        })
    })
    .await
}

pub async fn get(db: &Db, caller: i64, target: Target, id: i64) -> Result<EventType, ServiceError> {
    db.run(async |c| {
        let record = visible(c, caller, target, id).await?;
        load(c, record).await
    })
    .await
}

pub async fn list(db: &Db, caller: i64, target: Target) -> Result<Vec<EventType>, ServiceError> {
    db.run(async |c| {
        let scope = match target {
            Target::Personal => Scope::User(caller),
            Target::Team(team) => {
                crate::teams::team_role(c, team, caller).await?;
                Scope::Team(team)
            }
        };
        let records = store::list(c, scope).await?;
        load_all(c, records).await
    })
    .await
}

/// A person's public event types (hidden ones left out), optionally only the one with `slug`.
/// An unknown username gives an empty list, as Cal.com does.
pub async fn list_public(
    db: &Db,
    username: &str,
    slug: Option<&str>,
    include_hidden: bool,
) -> Result<Vec<EventType>, ServiceError> {
    db.run(async |c| {
        let Some(user) = users::find_by_username(c, username).await? else {
            return Ok(Vec::new());
        };
        let scope = match slug {
            Some(slug) => Scope::UserSlug(user.id, slug),
            None => Scope::User(user.id),
        };
        let mut records = store::list(c, scope).await?;
        records.retain(|r| !r.hidden || include_hidden || slug.is_some());
        load_all(c, records).await
    })
    .await
}

/// A team's public event types by team slug.
/// Whether anyone has `username` (a public list that is empty says nothing about that).
pub async fn username_exists(db: &Db, username: &str) -> Result<bool, ServiceError> {
    db.run(async |c| Ok(users::find_by_username(c, username).await?.is_some()))
        .await
}

pub async fn list_public_team(
    db: &Db,
    team_slug: &str,
    slug: Option<&str>,
) -> Result<Vec<EventType>, ServiceError> {
    db.run(async |c| {
        let Some(team) = teams::find_id_by_slug(c, team_slug).await? else {
            return Ok(Vec::new());
        };
        let scope = match slug {
            Some(slug) => Scope::TeamSlug(team, slug),
            None => Scope::Team(team),
        };
        let mut records = store::list(c, scope).await?;
        records.retain(|r| !r.hidden || slug.is_some());
        load_all(c, records).await
    })
    .await
}

/// Applies the fields present in `changes` (a JSON object in the API's vocabulary) on top of
/// the current ones; the result is validated as a whole.
pub async fn update(
    db: &Db,
    caller: i64,
    target: Target,
    id: i64,
    changes: Map<String, Value>,
) -> Result<EventType, ServiceError> {
    db.transaction(async |c| {
        let record = visible(c, caller, target, id).await?;
        if let Target::Team(team) = target {
            crate::teams::manageable(c, team, caller).await?;
        }
        let current = load(c, record).await?;
        let hosts_changed =
            changes.contains_key("hosts") || changes.contains_key("assignAllTeamMembers");
        let groups_changed = changes.contains_key("hostGroups");
        let mut input = merged(&current, changes)?;
        if groups_changed && !hosts_changed {
            ungroup_removed(&mut input);
        }
        let mut validated = validate(&input, target)?;
        if !hosts_changed {
            validated.hosts = None;
            validated.assign_all = false;
        }
        if !groups_changed {
            validated.host_groups = None;
        }
        check_references(c, caller, target, &mut validated).await?;
        store::update(c, id, &validated.fields, validated.scheduling)
            .await
            .map_err(|e| slug_taken(e.into(), &validated.fields.slug))?;
        write_hosts(c, id, &validated).await?;
        find_any(c, id).await
    })
    .await
}

pub async fn delete(db: &Db, caller: i64, target: Target, id: i64) -> Result<(), ServiceError> {
    db.transaction(async |c| {
        visible(c, caller, target, id).await?;
        if let Target::Team(team) = target {
            crate::teams::manageable(c, team, caller).await?;
        }
        store::delete(c, id).await?;
        Ok(())
    })
    .await
}
