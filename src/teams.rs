//! Teams use cases: teams, their memberships and who may change what. Members see their team;
//! admins and owners change it and its members; only owners delete it. Anyone else gets "not
//! found", never a hint that the team exists.

use crate::domain::text;
use serde::{Deserialize, Serialize};

use crate::domain::{Slug, TimeZoneName};
use crate::service::ServiceError;
use crate::storage::teams::{self as store, Membership, Team, TeamFields};
use crate::storage::{Conn, Db, users};

/// A team's public page, by slug: anyone may see a team's name, bio and event types, as on
/// Cal.com. `None` for an unknown slug.
pub async fn public_team(db: &Db, slug: &str) -> Result<Option<Team>, ServiceError> {
    db.run(async |c| {
        let Some(id) = store::find_id_by_slug(c, slug).await? else {
            return Ok(None);
        };
        Ok(store::find(c, id).await?)
    })
    .await
}

const ROLES: [&str; 3] = ["MEMBER", "ADMIN", "OWNER"];

/// A team in the API's vocabulary: the body of a create or (partially) an update.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamInput {
    #[serde(default, deserialize_with = "text::line")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "text::lines")]
    pub bio: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    pub time_zone: Option<String>,
    #[serde(default, deserialize_with = "text::line")]
    pub brand_color: Option<String>,
    /// Round-robin fairness period: `MONTH` or `DAY`.
    #[serde(default, deserialize_with = "text::line")]
    pub rr_reset_interval: Option<String>,
    /// Which instant places a booking in the period: `CREATED_AT` or `START_TIME`.
    #[serde(default, deserialize_with = "text::line")]
    pub rr_timestamp_basis: Option<String>,
    #[serde(default, deserialize_with = "text::lines")]
    pub metadata: Option<serde_json::Value>,
}

fn invalid(field: &str, message: impl std::fmt::Display) -> ServiceError {
    ServiceError::Invalid(format!("{field}: {message}"))
}

fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound(format!("Team with id={id} not found"))
}

fn validate(input: &TeamInput, current: Option<&Team>) -> Result<TeamFields, ServiceError> {
    let name = input
        .name
        .clone()
        .or_else(|| current.map(|t| t.name.clone()))
        .ok_or_else(|| invalid("name", "is required"))?;
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(invalid("name", "must be 1 to 100 characters"));
    }
    let slug = match (&input.slug, current) {
        (Some(s), _) => s.clone(),
        (None, Some(t)) => t.slug.clone(),
        (None, None) => Slug::suggest(&name),
    };
    let slug = Slug::parse(&slug).map_err(|m| invalid("slug", m))?;
    let time_zone = input
        .time_zone
        .clone()
        .or_else(|| current.map(|t| t.time_zone.clone()))
        .unwrap_or_else(|| "UTC".into());
    let time_zone = TimeZoneName::parse(&time_zone).map_err(|m| invalid("timeZone", m))?;
    let brand_color = input
        .brand_color
        .clone()
        .or_else(|| current.map(|t| t.brand_color.clone()))
        .unwrap_or_else(|| "#292929".into());
    let hex = brand_color.strip_prefix('#').unwrap_or("");
    if !(hex.len() == 6 || hex.len() == 3) || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(invalid("brandColor", "must be a hex colour like #1a73e8"));
    }
    let reset = input
        .rr_reset_interval
        .clone()
        .or_else(|| current.map(|t| t.rr_reset_interval.clone()))
        .unwrap_or_else(|| "MONTH".into());
    if !matches!(reset.as_str(), "MONTH" | "DAY") {
        return Err(invalid("rrResetInterval", "must be MONTH or DAY"));
    }
    let basis = input
        .rr_timestamp_basis
        .clone()
        .or_else(|| current.map(|t| t.rr_timestamp_basis.clone()))
        .unwrap_or_else(|| "CREATED_AT".into());
    if !matches!(basis.as_str(), "CREATED_AT" | "START_TIME") {
        return Err(invalid(
            "rrTimestampBasis",
            "must be CREATED_AT or START_TIME",
        ));
    }
    let metadata = match (&input.metadata, current) {
        (Some(serde_json::Value::Object(m)), _) => serde_json::Value::Object(m.clone()).to_string(),
        (Some(serde_json::Value::Null) | None, Some(t)) => t.metadata.clone(),
        (Some(serde_json::Value::Null) | None, None) => "{}".into(),
        (Some(_), _) => return Err(invalid("metadata", "must be an object")),
    };
    let bio = input
        .bio
        .clone()
        .or_else(|| current.map(|t| t.bio.clone()))
        .unwrap_or_default();
    if bio.chars().count() > 10_000 {
        return Err(invalid("bio", "is longer than 10000 characters"));
    }
    Ok(TeamFields {
        slug: slug.as_str().to_owned(),
        name,
        bio,
        time_zone: time_zone.as_str().to_owned(),
        brand_color,
        rr_reset_interval: reset,
        rr_timestamp_basis: basis,
        metadata,
    })
}

fn slug_taken(e: ServiceError, slug: &str) -> ServiceError {
    match e {
        ServiceError::Storage(crate::storage::StorageError::Conflict(_)) => {
            ServiceError::Conflict(format!("slug: a team with slug `{slug}` already exists"))
        }
        other => other,
    }
}

/// The caller's role in a team, or "not found" when they are not an accepted member.
pub async fn team_role(
    c: &mut Conn<'_>,
    team_id: i64,
    user_id: i64,
) -> Result<String, ServiceError> {
    store::membership_role(c, team_id, user_id)
        .await?
        .ok_or_else(|| not_found(team_id))
}

/// The caller's role when they may change the team and what belongs to it (admins, owners).
pub async fn manageable(c: &mut Conn<'_>, id: i64, caller: i64) -> Result<String, ServiceError> {
    let role = team_role(c, id, caller).await?;
    if !matches!(role.as_str(), "ADMIN" | "OWNER") {
        return Err(ServiceError::Forbidden(format!(
            "Only admins and owners of team {id} can change it or its event types"
        )));
    }
    Ok(role)
}

/// Creates a team with the caller as its owner.
pub async fn create(db: &Db, caller: i64, input: TeamInput) -> Result<Team, ServiceError> {
    let fields = validate(&input, None)?;
    db.transaction(async |c| {
        let id = store::insert_full(c, &fields)
            .await
            .map_err(|e| slug_taken(e.into(), &fields.slug))?;
        store::add_member(c, id, caller, "OWNER").await?;
        store::find(c, id).await?.ok_or_else(|| not_found(id))
    })
    .await
}

pub async fn list(db: &Db, caller: i64) -> Result<Vec<Team>, ServiceError> {
    Ok(db
        .run(async |c| store::list_for_user(c, caller).await)
        .await?)
}

/// The ids of the teams the caller may change (as an admin or owner).
pub async fn managed(db: &Db, caller: i64) -> Result<Vec<i64>, ServiceError> {
    Ok(db
        .run(async |c| store::managed_team_ids(c, caller).await)
        .await?)
}

pub async fn get(db: &Db, caller: i64, id: i64) -> Result<Team, ServiceError> {
    db.run(async |c| {
        team_role(c, id, caller).await?;
        store::find(c, id).await?.ok_or_else(|| not_found(id))
    })
    .await
}

pub async fn update(db: &Db, caller: i64, id: i64, input: TeamInput) -> Result<Team, ServiceError> {
    db.transaction(async |c| {
        manageable(c, id, caller).await?;
        let current = store::find(c, id).await?.ok_or_else(|| not_found(id))?;
        let fields = validate(&input, Some(&current))?;
        store::update(c, id, &fields)
            .await
            .map_err(|e| slug_taken(e.into(), &fields.slug))?;
        store::find(c, id).await?.ok_or_else(|| not_found(id))
    })
    .await
}

pub async fn delete(db: &Db, caller: i64, id: i64) -> Result<(), ServiceError> {
    db.transaction(async |c| {
        if team_role(c, id, caller).await? != "OWNER" {
            return Err(ServiceError::Forbidden(format!(
                "Only owners of team {id} can delete it"
            )));
        }
        store::delete(c, id).await?;
        Ok(())
    })
    .await
}

/// A membership change or creation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MembershipInput {
    pub user_id: Option<i64>,
    #[serde(default, deserialize_with = "text::line")]
    pub role: Option<String>,
    pub accepted: Option<bool>,
}

fn role(raw: Option<&str>) -> Result<Option<String>, ServiceError> {
    match raw {
        None => Ok(None),
        Some(r) if ROLES.contains(&r) => Ok(Some(r.to_owned())),
        Some(other) => Err(invalid(
            "role",
            format!("`{other}` is not MEMBER, ADMIN or OWNER"),
        )),
    }
}

pub async fn memberships(db: &Db, caller: i64, team: i64) -> Result<Vec<Membership>, ServiceError> {
    db.run(async |c| {
        team_role(c, team, caller).await?;
        Ok(store::memberships(c, team, None).await?)
    })
    .await
}

/// The memberships of every team the caller administers (as an admin or owner), in two
/// queries however many teams.
pub async fn managed_memberships(db: &Db, caller: i64) -> Result<Vec<Membership>, ServiceError> {
    db.run(async |c| {
        let managed = store::managed_team_ids(c, caller).await?;
        Ok(store::memberships_of(c, &managed, None).await?)
    })
    .await
}

async fn membership(c: &mut Conn<'_>, team: i64, id: i64) -> Result<Membership, ServiceError> {
    store::memberships(c, team, Some(id))
        .await?
        .pop()
        .ok_or_else(|| ServiceError::NotFound(format!("Membership with id={id} not found")))
}

pub async fn get_membership(
    db: &Db,
    caller: i64,
    team: i64,
    id: i64,
) -> Result<Membership, ServiceError> {
    db.run(async |c| {
        team_role(c, team, caller).await?;
        membership(c, team, id).await
    })
    .await
}

pub async fn add_membership(
    db: &Db,
    caller: i64,
    team: i64,
    input: MembershipInput,
) -> Result<Membership, ServiceError> {
    let user_id = input
        .user_id
        .ok_or_else(|| invalid("userId", "is required"))?;
    let role = role(input.role.as_deref())?.unwrap_or_else(|| "MEMBER".into());
    db.transaction(async |c| {
        may_add(&manageable(c, team, caller).await?, &role)?;
        if users::find_many(c, &[user_id]).await?.is_empty() {
            return Err(invalid("userId", format!("user {user_id} does not exist")));
        }
        let accepted = user_id == caller && input.accepted.unwrap_or(true);
        invite_member(c, team, user_id, &role, accepted).await
    })
    .await
}

/// How the console invites someone who has no account yet: an invited account whose link to
/// choose a password is signed with `signer` and emailed (as `kairos user invite` and the admin
/// users page do). Without email there is none: a link a team admin could open themselves would
/// let them claim the address.
pub struct Newcomers<'a> {
    pub signer: &'a crate::auth::TokenSigner,
    pub base_url: &'a str,
}

/// [`add_membership`] for the console, which knows people by email: the account with `email`
/// is invited to the team (an admin learns whether such an account exists, as Cal.com's
/// invitation form tells them). Someone without an account is invited to Kairos and to the
/// team at once when `newcomers` says how; their membership waits, like anyone's, for them to
/// accept it once signed in.
pub async fn add_membership_by_email(
    db: &Db,
    caller: i64,
    team: i64,
    email: &str,
    role_name: &str,
    newcomers: Option<&Newcomers<'_>>,
) -> Result<Membership, ServiceError> {
    let email = crate::domain::Email::parse(email).map_err(|m| invalid("email", m))?;
    let role = role(Some(role_name))?.unwrap_or_else(|| "MEMBER".into());
    db.transaction(async |c| {
        may_add(&manageable(c, team, caller).await?, &role)?;
        let user = match users::find_by_email(c, email.as_str()).await? {
            Some(user) => user,
            None => invite_newcomer(c, team, caller, &email, newcomers).await?,
        };
        invite_member(c, team, user.id, &role, user.id == caller).await
    })
    .await
}

/// A new invited account for `email`, named after its local part and in the team's time zone,
/// with the emailed link to choose a password.
async fn invite_newcomer(
    c: &mut Conn<'_>,
    team: i64,
    caller: i64,
    email: &crate::domain::Email,
    newcomers: Option<&Newcomers<'_>>,
) -> Result<users::User, ServiceError> {
    let Some(how) = newcomers else {
        return Err(invalid(
            "email",
            format!(
                "nobody has an account with {email}, and without email configured no \
                 invitation can be sent; ask an administrator to invite them"
            ),
        ));
    };
    let team = store::find(c, team).await?.ok_or_else(|| not_found(team))?;
    let inviter = users::find(c, caller).await?;
    let new = crate::accounts::NewAccount {
        email: email.clone(),
        name: crate::domain::PersonName::parse(email.local_part())
            .map_err(|m| invalid("email", m))?,
        time_zone: TimeZoneName::parse(&team.time_zone).map_err(|m| invalid("timeZone", m))?,
        username: None,
        password: None,
        role: crate::domain::Role::User,
    };
    let from = crate::sessions::Inviter {
        name: &inviter.name,
        team: Some(&team.name),
    };
    let now = chrono::Utc::now();
    let (user, _link) =
        crate::sessions::invite_in(c, how.signer, how.base_url, Some(&from), &new, true, now)
            .await?;
    Ok(user)
}

fn may_add(caller_role: &str, role: &str) -> Result<(), ServiceError> {
    if role == "OWNER" && caller_role != "OWNER" {
        return Err(ServiceError::Forbidden("Only owners can add owners".into()));
    }
    Ok(())
}

/// Adds `user_id` to the team with `role`, after the caller's right to do so was checked.
async fn invite_member(
    c: &mut Conn<'_>,
    team: i64,
    user_id: i64,
    role: &str,
    accepted: bool,
) -> Result<Membership, ServiceError> {
    // Nobody is put on a team (and its bookings) without saying yes: others are invited and
    // accept with PATCH {"accepted": true} (or on the console's teams page).
    let id = store::add_membership(c, team, user_id, role, accepted)
        .await
        .map_err(|e| match ServiceError::from(e) {
            ServiceError::Storage(crate::storage::StorageError::Conflict(_)) => {
                ServiceError::Conflict(format!("user {user_id} is already a member of team {team}"))
            }
            other => other,
        })?;
    membership(c, team, id).await
}

/// Who got the team event type's last `limit` bookings (active ones) and when each was made,
/// oldest first: the hosts page replays them. Members only; another team's event type is not
/// found.
pub async fn recent_assignments(
    db: &Db,
    caller: i64,
    team: i64,
    event_type: i64,
    limit: i64,
) -> Result<Vec<(i64, chrono::DateTime<chrono::Utc>)>, ServiceError> {
    db.run(async |c| {
        team_role(c, team, caller).await?;
        let owned = crate::storage::event_types::find(c, event_type)
            .await?
            .is_some_and(|e| e.team_id == Some(team));
        if !owned {
            return Err(ServiceError::NotFound(format!(
                "Event type with id={event_type} not found"
            )));
        }
        Ok(crate::storage::bookings::recent_assignments(c, event_type, limit).await?)
    })
    .await
}

/// The caller's open invitations: memberships not yet accepted, with their teams.
pub async fn invitations(db: &Db, caller: i64) -> Result<Vec<(Team, Membership)>, ServiceError> {
    db.run(async |c| {
        let mut out = Vec::new();
        for (team_id, membership_id) in store::open_invitations(c, caller).await? {
            let Some(team) = store::find(c, team_id).await? else {
                continue;
            };
            out.push((team, membership(c, team_id, membership_id).await?));
        }
        Ok(out)
    })
    .await
}

pub async fn update_membership(
    db: &Db,
    caller: i64,
    team: i64,
    id: i64,
    input: MembershipInput,
) -> Result<Membership, ServiceError> {
    let new_role = role(input.role.as_deref())?;
    db.transaction(async |c| {
        if let Some(invite) = store::memberships(c, team, Some(id))
            .await?
            .pop()
            .filter(|m| m.user_id == caller && !m.accepted)
        {
            if new_role.is_some() || input.accepted != Some(true) {
                return Err(ServiceError::Invalid(
                    "accepted: an invitation can only be accepted (send {\"accepted\": true}) or declined (DELETE)".into(),
                ));
            }
            store::update_membership(c, id, &invite.role, true).await?;
            return membership(c, team, id).await;
        }
        let caller_role = manageable(c, team, caller).await?;
        let current = membership(c, team, id).await?;
        let role = new_role.clone().unwrap_or(current.role.clone());
        if (role == "OWNER" || current.role == "OWNER") && caller_role != "OWNER" {
            return Err(ServiceError::Forbidden(
                "Only owners can change owners".into(),
            ));
        }
        if current.role == "OWNER" && role != "OWNER" {
            last_owner_guard(c, team, &current).await?;
        }
        if let Some(accepted) = input.accepted {
            answered_by_invitee(team, &current, accepted)?;
        }
        store::update_membership(c, id, &role, current.accepted).await?;
        membership(c, team, id).await
    })
    .await
}

/// An admin's `accepted` on someone else's membership may only restate it: only the invited
/// person accepts an invitation (the branch above), and an accepted membership is never turned
/// back into an invitation (removing the member is DELETE).
fn answered_by_invitee(
    team: i64,
    current: &Membership,
    accepted: bool,
) -> Result<(), ServiceError> {
    match (current.accepted, accepted) {
        (false, true) => Err(ServiceError::Forbidden(format!(
            "Only the invited person can accept an invitation to team {team}"
        ))),
        (true, false) => Err(invalid(
            "accepted",
            "an accepted membership cannot be un-accepted; remove the member (DELETE) instead",
        )),
        _ => Ok(()),
    }
}

async fn last_owner_guard(
    c: &mut Conn<'_>,
    team: i64,
    leaving: &Membership,
) -> Result<(), ServiceError> {
    let owners = store::memberships(c, team, None)
        .await?
        .into_iter()
        .filter(|m| m.role == "OWNER" && m.accepted && m.id != leaving.id)
        .count();
    if owners == 0 {
        return Err(ServiceError::Invalid(
            "A team always keeps an owner; make someone else owner first".into(),
        ));
    }
    Ok(())
}

pub async fn delete_membership(
    db: &Db,
    caller: i64,
    team: i64,
    id: i64,
) -> Result<Membership, ServiceError> {
    db.transaction(async |c| {
        let own = store::memberships(c, team, Some(id))
            .await?
            .pop()
            .filter(|m| m.user_id == caller);
        if let Some(own) = own.filter(|m| !m.accepted) {
            // Declining an invitation.
            store::delete_membership(c, &own).await?;
            return Ok(own);
        }
        // Outsiders learn nothing, not even whether the membership exists.
        let caller_role = team_role(c, team, caller).await?;
        let current = membership(c, team, id).await?;
        // Members may leave; admins and owners may remove others.
        if current.user_id != caller {
            if !matches!(caller_role.as_str(), "ADMIN" | "OWNER") {
                return Err(ServiceError::Forbidden(
                    "Only admins and owners can remove other members".into(),
                ));
            }
            if current.role == "OWNER" && caller_role != "OWNER" {
                return Err(ServiceError::Forbidden(
                    "Only owners can remove owners".into(),
                ));
            }
        }
        if current.role == "OWNER" {
            last_owner_guard(c, team, &current).await?;
        }
        store::delete_membership(c, &current).await?;
        Ok(current)
    })
    .await
}
