//! WebDAV/CalDAV XML: the request bodies Kairos sends and the `multistatus` answers it reads
//! (RFC 4918, RFC 4791, CalendarServer's `getctag`). Names are matched by namespace and local
//! name, whatever prefixes the server chose; properties reported with a status other than 200
//! are left out. Pure: text in, values out.

use roxmltree::{Document, Node};

const DAV: &str = "DAV:";
const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
const CALENDAR_SERVER: &str = "http://calendarserver.org/ns/";

/// What a URL is and where it leads: asked of the URL the user gave, and of a principal.
pub const PROBE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/">
  <d:prop>
    <d:resourcetype/><d:current-user-principal/><c:calendar-home-set/>
    <d:displayname/><cs:getctag/><d:sync-token/><c:calendar-timezone/>
    <c:supported-calendar-component-set/><d:current-user-privilege-set/>
  </d:prop>
</d:propfind>"#;

/// A calendar collection's description (Depth 1 on a calendar home lists them).
pub const CALENDARS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/">
  <d:prop>
    <d:resourcetype/><d:displayname/><cs:getctag/><d:sync-token/><c:calendar-timezone/>
    <c:supported-calendar-component-set/><d:current-user-privilege-set/>
  </d:prop>
</d:propfind>"#;

/// What tells whether a collection changed.
pub const VERSION: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">
  <d:prop><cs:getctag/><d:sync-token/></d:prop>
</d:propfind>"#;

/// A resource's entity tag.
pub const ETAG: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>"#;

/// The events of a calendar that overlap `[start, end)` (UTC, `YYYYMMDDTHHMMSSZ`), whole:
/// recurrences are expanded by Kairos, not by the server.
pub fn events_in_range(start: &str, end: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><d:getetag/><c:calendar-data/></d:prop>
  <c:filter>
    <c:comp-filter name="VCALENDAR">
      <c:comp-filter name="VEVENT"><c:time-range start="{start}" end="{end}"/></c:comp-filter>
    </c:comp-filter>
  </c:filter>
</c:calendar-query>"#
    )
}

/// One `response` of a multistatus: a resource and its properties that were found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Entry {
    pub href: String,
    pub props: Props,
}

/// The properties Kairos asks for; `None` (or empty) when absent or not found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Props {
    pub is_calendar: bool,
    pub current_user_principal: Option<String>,
    pub calendar_home_set: Option<String>,
    pub display_name: Option<String>,
    pub ctag: Option<String>,
    pub sync_token: Option<String>,
    /// The `calendar-timezone` property: a VCALENDAR holding one VTIMEZONE.
    pub calendar_timezone: Option<String>,
    /// Component names the calendar holds (`VEVENT`, `VTODO`); `None`: not told (any).
    pub components: Option<Vec<String>>,
    /// Local names of the `DAV:` privileges the user has; `None`: not told.
    pub privileges: Option<Vec<String>>,
    pub etag: Option<String>,
    pub calendar_data: Option<String>,
}

/// Reads a `multistatus` document.
pub fn multistatus(text: &str) -> Result<Vec<Entry>, String> {
    let document = Document::parse(text).map_err(|e| format!("the XML does not parse ({e})"))?;
    let root = document.root_element();
    if !is(root, DAV, "multistatus") {
        return Err(format!(
            "expected a DAV: multistatus, got <{}>",
            root.tag_name().name()
        ));
    }
    Ok(children(root, DAV, "response").filter_map(entry).collect())
}

fn entry(response: Node<'_, '_>) -> Option<Entry> {
    let href = text_of(child(response, DAV, "href")?)?;
    let mut props = Props::default();
    for propstat in children(response, DAV, "propstat") {
        let found = child(propstat, DAV, "status")
            .and_then(|s| s.text())
            .is_some_and(|s| s.split_whitespace().nth(1) == Some("200"));
        if let (true, Some(prop)) = (found, child(propstat, DAV, "prop")) {
            read_props(prop, &mut props);
        }
    }
    Some(Entry { href, props })
}

fn read_props(prop: Node<'_, '_>, props: &mut Props) {
    for node in prop.children().filter(Node::is_element) {
        let name = node.tag_name();
        match (name.namespace().unwrap_or(""), name.name()) {
            (DAV, "resourcetype") => props.is_calendar = child(node, CALDAV, "calendar").is_some(),
            (DAV, "current-user-principal") => {
                props.current_user_principal = child(node, DAV, "href").and_then(text_of);
            }
            (CALDAV, "calendar-home-set") => {
                props.calendar_home_set = child(node, DAV, "href").and_then(text_of);
            }
            (DAV, "displayname") => props.display_name = text_of(node),
            (CALENDAR_SERVER, "getctag") => props.ctag = text_of(node),
            (DAV, "sync-token") => props.sync_token = text_of(node),
            (DAV, "getetag") => props.etag = text_of(node),
            (CALDAV, "calendar-timezone") => props.calendar_timezone = text_of(node),
            (CALDAV, "calendar-data") => props.calendar_data = Some(all_text(node)),
            (CALDAV, "supported-calendar-component-set") => {
                let names = children(node, CALDAV, "comp")
                    .filter_map(|c| c.attribute("name"))
                    .map(str::to_ascii_uppercase);
                props.components = Some(names.collect());
            }
            (DAV, "current-user-privilege-set") => {
                let names = children(node, DAV, "privilege")
                    .flat_map(|p| p.children().filter(Node::is_element))
                    .filter(|p| p.tag_name().namespace() == Some(DAV))
                    .map(|p| p.tag_name().name().to_owned());
                props.privileges = Some(names.collect());
            }
            _ => {}
        }
    }
}

/// The TZID of the first VTIMEZONE in a `calendar-timezone` value.
pub fn time_zone_id(vcalendar: &str) -> Option<String> {
    vcalendar
        .lines()
        .map(str::trim)
        .find_map(|line| line.strip_prefix("TZID:"))
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty())
}

fn is(node: Node<'_, '_>, namespace: &str, name: &str) -> bool {
    node.is_element()
        && node.tag_name().namespace() == Some(namespace)
        && node.tag_name().name() == name
}

fn child<'a, 'i>(node: Node<'a, 'i>, namespace: &str, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| is(*c, namespace, name))
}

fn children<'a, 'i>(
    node: Node<'a, 'i>,
    namespace: &'static str,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |c| is(*c, namespace, name))
}

/// An element's text as it is, CDATA sections included.
fn all_text(node: Node<'_, '_>) -> String {
    node.descendants()
        .filter(Node::is_text)
        .filter_map(|t| t.text())
        .collect()
}

/// An element's text, trimmed; `None` when empty.
fn text_of(node: Node<'_, '_>) -> Option<String> {
    let text = all_text(node);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_properties_whatever_the_prefixes() {
        let text = r#"<?xml version="1.0"?>
<D:multistatus xmlns:D="DAV:" xmlns:X="urn:ietf:params:xml:ns:caldav" xmlns:A="http://calendarserver.org/ns/">
 <D:response>
  <D:href>/dav/calendars/ada/work/</D:href>
  <D:propstat><D:prop>
    <D:resourcetype><D:collection/><X:calendar/></D:resourcetype>
    <D:displayname>Work</D:displayname>
    <A:getctag>"42"</A:getctag>
    <X:supported-calendar-component-set><X:comp name="VEVENT"/><X:comp name="vtodo"/></X:supported-calendar-component-set>
    <D:current-user-privilege-set><D:privilege><D:read/></D:privilege></D:current-user-privilege-set>
  </D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
  <D:propstat><D:prop><D:sync-token/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>
 </D:response>
</D:multistatus>"#;
        let entries = multistatus(text).expect("parses");
        assert_eq!(entries.len(), 1);
        let props = &entries[0].props;
        assert_eq!(entries[0].href, "/dav/calendars/ada/work/");
        assert!(props.is_calendar);
        assert_eq!(props.display_name.as_deref(), Some("Work"));
        assert_eq!(props.ctag.as_deref(), Some("\"42\""));
        assert_eq!(props.sync_token, None);
        assert_eq!(
            props.components,
            Some(vec!["VEVENT".to_owned(), "VTODO".to_owned()])
        );
        assert_eq!(props.privileges, Some(vec!["read".to_owned()]));
    }

    #[test]
    fn default_namespace_and_hrefs() {
        let text = r#"<multistatus xmlns="DAV:"><response><href>/</href><propstat><prop>
<current-user-principal><href> /ada/ </href></current-user-principal>
<calendar-home-set xmlns="urn:ietf:params:xml:ns:caldav"><href xmlns="DAV:">/ada/</href></calendar-home-set>
<resourcetype><collection/></resourcetype>
</prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>"#;
        let entries = multistatus(text).expect("parses");
        let props = &entries[0].props;
        assert_eq!(props.current_user_principal.as_deref(), Some("/ada/"));
        assert_eq!(props.calendar_home_set.as_deref(), Some("/ada/"));
        assert!(!props.is_calendar);
    }

    #[test]
    fn elements_in_the_wrong_namespace_are_not_read() {
        let text = r#"<d:multistatus xmlns:d="DAV:" xmlns:o="urn:other"><d:response><d:href>/c/</d:href>
<d:propstat><d:prop><o:displayname>Other</o:displayname><d:resourcetype><o:calendar/></d:resourcetype></d:prop>
<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"#;
        let props = &multistatus(text).expect("parses")[0].props;
        assert_eq!(props.display_name, None);
        assert!(!props.is_calendar);
    }

    #[test]
    fn garbage_and_other_roots_are_errors() {
        assert!(multistatus("<html><body>Login</body></html>").is_err());
        let error = multistatus("<multistatus xmlns=\"DAV:\"><response>").expect_err("broken");
        assert!(error.contains("does not parse"), "{error}");
        // No entity expansion: a DTD is refused.
        let bomb =
            r#"<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa">]><m xmlns="DAV:">&a;</m>"#;
        assert!(multistatus(bomb).is_err());
    }

    #[test]
    fn calendar_data_in_text_and_cdata_is_read_whole() {
        let text = "<d:multistatus xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\">\
<d:response><d:href>/a/e.ics</d:href><d:propstat><d:prop><d:getetag>\"1\"</d:getetag>\
<c:calendar-data>BEGIN:VCALENDAR&#13;\n<![CDATA[SUMMARY:a <b> & c\r\n]]>END:VCALENDAR&#13;\n</c:calendar-data>\
</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>";
        let props = &multistatus(text).expect("parses")[0].props;
        assert_eq!(props.etag.as_deref(), Some("\"1\""));
        assert_eq!(
            props.calendar_data.as_deref(),
            // XML turns a literal CRLF into LF (XML 1.0 §2.11); an escaped CR stays.
            Some("BEGIN:VCALENDAR\r\nSUMMARY:a <b> & c\nEND:VCALENDAR\r\n")
        );
    }

    #[test]
    fn reads_the_zone_of_a_calendar_timezone() {
        let value = "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n";
        assert_eq!(time_zone_id(value).as_deref(), Some("Europe/Berlin"));
        assert_eq!(time_zone_id("BEGIN:VCALENDAR\nEND:VCALENDAR"), None);
    }
}
