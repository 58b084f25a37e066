//! A host's choice of which booking emails they receive: what each choice covers, and the use
//! cases that read and change it (`/v2/me/notifications`, the console's settings). Attendees'
//! emails are not a host's to choose; nothing here touches them.

use serde::Deserialize;

use super::Notice;
use crate::service::ServiceError;
use crate::storage::host_emails;
use crate::storage::{Conn, Db, StorageResult};

pub use crate::storage::host_emails::HostEmails;

/// Whether `chosen` lets an email about `notice` through: a request is a booking made, a new
/// place is a move, a decline a cancellation.
pub fn covers(chosen: &HostEmails, notice: Notice<'_>) -> bool {
    match notice {
        Notice::Booked | Notice::Requested | Notice::Reassigned { .. } => chosen.booked,
        Notice::Rescheduled { .. } | Notice::Relocated => chosen.rescheduled,
        Notice::Cancelled | Notice::RescheduleRequested | Notice::Declined => chosen.cancelled,
    }
}

/// Some hosts' choices; a host who never chose receives everything.
#[derive(Debug, Clone, Default)]
pub struct Choices(Vec<(i64, HostEmails)>);

impl Choices {
    /// The choices of `hosts` (user ids), read in the caller's transaction.
    pub async fn load(c: &mut Conn<'_>, hosts: &[i64]) -> StorageResult<Self> {
        Ok(Self(host_emails::of(c, hosts).await?))
    }

    pub fn of(&self, user: i64) -> HostEmails {
        (self.0.iter())
            .find(|(u, _)| *u == user)
            .map(|(_, chosen)| *chosen)
            .unwrap_or_default()
    }
}

/// A change to a host's choices (`PATCH /v2/me/notifications`); absent fields stay.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HostEmailChanges {
    pub booking_created: Option<bool>,
    pub booking_rescheduled: Option<bool>,
    pub booking_cancelled: Option<bool>,
    pub workflow_emails: Option<bool>,
}

/// User `user`'s choices.
pub async fn host_emails(db: &Db, user: i64) -> Result<HostEmails, ServiceError> {
    let chosen = db.run(async |c| Choices::load(c, &[user]).await).await?;
    Ok(chosen.of(user))
}

/// Applies `changes` to user `user`'s choices, in one transaction; returns them as they are now.
pub async fn change_host_emails(
    db: &Db,
    user: i64,
    changes: HostEmailChanges,
) -> Result<HostEmails, ServiceError> {
    db.transaction(async |c| {
        let was = Choices::load(c, &[user]).await?.of(user);
        let now = HostEmails {
            booked: changes.booking_created.unwrap_or(was.booked),
            rescheduled: changes.booking_rescheduled.unwrap_or(was.rescheduled),
            cancelled: changes.booking_cancelled.unwrap_or(was.cancelled),
            workflows: changes.workflow_emails.unwrap_or(was.workflows),
        };
        host_emails::set(c, user, &now).await?;
        Ok(now)
    })
    .await
}
