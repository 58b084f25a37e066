//! What the calendars page says, in the console's four languages.

use crate::http::pages::console::pick;
use crate::http::pages::i18n::Lang;

/// What an action that redirected back says it did (`?done=`).
pub fn notice(done: &str, lang: Lang) -> Option<&'static str> {
    Some(match done {
        "connected" => pick(
            lang,
            [
                "Calendar connected: it is read within seconds.",
                "Kalender verbunden: er wird in Sekunden gelesen.",
                "Calendrier connecté : il est lu dans quelques secondes.",
                "Calendario conectado: se lee en unos segundos.",
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
        "checked" => pick(
            lang,
            [
                "The calendar answered: the connection works.",
                "Der Kalender hat geantwortet: die Verbindung funktioniert.",
                "Le calendrier a répondu : la connexion fonctionne.",
                "El calendario respondió: la conexión funciona.",
            ],
        ),
        "disconnected" => pick(
            lang,
            [
                "Calendar disconnected.",
                "Kalender getrennt.",
                "Calendrier déconnecté.",
                "Calendario desconectado.",
            ],
        ),
        _ => return None,
    })
}

pub struct Words {
    pub title: &'static str,
    pub lead: &'static str,
    pub fix: &'static str,
    pub connected: &'static str,
    pub none: &'static str,
    pub status: &'static str,
    pub active: &'static str,
    pub invalid: &'static str,
    pub last_sync: &'static str,
    pub never: &'static str,
    pub last_error: &'static str,
    pub blocking: &'static str,
    pub read_only: &'static str,
    pub primary: &'static str,
    pub save: &'static str,
    pub reconnect: &'static str,
    pub check: &'static str,
    pub disconnect: &'static str,
    pub destination: &'static str,
    pub destination_hint: &'static str,
    pub no_destination: &'static str,
    pub add: &'static str,
    pub connect: &'static str,
    pub not_set_up: &'static str,
    pub unavailable: &'static str,
    pub caldav: &'static str,
    pub caldav_hint: &'static str,
    pub server_url: &'static str,
    pub server_hint: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub password_hint: &'static str,
    pub ics: &'static str,
    pub ics_url: &'static str,
    pub ics_hint: &'static str,
    pub add_feed: &'static str,
    pub add_caldav: &'static str,
    pub not_granted: &'static str,
}

pub fn words(lang: Lang) -> Words {
    Words {
        title: pick(
            lang,
            ["Calendars", "Kalender", "Calendriers", "Calendarios"],
        ),
        lead: pick(
            lang,
            [
                "Busy time in the calendars you choose removes slots from your booking pages; bookings are written into your destination calendar.",
                "Belegte Zeiten in den gewählten Kalendern entfernen Termine von Ihren Buchungsseiten; Buchungen werden in Ihren Zielkalender geschrieben.",
                "Les occupations des calendriers choisis retirent des créneaux de vos pages de réservation ; les réservations sont écrites dans votre calendrier de destination.",
                "Las horas ocupadas de los calendarios elegidos quitan franjas de sus páginas de reserva; las reservas se escriben en su calendario de destino.",
            ],
        ),
        fix: pick(
            lang,
            [
                "Please fix this:",
                "Bitte korrigieren:",
                "À corriger :",
                "Corrija esto:",
            ],
        ),
        connected: pick(
            lang,
            [
                "Connected calendars",
                "Verbundene Kalender",
                "Calendriers connectés",
                "Calendarios conectados",
            ],
        ),
        none: pick(
            lang,
            [
                "No calendar is connected yet.",
                "Noch ist kein Kalender verbunden.",
                "Aucun calendrier n’est encore connecté.",
                "Aún no hay ningún calendario conectado.",
            ],
        ),
        status: pick(lang, ["Status", "Status", "État", "Estado"]),
        active: pick(lang, ["Working", "Aktiv", "Fonctionne", "Funciona"]),
        invalid: pick(
            lang,
            [
                "Needs reconnecting",
                "Muss neu verbunden werden",
                "À reconnecter",
                "Hay que reconectar",
            ],
        ),
        last_sync: pick(
            lang,
            [
                "Last read",
                "Zuletzt gelesen",
                "Dernière lecture",
                "Última lectura",
            ],
        ),
        never: pick(lang, ["not yet", "noch nicht", "pas encore", "todavía no"]),
        last_error: pick(
            lang,
            [
                "Last error",
                "Letzter Fehler",
                "Dernière erreur",
                "Último error",
            ],
        ),
        blocking: pick(
            lang,
            [
                "Calendars that block your availability",
                "Kalender, die Ihre Verfügbarkeit blockieren",
                "Calendriers qui bloquent vos disponibilités",
                "Calendarios que bloquean su disponibilidad",
            ],
        ),
        read_only: pick(
            lang,
            [
                "read-only",
                "schreibgeschützt",
                "lecture seule",
                "solo lectura",
            ],
        ),
        primary: pick(lang, ["primary", "Hauptkalender", "principal", "principal"]),
        save: pick(lang, ["Save", "Speichern", "Enregistrer", "Guardar"]),
        reconnect: pick(
            lang,
            ["Reconnect", "Neu verbinden", "Reconnecter", "Reconectar"],
        ),
        check: pick(
            lang,
            [
                "Check again",
                "Erneut prüfen",
                "Vérifier à nouveau",
                "Comprobar de nuevo",
            ],
        ),
        disconnect: pick(
            lang,
            ["Disconnect", "Trennen", "Déconnecter", "Desconectar"],
        ),
        destination: pick(
            lang,
            [
                "Where bookings are written",
                "Wohin Buchungen geschrieben werden",
                "Où les réservations sont écrites",
                "Dónde se escriben las reservas",
            ],
        ),
        destination_hint: pick(
            lang,
            [
                "Only calendars Kairos may write to are offered.",
                "Nur Kalender, in die Kairos schreiben darf, stehen zur Wahl.",
                "Seuls les calendriers où Kairos peut écrire sont proposés.",
                "Solo se ofrecen calendarios en los que Kairos puede escribir.",
            ],
        ),
        no_destination: pick(
            lang,
            [
                "None (bookings are not written into a calendar)",
                "Keiner (Buchungen werden in keinen Kalender geschrieben)",
                "Aucun (les réservations ne sont écrites dans aucun calendrier)",
                "Ninguno (las reservas no se escriben en un calendario)",
            ],
        ),
        add: pick(
            lang,
            [
                "Add a calendar",
                "Kalender hinzufügen",
                "Ajouter un calendrier",
                "Añadir un calendario",
            ],
        ),
        connect: pick(lang, ["Connect", "Verbinden", "Connecter", "Conectar"]),
        not_set_up: pick(
            lang,
            [
                "Not set up on this server. The operator sets",
                "Auf diesem Server nicht eingerichtet. Der Betreiber setzt",
                "Non configuré sur ce serveur. L’opérateur définit",
                "No configurado en este servidor. El operador define",
            ],
        ),
        unavailable: pick(
            lang,
            [
                "External calendars are not available on this server: the operator runs Kairos with its calendar service (see README, “Connect calendars”).",
                "Externe Kalender sind auf diesem Server nicht verfügbar: der Betreiber startet Kairos mit seinem Kalenderdienst (siehe README, „Connect calendars“).",
                "Les calendriers externes ne sont pas disponibles sur ce serveur : l’opérateur lance Kairos avec son service de calendriers (voir README, « Connect calendars »).",
                "Los calendarios externos no están disponibles en este servidor: el operador inicia Kairos con su servicio de calendarios (vea README, «Connect calendars»).",
            ],
        ),
        caldav: pick(
            lang,
            [
                "Apple Calendar or another CalDAV server",
                "Apple-Kalender oder ein anderer CalDAV-Server",
                "Calendrier Apple ou un autre serveur CalDAV",
                "Calendario de Apple u otro servidor CalDAV",
            ],
        ),
        caldav_hint: pick(
            lang,
            [
                "Kairos checks the server and the password before it stores them. Adding the same account again replaces its password.",
                "Kairos prüft Server und Passwort, bevor es sie speichert. Dasselbe Konto erneut hinzuzufügen ersetzt sein Passwort.",
                "Kairos vérifie le serveur et le mot de passe avant de les enregistrer. Ajouter à nouveau le même compte remplace son mot de passe.",
                "Kairos comprueba el servidor y la contraseña antes de guardarlos. Añadir de nuevo la misma cuenta reemplaza su contraseña.",
            ],
        ),
        server_url: pick(
            lang,
            [
                "Server URL",
                "Server-URL",
                "URL du serveur",
                "URL del servidor",
            ],
        ),
        server_hint: pick(
            lang,
            [
                "Leave empty for Apple iCloud (https://caldav.icloud.com).",
                "Leer lassen für Apple iCloud (https://caldav.icloud.com).",
                "Laisser vide pour Apple iCloud (https://caldav.icloud.com).",
                "Déjelo vacío para Apple iCloud (https://caldav.icloud.com).",
            ],
        ),
        username: pick(
            lang,
            ["Username", "Benutzername", "Nom d’utilisateur", "Usuario"],
        ),
        password: pick(
            lang,
            [
                "App password",
                "App-Passwort",
                "Mot de passe d’application",
                "Contraseña de aplicación",
            ],
        ),
        password_hint: pick(
            lang,
            [
                "For iCloud, an app-specific password from appleid.apple.com. It is stored encrypted and never shown again.",
                "Für iCloud ein app-spezifisches Passwort von appleid.apple.com. Es wird verschlüsselt gespeichert und nie wieder angezeigt.",
                "Pour iCloud, un mot de passe pour application créé sur appleid.apple.com. Il est chiffré et n’est plus jamais affiché.",
                "Para iCloud, una contraseña específica de appleid.apple.com. Se guarda cifrada y no se vuelve a mostrar.",
            ],
        ),
        ics: pick(lang, ["ICS feed", "ICS-Feed", "Flux ICS", "Feed ICS"]),
        ics_url: pick(
            lang,
            ["Feed URL", "Feed-URL", "URL du flux", "URL del feed"],
        ),
        ics_hint: pick(
            lang,
            [
                "A secret address (https:// or webcal://) of a calendar; it blocks your availability and is never written to.",
                "Eine geheime Adresse (https:// oder webcal://) eines Kalenders; sie blockiert Ihre Verfügbarkeit und wird nie beschrieben.",
                "L’adresse secrète (https:// ou webcal://) d’un calendrier ; il bloque vos disponibilités et n’est jamais modifié.",
                "La dirección secreta (https:// o webcal://) de un calendario; bloquea su disponibilidad y nunca se escribe en él.",
            ],
        ),
        add_feed: pick(
            lang,
            [
                "Add feed",
                "Feed hinzufügen",
                "Ajouter le flux",
                "Añadir feed",
            ],
        ),
        not_granted: pick(
            lang,
            [
                "The calendar provider did not grant access; connect again to allow it",
                "Der Kalenderanbieter hat keinen Zugriff gewährt; verbinden Sie erneut, um ihn zu erlauben",
                "Le fournisseur du calendrier n’a pas accordé l’accès ; connectez-vous à nouveau pour l’autoriser",
                "El proveedor del calendario no concedió el acceso; conecte de nuevo para permitirlo",
            ],
        ),
        add_caldav: pick(
            lang,
            [
                "Connect account",
                "Konto verbinden",
                "Connecter le compte",
                "Conectar cuenta",
            ],
        ),
    }
}
