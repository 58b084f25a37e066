//! What the teams pages say, in the console's four languages.

use crate::http::pages::console::pick;
use crate::http::pages::i18n::Lang;

/// What an action that redirected back says it did (`?done=`).
pub fn notice(done: &str, lang: Lang) -> Option<&'static str> {
    Some(match done {
        "created" => pick(
            lang,
            [
                "Team created.",
                "Team angelegt.",
                "Équipe créée.",
                "Equipo creado.",
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
        "invited" => pick(
            lang,
            [
                "Invitation sent: they join once they accept it.",
                "Einladung verschickt: die Person tritt bei, sobald sie annimmt.",
                "Invitation envoyée : la personne rejoint l’équipe dès qu’elle l’accepte.",
                "Invitación enviada: se une en cuanto la acepte.",
            ],
        ),
        "removed" => pick(
            lang,
            [
                "Member removed.",
                "Mitglied entfernt.",
                "Membre retiré.",
                "Miembro eliminado.",
            ],
        ),
        "accepted" => pick(
            lang,
            [
                "You joined the team.",
                "Sie sind dem Team beigetreten.",
                "Vous avez rejoint l’équipe.",
                "Te has unido al equipo.",
            ],
        ),
        "declined" => pick(
            lang,
            [
                "Invitation declined.",
                "Einladung abgelehnt.",
                "Invitation refusée.",
                "Invitación rechazada.",
            ],
        ),
        _ => return None,
    })
}

/// Every word the teams pages show.
pub struct Words {
    pub title: &'static str,
    pub lead: &'static str,
    pub none: &'static str,
    pub invitations: &'static str,
    pub accept: &'static str,
    pub decline: &'static str,
    pub new_team: &'static str,
    pub create: &'static str,
    pub name: &'static str,
    pub slug: &'static str,
    pub slug_hint: &'static str,
    pub time_zone: &'static str,
    pub brand_color: &'static str,
    pub fix: &'static str,
    pub back: &'static str,
    pub your_role: &'static str,
    pub members: &'static str,
    pub email: &'static str,
    pub role: &'static str,
    pub state: &'static str,
    pub actions: &'static str,
    pub pending: &'static str,
    pub joined: &'static str,
    pub change_role: &'static str,
    pub remove: &'static str,
    pub add_member: &'static str,
    pub add_hint: &'static str,
    pub invite: &'static str,
    pub settings: &'static str,
    pub save: &'static str,
    pub event_types: &'static str,
    pub no_event_types: &'static str,
    pub scheduling: &'static str,
    pub hosts: &'static str,
    pub edit_hosts: &'static str,
    pub host: &'static str,
    pub fixed: &'static str,
    pub groups: &'static str,
    pub groups_lead: &'static str,
    pub group: &'static str,
    pub group_name: &'static str,
    pub default_group: &'static str,
    pub new_group: &'static str,
    pub delete_group: &'static str,
    pub weight: &'static str,
    pub priority: &'static str,
    pub preview: &'static str,
    pub preview_lead: &'static str,
    pub target: &'static str,
    pub simulated: &'static str,
    pub share: &'static str,
    pub replay: &'static str,
    pub replay_lead: &'static str,
    pub got: &'static str,
    pub would_get: &'static str,
    pub same_host: &'static str,
    pub elsewhere: &'static str,
    pub no_bookings: &'static str,
    pub read_only: &'static str,
    pub roles: [(&'static str, &'static str); 3],
    pub priorities: [(&'static str, &'static str); 5],
}

pub fn words(lang: Lang) -> Words {
    Words {
        title: pick(lang, ["Teams", "Teams", "Équipes", "Equipos"]),
        lead: pick(
            lang,
            [
                "Teams share event types: round robin picks one host, collective books everyone.",
                "Teams teilen Ereignistypen: Round Robin wählt einen Gastgeber, kollektiv bucht alle.",
                "Les équipes partagent des types d’événements : le tourniquet choisit un hôte, le collectif les réserve tous.",
                "Los equipos comparten tipos de evento: round robin elige un anfitrión, colectivo reserva a todos.",
            ],
        ),
        none: pick(
            lang,
            [
                "You are not in a team yet.",
                "Sie sind noch in keinem Team.",
                "Vous n’êtes encore dans aucune équipe.",
                "Todavía no estás en ningún equipo.",
            ],
        ),
        invitations: pick(
            lang,
            ["Invitations", "Einladungen", "Invitations", "Invitaciones"],
        ),
        accept: pick(lang, ["Accept", "Annehmen", "Accepter", "Aceptar"]),
        decline: pick(lang, ["Decline", "Ablehnen", "Refuser", "Rechazar"]),
        new_team: pick(
            lang,
            ["New team", "Neues Team", "Nouvelle équipe", "Nuevo equipo"],
        ),
        create: pick(
            lang,
            [
                "Create team",
                "Team anlegen",
                "Créer l’équipe",
                "Crear equipo",
            ],
        ),
        name: pick(lang, ["Name", "Name", "Nom", "Nombre"]),
        slug: pick(
            lang,
            [
                "Address (slug)",
                "Adresse (Slug)",
                "Adresse (slug)",
                "Dirección (slug)",
            ],
        ),
        slug_hint: pick(
            lang,
            [
                "The team's booking pages live under /team/<slug>.",
                "Die Buchungsseiten des Teams liegen unter /team/<Slug>.",
                "Les pages de réservation de l’équipe sont sous /team/<slug>.",
                "Las páginas de reserva del equipo están en /team/<slug>.",
            ],
        ),
        time_zone: pick(
            lang,
            ["Time zone", "Zeitzone", "Fuseau horaire", "Zona horaria"],
        ),
        brand_color: pick(
            lang,
            [
                "Brand colour",
                "Markenfarbe",
                "Couleur de marque",
                "Color de marca",
            ],
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
        back: pick(lang, ["Teams", "Teams", "Équipes", "Equipos"]),
        your_role: pick(lang, ["Your role", "Ihre Rolle", "Votre rôle", "Tu rol"]),
        members: pick(lang, ["Members", "Mitglieder", "Membres", "Miembros"]),
        email: pick(lang, ["Email", "E-Mail", "E-mail", "Correo"]),
        role: pick(lang, ["Role", "Rolle", "Rôle", "Rol"]),
        state: pick(lang, ["State", "Status", "État", "Estado"]),
        actions: pick(lang, ["Actions", "Aktionen", "Actions", "Acciones"]),
        pending: pick(
            lang,
            [
                "Invitation pending",
                "Einladung offen",
                "Invitation en attente",
                "Invitación pendiente",
            ],
        ),
        joined: pick(lang, ["Member", "Mitglied", "Membre", "Miembro"]),
        change_role: pick(
            lang,
            [
                "Change role",
                "Rolle ändern",
                "Changer le rôle",
                "Cambiar rol",
            ],
        ),
        remove: pick(lang, ["Remove", "Entfernen", "Retirer", "Quitar"]),
        add_member: pick(
            lang,
            [
                "Add a member",
                "Mitglied hinzufügen",
                "Ajouter un membre",
                "Añadir un miembro",
            ],
        ),
        add_hint: pick(
            lang,
            [
                "The email of someone with an account here; they are invited and join when they accept.",
                "Die E-Mail einer Person mit Konto hier; sie wird eingeladen und tritt bei, wenn sie annimmt.",
                "L’e-mail d’une personne ayant un compte ici ; elle est invitée et rejoint l’équipe en acceptant.",
                "El correo de alguien con cuenta aquí; se le invita y se une al aceptar.",
            ],
        ),
        invite: pick(lang, ["Invite", "Einladen", "Inviter", "Invitar"]),
        settings: pick(
            lang,
            [
                "Team settings",
                "Team-Einstellungen",
                "Paramètres de l’équipe",
                "Configuración del equipo",
            ],
        ),
        save: pick(lang, ["Save", "Speichern", "Enregistrer", "Guardar"]),
        event_types: pick(
            lang,
            [
                "Event types",
                "Ereignistypen",
                "Types d’événements",
                "Tipos de evento",
            ],
        ),
        no_event_types: pick(
            lang,
            [
                "This team has no event types yet.",
                "Dieses Team hat noch keine Ereignistypen.",
                "Cette équipe n’a pas encore de types d’événements.",
                "Este equipo aún no tiene tipos de evento.",
            ],
        ),
        scheduling: pick(
            lang,
            ["Scheduling", "Planung", "Planification", "Asignación"],
        ),
        hosts: pick(lang, ["Hosts", "Gastgeber", "Hôtes", "Anfitriones"]),
        edit_hosts: pick(
            lang,
            [
                "Hosts and weights",
                "Gastgeber und Gewichte",
                "Hôtes et poids",
                "Anfitriones y pesos",
            ],
        ),
        host: pick(lang, ["Host", "Gastgeber", "Hôte", "Anfitrión"]),
        fixed: pick(lang, ["Fixed", "Fest", "Fixe", "Fijo"]),
        groups: pick(
            lang,
            [
                "Host groups",
                "Gastgebergruppen",
                "Groupes d’hôtes",
                "Grupos de anfitriones",
            ],
        ),
        groups_lead: pick(
            lang,
            [
                "A time is offered when every fixed host and one host of each group are free; each booking gets one host per group. Hosts without a group form the default group. Deleting a group moves its hosts to the default group.",
                "Eine Zeit wird angeboten, wenn alle festen Gastgeber und je ein Gastgeber jeder Gruppe frei sind; jede Buchung erhält einen Gastgeber pro Gruppe. Gastgeber ohne Gruppe bilden die Standardgruppe. Wird eine Gruppe gelöscht, kommen ihre Gastgeber in die Standardgruppe.",
                "Un créneau est proposé quand tous les hôtes fixes et un hôte de chaque groupe sont libres ; chaque réservation reçoit un hôte par groupe. Les hôtes sans groupe forment le groupe par défaut. Supprimer un groupe place ses hôtes dans le groupe par défaut.",
                "Se ofrece una hora cuando todos los anfitriones fijos y un anfitrión de cada grupo están libres; cada reserva recibe un anfitrión por grupo. Los anfitriones sin grupo forman el grupo predeterminado. Al eliminar un grupo, sus anfitriones pasan al grupo predeterminado.",
            ],
        ),
        group: pick(lang, ["Group", "Gruppe", "Groupe", "Grupo"]),
        group_name: pick(
            lang,
            [
                "Name of group",
                "Name der Gruppe",
                "Nom du groupe",
                "Nombre del grupo",
            ],
        ),
        default_group: pick(
            lang,
            [
                "Default group",
                "Standardgruppe",
                "Groupe par défaut",
                "Grupo predeterminado",
            ],
        ),
        new_group: pick(
            lang,
            ["New group", "Neue Gruppe", "Nouveau groupe", "Nuevo grupo"],
        ),
        delete_group: pick(
            lang,
            [
                "Delete group",
                "Gruppe löschen",
                "Supprimer le groupe",
                "Eliminar grupo",
            ],
        ),
        weight: pick(lang, ["Weight", "Gewicht", "Poids", "Peso"]),
        priority: pick(lang, ["Priority", "Priorität", "Priorité", "Prioridad"]),
        preview: pick(
            lang,
            [
                "Preview distribution",
                "Verteilung vorschauen",
                "Prévisualiser la répartition",
                "Previsualizar el reparto",
            ],
        ),
        preview_lead: pick(
            lang,
            [
                "The assignment engine run on a simulated month of 100 bookings, each host missing about one in five: each host's share against its weight's.",
                "Die Zuteilung auf einem simulierten Monat mit 100 Buchungen, jeder Gastgeber bei etwa jeder fünften verhindert: der Anteil jedes Gastgebers gegen den seines Gewichts.",
                "Le moteur d’attribution sur un mois simulé de 100 réservations, chaque hôte absent environ une fois sur cinq : la part de chaque hôte face à celle de son poids.",
                "El motor de asignación sobre un mes simulado de 100 reservas, cada anfitrión ausente en una de cada cinco: la parte de cada anfitrión frente a la de su peso.",
            ],
        ),
        target: pick(
            lang,
            [
                "Weight's share",
                "Anteil laut Gewicht",
                "Part selon le poids",
                "Parte según el peso",
            ],
        ),
        simulated: pick(
            lang,
            [
                "Simulated bookings",
                "Simulierte Buchungen",
                "Réservations simulées",
                "Reservas simuladas",
            ],
        ),
        share: pick(lang, ["Share", "Anteil", "Part", "Parte"]),
        replay: pick(
            lang,
            [
                "The last 100 bookings",
                "Die letzten 100 Buchungen",
                "Les 100 dernières réservations",
                "Las últimas 100 reservas",
            ],
        ),
        replay_lead: pick(
            lang,
            [
                "The assignment engine replayed on this event type's last 100 bookings with these weights, every host taken as free: who got them against who would get them.",
                "Die Zuteilung mit diesen Gewichten auf den letzten 100 Buchungen dieses Ereignistyps wiederholt, jeder Gastgeber als frei angenommen: wer sie bekam gegen wer sie bekäme.",
                "Le moteur d’attribution rejoué avec ces poids sur les 100 dernières réservations de ce type d’événement, chaque hôte supposé libre : qui les a eues face à qui les aurait.",
                "El motor de asignación repetido con estos pesos sobre las últimas 100 reservas de este tipo de evento, cada anfitrión supuesto libre: quién las tuvo frente a quién las tendría.",
            ],
        ),
        got: pick(lang, ["Got", "Bekommen", "Obtenues", "Obtenidas"]),
        would_get: pick(lang, ["Would get", "Bekäme", "Obtiendrait", "Obtendría"]),
        same_host: pick(
            lang,
            [
                "Bookings that would go to the same host",
                "Buchungen, die an denselben Gastgeber gingen",
                "Réservations qui iraient au même hôte",
                "Reservas que irían al mismo anfitrión",
            ],
        ),
        elsewhere: pick(
            lang,
            [
                "Bookings a fixed or former host got",
                "Buchungen eines festen oder früheren Gastgebers",
                "Réservations d’un hôte fixe ou ancien",
                "Reservas de un anfitrión fijo o anterior",
            ],
        ),
        no_bookings: pick(
            lang,
            [
                "No bookings yet.",
                "Noch keine Buchungen.",
                "Pas encore de réservations.",
                "Aún no hay reservas.",
            ],
        ),
        read_only: pick(
            lang,
            [
                "Only the team's admins and owners can change this.",
                "Nur Admins und Inhaber des Teams können das ändern.",
                "Seuls les administrateurs et propriétaires de l’équipe peuvent le modifier.",
                "Solo los administradores y propietarios del equipo pueden cambiarlo.",
            ],
        ),
        roles: [
            (
                "MEMBER",
                pick(lang, ["Member", "Mitglied", "Membre", "Miembro"]),
            ),
            (
                "ADMIN",
                pick(lang, ["Admin", "Admin", "Administrateur", "Administrador"]),
            ),
            (
                "OWNER",
                pick(lang, ["Owner", "Inhaber", "Propriétaire", "Propietario"]),
            ),
        ],
        priorities: [
            (
                "lowest",
                pick(lang, ["Lowest", "Niedrigste", "La plus basse", "Mínima"]),
            ),
            ("low", pick(lang, ["Low", "Niedrig", "Basse", "Baja"])),
            (
                "medium",
                pick(lang, ["Medium", "Mittel", "Moyenne", "Media"]),
            ),
            ("high", pick(lang, ["High", "Hoch", "Haute", "Alta"])),
            (
                "highest",
                pick(lang, ["Highest", "Höchste", "La plus haute", "Máxima"]),
            ),
        ],
    }
}
