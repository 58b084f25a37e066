//! `/bookings/{uid}`: one booking as its host sees it in the console (attendees, answers,
//! location, history, the webhook deliveries of its changes to the host's subscriptions with
//! every attempt) and the host's actions on it: confirm, decline, cancel, mark no-shows, and a
//! link to the public reschedule page. Each action is the booking use case the API calls, with
//! the signed-in user as the actor. `/booking/{uid}` (singular) is the booker's public page.

use actix_web::{HttpRequest, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::bookings::{Clock, status_label};
use super::session::ConsoleForm;
use super::{Frame, Nav, Section, pick};
use crate::booking::{self, AbsenceRequest, Actor, BookingView, CancelRequest};
use crate::domain::{BookingStatus, text};
use crate::http::AppState;
use crate::http::pages::console::detach;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult, QueryState, html};
use crate::notify::{self, SentEmail};
use crate::service::ServiceError;
use crate::sessions::SignedIn;
use crate::storage::bookings::{BookingRecord, HistoryRecord};
use crate::storage::users::User;
use crate::webhooks::subscriptions::{self, BookingDelivery};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/bookings/{uid}", web::get().to(show))
        .route("/bookings/{uid}/confirm", web::post().to(confirm))
        .route("/bookings/{uid}/decline", web::post().to(decline))
        .route("/bookings/{uid}/cancel", web::post().to(cancel))
        .route("/bookings/{uid}/no-show", web::post().to(no_show));
}

struct Words {
    when: &'static str,
    event_type: &'static str,
    location: &'static str,
    hosts: &'static str,
    attendees: &'static str,
    answers: &'static str,
    history: &'static str,
    deliveries: &'static str,
    no_deliveries: &'static str,
    emails: &'static str,
    no_emails: &'static str,
    attempts: &'static str,
    no_attempts: &'static str,
    actions: &'static str,
    confirm: &'static str,
    decline: &'static str,
    decline_reason: &'static str,
    cancel: &'static str,
    cancel_reason: &'static str,
    confirm_cancel: &'static str,
    reschedule: &'static str,
    no_show: &'static str,
    host_absent: &'static str,
    absent: &'static str,
    save_absence: &'static str,
    reason: &'static str,
    rescheduled_to: &'static str,
    rescheduled_from: &'static str,
    back: &'static str,
    at: &'static str,
    action: &'static str,
    by: &'static str,
    change: &'static str,
}

fn words(lang: Lang) -> Words {
    Words {
        when: pick(lang, ["When", "Wann", "Quand", "Cuándo"]),
        event_type: pick(
            lang,
            [
                "Event type",
                "Ereignistyp",
                "Type d’événement",
                "Tipo de evento",
            ],
        ),
        location: pick(lang, ["Location", "Ort", "Lieu", "Lugar"]),
        hosts: pick(lang, ["Hosts", "Gastgeber", "Hôtes", "Anfitriones"]),
        attendees: pick(
            lang,
            ["Attendees", "Teilnehmer", "Participants", "Asistentes"],
        ),
        answers: pick(lang, ["Answers", "Antworten", "Réponses", "Respuestas"]),
        history: pick(lang, ["History", "Verlauf", "Historique", "Historial"]),
        deliveries: pick(
            lang,
            [
                "Webhook deliveries",
                "Webhook-Zustellungen",
                "Envois de webhooks",
                "Entregas de webhooks",
            ],
        ),
        no_deliveries: pick(
            lang,
            [
                "No webhook deliveries to your subscriptions.",
                "Keine Webhook-Zustellungen an Ihre Abonnements.",
                "Aucun envoi vers vos webhooks.",
                "No hay entregas a sus webhooks.",
            ],
        ),
        emails: pick(lang, ["Emails", "E-Mails", "E-mails", "Correos"]),
        no_emails: pick(
            lang,
            [
                "No emails were sent about this booking.",
                "Zu dieser Buchung wurden keine E-Mails verschickt.",
                "Aucun e-mail n’a été envoyé pour cette réservation.",
                "No se enviaron correos sobre esta reserva.",
            ],
        ),
        attempts: pick(lang, ["Attempts", "Versuche", "Tentatives", "Intentos"]),
        no_attempts: pick(
            lang,
            [
                "Not attempted yet.",
                "Noch nicht versucht.",
                "Pas encore tenté.",
                "Aún no se ha intentado.",
            ],
        ),
        actions: pick(lang, ["Actions", "Aktionen", "Actions", "Acciones"]),
        confirm: pick(lang, ["Confirm", "Bestätigen", "Confirmer", "Confirmar"]),
        decline: pick(lang, ["Decline", "Ablehnen", "Refuser", "Rechazar"]),
        decline_reason: pick(
            lang,
            [
                "Reason for declining (optional)",
                "Grund der Ablehnung (optional)",
                "Motif du refus (facultatif)",
                "Motivo del rechazo (opcional)",
            ],
        ),
        cancel: pick(
            lang,
            [
                "Cancel booking",
                "Buchung absagen",
                "Annuler la réservation",
                "Cancelar la reserva",
            ],
        ),
        cancel_reason: pick(
            lang,
            [
                "Reason for cancelling (optional)",
                "Grund der Absage (optional)",
                "Motif de l’annulation (facultatif)",
                "Motivo de la cancelación (opcional)",
            ],
        ),
        confirm_cancel: pick(
            lang,
            [
                "Cancel this booking? Its attendees are told.",
                "Diese Buchung absagen? Die Teilnehmer werden benachrichtigt.",
                "Annuler cette réservation ? Les participants sont prévenus.",
                "¿Cancelar esta reserva? Se avisará a los asistentes.",
            ],
        ),
        reschedule: pick(
            lang,
            ["Reschedule", "Verschieben", "Reprogrammer", "Reprogramar"],
        ),
        no_show: pick(
            lang,
            ["No-shows", "Nicht erschienen", "Absences", "Ausencias"],
        ),
        host_absent: pick(
            lang,
            [
                "The host did not come",
                "Der Gastgeber ist nicht erschienen",
                "L’hôte n’est pas venu",
                "El anfitrión no asistió",
            ],
        ),
        absent: pick(
            lang,
            ["did not come", "nicht erschienen", "absent", "no asistió"],
        ),
        save_absence: pick(
            lang,
            [
                "Save no-shows",
                "Abwesenheiten speichern",
                "Enregistrer les absences",
                "Guardar ausencias",
            ],
        ),
        reason: pick(lang, ["Reason", "Grund", "Motif", "Motivo"]),
        rescheduled_to: pick(
            lang,
            ["Moved to", "Verschoben auf", "Déplacée vers", "Movida a"],
        ),
        rescheduled_from: pick(
            lang,
            [
                "Moved from",
                "Verschoben von",
                "Déplacée depuis",
                "Movida desde",
            ],
        ),
        back: pick(
            lang,
            [
                "All bookings",
                "Alle Buchungen",
                "Toutes les réservations",
                "Todas las reservas",
            ],
        ),
        at: pick(lang, ["At", "Zeitpunkt", "Date", "Fecha"]),
        action: pick(lang, ["Change", "Änderung", "Changement", "Cambio"]),
        by: pick(lang, ["By", "Von", "Par", "Por"]),
        change: pick(lang, ["Status", "Status", "Statut", "Estado"]),
    }
}

struct Person {
    name: String,
    email: String,
    detail: String,
    absent: bool,
}

struct Entry {
    at: String,
    action: String,
    by: String,
    change: String,
    reason: String,
}

struct SentEmailView {
    kind: String,
    to: String,
    subject: String,
    status: String,
    queued: String,
    attempts: Vec<String>,
}

struct Delivery {
    trigger: String,
    status: String,
    url: String,
    created: String,
    attempts: Vec<String>,
}

/// What the page says after an action, or why an action was refused.
#[derive(Default)]
struct Message {
    notice: Option<&'static str>,
    /// The form the error belongs to, and the error.
    error: Option<(&'static str, String)>,
    /// The reason typed into the refused form, kept.
    reason: String,
}

#[derive(Template)]
#[template(path = "console/booking.html")]
struct DetailPage {
    chrome: Chrome,
    nav: Nav,
    words: Words,
    uid: String,
    title: String,
    status: &'static str,
    status_class: &'static str,
    when: String,
    event_type: Option<String>,
    location: Option<String>,
    location_is_link: bool,
    description: String,
    reason: Option<String>,
    rescheduled_to: Option<String>,
    rescheduled_from: Option<String>,
    hosts: Vec<Person>,
    attendees: Vec<Person>,
    no_show_host: bool,
    answers: Vec<(String, String)>,
    history: Vec<Entry>,
    deliveries: Vec<Delivery>,
    emails: Vec<SentEmailView>,
    can_answer: bool,
    can_cancel: bool,
    can_mark_absent: bool,
    /// A refusal whose form the booking no longer offers (it changed meanwhile).
    orphan_error: Option<String>,
    message: Message,
}

/// An answer as text: strings as given, lists joined, anything else as compact JSON.
fn answer_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(answer_text).collect::<Vec<_>>().join(", "),
        Value::Object(o) => match o.get("value").or_else(|| o.get("optionValue")) {
            Some(v) if !v.is_null() => answer_text(v),
            _ => value.to_string(),
        },
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn answers(responses: &str) -> Vec<(String, String)> {
    let map: serde_json::Map<String, Value> = serde_json::from_str(responses).unwrap_or_default();
    map.iter()
        .map(|(k, v)| (k.clone(), answer_text(v)))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

fn entry(h: &HistoryRecord, clock: Clock) -> Entry {
    let status = |s: &Option<String>| {
        (s.as_deref())
            .and_then(BookingStatus::parse)
            .map(|s| status_label(clock.lang, s).to_owned())
    };
    let change = match (status(&h.from_status), status(&h.to_status)) {
        (Some(from), Some(to)) if from != to => format!("{from} → {to}"),
        (None, Some(to)) => to,
        _ => String::new(),
    };
    let by = match &h.actor_id {
        Some(id) => format!("{} ({id})", h.actor_kind),
        None => h.actor_kind.clone(),
    };
    Entry {
        at: clock.at(h.at),
        action: h.action.replace('_', " "),
        by,
        change,
        reason: h.reason.clone().unwrap_or_default(),
    }
}

fn delivery(d: &BookingDelivery, clock: Clock) -> Delivery {
    let attempts = d
        .attempts
        .iter()
        .map(|a| {
            let answer = a.status_code.map_or("—".to_owned(), |c| c.to_string());
            let error = a
                .error
                .as_deref()
                .map(|e| format!(" · {e}"))
                .unwrap_or_default();
            format!(
                "{} · {answer} · {} ms{error}",
                clock.at(a.attempted_at),
                a.latency_ms
            )
        })
        .collect();
    Delivery {
        trigger: d.delivery.trigger_event.clone(),
        status: d.delivery.status.clone(),
        url: d.subscriber_url.clone(),
        created: clock.at(d.delivery.created_at),
        attempts,
    }
}

fn sent_email(e: &SentEmail, clock: Clock) -> SentEmailView {
    let attempts = (e.attempts.iter())
        .map(|a| {
            let error = a.error.as_deref().unwrap_or("OK");
            format!(
                "{} · {} ms · {error}",
                clock.at(a.attempted_at),
                a.latency_ms
            )
        })
        .collect();
    SentEmailView {
        kind: e.kind.clone(),
        to: e.to.clone(),
        subject: e.subject.clone(),
        status: e.status.clone(),
        queued: clock.at(e.queued_at),
        attempts,
    }
}

/// What the detail page shows of a booking besides the booking itself.
struct Record {
    history: Vec<HistoryRecord>,
    deliveries: Vec<BookingDelivery>,
    emails: Vec<SentEmail>,
}

/// The booking, its history, deliveries and emails, if `user` may see it (else 404, as the
/// API).
async fn load(
    state: &AppState,
    user: i64,
    uid: &str,
) -> Result<(BookingView, Record), ServiceError> {
    let view = booking::get(&state.db, user, uid).await?;
    let record = Record {
        history: booking::history(&state.db, user, uid).await?,
        deliveries: subscriptions::of_booking(&state.db, user, view.record.id).await?,
        emails: notify::of_booking(&state.db, view.record.id).await?,
    };
    Ok((view, record))
}

fn people(view: &BookingView) -> (Vec<Person>, Vec<Person>) {
    let hosts = (view.hosts.iter())
        .map(|h| Person {
            name: h.name.clone(),
            email: h.email.clone(),
            detail: h.time_zone.clone(),
            absent: false,
        })
        .collect();
    let attendees = (view.attendees.iter())
        .map(|a| Person {
            name: a.name.clone(),
            email: a.email.clone(),
            detail: a.time_zone.clone(),
            absent: a.no_show,
        })
        .collect();
    (hosts, attendees)
}

/// The actions a booking offers now: answer (confirm or decline), cancel, mark no-shows.
struct Offers {
    answer: bool,
    cancel: bool,
    absence: bool,
}

impl Offers {
    fn of(r: &BookingRecord, now: DateTime<Utc>) -> Self {
        Self {
            answer: r.status == BookingStatus::Pending && r.end_at > now,
            cancel: r.status.is_active() && r.end_at > now,
            absence: r.status == BookingStatus::Accepted && r.start_at <= now,
        }
    }

    /// The refusal of a form the booking no longer offers (it changed meanwhile).
    fn orphan(&self, message: &Message) -> Option<String> {
        let (form, error) = message.error.as_ref()?;
        let offered = match *form {
            "confirm" | "decline" => self.answer,
            "cancel" => self.cancel,
            _ => self.absence,
        };
        (!offered).then(|| error.clone())
    }
}

async fn render(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    who: &SignedIn,
    uid: String,
    message: Message,
) -> PageResult {
    let frame = Frame::new(req, who, Section::Bookings);
    let found = {
        let (state, user, uid) = (state.clone(), who.user.id, uid.clone());
        detach(async move { load(&state, user, &uid).await }).await?
    };
    let (view, record) = found.map_err(|e| PageError::from_service(frame.lang, e))?;
    let clock = Clock::of(&who.user, frame.lang);
    html(detail_page(frame, clock, &view, record, message))
}

fn detail_page(
    frame: Frame,
    clock: Clock,
    view: &BookingView,
    record: Record,
    message: Message,
) -> DetailPage {
    let Frame { lang, chrome, nav } = frame;
    let r = &view.record;
    let offers = Offers::of(r, Utc::now());
    let location = r.location.clone().filter(|l| !l.is_empty());
    let (hosts, attendees) = people(view);
    DetailPage {
        chrome,
        nav,
        words: words(lang),
        uid: r.uid.clone(),
        title: r.title.clone(),
        status: status_label(lang, r.status),
        status_class: r.status.lower(),
        when: clock.span(r.start_at, r.end_at),
        event_type: view.event_slug.clone(),
        location_is_link: (location.as_deref())
            .is_some_and(|l| l.starts_with("https://") || l.starts_with("http://")),
        location,
        description: r.description.clone(),
        reason: (r.cancellation_reason.clone().or(r.rejection_reason.clone()))
            .filter(|s| !s.is_empty()),
        rescheduled_to: view.rescheduled_to.clone(),
        rescheduled_from: r.from_reschedule.clone(),
        hosts,
        attendees,
        no_show_host: r.no_show_host,
        answers: answers(&r.responses),
        history: record.history.iter().map(|h| entry(h, clock)).collect(),
        deliveries: record
            .deliveries
            .iter()
            .map(|d| delivery(d, clock))
            .collect(),
        emails: record.emails.iter().map(|e| sent_email(e, clock)).collect(),
        can_answer: offers.answer,
        can_cancel: offers.cancel,
        can_mark_absent: offers.absence,
        orphan_error: offers.orphan(&message),
        message,
    }
}

async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    uid: web::Path<String>,
) -> PageResult {
    let done = QueryState::from_request(&req)
        .get("done")
        .map(str::to_owned);
    let lang = super::session::lang_of(&req, Some(&who));
    let message = Message {
        notice: done.as_deref().and_then(|d| notice(lang, d)),
        ..Message::default()
    };
    render(&req, &state, &who, uid.into_inner(), message).await
}

fn notice(lang: Lang, done: &str) -> Option<&'static str> {
    let words = match done {
        "confirmed" => [
            "The booking is confirmed.",
            "Die Buchung ist bestätigt.",
            "La réservation est confirmée.",
            "La reserva está confirmada.",
        ],
        "declined" => [
            "The booking is declined.",
            "Die Buchung ist abgelehnt.",
            "La réservation est refusée.",
            "La reserva está rechazada.",
        ],
        "cancelled" => [
            "The booking is cancelled.",
            "Die Buchung ist abgesagt.",
            "La réservation est annulée.",
            "La reserva está cancelada.",
        ],
        "absent" => [
            "No-shows are saved.",
            "Abwesenheiten sind gespeichert.",
            "Les absences sont enregistrées.",
            "Las ausencias están guardadas.",
        ],
        _ => return None,
    };
    Some(pick(lang, words))
}

/// After an action: back to the booking with a notice (303); a refusal the host can act on
/// (not possible in this state, the time is taken) is shown on the page next to the form,
/// with its status; a booking they may not see or change is the error page (404/403).
async fn after(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    who: &SignedIn,
    uid: String,
    form: &'static str,
    reason: String,
    done: Result<BookingView, ServiceError>,
) -> PageResult {
    let error = match done {
        Ok(_) => {
            let done = done_word(form);
            return Err(PageError::redirect(format!("/bookings/{uid}?done={done}")));
        }
        Err(e) => e,
    };
    let status = match &error {
        ServiceError::Invalid(_) | ServiceError::Conflict(_) | ServiceError::Unprocessable(_) => {
            super::status_of(&error)
        }
        _ => {
            let lang = super::session::lang_of(req, Some(who));
            return Err(PageError::from_service(lang, error));
        }
    };
    let message = Message {
        notice: None,
        error: Some((form, error.to_string())),
        reason,
    };
    let mut response = render(req, state, who, uid, message).await?;
    *response.status_mut() = status;
    Ok(response)
}

fn done_word(form: &str) -> &'static str {
    match form {
        "confirm" => "confirmed",
        "decline" => "declined",
        "cancel" => "cancelled",
        _ => "absent",
    }
}

fn actor(who: &User) -> Actor {
    Actor::User { user_id: who.id }
}

#[derive(Debug, Deserialize)]
struct ReasonForm {
    #[serde(default, deserialize_with = "text::lines")]
    reason: Option<String>,
}

/// The reason as the use cases take it, or the refusal to show next to the form.
fn reason_of(raw: Option<String>) -> Result<Option<String>, ServiceError> {
    booking::reason(raw).map_err(|m| ServiceError::Invalid(format!("reason: {m}")))
}

/// A form with nothing in it but its token.
#[derive(Debug, Deserialize)]
struct NoFields {}

async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: ConsoleForm<NoFields>,
    uid: web::Path<String>,
) -> PageResult {
    let (who, uid) = (form.who, uid.into_inner());
    let done = {
        let (state, actor, uid) = (state.clone(), actor(&who.user), uid.clone());
        detach(async move { booking::confirm(&state.db, &state.outbox, &uid, actor).await }).await?
    };
    after(&req, &state, &who, uid, "confirm", String::new(), done).await
}

async fn decline(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: ConsoleForm<ReasonForm>,
    uid: web::Path<String>,
) -> PageResult {
    let (who, uid) = (form.who, uid.into_inner());
    let typed = form.form.reason.clone().unwrap_or_default();
    let done = match reason_of(form.form.reason) {
        Err(e) => Err(e),
        Ok(reason) => {
            let (state, actor, uid) = (state.clone(), actor(&who.user), uid.clone());
            detach(async move {
                booking::decline(&state.db, &state.outbox, &uid, reason, actor).await
            }).await?
        }
    };
    after(&req, &state, &who, uid, "decline", typed, done).await
}

async fn cancel(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: ConsoleForm<ReasonForm>,
    uid: web::Path<String>,
) -> PageResult {
    let (who, uid) = (form.who, uid.into_inner());
    let typed = form.form.reason.clone().unwrap_or_default();
    let done = match reason_of(form.form.reason) {
        Err(e) => Err(e),
        Ok(reason) => {
            let change = CancelRequest {
                reason,
                cancelled_by: Some(who.user.email.clone()),
                seat_uid: None,
            };
            let (state, actor, uid) = (state.clone(), actor(&who.user), uid.clone());
            detach(
                async move { booking::cancel(&state.db, &state.outbox, &uid, change, actor).await },
            )
            .await?
        }
    };
    after(&req, &state, &who, uid, "cancel", typed, done).await
}

#[derive(Debug, Deserialize)]
struct AbsenceForm {
    /// The attendees (by email) who did not come; the others did.
    #[serde(default, deserialize_with = "text::line")]
    absent: Vec<String>,
    #[serde(default, deserialize_with = "text::line")]
    host_absent: Option<String>,
}

/// `POST /bookings/{uid}/no-show`: every attendee's presence as the form has it.
async fn no_show(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: ConsoleForm<AbsenceForm>,
    uid: web::Path<String>,
) -> PageResult {
    let (who, uid) = (form.who, uid.into_inner());
    let absent: Vec<String> = (form.form.absent.iter())
        .map(|e| e.trim().to_lowercase())
        .collect();
    let host = Some(form.form.host_absent.is_some());
    let done = {
        let (state, user, uid) = (state.clone(), who.user.id, uid.clone());
        detach(async move {
            let view = booking::get(&state.db, user, &uid).await?;
            let attendees = (view.attendees.iter())
                .map(|a| (a.email.clone(), absent.contains(&a.email)))
                .collect();
            let change = AbsenceRequest { host, attendees };
            let actor = Actor::User { user_id: user };
            booking::mark_absent(&state.db, &uid, change, actor).await
        })
        .await?
    };
    after(&req, &state, &who, uid, "no-show", String::new(), done).await
}
