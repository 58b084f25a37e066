//! Cal.com custom payload templates.
//!
//! Owns rendering a subscription's `payloadTemplate` into a request body. Cal.com compiles the
//! template with Handlebars; this module implements the subset Cal.com documents and users
//! write in practice: `{{path}}` (HTML-escaped), `{{{path}}}` (raw) and `{{! comments }}`.
//! Block helpers (`{{#if}}`, `{{#each}}`, `{{/if}}`), helper calls with arguments, partials and
//! whitespace control (`{{~x~}}`) are not supported: such tags are left in the output
//! unchanged, so a receiver sees the template text rather than a silently wrong value.

use std::borrow::Cow;

use serde_json::Value;

/// Content type of a templated body whose template is JSON.
pub const JSON: &str = "application/json";

/// Content type Cal.com declares for a template that is not JSON. The body is the rendered
/// text as is; despite the name it is not URL-encoded.
pub const FORM: &str = "application/x-www-form-urlencoded";

/// The rendering context for a standard envelope `{triggerEvent, createdAt, payload}`:
/// `{...payload, triggerEvent, createdAt}`, so templates address payload fields at the top
/// level (`{{title}}`, `{{organizer.name}}`).
///
/// Key order follows the JavaScript spread Cal.com uses: payload fields first, then the two
/// envelope fields; a payload key of the same name keeps its position but takes the envelope's
/// value. Anything without an object `payload` (flat and generic envelopes) is its own context,
/// which is what Cal.com does for generic events (`{{payload.*}}`).
pub fn context(envelope: &Value) -> Value {
    let Some(Value::Object(payload)) = envelope.get("payload") else {
        return envelope.clone();
    };
    let mut context = payload.clone();
    for key in ["triggerEvent", "createdAt"] {
        if let Some(value) = envelope.get(key) {
            context.insert(key.to_owned(), value.clone());
        }
    }
    Value::Object(context)
}

/// Renders `template` against `context` the way Cal.com's `applyTemplate` does before its
/// JSON step: Handlebars substitution, then every `&quot;` in the output turned back into `"`.
///
/// Values render like JavaScript's `String()`, which is what Handlebars uses: strings as is,
/// numbers and booleans as JSON text, `null` and missing values as nothing, objects as
/// `[object Object]`, arrays as their elements' renderings joined with `,`.
pub fn render(template: &str, context: &Value) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let tag = &rest[start..];
        match expand(tag, context) {
            Some((text, consumed)) => {
                out.push_str(&text);
                rest = &tag[consumed..];
            }
            None => {
                // Not a tag we understand: keep the braces and scan on after them, so the
                // text inside (and any real tag nested later) is handled normally.
                out.push_str("{{");
                rest = &tag[2..];
            }
        }
    }
    out.push_str(rest);
    // Cal.com applies this to the whole compiled output, literal template text included.
    out.replace("&quot;", "\"")
}

/// The request body for a templated delivery and its content type, as Cal.com's `sendPayload`
/// decides them.
///
/// A template that parses as JSON (with the `{{tags}}` still inside its strings) yields a JSON
/// body: the rendered text is parsed and serialized again compactly. When the rendered text is
/// no longer JSON (say a value contained a `"`), Cal.com sends the literal `false`; we send the
/// rendered text instead, which at least carries the data. A template that is not JSON is sent
/// as rendered, labelled `application/x-www-form-urlencoded`.
///
/// Callers should treat an empty template as no template: Cal.com then sends the standard
/// envelope.
pub fn body(template: &str, context: &Value) -> (String, &'static str) {
    let rendered = render(template, context);
    if !template_is_json(template) {
        return (rendered, FORM);
    }
    match serde_json::from_str::<Value>(&rendered) {
        Ok(value) => (serde_json::to_string(&value).unwrap_or(rendered), JSON),
        Err(_) => (rendered, JSON),
    }
}

/// Cal.com tests `jsonParse(template)` for truthiness, so templates whose JSON value is falsy in
/// JavaScript (`false`, `null`, `0`, `""`) count as not JSON. We mirror that so the content type
/// matches.
fn template_is_json(template: &str) -> bool {
    match serde_json::from_str::<Value>(template) {
        Ok(Value::Null) | Err(_) => false,
        Ok(Value::Bool(b)) => b,
        Ok(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Ok(Value::String(s)) => !s.is_empty(),
        Ok(Value::Array(_) | Value::Object(_)) => true,
    }
}

/// Expands the tag at the start of `tag` (which starts with `{{`). Returns the replacement text
/// and how many bytes of `tag` it consumed, or `None` if this is not a supported tag.
fn expand(tag: &str, context: &Value) -> Option<(String, usize)> {
    if let Some(inner) = tag.strip_prefix("{{!--") {
        let end = inner.find("--}}")?;
        return Some((String::new(), 5 + end + 4));
    }
    if let Some(inner) = tag.strip_prefix("{{!") {
        let end = inner.find("}}")?;
        return Some((String::new(), 3 + end + 2));
    }
    if let Some(inner) = tag.strip_prefix("{{{") {
        let end = inner.find("}}}")?;
        let path = parse_path(inner[..end].trim())?;
        return Some((value_text(&path, context), 3 + end + 3));
    }
    let inner = &tag[2..];
    let end = inner.find("}}")?;
    let path = parse_path(inner[..end].trim())?;
    Some((escape(&value_text(&path, context)), 2 + end + 2))
}

/// Splits a Handlebars path expression (`a.b.0`, `a/b`, `a.[odd key]`) into its segments, or
/// `None` if it is not a plain path (helpers, block tags, literals, `this`-relative forms…).
fn parse_path(expression: &str) -> Option<Vec<String>> {
    let mut segments = Vec::new();
    let mut rest = expression;
    loop {
        let (segment, after) = if let Some(bracketed) = rest.strip_prefix('[') {
            let end = bracketed.find(']')?;
            (&bracketed[..end], &bracketed[end + 1..])
        } else {
            let end = rest.find(['.', '/']).unwrap_or(rest.len());
            let segment = &rest[..end];
            if segment.is_empty() || !segment.chars().all(is_id_char) {
                return None;
            }
            (segment, &rest[end..])
        };
        segments.push(segment.to_owned());
        if after.is_empty() {
            return Some(segments);
        }
        let mut separators = after.chars();
        match separators.next() {
            Some('.' | '/') => rest = separators.as_str(),
            _ => return None,
        }
        if rest.is_empty() {
            return None;
        }
    }
}

/// Characters Handlebars allows in an identifier (the complement of its lexer's `ID` class).
fn is_id_char(c: char) -> bool {
    !c.is_whitespace()
        && !matches!(
            c,
            '!' | '"'
                | '#'
                | '%'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | '+'
                | ','
                | '.'
                | '/'
                | ';'
                | '<'
                | '='
                | '>'
                | '@'
                | '['
                | '\\'
                | ']'
                | '^'
                | '`'
                | '{'
                | '|'
                | '}'
                | '~'
        )
}

fn value_text(path: &[String], context: &Value) -> String {
    lookup(context, path).map_or_else(String::new, |value| js_string(&value))
}

/// Follows `path` through objects (by key) and arrays (by decimal index). Arrays also answer
/// `length`, an own property in JavaScript that Handlebars therefore exposes.
fn lookup<'a>(context: &'a Value, path: &[String]) -> Option<Cow<'a, Value>> {
    let mut current = context;
    for (position, segment) in path.iter().enumerate() {
        current = match current {
            Value::Object(map) => map.get(segment.as_str())?,
            Value::Array(items) => {
                if segment == "length" && position + 1 == path.len() {
                    return Some(Cow::Owned(Value::from(items.len())));
                }
                items.get(array_index(segment)?)?
            }
            _ => return None,
        };
    }
    Some(Cow::Borrowed(current))
}

/// A JavaScript array index: decimal digits without a sign or leading zero.
fn array_index(segment: &str) -> Option<usize> {
    let canonical = !segment.is_empty()
        && segment.bytes().all(|b| b.is_ascii_digit())
        && (segment == "0" || !segment.starts_with('0'));
    if canonical {
        segment.parse().ok()
    } else {
        None
    }
}

/// JavaScript's `String(value)` for JSON values, with Handlebars' rule that `null` renders as
/// nothing.
fn js_string(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => js_number(n),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(js_string).collect::<Vec<_>>().join(","),
        Value::Object(_) => "[object Object]".to_owned(),
    }
}

/// JavaScript prints integral floats without a fraction (`1`, not `1.0`).
fn js_number(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        _ => n.to_string(),
    }
}

/// Handlebars' `escapeExpression` (also what workflow messages escape HTML with).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '`' => out.push_str("&#x60;"),
            '=' => out.push_str("&#x3D;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const EXAMPLES: &str = include_str!("../../tests/fixtures/calcom-webhook-examples.json");

    fn created_context() -> Value {
        let examples: Value = serde_json::from_str(EXAMPLES).expect("examples file is JSON");
        context(&examples["BOOKING_CREATED"])
    }

    #[test]
    fn docs_example_renders_against_booking_created() {
        let template = r#"{"content":"A new event has been scheduled","type":"{{type}}","name":"{{title}}","organizer":"{{organizer.name}}","booker":"{{attendees.0.name}}"}"#;
        let (body, content_type) = body(template, &created_context());
        assert_eq!(content_type, JSON);
        assert_eq!(
            body,
            r#"{"content":"A new event has been scheduled","type":"intro-call","name":"Intro Call between Ada Host and Grace Booker","organizer":"Ada Host","booker":"Grace Booker"}"#
        );
    }

    #[test]
    fn context_puts_payload_fields_first_then_envelope_fields() {
        let envelope = json!({
            "triggerEvent": "BOOKING_CREATED",
            "createdAt": "2030-03-01T09:14:27.512Z",
            "payload": {"title": "T", "uid": "u"}
        });
        let context = context(&envelope);
        let keys: Vec<&str> = context
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["title", "uid", "triggerEvent", "createdAt"]);
        assert_eq!(
            render("{{triggerEvent}} {{createdAt}} {{uid}}", &context),
            "BOOKING_CREATED 2030-03-01T09:14:27.512Z u"
        );
    }

    #[test]
    fn context_of_a_flat_envelope_is_the_envelope() {
        let envelope = json!({"triggerEvent": "MEETING_ENDED", "uid": "u"});
        assert_eq!(context(&envelope), envelope);
    }

    #[test]
    fn context_of_the_example_envelope_exposes_nested_fields() {
        let context = created_context();
        assert_eq!(
            render(
                "{{metadata.videoCallUrl}}|{{responses.notes.value}}|{{triggerEvent}}|{{bookingId}}",
                &context
            ),
            "https://cal.example.com/video/k3TqB9xY7hWm2RcN5pLdVa|Looking forward to it|BOOKING_CREATED|9001"
        );
    }

    #[test]
    fn escapes_like_handlebars_but_keeps_quotes() {
        let context = json!({"name": "O'Brien & Co <x>", "q": "say \"hi\"", "eq": "a=b`c"});
        assert_eq!(
            render("{{name}}", &context),
            "O&#x27;Brien &amp; Co &lt;x&gt;"
        );
        assert_eq!(render("{{q}}", &context), "say \"hi\"");
        assert_eq!(render("{{eq}}", &context), "a&#x3D;b&#x60;c");
    }

    #[test]
    fn triple_stash_is_not_escaped() {
        let context = json!({"name": "O'Brien & Co <x>"});
        assert_eq!(render("{{{name}}}", &context), "O'Brien & Co <x>");
        assert_eq!(render("{{{ name }}}", &context), "O'Brien & Co <x>");
    }

    #[test]
    fn whitespace_inside_braces_is_allowed() {
        let context = json!({"title": "Intro"});
        assert_eq!(
            render("[{{ title }}] [{{title}}] [{{  title\t}}]", &context),
            "[Intro] [Intro] [Intro]"
        );
    }

    #[test]
    fn missing_paths_render_empty() {
        let context = json!({"a": {"b": 1}, "list": [1], "s": "text"});
        assert_eq!(render("<{{nope}}>", &context), "<>");
        assert_eq!(
            render(
                "[{{a.c}}][{{a.b.c}}][{{list.5}}][{{s.x}}][{{list.x}}]",
                &context
            ),
            "[][][][][]"
        );
    }

    #[test]
    fn array_indexes_and_length() {
        let context = json!({"attendees": [{"email": "a@x"}, {"email": "b@x"}]});
        assert_eq!(render("{{attendees.0.email}}", &context), "a@x");
        assert_eq!(render("{{attendees.1.email}}", &context), "b@x");
        assert_eq!(render("{{attendees.[1].email}}", &context), "b@x");
        assert_eq!(render("{{attendees/0/email}}", &context), "a@x");
        assert_eq!(render("{{attendees.01.email}}", &context), "");
        assert_eq!(render("{{attendees.length}}", &context), "2");
    }

    #[test]
    fn values_render_like_javascript_strings() {
        let context = json!({
            "n": 60, "neg": -240, "f": 1.5, "whole": 2.0, "t": true, "f0": false,
            "null": null, "obj": {"a": 1}, "arr": ["a", 1, null, ["b", "c"], {"x": 1}]
        });
        assert_eq!(
            render(
                "{{n}}|{{neg}}|{{f}}|{{whole}}|{{t}}|{{f0}}|{{null}}|{{obj}}",
                &context
            ),
            "60|-240|1.5|2|true|false||[object Object]"
        );
        assert_eq!(render("{{{arr}}}", &context), "a,1,,b,c,[object Object]");
    }

    #[test]
    fn unsupported_tags_are_left_as_is() {
        let context = json!({"x": "y", "flag": true});
        assert_eq!(
            render("{{#if flag}}{{x}}{{/if}}", &context),
            "{{#if flag}}y{{/if}}"
        );
        assert_eq!(
            render("{{lookup x 1}} {{~x~}} {{x", &context),
            "{{lookup x 1}} {{~x~}} {{x"
        );
        assert_eq!(
            render("{{a..b}} {{.}} {{a.}}", &context),
            "{{a..b}} {{.}} {{a.}}"
        );
    }

    #[test]
    fn comments_render_nothing() {
        let context = json!({"x": "y"});
        assert_eq!(
            render("a{{! note }}b{{!-- has }} inside --}}c{{x}}", &context),
            "abcy"
        );
    }

    #[test]
    fn literal_quot_entities_in_the_template_become_quotes() {
        assert_eq!(render("a &quot;b&quot; &amp;", &json!({})), "a \"b\" &amp;");
    }

    #[test]
    fn json_template_is_reserialized_compactly() {
        let template = "{\n  \"name\": \"{{title}}\",\n  \"n\": 1\n}";
        let (body, content_type) = body(template, &json!({"title": "A & B"}));
        assert_eq!(content_type, JSON);
        assert_eq!(body, r#"{"name":"A &amp; B","n":1}"#);
    }

    #[test]
    fn json_template_broken_by_a_value_is_sent_as_rendered() {
        let template = r#"{"name":"{{title}}"}"#;
        let (body, content_type) = body(template, &json!({"title": "say \"hi\""}));
        assert_eq!(content_type, JSON);
        assert_eq!(body, r#"{"name":"say "hi""}"#);
    }

    #[test]
    fn non_json_template_is_form_encoded_and_raw() {
        let template = "title={{title}}&who={{attendees.0.name}}";
        let context = json!({"title": "Intro Call", "attendees": [{"name": "Grace"}]});
        let (body, content_type) = body(template, &context);
        assert_eq!(content_type, FORM);
        assert_eq!(body, "title=Intro Call&who=Grace");
    }

    #[test]
    fn unquoted_tag_in_json_shape_is_not_json() {
        let (body, content_type) = body(r#"{"id":{{bookingId}}}"#, &json!({"bookingId": 9001}));
        assert_eq!(content_type, FORM);
        assert_eq!(body, r#"{"id":9001}"#);
    }

    #[test]
    fn falsy_json_templates_are_not_json_like_in_cal_com() {
        for template in ["false", "null", "0", "\"\""] {
            assert_eq!(body(template, &json!({})).1, FORM, "{template}");
        }
        for template in ["true", "1", "\"x\"", "[]", "{}"] {
            assert_eq!(body(template, &json!({})).1, JSON, "{template}");
        }
    }
}
