//! A routing form in the API's vocabulary: its questions (booking-question fields), its ordered
//! routes (conditions over the answers, all of which must hold, and an action) ending in one
//! fallback route, read from a request body and checked field by field, and the one rule that
//! picks a submission's route. No IO here: the event types a route names are checked by the
//! use cases.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::domain::text::{self, TextKind};
use crate::event_types::{BookingField, CHOICE_TYPES, read_questions};
use crate::service::ServiceError;
use crate::storage::StorageError;
use crate::storage::routing_forms::{FormFields, FormRecord};

const MAX_NAME: usize = 200;
const MAX_DESCRIPTION: usize = 2_000;
const MAX_MESSAGE: usize = 2_000;
const MAX_FIELDS: usize = 50;
const MAX_ROUTES: usize = 100;
const MAX_CONDITIONS: usize = 20;

fn invalid(field: &str, message: impl std::fmt::Display) -> ServiceError {
    ServiceError::Invalid(format!("{field}: {message}"))
}

/// How a condition compares a field's answer with its value (case is ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    /// The answer is the value (a list answer: exactly that one choice).
    Equals,
    /// Not [`Operator::Equals`]; an unanswered question is not equal.
    NotEquals,
    /// Text holds the value; a list answer has it among its choices.
    Contains,
    /// The answer (or one of a list answer's choices) is one of the values.
    AnyOf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The question's slug.
    pub field: String,
    pub operator: Operator,
    /// Text (or a number or boolean); a list of text for `any_of`.
    pub value: Value,
}

/// Where a route sends the person who submitted (Cal.com's action types).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Action {
    /// Book this event type; a team round-robin one only with these hosts, when given.
    EventTypeRedirectUrl {
        #[serde(rename = "eventTypeId")]
        event_type_id: i64,
        #[serde(
            rename = "teamMemberIds",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        team_member_ids: Option<Vec<i64>>,
    },
    CustomPageMessage {
        message: String,
    },
    ExternalRedirectUrl {
        url: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Route {
    #[serde(default)]
    pub conditions: Vec<Condition>,
    #[serde(default)]
    pub is_fallback: bool,
    pub action: Action,
}

/// A create or update body; absent fields keep their values on update.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FormInput {
    pub name: Option<String>,
    /// Absent: kept; `null`: cleared.
    #[serde(default, deserialize_with = "present")]
    pub description: Option<Option<String>>,
    pub fields: Option<Vec<Value>>,
    pub routes: Option<Vec<Value>>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// A stored form, read.
#[derive(Debug, Clone)]
pub struct Form {
    pub record: FormRecord,
    pub fields: Vec<BookingField>,
    pub routes: Vec<Route>,
}

/// A form that passed every check that needs no database.
#[derive(Debug, Clone)]
pub struct Checked {
    pub name: String,
    pub description: Option<String>,
    pub fields: Vec<BookingField>,
    pub routes: Vec<Route>,
}

impl Checked {
    pub fn columns(&self) -> FormFields {
        FormFields {
            name: self.name.clone(),
            description: self.description.clone(),
            fields: json!(self.fields).to_string(),
            routes: json!(self.routes).to_string(),
        }
    }
}

impl Form {
    pub fn read(record: FormRecord) -> Result<Self, ServiceError> {
        let corrupt = |column: &'static str, e: serde_json::Error| {
            ServiceError::Storage(StorageError::Corrupt {
                table: "routing_forms",
                column,
                id: record.id,
                message: e.to_string(),
            })
        };
        let fields = serde_json::from_str(&record.fields).map_err(|e| corrupt("fields", e))?;
        let routes = serde_json::from_str(&record.routes).map_err(|e| corrupt("routes", e))?;
        Ok(Self {
            record,
            fields,
            routes,
        })
    }

    /// The form as the update merges over: every field given.
    pub fn input(&self) -> FormInput {
        FormInput {
            name: Some(self.record.name.clone()),
            description: Some(self.record.description.clone()),
            fields: Some(self.fields.iter().map(|f| json!(f)).collect()),
            routes: Some(self.routes.iter().map(|r| json!(r)).collect()),
        }
    }

    pub fn to_json(&self) -> Value {
        let r = &self.record;
        json!({
            "id": r.id,
            "name": r.name,
            "description": r.description,
            "userId": r.user_id,
            "teamId": r.team_id,
            "fields": self.fields,
            "routes": self.routes,
            "createdAt": crate::webhooks::payload::js_iso(r.created_at),
            "updatedAt": crate::webhooks::payload::js_iso(r.updated_at),
        })
    }

    /// The route a submission's (checked) answers take: the first whose conditions all hold,
    /// else the fallback.
    pub fn route_for(&self, answers: &Map<String, Value>) -> &Route {
        let fallback = self.routes.iter().find(|r| r.is_fallback);
        self.routes
            .iter()
            .filter(|r| !r.is_fallback)
            .find(|r| r.conditions.iter().all(|c| c.holds(answers)))
            .or(fallback)
            .unwrap_or(&FALLBACK)
    }
}

/// What a form read from a database without a fallback route (never written so) answers.
static FALLBACK: Route = Route {
    conditions: Vec::new(),
    is_fallback: true,
    action: Action::CustomPageMessage {
        message: String::new(),
    },
};

/// An answer or a condition's value as the texts it compares: a list's items, a whole
/// number without its fraction.
fn texts(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().flat_map(texts).collect(),
        Value::String(s) => vec![s.trim().to_lowercase()],
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => vec![format!("{}", f as i64)],
            _ => vec![n.to_string()],
        },
        Value::Bool(b) => vec![b.to_string()],
        Value::Null | Value::Object(_) => Vec::new(),
    }
}

impl Condition {
    pub fn holds(&self, answers: &Map<String, Value>) -> bool {
        let answer = answers.get(&self.field).map(texts).unwrap_or_default();
        let wanted = texts(&self.value);
        match self.operator {
            Operator::Equals => answer.len() == 1 && wanted.first() == answer.first(),
            Operator::NotEquals => !(answer.len() == 1 && wanted.first() == answer.first()),
            Operator::Contains => match answers.get(&self.field) {
                Some(Value::Array(_)) => wanted.iter().all(|w| answer.contains(w)),
                _ => answer
                    .first()
                    .is_some_and(|a| wanted.first().is_some_and(|w| a.contains(w.as_str()))),
            },
            Operator::AnyOf => answer.iter().any(|a| wanted.contains(a)),
        }
    }
}

/// Checks a whole form (after an update's merge): name, questions, routes.
pub fn check(input: &FormInput) -> Result<Checked, ServiceError> {
    let name = input.name.clone().unwrap_or_default();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(invalid(
            "name",
            format!("is required: 1 to {MAX_NAME} characters"),
        ));
    }
    text::check(TextKind::Line, name).map_err(|m| invalid("name", m))?;
    let description = input.description.clone().flatten();
    if let Some(d) = &description {
        if d.chars().count() > MAX_DESCRIPTION {
            return Err(invalid(
                "description",
                format!("at most {MAX_DESCRIPTION} characters"),
            ));
        }
        text::check(TextKind::Lines, d).map_err(|m| invalid("description", m))?;
    }
    let raw_fields = input.fields.clone().unwrap_or_default();
    if raw_fields.is_empty() || raw_fields.len() > MAX_FIELDS {
        return Err(invalid("fields", format!("1 to {MAX_FIELDS} questions")));
    }
    // Questions are shown on a page and in emails: one line of text in every label and option.
    text::check_json(TextKind::Line, &Value::Array(raw_fields.clone()))
        .map_err(|m| ServiceError::Invalid(format!("fields{m}")))?;
    let fields =
        read_questions(&raw_fields).map_err(|e| invalid(&format!("fields{}", e.at), e.message))?;
    let routes = check_routes(input.routes.as_deref().unwrap_or_default(), &fields)?;
    Ok(Checked {
        name: name.to_owned(),
        description,
        fields,
        routes,
    })
}

fn check_routes(raw: &[Value], fields: &[BookingField]) -> Result<Vec<Route>, ServiceError> {
    if raw.is_empty() || raw.len() > MAX_ROUTES {
        return Err(invalid(
            "routes",
            format!("1 to {MAX_ROUTES} routes, the last one the fallback (`isFallback: true`)"),
        ));
    }
    let mut routes = Vec::new();
    for (i, value) in raw.iter().enumerate() {
        let at = format!("routes[{i}]");
        let route: Route = serde_path_to_error::deserialize(value.clone())
            .map_err(|e| invalid(&format!("{at}.{}", e.path()), e.into_inner()))?;
        let last = i + 1 == raw.len();
        match (route.is_fallback, last) {
            (true, false) => return Err(invalid(&at, "only the last route is the fallback")),
            (false, true) => {
                return Err(invalid(
                    &at,
                    "the last route must be the fallback (`isFallback: true`)",
                ));
            }
            (true, true) if !route.conditions.is_empty() => {
                return Err(invalid(
                    &format!("{at}.conditions"),
                    "the fallback has no conditions",
                ));
            }
            (false, false)
                if route.conditions.is_empty() || route.conditions.len() > MAX_CONDITIONS =>
            {
                return Err(invalid(
                    &format!("{at}.conditions"),
                    format!("1 to {MAX_CONDITIONS} conditions, all of which must hold"),
                ));
            }
            _ => {}
        }
        for (j, condition) in route.conditions.iter().enumerate() {
            check_condition(&format!("{at}.conditions[{j}]"), condition, fields)?;
        }
        check_action(&format!("{at}.action"), &route.action)?;
        routes.push(route);
    }
    Ok(routes)
}

fn check_condition(
    at: &str,
    condition: &Condition,
    fields: &[BookingField],
) -> Result<(), ServiceError> {
    let field = fields
        .iter()
        .find(|f| f.slug == condition.field)
        .ok_or_else(|| {
            invalid(
                &format!("{at}.field"),
                format!("`{}` is not one of this form's questions", condition.field),
            )
        })?;
    let value_at = format!("{at}.value");
    let values: Vec<&Value> = match (&condition.value, condition.operator) {
        (Value::Array(items), Operator::AnyOf) if !items.is_empty() => items.iter().collect(),
        (_, Operator::AnyOf) => return Err(invalid(&value_at, "any_of takes a non-empty list")),
        (v @ (Value::String(_) | Value::Number(_) | Value::Bool(_)), _) => vec![v],
        _ => return Err(invalid(&value_at, "must be text, a number or true/false")),
    };
    for value in values {
        text::check_json(TextKind::Line, value).map_err(|m| invalid(&value_at, m))?;
        let choice = CHOICE_TYPES.contains(&field.kind.as_str()) && !field.choices().is_empty();
        let known = |v: &Value| {
            texts(v).iter().all(|t| {
                field
                    .choices()
                    .iter()
                    .any(|o| &o.trim().to_lowercase() == t)
            })
        };
        if choice && !known(value) {
            return Err(invalid(
                &value_at,
                format!(
                    "{value} is not one of {}'s options: {}",
                    field.slug,
                    field.choices().join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn check_action(at: &str, action: &Action) -> Result<(), ServiceError> {
    match action {
        Action::EventTypeRedirectUrl {
            team_member_ids, ..
        } => match team_member_ids {
            Some(ids) if ids.is_empty() => Err(invalid(
                &format!("{at}.teamMemberIds"),
                "names at least one host, or is left out",
            )),
            _ => Ok(()),
        },
        Action::CustomPageMessage { message } => {
            if message.trim().is_empty() || message.chars().count() > MAX_MESSAGE {
                return Err(invalid(
                    &format!("{at}.message"),
                    format!("1 to {MAX_MESSAGE} characters"),
                ));
            }
            text::check(TextKind::Lines, message).map_err(|m| invalid(&format!("{at}.message"), m))
        }
        Action::ExternalRedirectUrl { url } => match url::Url::parse(url) {
            // The parser drops tabs and line breaks; the stored text becomes a Location header.
            Ok(u)
                if matches!(u.scheme(), "http" | "https")
                    && u.host().is_some()
                    && u.as_str().len() <= 2_000
                    && text::check(TextKind::Line, url).is_ok()
                    && !url.contains(' ') =>
            {
                Ok(())
            }
            _ => Err(invalid(
                &format!("{at}.url"),
                format!("`{url}` is not an http(s) URL"),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(routes: Value) -> Result<Checked, ServiceError> {
        check(&FormInput {
            name: Some("Intake".into()),
            description: None,
            fields: Some(vec![
                json!({"type": "select", "slug": "size", "label": "Size", "options": ["Small", "Large"]}),
                json!({"type": "text", "slug": "company", "label": "Company"}),
                json!({"type": "multiselect", "slug": "topics", "label": "Topics", "options": ["a", "b", "c"]}),
            ]),
            routes: routes.as_array().cloned(),
        })
    }

    fn routed(checked: Checked, answers: Value) -> Action {
        let record = FormRecord {
            id: 1,
            user_id: Some(1),
            team_id: None,
            name: checked.name.clone(),
            description: None,
            fields: String::new(),
            routes: String::new(),
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        };
        let form = Form {
            record,
            fields: checked.fields,
            routes: checked.routes,
        };
        form.route_for(answers.as_object().unwrap()).action.clone()
    }

    fn message(m: &str) -> Value {
        json!({"type": "customPageMessage", "message": m})
    }

    #[test]
    fn the_first_route_whose_conditions_all_hold_wins_else_the_fallback() {
        let routes = json!([
            {"conditions": [{"field": "size", "operator": "equals", "value": "large"},
                            {"field": "company", "operator": "contains", "value": "acme"}],
             "action": message("big acme")},
            {"conditions": [{"field": "topics", "operator": "any_of", "value": ["b", "c"]}], "action": message("topics")},
            {"conditions": [{"field": "size", "operator": "not_equals", "value": "Small"}], "action": message("not small")},
            {"isFallback": true, "action": message("fallback")},
        ]);
        let checked = || form(routes.clone()).unwrap();
        let says = |answers: Value| match routed(checked(), answers) {
            Action::CustomPageMessage { message } => message,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            says(json!({"size": "Large", "company": "The ACME corp"})),
            "big acme"
        );
        assert_eq!(
            says(json!({"size": "Large", "company": "Other"})),
            "not small"
        );
        assert_eq!(
            says(json!({"size": "Small", "topics": ["a", "c"]})),
            "topics"
        );
        assert_eq!(says(json!({"size": "Small", "topics": ["a"]})), "fallback");
        // Unanswered is not equal.
        assert_eq!(says(json!({})), "not small");
    }

    #[test]
    fn routes_are_refused_naming_the_part_at_fault() {
        let fallback = json!({"isFallback": true, "action": message("x")});
        let cases = [
            (json!([]), "routes:"),
            (
                json!([{"conditions": [{"field": "size", "operator": "equals", "value": "Small"}], "action": message("x")}]),
                "routes[0]:",
            ),
            (json!([fallback, fallback]), "routes[0]:"),
            (
                json!([{"conditions": [{"field": "nope", "operator": "equals", "value": "x"}], "action": message("x")}, fallback]),
                "routes[0].conditions[0].field:",
            ),
            (
                json!([{"conditions": [{"field": "size", "operator": "equals", "value": "Medium"}], "action": message("x")}, fallback]),
                "routes[0].conditions[0].value:",
            ),
            (
                json!([{"conditions": [{"field": "size", "operator": "any_of", "value": []}], "action": message("x")}, fallback]),
                "routes[0].conditions[0].value:",
            ),
            (
                json!([{"conditions": [{"field": "size", "operator": "like", "value": "x"}], "action": message("x")}, fallback]),
                "routes[0].conditions[0].operator:",
            ),
            (
                json!([{"isFallback": true, "action": {"type": "externalRedirectUrl", "url": "javascript:alert(1)"}}]),
                "routes[0].action.url:",
            ),
            (
                json!([{"isFallback": true, "action": {"type": "customPageMessage", "message": " "}}]),
                "routes[0].action.message:",
            ),
            (
                json!([{"isFallback": true, "action": {"type": "eventTypeRedirectUrl", "eventTypeId": 1, "teamMemberIds": []}}]),
                "routes[0].action.teamMemberIds:",
            ),
            (
                json!([{"isFallback": true, "action": {"type": "teleport"}}]),
                "routes[0].action",
            ),
        ];
        for (routes, at) in cases {
            let error = form(routes.clone()).unwrap_err().to_string();
            assert!(error.starts_with(at), "{routes}: {error}");
        }
    }
}
