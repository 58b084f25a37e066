//! Workflows (Cal.com's): messages a booking's changes and times send, configured per user
//! (on their personal event types) or per team (on its event types), plus every event type's
//! built-in reminders (an email to the attendees 24 hours and 1 hour before, on unless the
//! owner turns `defaultReminders` off). Here: the use cases over workflows (owner-scoped, each
//! write one transaction) and a preview; `schedule` queues a booking's steps inside the booking
//! change's transaction, `send` runs them when due on the job runner, `compose` writes the
//! messages. Sending itself is the email and webhook queues' job, never done here.

mod compose;
mod model;
mod preview;
pub mod schedule;
mod send;

use chrono::Utc;
use serde_json::{Value, json};

use crate::auth::{TokenError, TokenSigner};

use crate::service::ServiceError;
use crate::storage::bookings::{self, BookingRecord};
use crate::storage::workflows::{self as store, WorkflowOwner, WorkflowRecord};
use crate::storage::{Conn, Db, teams, users, webhooks as hooks};
use crate::webhooks::Outbox;

pub use compose::{Facts, Recipient};
pub use model::{Action, Step, Trigger, TriggerKind, Workflow, WorkflowInput};
pub use preview::{PreviewInput, preview, variable_names};
pub use schedule::{QUEUE, booking_changed, texts_attendees};
pub use send::spawn;

fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound(format!("Workflow with id={id} not found"))
}

fn invalid(field: &str, message: impl std::fmt::Display) -> ServiceError {
    ServiceError::Invalid(format!("{field}: {message}"))
}

/// May the caller manage `owner`'s workflows: their own, or a team they administer. Anyone
/// else is told the team does not exist.
async fn allowed(c: &mut Conn<'_>, owner: WorkflowOwner, caller: i64) -> Result<(), ServiceError> {
    match owner {
        WorkflowOwner::User(user) if user == caller => Ok(()),
        WorkflowOwner::User(_) => Err(ServiceError::Forbidden("not your workflows".into())),
        WorkflowOwner::Team(team) => crate::teams::manageable(c, team, caller).await.map(|_| ()),
    }
}

async fn read_all(
    c: &mut Conn<'_>,
    records: Vec<WorkflowRecord>,
) -> Result<Vec<Workflow>, ServiceError> {
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    let listed = store::activations(c, &ids).await?;
    records
        .into_iter()
        .map(|r| {
            let mine = listed
                .iter()
                .filter(|(w, _)| *w == r.id)
                .map(|(_, e)| *e)
                .collect();
            Workflow::read(r, mine)
        })
        .collect()
}

async fn owned(c: &mut Conn<'_>, owner: WorkflowOwner, id: i64) -> Result<Workflow, ServiceError> {
    let record = store::find_owned(c, owner, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    read_all(c, vec![record])
        .await?
        .pop()
        .ok_or_else(|| not_found(id))
}

pub async fn list(
    db: &Db,
    caller: i64,
    owner: WorkflowOwner,
) -> Result<Vec<Workflow>, ServiceError> {
    db.run(async |c| {
        allowed(c, owner, caller).await?;
        let records = store::list(c, owner).await?;
        read_all(c, records).await
    })
    .await
}

pub async fn get(
    db: &Db,
    caller: i64,
    owner: WorkflowOwner,
    id: i64,
) -> Result<Workflow, ServiceError> {
    db.run(async |c| {
        allowed(c, owner, caller).await?;
        owned(c, owner, id).await
    })
    .await
}

/// Workflow `id` with its owner, for a caller who may manage it (the console finds a
/// workflow by its id alone); anyone else is told it does not exist.
pub async fn find_any(
    db: &Db,
    caller: i64,
    id: i64,
) -> Result<(WorkflowOwner, Workflow), ServiceError> {
    db.run(async |c| {
        let record = store::find(c, id).await?.ok_or_else(|| not_found(id))?;
        let owner = match (record.user_id, record.team_id) {
            (Some(user), _) => WorkflowOwner::User(user),
            (None, Some(team)) => WorkflowOwner::Team(team),
            (None, None) => return Err(not_found(id)),
        };
        allowed(c, owner, caller).await.map_err(|_| not_found(id))?;
        Ok((owner, owned(c, owner, id).await?))
    })
    .await
}

fn read_input(body: Value) -> Result<WorkflowInput, ServiceError> {
    serde_path_to_error::deserialize(body)
        .map_err(|e| invalid(&e.path().to_string(), e.into_inner()))
}

/// Creates a workflow; the bookings that stand on the event types it is active on get its
/// timed steps at once ([`schedule::workflow_changed`]).
pub async fn create(
    db: &Db,
    outbox: &Outbox,
    caller: i64,
    owner: WorkflowOwner,
    body: Value,
) -> Result<Workflow, ServiceError> {
    let checked = model::check(&read_input(body)?)?;
    db.transaction(async |c| {
        allowed(c, owner, caller).await?;
        check_references(c, owner, &checked).await?;
        let id = store::insert(c, owner, &checked.fields).await?;
        store::replace_activations(c, id, &checked.event_types).await?;
        let made = owned(c, owner, id).await?;
        schedule::workflow_changed(c, outbox, owner, id, None, Some(&made)).await?;
        Ok(made)
    })
    .await
}

/// Applies the fields present in `body` over the stored ones; the whole is checked again, and
/// the reminders already queued for bookings are re-planned in the same transaction.
pub async fn update(
    db: &Db,
    outbox: &Outbox,
    caller: i64,
    owner: WorkflowOwner,
    id: i64,
    body: Value,
) -> Result<Workflow, ServiceError> {
    let changes = read_input(body)?;
    db.transaction(async |c| {
        allowed(c, owner, caller).await?;
        store::lock(c, id).await?;
        let before = owned(c, owner, id).await?;
        let current = before.input();
        let merged = WorkflowInput {
            name: changes.name.clone().or(current.name),
            activation: changes.activation.clone().or(current.activation),
            trigger: changes.trigger.clone().or(current.trigger),
            steps: changes.steps.clone().or(current.steps),
        };
        let checked = model::check(&merged)?;
        check_references(c, owner, &checked).await?;
        store::update(c, id, &checked.fields).await?;
        store::replace_activations(c, id, &checked.event_types).await?;
        let after = owned(c, owner, id).await?;
        schedule::workflow_changed(c, outbox, owner, id, Some(&before), Some(&after)).await?;
        Ok(after)
    })
    .await
}

/// Deletes the workflow and withdraws its steps queued for bookings.
pub async fn delete(
    db: &Db,
    outbox: &Outbox,
    caller: i64,
    owner: WorkflowOwner,
    id: i64,
) -> Result<(), ServiceError> {
    db.transaction(async |c| {
        allowed(c, owner, caller).await?;
        store::lock(c, id).await?;
        let before = owned(c, owner, id).await?;
        schedule::workflow_changed(c, outbox, owner, id, Some(&before), None).await?;
        store::delete(c, id).await?;
        Ok(())
    })
    .await
}

/// The event types and webhook subscriptions a workflow names must be its owner's.
async fn check_references(
    c: &mut Conn<'_>,
    owner: WorkflowOwner,
    checked: &model::Checked,
) -> Result<(), ServiceError> {
    let mine = store::owned_event_types(c, owner, &checked.event_types).await?;
    if let Some(i) = checked.event_types.iter().position(|e| !mine.contains(e)) {
        return Err(invalid(
            &format!("activation.activeOnEventTypeIds[{i}]"),
            format!(
                "event type {} not found among this owner's event types",
                checked.event_types[i]
            ),
        ));
    }
    for (i, step) in checked.steps.iter().enumerate() {
        if let Some(to) = step.send_to.as_deref()
            && step.is_email()
            && !address_is_owners(c, owner, to).await?
        {
            return Err(invalid(
                &format!("steps[{i}].sendTo"),
                format!(
                    "{to} is not this owner's account (or, for a team, a member's): workflow \
                     emails go only to addresses of this instance's accounts"
                ),
            ));
        }
        let Some(hook) = step.webhook_id.as_deref() else {
            continue;
        };
        if !webhook_is_owners(c, owner, hook).await? {
            return Err(invalid(
                &format!("steps[{i}].webhookId"),
                format!("webhook {hook} not found among this owner's webhooks"),
            ));
        }
    }
    Ok(())
}

/// Whether `email` is the owner's account, or a member's of the owning team: a workflow never
/// mails a stranger (Cal.com asks for a verified address instead).
async fn address_is_owners(
    c: &mut Conn<'_>,
    owner: WorkflowOwner,
    email: &str,
) -> Result<bool, ServiceError> {
    let Some(user) = users::find_by_email(c, email).await? else {
        return Ok(false);
    };
    Ok(match owner {
        WorkflowOwner::User(id) => user.id == id,
        WorkflowOwner::Team(team) => teams::member_ids(c, team).await?.contains(&user.id),
    })
}

async fn webhook_is_owners(
    c: &mut Conn<'_>,
    owner: WorkflowOwner,
    id: &str,
) -> Result<bool, ServiceError> {
    let Some(hook) = hooks::find(c, id).await? else {
        return Ok(false);
    };
    let direct = match owner {
        WorkflowOwner::User(user) => hook.user_id == Some(user),
        WorkflowOwner::Team(team) => hook.team_id == Some(team),
    };
    if direct {
        return Ok(true);
    }
    Ok(match hook.event_type_id {
        Some(event) => !store::owned_event_types(c, owner, &[event])
            .await?
            .is_empty(),
        None => false,
    })
}

/// The audience of the signed links that stop a booking's reminders.
pub const UNSUBSCRIBE: &str = "reminders-off";

/// The booking and attendee a stop-reminders link names, if it is intact, unexpired and for
/// booking `uid`.
fn unsubscribed(signer: &TokenSigner, uid: &str, token: &str) -> Result<String, ServiceError> {
    let claims = signer
        .verify(token, UNSUBSCRIBE, Utc::now())
        .map_err(|e| ServiceError::Invalid(e.to_string()))?;
    match claims.data {
        Some(email) if claims.sub == uid => Ok(email),
        _ => Err(ServiceError::Invalid(TokenError::Invalid.to_string())),
    }
}

/// Checks a stop-reminders link without acting on it (the page that asks to confirm).
pub fn check_unsubscribe(signer: &TokenSigner, uid: &str, token: &str) -> Result<(), ServiceError> {
    unsubscribed(signer, uid, token).map(|_| ())
}

/// Stops the reminders to the attendee a signed link names, of the booking they hold now: the
/// link's booking `uid`, or where it went since (see [`held_now`]).
pub async fn unsubscribe(
    db: &Db,
    signer: &TokenSigner,
    uid: &str,
    token: &str,
) -> Result<(), ServiceError> {
    let email = unsubscribed(signer, uid, token)?;
    db.transaction(async |c| {
        let booking = held_now(c, uid, &email).await?;
        store::opt_out(c, booking.id, &email).await?;
        let mut line = json!({ "email": email });
        if booking.uid != uid {
            line["linkUid"] = json!(uid);
        }
        schedule::note(c, booking.id, "reminders_stopped", line).await
    })
    .await
}

/// The most moves [`held_now`] follows: a bound on a chain no person makes.
const MOVES: usize = 50;

/// The booking attendee `email` of booking `uid` holds now: a rescheduled booking's reminders
/// are its new booking's (Cal.com makes a new booking, with a new uid, on every reschedule),
/// and a seat moved alone went to a booking at the new time (the old booking's
/// `seat_rescheduled` history says which).
async fn held_now(c: &mut Conn<'_>, uid: &str, email: &str) -> Result<BookingRecord, ServiceError> {
    let mut booking = by_uid(c, uid).await?;
    for _ in 0..MOVES {
        let next = if booking.rescheduled {
            let successors =
                bookings::rescheduled_to(c, std::slice::from_ref(&booking.uid)).await?;
            successors.into_iter().next().map(|(_, to)| to)
        } else if bookings::attendees_of(c, &[booking.id])
            .await?
            .iter()
            .any(|a| a.email == email)
        {
            None
        } else {
            seat_moved_to(c, booking.id, email).await?
        };
        match next {
            Some(uid) => booking = by_uid(c, &uid).await?,
            None => break,
        }
    }
    Ok(booking)
}

async fn by_uid(c: &mut Conn<'_>, uid: &str) -> Result<BookingRecord, ServiceError> {
    bookings::find_by_uid(c, uid)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("Booking with uid={uid} not found")))
}

/// Where `email`'s seat of booking `booking_id` moved alone, if it did.
async fn seat_moved_to(
    c: &mut Conn<'_>,
    booking_id: i64,
    email: &str,
) -> Result<Option<String>, ServiceError> {
    let history = bookings::history(c, booking_id).await?;
    Ok(history
        .iter()
        .rev()
        .filter(|h| h.action == "seat_rescheduled")
        .filter_map(|h| serde_json::from_str::<Value>(&h.changes).ok())
        .find(|changes| changes["attendee"] == email)
        .and_then(|changes| changes["rescheduledToUid"].as_str().map(str::to_owned)))
}

/// Whoever stopped a booking's reminders keeps them stopped where their seat moves alone (a
/// whole booking's move carries its list: [`booking_changed`]).
pub async fn seat_moved(
    c: &mut Conn<'_>,
    from: i64,
    to: i64,
    email: &str,
) -> Result<(), ServiceError> {
    if store::opted_out(c, from).await?.iter().any(|e| e == email) {
        store::opt_out(c, to, email).await?;
    }
    Ok(())
}
