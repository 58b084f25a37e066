//! What the webhook pages say, in the console's four languages.

use crate::http::pages::console::pick;
use crate::http::pages::i18n::Lang;

/// What an action that redirected back says it did (`?done=`).
pub fn notice(done: &str, lang: Lang) -> Option<&'static str> {
    Some(match done {
        "created" => pick(
            lang,
            [
                "Webhook created.",
                "Webhook angelegt.",
                "Webhook créé.",
                "Webhook creado.",
            ],
        ),
        "saved" => pick(
            lang,
            [
                "Changes saved.",
                "Änderungen gespeichert.",
                "Modifications enregistrées.",
                "Cambios guardados.",
            ],
        ),
        "deleted" => pick(
            lang,
            [
                "Webhook deleted.",
                "Webhook gelöscht.",
                "Webhook supprimé.",
                "Webhook eliminado.",
            ],
        ),
        "pinged" => pick(
            lang,
            [
                "Ping queued: it is sent within seconds.",
                "Ping eingereiht: er wird in Sekunden gesendet.",
                "Ping en file : il part dans quelques secondes.",
                "Ping en cola: se envía en unos segundos.",
            ],
        ),
        "redelivered" => pick(
            lang,
            [
                "Queued to be sent again.",
                "Zum erneuten Senden eingereiht.",
                "En file pour un nouvel envoi.",
                "En cola para enviarse de nuevo.",
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
    pub url: &'static str,
    pub triggers: &'static str,
    pub state: &'static str,
    pub on: &'static str,
    pub off: &'static str,
    pub switched_off: &'static str,
}

pub fn list(lang: Lang) -> ListWords {
    ListWords {
        title: "Webhooks",
        lead: pick(
            lang,
            [
                "Kairos posts booking events to these addresses, signed with each webhook's secret (X-Cal-Signature-256), and retries failed deliveries.",
                "Kairos sendet Buchungsereignisse an diese Adressen, signiert mit dem Geheimnis des Webhooks (X-Cal-Signature-256), und wiederholt fehlgeschlagene Zustellungen.",
                "Kairos envoie les événements de réservation à ces adresses, signés avec le secret de chaque webhook (X-Cal-Signature-256), et réessaie les envois échoués.",
                "Kairos envía los eventos de reserva a estas direcciones, firmados con el secreto de cada webhook (X-Cal-Signature-256), y reintenta los envíos fallidos.",
            ],
        ),
        new: pick(
            lang,
            [
                "New webhook",
                "Neuer Webhook",
                "Nouveau webhook",
                "Nuevo webhook",
            ],
        ),
        none: pick(
            lang,
            [
                "No webhooks here yet.",
                "Hier gibt es noch keine Webhooks.",
                "Aucun webhook ici pour l’instant.",
                "Aún no hay webhooks aquí.",
            ],
        ),
        scope: pick(
            lang,
            ["Webhooks of", "Webhooks von", "Webhooks de", "Webhooks de"],
        ),
        yours: pick(
            lang,
            [
                "My account (all my bookings)",
                "Mein Konto (alle meine Buchungen)",
                "Mon compte (toutes mes réservations)",
                "Mi cuenta (todas mis reservas)",
            ],
        ),
        show: pick(lang, ["Show", "Anzeigen", "Afficher", "Mostrar"]),
        url: pick(
            lang,
            [
                "Subscriber URL",
                "Empfänger-URL",
                "URL de l’abonné",
                "URL del suscriptor",
            ],
        ),
        triggers: pick(
            lang,
            ["Triggers", "Auslöser", "Déclencheurs", "Disparadores"],
        ),
        state: pick(lang, ["State", "Status", "État", "Estado"]),
        on: pick(lang, ["Active", "Aktiv", "Actif", "Activo"]),
        off: pick(lang, ["Off", "Aus", "Désactivé", "Desactivado"]),
        switched_off: pick(
            lang,
            [
                "Switched off by Kairos",
                "Von Kairos abgeschaltet",
                "Désactivé par Kairos",
                "Desactivado por Kairos",
            ],
        ),
    }
}

pub struct FormWords {
    pub new_title: &'static str,
    pub edit_title: &'static str,
    pub back: &'static str,
    pub url: &'static str,
    pub url_hint: &'static str,
    pub triggers: &'static str,
    pub active: &'static str,
    pub secret: &'static str,
    pub secret_hint: &'static str,
    pub secret_kept: &'static str,
    pub clear_secret: &'static str,
    pub template: &'static str,
    pub template_hint: &'static str,
    pub timing: &'static str,
    pub time: &'static str,
    pub unit: &'static str,
    pub units: [(&'static str, &'static str); 3],
    pub none: &'static str,
    pub save: &'static str,
    pub create: &'static str,
    pub fix: &'static str,
    pub disabled: &'static str,
    pub disabled_hint: &'static str,
    pub failures: &'static str,
    pub created: &'static str,
    pub ping: &'static str,
    pub delete: &'static str,
    pub log: DeliveryWords,
}

pub fn form(lang: Lang) -> FormWords {
    FormWords {
        new_title: pick(
            lang,
            [
                "New webhook",
                "Neuer Webhook",
                "Nouveau webhook",
                "Nuevo webhook",
            ],
        ),
        edit_title: "Webhook",
        back: pick(
            lang,
            [
                "All webhooks",
                "Alle Webhooks",
                "Tous les webhooks",
                "Todos los webhooks",
            ],
        ),
        url: list(lang).url,
        url_hint: pick(
            lang,
            [
                "A public http(s) address, e.g. https://example.com/hooks/kairos.",
                "Eine öffentliche http(s)-Adresse, z. B. https://example.com/hooks/kairos.",
                "Une adresse http(s) publique, p. ex. https://example.com/hooks/kairos.",
                "Una dirección http(s) pública, p. ej. https://example.com/hooks/kairos.",
            ],
        ),
        triggers: list(lang).triggers,
        active: list(lang).on,
        secret: pick(lang, ["Secret", "Geheimnis", "Secret", "Secreto"]),
        secret_hint: pick(
            lang,
            [
                "Signs each delivery (X-Cal-Signature-256). Stored encrypted; never shown again.",
                "Signiert jede Zustellung (X-Cal-Signature-256). Verschlüsselt gespeichert, nie wieder angezeigt.",
                "Signe chaque envoi (X-Cal-Signature-256). Stocké chiffré ; jamais réaffiché.",
                "Firma cada envío (X-Cal-Signature-256). Se guarda cifrado; no se vuelve a mostrar.",
            ],
        ),
        secret_kept: pick(
            lang,
            [
                "A secret is set. Leave empty to keep it.",
                "Ein Geheimnis ist gesetzt. Leer lassen, um es zu behalten.",
                "Un secret est défini. Laissez vide pour le garder.",
                "Hay un secreto. Déjelo vacío para conservarlo.",
            ],
        ),
        clear_secret: pick(
            lang,
            [
                "Remove the secret (deliveries unsigned)",
                "Geheimnis entfernen (Zustellungen unsigniert)",
                "Supprimer le secret (envois non signés)",
                "Quitar el secreto (envíos sin firma)",
            ],
        ),
        template: pick(
            lang,
            [
                "Payload template (optional)",
                "Nutzlast-Vorlage (optional)",
                "Modèle de contenu (facultatif)",
                "Plantilla del contenido (opcional)",
            ],
        ),
        template_hint: pick(
            lang,
            [
                "Cal.com's {{variable}} template; empty sends the standard JSON payload.",
                "Cal.com-Vorlage mit {{variable}}; leer sendet die Standard-JSON-Nutzlast.",
                "Modèle {{variable}} de Cal.com ; vide envoie le JSON standard.",
                "Plantilla {{variable}} de Cal.com; vacía envía el JSON estándar.",
            ],
        ),
        timing: pick(
            lang,
            [
                "No-show triggers fire this long after the meeting",
                "No-Show-Auslöser feuern so lange nach dem Termin",
                "Les déclencheurs d’absence partent ce délai après la réunion",
                "Los disparadores de ausencia se envían este tiempo después de la reunión",
            ],
        ),
        time: pick(lang, ["After", "Nach", "Après", "Después de"]),
        unit: pick(lang, ["Unit", "Einheit", "Unité", "Unidad"]),
        units: [
            (
                "MINUTE",
                pick(lang, ["minutes", "Minuten", "minutes", "minutos"]),
            ),
            ("HOUR", pick(lang, ["hours", "Stunden", "heures", "horas"])),
            ("DAY", pick(lang, ["days", "Tage", "jours", "días"])),
        ],
        none: "—",
        save: pick(lang, ["Save", "Speichern", "Enregistrer", "Guardar"]),
        create: pick(lang, ["Create", "Anlegen", "Créer", "Crear"]),
        fix: pick(
            lang,
            [
                "The webhook was not saved:",
                "Der Webhook wurde nicht gespeichert:",
                "Le webhook n’a pas été enregistré :",
                "El webhook no se guardó:",
            ],
        ),
        disabled: list(lang).switched_off,
        disabled_hint: pick(
            lang,
            [
                "Tick Active and save to switch it on again.",
                "„Aktiv“ ankreuzen und speichern, um ihn wieder einzuschalten.",
                "Cochez Actif et enregistrez pour le réactiver.",
                "Marque Activo y guarde para activarlo de nuevo.",
            ],
        ),
        failures: pick(
            lang,
            [
                "Failed deliveries in a row",
                "Fehlgeschlagene Zustellungen in Folge",
                "Envois échoués d’affilée",
                "Envíos fallidos seguidos",
            ],
        ),
        created: pick(lang, ["Created", "Angelegt", "Créé", "Creado"]),
        ping: pick(
            lang,
            [
                "Send a ping",
                "Ping senden",
                "Envoyer un ping",
                "Enviar un ping",
            ],
        ),
        delete: pick(lang, ["Delete", "Löschen", "Supprimer", "Eliminar"]),
        log: delivery(lang),
    }
}

pub struct DeliveryWords {
    pub title: &'static str,
    pub back: &'static str,
    pub all: &'static str,
    pub status: &'static str,
    pub filter: &'static str,
    pub none: &'static str,
    pub created: &'static str,
    pub trigger: &'static str,
    pub attempts: &'static str,
    pub code: &'static str,
    pub error: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub page: &'static str,
    pub next_attempt: &'static str,
    pub body: &'static str,
    pub attempted: &'static str,
    pub latency: &'static str,
    pub outcome: &'static str,
    pub no_attempts: &'static str,
    pub redeliver: &'static str,
    pub pending: &'static str,
    pub inactive: &'static str,
}

pub fn delivery(lang: Lang) -> DeliveryWords {
    DeliveryWords {
        title: pick(lang, ["Deliveries", "Zustellungen", "Envois", "Envíos"]),
        back: pick(
            lang,
            [
                "Back to the webhook",
                "Zurück zum Webhook",
                "Retour au webhook",
                "Volver al webhook",
            ],
        ),
        all: pick(lang, ["All", "Alle", "Tous", "Todos"]),
        status: pick(lang, ["Status", "Status", "Statut", "Estado"]),
        filter: pick(lang, ["Filter", "Filtern", "Filtrer", "Filtrar"]),
        none: pick(
            lang,
            [
                "No deliveries.",
                "Keine Zustellungen.",
                "Aucun envoi.",
                "Ningún envío.",
            ],
        ),
        created: pick(lang, ["Created", "Erstellt", "Créé", "Creado"]),
        trigger: pick(lang, ["Trigger", "Auslöser", "Déclencheur", "Disparador"]),
        attempts: pick(lang, ["Attempts", "Versuche", "Tentatives", "Intentos"]),
        code: "HTTP",
        error: pick(
            lang,
            [
                "Last error",
                "Letzter Fehler",
                "Dernière erreur",
                "Último error",
            ],
        ),
        previous: pick(lang, ["Previous", "Zurück", "Précédent", "Anterior"]),
        next: pick(lang, ["Next", "Weiter", "Suivant", "Siguiente"]),
        page: pick(lang, ["Page", "Seite", "Page", "Página"]),
        next_attempt: pick(
            lang,
            [
                "Next attempt",
                "Nächster Versuch",
                "Prochaine tentative",
                "Próximo intento",
            ],
        ),
        body: pick(
            lang,
            [
                "Body sent",
                "Gesendeter Inhalt",
                "Contenu envoyé",
                "Contenido enviado",
            ],
        ),
        attempted: pick(lang, ["When", "Wann", "Quand", "Cuándo"]),
        latency: pick(
            lang,
            ["Time (ms)", "Dauer (ms)", "Durée (ms)", "Duración (ms)"],
        ),
        outcome: pick(lang, ["Answer", "Antwort", "Réponse", "Respuesta"]),
        no_attempts: pick(
            lang,
            [
                "Not attempted yet.",
                "Noch nicht versucht.",
                "Pas encore tenté.",
                "Aún no se ha intentado.",
            ],
        ),
        redeliver: pick(
            lang,
            ["Send again", "Erneut senden", "Renvoyer", "Enviar de nuevo"],
        ),
        pending: pick(
            lang,
            [
                "This delivery is still pending: it will be attempted again on its own.",
                "Diese Zustellung steht noch aus: sie wird von selbst erneut versucht.",
                "Cet envoi est en attente : il sera retenté tout seul.",
                "Este envío está pendiente: se reintentará solo.",
            ],
        ),
        inactive: pick(
            lang,
            [
                "The webhook is switched off: switch it on before sending again.",
                "Der Webhook ist abgeschaltet: erst einschalten, dann erneut senden.",
                "Le webhook est désactivé : réactivez-le avant de renvoyer.",
                "El webhook está desactivado: actívelo antes de reenviar.",
            ],
        ),
    }
}
