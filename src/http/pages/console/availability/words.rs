//! The schedule page's words in the console's four languages (en, de, fr, es).

use super::pick;
use crate::http::pages::i18n::Lang;

pub struct EditorWords {
    pub back: &'static str,
    pub default: &'static str,
    pub make_default: &'static str,
    pub name: &'static str,
    pub zone: &'static str,
    pub save: &'static str,
    pub weekly: &'static str,
    pub weekly_hint: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub add_range: &'static str,
    pub remove_range: &'static str,
    pub no_hours: &'static str,
    pub bad_time: &'static str,
    pub end_before_start: &'static str,
    pub no_room: &'static str,
    pub overrides: &'static str,
    pub overrides_lead: &'static str,
    pub date: &'static str,
    pub kind: &'static str,
    pub closed: &'static str,
    pub hours: &'static str,
    pub add_override: &'static str,
    pub upcoming: &'static str,
    pub no_overrides: &'static str,
    pub unavailable: &'static str,
    pub remove: &'static str,
    pub has_override: &'static str,
    pub prev_month: &'static str,
    pub next_month: &'static str,
    pub earlier: &'static str,
    pub later: &'static str,
    pub bad_date: &'static str,
    pub past_date: &'static str,
    pub patterns: &'static str,
    pub patterns_lead: &'static str,
    pub first: &'static str,
    pub repeat: &'static str,
    pub repeats: [&'static str; 5],
    pub until: &'static str,
    pub add_pattern: &'static str,
    pub no_patterns: &'static str,
    pub from_date: &'static str,
    pub until_date: &'static str,
    pub bad_repeat: &'static str,
    pub until_before_first: &'static str,
}

pub fn editor_words(lang: Lang) -> EditorWords {
    EditorWords {
        back: pick(
            lang,
            [
                "All schedules",
                "Alle Zeitpläne",
                "Tous les plannings",
                "Todos los horarios",
            ],
        ),
        default: pick(
            lang,
            ["Default", "Standard", "Par défaut", "Predeterminado"],
        ),
        make_default: pick(
            lang,
            [
                "Set as default",
                "Als Standard festlegen",
                "Définir par défaut",
                "Establecer como predeterminado",
            ],
        ),
        name: pick(lang, ["Name", "Name", "Nom", "Nombre"]),
        zone: pick(
            lang,
            ["Time zone", "Zeitzone", "Fuseau horaire", "Zona horaria"],
        ),
        save: pick(lang, ["Save", "Speichern", "Enregistrer", "Guardar"]),
        weekly: pick(
            lang,
            [
                "Weekly hours",
                "Wochenzeiten",
                "Heures hebdomadaires",
                "Horas semanales",
            ],
        ),
        weekly_hint: pick(
            lang,
            [
                "Tick the days you work and give their hours, as clock times in the schedule’s time zone. “Add hours” and “×” save the form too.",
                "Haken Sie Ihre Arbeitstage an und geben Sie deren Zeiten als Uhrzeiten in der Zeitzone des Zeitplans an. „Zeiten hinzufügen“ und „×“ speichern das Formular ebenfalls.",
                "Cochez vos jours de travail et indiquez leurs heures, à l’heure locale du fuseau du planning. « Ajouter des heures » et « × » enregistrent aussi le formulaire.",
                "Marque los días que trabaja y sus horas, en la hora local de la zona del horario. «Añadir horas» y «×» también guardan el formulario.",
            ],
        ),
        from: pick(lang, ["From", "Von", "De", "Desde"]),
        to: pick(lang, ["To", "Bis", "À", "Hasta"]),
        add_range: pick(
            lang,
            [
                "Add hours",
                "Zeiten hinzufügen",
                "Ajouter des heures",
                "Añadir horas",
            ],
        ),
        remove_range: pick(
            lang,
            [
                "Remove these hours",
                "Diese Zeiten entfernen",
                "Retirer ces heures",
                "Quitar estas horas",
            ],
        ),
        no_hours: pick(
            lang,
            [
                "No weekly hours",
                "Keine Wochenzeiten",
                "Aucune heure hebdomadaire",
                "Sin horas semanales",
            ],
        ),
        bad_time: pick(
            lang,
            [
                "Choose a time like 09:00.",
                "Wählen Sie eine Uhrzeit wie 09:00.",
                "Choisissez une heure comme 09:00.",
                "Elija una hora como 09:00.",
            ],
        ),
        end_before_start: pick(
            lang,
            [
                "The end must be after the start.",
                "Das Ende muss nach dem Beginn liegen.",
                "La fin doit être après le début.",
                "El final debe ser posterior al inicio.",
            ],
        ),
        no_room: pick(
            lang,
            [
                "There is no time left after this day’s last hours.",
                "Nach den letzten Zeiten dieses Tages bleibt keine Zeit.",
                "Il ne reste pas de temps après les dernières heures de ce jour.",
                "No queda tiempo después de las últimas horas de este día.",
            ],
        ),
        overrides: pick(
            lang,
            [
                "Date overrides",
                "Datumsausnahmen",
                "Exceptions de date",
                "Excepciones de fecha",
            ],
        ),
        overrides_lead: pick(
            lang,
            [
                "Pick a date in the calendar, then make it unavailable or give it its own hours. An override replaces the weekly hours on that date.",
                "Wählen Sie ein Datum im Kalender und machen Sie es nicht verfügbar oder geben Sie ihm eigene Zeiten. Eine Ausnahme ersetzt an diesem Datum die Wochenzeiten.",
                "Choisissez une date dans le calendrier, puis rendez-la indisponible ou donnez-lui ses propres heures. Une exception remplace les heures hebdomadaires ce jour-là.",
                "Elija una fecha en el calendario y márquela como no disponible o dele sus propias horas. Una excepción sustituye las horas semanales de esa fecha.",
            ],
        ),
        date: pick(lang, ["Date", "Datum", "Date", "Fecha"]),
        kind: pick(
            lang,
            [
                "On that date",
                "An diesem Datum",
                "Ce jour-là",
                "En esa fecha",
            ],
        ),
        closed: pick(
            lang,
            [
                "Unavailable all day",
                "Ganztägig nicht verfügbar",
                "Indisponible toute la journée",
                "No disponible todo el día",
            ],
        ),
        hours: pick(
            lang,
            [
                "Specific hours",
                "Bestimmte Zeiten",
                "Heures précises",
                "Horas concretas",
            ],
        ),
        add_override: pick(
            lang,
            [
                "Add override",
                "Ausnahme hinzufügen",
                "Ajouter l’exception",
                "Añadir excepción",
            ],
        ),
        upcoming: pick(
            lang,
            [
                "Upcoming overrides",
                "Kommende Ausnahmen",
                "Exceptions à venir",
                "Próximas excepciones",
            ],
        ),
        no_overrides: pick(
            lang,
            [
                "No upcoming overrides.",
                "Keine kommenden Ausnahmen.",
                "Aucune exception à venir.",
                "No hay excepciones próximas.",
            ],
        ),
        unavailable: pick(
            lang,
            [
                "Unavailable",
                "Nicht verfügbar",
                "Indisponible",
                "No disponible",
            ],
        ),
        remove: pick(lang, ["Remove", "Entfernen", "Retirer", "Quitar"]),
        has_override: pick(
            lang,
            [
                "has an override",
                "hat eine Ausnahme",
                "a une exception",
                "tiene una excepción",
            ],
        ),
        prev_month: pick(
            lang,
            [
                "Previous month",
                "Vorheriger Monat",
                "Mois précédent",
                "Mes anterior",
            ],
        ),
        next_month: pick(
            lang,
            [
                "Next month",
                "Nächster Monat",
                "Mois suivant",
                "Mes siguiente",
            ],
        ),
        earlier: pick(lang, ["Earlier", "Früher", "Précédentes", "Anteriores"]),
        later: pick(lang, ["Later", "Später", "Suivantes", "Siguientes"]),
        bad_date: pick(
            lang,
            [
                "Pick a date like 2030-03-04.",
                "Wählen Sie ein Datum wie 2030-03-04.",
                "Choisissez une date comme 2030-03-04.",
                "Elija una fecha como 2030-03-04.",
            ],
        ),
        past_date: pick(
            lang,
            [
                "Pick today or a later date.",
                "Wählen Sie heute oder ein späteres Datum.",
                "Choisissez aujourd’hui ou une date ultérieure.",
                "Elija hoy o una fecha posterior.",
            ],
        ),
        patterns: pick(
            lang,
            [
                "Recurring hours",
                "Wiederkehrende Zeiten",
                "Heures récurrentes",
                "Horas recurrentes",
            ],
        ),
        patterns_lead: pick(
            lang,
            [
                "Extra hours that come back, such as every other Saturday 10:00–12:00, added to the weekly hours. A date override still replaces everything on its date.",
                "Zusätzliche Zeiten, die wiederkehren, etwa jeden zweiten Samstag 10:00–12:00, zu den Wochenzeiten hinzu. Eine Datumsausnahme ersetzt an ihrem Datum weiterhin alles.",
                "Des heures en plus qui reviennent, par exemple un samedi sur deux 10:00–12:00, ajoutées aux heures hebdomadaires. Une exception de date remplace toujours tout ce jour-là.",
                "Horas adicionales que se repiten, por ejemplo un sábado sí y otro no 10:00–12:00, sumadas a las horas semanales. Una excepción de fecha sigue sustituyendo todo en su fecha.",
            ],
        ),
        first: pick(
            lang,
            [
                "First date",
                "Erstes Datum",
                "Première date",
                "Primera fecha",
            ],
        ),
        repeat: pick(
            lang,
            ["Repeats", "Wiederholung", "Répétition", "Repetición"],
        ),
        repeats: pick(
            lang,
            [
                [
                    "Every week",
                    "Every 2 weeks",
                    "Every 3 weeks",
                    "Every 4 weeks",
                    "Every month",
                ],
                [
                    "Jede Woche",
                    "Alle 2 Wochen",
                    "Alle 3 Wochen",
                    "Alle 4 Wochen",
                    "Jeden Monat",
                ],
                [
                    "Chaque semaine",
                    "Toutes les 2 semaines",
                    "Toutes les 3 semaines",
                    "Toutes les 4 semaines",
                    "Chaque mois",
                ],
                [
                    "Cada semana",
                    "Cada 2 semanas",
                    "Cada 3 semanas",
                    "Cada 4 semanas",
                    "Cada mes",
                ],
            ],
        ),
        until: pick(
            lang,
            [
                "Last date (optional)",
                "Letztes Datum (optional)",
                "Dernière date (facultative)",
                "Última fecha (opcional)",
            ],
        ),
        add_pattern: pick(
            lang,
            [
                "Add recurring hours",
                "Wiederkehrende Zeiten hinzufügen",
                "Ajouter des heures récurrentes",
                "Añadir horas recurrentes",
            ],
        ),
        no_patterns: pick(
            lang,
            [
                "No recurring hours.",
                "Keine wiederkehrenden Zeiten.",
                "Aucune heure récurrente.",
                "No hay horas recurrentes.",
            ],
        ),
        from_date: pick(lang, ["from", "ab", "à partir du", "desde el"]),
        until_date: pick(lang, ["until", "bis", "jusqu’au", "hasta el"]),
        bad_repeat: pick(
            lang,
            [
                "Choose how often the hours repeat.",
                "Wählen Sie, wie oft sich die Zeiten wiederholen.",
                "Choisissez la fréquence de répétition.",
                "Elija con qué frecuencia se repiten las horas.",
            ],
        ),
        until_before_first: pick(
            lang,
            [
                "The last date must not be before the first.",
                "Das letzte Datum darf nicht vor dem ersten liegen.",
                "La dernière date ne peut pas précéder la première.",
                "La última fecha no puede ser anterior a la primera.",
            ],
        ),
    }
}
