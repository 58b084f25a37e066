# Kairos: every word the booking pages and the emails write, in English.
# Every message exists in locales/{en,de,fr,es}/kairos.ftl alike (a test checks it).

## Dates. Months select by number (1 January … 12 December), weekdays by number
## (1 Monday … 7 Sunday); the code fills in the digits.

date-month = { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
}
date-weekday = { $day ->
    [1] Monday
    [2] Tuesday
    [3] Wednesday
    [4] Thursday
    [5] Friday
    [6] Saturday
   *[7] Sunday
}
# A calendar's column heading.
date-weekday-short = { $day ->
    [1] Mon
    [2] Tue
    [3] Wed
    [4] Thu
    [5] Fri
    [6] Sat
   *[7] Sun
}
# The long form of a date: $weekday and $month are the names above.
date-long = { $weekday }, { $month } { $day }, { $year }
date-month-year = { $month } { $year }

## The booking pages.

page-minutes = min
page-event-types = Event types
page-no-event-types = No public event types yet.
page-previous-month = Previous month
page-next-month = Next month
page-time-zone = Time zone
page-apply = Apply
page-hour-12 = 12h
page-hour-24 = 24h
page-duration = Duration
page-pick-a-day = Pick a day to see its times.
page-no-slots-month = No times are free this month.
page-next-available = Next available:
page-away = { $name } is away until { $until }.
page-book-with = Book with { $name } instead
page-no-slots-soon = No times are free in the coming months.
page-back = Back
page-your-name = Your name
page-email = Email address
page-notes = Additional notes
page-notes-hint = Anything that will help prepare for the meeting.
page-guests = Guests
page-guests-hint = Email addresses, separated by commas.
page-confirm = Confirm
page-reschedule-confirm = Reschedule
page-reschedule-reason = Reason for rescheduling
page-former-time = Former time
page-slot-taken = That time was just booked by someone else. Here are the times still free.
page-fix-errors = Please correct the highlighted fields.
# The form came back without a valid proof of work (no script, or a stale page).
page-prove-human = Your browser could not confirm this booking. Please make sure JavaScript is on and confirm again.
page-confirmed-title = This meeting is scheduled
# Followed by the address: the confirmation email is on its way.
page-emailed-to = A confirmation with a calendar invitation is on its way to
page-pending-title = Your booking is submitted
page-pending-body = It awaits the host's confirmation; you will hear back by email.
page-cancelled-title = This event is cancelled
page-rescheduled-title = This booking was rescheduled
page-rejected-title = This booking was declined
page-rescheduled-to = See the new booking
page-what = What
page-when = When
page-host-time = Host's time
page-where = Where
page-who = Who
page-host = Host
page-add-to-calendar = Add to calendar
page-download-ics = Download .ics
page-need-change = Need to make a change?
page-reschedule = Reschedule
page-cancel = Cancel
page-cancel-title = Cancel this event?
page-cancel-reason = Reason for cancellation (optional)
page-cancel-confirm = Cancel event
page-keep = Keep it
page-cannot-reschedule = A cancelled booking cannot be rescheduled.
page-reason = Reason
page-not-found-title = Page not found
page-location = Location
page-loc-video = Video call
page-loc-in-person = In person
page-loc-phone = Phone call
page-loc-your-address = At your address
page-loc-your-phone = We call you
page-loc-your-choice = Somewhere you choose
page-loc-detail = Your address, phone number or place (for the options that ask for one)
page-phone = Mobile number
page-phone-hint = For the text message reminders, with the country code: +12125550100.
page-repeats = Repeats { $interval ->
    [one] { $unit ->
        [week] weekly
        [month] monthly
       *[year] yearly
    }
   *[other] every { $interval } { $unit ->
        [week] weeks
        [month] months
       *[year] years
    }
}, { $count } occurrences
page-occurrences = Your booking holds every one of these times:
page-seats-left = { $count ->
    [one] { $count } seat left
   *[other] { $count } seats left
}

## Emails about a booking. $when is the meeting's time in the recipient's zone; $title the
## booking's title; $booker the first attendee; $hosts the hosts' names, $hostCount how many.

email-booked-subject = Confirmed: { $title } on { $when }
email-requested-subject = Requested: { $title } on { $when }
email-rescheduled-subject = Rescheduled: { $title } is now on { $when }
email-cancelled-subject = Cancelled: { $title } on { $when }
email-declined-subject = Declined: { $title } on { $when }
email-relocated-subject = Updated: { $title } on { $when }
email-host-booked-subject = Booked: { $title } with { $booker } on { $when }
email-host-requested-subject = Please confirm: { $title } with { $booker } on { $when }
email-host-rescheduled-subject = Rescheduled: { $title } with { $booker } is now on { $when }
email-host-cancelled-subject = Cancelled: { $title } with { $booker } on { $when }
email-reassigned-subject = Updated: { $title } on { $when }
email-host-reassigned-subject = New host: { $title } with { $booker } on { $when }
email-former-host-reassigned-subject = Reassigned: { $title } on { $when } is with { $hosts } now
email-reschedule-requested-subject = Please pick a new time: { $title } on { $when }
email-host-reschedule-requested-subject = Asked to reschedule: { $title } with { $booker } on { $when }
email-host-declined-subject = Declined: { $title } with { $booker } on { $when }
email-host-relocated-subject = Updated: { $title } with { $booker } on { $when }
email-booked-opening = Your booking is confirmed.
email-requested-opening = Your request is with { $hosts }; you will hear from us when it is confirmed.
email-rescheduled-opening = Your booking has moved. It was on { $was }.
email-host-booked-opening = { $booker } booked { $title }.
email-host-requested-opening = { $booker } asked for { $title }. It waits for your confirmation (POST /v2/bookings/{ $uid }/confirm or /decline).
email-host-rescheduled-opening = The booking has moved. It was on { $was }.
email-cancelled = This booking was cancelled.
email-cancelled-by = This booking was cancelled by { $by }.
email-reassigned = { $hosts } will host this meeting now.
email-host-reassigned = This booking is with { $hosts } now (before: { $was }).
email-former-host-reassigned = This booking was reassigned to { $hosts }: you no longer host it, and it is taken off your calendar.
email-reschedule-requested = { $hosts } cannot make this time and asks you to pick a new one: { $url }
email-host-reschedule-requested = { $booker } was asked to pick a new time for { $title }; the time is free again.
email-declined = { $hosts } declined this request.
email-relocated = The meeting's location is now: { $place }
email-reason = Reason: { $reason }
email-greeting = Hello { $name },
email-people = { $hosts } ({ $hostCount ->
        [one] host
       *[other] hosts
    }); { $attendees }
# One line of the booking's details: "What: Intro call".
email-field = { $label }: { $value }
email-notes = Notes
email-change = Need to make a change? Reschedule or cancel here:
email-details = Details: { $url }
email-invitation = The calendar invitation is attached.
email-someone = someone

## Reminders and workflow messages in Kairos' own words (a step's `reminder` template).
## $title is the event's name, $organizer the host's, $when the meeting's time in the reader's
## zone, $date its day there.

reminder-before-event-subject = Reminder: { $title } on { $when }
reminder-before-event-opening = This is a reminder of { $title } with { $organizer }.
reminder-after-event-subject = Thank you: { $title } on { $date }
reminder-after-event-opening = Thank you for attending { $title } with { $organizer }.
reminder-new-event-subject = Booked: { $title } on { $when }
reminder-new-event-opening = { $title } with { $organizer } is booked.
reminder-reschedule-event-subject = Rescheduled: { $title } on { $when }
reminder-reschedule-event-opening = { $title } with { $organizer } has moved.
reminder-event-cancelled-subject = Cancelled: { $title } on { $date }
reminder-event-cancelled-opening = { $title } with { $organizer } is cancelled.
reminder-booking-requested-subject = Requested: { $title } on { $when }
reminder-booking-requested-opening = { $title } with { $organizer } waits for the host's confirmation.
reminder-booking-rejected-subject = Declined: { $title } on { $date }
reminder-booking-rejected-opening = { $title } with { $organizer } was declined.
# Followed by the signed link that stops this booking's reminders.
reminder-stop = No more reminders for this booking: { $url }
# A yes/no booking question's answer, as a message's variable shows it.
reminder-yes = yes
reminder-no = no
# The sample booking a workflow step's preview is written about.
reminder-sample-title = 30 minute meeting
reminder-sample-notes = Looking forward to it.

## The page a reminder's link opens to stop a booking's reminders.

page-reminders = Reminders
page-reminders-question = Stop reminders?
page-reminders-lead = You will get no more reminders for this booking. The booking itself stands.
page-reminders-stop = Stop reminders
page-reminders-stopped = No more reminders

## The booker's portal (/my-bookings): a booker signs in with a link emailed to them and sees
## the bookings made with their address. $email is that address; $site the instance's host.

portal-title = Your bookings
portal-lead = Enter the email address you booked with. We will email you a link to see, move and cancel your bookings.
portal-send = Email me a link
portal-email-invalid = Please enter a valid email address.
portal-sent-title = Check your inbox
portal-sent = We sent a link to { $email }. It works once, within 15 minutes.
portal-no-email = This site does not send email, so it cannot send you a link. Use the link from your booking instead.
portal-link-title = Open your bookings
portal-link-lead = Continue to see the bookings made with { $email }.
portal-continue = Continue
portal-link-expired = This link has expired
portal-link-used = This link has already been used
portal-link-invalid = This link is not valid
portal-link-again = A link works once, within 15 minutes. Enter your email address to get a new one.
portal-signed-in-as = Signed in as { $email }
portal-sign-out = Sign out
portal-upcoming = Upcoming
portal-past = Past
portal-none-upcoming = No upcoming bookings.
portal-none-past = No past bookings.
portal-with = with { $hosts }
portal-join = Join the meeting
portal-details = Details
portal-book-again = Book again
portal-status-pending = Awaiting confirmation
portal-status-cancelled = Cancelled
portal-status-rejected = Declined
portal-cancelled = The booking is cancelled.
portal-more-past = Only the latest bookings are shown.
portal-email-subject = Your link to your bookings on { $site }
portal-email-greeting = Hello,
portal-email-lead = Someone (hopefully you) asked to see the bookings made with this email address on { $site }. Open this link within 15 minutes; it works once:
portal-email-ignore = If you did not ask for it, ignore this email: nothing changes.
# A link from a booking email that expired, or that was altered.
portal-manage-expired = Links in emails work until a week after the booking. To see your bookings, get a new link by email.
portal-manage-invalid = It may have been cut short. Use the whole link from your email, or get a new link to your bookings.
portal-get-link = Get a link to my bookings
