# Kairos: every word the booking pages and the emails write, in French (français).
# Every message exists in locales/{en,de,fr,es}/kairos.ftl alike (a test checks it).

## Dates. Months select by number (1 January … 12 December), weekdays by number
## (1 Monday … 7 Sunday); the code fills in the digits.

date-month = { $month ->
    [1] janvier
    [2] février
    [3] mars
    [4] avril
    [5] mai
    [6] juin
    [7] juillet
    [8] août
    [9] septembre
    [10] octobre
    [11] novembre
   *[12] décembre
}
date-weekday = { $day ->
    [1] lundi
    [2] mardi
    [3] mercredi
    [4] jeudi
    [5] vendredi
    [6] samedi
   *[7] dimanche
}
# A calendar's column heading.
date-weekday-short = { $day ->
    [1] Lun
    [2] Mar
    [3] Mer
    [4] Jeu
    [5] Ven
    [6] Sam
   *[7] Dim
}
# The long form of a date: $weekday and $month are the names above.
date-long = { $weekday } { $day } { $month } { $year }
date-month-year = { $month } { $year }

## The booking pages.

page-minutes = min
page-event-types = Types de rendez-vous
page-no-event-types = Aucun type de rendez-vous public pour l’instant.
page-previous-month = Mois précédent
page-next-month = Mois suivant
page-time-zone = Fuseau horaire
page-apply = Appliquer
page-hour-12 = 12 h
page-hour-24 = 24 h
page-duration = Durée
page-pick-a-day = Choisissez un jour pour voir ses horaires.
page-no-slots-month = Aucun horaire libre ce mois-ci.
page-next-available = Prochaine disponibilité :
page-away = { $name } est absent jusqu'au { $until }.
page-book-with = Réserver plutôt avec { $name }
page-no-slots-soon = Aucun horaire libre dans les mois à venir.
page-back = Retour
page-your-name = Votre nom
page-email = Adresse e-mail
page-notes = Notes supplémentaires
page-notes-hint = Tout ce qui aidera à préparer le rendez-vous.
page-guests = Invités
page-guests-hint = Adresses e-mail, séparées par des virgules.
page-confirm = Confirmer
page-reschedule-confirm = Reprogrammer
page-reschedule-reason = Raison du changement
page-former-time = Ancien horaire
page-slot-taken = Cet horaire vient d’être réservé par quelqu’un d’autre. Voici les horaires encore libres.
page-fix-errors = Veuillez corriger les champs signalés.
# The form came back without a valid proof of work (no script, or a stale page).
page-prove-human = Votre navigateur n’a pas pu confirmer cette réservation. Activez JavaScript et confirmez à nouveau.
page-confirmed-title = Ce rendez-vous est confirmé
# Followed by the address: the confirmation email is on its way.
page-emailed-to = Une confirmation avec une invitation d’agenda a été envoyée à
page-pending-title = Votre demande est envoyée
page-pending-body = Elle attend la confirmation de l’hôte ; vous recevrez un e-mail.
page-cancelled-title = Ce rendez-vous est annulé
page-rescheduled-title = Ce rendez-vous a été reprogrammé
page-rejected-title = Cette réservation a été refusée
page-rescheduled-to = Voir la nouvelle réservation
page-what = Quoi
page-when = Quand
page-host-time = Heure de l’hôte
page-where = Où
page-who = Qui
page-host = Hôte
page-add-to-calendar = Ajouter au calendrier
page-download-ics = Télécharger le .ics
page-need-change = Besoin d’un changement ?
page-reschedule = Reprogrammer
page-cancel = Annuler
page-cancel-title = Annuler ce rendez-vous ?
page-cancel-reason = Raison de l’annulation (facultatif)
page-cancel-confirm = Annuler le rendez-vous
page-keep = Le garder
page-cannot-reschedule = Un rendez-vous annulé ne peut pas être reprogrammé.
page-reason = Raison
page-not-found-title = Page introuvable
page-location = Lieu
page-loc-video = Appel vidéo
page-loc-in-person = En personne
page-loc-phone = Appel téléphonique
page-loc-your-address = À votre adresse
page-loc-your-phone = Nous vous appelons
page-loc-your-choice = Un lieu de votre choix
page-loc-detail = Votre adresse, numéro ou lieu (pour les options qui le demandent)
page-phone = Numéro de portable
page-phone-hint = Pour les rappels par SMS, avec l’indicatif du pays : +33612345678.
page-repeats = Se répète { $interval ->
    [one] { $unit ->
        [week] chaque semaine
        [month] chaque mois
       *[year] chaque année
    }
   *[other] toutes les { $interval } { $unit ->
        [week] semaines
        [month] mois
       *[year] ans
    }
}, { $count } occurrences
page-occurrences = Votre réservation comprend toutes ces dates :
page-seats-left = { $count ->
    [one] { $count } place libre
   *[other] { $count } places libres
}

## Emails about a booking. $when is the meeting's time in the recipient's zone; $title the
## booking's title; $booker the first attendee; $hosts the hosts' names, $hostCount how many.

email-booked-subject = Confirmé : { $title } le { $when }
email-requested-subject = Demandé : { $title } le { $when }
email-rescheduled-subject = Reprogrammé : { $title } a désormais lieu le { $when }
email-cancelled-subject = Annulé : { $title } le { $when }
email-declined-subject = Refusé : { $title } le { $when }
email-relocated-subject = Mis à jour : { $title } le { $when }
email-host-booked-subject = Réservé : { $title } avec { $booker } le { $when }
email-host-requested-subject = À confirmer : { $title } avec { $booker } le { $when }
email-host-rescheduled-subject = Reprogrammé : { $title } avec { $booker } a désormais lieu le { $when }
email-host-cancelled-subject = Annulé : { $title } avec { $booker } le { $when }
email-reassigned-subject = Mis à jour : { $title } le { $when }
email-host-reassigned-subject = Nouvel hôte : { $title } avec { $booker } le { $when }
email-former-host-reassigned-subject = Réattribué : { $title } le { $when } est désormais avec { $hosts }
email-reschedule-requested-subject = Merci de choisir un nouvel horaire : { $title } le { $when }
email-host-reschedule-requested-subject = Report demandé : { $title } avec { $booker } le { $when }
email-host-declined-subject = Refusé : { $title } avec { $booker } le { $when }
email-host-relocated-subject = Mis à jour : { $title } avec { $booker } le { $when }
email-booked-opening = Votre réservation est confirmée.
email-requested-opening = Votre demande est entre les mains de { $hosts } ; vous recevrez un message dès qu’elle sera confirmée.
email-rescheduled-opening = Votre rendez-vous a été déplacé. Il était prévu le { $was }.
email-host-booked-opening = { $booker } a réservé { $title }.
email-host-requested-opening = { $booker } a demandé { $title }. La demande attend votre confirmation (POST /v2/bookings/{ $uid }/confirm ou /decline).
email-host-rescheduled-opening = Le rendez-vous a été déplacé. Il était prévu le { $was }.
email-cancelled = Ce rendez-vous a été annulé.
email-cancelled-by = Ce rendez-vous a été annulé par { $by }.
email-reassigned = { $hosts } animera désormais ce rendez-vous.
email-host-reassigned = Ce rendez-vous est désormais avec { $hosts } (avant : { $was }).
email-former-host-reassigned = Ce rendez-vous a été réattribué à { $hosts } : vous ne l’animez plus, et il est retiré de votre agenda.
email-reschedule-requested = { $hosts } n'est pas disponible à cet horaire et vous invite à en choisir un autre : { $url }
email-host-reschedule-requested = { $booker } a été invité à choisir un nouvel horaire pour { $title } ; le créneau est de nouveau libre.
email-declined = { $hosts } { $hostCount ->
        [one] a
       *[other] ont
    } refusé cette demande.
email-relocated = Le rendez-vous a désormais lieu ici : { $place }
email-reason = Raison : { $reason }
email-greeting = Bonjour { $name },
email-people = { $hosts } ({ $hostCount ->
        [one] hôte
       *[other] hôtes
    }) ; { $attendees }
# One line of the booking's details: "What: Intro call".
email-field = { $label } : { $value }
email-notes = Notes
email-change = Besoin d’un changement ? Reprogrammez ou annulez ici :
email-details = Détails : { $url }
email-invitation = L’invitation d’agenda est jointe.
email-someone = quelqu’un

## Reminders and workflow messages in Kairos' own words (a step's `reminder` template).
## $title is the event's name, $organizer the host's, $when the meeting's time in the reader's
## zone, $date its day there.

reminder-before-event-subject = Rappel : { $title } le { $when }
reminder-before-event-opening = Ceci est un rappel de { $title } avec { $organizer }.
reminder-after-event-subject = Merci : { $title } le { $date }
reminder-after-event-opening = Merci d’avoir participé à { $title } avec { $organizer }.
reminder-new-event-subject = Réservé : { $title } le { $when }
reminder-new-event-opening = { $title } avec { $organizer } est réservé.
reminder-reschedule-event-subject = Reprogrammé : { $title } le { $when }
reminder-reschedule-event-opening = { $title } avec { $organizer } a été déplacé.
reminder-event-cancelled-subject = Annulé : { $title } le { $date }
reminder-event-cancelled-opening = { $title } avec { $organizer } est annulé.
reminder-booking-requested-subject = Demandé : { $title } le { $when }
reminder-booking-requested-opening = { $title } avec { $organizer } attend la confirmation de l’hôte.
reminder-booking-rejected-subject = Refusé : { $title } le { $date }
reminder-booking-rejected-opening = { $title } avec { $organizer } a été refusé.
# Followed by the signed link that stops this booking's reminders.
reminder-stop = Ne plus recevoir de rappels pour ce rendez-vous : { $url }
# A yes/no booking question's answer, as a message's variable shows it.
reminder-yes = oui
reminder-no = non
# The sample booking a workflow step's preview is written about.
reminder-sample-title = Rendez-vous de 30 minutes
reminder-sample-notes = Au plaisir d’échanger.

## The page a reminder's link opens to stop a booking's reminders.

page-reminders = Rappels
page-reminders-question = Arrêter les rappels ?
page-reminders-lead = Vous ne recevrez plus de rappels pour ce rendez-vous. Le rendez-vous lui-même est maintenu.
page-reminders-stop = Arrêter les rappels
page-reminders-stopped = Plus de rappels

## The booker's portal (/my-bookings): a booker signs in with a link emailed to them and sees
## the bookings made with their address. $email is that address; $site the instance's host.

portal-title = Vos réservations
portal-lead = Saisissez l’adresse e-mail avec laquelle vous avez réservé. Nous vous enverrons un lien pour voir, déplacer et annuler vos réservations.
portal-send = M’envoyer un lien
portal-email-invalid = Veuillez saisir une adresse e-mail valide.
portal-sent-title = Consultez votre boîte de réception
portal-sent = Nous avons envoyé un lien à { $email }. Il fonctionne une fois, pendant 15 minutes.
portal-no-email = Ce site n’envoie pas d’e-mails et ne peut donc pas vous envoyer de lien. Utilisez le lien de votre réservation.
portal-link-title = Ouvrir vos réservations
portal-link-lead = Continuez pour voir les réservations faites avec { $email }.
portal-continue = Continuer
portal-link-expired = Ce lien a expiré
portal-link-used = Ce lien a déjà été utilisé
portal-link-invalid = Ce lien n’est pas valide
portal-link-again = Un lien fonctionne une fois, pendant 15 minutes. Saisissez votre adresse e-mail pour en recevoir un nouveau.
portal-signed-in-as = Connecté en tant que { $email }
portal-sign-out = Se déconnecter
portal-upcoming = À venir
portal-past = Passées
portal-none-upcoming = Aucune réservation à venir.
portal-none-past = Aucune réservation passée.
portal-with = avec { $hosts }
portal-join = Rejoindre la réunion
portal-details = Détails
portal-book-again = Réserver à nouveau
portal-status-pending = En attente de confirmation
portal-status-cancelled = Annulée
portal-status-rejected = Refusée
portal-cancelled = La réservation est annulée.
portal-more-past = Seules les dernières réservations sont affichées.
portal-email-subject = Votre lien vers vos réservations sur { $site }
portal-email-greeting = Bonjour,
portal-email-lead = Quelqu’un (vous, espérons-le) a demandé à voir les réservations faites avec cette adresse e-mail sur { $site }. Ouvrez ce lien dans les 15 minutes ; il fonctionne une fois :
portal-email-ignore = Si vous n’avez rien demandé, ignorez cet e-mail : rien ne change.
# A link from a booking email that expired, or that was altered.
portal-manage-expired = Les liens des e-mails fonctionnent jusqu’à une semaine après le rendez-vous. Pour voir vos réservations, demandez un nouveau lien par e-mail.
portal-manage-invalid = Il a peut-être été tronqué. Utilisez le lien complet de votre e-mail, ou demandez un nouveau lien vers vos réservations.
portal-get-link = Recevoir un lien vers mes réservations
