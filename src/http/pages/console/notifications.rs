//! `/settings/my-account/notifications`: which booking emails the signed-in user receives as
//! a host (`notify::choices`, the use cases behind `/v2/me/notifications`). A box left
//! unticked is a kind turned off; attendees' emails are not the host's to choose.

use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::session::{ConsoleForm, lang_of};
use super::settings::{SavedQuery, Tabs, own_tabs};
use super::{Frame, Nav, Section, pick};
use crate::http::AppState;
use crate::http::pages::console::detach;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult, html};
use crate::notify::choices::{self, HostEmailChanges, HostEmails};
use crate::sessions::SignedIn;

pub(super) const PATH: &str = "/settings/my-account/notifications";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(PATH)
            .route(web::get().to(page))
            .route(web::post().to(save)),
    );
}

/// One kind of email: its box's name (the API's field) and what it says.
struct Switch {
    name: &'static str,
    label: &'static str,
    on: bool,
}

#[derive(Template)]
#[template(path = "console/notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    nav: Nav,
    tabs: Tabs,
    title: &'static str,
    lead: &'static str,
    save: &'static str,
    notice: Option<&'static str>,
    switches: Vec<Switch>,
}

fn switches(lang: Lang, chosen: &HostEmails) -> Vec<Switch> {
    let labels = [
        [
            "New bookings and booking requests",
            "Neue Buchungen und Buchungsanfragen",
            "Nouvelles réservations et demandes de réservation",
            "Reservas nuevas y solicitudes de reserva",
        ],
        [
            "Rescheduled bookings and new meeting places",
            "Verschobene Buchungen und neue Orte",
            "Réservations reprogrammées et nouveaux lieux",
            "Reservas reprogramadas y lugares nuevos",
        ],
        [
            "Cancelled and declined bookings",
            "Abgesagte und abgelehnte Buchungen",
            "Réservations annulées et refusées",
            "Reservas canceladas y rechazadas",
        ],
        [
            "Reminders and messages from workflows that email the hosts",
            "Erinnerungen und Nachrichten von Workflows an die Gastgeber",
            "Rappels et messages des workflows adressés aux hôtes",
            "Recordatorios y mensajes de flujos de trabajo para los anfitriones",
        ],
    ];
    let names = [
        ("bookingCreated", chosen.booked),
        ("bookingRescheduled", chosen.rescheduled),
        ("bookingCancelled", chosen.cancelled),
        ("workflowEmails", chosen.workflows),
    ];
    (names.into_iter().zip(labels))
        .map(|((name, on), label)| Switch {
            name,
            label: pick(lang, label),
            on,
        })
        .collect()
}

fn build(req: &HttpRequest, who: &SignedIn, chosen: &HostEmails) -> NotificationsPage {
    let Frame { lang, chrome, nav } = Frame::new(req, who, Section::Settings);
    NotificationsPage {
        chrome,
        nav,
        tabs: own_tabs(lang, PATH),
        title: pick(
            lang,
            [
                "Notifications",
                "Benachrichtigungen",
                "Notifications",
                "Notificaciones",
            ],
        ),
        lead: pick(
            lang,
            [
                "The emails you receive as a host. Your attendees' emails are sent either way.",
                "Die E-Mails, die du als Gastgeber erhältst. Deine Gäste erhalten ihre in jedem Fall.",
                "Les e-mails que vous recevez en tant qu’hôte. Vos participants reçoivent les leurs dans tous les cas.",
                "Los correos que recibes como anfitrión. Tus asistentes reciben los suyos en cualquier caso.",
            ],
        ),
        save: pick(lang, ["Save", "Speichern", "Enregistrer", "Guardar"]),
        notice: None,
        switches: switches(lang, chosen),
    }
}

async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    query: web::Query<SavedQuery>,
) -> PageResult {
    let lang = lang_of(&req, Some(&who));
    let (db, id) = (state.db.clone(), who.user.id);
    let chosen = detach(async move { choices::host_emails(&db, id).await })
        .await?
        .map_err(|e| PageError::from_service(lang, e))?;
    let mut page = build(&req, &who, &chosen);
    if query.saved.is_some() {
        page.notice = Some(pick(
            lang,
            [
                "Your choices are saved.",
                "Deine Auswahl ist gespeichert.",
                "Vos choix sont enregistrés.",
                "Tus preferencias se han guardado.",
            ],
        ));
    }
    html(page)
}

/// The form as posted: a ticked box is sent, an unticked one is not.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChoicesForm {
    booking_created: Option<String>,
    booking_rescheduled: Option<String>,
    booking_cancelled: Option<String>,
    workflow_emails: Option<String>,
}

async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: ConsoleForm<ChoicesForm>,
) -> PageResult {
    let ConsoleForm { who, form } = form;
    let lang = lang_of(&req, Some(&who));
    let changes = HostEmailChanges {
        booking_created: Some(form.booking_created.is_some()),
        booking_rescheduled: Some(form.booking_rescheduled.is_some()),
        booking_cancelled: Some(form.booking_cancelled.is_some()),
        workflow_emails: Some(form.workflow_emails.is_some()),
    };
    let (db, id) = (state.db.clone(), who.user.id);
    detach(async move { choices::change_host_emails(&db, id, changes).await })
        .await?
        .map_err(|e| PageError::from_service(lang, e))?;
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("{PATH}?saved=1")))
        .finish())
}
