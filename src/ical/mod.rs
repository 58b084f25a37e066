//! iCalendar (RFC 5545) through the `icalendar` crate: the calendar entries Kairos writes
//! (invitations and the "add to calendar" download, [`invite`]) and, next, the calendar feeds it
//! reads. Pure text: no IO, no storage, no clock; callers supply the facts. Email, pages and the
//! booking use cases all come here, so this module depends on none of them.

pub mod feed;
mod invite;
pub mod publish;

pub use icalendar::EventStatus;
pub use invite::{Invite, Person, render, status_of};

/// Longest content line, in octets, without its CRLF (RFC 5545 §3.1).
const LINE_OCTETS: usize = 75;

/// Folds every content line of `text` at 75 octets, never inside a UTF-8 sequence, with
/// CRLF line ends.
///
/// Work-around: the crate folds too, but the last piece of a folded line can come out one
/// octet long (a space plus 75 octets), so its output is unfolded and folded again here.
/// Unfolding is safe because values never hold a raw CR or LF (text is escaped, control
/// characters are dropped before they reach the crate).
fn refold(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    for line in text.replace("\r\n ", "").split_terminator("\r\n") {
        fold(line, &mut out);
    }
    out
}

/// One content line, continued on the next after a space when it is longer than 75 octets.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > LINE_OCTETS {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_folded(folded: &str, original: &str) {
        assert!(folded.ends_with("\r\n"), "{folded:?}");
        for line in folded.split_terminator("\r\n") {
            assert!(line.len() <= LINE_OCTETS, "{} octets: {line:?}", line.len());
        }
        assert_eq!(folded.replace("\r\n ", ""), original);
    }

    #[test]
    fn short_lines_stay_whole() {
        assert_eq!(refold("A:b\r\nC:d\r\n"), "A:b\r\nC:d\r\n");
    }

    #[test]
    fn every_length_folds_within_75_octets() {
        // Around one, two and three lines' worth, where an off-by-one shows.
        for len in 1..=260 {
            let line = format!("SUMMARY:{}", "x".repeat(len));
            let folded = refold(&format!("{line}\r\n"));
            assert_folded(&folded, &format!("{line}\r\n"));
        }
    }

    #[test]
    fn folds_never_split_a_character() {
        for prefix in 0..4 {
            for unit in ["é", "€", "😀", "a é€😀 "] {
                let line = format!("DESCRIPTION:{}{}", "x".repeat(prefix), unit.repeat(60));
                let folded = refold(&format!("{line}\r\n"));
                assert_folded(&folded, &format!("{line}\r\n"));
            }
        }
    }

    #[test]
    fn lines_folded_elsewhere_are_joined_first() {
        let text = "SUMMARY:ab\r\n cd\r\nEND:VEVENT\r\n";
        assert_eq!(refold(text), "SUMMARY:abcd\r\nEND:VEVENT\r\n");
    }
}
