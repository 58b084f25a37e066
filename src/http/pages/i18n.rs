//! The booking pages' words and date formats in English, German, French and Spanish, chosen by
//! `?lang=` or `Accept-Language`.

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike, Weekday};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    De,
    Fr,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::De, Lang::Fr, Lang::Es];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Fr => "fr",
            Lang::Es => "es",
        }
    }

    fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// `?lang=` first, then the first supported language of `Accept-Language` by its weights,
    /// else English.
    pub fn negotiate(query: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(lang) = query.and_then(Lang::from_tag) {
            return lang;
        }
        let mut offered: Vec<(f32, Lang)> = accept_language
            .unwrap_or_default()
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let lang = Lang::from_tag(pieces.next()?)?;
                let weight = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some((weight, lang))
            })
            .collect();
        // Stable: among equal weights the header's order decides.
        offered.sort_by(|a, b| b.0.total_cmp(&a.0));
        offered.first().map_or(Lang::En, |(_, l)| *l)
    }

    /// Whether times read 12-hour by default in this language.
    pub fn twelve_hour(self) -> bool {
        self == Lang::En
    }

    pub fn month(self, month: u32) -> &'static str {
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        const DE: [&str; 12] = [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ];
        const FR: [&str; 12] = [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ];
        const ES: [&str; 12] = [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ];
        let names = match self {
            Lang::En => EN,
            Lang::De => DE,
            Lang::Fr => FR,
            Lang::Es => ES,
        };
        names[(month.clamp(1, 12) - 1) as usize]
    }

    pub fn weekday(self, day: Weekday) -> &'static str {
        const EN: [&str; 7] = [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ];
        const DE: [&str; 7] = [
            "Montag",
            "Dienstag",
            "Mittwoch",
            "Donnerstag",
            "Freitag",
            "Samstag",
            "Sonntag",
        ];
        const FR: [&str; 7] = [
            "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
        ];
        const ES: [&str; 7] = [
            "lunes",
            "martes",
            "miércoles",
            "jueves",
            "viernes",
            "sábado",
            "domingo",
        ];
        let names = match self {
            Lang::En => EN,
            Lang::De => DE,
            Lang::Fr => FR,
            Lang::Es => ES,
        };
        names[day.num_days_from_monday() as usize]
    }

    /// Two or three letters for a calendar's column heading.
    pub fn weekday_short(self, day: Weekday) -> String {
        let full = self.weekday(day);
        let letters = if self == Lang::De { 2 } else { 3 };
        let short: String = full.chars().take(letters).collect();
        let mut chars = short.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => short,
        }
    }

    /// "March 2027", "März 2027", "mars 2027", "marzo de 2027".
    pub fn month_year(self, year: i32, month: u32) -> String {
        let name = self.month(month);
        match self {
            Lang::Es => format!("{name} de {year}"),
            _ => format!("{name} {year}"),
        }
    }

    /// The long form of a date: "Tuesday, March 2, 2027", "Dienstag, 2. März 2027",
    /// "mardi 2 mars 2027", "martes, 2 de marzo de 2027".
    pub fn long_date(self, date: NaiveDate) -> String {
        let weekday = self.weekday(date.weekday());
        let month = self.month(date.month());
        let (d, y) = (date.day(), date.year());
        match self {
            Lang::En => format!("{weekday}, {month} {d}, {y}"),
            Lang::De => format!("{weekday}, {d}. {month} {y}"),
            Lang::Fr => format!("{weekday} {d} {month} {y}"),
            Lang::Es => format!("{weekday}, {d} de {month} de {y}"),
        }
    }

    pub fn time(self, time: NaiveTime, twelve_hour: bool) -> String {
        if twelve_hour {
            let (pm, hour) = time.hour12();
            format!(
                "{hour}:{:02}{}",
                time.minute(),
                if pm { "pm" } else { "am" }
            )
        } else {
            format!("{:02}:{:02}", time.hour(), time.minute())
        }
    }

    pub fn text(self) -> &'static Text {
        match self {
            Lang::En => &EN,
            Lang::De => &DE,
            Lang::Fr => &FR,
            Lang::Es => &ES,
        }
    }
}

/// Every sentence the pages show.
#[derive(Debug)]
pub struct Text {
    pub minutes: &'static str,
    pub event_types: &'static str,
    pub no_event_types: &'static str,
    pub previous_month: &'static str,
    pub next_month: &'static str,
    pub time_zone: &'static str,
    pub apply: &'static str,
    pub hour_12: &'static str,
    pub hour_24: &'static str,
    pub duration: &'static str,
    pub pick_a_day: &'static str,
    pub no_slots_month: &'static str,
    pub next_available: &'static str,
    pub no_slots_soon: &'static str,
    pub back: &'static str,
    pub your_name: &'static str,
    pub email: &'static str,
    pub notes: &'static str,
    pub notes_hint: &'static str,
    pub guests: &'static str,
    pub guests_hint: &'static str,
    pub confirm: &'static str,
    pub reschedule_confirm: &'static str,
    pub reschedule_reason: &'static str,
    pub former_time: &'static str,
    pub slot_taken: &'static str,
    pub fix_errors: &'static str,
    /// The form came back without a valid proof of work (no script, or a stale page).
    pub prove_human: &'static str,
    pub confirmed_title: &'static str,
    /// Followed by the address: the confirmation email is on its way.
    pub emailed_to: &'static str,
    pub pending_title: &'static str,
    pub pending_body: &'static str,
    pub cancelled_title: &'static str,
    pub rescheduled_title: &'static str,
    pub rejected_title: &'static str,
    pub rescheduled_to: &'static str,
    pub what: &'static str,
    pub when: &'static str,
    pub host_time: &'static str,
    pub where_: &'static str,
    pub who: &'static str,
    pub host: &'static str,
    pub add_to_calendar: &'static str,
    pub download_ics: &'static str,
    pub need_change: &'static str,
    pub reschedule: &'static str,
    pub cancel: &'static str,
    pub cancel_title: &'static str,
    pub cancel_reason: &'static str,
    pub cancel_confirm: &'static str,
    pub keep: &'static str,
    pub cannot_reschedule: &'static str,
    pub reason: &'static str,
    pub not_found_title: &'static str,
    pub location: &'static str,
    pub loc_video: &'static str,
    pub loc_in_person: &'static str,
    pub loc_phone: &'static str,
    pub loc_your_address: &'static str,
    pub loc_your_phone: &'static str,
    pub loc_your_choice: &'static str,
    pub loc_detail: &'static str,
    pub seats_left: &'static str,
}

static EN: Text = Text {
    minutes: "min",
    event_types: "Event types",
    no_event_types: "No public event types yet.",
    previous_month: "Previous month",
    next_month: "Next month",
    time_zone: "Time zone",
    apply: "Apply",
    hour_12: "12h",
    hour_24: "24h",
    duration: "Duration",
    pick_a_day: "Pick a day to see its times.",
    no_slots_month: "No times are free this month.",
    next_available: "Next available:",
    no_slots_soon: "No times are free in the coming months.",
    back: "Back",
    your_name: "Your name",
    email: "Email address",
    notes: "Additional notes",
    notes_hint: "Anything that will help prepare for the meeting.",
    guests: "Guests",
    guests_hint: "Email addresses, separated by commas.",
    confirm: "Confirm",
    reschedule_confirm: "Reschedule",
    reschedule_reason: "Reason for rescheduling",
    former_time: "Former time",
    slot_taken: "That time was just booked by someone else. Here are the times still free.",
    fix_errors: "Please correct the highlighted fields.",
    prove_human: "Your browser could not confirm this booking. Please make sure JavaScript is on and confirm again.",
    confirmed_title: "This meeting is scheduled",
    emailed_to: "A confirmation with a calendar invitation is on its way to",
    pending_title: "Your booking is submitted",
    pending_body: "It awaits the host's confirmation; you will hear back by email.",
    cancelled_title: "This event is cancelled",
    rescheduled_title: "This booking was rescheduled",
    rejected_title: "This booking was declined",
    rescheduled_to: "See the new booking",
    what: "What",
    when: "When",
    host_time: "Host's time",
    where_: "Where",
    who: "Who",
    host: "Host",
    add_to_calendar: "Add to calendar",
    download_ics: "Download .ics",
    need_change: "Need to make a change?",
    reschedule: "Reschedule",
    cancel: "Cancel",
    cancel_title: "Cancel this event?",
    cancel_reason: "Reason for cancellation (optional)",
    cancel_confirm: "Cancel event",
    keep: "Keep it",
    cannot_reschedule: "A cancelled booking cannot be rescheduled.",
    reason: "Reason",
    not_found_title: "Page not found",
    location: "Location",
    loc_video: "Video call",
    loc_in_person: "In person",
    loc_phone: "Phone call",
    loc_your_address: "At your address",
    loc_your_phone: "We call you",
    loc_your_choice: "Somewhere you choose",
    loc_detail: "Your address, phone number or place (for the options that ask for one)",
    seats_left: "seats left",
};

static DE: Text = Text {
    minutes: "Min.",
    event_types: "Terminarten",
    no_event_types: "Noch keine öffentlichen Terminarten.",
    previous_month: "Vorheriger Monat",
    next_month: "Nächster Monat",
    time_zone: "Zeitzone",
    apply: "Übernehmen",
    hour_12: "12 Std.",
    hour_24: "24 Std.",
    duration: "Dauer",
    pick_a_day: "Wählen Sie einen Tag, um die Zeiten zu sehen.",
    no_slots_month: "In diesem Monat sind keine Zeiten frei.",
    next_available: "Nächster freier Termin:",
    no_slots_soon: "In den nächsten Monaten sind keine Zeiten frei.",
    back: "Zurück",
    your_name: "Ihr Name",
    email: "E-Mail-Adresse",
    notes: "Zusätzliche Hinweise",
    notes_hint: "Alles, was bei der Vorbereitung hilft.",
    guests: "Gäste",
    guests_hint: "E-Mail-Adressen, durch Kommas getrennt.",
    confirm: "Bestätigen",
    reschedule_confirm: "Verschieben",
    reschedule_reason: "Grund für die Verschiebung",
    former_time: "Bisheriger Termin",
    slot_taken: "Diese Zeit wurde gerade von jemand anderem gebucht. Hier sind die noch freien Zeiten.",
    fix_errors: "Bitte korrigieren Sie die markierten Felder.",
    prove_human: "Ihr Browser konnte diese Buchung nicht bestätigen. Bitte aktivieren Sie JavaScript und bestätigen Sie erneut.",
    confirmed_title: "Dieser Termin ist gebucht",
    emailed_to: "Eine Bestätigung mit Kalendereinladung ist unterwegs an",
    pending_title: "Ihre Buchung ist eingegangen",
    pending_body: "Sie wartet auf die Bestätigung des Gastgebers; Sie erhalten eine E-Mail.",
    cancelled_title: "Dieser Termin ist abgesagt",
    rescheduled_title: "Dieser Termin wurde verschoben",
    rejected_title: "Diese Buchung wurde abgelehnt",
    rescheduled_to: "Zum neuen Termin",
    what: "Was",
    when: "Wann",
    host_time: "Zeit des Gastgebers",
    where_: "Wo",
    who: "Wer",
    host: "Gastgeber",
    add_to_calendar: "Zum Kalender hinzufügen",
    download_ics: ".ics herunterladen",
    need_change: "Etwas ändern?",
    reschedule: "Verschieben",
    cancel: "Absagen",
    cancel_title: "Diesen Termin absagen?",
    cancel_reason: "Grund der Absage (optional)",
    cancel_confirm: "Termin absagen",
    keep: "Behalten",
    cannot_reschedule: "Ein abgesagter Termin kann nicht verschoben werden.",
    reason: "Grund",
    not_found_title: "Seite nicht gefunden",
    location: "Ort",
    loc_video: "Videoanruf",
    loc_in_person: "Vor Ort",
    loc_phone: "Telefonat",
    loc_your_address: "Bei Ihnen",
    loc_your_phone: "Wir rufen Sie an",
    loc_your_choice: "Ein Ort Ihrer Wahl",
    loc_detail: "Ihre Adresse, Telefonnummer oder Ihr Ort (für die Optionen, die danach fragen)",
    seats_left: "Plätze frei",
};

static FR: Text = Text {
    minutes: "min",
    event_types: "Types de rendez-vous",
    no_event_types: "Aucun type de rendez-vous public pour l’instant.",
    previous_month: "Mois précédent",
    next_month: "Mois suivant",
    time_zone: "Fuseau horaire",
    apply: "Appliquer",
    hour_12: "12 h",
    hour_24: "24 h",
    duration: "Durée",
    pick_a_day: "Choisissez un jour pour voir ses horaires.",
    no_slots_month: "Aucun horaire libre ce mois-ci.",
    next_available: "Prochaine disponibilité :",
    no_slots_soon: "Aucun horaire libre dans les mois à venir.",
    back: "Retour",
    your_name: "Votre nom",
    email: "Adresse e-mail",
    notes: "Notes supplémentaires",
    notes_hint: "Tout ce qui aidera à préparer le rendez-vous.",
    guests: "Invités",
    guests_hint: "Adresses e-mail, séparées par des virgules.",
    confirm: "Confirmer",
    reschedule_confirm: "Reprogrammer",
    reschedule_reason: "Raison du changement",
    former_time: "Ancien horaire",
    slot_taken: "Cet horaire vient d’être réservé par quelqu’un d’autre. Voici les horaires encore libres.",
    fix_errors: "Veuillez corriger les champs signalés.",
    prove_human: "Votre navigateur n’a pas pu confirmer cette réservation. Activez JavaScript et confirmez à nouveau.",
    confirmed_title: "Ce rendez-vous est confirmé",
    emailed_to: "Une confirmation avec une invitation d’agenda a été envoyée à",
    pending_title: "Votre demande est envoyée",
    pending_body: "Elle attend la confirmation de l’hôte ; vous recevrez un e-mail.",
    cancelled_title: "Ce rendez-vous est annulé",
    rescheduled_title: "Ce rendez-vous a été reprogrammé",
    rejected_title: "Cette réservation a été refusée",
    rescheduled_to: "Voir la nouvelle réservation",
    what: "Quoi",
    when: "Quand",
    host_time: "Heure de l’hôte",
    where_: "Où",
    who: "Qui",
    host: "Hôte",
    add_to_calendar: "Ajouter au calendrier",
    download_ics: "Télécharger le .ics",
    need_change: "Besoin d’un changement ?",
    reschedule: "Reprogrammer",
    cancel: "Annuler",
    cancel_title: "Annuler ce rendez-vous ?",
    cancel_reason: "Raison de l’annulation (facultatif)",
    cancel_confirm: "Annuler le rendez-vous",
    keep: "Le garder",
    cannot_reschedule: "Un rendez-vous annulé ne peut pas être reprogrammé.",
    reason: "Raison",
    not_found_title: "Page introuvable",
    location: "Lieu",
    loc_video: "Appel vidéo",
    loc_in_person: "En personne",
    loc_phone: "Appel téléphonique",
    loc_your_address: "À votre adresse",
    loc_your_phone: "Nous vous appelons",
    loc_your_choice: "Un lieu de votre choix",
    loc_detail: "Votre adresse, numéro ou lieu (pour les options qui le demandent)",
    seats_left: "places libres",
};

static ES: Text = Text {
    minutes: "min",
    event_types: "Tipos de evento",
    no_event_types: "Todavía no hay tipos de evento públicos.",
    previous_month: "Mes anterior",
    next_month: "Mes siguiente",
    time_zone: "Zona horaria",
    apply: "Aplicar",
    hour_12: "12 h",
    hour_24: "24 h",
    duration: "Duración",
    pick_a_day: "Elige un día para ver sus horarios.",
    no_slots_month: "No hay horarios libres este mes.",
    next_available: "Próxima disponibilidad:",
    no_slots_soon: "No hay horarios libres en los próximos meses.",
    back: "Volver",
    your_name: "Tu nombre",
    email: "Correo electrónico",
    notes: "Notas adicionales",
    notes_hint: "Cualquier cosa que ayude a preparar la reunión.",
    guests: "Invitados",
    guests_hint: "Correos electrónicos, separados por comas.",
    confirm: "Confirmar",
    reschedule_confirm: "Reprogramar",
    reschedule_reason: "Motivo del cambio",
    former_time: "Horario anterior",
    slot_taken: "Otra persona acaba de reservar ese horario. Estos son los horarios aún libres.",
    fix_errors: "Corrige los campos marcados.",
    prove_human: "Tu navegador no pudo confirmar esta reserva. Activa JavaScript y confirma de nuevo.",
    confirmed_title: "Esta reunión está programada",
    emailed_to: "Se ha enviado una confirmación con una invitación de calendario a",
    pending_title: "Tu reserva se ha enviado",
    pending_body: "Espera la confirmación del anfitrión; recibirás un correo.",
    cancelled_title: "Este evento está cancelado",
    rescheduled_title: "Esta reserva se reprogramó",
    rejected_title: "Esta reserva fue rechazada",
    rescheduled_to: "Ver la nueva reserva",
    what: "Qué",
    when: "Cuándo",
    host_time: "Hora del anfitrión",
    where_: "Dónde",
    who: "Quién",
    host: "Anfitrión",
    add_to_calendar: "Añadir al calendario",
    download_ics: "Descargar .ics",
    need_change: "¿Necesitas cambiar algo?",
    reschedule: "Reprogramar",
    cancel: "Cancelar",
    cancel_title: "¿Cancelar este evento?",
    cancel_reason: "Motivo de la cancelación (opcional)",
    cancel_confirm: "Cancelar evento",
    keep: "Mantenerlo",
    cannot_reschedule: "Una reserva cancelada no se puede reprogramar.",
    reason: "Motivo",
    not_found_title: "Página no encontrada",
    location: "Lugar",
    loc_video: "Videollamada",
    loc_in_person: "En persona",
    loc_phone: "Llamada telefónica",
    loc_your_address: "En tu dirección",
    loc_your_phone: "Te llamamos",
    loc_your_choice: "Un lugar que elijas",
    loc_detail: "Tu dirección, teléfono o lugar (para las opciones que lo piden)",
    seats_left: "plazas libres",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_wins_then_weighted_accept_language_then_english() {
        assert_eq!(Lang::negotiate(Some("fr"), Some("de")), Lang::Fr);
        assert_eq!(
            Lang::negotiate(Some("xx"), Some("de-DE,de;q=0.9")),
            Lang::De
        );
        assert_eq!(
            Lang::negotiate(None, Some("it;q=1.0, es-MX;q=0.4, fr;q=0.8")),
            Lang::Fr
        );
        assert_eq!(Lang::negotiate(None, Some("ja, zh")), Lang::En);
        assert_eq!(Lang::negotiate(None, None), Lang::En);
    }

    #[test]
    fn dates_read_as_each_language_writes_them() {
        let date = NaiveDate::from_ymd_opt(2027, 3, 2).unwrap();
        assert_eq!(Lang::En.long_date(date), "Tuesday, March 2, 2027");
        assert_eq!(Lang::De.long_date(date), "Dienstag, 2. März 2027");
        assert_eq!(Lang::Fr.long_date(date), "mardi 2 mars 2027");
        assert_eq!(Lang::Es.long_date(date), "martes, 2 de marzo de 2027");
        assert_eq!(Lang::Es.month_year(2027, 3), "marzo de 2027");
        assert_eq!(Lang::De.weekday_short(Weekday::Wed), "Mi");
        assert_eq!(Lang::Fr.weekday_short(Weekday::Wed), "Mer");
    }

    #[test]
    fn times_in_both_clocks() {
        let t = NaiveTime::from_hms_opt(15, 5, 0).unwrap();
        assert_eq!(Lang::En.time(t, true), "3:05pm");
        assert_eq!(Lang::En.time(t, false), "15:05");
        let midnight = NaiveTime::from_hms_opt(0, 30, 0).unwrap();
        assert_eq!(Lang::En.time(midnight, true), "12:30am");
    }
}
