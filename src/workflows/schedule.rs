//! Scheduling a booking's workflow steps, in the transaction of the booking change that causes
//! them (the outbox): a change's own trigger (booked, requested, rescheduled, cancelled,
//! declined) queues its steps due now; a booking that stands gets its timed steps (before the
//! start, after the end) queued at their times, unless a time is already past; a booking
//! cancelled, declined or moved away has its timed steps withdrawn. Each step is one job on
//! the `reminder` queue, at most one per booking, workflow, step and trigger (a dedupe key),
//! rendered when it runs (`send.rs`). Nothing here sends anything.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::model::{Action, Step, Trigger, TriggerKind, Workflow};
use crate::domain::BookingStatus;
use crate::event_types::{self, EventType};
use crate::service::ServiceError;
use crate::storage::Conn;
use crate::storage::bookings::{self as bookings, BookingRecord, HistoryEntry};
use crate::storage::jobs::{self, NewJob};
use crate::storage::workflows::{self as store, WorkflowOwner};
use crate::webhooks::Outbox;
use crate::webhooks::payload::Change;

/// The queue workflow steps wait in.
pub const QUEUE: &str = "reminder";
/// Attempts at handing a due step over (to the email queue or a webhook delivery).
pub const MAX_ATTEMPTS: i32 = 10;
/// The built-in reminders: minutes before the start.
pub const DEFAULT_REMINDERS: [u32; 2] = [24 * 60, 60];
/// The `kind`s of the timed jobs, the ones a booking change withdraws.
const TIMED: [&str; 2] = ["beforeEvent", "afterEvent"];

/// A reminder job's payload: one step of one workflow for one booking, due at `at`. The step
/// is a copy: an edit of the workflow withdraws it and queues the new one
/// ([`workflow_changed`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Planned {
    pub booking_id: i64,
    /// `None`: the event type's built-in reminders.
    pub workflow_id: Option<i64>,
    pub trigger: Trigger,
    pub step: Step,
    pub at: DateTime<Utc>,
}

/// What applies to a booking: a workflow's (or the built-in reminders') trigger and steps.
struct Plan {
    workflow_id: Option<i64>,
    trigger: Trigger,
    steps: Vec<Step>,
}

/// The trigger a change fires at once, if any. A seat given up is not the booking cancelled.
fn fired_by(change: &Change<'_>, seat: Option<&str>) -> Option<TriggerKind> {
    match change {
        Change::Created => Some(TriggerKind::NewEvent),
        Change::Requested => Some(TriggerKind::BookingRequested),
        Change::Rescheduled { .. } => Some(TriggerKind::RescheduleEvent),
        Change::Cancelled { .. } if seat.is_none() => Some(TriggerKind::EventCancelled),
        Change::Rejected => Some(TriggerKind::BookingRejected),
        _ => None,
    }
}

/// Queues (and withdraws) what `change` to `booking` means for its workflows, in the caller's
/// transaction.
pub async fn booking_changed(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    booking: &BookingRecord,
    change: &Change<'_>,
    seat: Option<&str>,
) -> Result<(), ServiceError> {
    let now = outbox.clock.now();
    match change {
        Change::Rescheduled { from } if seat.is_none() => {
            withdraw(c, from.id, "the booking was rescheduled").await?;
            // Who stopped the reminders stays stopped at the new time.
            for email in store::opted_out(c, from.id).await? {
                store::opt_out(c, booking.id, &email).await?;
            }
        }
        Change::Cancelled { .. } if seat.is_none() => {
            withdraw(c, booking.id, "the booking was cancelled").await?;
        }
        Change::Rejected => withdraw(c, booking.id, "the booking was declined").await?,
        _ => {}
    }
    let fired = fired_by(change, seat);
    let stands = booking.status == BookingStatus::Accepted
        && matches!(change, Change::Created | Change::Rescheduled { .. });
    if fired.is_none() && !stands {
        return Ok(());
    }
    let mut scheduled = Vec::new();
    for plan in plans(c, booking).await? {
        let Some(at) = due_at(&plan.trigger, booking, fired, stands, now) else {
            continue;
        };
        for step in plan.steps.iter().filter(|s| sendable(outbox, s)) {
            let planned = Planned {
                booking_id: booking.id,
                workflow_id: plan.workflow_id,
                trigger: plan.trigger,
                step: step.clone(),
                at,
            };
            if enqueue(c, &planned).await? && plan.trigger.kind.timed() {
                scheduled.push(summary(&planned));
            }
        }
    }
    if !scheduled.is_empty() {
        note(
            c,
            booking.id,
            "reminders_scheduled",
            json!({ "reminders": scheduled }),
        )
        .await?;
    }
    Ok(())
}

/// Whether `step` can be sent here: email and text messages only where they are configured.
fn sendable(outbox: &Outbox, step: &Step) -> bool {
    (outbox.email || !step.is_email()) && (outbox.sms || !step.is_sms())
}

/// When `trigger` runs for `booking`: now if the change fired it; at its time if the booking
/// stands and that time is still ahead; else not at all.
fn due_at(
    trigger: &Trigger,
    booking: &BookingRecord,
    fired: Option<TriggerKind>,
    stands: bool,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let offset = Duration::minutes(i64::from(trigger.offset_minutes));
    let at = match trigger.kind {
        kind if Some(kind) == fired => return Some(now),
        TriggerKind::BeforeEvent if stands => booking.start_at - offset,
        TriggerKind::AfterEvent if stands => booking.end_at + offset,
        _ => return None,
    };
    (at > now).then_some(at)
}

/// What applies to the booking's event type (none once it is gone).
async fn plans(c: &mut Conn<'_>, booking: &BookingRecord) -> Result<Vec<Plan>, ServiceError> {
    match event_types::find_if_any(c, booking.event_type_id).await? {
        Some(event) => plans_of(c, &event).await,
        None => Ok(Vec::new()),
    }
}

/// Whether a booking of `event` will text its attendees: text messages are configured (`sms`)
/// and a workflow active on it has an `sms_attendee` step. Such a booking needs the
/// attendee's phone number.
pub async fn texts_attendees(
    c: &mut Conn<'_>,
    event: &EventType,
    sms: bool,
) -> Result<bool, ServiceError> {
    if !sms {
        return Ok(false);
    }
    let plans = plans_of(c, event).await?;
    let to_attendees = |s: &Step| s.action == Action::SmsAttendee;
    Ok(plans.iter().any(|p| p.steps.iter().any(to_attendees)))
}

/// The built-in reminders (when the event type has them on) and the workflows active on the
/// event type: its owner's, or its team's.
async fn plans_of(c: &mut Conn<'_>, event: &EventType) -> Result<Vec<Plan>, ServiceError> {
    let mut out: Vec<Plan> = Vec::new();
    if event.settings.page.default_reminders() {
        out.extend(DEFAULT_REMINDERS.iter().map(|&minutes| Plan {
            workflow_id: None,
            trigger: Trigger {
                kind: TriggerKind::BeforeEvent,
                offset_minutes: minutes,
            },
            steps: vec![Step::default_reminder()],
        }));
    }
    let Some(owner) = owner_of(event) else {
        return Ok(out);
    };
    for record in store::active_on(c, owner, event.record.id).await? {
        let workflow = Workflow::read(record, Vec::new())?;
        out.push(Plan {
            workflow_id: Some(workflow.record.id),
            trigger: workflow.trigger,
            steps: workflow.steps,
        });
    }
    Ok(out)
}

/// Whose workflows apply to an event type: its team's, or its owner's.
pub fn owner_of(event: &EventType) -> Option<WorkflowOwner> {
    match (event.record.team_id, event.record.owner_id) {
        (Some(team), _) => Some(WorkflowOwner::Team(team)),
        (None, Some(user)) => Some(WorkflowOwner::User(user)),
        (None, None) => None,
    }
}

/// Queues `planned` unless the same step was queued for this booking before.
async fn enqueue(c: &mut Conn<'_>, planned: &Planned) -> Result<bool, ServiceError> {
    // The offset is part of the key: a step moved to another time is another reminder, so a
    // step already sent at its old time does not keep it from its new one.
    let workflow = match planned.workflow_id {
        Some(id) => format!("{id}-{}", planned.trigger.offset_minutes),
        None => format!("default-{}", planned.trigger.offset_minutes),
    };
    let key = format!(
        "reminder:{}:{workflow}:{}:{}",
        planned.booking_id,
        planned.step.step_number,
        planned.trigger.kind.name()
    );
    let payload = serde_json::to_string(planned).expect("a reminder serialises");
    let job = NewJob {
        queue: QUEUE,
        kind: planned.trigger.kind.name(),
        payload: &payload,
        run_at: planned.at,
        max_attempts: MAX_ATTEMPTS,
    };
    Ok(jobs::enqueue_once(c, &job, Some(planned.booking_id), &key).await?)
}

/// A planned step as the booking's history lists it.
pub fn summary(planned: &Planned) -> Value {
    json!({
        "workflowId": planned.workflow_id,
        "stepNumber": planned.step.step_number,
        "trigger": planned.trigger.kind.name(),
        "offsetMinutes": planned.trigger.offset_minutes,
        "action": planned.step.action,
        "at": crate::webhooks::payload::js_iso(planned.at),
    })
}

/// Withdraws the booking's timed steps not yet run.
async fn withdraw(c: &mut Conn<'_>, booking_id: i64, reason: &str) -> Result<(), ServiceError> {
    let n = jobs::cancel_about(c, QUEUE, booking_id, &TIMED, reason).await?;
    if n > 0 {
        note(
            c,
            booking_id,
            "reminders_dropped",
            json!({ "count": n, "reason": reason }),
        )
        .await?;
    }
    Ok(())
}

/// A line in the booking's history, by the system.
pub async fn note(
    c: &mut Conn<'_>,
    booking_id: i64,
    action: &str,
    changes: Value,
) -> Result<(), ServiceError> {
    let entry = HistoryEntry {
        action: action.to_owned(),
        actor_kind: "system".to_owned(),
        actor_id: None,
        from_status: None,
        to_status: None,
        changes: changes.to_string(),
        reason: None,
    };
    bookings::append_note(c, booking_id, &entry).await?;
    Ok(())
}

/// Where a workflow applies: all its owner's event types, or those listed.
struct Coverage {
    every: bool,
    listed: Vec<i64>,
}

impl Coverage {
    fn of(workflow: Option<&Workflow>) -> Self {
        Self {
            every: workflow.is_some_and(|w| w.record.active_on_all),
            listed: workflow.map(|w| w.event_types.clone()).unwrap_or_default(),
        }
    }

    fn covers(&self, event_type: Option<i64>) -> bool {
        self.every || event_type.is_some_and(|e| self.listed.contains(&e))
    }
}

/// Whether an edit changes what a workflow schedules (not only its name).
fn replans(before: Option<&Workflow>, after: Option<&Workflow>) -> bool {
    match (before, after) {
        (Some(b), Some(a)) => {
            b.trigger != a.trigger
                || b.steps != a.steps
                || b.record.active_on_all != a.record.active_on_all
                || b.event_types != a.event_types
        }
        _ => true,
    }
}

/// Bookings re-planned per round: a bound on one query's list of ids.
const CHUNK: usize = 500;

/// Re-plans workflow `id`'s timed steps after it was created, edited (`before` → `after`) or
/// deleted (`after` is `None`), in the edit's transaction: the steps queued for the bookings it
/// covered are withdrawn, and the bookings that stand and that it covers now get its steps at
/// their new times, unless a time is already past (the runner's clock). An edit of the name
/// alone changes nothing.
pub async fn workflow_changed(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    owner: WorkflowOwner,
    id: i64,
    before: Option<&Workflow>,
    after: Option<&Workflow>,
) -> Result<(), ServiceError> {
    if !replans(before, after) {
        return Ok(());
    }
    let now = outbox.clock.now();
    let (old, new) = (Coverage::of(before), Coverage::of(after));
    let mut listed = old.listed.clone();
    listed.extend(&new.listed);
    let after_end = [before, after]
        .iter()
        .flatten()
        .filter(|w| w.trigger.kind == TriggerKind::AfterEvent)
        .map(|w| w.trigger.offset_minutes)
        .max()
        .unwrap_or(0);
    let since = now - Duration::minutes(i64::from(after_end));
    let standing =
        store::standing_bookings(c, owner, old.every || new.every, &listed, since).await?;
    for chunk in standing.chunks(CHUNK) {
        withdraw_workflow(c, id, chunk).await?;
        let Some(workflow) = after else { continue };
        for booking in chunk.iter().filter(|b| new.covers(b.event_type_id)) {
            plan_workflow(c, outbox, booking, workflow, now).await?;
        }
    }
    Ok(())
}

/// Withdraws workflow `id`'s timed steps queued for `bookings`.
async fn withdraw_workflow(
    c: &mut Conn<'_>,
    id: i64,
    bookings: &[BookingRecord],
) -> Result<(), ServiceError> {
    let ids: Vec<i64> = bookings.iter().map(|b| b.id).collect();
    let queued = jobs::queued_about(c, QUEUE, &ids, &TIMED).await?;
    let mine: Vec<(i64, String)> = queued
        .into_iter()
        .filter_map(|job| {
            let planned: Planned = serde_json::from_str(&job.payload).ok()?;
            (planned.workflow_id == Some(id)).then_some((planned.booking_id, job.id))
        })
        .collect();
    if mine.is_empty() {
        return Ok(());
    }
    let reason = "the workflow was edited";
    let job_ids: Vec<String> = mine.iter().map(|(_, job)| job.clone()).collect();
    jobs::withdraw(c, &job_ids, reason).await?;
    for booking in &ids {
        let count = mine.iter().filter(|(b, _)| b == booking).count();
        if count > 0 {
            let line = json!({ "count": count, "reason": reason, "workflowId": id });
            note(c, *booking, "reminders_dropped", line).await?;
        }
    }
    Ok(())
}

/// Queues `workflow`'s timed steps for `booking`, which stands, at their times still ahead.
async fn plan_workflow(
    c: &mut Conn<'_>,
    outbox: &Outbox,
    booking: &BookingRecord,
    workflow: &Workflow,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let Some(at) = due_at(&workflow.trigger, booking, None, true, now) else {
        return Ok(());
    };
    let mut scheduled = Vec::new();
    for step in workflow.steps.iter().filter(|s| sendable(outbox, s)) {
        let planned = Planned {
            booking_id: booking.id,
            workflow_id: Some(workflow.record.id),
            trigger: workflow.trigger,
            step: step.clone(),
            at,
        };
        if enqueue(c, &planned).await? {
            scheduled.push(summary(&planned));
        }
    }
    if !scheduled.is_empty() {
        let line = json!({ "reminders": scheduled, "reason": "the workflow was edited" });
        note(c, booking.id, "reminders_scheduled", line).await?;
    }
    Ok(())
}
