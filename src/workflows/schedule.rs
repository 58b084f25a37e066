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

use super::model::{Step, Trigger, TriggerKind, Workflow};
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
/// is a copy: a workflow edited later changes the bookings changed after it.
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
        let sendable = |s: &&Step| (outbox.email || !s.is_email()) && (outbox.sms || !s.is_sms());
        for step in plan.steps.iter().filter(sendable) {
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
    Ok(plans.iter().any(|p| p.steps.iter().any(Step::is_sms)))
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
    let workflow = match planned.workflow_id {
        Some(id) => id.to_string(),
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
    bookings::append_history(c, booking_id, &entry).await?;
    Ok(())
}
