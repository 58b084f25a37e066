//! The booking pages' words: read once from the shared catalogue (`crate::i18n`) into a
//! struct per language, so templates name each sentence as a field the compiler checks.

use std::sync::LazyLock;

use crate::event_types::settings::{Frequency, Recurrence};
pub use crate::i18n::Lang;

/// Declares [`Text`] with one field per catalogue message, and its loader.
macro_rules! page_text {
    ($($(#[$doc:meta])* $field:ident = $key:literal,)*) => {
        /// Every sentence the pages show, in one language.
        #[derive(Debug)]
        pub struct Text {
            lang: Lang,
            $($(#[$doc])* pub $field: &'static str,)*
        }

        impl Text {
            fn load(lang: Lang) -> Text {
                // Read once per language for the life of the process: static text.
                let word = |key: &str| -> &'static str { lang.t(key, &[]).leak() };
                Text { lang, $($field: word($key),)* }
            }
        }
    };
}

page_text! {
    minutes = "page-minutes",
    event_types = "page-event-types",
    no_event_types = "page-no-event-types",
    previous_month = "page-previous-month",
    next_month = "page-next-month",
    time_zone = "page-time-zone",
    apply = "page-apply",
    hour_12 = "page-hour-12",
    hour_24 = "page-hour-24",
    duration = "page-duration",
    pick_a_day = "page-pick-a-day",
    no_slots_month = "page-no-slots-month",
    next_available = "page-next-available",
    no_slots_soon = "page-no-slots-soon",
    back = "page-back",
    your_name = "page-your-name",
    email = "page-email",
    notes = "page-notes",
    notes_hint = "page-notes-hint",
    guests = "page-guests",
    guests_hint = "page-guests-hint",
    confirm = "page-confirm",
    reschedule_confirm = "page-reschedule-confirm",
    reschedule_reason = "page-reschedule-reason",
    former_time = "page-former-time",
    slot_taken = "page-slot-taken",
    fix_errors = "page-fix-errors",
    /// The form came back without a valid proof of work (no script, or a stale page).
    prove_human = "page-prove-human",
    confirmed_title = "page-confirmed-title",
    /// Followed by the address: the confirmation email is on its way.
    emailed_to = "page-emailed-to",
    pending_title = "page-pending-title",
    pending_body = "page-pending-body",
    cancelled_title = "page-cancelled-title",
    rescheduled_title = "page-rescheduled-title",
    rejected_title = "page-rejected-title",
    rescheduled_to = "page-rescheduled-to",
    what = "page-what",
    when = "page-when",
    host_time = "page-host-time",
    where_ = "page-where",
    who = "page-who",
    host = "page-host",
    add_to_calendar = "page-add-to-calendar",
    download_ics = "page-download-ics",
    need_change = "page-need-change",
    reschedule = "page-reschedule",
    cancel = "page-cancel",
    cancel_title = "page-cancel-title",
    cancel_reason = "page-cancel-reason",
    cancel_confirm = "page-cancel-confirm",
    keep = "page-keep",
    cannot_reschedule = "page-cannot-reschedule",
    reason = "page-reason",
    not_found_title = "page-not-found-title",
    location = "page-location",
    loc_video = "page-loc-video",
    loc_in_person = "page-loc-in-person",
    loc_phone = "page-loc-phone",
    loc_your_address = "page-loc-your-address",
    loc_your_phone = "page-loc-your-phone",
    loc_your_choice = "page-loc-your-choice",
    loc_detail = "page-loc-detail",
    /// The booker's mobile number, asked when a workflow texts them reminders.
    phone = "page-phone",
    phone_hint = "page-phone-hint",
    reminders = "page-reminders",
    reminders_question = "page-reminders-question",
    reminders_lead = "page-reminders-lead",
    reminders_stop = "page-reminders-stop",
    reminders_stopped = "page-reminders-stopped",
    portal_title = "portal-title",
    portal_lead = "portal-lead",
    portal_send = "portal-send",
    portal_email_invalid = "portal-email-invalid",
    portal_sent_title = "portal-sent-title",
    portal_no_email = "portal-no-email",
    portal_link_title = "portal-link-title",
    portal_continue = "portal-continue",
    portal_link_expired = "portal-link-expired",
    portal_link_used = "portal-link-used",
    portal_link_invalid = "portal-link-invalid",
    portal_link_again = "portal-link-again",
    portal_sign_out = "portal-sign-out",
    portal_upcoming = "portal-upcoming",
    portal_past = "portal-past",
    portal_none_upcoming = "portal-none-upcoming",
    portal_none_past = "portal-none-past",
    portal_join = "portal-join",
    portal_details = "portal-details",
    portal_book_again = "portal-book-again",
    portal_status_pending = "portal-status-pending",
    portal_status_cancelled = "portal-status-cancelled",
    portal_status_rejected = "portal-status-rejected",
    portal_cancelled = "portal-cancelled",
    portal_more_past = "portal-more-past",
    /// A booking email's link that expired, or that was altered: what to do instead.
    portal_manage_expired = "portal-manage-expired",
    portal_manage_invalid = "portal-manage-invalid",
    portal_get_link = "portal-get-link",
    occurrences = "page-occurrences",
}

impl Text {
    /// A sentence about `email` (`portal-sent`, `portal-link-lead`, `portal-signed-in-as`).
    pub fn about(&self, key: &str, email: &str) -> String {
        self.lang.t(key, &[("email", email.into())])
    }

    /// "with Ada Host, Alan Turing".
    pub fn with_hosts(&self, hosts: &str) -> String {
        self.lang.t("portal-with", &[("hosts", hosts.into())])
    }

    /// "Ada is away until 24 December." and "Book with Bob instead": an out-of-office owner
    /// who sends bookers to a teammate.
    pub fn away(&self, name: &str, until: &str, other: &str) -> (String, String) {
        let line = (self.lang).t(
            "page-away",
            &[("name", name.into()), ("until", until.into())],
        );
        let link = self.lang.t("page-book-with", &[("name", other.into())]);
        (line, link)
    }

    /// "Repeats weekly, 4 occurrences", "Repeats every 2 months, 6 occurrences".
    pub fn repeats(&self, r: &Recurrence) -> String {
        let unit = match r.frequency {
            Frequency::Weekly => "week",
            Frequency::Monthly => "month",
            Frequency::Yearly => "year",
        };
        self.lang.t(
            "page-repeats",
            &[
                ("unit", unit.into()),
                ("interval", r.interval.into()),
                ("count", r.occurrences.into()),
            ],
        )
    }

    /// "1 seat left", "2 seats left": the language's plural rule picks the form.
    pub fn seats_left(&self, count: &u32) -> String {
        self.lang
            .t("page-seats-left", &[("count", (*count).into())])
    }
}

static TEXTS: LazyLock<[Text; 4]> = LazyLock::new(|| Lang::ALL.map(Text::load));

impl Lang {
    pub fn text(self) -> &'static Text {
        &TEXTS[self as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_sentence_comes_from_the_catalogue() {
        for lang in Lang::ALL {
            let text = lang.text();
            // A missing message would read as its key.
            let shown = format!("{text:?}");
            assert!(!shown.contains("\"page-"), "{}: {shown}", lang.code());
            assert!(!shown.contains("\"portal-"), "{}: {shown}", lang.code());
        }
        assert_eq!(Lang::De.text().cancel, "Absagen");
        assert_eq!(Lang::Fr.text().download_ics, "Télécharger le .ics");
        assert_eq!(Lang::De.text().download_ics, ".ics herunterladen");
    }

    #[test]
    fn one_seat_left_is_singular() {
        assert_eq!(Lang::En.text().seats_left(&1), "1 seat left");
        assert_eq!(Lang::En.text().seats_left(&4), "4 seats left");
        assert_eq!(Lang::Es.text().seats_left(&1), "1 plaza libre");
        let weekly = Recurrence {
            frequency: Frequency::Weekly,
            interval: 1,
            occurrences: 4,
        };
        assert_eq!(
            Lang::En.text().repeats(&weekly),
            "Repeats weekly, 4 occurrences"
        );
        let monthly = Recurrence {
            frequency: Frequency::Monthly,
            interval: 2,
            occurrences: 6,
        };
        assert_eq!(
            Lang::De.text().repeats(&monthly),
            "Wiederholt sich alle 2 Monate, 6 Termine"
        );
    }
}
