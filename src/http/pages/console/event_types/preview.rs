//! The edit page's availability preview: the coming days' slots as `GET /v2/slots` computes
//! them (`booking::slots`), in the user's time zone, and "why is this time not offered?": the
//! engine's explanation (`availability::explain`) over the same query, in words.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use crate::availability::explain::BusySource;
use crate::availability::interval::Interval;
use crate::availability::limits::{LimitKind, Period};
use crate::availability::local_time::{local_date, local_date_time, resolve, start_of_day};
use crate::availability::{self, Explanation, Reason, Slot};
use crate::booking::{self, SlotRequest};
use crate::event_types::EventType;
use crate::http::pages::console::pick;
use crate::http::pages::i18n::Lang;
use crate::service::ServiceError;
use crate::storage::Db;

/// How many days the preview shows, today included.
pub const DAYS: u64 = 14;
/// Slot times shown per day; the rest are counted.
const SHOWN_PER_DAY: usize = 24;

pub struct Day {
    pub label: String,
    pub times: Vec<String>,
    pub more: usize,
}

/// How the page writes instants: the user's zone, language and clock.
#[derive(Clone, Copy)]
pub struct Clock {
    pub lang: Lang,
    pub tz: Tz,
    pub twelve_hour: bool,
}

impl Clock {
    fn local(&self, at: i64) -> NaiveDateTime {
        local_date_time(self.tz, at)
    }

    pub fn time(&self, at: i64) -> String {
        self.lang.time(self.local(at).time(), self.twelve_hour)
    }

    pub fn moment(&self, at: i64) -> String {
        format!(
            "{}, {}",
            self.lang.long_date(self.local(at).date()),
            self.time(at)
        )
    }

    /// A `datetime-local` value typed in the user's zone (`2030-03-04T09:30`).
    pub fn parse(&self, raw: &str) -> Option<i64> {
        let local = NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M").ok()?;
        Some(resolve(self.tz, local))
    }

    /// The whole local day of `date`, as a slot request's range.
    fn day_range(&self, first: NaiveDate, last: NaiveDate) -> Interval {
        let end = last
            .succ_opt()
            .map_or(i64::MAX / 2, |next| start_of_day(self.tz, next));
        Interval::new(start_of_day(self.tz, first), end - 1)
    }
}

fn request(range: Interval, tz: Tz, now: DateTime<Utc>) -> SlotRequest {
    SlotRequest {
        range,
        booker_tz: tz,
        length: None,
        booker_uid: None,
        rescheduling_uid: None,
        now,
    }
}

/// The slots from now to the end of the [`DAYS`]th day.
pub async fn slots(
    db: &Db,
    event: &EventType,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<Vec<Slot>, ServiceError> {
    let today = local_date(tz, now.timestamp());
    let last = today
        .checked_add_days(chrono::Days::new(DAYS - 1))
        .unwrap_or(today);
    let clock = Clock {
        lang: Lang::En,
        tz,
        twelve_hour: false,
    };
    let range = clock.day_range(today, last);
    let range = Interval::new(now.timestamp().max(range.start), range.end);
    let (_, found) = booking::slots(db, event, &request(range, tz, now)).await?;
    Ok(found)
}

/// The slots by the user's local date.
pub fn days(clock: Clock, slots: &[Slot]) -> Vec<Day> {
    let mut out: Vec<(NaiveDate, Day)> = Vec::new();
    for slot in slots {
        let date = local_date(clock.tz, slot.start);
        if out.last().is_none_or(|(d, _)| *d != date) {
            out.push((
                date,
                Day {
                    label: clock.lang.long_date(date),
                    times: Vec::new(),
                    more: 0,
                },
            ));
        }
        if let Some((_, day)) = out.last_mut() {
            if day.times.len() < SHOWN_PER_DAY {
                day.times.push(clock.time(slot.start));
            } else {
                day.more += 1;
            }
        }
    }
    out.into_iter().map(|(_, day)| day).collect()
}

/// Why `at` is (not) a slot, over the query of its local day, as the booking flow builds it.
pub async fn explain(
    db: &Db,
    event: &EventType,
    tz: Tz,
    now: DateTime<Utc>,
    at: i64,
) -> Result<Explanation, ServiceError> {
    let date = local_date(tz, at);
    let clock = Clock {
        lang: Lang::En,
        tz,
        twelve_hour: false,
    };
    let range = clock.day_range(date, date);
    let (query, _) = booking::slots(db, event, &request(range, tz, now)).await?;
    Ok(availability::explain(&query, at))
}

/// The explanation's reasons in words; `hosts` names the hosts by id.
pub fn reasons(clock: Clock, explanation: &Explanation, hosts: &[(i64, String)]) -> Vec<String> {
    let name = |id: i64| {
        hosts
            .iter()
            .find(|(h, _)| *h == id)
            .map_or_else(|| format!("#{id}"), |(_, n)| n.clone())
    };
    explanation
        .reasons
        .iter()
        .map(|r| sentence(clock, r, &name))
        .collect()
}

fn sentence(clock: Clock, reason: &Reason, name: &dyn Fn(i64) -> String) -> String {
    let lang = clock.lang;
    match reason {
        Reason::OutsideRequestedRange => pick(lang, ["It is outside the days asked about.", "Er liegt außerhalb der abgefragten Tage.", "Il est en dehors des jours demandés.", "Está fuera de los días consultados."]).to_owned(),
        Reason::BeforeMinimumNotice { earliest } => format!(
            "{} {}.",
            pick(lang, ["Too soon for the minimum notice: bookings start from", "Zu kurzfristig für den Mindestvorlauf: Buchungen ab", "Trop tôt pour le préavis minimum : réservations à partir du", "Demasiado pronto para la antelación mínima: reservas a partir del"]),
            clock.moment(*earliest)
        ),
        Reason::OutsideBookingWindow => pick(lang, ["It is outside the booking window (how far ahead people may book).", "Er liegt außerhalb des Buchungszeitraums.", "Il est en dehors de la fenêtre de réservation.", "Está fuera de la ventana de reserva."]).to_owned(),
        Reason::LimitReached { period, kind, limit } => limit_sentence(lang, *period, *kind, *limit),
        Reason::OutsideWorkingHours { host_id, date_override } => {
            let base = format!(
                "{} {}.",
                pick(lang, ["Outside the working hours of", "Außerhalb der Arbeitszeiten von", "En dehors des heures de travail de", "Fuera del horario laboral de"]),
                name(*host_id)
            );
            if *date_override {
                format!("{base} {}", pick(lang, ["A date override sets this day's hours.", "Eine Datumsausnahme legt die Zeiten dieses Tages fest.", "Une exception de date fixe les heures de ce jour.", "Una excepción de fecha fija el horario de este día."]))
            } else {
                base
            }
        }
        Reason::OutOfOffice { host_id } => format!(
            "{} {}.",
            pick(lang, ["Out of office:", "Abwesend:", "Absent :", "Fuera de la oficina:"]),
            name(*host_id)
        ),
        Reason::Busy { host_id, source, buffer } => busy_sentence(lang, &name(*host_id), source, *buffer),
        Reason::SeatsFull { .. } => pick(lang, ["Every seat at this time is taken.", "Alle Plätze zu dieser Zeit sind vergeben.", "Toutes les places à cette heure sont prises.", "Todas las plazas a esta hora están ocupadas."]).to_owned(),
        Reason::Reserved { .. } => pick(lang, ["Someone is holding this time while they book.", "Jemand hält diese Zeit gerade für eine Buchung.", "Quelqu’un réserve ce créneau en ce moment.", "Alguien está reservando este horario ahora."]).to_owned(),
        Reason::RestrictionSchedule => pick(lang, ["It is outside the restriction schedule.", "Er liegt außerhalb des einschränkenden Zeitplans.", "Il est en dehors du planning de restriction.", "Está fuera del horario de restricción."]).to_owned(),
        Reason::NotFirstSlotOfDay => pick(lang, ["Only the first slot of each day is offered.", "Nur der erste Termin jedes Tages wird angeboten.", "Seul le premier créneau de chaque jour est proposé.", "Solo se ofrece el primer horario de cada día."]).to_owned(),
        Reason::NotOnGrid => pick(lang, ["Nothing blocks it, but no slot starts at this minute (see the duration, slot interval and offset).", "Nichts blockiert ihn, aber zu dieser Minute beginnt kein Termin (siehe Dauer, Intervall und Versatz).", "Rien ne le bloque, mais aucun créneau ne commence à cette minute (voir durée, intervalle et décalage).", "Nada lo bloquea, pero ningún horario empieza en este minuto (ver duración, intervalo y desplazamiento)."]).to_owned(),
    }
}

fn limit_sentence(lang: Lang, period: Period, kind: LimitKind, limit: u32) -> String {
    let period = match period {
        Period::Day => pick(lang, ["day", "Tag", "jour", "día"]),
        Period::Week => pick(lang, ["week", "Woche", "semaine", "semana"]),
        Period::Month => pick(lang, ["month", "Monat", "mois", "mes"]),
        Period::Year => pick(lang, ["year", "Jahr", "an", "año"]),
    };
    let what = match kind {
        LimitKind::Bookings => pick(lang, ["bookings", "Buchungen", "réservations", "reservas"]),
        LimitKind::Duration => pick(
            lang,
            [
                "minutes booked",
                "gebuchte Minuten",
                "minutes réservées",
                "minutos reservados",
            ],
        ),
    };
    let lead = pick(
        lang,
        [
            "The limit is reached:",
            "Die Grenze ist erreicht:",
            "La limite est atteinte :",
            "Se alcanzó el límite:",
        ],
    );
    format!("{lead} {limit} {what} / {period}.")
}

fn busy_sentence(lang: Lang, host: &str, source: &BusySource, buffer: bool) -> String {
    let what = match source {
        BusySource::Booking { .. } => pick(
            lang,
            [
                "has a booking then",
                "hat dann eine Buchung",
                "a une réservation à ce moment",
                "tiene una reserva entonces",
            ],
        ),
        BusySource::ExternalCalendar => pick(
            lang,
            [
                "is busy in a connected calendar",
                "ist in einem verbundenen Kalender belegt",
                "est occupé dans un calendrier connecté",
                "está ocupado en un calendario conectado",
            ],
        ),
    };
    let mut text = format!("{host} {what}.");
    if buffer {
        text.push(' ');
        text.push_str(pick(
            lang,
            [
                "Only the buffer around it overlaps.",
                "Nur der Puffer überschneidet sich.",
                "Seule la marge autour chevauche.",
                "Solo se solapa el margen.",
            ],
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock() -> Clock {
        Clock {
            lang: Lang::En,
            tz: "Europe/Berlin".parse().unwrap(),
            twelve_hour: false,
        }
    }

    #[test]
    fn a_typed_time_is_read_in_the_users_zone() {
        let at = clock().parse("2030-03-04T09:30").unwrap();
        assert_eq!(
            DateTime::<Utc>::from_timestamp(at, 0).unwrap().to_rfc3339(),
            "2030-03-04T08:30:00+00:00"
        );
        assert_eq!(clock().parse("tomorrow"), None);
    }

    #[test]
    fn slots_are_grouped_by_local_date() {
        let c = clock();
        let at = |raw: &str| c.parse(raw).unwrap();
        let slot = |start: i64| Slot {
            start,
            end: start + 1800,
            hosts: vec![1],
            attendees: None,
            booking_uid: None,
        };
        let found = [
            slot(at("2030-03-04T09:00")),
            slot(at("2030-03-04T23:30")),
            slot(at("2030-03-05T00:30")),
        ];
        let days = days(c, &found);
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].times, ["09:00", "23:30"]);
        assert_eq!(days[1].label, "Tuesday, March 5, 2030");
    }

    #[test]
    fn reasons_name_the_host() {
        let explanation = Explanation {
            instant: 0,
            is_slot: false,
            reasons: vec![Reason::OutsideWorkingHours {
                host_id: 7,
                date_override: false,
            }],
        };
        let text = reasons(clock(), &explanation, &[(7, "Ada".into())]);
        assert_eq!(text, ["Outside the working hours of Ada."]);
    }
}
