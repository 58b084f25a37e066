//! Published calendar feeds (issue 15): each host may have one secret, revocable URL that
//! serves their Kairos bookings, free/busy and working hours as iCalendar, so other calendars
//! and tools can subscribe. Only the SHA-256 of the URL's token is stored (as for API keys):
//! the URL is shown once, when it is made; making a new one or revoking it ends the old one.
//!
//! What a feed shows is in [`crate::ical::publish`]: no attendee, answer, location or link,
//! since a feed URL may be shared.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use crate::auth::{SecretToken, hash_secret_token};
use crate::availability::schedule::WeeklyRule;
use crate::domain::BookingStatus;
use crate::ical::publish::{self, Busy, BusyKind, Hours, Listed, Publication};
use crate::service::ServiceError;
use crate::storage::calendar_feeds::{self as store, FeedBooking};
use crate::storage::{Conn, Db, bookings, schedules, users};

/// How far back a feed reaches: recent meetings stay visible to subscribers.
pub const PAST: TimeDelta = TimeDelta::days(30);
/// How far ahead a feed reaches (bookings further out are rare and the busy cache ends too).
pub const HORIZON: TimeDelta = TimeDelta::days(180);

/// The path of a feed under the instance's base URL.
pub fn feed_path(token: &str) -> String {
    format!("/feeds/{token}.ics")
}

/// A feed just made: the only time its URL is known.
#[derive(Debug)]
pub struct CreatedFeed {
    pub url: String,
    pub created_at: DateTime<Utc>,
}

/// Makes the user's feed, replacing (and so ending) any earlier one.
pub async fn create(db: &Db, user_id: i64, base_url: &str) -> Result<CreatedFeed, ServiceError> {
    let token = SecretToken::generate();
    let hash = token.hash();
    let feed = db
        .transaction(async |c| store::replace(c, user_id, &hash, Utc::now()).await)
        .await?;
    Ok(CreatedFeed {
        url: format!(
            "{}{}",
            base_url.trim_end_matches('/'),
            feed_path(token.expose())
        ),
        created_at: feed.created_at,
    })
}

/// When the user's feed was made, if they have one.
pub async fn status(db: &Db, user_id: i64) -> Result<Option<DateTime<Utc>>, ServiceError> {
    let feed = db.run(async |c| store::of_user(c, user_id).await).await?;
    Ok(feed.map(|f| f.created_at))
}

/// Ends the user's feed; "not found" when they have none.
pub async fn revoke(db: &Db, user_id: i64) -> Result<(), ServiceError> {
    if db
        .background_transaction(async |c| store::delete(c, user_id).await)
        .await?
    {
        Ok(())
    } else {
        Err(ServiceError::NotFound("No calendar feed".into()))
    }
}

/// The feed a presented token opens, rendered at `now`; `None` for a token that is not (or
/// no longer) a feed's, whatever the reason, so the answer tells an outsider nothing.
pub async fn render(
    db: &Db,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, ServiceError> {
    let Some(hash) = hash_secret_token(token) else {
        return Ok(None);
    };
    let (from, to) = (now - PAST, now + HORIZON);
    db.run(async |c| -> Result<Option<String>, ServiceError> {
        let Some(owner) = store::owner(c, &hash).await? else {
            return Ok(None);
        };
        let facts = Facts::read(c, owner, from, to).await?;
        Ok(Some(facts.render(now, from, to)))
    })
    .await
}

/// What one feed is made of, read in one go.
struct Facts {
    owner: i64,
    name: String,
    bookings: Vec<FeedBooking>,
    busy: Vec<Busy>,
    hours: Option<(Tz, Vec<WeeklyRule>)>,
}

impl Facts {
    async fn read(
        c: &mut Conn<'_>,
        owner: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Self, ServiceError> {
        let user = users::find(c, owner).await?;
        let bookings = store::bookings_of_host(c, owner, from, to).await?;
        // The external busy time of selected calendars, without the copies of Kairos bookings
        // written back to them (the same read the slots use), and time off.
        let (external, away) = bookings::external_busy(c, &[owner], from, to).await?;
        let mut busy: Vec<Busy> = bookings.iter().map(busy_of_booking).collect();
        busy.extend(external.iter().map(|&(_, start, end)| Busy {
            start,
            end,
            kind: BusyKind::Busy,
        }));
        busy.extend(away.iter().map(|&(_, start, end)| Busy {
            start,
            end,
            kind: BusyKind::Unavailable,
        }));
        let hours = match schedules::find_default_id(c, owner).await? {
            Some(id) => schedules::find_owned(c, owner, id)
                .await?
                .and_then(|s| Some((s.time_zone.parse().ok()?, weekly(&s.rules)))),
            None => None,
        };
        Ok(Self {
            owner,
            name: user.name,
            bookings,
            busy,
            hours,
        })
    }

    fn render(&self, now: DateTime<Utc>, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
        let events: Vec<Listed<'_>> = self
            .bookings
            .iter()
            .map(|b| Listed {
                uid: &b.ical_uid,
                sequence: b.ical_sequence,
                summary: &b.title,
                start: b.start,
                end: b.end,
                status: b.status,
            })
            .collect();
        let owner_key = format!("user-{}", self.owner);
        publish::render(&Publication {
            name: &self.name,
            owner_key: &owner_key,
            stamp: now,
            from,
            to,
            events: &events,
            busy: &self.busy,
            hours: self
                .hours
                .as_ref()
                .map(|(zone, rules)| Hours { zone: *zone, rules }),
        })
    }
}

/// A booking's own time (not its buffers, which are Kairos' concern): busy when accepted,
/// tentatively busy while it waits for the host.
fn busy_of_booking(b: &FeedBooking) -> Busy {
    let kind = match b.status {
        BookingStatus::Pending => BusyKind::Tentative,
        _ => BusyKind::Busy,
    };
    Busy {
        start: b.start,
        end: b.end,
        kind,
    }
}

/// Stored weekly rules as the engine's (and the feed's) type; a row out of range is left out.
fn weekly(rules: &[schedules::WeeklyRule]) -> Vec<WeeklyRule> {
    rules
        .iter()
        .filter_map(|r| {
            Some(WeeklyRule {
                days: u8::try_from(r.days).ok()?,
                start_minute: u32::try_from(r.start_minute).ok()?,
                end_minute: u32::try_from(r.end_minute).ok()?,
            })
        })
        .collect()
}
