# Kairos: every word the booking pages and the emails write, in German (Deutsch).
# Every message exists in locales/{en,de,fr,es}/kairos.ftl alike (a test checks it).

## Dates. Months select by number (1 January … 12 December), weekdays by number
## (1 Monday … 7 Sunday); the code fills in the digits.

date-month = { $month ->
    [1] Januar
    [2] Februar
    [3] März
    [4] April
    [5] Mai
    [6] Juni
    [7] Juli
    [8] August
    [9] September
    [10] Oktober
    [11] November
   *[12] Dezember
}
date-weekday = { $day ->
    [1] Montag
    [2] Dienstag
    [3] Mittwoch
    [4] Donnerstag
    [5] Freitag
    [6] Samstag
   *[7] Sonntag
}
# A calendar's column heading.
date-weekday-short = { $day ->
    [1] Mo
    [2] Di
    [3] Mi
    [4] Do
    [5] Fr
    [6] Sa
   *[7] So
}
# The long form of a date: $weekday and $month are the names above.
date-long = { $weekday }, { $day }. { $month } { $year }
date-month-year = { $month } { $year }

## The booking pages.

page-minutes = Min.
page-event-types = Terminarten
page-no-event-types = Noch keine öffentlichen Terminarten.
page-previous-month = Vorheriger Monat
page-next-month = Nächster Monat
page-time-zone = Zeitzone
page-apply = Übernehmen
page-hour-12 = 12 Std.
page-hour-24 = 24 Std.
page-duration = Dauer
page-pick-a-day = Wählen Sie einen Tag, um die Zeiten zu sehen.
page-no-slots-month = In diesem Monat sind keine Zeiten frei.
page-next-available = Nächster freier Termin:
page-away = { $name } ist bis { $until } abwesend.
page-book-with = Stattdessen bei { $name } buchen
page-no-slots-soon = In den nächsten Monaten sind keine Zeiten frei.
page-back = Zurück
page-your-name = Ihr Name
page-email = E-Mail-Adresse
page-notes = Zusätzliche Hinweise
page-notes-hint = Alles, was bei der Vorbereitung hilft.
page-guests = Gäste
page-guests-hint = E-Mail-Adressen, durch Kommas getrennt.
page-confirm = Bestätigen
page-reschedule-confirm = Verschieben
page-reschedule-reason = Grund für die Verschiebung
page-former-time = Bisheriger Termin
page-slot-taken = Diese Zeit wurde gerade von jemand anderem gebucht. Hier sind die noch freien Zeiten.
page-fix-errors = Bitte korrigieren Sie die markierten Felder.
# The form came back without a valid proof of work (no script, or a stale page).
page-prove-human = Ihr Browser konnte diese Buchung nicht bestätigen. Bitte aktivieren Sie JavaScript und bestätigen Sie erneut.
page-confirmed-title = Dieser Termin ist gebucht
# Followed by the address: the confirmation email is on its way.
page-emailed-to = Eine Bestätigung mit Kalendereinladung ist unterwegs an
page-pending-title = Ihre Buchung ist eingegangen
page-pending-body = Sie wartet auf die Bestätigung des Gastgebers; Sie erhalten eine E-Mail.
page-cancelled-title = Dieser Termin ist abgesagt
page-rescheduled-title = Dieser Termin wurde verschoben
page-rejected-title = Diese Buchung wurde abgelehnt
page-rescheduled-to = Zum neuen Termin
page-what = Was
page-when = Wann
page-host-time = Zeit des Gastgebers
page-where = Wo
page-who = Wer
page-host = Gastgeber
page-add-to-calendar = Zum Kalender hinzufügen
page-download-ics = { ".ics herunterladen" }
page-need-change = Etwas ändern?
page-reschedule = Verschieben
page-cancel = Absagen
page-cancel-title = Diesen Termin absagen?
page-cancel-reason = Grund der Absage (optional)
page-cancel-confirm = Termin absagen
page-keep = Behalten
page-cannot-reschedule = Ein abgesagter Termin kann nicht verschoben werden.
page-reason = Grund
page-not-found-title = Seite nicht gefunden
page-location = Ort
page-loc-video = Videoanruf
page-loc-in-person = Vor Ort
page-loc-phone = Telefonat
page-loc-your-address = Bei Ihnen
page-loc-your-phone = Wir rufen Sie an
page-loc-your-choice = Ein Ort Ihrer Wahl
page-loc-detail = Ihre Adresse, Telefonnummer oder Ihr Ort (für die Optionen, die danach fragen)
page-phone = Handynummer
page-phone-hint = Für die Erinnerungen per SMS, mit Ländervorwahl: +4915112345678.
page-repeats = Wiederholt sich { $interval ->
    [one] { $unit ->
        [week] wöchentlich
        [month] monatlich
       *[year] jährlich
    }
   *[other] alle { $interval } { $unit ->
        [week] Wochen
        [month] Monate
       *[year] Jahre
    }
}, { $count } Termine
page-occurrences = Ihre Buchung umfasst alle diese Termine:
page-seats-left = { $count ->
    [one] { $count } Platz frei
   *[other] { $count } Plätze frei
}

## Emails about a booking. $when is the meeting's time in the recipient's zone; $title the
## booking's title; $booker the first attendee; $hosts the hosts' names, $hostCount how many.

email-booked-subject = Bestätigt: { $title } am { $when }
email-requested-subject = Angefragt: { $title } am { $when }
email-rescheduled-subject = Verschoben: { $title } ist jetzt am { $when }
email-cancelled-subject = Abgesagt: { $title } am { $when }
email-declined-subject = Abgelehnt: { $title } am { $when }
email-relocated-subject = Geändert: { $title } am { $when }
email-host-booked-subject = Gebucht: { $title } mit { $booker } am { $when }
email-host-requested-subject = Bitte bestätigen: { $title } mit { $booker } am { $when }
email-host-rescheduled-subject = Verschoben: { $title } mit { $booker } ist jetzt am { $when }
email-host-cancelled-subject = Abgesagt: { $title } mit { $booker } am { $when }
email-reassigned-subject = Aktualisiert: { $title } am { $when }
email-host-reassigned-subject = Neuer Gastgeber: { $title } mit { $booker } am { $when }
email-former-host-reassigned-subject = Neu zugewiesen: { $title } am { $when } liegt jetzt bei { $hosts }
email-reschedule-requested-subject = Bitte wählen Sie einen neuen Termin: { $title } am { $when }
email-host-reschedule-requested-subject = Um Verschiebung gebeten: { $title } mit { $booker } am { $when }
email-host-declined-subject = Abgelehnt: { $title } mit { $booker } am { $when }
email-host-relocated-subject = Geändert: { $title } mit { $booker } am { $when }
email-booked-opening = Ihre Buchung ist bestätigt.
email-requested-opening = Ihre Anfrage liegt bei { $hosts }; Sie erhalten Nachricht, sobald sie bestätigt ist.
email-rescheduled-opening = Ihr Termin wurde verschoben. Er war am { $was }.
email-host-booked-opening = { $booker } hat { $title } gebucht.
email-host-requested-opening = { $booker } hat { $title } angefragt. Die Anfrage wartet auf Ihre Bestätigung (POST /v2/bookings/{ $uid }/confirm oder /decline).
email-host-rescheduled-opening = Der Termin wurde verschoben. Er war am { $was }.
email-cancelled = Dieser Termin wurde abgesagt.
email-cancelled-by = Dieser Termin wurde von { $by } abgesagt.
email-reassigned = { $hosts } übernimmt diesen Termin.
email-host-reassigned = Dieser Termin liegt jetzt bei { $hosts } (vorher: { $was }).
email-former-host-reassigned = Dieser Termin wurde { $hosts } zugewiesen: Sie sind nicht mehr Gastgeber, und er wird aus Ihrem Kalender entfernt.
email-reschedule-requested = { $hosts } kann zu dieser Zeit nicht und bittet Sie, einen neuen Termin zu wählen: { $url }
email-host-reschedule-requested = { $booker } wurde gebeten, einen neuen Termin für { $title } zu wählen; die Zeit ist wieder frei.
email-declined = { $hosts } { $hostCount ->
        [one] hat
       *[other] haben
    } diese Anfrage abgelehnt.
email-relocated = Der Termin findet jetzt hier statt: { $place }
email-reason = Grund: { $reason }
email-greeting = Hallo { $name },
email-people = { $hosts } (Gastgeber); { $attendees }
# One line of the booking's details: "What: Intro call".
email-field = { $label }: { $value }
email-notes = Notizen
email-change = Etwas ändern? Hier verschieben oder absagen:
email-details = Details: { $url }
email-invitation = Die Kalendereinladung ist angehängt.
email-someone = jemand

## Reminders and workflow messages in Kairos' own words (a step's `reminder` template).
## $title is the event's name, $organizer the host's, $when the meeting's time in the reader's
## zone, $date its day there.

reminder-before-event-subject = Erinnerung: { $title } am { $when }
reminder-before-event-opening = Wir erinnern Sie an { $title } mit { $organizer }.
reminder-after-event-subject = Vielen Dank: { $title } am { $date }
reminder-after-event-opening = Vielen Dank für Ihre Teilnahme an { $title } mit { $organizer }.
reminder-new-event-subject = Gebucht: { $title } am { $when }
reminder-new-event-opening = { $title } mit { $organizer } ist gebucht.
reminder-reschedule-event-subject = Verschoben: { $title } am { $when }
reminder-reschedule-event-opening = { $title } mit { $organizer } wurde verschoben.
reminder-event-cancelled-subject = Abgesagt: { $title } am { $date }
reminder-event-cancelled-opening = { $title } mit { $organizer } ist abgesagt.
reminder-booking-requested-subject = Angefragt: { $title } am { $when }
reminder-booking-requested-opening = { $title } mit { $organizer } wartet auf die Bestätigung des Gastgebers.
reminder-booking-rejected-subject = Abgelehnt: { $title } am { $date }
reminder-booking-rejected-opening = { $title } mit { $organizer } wurde abgelehnt.
# Followed by the signed link that stops this booking's reminders.
reminder-stop = Keine Erinnerungen mehr zu diesem Termin: { $url }
# A yes/no booking question's answer, as a message's variable shows it.
reminder-yes = ja
reminder-no = nein
# The sample booking a workflow step's preview is written about.
reminder-sample-title = 30-Minuten-Termin
reminder-sample-notes = Ich freue mich darauf.

## The page a reminder's link opens to stop a booking's reminders.

page-reminders = Erinnerungen
page-reminders-question = Erinnerungen abbestellen?
page-reminders-lead = Sie erhalten keine Erinnerungen mehr zu diesem Termin. Der Termin selbst bleibt bestehen.
page-reminders-stop = Erinnerungen abbestellen
page-reminders-stopped = Keine Erinnerungen mehr

## The booker's portal (/my-bookings): a booker signs in with a link emailed to them and sees
## the bookings made with their address. $email is that address; $site the instance's host.

portal-title = Ihre Buchungen
portal-lead = Geben Sie die E-Mail-Adresse ein, mit der Sie gebucht haben. Wir senden Ihnen einen Link, mit dem Sie Ihre Buchungen ansehen, verschieben und absagen können.
portal-send = Link per E-Mail senden
portal-email-invalid = Bitte geben Sie eine gültige E-Mail-Adresse ein.
portal-sent-title = Sehen Sie in Ihr Postfach
portal-sent = Wir haben einen Link an { $email } gesendet. Er gilt einmal, innerhalb von 15 Minuten.
portal-no-email = Diese Seite versendet keine E-Mails und kann Ihnen daher keinen Link senden. Verwenden Sie den Link aus Ihrer Buchung.
portal-link-title = Ihre Buchungen öffnen
portal-link-lead = Weiter zu den Buchungen mit { $email }.
portal-continue = Weiter
portal-link-expired = Dieser Link ist abgelaufen
portal-link-used = Dieser Link wurde bereits verwendet
portal-link-invalid = Dieser Link ist ungültig
portal-link-again = Ein Link gilt einmal, innerhalb von 15 Minuten. Geben Sie Ihre E-Mail-Adresse ein, um einen neuen zu erhalten.
portal-signed-in-as = Angemeldet als { $email }
portal-sign-out = Abmelden
portal-upcoming = Anstehend
portal-past = Vergangen
portal-none-upcoming = Keine anstehenden Buchungen.
portal-none-past = Keine vergangenen Buchungen.
portal-with = mit { $hosts }
portal-join = Am Termin teilnehmen
portal-details = Details
portal-book-again = Erneut buchen
portal-status-pending = Wartet auf Bestätigung
portal-status-cancelled = Abgesagt
portal-status-rejected = Abgelehnt
portal-cancelled = Die Buchung ist abgesagt.
portal-more-past = Es werden nur die letzten Buchungen angezeigt.
portal-email-subject = Ihr Link zu Ihren Buchungen bei { $site }
portal-email-greeting = Hallo,
portal-email-lead = Jemand (hoffentlich Sie) möchte die Buchungen sehen, die mit dieser E-Mail-Adresse bei { $site } gemacht wurden. Öffnen Sie diesen Link innerhalb von 15 Minuten; er gilt einmal:
portal-email-ignore = Falls Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Es ändert sich nichts.
# A link from a booking email that expired, or that was altered.
portal-manage-expired = Links in E-Mails gelten bis eine Woche nach dem Termin. Um Ihre Buchungen zu sehen, fordern Sie einen neuen Link per E-Mail an.
portal-manage-invalid = Vielleicht wurde er abgeschnitten. Verwenden Sie den ganzen Link aus Ihrer E-Mail oder fordern Sie einen neuen Link zu Ihren Buchungen an.
portal-get-link = Link zu meinen Buchungen anfordern
