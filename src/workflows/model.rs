//! A workflow in Cal.com API v2's vocabulary: its trigger, its steps and where it is active,
//! read from a request body and checked field by field (messages name the field), and shown
//! back. No IO here: ownership of the event types and webhooks a workflow names is checked by
//! the use cases.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::domain::text::{self, TextKind};
use crate::domain::{Email, PhoneNumber};
use crate::service::ServiceError;
use crate::storage::workflows::{WorkflowFields, WorkflowRecord};

/// Most steps one workflow has.
const MAX_STEPS: usize = 10;
/// The longest offset: 30 days.
const MAX_OFFSET_MINUTES: u32 = 30 * 24 * 60;
const MAX_SUBJECT: usize = 500;
const MAX_BODY: usize = 50_000;

/// The most event types a workflow lists (beyond that: on all of them).
const MAX_EVENT_TYPES: usize = 500;

fn invalid(field: &str, message: impl std::fmt::Display) -> ServiceError {
    ServiceError::Invalid(format!("{field}: {message}"))
}

/// When a workflow runs: a booking change, or a time before the start or after the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerKind {
    BeforeEvent,
    AfterEvent,
    NewEvent,
    RescheduleEvent,
    EventCancelled,
    BookingRequested,
    BookingRejected,
}

impl TriggerKind {
    /// Every trigger's API name, as a form offers them.
    pub fn names() -> impl Iterator<Item = &'static str> {
        Self::ALL.iter().map(|t| t.1)
    }

    const ALL: [(Self, &'static str, &'static str); 7] = [
        (Self::BeforeEvent, "beforeEvent", "BEFORE_EVENT"),
        (Self::AfterEvent, "afterEvent", "AFTER_EVENT"),
        (Self::NewEvent, "newEvent", "NEW_EVENT"),
        (Self::RescheduleEvent, "rescheduleEvent", "RESCHEDULE_EVENT"),
        (Self::EventCancelled, "eventCancelled", "EVENT_CANCELLED"),
        (
            Self::BookingRequested,
            "bookingRequested",
            "BOOKING_REQUESTED",
        ),
        (Self::BookingRejected, "bookingRejected", "BOOKING_REJECTED"),
    ];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, n, _)| *n == raw)
            .map(|(k, _, _)| *k)
    }

    /// The API's name (`beforeEvent`), also the reminder jobs' `kind`.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(k, _, _)| *k == self)
            .map_or("", |t| t.1)
    }

    /// Cal.com's trigger constant (`BEFORE_EVENT`): a webhook step's `triggerEvent`.
    pub fn event(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(k, _, _)| *k == self)
            .map_or("", |t| t.2)
    }

    /// A time relative to the meeting, rather than a change to the booking.
    pub fn timed(self) -> bool {
        matches!(self, Self::BeforeEvent | Self::AfterEvent)
    }
}

/// A trigger with its offset (for the timed ones), as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trigger {
    #[serde(with = "trigger_name")]
    pub kind: TriggerKind,
    pub offset_minutes: u32,
}

mod trigger_name {
    use super::TriggerKind;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(kind: &TriggerKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(kind.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TriggerKind, D::Error> {
        let raw = String::deserialize(d)?;
        TriggerKind::parse(&raw).ok_or_else(|| serde::de::Error::custom("unknown trigger"))
    }
}

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    EmailAttendee,
    EmailHost,
    EmailAddress,
    /// A text message to each attendee who gave a phone number (E.164).
    SmsAttendee,
    /// A text message to the step's fixed number (`sendTo`, E.164; Cal.com's `SMS_NUMBER`).
    SmsNumber,
    /// Kairos: a call to one of the owner's webhook subscriptions.
    Webhook,
}

impl Action {
    /// Every action's API name, as a form offers them.
    pub const NAMES: [&'static str; 6] = [
        "email_attendee",
        "email_host",
        "email_address",
        "sms_attendee",
        "sms_number",
        "webhook",
    ];

    /// Cal.com's `recipient`.
    fn recipient(self) -> &'static str {
        match self {
            Self::EmailAttendee | Self::SmsAttendee => "attendee",
            Self::EmailHost => "host",
            Self::EmailAddress | Self::SmsNumber => "const",
            Self::Webhook => "webhook",
        }
    }
}

/// A step's own message (template `custom`): `{VARIABLES}` are filled in per recipient.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    #[serde(default, deserialize_with = "text::line")]
    pub subject: Option<String>,
    #[serde(default, deserialize_with = "text::lines")]
    pub html: Option<String>,
    /// The plain-text part; made from `html` when absent.
    #[serde(default, deserialize_with = "text::lines")]
    pub text: Option<String>,
}

/// One step, as given and as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    #[serde(default)]
    pub step_number: u32,
    pub action: Action,
    /// `reminder` (Kairos' English text) or `custom` (`message`).
    #[serde(default = "reminder")]
    pub template: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "text::line")]
    pub send_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "text::line")]
    pub webhook_id: Option<String>,
    #[serde(default)]
    pub include_calendar_event: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
}

fn reminder() -> String {
    "reminder".to_owned()
}

impl Step {
    /// Kairos' built-in reminder: an email to the attendees, in the reminder template.
    pub fn default_reminder() -> Self {
        Self {
            step_number: 1,
            action: Action::EmailAttendee,
            template: reminder(),
            send_to: None,
            webhook_id: None,
            include_calendar_event: false,
            message: None,
        }
    }

    pub fn is_email(&self) -> bool {
        matches!(
            self.action,
            Action::EmailAttendee | Action::EmailHost | Action::EmailAddress
        )
    }

    pub fn is_sms(&self) -> bool {
        matches!(self.action, Action::SmsAttendee | Action::SmsNumber)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activation {
    #[serde(default)]
    pub is_active_on_all_event_types: bool,
    #[serde(default)]
    pub active_on_event_type_ids: Vec<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Offset {
    pub value: u32,
    #[serde(deserialize_with = "text::line")]
    pub unit: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TriggerInput {
    #[serde(rename = "type", deserialize_with = "text::line")]
    pub kind: String,
    #[serde(default)]
    pub offset: Option<Offset>,
}

/// The body of a create, or of a partial update (absent fields keep their values).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowInput {
    #[serde(default, deserialize_with = "text::line")]
    pub name: Option<String>,
    #[serde(default)]
    pub activation: Option<Activation>,
    #[serde(default)]
    pub trigger: Option<TriggerInput>,
    #[serde(default)]
    pub steps: Option<Vec<Value>>,
}

/// A checked workflow, ready to store; `event_types` still to be checked as the owner's.
#[derive(Debug, Clone)]
pub struct Checked {
    pub fields: WorkflowFields,
    pub trigger: Trigger,
    pub event_types: Vec<i64>,
    pub steps: Vec<Step>,
}

fn unit_minutes(unit: &str) -> Option<u32> {
    match unit {
        "minute" => Some(1),
        "hour" => Some(60),
        "day" => Some(24 * 60),
        _ => None,
    }
}

fn trigger(input: &TriggerInput) -> Result<(Trigger, String), ServiceError> {
    let kind = TriggerKind::parse(&input.kind).ok_or_else(|| {
        let names: Vec<&str> = TriggerKind::ALL.iter().map(|t| t.1).collect();
        invalid(
            "trigger.type",
            format!("must be one of {}", names.join(", ")),
        )
    })?;
    if !kind.timed() {
        return Ok((
            Trigger {
                kind,
                offset_minutes: 0,
            },
            "hour".to_owned(),
        ));
    }
    let offset = input.offset.as_ref().ok_or_else(|| {
        invalid(
            "trigger.offset",
            "is required for beforeEvent and afterEvent: {\"value\": 24, \"unit\": \"hour\"}",
        )
    })?;
    let per = unit_minutes(&offset.unit)
        .ok_or_else(|| invalid("trigger.offset.unit", "must be minute, hour or day"))?;
    let minutes = offset.value.saturating_mul(per);
    if minutes > MAX_OFFSET_MINUTES {
        return Err(invalid("trigger.offset.value", "must be at most 30 days"));
    }
    Ok((
        Trigger {
            kind,
            offset_minutes: minutes,
        },
        offset.unit.clone(),
    ))
}

fn step(raw: &Value, i: usize) -> Result<Step, ServiceError> {
    let field = format!("steps[{i}]");
    if let Some(action) = raw.get("action").and_then(Value::as_str)
        && action.starts_with("whatsapp_")
    {
        return Err(invalid(
            &format!("{field}.action"),
            "WhatsApp steps are not available; sms_attendee texts the attendees, sms_number a \
             fixed number",
        ));
    }
    let mut step: Step = serde_path_to_error::deserialize(raw)
        .map_err(|e| invalid(&format!("{field}.{}", e.path()), e.into_inner()))?;
    step.step_number = u32::try_from(i + 1).unwrap_or(u32::MAX);
    check_target(&mut step, &field)?;
    check_message(&step, &field)?;
    Ok(step)
}

fn check_target(step: &mut Step, field: &str) -> Result<(), ServiceError> {
    match step.action {
        Action::EmailAddress => {
            let to = step.send_to.as_deref().unwrap_or_default();
            let email = Email::parse(to).map_err(|e| {
                invalid(
                    &format!("{field}.sendTo"),
                    format!("is required with email_address: {e}"),
                )
            })?;
            step.send_to = Some(email.to_string());
        }
        Action::SmsNumber => {
            let to = step.send_to.as_deref().unwrap_or_default();
            let phone = PhoneNumber::parse(to).map_err(|e| {
                invalid(
                    &format!("{field}.sendTo"),
                    format!("is required with sms_number: {e}"),
                )
            })?;
            step.send_to = Some(phone.to_string());
        }
        Action::Webhook => {
            if step.webhook_id.as_deref().is_none_or(str::is_empty) {
                return Err(invalid(
                    &format!("{field}.webhookId"),
                    "is required with webhook: the id of one of your webhook subscriptions",
                ));
            }
        }
        Action::EmailAttendee | Action::EmailHost | Action::SmsAttendee => {}
    }
    Ok(())
}

fn check_message(step: &Step, field: &str) -> Result<(), ServiceError> {
    match step.template.as_str() {
        "reminder" => Ok(()),
        "custom" => {
            let message = step.message.clone().unwrap_or_default();
            if step.is_email() && message.subject.as_deref().is_none_or(str::is_empty) {
                return Err(invalid(
                    &format!("{field}.message.subject"),
                    "is required with template custom",
                ));
            }
            let body = message
                .html
                .as_deref()
                .or(message.text.as_deref())
                .unwrap_or_default();
            if step.is_email() && body.trim().is_empty() {
                return Err(invalid(
                    &format!("{field}.message.html"),
                    "is required with template custom",
                ));
            }
            let long = message
                .subject
                .as_deref()
                .unwrap_or_default()
                .chars()
                .count()
                > MAX_SUBJECT
                || [message.html.as_deref(), message.text.as_deref()]
                    .iter()
                    .any(|b| b.unwrap_or_default().len() > MAX_BODY);
            if long {
                return Err(invalid(
                    &format!("{field}.message"),
                    "the subject is at most 500 characters, each body at most 50,000 bytes",
                ));
            }
            Ok(())
        }
        other => Err(invalid(
            &format!("{field}.template"),
            format!("`{other}` is not reminder or custom"),
        )),
    }
}

/// Checks a complete input (a create, or an update merged over the stored workflow).
pub fn check(input: &WorkflowInput) -> Result<Checked, ServiceError> {
    let name = input
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| invalid("name", "is required"))?;
    if name.chars().count() > 200 {
        return Err(invalid("name", "must be at most 200 characters"));
    }
    text::check(TextKind::Line, name).map_err(|e| invalid("name", e))?;
    let given = input
        .trigger
        .as_ref()
        .ok_or_else(|| invalid("trigger", "is required"))?;
    let (trigger, unit) = trigger(given)?;
    let raw_steps = input.steps.as_deref().unwrap_or_default();
    if raw_steps.is_empty() || raw_steps.len() > MAX_STEPS {
        return Err(invalid("steps", "must list 1 to 10 steps"));
    }
    let steps = (raw_steps.iter().enumerate())
        .map(|(i, raw)| step(raw, i))
        .collect::<Result<Vec<_>, _>>()?;
    let activation = input.activation.clone().unwrap_or_default();
    let mut event_types = activation.active_on_event_type_ids;
    event_types.sort_unstable();
    event_types.dedup();
    if event_types.len() > MAX_EVENT_TYPES {
        return Err(invalid(
            "activation.activeOnEventTypeIds",
            format!("at most {MAX_EVENT_TYPES} event types; use isActiveOnAllEventTypes"),
        ));
    }
    Ok(Checked {
        fields: WorkflowFields {
            name: name.to_owned(),
            trigger_type: trigger.kind.name().to_owned(),
            offset_minutes: trigger.offset_minutes as i32,
            offset_unit: unit,
            active_on_all: activation.is_active_on_all_event_types,
            steps: serde_json::to_string(&steps).expect("steps serialise"),
        },
        trigger,
        event_types,
        steps,
    })
}

/// A stored workflow, read.
#[derive(Debug, Clone)]
pub struct Workflow {
    pub record: WorkflowRecord,
    pub trigger: Trigger,
    pub steps: Vec<Step>,
    pub event_types: Vec<i64>,
}

impl Workflow {
    pub fn read(record: WorkflowRecord, event_types: Vec<i64>) -> Result<Self, ServiceError> {
        let corrupt =
            |m: String| ServiceError::Internal(anyhow::anyhow!("workflow {}: {m}", record.id));
        let kind = TriggerKind::parse(&record.trigger_type)
            .ok_or_else(|| corrupt(format!("unknown trigger {}", record.trigger_type)))?;
        let steps: Vec<Step> =
            serde_json::from_str(&record.steps).map_err(|e| corrupt(e.to_string()))?;
        Ok(Self {
            trigger: Trigger {
                kind,
                offset_minutes: record.offset_minutes.max(0) as u32,
            },
            record,
            steps,
            event_types,
        })
    }

    /// The API's view, in Cal.com's shape.
    pub fn to_json(&self) -> Value {
        let r = &self.record;
        let per = unit_minutes(&r.offset_unit).unwrap_or(60);
        let steps: Vec<Value> = self.steps.iter().map(step_json).collect();
        json!({
            "id": r.id,
            "name": r.name,
            "type": "event-type",
            "userId": r.user_id,
            "teamId": r.team_id,
            "activation": {
                "isActiveOnAllEventTypes": r.active_on_all,
                "activeOnEventTypeIds": self.event_types,
            },
            "trigger": {
                "type": self.trigger.kind.name(),
                "offset": {"value": self.trigger.offset_minutes / per, "unit": r.offset_unit},
            },
            "steps": steps,
            "createdAt": crate::webhooks::payload::js_iso(r.created_at),
            "updatedAt": crate::webhooks::payload::js_iso(r.updated_at),
        })
    }

    /// The input that shows this workflow (the base a partial update is merged over).
    pub fn input(&self) -> WorkflowInput {
        let r = &self.record;
        let per = unit_minutes(&r.offset_unit).unwrap_or(60);
        WorkflowInput {
            name: Some(r.name.clone()),
            activation: Some(Activation {
                is_active_on_all_event_types: r.active_on_all,
                active_on_event_type_ids: self.event_types.clone(),
            }),
            trigger: Some(TriggerInput {
                kind: self.trigger.kind.name().to_owned(),
                offset: Some(Offset {
                    value: self.trigger.offset_minutes / per,
                    unit: r.offset_unit.clone(),
                }),
            }),
            steps: Some(self.steps.iter().map(|s| json!(s)).collect()),
        }
    }
}

fn step_json(s: &Step) -> Value {
    let mut out = json!(s);
    out["id"] = json!(s.step_number);
    out["recipient"] = json!(s.action.recipient());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(body: Value) -> WorkflowInput {
        serde_json::from_value(body).unwrap()
    }

    #[test]
    fn a_reminder_workflow_reads_with_its_offset_in_minutes() {
        let checked = check(&input(json!({
            "name": "Day before",
            "trigger": {"type": "beforeEvent", "offset": {"value": 24, "unit": "hour"}},
            "steps": [{"action": "email_attendee", "template": "reminder"}],
        })))
        .unwrap();
        assert_eq!(checked.fields.offset_minutes, 24 * 60);
        assert_eq!(checked.steps[0].step_number, 1);
    }

    #[test]
    fn bad_steps_are_refused_by_field() {
        let cases = [
            (json!([{"action": "email_address"}]), "steps[0].sendTo"),
            (json!([{"action": "webhook"}]), "steps[0].webhookId"),
            (
                json!([{"action": "sms_number", "sendTo": "555-0123"}]),
                "steps[0].sendTo",
            ),
            (json!([{"action": "sms_number"}]), "steps[0].sendTo"),
            (json!([{"action": "whatsapp_number"}]), "steps[0].action"),
            (json!([{"action": "fax"}]), "steps[0].action"),
            (
                json!([{"action": "email_host", "template": "custom"}]),
                "steps[0].message.subject",
            ),
            (
                json!([{"action": "email_host", "template": "rating"}]),
                "steps[0].template",
            ),
            (json!([]), "steps"),
        ];
        for (steps, field) in cases {
            let body = json!({"name": "x", "trigger": {"type": "newEvent"}, "steps": steps});
            let error = check(&input(body)).unwrap_err().to_string();
            assert!(error.contains(field), "{field}: {error}");
        }
        let body = json!({"name": "x", "trigger": {"type": "beforeEvent"}, "steps": [{"action": "email_host"}]});
        assert!(
            check(&input(body))
                .unwrap_err()
                .to_string()
                .contains("trigger.offset")
        );
    }
}
