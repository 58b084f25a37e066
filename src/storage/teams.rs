//! Teams and their memberships.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{memberships, teams, users};
use super::{Conn, StorageResult, StoredInstant, to_db_time, with_conn};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = teams)]
pub struct Team {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub bio: String,
    pub time_zone: String,
    pub brand_color: String,
    pub rr_reset_interval: String,
    pub rr_timestamp_basis: String,
    pub metadata: String,
    #[diesel(deserialize_as = StoredInstant)]
    pub created_at: DateTime<Utc>,
}

/// The editable part of a team.
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = teams)]
pub struct TeamFields {
    pub slug: String,
    pub name: String,
    pub bio: String,
    pub time_zone: String,
    pub brand_color: String,
    pub rr_reset_interval: String,
    pub rr_timestamp_basis: String,
    pub metadata: String,
}

#[derive(Debug, Clone)]
pub struct Membership {
    pub id: i64,
    pub team_id: i64,
    pub user_id: i64,
    pub role: String,
    pub accepted: bool,
    pub user: super::users::User,
}

pub async fn find_id_by_slug(conn: &mut Conn<'_>, slug: &str) -> StorageResult<Option<i64>> {
    let id = with_conn!(conn, |c| {
        teams::table
            .filter(teams::slug.eq(slug))
            .select(teams::id)
            .first(c)
            .await
            .optional()
    })?;
    Ok(id)
}

pub async fn find(conn: &mut Conn<'_>, id: i64) -> StorageResult<Option<Team>> {
    let team = with_conn!(conn, |c| {
        teams::table
            .find(id)
            .select(Team::as_select())
            .first(c)
            .await
            .optional()
    })?;
    Ok(team)
}

pub async fn find_many(conn: &mut Conn<'_>, ids: &[i64]) -> StorageResult<Vec<Team>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let found = with_conn!(conn, |c| {
        teams::table
            .filter(teams::id.eq_any(ids))
            .select(Team::as_select())
            .order(teams::id)
            .load(c)
            .await
    })?;
    Ok(found)
}

pub async fn insert(
    conn: &mut Conn<'_>,
    slug: &str,
    name: &str,
    time_zone: &str,
) -> StorageResult<i64> {
    let now = to_db_time(Utc::now());
    let id = with_conn!(conn, |c| {
        diesel::insert_into(teams::table)
            .values((
                teams::slug.eq(slug),
                teams::name.eq(name),
                teams::time_zone.eq(time_zone),
                teams::created_at.eq(now),
                teams::updated_at.eq(now),
            ))
            .returning(teams::id)
            .get_result(c)
            .await
    })?;
    Ok(id)
}

pub async fn insert_full(conn: &mut Conn<'_>, fields: &TeamFields) -> StorageResult<i64> {
    let now = to_db_time(Utc::now());
    let id = with_conn!(conn, |c| {
        diesel::insert_into(teams::table)
            .values((fields, teams::created_at.eq(now), teams::updated_at.eq(now)))
            .returning(teams::id)
            .get_result(c)
            .await
    })?;
    Ok(id)
}

pub async fn update(conn: &mut Conn<'_>, id: i64, fields: &TeamFields) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    with_conn!(conn, |c| {
        diesel::update(teams::table.find(id))
            .set((fields, teams::updated_at.eq(now)))
            .execute(c)
            .await
    })?;
    Ok(())
}

pub async fn delete(conn: &mut Conn<'_>, id: i64) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::delete(teams::table.find(id)).execute(c).await
    })?;
    Ok(())
}

/// Teams the user is an accepted member of.
pub async fn list_for_user(conn: &mut Conn<'_>, user_id: i64) -> StorageResult<Vec<Team>> {
    let rows = with_conn!(conn, |c| {
        teams::table
            .inner_join(memberships::table)
            .filter(memberships::user_id.eq(user_id))
            .filter(memberships::accepted.eq(true))
            .select(Team::as_select())
            .order(teams::id)
            .load(c)
            .await
    })?;
    Ok(rows)
}

pub async fn add_member(
    conn: &mut Conn<'_>,
    team_id: i64,
    user_id: i64,
    role: &str,
) -> StorageResult<()> {
    add_membership(conn, team_id, user_id, role, true).await?;
    Ok(())
}

pub async fn add_membership(
    conn: &mut Conn<'_>,
    team_id: i64,
    user_id: i64,
    role: &str,
    accepted: bool,
) -> StorageResult<i64> {
    let now = to_db_time(Utc::now());
    let id = with_conn!(conn, |c| {
        diesel::insert_into(memberships::table)
            .values((
                memberships::team_id.eq(team_id),
                memberships::user_id.eq(user_id),
                memberships::role.eq(role),
                memberships::accepted.eq(accepted),
                memberships::created_at.eq(now),
            ))
            .returning(memberships::id)
            .get_result(c)
            .await
    })?;
    Ok(id)
}

/// The user's memberships not yet accepted, as `(team id, membership id)`.
pub async fn open_invitations(conn: &mut Conn<'_>, user_id: i64) -> StorageResult<Vec<(i64, i64)>> {
    let rows = with_conn!(conn, |c| {
        memberships::table
            .filter(memberships::user_id.eq(user_id))
            .filter(memberships::accepted.eq(false))
            .select((memberships::team_id, memberships::id))
            .order(memberships::id)
            .load(c)
            .await
    })?;
    Ok(rows)
}

/// Teams where the user is an accepted admin or owner.
pub async fn managed_team_ids(conn: &mut Conn<'_>, user_id: i64) -> StorageResult<Vec<i64>> {
    let ids = with_conn!(conn, |c| {
        memberships::table
            .filter(memberships::user_id.eq(user_id))
            .filter(memberships::accepted.eq(true))
            .filter(memberships::role.eq_any(["ADMIN", "OWNER"]))
            .select(memberships::team_id)
            .load(c)
            .await
    })?;
    Ok(ids)
}

/// The user's role in the team when they are an accepted member.
pub async fn membership_role(
    conn: &mut Conn<'_>,
    team_id: i64,
    user_id: i64,
) -> StorageResult<Option<String>> {
    let role = with_conn!(conn, |c| {
        memberships::table
            .filter(memberships::team_id.eq(team_id))
            .filter(memberships::user_id.eq(user_id))
            .filter(memberships::accepted.eq(true))
            .select(memberships::role)
            .first(c)
            .await
            .optional()
    })?;
    Ok(role)
}

/// Accepted members' user ids.
pub async fn member_ids(conn: &mut Conn<'_>, team_id: i64) -> StorageResult<Vec<i64>> {
    let ids = with_conn!(conn, |c| {
        memberships::table
            .filter(memberships::team_id.eq(team_id))
            .filter(memberships::accepted.eq(true))
            .select(memberships::user_id)
            .order(memberships::user_id)
            .load(c)
            .await
    })?;
    Ok(ids)
}

pub async fn memberships(
    conn: &mut Conn<'_>,
    team_id: i64,
    only: Option<i64>,
) -> StorageResult<Vec<Membership>> {
    memberships_of(conn, &[team_id], only).await
}

/// The memberships of these teams in one query, by team then membership.
pub async fn memberships_of(
    conn: &mut Conn<'_>,
    team_ids: &[i64],
    only: Option<i64>,
) -> StorageResult<Vec<Membership>> {
    let rows: Vec<(i64, i64, i64, String, bool, super::users::User)> = with_conn!(conn, |c| {
        let mut query = memberships::table
            .inner_join(users::table)
            .filter(memberships::team_id.eq_any(team_ids))
            .select((
                memberships::id,
                memberships::team_id,
                memberships::user_id,
                memberships::role,
                memberships::accepted,
                super::users::User::as_select(),
            ))
            .order((memberships::team_id, memberships::id))
            .into_boxed();
        if let Some(id) = only {
            query = query.filter(memberships::id.eq(id));
        }
        query.load(c).await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, team_id, user_id, role, accepted, user)| Membership {
            id,
            team_id,
            user_id,
            role,
            accepted,
            user,
        })
        .collect())
}

pub async fn update_membership(
    conn: &mut Conn<'_>,
    id: i64,
    role: &str,
    accepted: bool,
) -> StorageResult<()> {
    with_conn!(conn, |c| {
        diesel::update(memberships::table.find(id))
            .set((
                memberships::role.eq(role),
                memberships::accepted.eq(accepted),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Removes a membership and the person's host places on the team's event types.
pub async fn delete_membership(conn: &mut Conn<'_>, membership: &Membership) -> StorageResult<()> {
    use super::schema::{event_types, hosts};
    let team_id = membership.team_id;
    let user_id = membership.user_id;
    let id = membership.id;
    with_conn!(conn, |c| {
        let team_events = event_types::table
            .filter(event_types::team_id.eq(team_id))
            .select(event_types::id);
        diesel::delete(
            hosts::table
                .filter(hosts::user_id.eq(user_id))
                .filter(hosts::event_type_id.eq_any(team_events)),
        )
        .execute(c)
        .await?;
        diesel::delete(memberships::table.find(id)).execute(c).await
    })?;
    Ok(())
}
