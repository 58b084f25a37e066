//! Event types (what can be booked) and the hosts of team event types.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{event_types, host_groups, hosts, memberships, users};
use super::{Conn, StorageResult, StoredInstant, to_db_time, with_conn};

/// The owner of an event type: one person, or a team with a scheduling type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    User(i64),
    Team { id: i64, scheduling: SchedulingType },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchedulingType {
    Collective,
    RoundRobin,
}

impl SchedulingType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Collective => "COLLECTIVE",
            Self::RoundRobin => "ROUND_ROBIN",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "COLLECTIVE" | "collective" => Some(Self::Collective),
            "ROUND_ROBIN" | "roundRobin" | "round_robin" => Some(Self::RoundRobin),
            _ => None,
        }
    }
}

/// An event type as stored. JSON columns hold Cal.com API v2 shapes, validated on the way in.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = event_types)]
pub struct EventTypeRecord {
    pub id: i64,
    pub owner_id: Option<i64>,
    pub team_id: Option<i64>,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub length_minutes: i32,
    pub length_options: Option<String>,
    pub slot_interval: Option<i32>,
    pub offset_start: i32,
    pub before_buffer: i32,
    pub after_buffer: i32,
    pub minimum_notice: i32,
    pub booking_window: Option<String>,
    pub booking_limits: Option<String>,
    pub duration_limits: Option<String>,
    pub seats_per_slot: Option<i32>,
    pub requires_confirmation: bool,
    pub unconfirmed_blocks_slot: bool,
    pub booking_fields: String,
    pub locations: String,
    pub schedule_id: Option<i64>,
    pub restriction_schedule_id: Option<i64>,
    pub scheduling_type: Option<String>,
    pub hidden: bool,
    pub only_show_first_slot: bool,
    pub settings: String,
    pub metadata: String,
    #[diesel(deserialize_as = StoredInstant)]
    pub created_at: DateTime<Utc>,
    #[diesel(deserialize_as = StoredInstant)]
    pub updated_at: DateTime<Utc>,
}

impl EventTypeRecord {
    pub fn owner(&self) -> Owner {
        match (self.owner_id, self.team_id) {
            (Some(user), _) => Owner::User(user),
            (None, Some(id)) => Owner::Team {
                id,
                scheduling: self
                    .scheduling_type
                    .as_deref()
                    .and_then(SchedulingType::parse)
                    .unwrap_or(SchedulingType::Collective),
            },
            // The schema's CHECK makes exactly one of the two present.
            (None, None) => Owner::User(0),
        }
    }
}

/// Every column a create or an update writes; updates write all of them (the use case merges
/// a partial change into the current values first).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = event_types, treat_none_as_null = true)]
pub struct EventTypeFields {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub length_minutes: i32,
    pub length_options: Option<String>,
    pub slot_interval: Option<i32>,
    pub offset_start: i32,
    pub before_buffer: i32,
    pub after_buffer: i32,
    pub minimum_notice: i32,
    pub booking_window: Option<String>,
    pub booking_limits: Option<String>,
    pub duration_limits: Option<String>,
    pub seats_per_slot: Option<i32>,
    pub requires_confirmation: bool,
    pub unconfirmed_blocks_slot: bool,
    pub booking_fields: String,
    pub locations: String,
    pub schedule_id: Option<i64>,
    pub restriction_schedule_id: Option<i64>,
    pub hidden: bool,
    pub only_show_first_slot: bool,
    pub settings: String,
    pub metadata: String,
}

/// A minimal event type, for seeding (the demo, tests).
pub struct NewEventType<'a> {
    pub owner: Owner,
    pub slug: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub length_minutes: i32,
    pub minimum_notice: i32,
    pub schedule_id: Option<i64>,
}

fn owner_columns(owner: Owner) -> (Option<i64>, Option<i64>, Option<&'static str>) {
    match owner {
        Owner::User(id) => (Some(id), None, None),
        Owner::Team { id, scheduling } => (None, Some(id), Some(scheduling.as_str())),
    }
}

pub async fn insert(conn: &mut Conn<'_>, new: &NewEventType<'_>) -> StorageResult<i64> {
    let fields = EventTypeFields {
        slug: new.slug.to_owned(),
        title: new.title.to_owned(),
        description: new.description.to_owned(),
        length_minutes: new.length_minutes,
        length_options: None,
        slot_interval: None,
        offset_start: 0,
        before_buffer: 0,
        after_buffer: 0,
        minimum_notice: new.minimum_notice,
        booking_window: None,
        booking_limits: None,
        duration_limits: None,
        seats_per_slot: None,
        requires_confirmation: false,
        unconfirmed_blocks_slot: false,
        booking_fields: "[]".into(),
        locations: "[]".into(),
        schedule_id: new.schedule_id,
        restriction_schedule_id: None,
        hidden: false,
        only_show_first_slot: false,
        settings: "{}".into(),
        metadata: "{}".into(),
    };
    insert_full(conn, new.owner, &fields).await
}

/// Inserts a fully specified event type and returns its id.
pub async fn insert_full(
    conn: &mut Conn<'_>,
    owner: Owner,
    fields: &EventTypeFields,
) -> StorageResult<i64> {
    let now = to_db_time(Utc::now());
    let (owner_id, team_id, scheduling_type) = owner_columns(owner);
    let id = with_conn!(conn, |c| {
        diesel::insert_into(event_types::table)
            .values((
                fields,
                event_types::owner_id.eq(owner_id),
                event_types::team_id.eq(team_id),
                event_types::scheduling_type.eq(scheduling_type),
                event_types::created_at.eq(now),
                event_types::updated_at.eq(now),
            ))
            .returning(event_types::id)
            .get_result(c)
            .await
    })?;
    Ok(id)
}

pub async fn update(
    conn: &mut Conn<'_>,
    id: i64,
    fields: &EventTypeFields,
    scheduling: Option<SchedulingType>,
) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    let scheduling = scheduling.map(SchedulingType::as_str);
    with_conn!(conn, |c| {
        diesel::update(event_types::table.find(id))
            .set((fields, event_types::updated_at.eq(now)))
            .execute(c)
            .await
    })?;
    if let Some(kind) = scheduling {
        with_conn!(conn, |c| {
            diesel::update(event_types::table.find(id))
                .set(event_types::scheduling_type.eq(kind))
                .execute(c)
                .await
        })?;
    }
    Ok(())
}

pub async fn delete(conn: &mut Conn<'_>, id: i64) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::delete(event_types::table.find(id)).execute(c).await
    })?;
    Ok(())
}

pub async fn find(conn: &mut Conn<'_>, id: i64) -> StorageResult<Option<EventTypeRecord>> {
    let found = with_conn!(conn, |c| {
        event_types::table
            .find(id)
            .select(EventTypeRecord::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(found)
}

/// (id, slug) of the event types among `ids`.
pub async fn slugs(conn: &mut Conn<'_>, ids: &[i64]) -> StorageResult<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = with_conn!(conn, |c| {
        event_types::table
            .filter(event_types::id.eq_any(ids))
            .select((event_types::id, event_types::slug))
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// The ids of these teams' event types.
pub async fn ids_of_teams(conn: &mut Conn<'_>, team_ids: &[i64]) -> StorageResult<Vec<i64>> {
    if team_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = with_conn!(conn, |c| {
        event_types::table
            .filter(event_types::team_id.eq_any(team_ids))
            .select(event_types::id)
            .order(event_types::id)
            .load(c)
            .await
    })?;
    Ok(ids)
}

/// Which event types a listing covers.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    User(i64),
    Team(i64),
    UserSlug(i64, &'a str),
    TeamSlug(i64, &'a str),
    /// The user's own and those of these teams, in one query.
    UserAndTeams(i64, &'a [i64]),
}

pub async fn list(conn: &mut Conn<'_>, scope: Scope<'_>) -> StorageResult<Vec<EventTypeRecord>> {
    let rows = with_conn!(conn, |c| {
        let mut query = event_types::table
            .select(EventTypeRecord::as_select())
            .order((event_types::position.desc(), event_types::id))
            .into_boxed();
        query = match scope {
            Scope::User(id) => query.filter(event_types::owner_id.eq(id)),
            Scope::Team(id) => query.filter(event_types::team_id.eq(id)),
            Scope::UserSlug(id, slug) => query
                .filter(event_types::owner_id.eq(id))
                .filter(event_types::slug.eq(slug)),
            Scope::TeamSlug(id, slug) => query
                .filter(event_types::team_id.eq(id))
                .filter(event_types::slug.eq(slug)),
            Scope::UserAndTeams(id, teams) => query.filter(
                event_types::owner_id
                    .eq(id)
                    .or(event_types::team_id.eq_any(teams)),
            ),
        };
        query.load(c).await
    })?;
    Ok(rows)
}

#[derive(Debug, Clone, Copy)]
pub struct NewHost {
    pub user_id: i64,
    pub is_fixed: bool,
    pub weight: i32,
    pub priority: i32,
}

/// A host as written: its settings and its round-robin group (one of the event type's
/// `host_groups`, or `None` for the default group).
#[derive(Debug, Clone)]
pub struct WantedHost {
    pub host: NewHost,
    pub group_id: Option<String>,
}

/// A round-robin host group of an event type (Cal.com's `HostGroup`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostGroupRecord {
    pub id: String,
    pub name: String,
}

/// A host of a team event type, with the person's public details.
#[derive(Debug, Clone)]
pub struct HostRecord {
    pub user_id: i64,
    pub is_fixed: bool,
    pub weight: i32,
    pub priority: i32,
    /// The host's round-robin group id; `None`: the default group.
    pub group_id: Option<String>,
    pub schedule_id: Option<i64>,
    pub joined_at: DateTime<Utc>,
    pub name: String,
    pub username: String,
    pub email: String,
    pub time_zone: String,
}

pub async fn add_hosts(
    conn: &mut Conn<'_>,
    event_type_id: i64,
    new_hosts: &[WantedHost],
) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    for WantedHost { host, group_id } in new_hosts {
        let row = (
            hosts::event_type_id.eq(event_type_id),
            hosts::user_id.eq(host.user_id),
            hosts::is_fixed.eq(host.is_fixed),
            hosts::weight.eq(host.weight),
            hosts::priority.eq(host.priority),
            hosts::group_id.eq(group_id.as_deref()),
            hosts::created_at.eq(now),
        );
        with_conn!(conn, |c| {
            diesel::insert_into(hosts::table)
                .values(row)
                .execute(c)
                .await
        })?;
    }
    Ok(())
}

/// Replaces an event type's hosts, keeping the join date of hosts that stay (round-robin
/// calibration depends on it).
pub async fn replace_hosts(
    conn: &mut Conn<'_>,
    event_type_id: i64,
    wanted: &[WantedHost],
) -> StorageResult<()> {
    let keep: Vec<i64> = wanted.iter().map(|h| h.host.user_id).collect();
    let existing: Vec<i64> = with_conn!(conn, |c| {
        diesel::delete(
            hosts::table
                .filter(hosts::event_type_id.eq(event_type_id))
                .filter(hosts::user_id.ne_all(&keep)),
        )
        .execute(c)
        .await?;
        hosts::table
            .filter(hosts::event_type_id.eq(event_type_id))
            .select(hosts::user_id)
            .load(c)
            .await
    })?;
    for wanted_host in wanted {
        let (host, group_id) = (&wanted_host.host, wanted_host.group_id.as_deref());
        if existing.contains(&host.user_id) {
            with_conn!(conn, |c| {
                diesel::update(
                    hosts::table
                        .filter(hosts::event_type_id.eq(event_type_id))
                        .filter(hosts::user_id.eq(host.user_id)),
                )
                .set((
                    hosts::is_fixed.eq(host.is_fixed),
                    hosts::weight.eq(host.weight),
                    hosts::priority.eq(host.priority),
                    hosts::group_id.eq(group_id),
                ))
                .execute(c)
                .await
            })?;
        } else {
            add_hosts(conn, event_type_id, std::slice::from_ref(wanted_host)).await?;
        }
    }
    Ok(())
}

type HostRow = (
    i64,
    i64,
    bool,
    i32,
    i32,
    Option<String>,
    Option<i64>,
    NaiveDateTime,
    String,
    String,
    String,
    String,
);

pub async fn hosts(conn: &mut Conn<'_>, event_type_id: i64) -> StorageResult<Vec<HostRecord>> {
    let rows = hosts_of(conn, &[event_type_id]).await?;
    Ok(rows.into_iter().map(|(_, host)| host).collect())
}

/// The hosts of these event types in one query: (event type id, host), by event type then user.
pub async fn hosts_of(
    conn: &mut Conn<'_>,
    event_type_ids: &[i64],
) -> StorageResult<Vec<(i64, HostRecord)>> {
    if event_type_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<HostRow> = with_conn!(conn, |c| {
        hosts::table
            .inner_join(users::table)
            .filter(hosts::event_type_id.eq_any(event_type_ids))
            .select((
                hosts::event_type_id,
                hosts::user_id,
                hosts::is_fixed,
                hosts::weight,
                hosts::priority,
                hosts::group_id,
                hosts::schedule_id,
                hosts::created_at,
                users::name,
                users::username,
                users::email,
                users::time_zone,
            ))
            .order((hosts::event_type_id, hosts::user_id))
            .load(c)
            .await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let host = HostRecord {
                user_id: r.1,
                is_fixed: r.2,
                weight: r.3,
                priority: r.4,
                group_id: r.5,
                schedule_id: r.6,
                joined_at: super::from_db_time(r.7),
                name: r.8,
                username: r.9,
                email: r.10,
                time_zone: r.11,
            };
            (r.0, host)
        })
        .collect())
}

/// Which of `user_ids` are accepted members of `team_id`.
pub async fn team_members_among(
    conn: &mut Conn<'_>,
    team_id: i64,
    user_ids: &[i64],
) -> StorageResult<Vec<i64>> {
    let ids = with_conn!(conn, |c| {
        memberships::table
            .filter(memberships::team_id.eq(team_id))
            .filter(memberships::accepted.eq(true))
            .filter(memberships::user_id.eq_any(user_ids))
            .select(memberships::user_id)
            .load(c)
            .await
    })?;
    Ok(ids)
}

/// The host groups of these event types in one query: (event type id, group), by event type
/// then name.
pub async fn host_groups_of(
    conn: &mut Conn<'_>,
    event_type_ids: &[i64],
) -> StorageResult<Vec<(i64, HostGroupRecord)>> {
    if event_type_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, String, String)> = with_conn!(conn, |c| {
        host_groups::table
            .filter(host_groups::event_type_id.eq_any(event_type_ids))
            .select((
                host_groups::event_type_id,
                host_groups::id,
                host_groups::name,
            ))
            .order((
                host_groups::event_type_id,
                host_groups::name,
                host_groups::id,
            ))
            .load(c)
            .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(event_type, id, name)| (event_type, HostGroupRecord { id, name }))
        .collect())
}

/// Makes `wanted` the event type's host groups: others are deleted (their hosts return to the
/// default group through `ON DELETE SET NULL`), kept ones renamed, new ones inserted.
pub async fn replace_host_groups(
    conn: &mut Conn<'_>,
    event_type_id: i64,
    wanted: &[HostGroupRecord],
) -> StorageResult<()> {
    let keep: Vec<&str> = wanted.iter().map(|g| g.id.as_str()).collect();
    let existing: Vec<String> = with_conn!(conn, |c| {
        diesel::delete(
            host_groups::table
                .filter(host_groups::event_type_id.eq(event_type_id))
                .filter(host_groups::id.ne_all(&keep)),
        )
        .execute(c)
        .await?;
        host_groups::table
            .filter(host_groups::event_type_id.eq(event_type_id))
            .select(host_groups::id)
            .load(c)
            .await
    })?;
    let now = to_db_time(Utc::now());
    for group in wanted {
        if existing.contains(&group.id) {
            with_conn!(conn, |c| {
                diesel::update(host_groups::table.find(&group.id))
                    .set(host_groups::name.eq(&group.name))
                    .execute(c)
                    .await
            })?;
        } else {
            let row = (
                host_groups::id.eq(&group.id),
                host_groups::event_type_id.eq(event_type_id),
                host_groups::name.eq(&group.name),
                host_groups::created_at.eq(now),
            );
            with_conn!(conn, |c| {
                diesel::insert_into(host_groups::table)
                    .values(row)
                    .execute(c)
                    .await
            })?;
        }
    }
    Ok(())
}
