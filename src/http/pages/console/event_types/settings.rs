//! The edit page's setting forms (Basics, Availability limits, Advanced, Team hosts): each
//! reads its values from the event type, and turns what was posted into a partial update in
//! the API's vocabulary (`EventTypeInput`), so the use case behind `PATCH /v2/event-types/{id}`
//! judges it with the API's messages.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::edit::{Change, Context, Kept};
use super::fields::{Choice, FormSection, Group, Input, number, number_value, partial, ticked};
use crate::domain::Slug;
use crate::event_types::settings::Confirmation;
use crate::event_types::{EventType, EventTypeInput, HostInput, Scheduling, priority_name};
use crate::http::pages::console::pick;
use crate::http::pages::i18n::Lang;

fn text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn count(value: Option<u32>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn minutes_word(lang: Lang) -> &'static str {
    pick(lang, ["minutes", "Minuten", "minutes", "minutos"])
}

// ---- Basics ----

#[derive(Debug, Default, Deserialize)]
pub struct BasicsForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    description: String,
    #[serde(default, rename = "lengthInMinutes")]
    length: String,
    #[serde(default, rename = "lengthInMinutesOptions")]
    options: String,
    #[serde(default)]
    hidden: Option<String>,
}

/// Lengths typed as "15, 30 60".
fn lengths(field: &str, raw: &str) -> Result<Option<Vec<u32>>, String> {
    let mut out = Vec::new();
    for part in raw.split([',', ' ', ';']).filter(|p| !p.trim().is_empty()) {
        out.extend(number(field, part)?);
    }
    Ok((!out.is_empty()).then_some(out))
}

impl BasicsForm {
    pub fn of(event: &EventType) -> Self {
        let r = &event.record;
        let options = event.settings.length_options.as_deref().unwrap_or_default();
        Self {
            title: r.title.clone(),
            slug: r.slug.clone(),
            description: r.description.clone(),
            length: r.length_minutes.to_string(),
            options: options
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            hidden: r.hidden.then(|| "on".to_owned()),
        }
    }

    pub fn section(&self, cx: &Context) -> FormSection {
        let lang = cx.lang;
        let path = format!("/{}/", cx.event.path_owner);
        let inputs = vec![
            Input::text(
                "title",
                pick(lang, ["Title", "Titel", "Titre", "Título"]),
                &self.title,
            )
            .required(),
            Input::text("slug", pick(lang, ["URL", "URL", "URL", "URL"]), &self.slug).hint(
                format!(
                    "{} {path}{}",
                    pick(
                        lang,
                        [
                            "The booking link:",
                            "Der Buchungslink:",
                            "Le lien de réservation :",
                            "El enlace de reserva:"
                        ]
                    ),
                    self.slug
                ),
            ),
            Input::textarea(
                "description",
                pick(
                    lang,
                    ["Description", "Beschreibung", "Description", "Descripción"],
                ),
                &self.description,
            ),
            Input::number(
                "lengthInMinutes",
                &format!(
                    "{} ({})",
                    pick(lang, ["Duration", "Dauer", "Durée", "Duración"]),
                    minutes_word(lang)
                ),
                &self.length,
            )
            .required(),
            Input::text(
                "lengthInMinutesOptions",
                pick(
                    lang,
                    [
                        "Lengths the booker may choose",
                        "Wählbare Dauern",
                        "Durées au choix",
                        "Duraciones a elegir",
                    ],
                ),
                &self.options,
            )
            .hint(pick(
                lang,
                [
                    "Minutes, separated by commas, including the duration above. Empty: no choice.",
                    "Minuten, durch Kommas getrennt, einschließlich der Dauer oben. Leer: keine Wahl.",
                    "En minutes, séparées par des virgules, y compris la durée ci-dessus. Vide : pas de choix.",
                    "Minutos separados por comas, incluida la duración de arriba. Vacío: sin elección.",
                ],
            )),
            Input::checkbox(
                "hidden",
                pick(
                    lang,
                    [
                        "Hidden from my public page",
                        "Auf meiner öffentlichen Seite verbergen",
                        "Masqué de ma page publique",
                        "Oculto en mi página pública",
                    ],
                ),
                ticked(&self.hidden),
            ),
        ];
        FormSection::new(
            Self::ANCHOR,
            pick(lang, ["Basics", "Grundlagen", "Essentiel", "Básico"]),
            cx.action("basics"),
            vec![Group::plain(inputs)],
        )
    }
}

impl Change for BasicsForm {
    const ANCHOR: &'static str = "basics";

    fn changes(&self, _event: &EventType) -> Result<Map<String, Value>, String> {
        let input = EventTypeInput {
            title: Some(self.title.clone()),
            slug: Some(self.slug.trim().to_owned()).filter(|s| !s.is_empty()),
            description: Some(self.description.clone()),
            length_in_minutes: number("lengthInMinutes", &self.length)?,
            length_in_minutes_options: lengths("lengthInMinutesOptions", &self.options)?,
            hidden: Some(ticked(&self.hidden)),
            ..Default::default()
        };
        Ok(partial(
            &input,
            &[
                "title",
                "slug",
                "description",
                "lengthInMinutes",
                "lengthInMinutesOptions",
                "hidden",
            ],
        ))
    }

    fn keep(self, kept: &mut Kept) {
        kept.basics = Some(self);
    }
}

/// The slug for a new event type: the one typed, else one made from the title.
pub fn slug_or_suggested(slug: &str, title: &str) -> String {
    match slug.trim() {
        "" => Slug::suggest(title),
        typed => typed.to_owned(),
    }
}

// ---- Availability limits ----

const PERIODS: [&str; 4] = ["day", "week", "month", "year"];

#[derive(Debug, Default, Deserialize)]
pub struct LimitsForm {
    #[serde(default, rename = "scheduleId")]
    schedule: String,
    #[serde(default, rename = "restrictionScheduleId")]
    restriction: String,
    #[serde(default, rename = "slotInterval")]
    interval: String,
    #[serde(default, rename = "offsetStart")]
    offset: String,
    #[serde(default, rename = "beforeEventBuffer")]
    before: String,
    #[serde(default, rename = "afterEventBuffer")]
    after: String,
    #[serde(default, rename = "minimumBookingNotice")]
    notice: String,
    #[serde(default, rename = "minimumBookingNoticeUnit")]
    notice_unit: String,
    #[serde(default, rename = "bookingWindow.type")]
    window_type: String,
    #[serde(default, rename = "bookingWindow.value")]
    window_days: String,
    #[serde(default, rename = "bookingWindow.rolling")]
    window_rolling: Option<String>,
    #[serde(default, rename = "bookingWindow.first")]
    window_first: String,
    #[serde(default, rename = "bookingWindow.last")]
    window_last: String,
    #[serde(default, rename = "bookingLimitsCount.day")]
    count_day: String,
    #[serde(default, rename = "bookingLimitsCount.week")]
    count_week: String,
    #[serde(default, rename = "bookingLimitsCount.month")]
    count_month: String,
    #[serde(default, rename = "bookingLimitsCount.year")]
    count_year: String,
    #[serde(default, rename = "bookingLimitsDuration.day")]
    duration_day: String,
    #[serde(default, rename = "bookingLimitsDuration.week")]
    duration_week: String,
    #[serde(default, rename = "bookingLimitsDuration.month")]
    duration_month: String,
    #[serde(default, rename = "bookingLimitsDuration.year")]
    duration_year: String,
    #[serde(default, rename = "onlyShowFirstAvailableSlot")]
    first_only: Option<String>,
}

/// Minutes as the largest unit that divides them: (count, `minutes`|`hours`|`days`).
fn in_units(minutes: u32) -> (u32, &'static str) {
    match minutes {
        0 => (0, "minutes"),
        m if m % 1440 == 0 => (m / 1440, "days"),
        m if m % 60 == 0 => (m / 60, "hours"),
        m => (m, "minutes"),
    }
}

fn unit_factor(unit: &str) -> u32 {
    match unit {
        "days" => 1440,
        "hours" => 60,
        _ => 1,
    }
}

fn unit_choices(lang: Lang, current: &str, with_days: bool) -> Vec<Choice> {
    let mut units = vec![
        ("minutes", minutes_word(lang)),
        ("hours", pick(lang, ["hours", "Stunden", "heures", "horas"])),
    ];
    if with_days {
        units.push(("days", pick(lang, ["days", "Tage", "jours", "días"])));
    }
    units
        .into_iter()
        .map(|(v, l)| Choice::new(v, l, current))
        .collect()
}

/// A limits object (`{day, week, …}`) from the typed counts; `None` when all are empty.
fn limits_object(field: &str, typed: [&str; 4]) -> Result<Option<Value>, String> {
    let mut object = Map::new();
    for (period, raw) in PERIODS.iter().zip(typed) {
        if let Some(v) = number_value(&format!("{field}.{period}"), raw)? {
            object.insert((*period).to_owned(), v);
        }
    }
    Ok((!object.is_empty()).then_some(Value::Object(object)))
}

impl LimitsForm {
    pub fn of(event: &EventType) -> Self {
        let r = &event.record;
        let s = &event.settings;
        let (notice, unit) = in_units(r.minimum_notice.max(0) as u32);
        let window = s.booking_window.as_ref().map(|w| &w.shape);
        let get = |key: &str| window.and_then(|w| w.get(key));
        let range = get("value").and_then(Value::as_array);
        let counts = s.booking_limits.unwrap_or_default();
        let durations = s.duration_limits.unwrap_or_default();
        Self {
            schedule: r.schedule_id.map(|v| v.to_string()).unwrap_or_default(),
            restriction: r
                .restriction_schedule_id
                .map(|v| v.to_string())
                .unwrap_or_default(),
            interval: r.slot_interval.map(|v| v.to_string()).unwrap_or_default(),
            offset: r.offset_start.to_string(),
            before: r.before_buffer.to_string(),
            after: r.after_buffer.to_string(),
            notice: notice.to_string(),
            notice_unit: unit.to_owned(),
            window_type: text(get("type")),
            window_days: if range.is_some() {
                String::new()
            } else {
                text(get("value"))
            },
            window_rolling: (get("rolling").and_then(Value::as_bool) == Some(true))
                .then(|| "on".to_owned()),
            window_first: text(range.and_then(|r| r.first())),
            window_last: text(range.and_then(|r| r.get(1))),
            count_day: count(counts.day),
            count_week: count(counts.week),
            count_month: count(counts.month),
            count_year: count(counts.year),
            duration_day: count(durations.day),
            duration_week: count(durations.week),
            duration_month: count(durations.month),
            duration_year: count(durations.year),
            first_only: r.only_show_first_slot.then(|| "on".to_owned()),
        }
    }

    fn window(&self) -> Result<Option<Value>, String> {
        Ok(match self.window_type.as_str() {
            "" => None,
            "range" => Some(json!({"type": "range",
                "value": [self.window_first.trim(), self.window_last.trim()]})),
            kind => {
                let mut w = json!({"type": kind, "rolling": ticked(&self.window_rolling)});
                if let Some(days) = number_value("bookingWindow.value", &self.window_days)? {
                    w["value"] = days;
                }
                Some(w)
            }
        })
    }

    fn schedule_id(field: &str, raw: &str) -> Result<Option<i64>, String> {
        match raw.trim() {
            "" => Ok(None),
            id => id
                .parse()
                .map(Some)
                .map_err(|_| format!("{field}: `{id}` is not a schedule id")),
        }
    }

    pub fn section(&self, cx: &Context) -> FormSection {
        let lang = cx.lang;
        FormSection::new(
            Self::ANCHOR,
            pick(
                lang,
                [
                    "Availability limits",
                    "Verfügbarkeitsgrenzen",
                    "Limites de disponibilité",
                    "Límites de disponibilidad",
                ],
            ),
            cx.action("limits"),
            vec![
                self.schedules_group(cx),
                self.spacing_group(lang),
                self.window_group(lang),
                self.limit_groups(lang),
            ],
        )
    }

    fn schedules_group(&self, cx: &Context) -> Group {
        let lang = cx.lang;
        let schedule_choices = |none: &str, current: &str| {
            let mut choices = vec![Choice::new("", none, current)];
            choices.extend(
                cx.schedules
                    .iter()
                    .map(|(id, name)| Choice::new(id.to_string(), name.as_str(), current)),
            );
            if !current.is_empty() && !choices.iter().any(|c| c.selected) {
                choices.push(Choice::new(current, format!("#{current}"), current));
            }
            choices
        };
        Group::plain(vec![
            Input::select(
                "scheduleId",
                pick(
                    lang,
                    [
                        "Availability",
                        "Verfügbarkeit",
                        "Disponibilités",
                        "Disponibilidad",
                    ],
                ),
                schedule_choices(
                    pick(
                        lang,
                        [
                            "Each host's default schedule",
                            "Standardzeitplan jedes Gastgebers",
                            "Planning par défaut de chaque hôte",
                            "Horario predeterminado de cada anfitrión",
                        ],
                    ),
                    &self.schedule,
                ),
            ),
            Input::select(
                "restrictionScheduleId",
                pick(
                    lang,
                    [
                        "Restriction schedule",
                        "Einschränkender Zeitplan",
                        "Planning de restriction",
                        "Horario de restricción",
                    ],
                ),
                schedule_choices(
                    pick(lang, ["None", "Keiner", "Aucun", "Ninguno"]),
                    &self.restriction,
                ),
            )
            .hint(pick(
                lang,
                [
                    "Slots must also fall inside this schedule's hours.",
                    "Termine müssen auch in die Zeiten dieses Zeitplans fallen.",
                    "Les créneaux doivent aussi tomber dans les heures de ce planning.",
                    "Los horarios también deben caer dentro de este horario.",
                ],
            )),
        ])
    }

    fn spacing_group(&self, lang: Lang) -> Group {
        let minutes = minutes_word(lang);
        Group::titled(
            pick(
                lang,
                [
                    "Slots and buffers",
                    "Termine und Puffer",
                    "Créneaux et marges",
                    "Horarios y márgenes",
                ],
            ),
            vec![
                Input::number(
                    "slotInterval",
                    &format!(
                        "{} ({minutes})",
                        pick(
                            lang,
                            [
                                "Slot interval",
                                "Terminintervall",
                                "Intervalle des créneaux",
                                "Intervalo"
                            ]
                        )
                    ),
                    &self.interval,
                )
                .hint(pick(
                    lang,
                    [
                        "Empty: the duration.",
                        "Leer: die Dauer.",
                        "Vide : la durée.",
                        "Vacío: la duración.",
                    ],
                )),
                Input::number(
                    "offsetStart",
                    &format!(
                        "{} ({minutes})",
                        pick(
                            lang,
                            [
                                "Offset start times",
                                "Startzeiten versetzen",
                                "Décaler les débuts",
                                "Desplazar inicios"
                            ]
                        )
                    ),
                    &self.offset,
                ),
                Input::number(
                    "beforeEventBuffer",
                    &format!(
                        "{} ({minutes})",
                        pick(
                            lang,
                            [
                                "Buffer before",
                                "Puffer davor",
                                "Marge avant",
                                "Margen antes"
                            ]
                        )
                    ),
                    &self.before,
                ),
                Input::number(
                    "afterEventBuffer",
                    &format!(
                        "{} ({minutes})",
                        pick(
                            lang,
                            [
                                "Buffer after",
                                "Puffer danach",
                                "Marge après",
                                "Margen después"
                            ]
                        )
                    ),
                    &self.after,
                ),
                Input::number(
                    "minimumBookingNotice",
                    pick(
                        lang,
                        [
                            "Minimum notice",
                            "Mindestvorlauf",
                            "Préavis minimum",
                            "Antelación mínima",
                        ],
                    ),
                    &self.notice,
                ),
                Input::select(
                    "minimumBookingNoticeUnit",
                    pick(
                        lang,
                        [
                            "Notice unit",
                            "Einheit des Vorlaufs",
                            "Unité du préavis",
                            "Unidad de antelación",
                        ],
                    ),
                    unit_choices(lang, &self.notice_unit, true),
                ),
                Input::checkbox(
                    "onlyShowFirstAvailableSlot",
                    pick(
                        lang,
                        [
                            "Offer only the first slot of each day",
                            "Nur den ersten Termin jedes Tages anbieten",
                            "Proposer seulement le premier créneau de chaque jour",
                            "Ofrecer solo el primer horario de cada día",
                        ],
                    ),
                    ticked(&self.first_only),
                ),
            ],
        )
    }

    fn window_group(&self, lang: Lang) -> Group {
        let kinds = [
            (
                "",
                pick(
                    lang,
                    ["No limit", "Unbegrenzt", "Sans limite", "Sin límite"],
                ),
            ),
            (
                "businessDays",
                pick(
                    lang,
                    [
                        "Business days into the future",
                        "Werktage im Voraus",
                        "Jours ouvrés à l’avance",
                        "Días laborables de antelación",
                    ],
                ),
            ),
            (
                "calendarDays",
                pick(
                    lang,
                    [
                        "Calendar days into the future",
                        "Kalendertage im Voraus",
                        "Jours calendaires à l’avance",
                        "Días naturales de antelación",
                    ],
                ),
            ),
            (
                "range",
                pick(
                    lang,
                    [
                        "Within a date range",
                        "Innerhalb eines Zeitraums",
                        "Dans une période",
                        "Dentro de un rango de fechas",
                    ],
                ),
            ),
        ];
        Group::titled(
            pick(
                lang,
                [
                    "Booking window",
                    "Buchungszeitraum",
                    "Fenêtre de réservation",
                    "Ventana de reserva",
                ],
            ),
            vec![
                Input::select(
                    "bookingWindow.type",
                    pick(
                        lang,
                        [
                            "How far ahead",
                            "Wie weit im Voraus",
                            "Jusqu’où à l’avance",
                            "Con cuánta antelación",
                        ],
                    ),
                    kinds
                        .iter()
                        .map(|(v, l)| Choice::new(*v, *l, &self.window_type))
                        .collect(),
                ),
                Input::number(
                    "bookingWindow.value",
                    pick(lang, ["Days", "Tage", "Jours", "Días"]),
                    &self.window_days,
                ),
                Input::checkbox(
                    "bookingWindow.rolling",
                    pick(
                        lang,
                        [
                            "Always offer this many days with free slots (rolling)",
                            "Immer so viele Tage mit freien Terminen anbieten (rollierend)",
                            "Toujours proposer autant de jours avec des créneaux libres (glissant)",
                            "Ofrecer siempre tantos días con horarios libres (continuo)",
                        ],
                    ),
                    ticked(&self.window_rolling),
                ),
                Input::date(
                    "bookingWindow.first",
                    pick(
                        lang,
                        ["First date", "Erster Tag", "Première date", "Primera fecha"],
                    ),
                    &self.window_first,
                )
                .errors_of("bookingWindow.value"),
                Input::date(
                    "bookingWindow.last",
                    pick(
                        lang,
                        ["Last date", "Letzter Tag", "Dernière date", "Última fecha"],
                    ),
                    &self.window_last,
                ),
            ],
        )
    }

    fn limit_groups(&self, lang: Lang) -> Group {
        let names = [
            pick(lang, ["per day", "pro Tag", "par jour", "por día"]),
            pick(lang, ["per week", "pro Woche", "par semaine", "por semana"]),
            pick(lang, ["per month", "pro Monat", "par mois", "por mes"]),
            pick(lang, ["per year", "pro Jahr", "par an", "por año"]),
        ];
        let bookings = pick(lang, ["Bookings", "Buchungen", "Réservations", "Reservas"]);
        let booked = pick(
            lang,
            [
                "Minutes booked",
                "Gebuchte Minuten",
                "Minutes réservées",
                "Minutos reservados",
            ],
        );
        let count_names = [
            "bookingLimitsCount.day",
            "bookingLimitsCount.week",
            "bookingLimitsCount.month",
            "bookingLimitsCount.year",
        ];
        let duration_names = [
            "bookingLimitsDuration.day",
            "bookingLimitsDuration.week",
            "bookingLimitsDuration.month",
            "bookingLimitsDuration.year",
        ];
        let counts = [
            &self.count_day,
            &self.count_week,
            &self.count_month,
            &self.count_year,
        ];
        let durations = [
            &self.duration_day,
            &self.duration_week,
            &self.duration_month,
            &self.duration_year,
        ];
        let mut inputs = Vec::new();
        for i in 0..4 {
            inputs.push(Input::number(
                count_names[i],
                &format!("{bookings} {}", names[i]),
                counts[i],
            ));
        }
        for i in 0..4 {
            inputs.push(Input::number(
                duration_names[i],
                &format!("{booked} {}", names[i]),
                durations[i],
            ));
        }
        Group::titled(
            pick(
                lang,
                [
                    "Limits (empty: none)",
                    "Grenzen (leer: keine)",
                    "Limites (vide : aucune)",
                    "Límites (vacío: ninguno)",
                ],
            ),
            inputs,
        )
    }
}

impl Change for LimitsForm {
    const ANCHOR: &'static str = "limits";

    fn changes(&self, _event: &EventType) -> Result<Map<String, Value>, String> {
        let factor = unit_factor(&self.notice_unit);
        let notice =
            number("minimumBookingNotice", &self.notice)?.map(|n| n.saturating_mul(factor));
        let input = EventTypeInput {
            schedule_id: Self::schedule_id("scheduleId", &self.schedule)?,
            restriction_schedule_id: Self::schedule_id("restrictionScheduleId", &self.restriction)?,
            slot_interval: number("slotInterval", &self.interval)?,
            offset_start: number("offsetStart", &self.offset)?,
            before_event_buffer: number("beforeEventBuffer", &self.before)?,
            after_event_buffer: number("afterEventBuffer", &self.after)?,
            minimum_booking_notice: notice,
            booking_window: self.window()?,
            booking_limits_count: limits_object(
                "bookingLimitsCount",
                [
                    &self.count_day,
                    &self.count_week,
                    &self.count_month,
                    &self.count_year,
                ],
            )?,
            booking_limits_duration: limits_object(
                "bookingLimitsDuration",
                [
                    &self.duration_day,
                    &self.duration_week,
                    &self.duration_month,
                    &self.duration_year,
                ],
            )?,
            only_show_first_available_slot: Some(ticked(&self.first_only)),
            ..Default::default()
        };
        Ok(partial(
            &input,
            &[
                "scheduleId",
                "restrictionScheduleId",
                "slotInterval",
                "offsetStart",
                "beforeEventBuffer",
                "afterEventBuffer",
                "minimumBookingNotice",
                "bookingWindow",
                "bookingLimitsCount",
                "bookingLimitsDuration",
                "onlyShowFirstAvailableSlot",
            ],
        ))
    }

    fn keep(self, kept: &mut Kept) {
        kept.limits = Some(self);
    }
}

// ---- Advanced ----

#[derive(Debug, Default, Deserialize)]
pub struct AdvancedForm {
    #[serde(default, rename = "confirmationPolicy.type")]
    confirmation: String,
    #[serde(default, rename = "confirmationPolicy.noticeThreshold.count")]
    threshold: String,
    #[serde(default, rename = "confirmationPolicy.noticeThreshold.unit")]
    threshold_unit: String,
    #[serde(
        default,
        rename = "confirmationPolicy.blockUnconfirmedBookingsInBooker"
    )]
    unconfirmed_blocks: Option<String>,
    #[serde(default, rename = "seats.seatsPerTimeSlot")]
    seats: String,
    #[serde(default, rename = "seats.showAttendeeInfo")]
    seats_attendees: Option<String>,
    #[serde(default, rename = "seats.showAvailabilityCount")]
    seats_count: Option<String>,
    #[serde(default, rename = "recurrence.frequency")]
    frequency: String,
    #[serde(default, rename = "recurrence.interval")]
    every: String,
    #[serde(default, rename = "recurrence.occurrences")]
    occurrences: String,
    #[serde(default, rename = "successRedirectUrl")]
    redirect: String,
    #[serde(default, rename = "forwardParamsSuccessRedirect")]
    forward: Option<String>,
    #[serde(default, rename = "customName")]
    custom_name: String,
    #[serde(default, rename = "disableGuests")]
    no_guests: Option<String>,
    #[serde(default, rename = "lockTimeZoneToggleOnBookingPage")]
    lock_zone: Option<String>,
    #[serde(default, rename = "disableCancelling")]
    no_cancel: Option<String>,
    #[serde(default, rename = "disableRescheduling")]
    no_reschedule: Option<String>,
    #[serde(default, rename = "color.lightThemeHex")]
    light: String,
    #[serde(default, rename = "color.darkThemeHex")]
    dark: String,
}

fn on(flag: bool) -> Option<String> {
    flag.then(|| "on".to_owned())
}

impl AdvancedForm {
    pub fn of(event: &EventType) -> Self {
        let s = &event.settings;
        let page = &s.page;
        let policy = &s.confirmation;
        let threshold = policy.shape.as_ref().and_then(|p| p.get("noticeThreshold"));
        let (confirmation, count, unit) = match policy.rule {
            Confirmation::Never => ("", String::new(), "minutes".to_owned()),
            Confirmation::Always => ("always", String::new(), "minutes".to_owned()),
            Confirmation::WhenNoticeUnder { minutes } => (
                "time",
                threshold
                    .map(|t| text(t.get("count")))
                    .unwrap_or_else(|| minutes.to_string()),
                threshold
                    .map(|t| text(t.get("unit")))
                    .filter(|u| u == "hours")
                    .unwrap_or_else(|| "minutes".to_owned()),
            ),
        };
        let recurrence = page.recurrence.as_ref().map(|r| &r.shape);
        let color = |key: &str| text(page.color.as_ref().and_then(|c| c.get(key)));
        Self {
            confirmation: confirmation.to_owned(),
            threshold: count,
            threshold_unit: unit,
            unconfirmed_blocks: on(policy.unconfirmed_blocks),
            seats: s
                .seats
                .as_ref()
                .map(|s| s.per_slot.to_string())
                .unwrap_or_default(),
            seats_attendees: on(s.seats.as_ref().is_none_or(|s| s.show_attendee_info)),
            seats_count: on(s.seats.as_ref().is_none_or(|s| s.show_availability_count)),
            frequency: text(recurrence.and_then(|r| r.get("frequency"))),
            every: text(recurrence.and_then(|r| r.get("interval"))),
            occurrences: text(recurrence.and_then(|r| r.get("occurrences"))),
            redirect: page.success_redirect_url.clone().unwrap_or_default(),
            forward: on(page.forwards_params()),
            custom_name: page.custom_name.clone().unwrap_or_default(),
            no_guests: on(page.guests_disabled()),
            lock_zone: on(page.lock_time_zone_toggle == Some(true)),
            no_cancel: on(page.cancelling_disabled()),
            no_reschedule: on(page.rescheduling_disabled()),
            light: color("lightThemeHex"),
            dark: color("darkThemeHex"),
        }
    }

    fn confirmation_policy(&self) -> Result<Option<Value>, String> {
        if self.confirmation.is_empty() {
            return Ok(None);
        }
        let mut policy = json!({"type": self.confirmation,
            "blockUnconfirmedBookingsInBooker": ticked(&self.unconfirmed_blocks)});
        let field = "confirmationPolicy.noticeThreshold.count";
        if let Some(count) = number_value(field, &self.threshold)? {
            let unit = if self.threshold_unit == "hours" {
                "hours"
            } else {
                "minutes"
            };
            policy["noticeThreshold"] = json!({"unit": unit, "count": count});
        }
        Ok(Some(policy))
    }

    fn seats(&self) -> Result<Option<Value>, String> {
        let Some(n) = number_value("seats.seatsPerTimeSlot", &self.seats)? else {
            return Ok(None);
        };
        Ok(Some(json!({"seatsPerTimeSlot": n,
            "showAttendeeInfo": ticked(&self.seats_attendees),
            "showAvailabilityCount": ticked(&self.seats_count)})))
    }

    fn recurrence(&self) -> Result<Option<Value>, String> {
        if self.frequency.is_empty() {
            return Ok(None);
        }
        let mut r = json!({"frequency": self.frequency});
        for (key, raw) in [
            ("interval", &self.every),
            ("occurrences", &self.occurrences),
        ] {
            if let Some(v) = number_value(&format!("recurrence.{key}"), raw)? {
                r[key] = v;
            }
        }
        Ok(Some(r))
    }

    fn color(&self) -> Option<Value> {
        let (light, dark) = (self.light.trim(), self.dark.trim());
        if light.is_empty() && dark.is_empty() {
            return None;
        }
        Some(json!({"lightThemeHex": light, "darkThemeHex": dark}))
    }
}

impl Change for AdvancedForm {
    const ANCHOR: &'static str = "advanced";

    fn changes(&self, _event: &EventType) -> Result<Map<String, Value>, String> {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let input = EventTypeInput {
            confirmation_policy: self.confirmation_policy()?,
            seats: self.seats()?,
            recurrence: self.recurrence()?,
            success_redirect_url: text(&self.redirect),
            forward_params_success_redirect: Some(ticked(&self.forward)),
            custom_name: text(&self.custom_name),
            disable_guests: Some(ticked(&self.no_guests)),
            lock_time_zone_toggle_on_booking_page: Some(ticked(&self.lock_zone)),
            disable_cancelling: Some(Value::Bool(ticked(&self.no_cancel))),
            disable_rescheduling: Some(Value::Bool(ticked(&self.no_reschedule))),
            color: self.color(),
            ..Default::default()
        };
        Ok(partial(
            &input,
            &[
                "confirmationPolicy",
                "seats",
                "recurrence",
                "successRedirectUrl",
                "forwardParamsSuccessRedirect",
                "customName",
                "disableGuests",
                "lockTimeZoneToggleOnBookingPage",
                "disableCancelling",
                "disableRescheduling",
                "color",
            ],
        ))
    }

    fn keep(self, kept: &mut Kept) {
        kept.advanced = Some(self);
    }
}

impl AdvancedForm {
    pub fn section(&self, cx: &Context) -> FormSection {
        let lang = cx.lang;
        FormSection::new(
            Self::ANCHOR,
            pick(lang, ["Advanced", "Erweitert", "Avancé", "Avanzado"]),
            cx.action("advanced"),
            vec![
                self.confirmation_group(lang),
                self.seats_group(lang),
                self.recurrence_group(lang),
                self.page_group(lang),
            ],
        )
    }

    fn confirmation_group(&self, lang: Lang) -> Group {
        let kinds = [
            ("", pick(lang, ["Never", "Nie", "Jamais", "Nunca"])),
            (
                "always",
                pick(lang, ["Always", "Immer", "Toujours", "Siempre"]),
            ),
            (
                "time",
                pick(
                    lang,
                    [
                        "When booked with less notice than",
                        "Bei weniger Vorlauf als",
                        "Si réservé avec un préavis inférieur à",
                        "Si se reserva con menos antelación que",
                    ],
                ),
            ),
        ];
        Group::titled(
            pick(
                lang,
                [
                    "Requires confirmation",
                    "Bestätigung erforderlich",
                    "Confirmation requise",
                    "Requiere confirmación",
                ],
            ),
            vec![
                Input::select(
                    "confirmationPolicy.type",
                    pick(
                        lang,
                        [
                            "Bookings wait for my confirmation",
                            "Buchungen warten auf meine Bestätigung",
                            "Les réservations attendent ma confirmation",
                            "Las reservas esperan mi confirmación",
                        ],
                    ),
                    kinds
                        .iter()
                        .map(|(v, l)| Choice::new(*v, *l, &self.confirmation))
                        .collect(),
                )
                .errors_of("confirmationPolicy"),
                Input::number(
                    "confirmationPolicy.noticeThreshold.count",
                    pick(
                        lang,
                        [
                            "Notice threshold",
                            "Vorlaufgrenze",
                            "Seuil de préavis",
                            "Umbral de antelación",
                        ],
                    ),
                    &self.threshold,
                )
                .errors_of("confirmationPolicy.noticeThreshold"),
                Input::select(
                    "confirmationPolicy.noticeThreshold.unit",
                    pick(lang, ["Threshold unit", "Einheit", "Unité", "Unidad"]),
                    unit_choices(lang, &self.threshold_unit, false),
                )
                .errors_of("confirmationPolicy.noticeThreshold.unit"),
                Input::checkbox(
                    "confirmationPolicy.blockUnconfirmedBookingsInBooker",
                    pick(
                        lang,
                        [
                            "Unconfirmed bookings block their time",
                            "Unbestätigte Buchungen blockieren ihre Zeit",
                            "Les réservations non confirmées bloquent leur créneau",
                            "Las reservas sin confirmar bloquean su horario",
                        ],
                    ),
                    ticked(&self.unconfirmed_blocks),
                ),
            ],
        )
    }

    fn seats_group(&self, lang: Lang) -> Group {
        Group::titled(
            pick(lang, ["Seats", "Plätze", "Places", "Plazas"]),
            vec![
                Input::number(
                    "seats.seatsPerTimeSlot",
                    pick(
                        lang,
                        [
                            "Seats per slot (empty: one booking per slot)",
                            "Plätze pro Termin (leer: eine Buchung pro Termin)",
                            "Places par créneau (vide : une réservation par créneau)",
                            "Plazas por horario (vacío: una reserva por horario)",
                        ],
                    ),
                    &self.seats,
                ),
                Input::checkbox(
                    "seats.showAttendeeInfo",
                    pick(
                        lang,
                        [
                            "Bookers see who else has a seat",
                            "Buchende sehen, wer sonst einen Platz hat",
                            "Les participants voient qui d’autre a une place",
                            "Los asistentes ven quién más tiene plaza",
                        ],
                    ),
                    ticked(&self.seats_attendees),
                ),
                Input::checkbox(
                    "seats.showAvailabilityCount",
                    pick(
                        lang,
                        [
                            "Show how many seats are left",
                            "Freie Plätze anzeigen",
                            "Afficher les places restantes",
                            "Mostrar las plazas restantes",
                        ],
                    ),
                    ticked(&self.seats_count),
                ),
            ],
        )
    }

    fn recurrence_group(&self, lang: Lang) -> Group {
        let kinds = [
            (
                "",
                pick(
                    lang,
                    [
                        "Does not repeat",
                        "Keine Wiederholung",
                        "Ne se répète pas",
                        "No se repite",
                    ],
                ),
            ),
            (
                "weekly",
                pick(lang, ["Weekly", "Wöchentlich", "Chaque semaine", "Semanal"]),
            ),
            (
                "monthly",
                pick(lang, ["Monthly", "Monatlich", "Chaque mois", "Mensual"]),
            ),
            (
                "yearly",
                pick(lang, ["Yearly", "Jährlich", "Chaque année", "Anual"]),
            ),
        ];
        Group::titled(
            pick(
                lang,
                [
                    "Recurring event",
                    "Wiederkehrender Termin",
                    "Événement récurrent",
                    "Evento recurrente",
                ],
            ),
            vec![
                Input::select(
                    "recurrence.frequency",
                    pick(
                        lang,
                        ["Repeats", "Wiederholung", "Répétition", "Repetición"],
                    ),
                    kinds
                        .iter()
                        .map(|(v, l)| Choice::new(*v, *l, &self.frequency))
                        .collect(),
                )
                .errors_of("recurrence"),
                Input::number(
                    "recurrence.interval",
                    pick(
                        lang,
                        [
                            "Every (periods)",
                            "Alle (Perioden)",
                            "Tous les (périodes)",
                            "Cada (periodos)",
                        ],
                    ),
                    &self.every,
                ),
                Input::number(
                    "recurrence.occurrences",
                    pick(
                        lang,
                        ["Occurrences", "Anzahl", "Occurrences", "Repeticiones"],
                    ),
                    &self.occurrences,
                ),
            ],
        )
    }

    fn page_group(&self, lang: Lang) -> Group {
        Group::titled(
            pick(
                lang,
                [
                    "Booking page",
                    "Buchungsseite",
                    "Page de réservation",
                    "Página de reserva",
                ],
            ),
            vec![
                Input::url(
                    "successRedirectUrl",
                    pick(
                        lang,
                        [
                            "Redirect after booking",
                            "Weiterleitung nach der Buchung",
                            "Redirection après la réservation",
                            "Redirección tras reservar",
                        ],
                    ),
                    &self.redirect,
                )
                .hint("https://…"),
                Input::checkbox(
                    "forwardParamsSuccessRedirect",
                    pick(
                        lang,
                        [
                            "Pass the booking's details to the redirect",
                            "Buchungsdetails an die Weiterleitung übergeben",
                            "Transmettre les détails de la réservation",
                            "Pasar los detalles de la reserva",
                        ],
                    ),
                    ticked(&self.forward),
                ),
                Input::text(
                    "customName",
                    pick(
                        lang,
                        [
                            "Booking title",
                            "Buchungstitel",
                            "Titre de la réservation",
                            "Título de la reserva",
                        ],
                    ),
                    &self.custom_name,
                )
                .hint("{Event type title} · {Organiser} · {Scheduler} · {Location}"),
                Input::checkbox(
                    "disableGuests",
                    pick(
                        lang,
                        [
                            "Bookers cannot add guests",
                            "Keine Gäste hinzufügen",
                            "Pas d’invités supplémentaires",
                            "Sin invitados adicionales",
                        ],
                    ),
                    ticked(&self.no_guests),
                ),
                Input::checkbox(
                    "lockTimeZoneToggleOnBookingPage",
                    pick(
                        lang,
                        [
                            "Lock the time zone on the booking page",
                            "Zeitzone auf der Buchungsseite sperren",
                            "Verrouiller le fuseau horaire",
                            "Bloquear la zona horaria",
                        ],
                    ),
                    ticked(&self.lock_zone),
                ),
                Input::checkbox(
                    "disableCancelling",
                    pick(
                        lang,
                        [
                            "Bookers cannot cancel",
                            "Keine Stornierung durch Buchende",
                            "Pas d’annulation par le participant",
                            "Sin cancelación por el asistente",
                        ],
                    ),
                    ticked(&self.no_cancel),
                ),
                Input::checkbox(
                    "disableRescheduling",
                    pick(
                        lang,
                        [
                            "Bookers cannot reschedule",
                            "Keine Verschiebung durch Buchende",
                            "Pas de report par le participant",
                            "Sin reprogramación por el asistente",
                        ],
                    ),
                    ticked(&self.no_reschedule),
                ),
                Input::text(
                    "color.lightThemeHex",
                    pick(
                        lang,
                        [
                            "Event colour (light theme)",
                            "Terminfarbe (hell)",
                            "Couleur (thème clair)",
                            "Color (tema claro)",
                        ],
                    ),
                    &self.light,
                )
                .hint("#292929")
                .errors_of("color"),
                Input::text(
                    "color.darkThemeHex",
                    pick(
                        lang,
                        [
                            "Event colour (dark theme)",
                            "Terminfarbe (dunkel)",
                            "Couleur (thème sombre)",
                            "Color (tema oscuro)",
                        ],
                    ),
                    &self.dark,
                )
                .hint("#fafafa"),
            ],
        )
    }
}

// ---- Team hosts ----

#[derive(Debug, Default, Deserialize)]
pub struct HostsForm {
    /// The members who host it.
    #[serde(default)]
    host: Vec<i64>,
    /// Hosts every booking includes (round robin; collective events book every host).
    #[serde(default)]
    mandatory: Vec<i64>,
}

impl HostsForm {
    pub fn of(event: &EventType) -> Self {
        Self {
            host: event.hosts.iter().map(|h| h.user_id).collect(),
            mandatory: event
                .hosts
                .iter()
                .filter(|h| h.is_fixed)
                .map(|h| h.user_id)
                .collect(),
        }
    }

    pub fn section(&self, cx: &Context) -> FormSection {
        let lang = cx.lang;
        let round_robin = cx.event.scheduling() == Some(Scheduling::RoundRobin);
        let mut inputs = Vec::new();
        for (id, name) in &cx.members {
            let host = cx.event.hosts.iter().find(|h| h.user_id == *id);
            let detail = host
                .map(|h| {
                    format!(
                        "{}: {} · {}: {}",
                        pick(lang, ["priority", "Priorität", "priorité", "prioridad"]),
                        priority_name(h.priority),
                        pick(lang, ["weight", "Gewicht", "poids", "peso"]),
                        h.weight
                    )
                })
                .unwrap_or_default();
            let mut input =
                Input::checkbox("host", name, self.host.contains(id)).value(id.to_string());
            if !detail.is_empty() && round_robin {
                input = input.hint(detail);
            }
            inputs.push(input);
            if round_robin {
                inputs.push(
                    Input::checkbox(
                        "mandatory",
                        &format!(
                            "{name}: {}",
                            pick(
                                lang,
                                [
                                    "joins every booking",
                                    "bei jeder Buchung dabei",
                                    "participe à chaque réservation",
                                    "asiste a cada reserva"
                                ]
                            )
                        ),
                        self.mandatory.contains(id),
                    )
                    .value(id.to_string()),
                );
            }
        }
        FormSection::new(
            Self::ANCHOR,
            pick(
                lang,
                [
                    "Team hosts",
                    "Gastgeber im Team",
                    "Hôtes de l’équipe",
                    "Anfitriones del equipo",
                ],
            ),
            cx.action("hosts"),
            vec![Group::plain(inputs)],
        )
    }
}

impl Change for HostsForm {
    const ANCHOR: &'static str = "hosts";

    fn changes(&self, event: &EventType) -> Result<Map<String, Value>, String> {
        let hosts: Vec<HostInput> = self
            .host
            .iter()
            .map(|id| {
                let current = event.hosts.iter().find(|h| h.user_id == *id);
                let mandatory = self.mandatory.contains(id);
                HostInput {
                    user_id: *id,
                    mandatory,
                    priority: current.map(|h| priority_name(h.priority).to_owned()),
                    weight: current.map(|h| h.weight.max(0) as u32),
                    // The group is kept (the team's hosts page sets it); a fixed host has none.
                    group_id: current
                        .and_then(|h| h.group_id.clone())
                        .filter(|_| !mandatory),
                }
            })
            .collect();
        let input = EventTypeInput {
            hosts: Some(hosts),
            ..Default::default()
        };
        Ok(partial(&input, &["hosts"]))
    }

    fn keep(self, kept: &mut Kept) {
        kept.hosts = Some(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_is_shown_in_the_largest_whole_unit() {
        assert_eq!(in_units(0), (0, "minutes"));
        assert_eq!(in_units(90), (90, "minutes"));
        assert_eq!(in_units(120), (2, "hours"));
        assert_eq!(in_units(2880), (2, "days"));
    }

    #[test]
    fn lengths_are_read_from_a_list() {
        assert_eq!(lengths("x", "15, 30 60"), Ok(Some(vec![15, 30, 60])));
        assert_eq!(lengths("x", " "), Ok(None));
        assert!(lengths("lengthInMinutesOptions", "15, half").is_err());
    }

    #[test]
    fn an_empty_window_or_limit_clears_it() {
        let form = LimitsForm {
            window_type: String::new(),
            ..Default::default()
        };
        assert_eq!(form.window(), Ok(None));
        assert_eq!(
            limits_object("bookingLimitsCount", ["", "", "", ""]),
            Ok(None)
        );
        assert_eq!(
            limits_object("bookingLimitsCount", ["2", "", "", "9"]),
            Ok(Some(json!({"day": 2, "year": 9})))
        );
        let range = LimitsForm {
            window_type: "range".into(),
            window_first: "2030-01-01".into(),
            window_last: "2030-01-31".into(),
            ..Default::default()
        };
        assert_eq!(
            range.window(),
            Ok(Some(
                json!({"type": "range", "value": ["2030-01-01", "2030-01-31"]})
            ))
        );
    }
}
