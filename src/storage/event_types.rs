//! Event types (what can be booked) and the hosts of team event types.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{event_types, hosts};
use super::{Conn, StorageResult, to_db_time, with_conn};

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
}

pub struct NewEventType<'a> {
    pub owner: Owner,
    pub slug: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub length_minutes: i32,
    pub minimum_notice: i32,
    pub schedule_id: Option<i64>,
}

pub async fn insert(conn: &mut Conn<'_>, new: &NewEventType<'_>) -> StorageResult<i64> {
    let now = to_db_time(Utc::now());
    let (owner_id, team_id, scheduling_type) = match new.owner {
        Owner::User(id) => (Some(id), None, None),
        Owner::Team { id, scheduling } => (None, Some(id), Some(scheduling.as_str())),
    };
    let id = with_conn!(conn, |c| {
        diesel::insert_into(event_types::table)
            .values((
                event_types::owner_id.eq(owner_id),
                event_types::team_id.eq(team_id),
                event_types::scheduling_type.eq(scheduling_type),
                event_types::slug.eq(new.slug),
                event_types::title.eq(new.title),
                event_types::description.eq(new.description),
                event_types::length_minutes.eq(new.length_minutes),
                event_types::minimum_notice.eq(new.minimum_notice),
                event_types::schedule_id.eq(new.schedule_id),
                event_types::created_at.eq(now),
                event_types::updated_at.eq(now),
            ))
            .returning(event_types::id)
            .get_result(c)
            .await
    })?;
    Ok(id)
}

#[derive(Debug, Clone, Copy)]
pub struct NewHost {
    pub user_id: i64,
    pub is_fixed: bool,
    pub weight: i32,
    pub priority: i32,
}

pub async fn add_hosts(
    conn: &mut Conn<'_>,
    event_type_id: i64,
    new_hosts: &[NewHost],
) -> StorageResult<()> {
    let now = to_db_time(Utc::now());
    for host in new_hosts {
        let row = (
            hosts::event_type_id.eq(event_type_id),
            hosts::user_id.eq(host.user_id),
            hosts::is_fixed.eq(host.is_fixed),
            hosts::weight.eq(host.weight),
            hosts::priority.eq(host.priority),
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
