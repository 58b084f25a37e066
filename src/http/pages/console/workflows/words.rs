//! What the workflow pages say, in the console's four languages.

use crate::http::pages::console::pick;
use crate::http::pages::i18n::Lang;

/// What an action that redirected back says it did (`?done=`).
pub fn notice(done: &str, lang: Lang) -> Option<&'static str> {
    Some(match done {
        "created" => pick(
            lang,
            [
                "Workflow created.",
                "Workflow angelegt.",
                "Workflow créé.",
                "Flujo de trabajo creado.",
            ],
        ),
        "saved" => pick(
            lang,
            [
                "Changes saved; reminders already scheduled were planned again.",
                "Änderungen gespeichert; bereits geplante Erinnerungen wurden neu geplant.",
                "Modifications enregistrées ; les rappels déjà prévus ont été replanifiés.",
                "Cambios guardados; los recordatorios ya programados se volvieron a planificar.",
            ],
        ),
        "deleted" => pick(
            lang,
            [
                "Workflow deleted.",
                "Workflow gelöscht.",
                "Workflow supprimé.",
                "Flujo de trabajo eliminado.",
            ],
        ),
        _ => return None,
    })
}

pub struct ListWords {
    pub title: &'static str,
    pub lead: &'static str,
    pub new: &'static str,
    pub none: &'static str,
    pub scope: &'static str,
    pub yours: &'static str,
    pub show: &'static str,
    pub name: &'static str,
    pub trigger: &'static str,
    pub active_on: &'static str,
    pub steps: &'static str,
    pub all: &'static str,
}

pub fn list(lang: Lang) -> ListWords {
    ListWords {
        title: "Workflows",
        lead: pick(
            lang,
            [
                "Messages sent when bookings are made or changed, and reminders before or after meetings.",
                "Nachrichten bei neuen oder geänderten Buchungen und Erinnerungen vor oder nach Terminen.",
                "Messages envoyés quand une réservation est faite ou modifiée, et rappels avant ou après les rendez-vous.",
                "Mensajes enviados al crear o cambiar reservas, y recordatorios antes o después de las reuniones.",
            ],
        ),
        new: pick(
            lang,
            [
                "New workflow",
                "Neuer Workflow",
                "Nouveau workflow",
                "Nuevo flujo de trabajo",
            ],
        ),
        none: pick(
            lang,
            [
                "No workflows yet.",
                "Noch keine Workflows.",
                "Aucun workflow pour l’instant.",
                "Aún no hay flujos de trabajo.",
            ],
        ),
        scope: pick(
            lang,
            [
                "Whose workflows",
                "Wessen Workflows",
                "Workflows de",
                "Flujos de",
            ],
        ),
        yours: pick(lang, ["Yours", "Ihre", "Les vôtres", "Los tuyos"]),
        show: pick(lang, ["Show", "Anzeigen", "Afficher", "Mostrar"]),
        name: pick(lang, ["Name", "Name", "Nom", "Nombre"]),
        trigger: pick(lang, ["When", "Wann", "Quand", "Cuándo"]),
        active_on: pick(lang, ["Active on", "Aktiv für", "Actif sur", "Activo en"]),
        steps: pick(lang, ["Steps", "Schritte", "Étapes", "Pasos"]),
        all: pick(
            lang,
            [
                "All event types",
                "Alle Ereignistypen",
                "Tous les types d’événements",
                "Todos los tipos de evento",
            ],
        ),
    }
}

pub struct FormWords {
    pub new_title: &'static str,
    pub edit_title: &'static str,
    pub back: &'static str,
    pub fix: &'static str,
    pub name: &'static str,
    pub trigger: &'static str,
    pub offset: &'static str,
    pub offset_hint: &'static str,
    pub unit: &'static str,
    pub units: [(&'static str, &'static str); 3],
    pub triggers: Vec<(&'static str, &'static str)>,
    pub activation: &'static str,
    pub all: &'static str,
    pub no_event_types: &'static str,
    pub step: &'static str,
    pub new_step: &'static str,
    pub new_step_hint: &'static str,
    pub action: &'static str,
    pub none: &'static str,
    pub actions: Vec<(&'static str, &'static str)>,
    pub send_to: &'static str,
    pub send_to_hint: &'static str,
    pub template: &'static str,
    pub reminder: &'static str,
    pub custom: &'static str,
    pub subject: &'static str,
    pub body: &'static str,
    pub body_html: &'static str,
    pub variables: &'static str,
    pub preview: &'static str,
    pub preview_title: &'static str,
    pub to: &'static str,
    pub create: &'static str,
    pub save: &'static str,
    pub delete: &'static str,
}

fn triggers(lang: Lang) -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "beforeEvent",
            pick(
                lang,
                [
                    "Before the meeting",
                    "Vor dem Termin",
                    "Avant le rendez-vous",
                    "Antes de la reunión",
                ],
            ),
        ),
        (
            "afterEvent",
            pick(
                lang,
                [
                    "After the meeting",
                    "Nach dem Termin",
                    "Après le rendez-vous",
                    "Después de la reunión",
                ],
            ),
        ),
        (
            "newEvent",
            pick(
                lang,
                [
                    "When booked",
                    "Bei Buchung",
                    "À la réservation",
                    "Al reservar",
                ],
            ),
        ),
        (
            "rescheduleEvent",
            pick(
                lang,
                [
                    "When rescheduled",
                    "Bei Verschiebung",
                    "Au report",
                    "Al reprogramar",
                ],
            ),
        ),
        (
            "eventCancelled",
            pick(
                lang,
                [
                    "When cancelled",
                    "Bei Absage",
                    "À l’annulation",
                    "Al cancelar",
                ],
            ),
        ),
        (
            "bookingRequested",
            pick(
                lang,
                [
                    "When requested",
                    "Bei Anfrage",
                    "À la demande",
                    "Al solicitar",
                ],
            ),
        ),
        (
            "bookingRejected",
            pick(
                lang,
                ["When declined", "Bei Ablehnung", "Au refus", "Al rechazar"],
            ),
        ),
    ]
}

fn actions(lang: Lang) -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "email_attendee",
            pick(
                lang,
                [
                    "Email the attendees",
                    "E-Mail an die Teilnehmenden",
                    "E-mail aux participants",
                    "Correo a los asistentes",
                ],
            ),
        ),
        (
            "email_host",
            pick(
                lang,
                [
                    "Email the hosts",
                    "E-Mail an die Gastgeber",
                    "E-mail aux hôtes",
                    "Correo a los anfitriones",
                ],
            ),
        ),
        (
            "email_address",
            pick(
                lang,
                [
                    "Email an address",
                    "E-Mail an eine Adresse",
                    "E-mail à une adresse",
                    "Correo a una dirección",
                ],
            ),
        ),
        (
            "sms_attendee",
            pick(
                lang,
                [
                    "Text the attendees",
                    "SMS an die Teilnehmenden",
                    "SMS aux participants",
                    "SMS a los asistentes",
                ],
            ),
        ),
        (
            "sms_number",
            pick(
                lang,
                [
                    "Text a number",
                    "SMS an eine Nummer",
                    "SMS à un numéro",
                    "SMS a un número",
                ],
            ),
        ),
        (
            "webhook",
            pick(
                lang,
                [
                    "Call a webhook",
                    "Webhook aufrufen",
                    "Appeler un webhook",
                    "Llamar a un webhook",
                ],
            ),
        ),
    ]
}

pub fn form(lang: Lang) -> FormWords {
    FormWords {
        new_title: pick(
            lang,
            [
                "New workflow",
                "Neuer Workflow",
                "Nouveau workflow",
                "Nuevo flujo de trabajo",
            ],
        ),
        edit_title: pick(
            lang,
            [
                "Edit workflow",
                "Workflow bearbeiten",
                "Modifier le workflow",
                "Editar flujo de trabajo",
            ],
        ),
        back: pick(
            lang,
            ["Workflows", "Workflows", "Workflows", "Flujos de trabajo"],
        ),
        fix: pick(
            lang,
            [
                "Please fix this:",
                "Bitte korrigieren:",
                "À corriger :",
                "Corrige esto:",
            ],
        ),
        name: pick(lang, ["Name", "Name", "Nom", "Nombre"]),
        trigger: pick(
            lang,
            [
                "When it runs",
                "Wann er läuft",
                "Quand il s’exécute",
                "Cuándo se ejecuta",
            ],
        ),
        offset: pick(
            lang,
            [
                "How long before or after",
                "Wie lange davor oder danach",
                "Combien de temps avant ou après",
                "Cuánto antes o después",
            ],
        ),
        offset_hint: pick(
            lang,
            [
                "Only for before and after the meeting; at most 30 days.",
                "Nur für vor und nach dem Termin; höchstens 30 Tage.",
                "Seulement avant et après le rendez-vous ; 30 jours au plus.",
                "Solo para antes y después de la reunión; 30 días como máximo.",
            ],
        ),
        unit: pick(lang, ["Unit", "Einheit", "Unité", "Unidad"]),
        units: [
            (
                "minute",
                pick(lang, ["minutes", "Minuten", "minutes", "minutos"]),
            ),
            ("hour", pick(lang, ["hours", "Stunden", "heures", "horas"])),
            ("day", pick(lang, ["days", "Tage", "jours", "días"])),
        ],
        triggers: triggers(lang),
        activation: pick(lang, ["Active on", "Aktiv für", "Actif sur", "Activo en"]),
        all: pick(
            lang,
            [
                "All event types (new ones too)",
                "Alle Ereignistypen (auch neue)",
                "Tous les types d’événements (les nouveaux aussi)",
                "Todos los tipos de evento (también los nuevos)",
            ],
        ),
        no_event_types: pick(
            lang,
            [
                "No event types yet.",
                "Noch keine Ereignistypen.",
                "Aucun type d’événement.",
                "Aún no hay tipos de evento.",
            ],
        ),
        step: pick(lang, ["Step", "Schritt", "Étape", "Paso"]),
        new_step: pick(
            lang,
            [
                "Add a step",
                "Schritt hinzufügen",
                "Ajouter une étape",
                "Añadir un paso",
            ],
        ),
        new_step_hint: pick(
            lang,
            [
                "Choose an action to add this step; a step whose action is “none” is removed.",
                "Wählen Sie eine Aktion, um den Schritt hinzuzufügen; ein Schritt ohne Aktion wird entfernt.",
                "Choisissez une action pour ajouter l’étape ; une étape sans action est supprimée.",
                "Elige una acción para añadir el paso; un paso sin acción se elimina.",
            ],
        ),
        action: pick(lang, ["Action", "Aktion", "Action", "Acción"]),
        none: pick(lang, ["None", "Keine", "Aucune", "Ninguna"]),
        actions: actions(lang),
        send_to: pick(
            lang,
            ["Recipient", "Empfänger", "Destinataire", "Destinatario"],
        ),
        send_to_hint: pick(
            lang,
            [
                "An address of your account (email an address), a number like +12125550100 (text a number), or a webhook's id (call a webhook).",
                "Eine Adresse Ihres Kontos (E-Mail an eine Adresse), eine Nummer wie +4930123456 (SMS an eine Nummer) oder die ID eines Webhooks.",
                "Une adresse de votre compte (e-mail à une adresse), un numéro comme +33123456789 (SMS à un numéro) ou l’identifiant d’un webhook.",
                "Una dirección de tu cuenta (correo a una dirección), un número como +34912345678 (SMS a un número) o el id de un webhook.",
            ],
        ),
        template: pick(lang, ["Message", "Nachricht", "Message", "Mensaje"]),
        reminder: pick(
            lang,
            [
                "Kairos' reminder, in the recipient's language",
                "Kairos-Erinnerung, in der Sprache des Empfängers",
                "Rappel de Kairos, dans la langue du destinataire",
                "Recordatorio de Kairos, en el idioma del destinatario",
            ],
        ),
        custom: pick(
            lang,
            [
                "My own message",
                "Eigene Nachricht",
                "Mon propre message",
                "Mi propio mensaje",
            ],
        ),
        subject: pick(lang, ["Subject", "Betreff", "Objet", "Asunto"]),
        body: pick(lang, ["Text", "Text", "Texte", "Texto"]),
        body_html: pick(
            lang,
            ["Text (HTML)", "Text (HTML)", "Texte (HTML)", "Texto (HTML)"],
        ),
        variables: pick(
            lang,
            [
                "Variables, filled in for each recipient (and each booking question's answer by its name in capitals):",
                "Variablen, für jeden Empfänger ausgefüllt (dazu jede Antwort auf eine Buchungsfrage unter ihrem Namen in Großbuchstaben):",
                "Variables, remplies pour chaque destinataire (et chaque réponse à une question par son nom en majuscules) :",
                "Variables, rellenadas para cada destinatario (y cada respuesta a una pregunta por su nombre en mayúsculas):",
            ],
        ),
        preview: pick(
            lang,
            [
                "Preview this step",
                "Vorschau dieses Schritts",
                "Aperçu de cette étape",
                "Vista previa de este paso",
            ],
        ),
        preview_title: pick(
            lang,
            [
                "Preview, for a sample booking tomorrow at 10:00",
                "Vorschau für eine Beispielbuchung morgen um 10:00",
                "Aperçu pour une réservation d’exemple demain à 10:00",
                "Vista previa de una reserva de ejemplo mañana a las 10:00",
            ],
        ),
        to: pick(lang, ["To", "An", "À", "Para"]),
        create: pick(
            lang,
            [
                "Create workflow",
                "Workflow anlegen",
                "Créer le workflow",
                "Crear flujo de trabajo",
            ],
        ),
        save: pick(lang, ["Save", "Speichern", "Enregistrer", "Guardar"]),
        delete: pick(
            lang,
            [
                "Delete workflow",
                "Workflow löschen",
                "Supprimer le workflow",
                "Eliminar flujo de trabajo",
            ],
        ),
    }
}
