//! The event type forms' inputs as data: a section lists its inputs (name, label, kind, value,
//! and the API field its errors name); one template renders them all, and an error of the use
//! case (the API's message, `field: message`) is placed next to the input it names.

use serde_json::{Map, Value};

use crate::event_types::EventTypeInput;

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>, current: &str) -> Self {
        let value = value.into();
        Self {
            selected: value == current,
            label: label.into(),
            value,
        }
    }
}

pub struct Input {
    /// The form key (the API's field name where there is one).
    pub name: &'static str,
    /// Unique on the page; set by [`FormSection::new`].
    pub id: String,
    pub label: String,
    /// `text`, `number`, `textarea`, `checkbox`, `select`, `date` or `url`.
    pub kind: &'static str,
    pub value: String,
    pub checked: bool,
    pub choices: Vec<Choice>,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub required: bool,
    /// The API field whose errors belong here (errors of its members too).
    api: &'static str,
}

impl Input {
    fn new(name: &'static str, label: &str, kind: &'static str, value: String) -> Self {
        Self {
            name,
            id: String::new(),
            label: label.to_owned(),
            kind,
            value,
            checked: false,
            choices: Vec::new(),
            hint: None,
            error: None,
            required: false,
            api: name,
        }
    }

    pub fn text(name: &'static str, label: &str, value: impl Into<String>) -> Self {
        Self::new(name, label, "text", value.into())
    }

    pub fn url(name: &'static str, label: &str, value: impl Into<String>) -> Self {
        Self::new(name, label, "url", value.into())
    }

    pub fn date(name: &'static str, label: &str, value: impl Into<String>) -> Self {
        Self::new(name, label, "date", value.into())
    }

    pub fn textarea(name: &'static str, label: &str, value: impl Into<String>) -> Self {
        Self::new(name, label, "textarea", value.into())
    }

    /// A number of minutes, days, seats…: the text as typed.
    pub fn number(name: &'static str, label: &str, value: impl Into<String>) -> Self {
        Self::new(name, label, "number", value.into())
    }

    /// A checkbox sending `value` when ticked.
    pub fn checkbox(name: &'static str, label: &str, checked: bool) -> Self {
        Self {
            checked,
            ..Self::new(name, label, "checkbox", "on".to_owned())
        }
    }

    pub fn select(name: &'static str, label: &str, choices: Vec<Choice>) -> Self {
        Self {
            choices,
            ..Self::new(name, label, "select", String::new())
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Errors naming `api` (or its members) are shown here.
    pub fn errors_of(mut self, api: &'static str) -> Self {
        self.api = api;
        self
    }

    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = value.into();
        self
    }
}

pub struct Group {
    pub legend: Option<String>,
    pub inputs: Vec<Input>,
}

impl Group {
    pub fn plain(inputs: Vec<Input>) -> Self {
        Self {
            legend: None,
            inputs,
        }
    }

    pub fn titled(legend: &str, inputs: Vec<Input>) -> Self {
        Self {
            legend: Some(legend.to_owned()),
            inputs,
        }
    }
}

/// A list a section edits item by item (booking questions, locations): each row can move,
/// go, or (with `edit`) be opened in the section's form.
pub struct Items {
    /// Where the move and remove buttons post (`op` and `key`).
    pub action: String,
    pub rows: Vec<Item>,
    pub empty: String,
}

pub struct Item {
    pub key: String,
    pub title: String,
    pub detail: String,
    pub edit: Option<String>,
    pub first: bool,
    pub last: bool,
}

/// One form of a page: its inputs in groups, where it posts, and the error it was refused
/// with (placed next to an input when one matches, else shown above the form).
pub struct FormSection {
    pub anchor: &'static str,
    pub title: String,
    pub items: Option<Items>,
    /// The form's own heading, under a list.
    pub form_title: Option<String>,
    pub action: String,
    pub hidden: Vec<(&'static str, String)>,
    pub groups: Vec<Group>,
    pub submit: String,
    pub error: Option<String>,
}

impl FormSection {
    pub fn new(anchor: &'static str, title: &str, action: String, groups: Vec<Group>) -> Self {
        let mut section = Self {
            anchor,
            title: title.to_owned(),
            items: None,
            form_title: None,
            action,
            hidden: Vec::new(),
            groups,
            submit: String::new(),
            error: None,
        };
        let mut seen: Vec<String> = Vec::new();
        for input in section.groups.iter_mut().flat_map(|g| g.inputs.iter_mut()) {
            let base = format!("{anchor}-{}", input.name.replace(['.', '_'], "-"));
            let mut id = base.clone();
            let mut n = 1;
            while seen.contains(&id) {
                n += 1;
                id = format!("{base}-{n}");
            }
            seen.push(id.clone());
            input.id = id;
        }
        section
    }

    pub fn submit(mut self, label: &str) -> Self {
        self.submit = label.to_owned();
        self
    }

    /// Shows `message` next to the input it names; returns that input's id (the section's
    /// anchor when none matches, and the message is then shown above the form).
    pub fn refuse(&mut self, message: &str) -> String {
        let path = error_path(message);
        let best = self
            .groups
            .iter_mut()
            .flat_map(|g| g.inputs.iter_mut())
            .filter(|i| names(i.api, &path))
            .max_by_key(|i| i.api.len());
        match best {
            Some(input) => {
                input.error = Some(message.to_owned());
                input.id.clone()
            }
            None => {
                self.error = Some(message.to_owned());
                self.anchor.to_owned()
            }
        }
    }
}

/// The field an API message names (`bookingFields[2].slug: …` -> `bookingFields.slug`).
fn error_path(message: &str) -> String {
    let field = message.split(": ").next().unwrap_or_default();
    let mut path = String::new();
    let mut in_index = false;
    for c in field.chars() {
        match c {
            '[' => in_index = true,
            ']' => in_index = false,
            _ if !in_index => path.push(c),
            _ => {}
        }
    }
    path
}

/// `api` is `path` or one of its parents.
fn names(api: &str, path: &str) -> bool {
    path == api
        || path
            .strip_prefix(api)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// A number typed in a form: blank is `None`, anything but a whole number is refused with a
/// message naming `field` as the API would.
pub fn number(field: &str, raw: &str) -> Result<Option<u32>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<u32>()
        .map(Some)
        .map_err(|_| format!("{field}: must be a whole number, 0 or more"))
}

/// [`number`] as JSON, for the members of setting objects.
pub fn number_value(field: &str, raw: &str) -> Result<Option<Value>, String> {
    Ok(number(field, raw)?.map(Value::from))
}

/// `input`'s fields named in `keys` as a partial update (the body of a PATCH): a key the form
/// left empty is sent as `null`, which clears the setting.
pub fn partial(input: &EventTypeInput, keys: &[&str]) -> Map<String, Value> {
    let mut all = match serde_json::to_value(input) {
        Ok(Value::Object(all)) => all,
        _ => Map::new(),
    };
    keys.iter()
        .map(|k| ((*k).to_owned(), all.remove(*k).unwrap_or(Value::Null)))
        .collect()
}

/// A checkbox's answer.
pub fn ticked(value: &Option<String>) -> bool {
    value.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section() -> FormSection {
        FormSection::new(
            "limits",
            "Limits",
            "/x".into(),
            vec![Group::plain(vec![
                Input::text("bookingWindow.type", "Window", ""),
                Input::number("bookingWindow.value", "Days", ""),
                Input::number("bookingLimitsCount.day", "Per day", ""),
                Input::text("slug", "Slug", ""),
                Input::text("locations.type", "Type", ""),
                Input::text("value", "Value", "").errors_of("locations"),
            ])],
        )
    }

    #[test]
    fn an_error_goes_next_to_the_input_it_names() {
        let cases = [
            (
                "bookingWindow.value[0]: not a date",
                "limits-bookingWindow-value",
            ),
            (
                "bookingLimitsCount.day: must be between 1 and 9",
                "limits-bookingLimitsCount-day",
            ),
            (
                "slug: an event type with slug `a` already exists here",
                "limits-slug",
            ),
            ("locations[2].address: is required", "limits-value"),
            (
                "locations[0].type: `x` is not one of …",
                "limits-locations-type",
            ),
            ("title: is required", "limits"),
            ("slugs: near miss", "limits"),
        ];
        for (message, id) in cases {
            let mut s = section();
            assert_eq!(s.refuse(message), id, "{message}");
        }
        let mut s = section();
        s.refuse("title: is required");
        assert_eq!(s.error.as_deref(), Some("title: is required"));
    }

    #[test]
    fn ids_are_unique() {
        let s = FormSection::new(
            "hosts",
            "Hosts",
            "/x".into(),
            vec![Group::plain(vec![
                Input::checkbox("host", "A", true),
                Input::checkbox("host", "B", false),
            ])],
        );
        let ids: Vec<&str> = s.groups[0].inputs.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["hosts-host", "hosts-host-2"]);
    }

    #[test]
    fn numbers_and_partial_updates() {
        assert_eq!(number("x", " 15 "), Ok(Some(15)));
        assert_eq!(number("x", ""), Ok(None));
        assert!(
            number("offsetStart", "-5")
                .unwrap_err()
                .starts_with("offsetStart: ")
        );
        let input = EventTypeInput {
            title: Some("T".into()),
            ..Default::default()
        };
        let changes = partial(&input, &["title", "slotInterval"]);
        assert_eq!(changes["title"], "T");
        assert_eq!(changes["slotInterval"], Value::Null);
        assert_eq!(changes.len(), 2);
    }
}
