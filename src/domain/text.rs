//! Which control characters free text from outside may hold: the one rule, for every request
//! parser (the API's bodies through the serde adapters here, the pages' forms through
//! [`check`]). PostgreSQL `text` cannot hold NUL while SQLite stores it, so refusing control
//! characters before anything is stored is also what keeps both backends answering the same.
//! No IO.

use serde::de::{Deserialize, Deserializer, Error};
use serde_json::Value;

/// What a text is, and so which control characters it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// One line: names, titles, slugs, emails, locales, time zones, URLs, ids, secrets. No
    /// control characters at all.
    Line,
    /// Text a person writes over several lines: descriptions, bios, templates, long answers,
    /// reasons. Line breaks (`\n`, `\r`) and tabs; no other control character.
    Lines,
}

impl TextKind {
    fn allows(self, c: char) -> bool {
        !c.is_control() || (self == Self::Lines && matches!(c, '\n' | '\r' | '\t'))
    }
}

/// `Ok` when `raw` holds only what `kind` allows; otherwise what is wrong, for a message that
/// the caller prefixes with the field's name.
pub fn check(kind: TextKind, raw: &str) -> Result<(), String> {
    match raw.chars().find(|c| !kind.allows(*c)) {
        None => Ok(()),
        Some(c) => Err(match kind {
            TextKind::Line => format!(
                "must not contain control characters (found U+{:04X})",
                u32::from(c)
            ),
            TextKind::Lines => format!(
                "must not contain control characters other than line breaks and tabs (found U+{:04X})",
                u32::from(c)
            ),
        }),
    }
}

/// Every string in a client's JSON (metadata, booking answers, settings objects): keys as
/// lines, values as `kind`. The error names the part at fault relative to the value
/// (`.source`, `[0].label`), so the caller can put its field name in front.
pub fn check_json(kind: TextKind, value: &Value) -> Result<(), String> {
    match value {
        Value::String(s) => check(kind, s),
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, item)| {
            check_json(kind, item).map_err(|m| format!("[{i}]{}", at(&m)))
        }),
        Value::Object(map) => check_object(kind, map),
        _ => Ok(()),
    }
}

fn check_object(kind: TextKind, map: &serde_json::Map<String, Value>) -> Result<(), String> {
    map.iter().try_for_each(|(key, item)| {
        check(TextKind::Line, key).map_err(|m| format!(".{key:?}: key {m}"))?;
        check_json(kind, item).map_err(|m| format!(".{key}{}", at(&m)))
    })
}

/// A nested message keeps its own path (`.a[0]: …`); a leaf gets `: `.
fn at(message: &str) -> String {
    if message.starts_with(['.', '[']) {
        message.to_owned()
    } else {
        format!(": {message}")
    }
}

/// A request value whose strings can be checked: what the serde adapters below accept.
pub trait Texts {
    fn check_texts(&self, kind: TextKind) -> Result<(), String>;
}

impl Texts for String {
    fn check_texts(&self, kind: TextKind) -> Result<(), String> {
        check(kind, self)
    }
}

impl Texts for Value {
    fn check_texts(&self, kind: TextKind) -> Result<(), String> {
        check_json(kind, self)
    }
}

impl Texts for serde_json::Map<String, Value> {
    fn check_texts(&self, kind: TextKind) -> Result<(), String> {
        check_object(kind, self)
    }
}

impl<T: Texts> Texts for Option<T> {
    fn check_texts(&self, kind: TextKind) -> Result<(), String> {
        self.as_ref().map_or(Ok(()), |t| t.check_texts(kind))
    }
}

impl<T: Texts> Texts for Vec<T> {
    fn check_texts(&self, kind: TextKind) -> Result<(), String> {
        self.iter()
            .enumerate()
            .try_for_each(|(i, t)| t.check_texts(kind).map_err(|m| format!("[{i}]{}", at(&m))))
    }
}

fn checked<'de, D, T>(deserializer: D, kind: TextKind) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Texts,
{
    let value = T::deserialize(deserializer)?;
    // serde_path_to_error puts the field's path in front of this message.
    value.check_texts(kind).map_err(D::Error::custom)?;
    Ok(value)
}

/// `#[serde(deserialize_with = "text::line")]`: a one-line field (a `String`, an `Option`, a
/// `Vec` of them, or JSON whose strings are all one line). With `Option`, add
/// `#[serde(default)]`.
pub fn line<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Texts,
{
    checked(deserializer, TextKind::Line)
}

/// `#[serde(deserialize_with = "text::lines")]`: a field that may span lines (see
/// [`TextKind::Lines`]); also JSON whose strings may (metadata, booking answers).
pub fn lines<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Texts,
{
    checked(deserializer, TextKind::Lines)
}

/// Where in a JSON document a string holds NUL (`attendee.name`, `items[2]`), if anywhere: the
/// last guard before storage, for any body a request parser did not type.
pub fn nul_in(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => s.contains('\0').then(String::new),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_in(v).map(|p| format!("[{i}]{p}"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                return Some(format!(".{}", k.escape_debug()));
            }
            nul_in(v).map(|p| format!(".{k}{p}"))
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_line_holds_no_control_character_and_lines_hold_breaks_and_tabs() {
        assert!(check(TextKind::Line, "Ada Lovelace — café").is_ok());
        for bad in ["a\0b", "a\nb", "a\tb", "a\u{1b}[31m", "a\u{7f}", "a\u{85}"] {
            assert!(check(TextKind::Line, bad).is_err(), "{bad:?}");
        }
        assert!(check(TextKind::Lines, "one\r\ntwo\n\tthree").is_ok());
        for bad in ["a\0b", "a\u{7}b", "a\u{1b}b", "a\u{9b}b"] {
            assert!(check(TextKind::Lines, bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            check(TextKind::Line, "a\0").unwrap_err(),
            "must not contain control characters (found U+0000)"
        );
    }

    #[test]
    fn json_errors_name_the_part_at_fault() {
        let value = json!({"ok": "fine\n", "list": [1, {"label": "a\u{0}"}]});
        assert_eq!(
            check_json(TextKind::Lines, &value).unwrap_err(),
            ".list[1].label: must not contain control characters other than line breaks and tabs (found U+0000)"
        );
        assert!(check_json(TextKind::Lines, &json!({"k\n": 1})).is_err());
        assert_eq!(nul_in(&value).as_deref(), Some(".list[1].label"));
        assert_eq!(nul_in(&json!({"a": ["x"]})), None);
    }

    #[test]
    fn the_serde_adapters_refuse_with_the_fields_path() {
        #[derive(Debug, serde::Deserialize)]
        struct Body {
            #[serde(default, deserialize_with = "line")]
            _title: Option<String>,
            #[serde(default, deserialize_with = "lines")]
            _notes: serde_json::Map<String, Value>,
        }
        let read = |raw: &str| {
            let mut de = serde_json::Deserializer::from_str(raw);
            serde_path_to_error::deserialize::<_, Body>(&mut de).map_err(|e| e.to_string())
        };
        assert!(read(r#"{"_title": "T", "_notes": {"a": "x\ny"}}"#).is_ok());
        let err = read(r#"{"_title": "a\u0000"}"#).unwrap_err();
        assert!(err.starts_with("_title: must not contain"), "{err}");
        let err = read(r#"{"_notes": {"a": "\u0001"}}"#).unwrap_err();
        assert!(err.starts_with("_notes: .a: must not contain"), "{err}");
    }
}
