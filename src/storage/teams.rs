//! Teams and their memberships.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{memberships, teams};
use super::{Conn, StorageResult, to_db_time, with_conn};

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

pub async fn add_member(
    conn: &mut Conn<'_>,
    team_id: i64,
    user_id: i64,
    role: &str,
) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    with_conn!(conn, |c| {
        diesel::insert_into(memberships::table)
            .values((
                memberships::team_id.eq(team_id),
                memberships::user_id.eq(user_id),
                memberships::role.eq(role),
                memberships::created_at.eq(now),
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}
