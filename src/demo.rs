//! The demo: a ready-to-book owner, two event types and a round-robin team, seeded once in one
//! transaction and left alone on later starts.

use crate::accounts::{self, NewAccount};
use crate::auth::{ApiKeySecret, Password, hash_password};
use crate::domain::{Email, PersonName, Role, TimeZoneName, Username};
use crate::secret::Secret;
use crate::service::ServiceError;
use crate::storage::event_types::{self, NewEventType, NewHost, Owner, SchedulingType, WantedHost};
use crate::storage::{Db, teams, users};

pub const OWNER_EMAIL: &str = "demo@example.com";
pub const PASSWORD: &str = "kairos-demo";
pub const TEAM_SLUG: &str = "demo-team";

/// (email, name, username, timezone, round-robin weight)
const PEOPLE: [(&str, &str, &str, &str, i32); 3] = [
    (OWNER_EMAIL, "Demo Owner", "demo", "America/New_York", 50),
    (
        "alex@example.com",
        "Alex Rivera",
        "alex",
        "Europe/London",
        30,
    ),
    ("sam@example.com", "Sam Patel", "sam", "Asia/Kolkata", 20),
];

/// What the demo consists of, for printing.
pub struct Demo {
    pub owner_username: String,
    pub api_key: ApiKeySecret,
    /// False when the demo already existed and nothing was written.
    pub seeded_now: bool,
}

pub async fn seed(db: &Db, secret_key: &Secret) -> Result<Demo, ServiceError> {
    let existing = db
        .run(async |c| users::find_by_email(c, OWNER_EMAIL).await)
        .await?;
    let (owner_id, seeded_now) = match existing {
        Some(owner) => (owner.id, false),
        None => (create(db).await?, true),
    };
    let api_key =
        ApiKeySecret::derive(format!("kairos-demo-key:{}", secret_key.expose()).as_bytes());
    accounts::ensure_api_key(db, owner_id, "demo", &api_key).await?;
    Ok(Demo {
        owner_username: PEOPLE[0].2.to_owned(),
        api_key,
        seeded_now,
    })
}

async fn create(db: &Db) -> Result<i64, ServiceError> {
    let password_hash = hash_password(&Password::parse(PASSWORD).map_err(ServiceError::Invalid)?)?;
    let accounts = PEOPLE
        .iter()
        .map(|(email, name, username, zone, _)| {
            Ok(NewAccount {
                email: Email::parse(email).map_err(ServiceError::Invalid)?,
                name: PersonName::parse(name).map_err(ServiceError::Invalid)?,
                time_zone: TimeZoneName::parse(zone).map_err(ServiceError::Invalid)?,
                username: Some(Username::parse(username).map_err(ServiceError::Invalid)?),
                password: None,
                role: if *email == OWNER_EMAIL {
                    Role::Admin
                } else {
                    Role::User
                },
            })
        })
        .collect::<Result<Vec<_>, ServiceError>>()?;

    db.transaction(async |c| {
        let mut ids = Vec::with_capacity(accounts.len());
        for account in &accounts {
            let user = accounts::insert_user(c, account, Some(&password_hash)).await?;
            ids.push(user.id);
        }
        let owner = ids[0];
        for (slug, title, minutes) in [
            ("15min", "15 Minute Meeting", 15),
            ("30min", "30 Minute Meeting", 30),
        ] {
            let new = NewEventType {
                owner: Owner::User(owner),
                slug,
                title,
                description: "",
                length_minutes: minutes,
                minimum_notice: 120,
                schedule_id: None,
            };
            event_types::insert(c, &new).await?;
        }

        let team = teams::insert(c, TEAM_SLUG, "Demo Team", PEOPLE[0].3).await?;
        for (index, user_id) in ids.iter().enumerate() {
            let role = if index == 0 { "OWNER" } else { "MEMBER" };
            teams::add_member(c, team, *user_id, role).await?;
        }
        let intro = NewEventType {
            owner: Owner::Team {
                id: team,
                scheduling: SchedulingType::RoundRobin,
            },
            slug: "intro",
            title: "Team Intro",
            description: "A 30 minute introduction with whoever on the team is free.",
            length_minutes: 30,
            minimum_notice: 120,
            schedule_id: None,
        };
        let intro = event_types::insert(c, &intro).await?;
        let hosts: Vec<WantedHost> = ids
            .iter()
            .zip(PEOPLE)
            .map(|(user_id, person)| WantedHost {
                host: NewHost {
                    user_id: *user_id,
                    is_fixed: false,
                    weight: person.4,
                    priority: 2,
                },
                group_id: None,
            })
            .collect();
        event_types::add_hosts(c, intro, &hosts).await?;
        Ok(owner)
    })
    .await
}
