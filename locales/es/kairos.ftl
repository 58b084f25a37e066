# Kairos: every word the booking pages and the emails write, in Spanish (español).
# Every message exists in locales/{en,de,fr,es}/kairos.ftl alike (a test checks it).

## Dates. Months select by number (1 January … 12 December), weekdays by number
## (1 Monday … 7 Sunday); the code fills in the digits.

date-month = { $month ->
    [1] enero
    [2] febrero
    [3] marzo
    [4] abril
    [5] mayo
    [6] junio
    [7] julio
    [8] agosto
    [9] septiembre
    [10] octubre
    [11] noviembre
   *[12] diciembre
}
date-weekday = { $day ->
    [1] lunes
    [2] martes
    [3] miércoles
    [4] jueves
    [5] viernes
    [6] sábado
   *[7] domingo
}
# A calendar's column heading.
date-weekday-short = { $day ->
    [1] Lun
    [2] Mar
    [3] Mié
    [4] Jue
    [5] Vie
    [6] Sáb
   *[7] Dom
}
# The long form of a date: $weekday and $month are the names above.
date-long = { $weekday }, { $day } de { $month } de { $year }
date-month-year = { $month } de { $year }

## The booking pages.

page-minutes = min
page-event-types = Tipos de evento
page-no-event-types = Todavía no hay tipos de evento públicos.
page-previous-month = Mes anterior
page-next-month = Mes siguiente
page-time-zone = Zona horaria
page-apply = Aplicar
page-hour-12 = 12 h
page-hour-24 = 24 h
page-duration = Duración
page-pick-a-day = Elige un día para ver sus horarios.
page-no-slots-month = No hay horarios libres este mes.
page-next-available = Próxima disponibilidad:
page-away = { $name } está ausente hasta el { $until }.
page-book-with = Reservar con { $name } en su lugar
page-no-slots-soon = No hay horarios libres en los próximos meses.
page-back = Volver
page-your-name = Tu nombre
page-email = Correo electrónico
page-notes = Notas adicionales
page-notes-hint = Cualquier cosa que ayude a preparar la reunión.
page-guests = Invitados
page-guests-hint = Correos electrónicos, separados por comas.
page-confirm = Confirmar
page-reschedule-confirm = Reprogramar
page-reschedule-reason = Motivo del cambio
page-former-time = Horario anterior
page-slot-taken = Otra persona acaba de reservar ese horario. Estos son los horarios aún libres.
page-fix-errors = Corrige los campos marcados.
# The form came back without a valid proof of work (no script, or a stale page).
page-prove-human = Tu navegador no pudo confirmar esta reserva. Activa JavaScript y confirma de nuevo.
page-confirmed-title = Esta reunión está programada
# Followed by the address: the confirmation email is on its way.
page-emailed-to = Se ha enviado una confirmación con una invitación de calendario a
page-pending-title = Tu reserva se ha enviado
page-pending-body = Espera la confirmación del anfitrión; recibirás un correo.
page-cancelled-title = Este evento está cancelado
page-rescheduled-title = Esta reserva se reprogramó
page-rejected-title = Esta reserva fue rechazada
page-rescheduled-to = Ver la nueva reserva
page-what = Qué
page-when = Cuándo
page-host-time = Hora del anfitrión
page-where = Dónde
page-who = Quién
page-host = Anfitrión
page-add-to-calendar = Añadir al calendario
page-download-ics = Descargar .ics
page-need-change = ¿Necesitas cambiar algo?
page-reschedule = Reprogramar
page-cancel = Cancelar
page-cancel-title = ¿Cancelar este evento?
page-cancel-reason = Motivo de la cancelación (opcional)
page-cancel-confirm = Cancelar evento
page-keep = Mantenerlo
page-cannot-reschedule = Una reserva cancelada no se puede reprogramar.
page-reason = Motivo
page-not-found-title = Página no encontrada
page-location = Lugar
page-loc-video = Videollamada
page-loc-in-person = En persona
page-loc-phone = Llamada telefónica
page-loc-your-address = En tu dirección
page-loc-your-phone = Te llamamos
page-loc-your-choice = Un lugar que elijas
page-loc-detail = Tu dirección, teléfono o lugar (para las opciones que lo piden)
page-phone = Número de móvil
page-phone-hint = Para los recordatorios por SMS, con el prefijo del país: +34612345678.
page-repeats = Se repite { $interval ->
    [one] { $unit ->
        [week] cada semana
        [month] cada mes
       *[year] cada año
    }
   *[other] cada { $interval } { $unit ->
        [week] semanas
        [month] meses
       *[year] años
    }
}, { $count } sesiones
page-occurrences = Su reserva incluye todas estas fechas:
page-seats-left = { $count ->
    [one] { $count } plaza libre
   *[other] { $count } plazas libres
}

## Emails about a booking. $when is the meeting's time in the recipient's zone; $title the
## booking's title; $booker the first attendee; $hosts the hosts' names, $hostCount how many.

email-booked-subject = Confirmada: { $title } el { $when }
email-requested-subject = Solicitada: { $title } el { $when }
email-rescheduled-subject = Reprogramada: { $title } ahora es el { $when }
email-cancelled-subject = Cancelada: { $title } el { $when }
email-declined-subject = Rechazada: { $title } el { $when }
email-relocated-subject = Actualizada: { $title } el { $when }
email-host-booked-subject = Reservada: { $title } con { $booker } el { $when }
email-host-requested-subject = Por confirmar: { $title } con { $booker } el { $when }
email-host-rescheduled-subject = Reprogramada: { $title } con { $booker } ahora es el { $when }
email-host-cancelled-subject = Cancelada: { $title } con { $booker } el { $when }
email-reassigned-subject = Actualizada: { $title } el { $when }
email-host-reassigned-subject = Nuevo anfitrión: { $title } con { $booker } el { $when }
email-former-host-reassigned-subject = Reasignada: { $title } el { $when } es ahora con { $hosts }
email-reschedule-requested-subject = Elige una nueva hora: { $title } el { $when }
email-host-reschedule-requested-subject = Cambio de hora solicitado: { $title } con { $booker } el { $when }
email-host-declined-subject = Rechazada: { $title } con { $booker } el { $when }
email-host-relocated-subject = Actualizada: { $title } con { $booker } el { $when }
email-booked-opening = Tu reserva está confirmada.
email-requested-opening = Tu solicitud está en manos de { $hosts }; te avisaremos cuando se confirme.
email-rescheduled-opening = Tu reserva ha cambiado de fecha. Antes era el { $was }.
email-host-booked-opening = { $booker } reservó { $title }.
email-host-requested-opening = { $booker } solicitó { $title }. La solicitud espera tu confirmación (POST /v2/bookings/{ $uid }/confirm o /decline).
email-host-rescheduled-opening = La reserva ha cambiado de fecha. Antes era el { $was }.
email-cancelled = Esta reserva se canceló.
email-cancelled-by = { $by } canceló esta reserva.
email-reassigned = { $hosts } será ahora el anfitrión de esta reunión.
email-host-reassigned = Esta reserva es ahora con { $hosts } (antes: { $was }).
email-former-host-reassigned = Esta reserva se ha reasignado a { $hosts }: ya no eres el anfitrión y se retira de tu calendario.
email-reschedule-requested = { $hosts } no puede a esta hora y te pide que elijas otra: { $url }
email-host-reschedule-requested = Se pidió a { $booker } que elija una nueva hora para { $title }; el horario vuelve a estar libre.
email-declined = { $hosts } { $hostCount ->
        [one] rechazó
       *[other] rechazaron
    } esta solicitud.
email-relocated = La reunión ahora es en: { $place }
email-reason = Motivo: { $reason }
email-greeting = Hola, { $name }:
email-people = { $hosts } ({ $hostCount ->
        [one] anfitrión
       *[other] anfitriones
    }); { $attendees }
# One line of the booking's details: "What: Intro call".
email-field = { $label }: { $value }
email-notes = Notas
email-change = ¿Necesitas cambiar algo? Reprograma o cancela aquí:
email-details = Detalles: { $url }
email-invitation = La invitación de calendario va adjunta.
email-someone = alguien

## Reminders and workflow messages in Kairos' own words (a step's `reminder` template).
## $title is the event's name, $organizer the host's, $when the meeting's time in the reader's
## zone, $date its day there.

reminder-before-event-subject = Recordatorio: { $title } el { $when }
reminder-before-event-opening = Te recordamos { $title } con { $organizer }.
reminder-after-event-subject = Gracias: { $title } el { $date }
reminder-after-event-opening = Gracias por asistir a { $title } con { $organizer }.
reminder-new-event-subject = Reservada: { $title } el { $when }
reminder-new-event-opening = { $title } con { $organizer } está reservada.
reminder-reschedule-event-subject = Reprogramada: { $title } el { $when }
reminder-reschedule-event-opening = { $title } con { $organizer } cambió de fecha.
reminder-event-cancelled-subject = Cancelada: { $title } el { $date }
reminder-event-cancelled-opening = { $title } con { $organizer } está cancelada.
reminder-booking-requested-subject = Solicitada: { $title } el { $when }
reminder-booking-requested-opening = { $title } con { $organizer } espera la confirmación del anfitrión.
reminder-booking-rejected-subject = Rechazada: { $title } el { $date }
reminder-booking-rejected-opening = { $title } con { $organizer } fue rechazada.
# Followed by the signed link that stops this booking's reminders.
reminder-stop = No recibir más recordatorios de esta reserva: { $url }
# A yes/no booking question's answer, as a message's variable shows it.
reminder-yes = sí
reminder-no = no
# The sample booking a workflow step's preview is written about.
reminder-sample-title = Reunión de 30 minutos
reminder-sample-notes = Con ganas de hablar.

## The page a reminder's link opens to stop a booking's reminders.

page-reminders = Recordatorios
page-reminders-question = ¿Dejar de recibir recordatorios?
page-reminders-lead = No recibirás más recordatorios de esta reserva. La reserva sigue en pie.
page-reminders-stop = Dejar de recibir recordatorios
page-reminders-stopped = Sin más recordatorios

## The booker's portal (/my-bookings): a booker signs in with a link emailed to them and sees
## the bookings made with their address. $email is that address; $site the instance's host.

portal-title = Tus reservas
portal-lead = Introduce el correo con el que reservaste. Te enviaremos un enlace para ver, mover y cancelar tus reservas.
portal-send = Enviarme un enlace
portal-email-invalid = Introduce una dirección de correo válida.
portal-sent-title = Revisa tu bandeja de entrada
portal-sent = Hemos enviado un enlace a { $email }. Funciona una vez, durante 15 minutos.
portal-no-email = Este sitio no envía correos, así que no puede enviarte un enlace. Usa el enlace de tu reserva.
portal-link-title = Abrir tus reservas
portal-link-lead = Continúa para ver las reservas hechas con { $email }.
portal-continue = Continuar
portal-link-expired = Este enlace ha caducado
portal-link-used = Este enlace ya se ha usado
portal-link-invalid = Este enlace no es válido
portal-link-again = Un enlace funciona una vez, durante 15 minutos. Introduce tu correo para recibir uno nuevo.
portal-signed-in-as = Sesión iniciada como { $email }
portal-sign-out = Cerrar sesión
portal-upcoming = Próximas
portal-past = Pasadas
portal-none-upcoming = No hay reservas próximas.
portal-none-past = No hay reservas pasadas.
portal-with = con { $hosts }
portal-join = Unirse a la reunión
portal-details = Detalles
portal-book-again = Reservar de nuevo
portal-status-pending = Pendiente de confirmación
portal-status-cancelled = Cancelada
portal-status-rejected = Rechazada
portal-cancelled = La reserva está cancelada.
portal-more-past = Solo se muestran las reservas más recientes.
portal-email-subject = Tu enlace a tus reservas en { $site }
portal-email-greeting = Hola:
portal-email-lead = Alguien (esperamos que tú) pidió ver las reservas hechas con esta dirección de correo en { $site }. Abre este enlace en los próximos 15 minutos; funciona una vez:
portal-email-ignore = Si no lo pediste, ignora este correo: no cambia nada.
# A link from a booking email that expired, or that was altered.
portal-manage-expired = Los enlaces de los correos funcionan hasta una semana después de la reserva. Para ver tus reservas, pide un enlace nuevo por correo.
portal-manage-invalid = Puede que esté incompleto. Usa el enlace completo de tu correo o pide un enlace nuevo a tus reservas.
portal-get-link = Recibir un enlace a mis reservas
