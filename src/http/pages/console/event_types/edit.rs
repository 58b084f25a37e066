//! `/event-types/{id}` (Cal.com's path): one event type's options in sections (Basics,
//! Availability limits, Booking questions, Locations, Advanced, Team hosts), each its own form
//! whose post becomes a partial update through the use case behind `PATCH /v2/event-types/{id}`,
//! and the availability preview with "why is this time not offered?". A refused change comes
//! back with the API's message next to its input (400), the input kept.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use chrono_tz::Tz;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::fields::FormSection;
use super::preview::{self, Clock, Day};
use super::questions::{LocationForm, LocationOrder, QuestionForm, QuestionOrder};
use super::settings::{AdvancedForm, BasicsForm, HostsForm, LimitsForm};
use crate::availability::{Explanation, Slot};
use crate::event_types::{self, EventType, Reached, Target};
use crate::http::pages::console::detach;
use crate::http::pages::console::session::{ConsoleForm, lang_of};
use crate::http::pages::console::{Frame, Nav, Section, pick, refusal_status};
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult};
use crate::http::{AppState, detached};
use crate::service::ServiceError;
use crate::sessions::SignedIn;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/event-types/{id:\\d+}", web::get().to(page))
        .route(
            "/event-types/{id:\\d+}/basics",
            web::post().to(save::<BasicsForm>),
        )
        .route(
            "/event-types/{id:\\d+}/limits",
            web::post().to(save::<LimitsForm>),
        )
        .route(
            "/event-types/{id:\\d+}/advanced",
            web::post().to(save::<AdvancedForm>),
        )
        .route(
            "/event-types/{id:\\d+}/hosts",
            web::post().to(save::<HostsForm>),
        )
        .route(
            "/event-types/{id:\\d+}/questions",
            web::post().to(save::<QuestionForm>),
        )
        .route(
            "/event-types/{id:\\d+}/questions/order",
            web::post().to(save::<QuestionOrder>),
        )
        .route(
            "/event-types/{id:\\d+}/locations",
            web::post().to(save::<LocationForm>),
        )
        .route(
            "/event-types/{id:\\d+}/locations/order",
            web::post().to(save::<LocationOrder>),
        );
}

/// A form of the page: the partial update it asks for (in the API's vocabulary) and how it
/// is kept on the page when refused.
pub trait Change: DeserializeOwned + 'static {
    /// Its section's anchor.
    const ANCHOR: &'static str;
    /// The changes, or a form-level refusal worded as the API words its own (`field: …`).
    fn changes(&self, event: &EventType) -> Result<Map<String, Value>, String>;
    fn keep(self, kept: &mut Kept);
}

/// The forms as posted, shown again instead of the stored values after a refusal.
#[derive(Default)]
pub struct Kept {
    pub basics: Option<BasicsForm>,
    pub limits: Option<LimitsForm>,
    pub advanced: Option<AdvancedForm>,
    pub hosts: Option<HostsForm>,
    pub question: Option<QuestionForm>,
    pub location: Option<LocationForm>,
}

impl Change for QuestionOrder {
    const ANCHOR: &'static str = "questions";
    fn changes(&self, event: &EventType) -> Result<Map<String, Value>, String> {
        self.reordered(event)
    }
    fn keep(self, _: &mut Kept) {}
}

impl Change for LocationOrder {
    const ANCHOR: &'static str = "locations";
    fn changes(&self, event: &EventType) -> Result<Map<String, Value>, String> {
        self.reordered(event)
    }
    fn keep(self, _: &mut Kept) {}
}

/// What the sections need besides the forms.
pub struct Context<'a> {
    pub lang: Lang,
    pub event: &'a EventType,
    /// The user's schedules (id, name), for the schedule choices.
    pub schedules: Vec<(i64, String)>,
    /// A team's accepted members (id, name).
    pub members: Vec<(i64, String)>,
}

impl Context<'_> {
    pub fn action(&self, part: &str) -> String {
        format!("/event-types/{}/{part}", self.event.record.id)
    }
}

struct Words {
    back: &'static str,
    hidden: &'static str,
    sections: &'static str,
    not_saved: &'static str,
    read_only: &'static str,
    preview: &'static str,
    preview_lead: &'static str,
    no_slots: &'static str,
    why_title: &'static str,
    why_label: &'static str,
    why_submit: &'static str,
    offered: &'static str,
    not_offered: &'static str,
    why_unreadable: &'static str,
    edit: &'static str,
    up: &'static str,
    down: &'static str,
    remove: &'static str,
    remove_confirm: &'static str,
}

fn words(lang: Lang) -> Words {
    Words {
        back: pick(
            lang,
            [
                "All event types",
                "Alle Ereignistypen",
                "Tous les types d’événements",
                "Todos los tipos de evento",
            ],
        ),
        hidden: pick(lang, ["Hidden", "Verborgen", "Masqué", "Oculto"]),
        sections: pick(lang, ["Sections", "Abschnitte", "Sections", "Secciones"]),
        not_saved: pick(
            lang,
            [
                "Not saved:",
                "Nicht gespeichert:",
                "Non enregistré :",
                "No guardado:",
            ],
        ),
        read_only: pick(
            lang,
            [
                "Only the team's admins and owners can change this event type.",
                "Nur Admins und Eigentümer des Teams können diesen Ereignistyp ändern.",
                "Seuls les administrateurs et propriétaires de l’équipe peuvent modifier ce type d’événement.",
                "Solo los administradores y propietarios del equipo pueden cambiar este tipo de evento.",
            ],
        ),
        preview: pick(
            lang,
            [
                "Availability preview",
                "Vorschau der Verfügbarkeit",
                "Aperçu des disponibilités",
                "Vista previa de disponibilidad",
            ],
        ),
        preview_lead: pick(
            lang,
            [
                "What bookers are offered in the next 14 days, in",
                "Was Buchenden in den nächsten 14 Tagen angeboten wird, in",
                "Ce qui est proposé dans les 14 prochains jours, en",
                "Lo que se ofrece en los próximos 14 días, en",
            ],
        ),
        no_slots: pick(
            lang,
            [
                "No slots in the next 14 days.",
                "Keine Termine in den nächsten 14 Tagen.",
                "Aucun créneau dans les 14 prochains jours.",
                "Ningún horario en los próximos 14 días.",
            ],
        ),
        why_title: pick(
            lang,
            [
                "Why is a time not offered?",
                "Warum wird eine Zeit nicht angeboten?",
                "Pourquoi un horaire n’est-il pas proposé ?",
                "¿Por qué no se ofrece una hora?",
            ],
        ),
        why_label: pick(
            lang,
            [
                "Date and time",
                "Datum und Uhrzeit",
                "Date et heure",
                "Fecha y hora",
            ],
        ),
        why_submit: pick(lang, ["Explain", "Erklären", "Expliquer", "Explicar"]),
        offered: pick(
            lang,
            [
                "is offered.",
                "wird angeboten.",
                "est proposé.",
                "se ofrece.",
            ],
        ),
        not_offered: pick(
            lang,
            [
                "is not offered:",
                "wird nicht angeboten:",
                "n’est pas proposé :",
                "no se ofrece:",
            ],
        ),
        why_unreadable: pick(
            lang,
            [
                "Give a date and a time, like 2030-03-04T09:30.",
                "Bitte Datum und Uhrzeit angeben, etwa 2030-03-04T09:30.",
                "Indiquez une date et une heure, par exemple 2030-03-04T09:30.",
                "Indique una fecha y una hora, como 2030-03-04T09:30.",
            ],
        ),
        edit: pick(lang, ["Edit", "Bearbeiten", "Modifier", "Editar"]),
        up: pick(lang, ["Move up", "Nach oben", "Monter", "Subir"]),
        down: pick(lang, ["Move down", "Nach unten", "Descendre", "Bajar"]),
        remove: pick(lang, ["Remove", "Entfernen", "Retirer", "Quitar"]),
        remove_confirm: pick(
            lang,
            ["Remove it?", "Entfernen?", "Le retirer ?", "¿Quitarlo?"],
        ),
    }
}

/// The answer to "why is this time not offered?".
struct Why {
    /// The `datetime-local` value asked about.
    value: String,
    /// The time asked about, written out, once one was.
    asked: Option<String>,
    offered: bool,
    reasons: Vec<String>,
    unreadable: bool,
}

struct Problem {
    message: String,
    target: String,
}

#[derive(Template)]
#[template(path = "console/event_types_edit.html")]
struct EditPage {
    chrome: Chrome,
    nav: Nav,
    words: Words,
    id: i64,
    title: String,
    link: String,
    owner: String,
    hidden: bool,
    can_change: bool,
    notice: Option<&'static str>,
    problem: Option<Problem>,
    sections: Vec<FormSection>,
    days: Vec<Day>,
    zone: String,
    why: Why,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    notice: Option<String>,
    /// The booking question opened in the question form.
    question: Option<String>,
    /// "Why is this time not offered?": a local date and time.
    at: Option<String>,
}

fn notice(lang: Lang, raw: Option<&str>) -> Option<&'static str> {
    Some(match raw? {
        "saved" => pick(lang, ["Saved.", "Gespeichert.", "Enregistré.", "Guardado."]),
        "created" => pick(
            lang,
            [
                "Created. Set it up below.",
                "Erstellt. Hier einrichten.",
                "Créé. Configurez-le ci-dessous.",
                "Creado. Configúrelo abajo.",
            ],
        ),
        "duplicated" => pick(
            lang,
            [
                "Duplicated: this is the copy.",
                "Dupliziert: dies ist die Kopie.",
                "Dupliqué : voici la copie.",
                "Duplicado: esta es la copia.",
            ],
        ),
        _ => return None,
    })
}

/// What the page reads besides the event type.
struct Extras {
    schedules: Vec<(i64, String)>,
    members: Vec<(i64, String)>,
    slots: Vec<Slot>,
    explanation: Option<Explanation>,
}

pub fn zone_of(who: &SignedIn) -> Tz {
    who.user.time_zone.parse().unwrap_or(Tz::UTC)
}

pub fn clock_of(who: &SignedIn, lang: Lang) -> Clock {
    Clock {
        lang,
        tz: zone_of(who),
        twelve_hour: who.user.time_format == 12,
    }
}

async fn extras(
    state: &AppState,
    who: &SignedIn,
    reached: &Reached,
    at: Option<i64>,
) -> Result<Extras, ServiceError> {
    let (db, user) = (&state.db, who.user.id);
    let schedules = crate::schedules::list(db, user)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let members = match reached.target {
        Target::Team(team) => crate::teams::memberships(db, user, team)
            .await?
            .into_iter()
            .filter(|m| m.accepted)
            .map(|m| (m.user_id, m.user.name))
            .collect(),
        Target::Personal => Vec::new(),
    };
    let (tz, now) = (zone_of(who), Utc::now());
    let slots = preview::slots(db, &reached.event, tz, now).await?;
    let explanation = match at {
        Some(at) => Some(preview::explain(db, &reached.event, tz, now, at).await?),
        None => None,
    };
    Ok(Extras {
        schedules,
        members,
        slots,
        explanation,
    })
}

/// The event type the caller may see, else the page's 404.
pub async fn reach(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    lang: Lang,
) -> Result<Reached, PageError> {
    let (db, user) = (state.db.clone(), who.user.id);
    detach(async move { event_types::reach(&db, user, id).await })
        .await?
        .map_err(|e| PageError::from_service(lang, e))
}

async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    id: web::Path<i64>,
    query: web::Query<PageQuery>,
) -> PageResult {
    let lang = lang_of(&req, Some(&who));
    let reached = reach(&state, &who, id.into_inner(), lang).await?;
    let query = query.into_inner();
    let kept = Kept {
        question: Some(QuestionForm::of(&reached.event, query.question.as_deref())),
        ..Kept::default()
    };
    let view = View {
        kept,
        refusal: None,
        notice: notice(lang, query.notice.as_deref()),
        at: query.at,
    };
    render(&req, &state, &who, reached, view, StatusCode::OK).await
}

/// What a rendering shows beyond the stored event type.
struct View {
    kept: Kept,
    /// The section whose change was refused, and the message.
    refusal: Option<(&'static str, String)>,
    notice: Option<&'static str>,
    at: Option<String>,
}

async fn render(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    who: &SignedIn,
    reached: Reached,
    view: View,
    status: StatusCode,
) -> PageResult {
    let Frame { lang, chrome, nav } = Frame::new(req, who, Section::EventTypes);
    let clock = clock_of(who, lang);
    let at = view.at.as_deref().and_then(|raw| clock.parse(raw));
    let found = {
        let (state, who, reached) = (state.clone(), who.clone(), reached.clone());
        detach(async move { extras(&state, &who, &reached, at).await })
            .await?
            .map_err(|e| PageError::from_service(lang, e))?
    };
    let event = &reached.event;
    let cx = Context {
        lang,
        event,
        schedules: found.schedules,
        members: found.members,
    };
    let mut sections = sections(&cx, view.kept, reached.target);
    let problem = view.refusal.and_then(|(anchor, message)| {
        let section = sections.iter_mut().find(|s| s.anchor == anchor)?;
        let target = section.refuse(&message);
        Some(Problem { message, target })
    });
    let page = EditPage {
        chrome,
        nav,
        words: words(lang),
        id: event.record.id,
        title: event.record.title.clone(),
        link: format!("/{}", event.booking_path()),
        owner: event.owner_name.clone(),
        hidden: event.record.hidden,
        can_change: reached.can_change,
        notice: view.notice,
        problem,
        sections,
        days: preview::days(clock, &found.slots),
        zone: who.user.time_zone.clone(),
        why: why(clock, view.at, found.explanation.as_ref(), &hosts(event)),
    };
    respond(page, status)
}

fn sections(cx: &Context, kept: Kept, target: Target) -> Vec<FormSection> {
    let lang = cx.lang;
    let event = cx.event;
    let save = pick(lang, ["Save", "Speichern", "Enregistrer", "Guardar"]);
    let question = kept
        .question
        .unwrap_or_else(|| QuestionForm::of(event, None));
    let mut out = vec![
        kept.basics
            .unwrap_or_else(|| BasicsForm::of(event))
            .section(cx)
            .submit(save),
        kept.limits
            .unwrap_or_else(|| LimitsForm::of(event))
            .section(cx)
            .submit(save),
        question.section(cx).submit(save),
        kept.location
            .unwrap_or_else(LocationForm::blank)
            .section(cx)
            .submit(pick(lang, ["Add", "Hinzufügen", "Ajouter", "Añadir"])),
        kept.advanced
            .unwrap_or_else(|| AdvancedForm::of(event))
            .section(cx)
            .submit(save),
    ];
    if let Target::Team(_) = target {
        out.push(
            kept.hosts
                .unwrap_or_else(|| HostsForm::of(event))
                .section(cx)
                .submit(save),
        );
    }
    out
}

/// The hosts by id, to name them in explanations.
fn hosts(event: &EventType) -> Vec<(i64, String)> {
    match &event.owner_user {
        Some(owner) => vec![(owner.id, owner.name.clone())],
        None => event
            .hosts
            .iter()
            .map(|h| (h.user_id, h.name.clone()))
            .collect(),
    }
}

fn why(
    clock: Clock,
    value: Option<String>,
    explanation: Option<&Explanation>,
    hosts: &[(i64, String)],
) -> Why {
    let value = value.unwrap_or_default();
    Why {
        unreadable: !value.is_empty() && explanation.is_none(),
        asked: explanation.map(|e| clock.moment(e.instant)),
        offered: explanation.is_some_and(|e| e.is_slot),
        reasons: explanation
            .map(|e| preview::reasons(clock, e, hosts))
            .unwrap_or_default(),
        value,
    }
}

pub fn respond<T: Template>(page: T, status: StatusCode) -> PageResult {
    let body = page
        .render()
        .map_err(|e| PageError::internal(&e.to_string()))?;
    Ok(HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body))
}

pub fn see_other(location: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, location))
        .finish()
}

/// Sends `changes` to the use case behind `PATCH /v2/event-types/{id}`.
pub async fn submit(
    state: &AppState,
    who: &SignedIn,
    reached: &Reached,
    changes: Result<Map<String, Value>, String>,
) -> Result<(), ServiceError> {
    if !reached.can_change {
        return Err(ServiceError::Forbidden(
            "Only the team's admins and owners can change its event types".into(),
        ));
    }
    let changes = changes.map_err(ServiceError::Invalid)?;
    let (db, user, target, id) = (
        state.db.clone(),
        who.user.id,
        reached.target,
        reached.event.record.id,
    );
    detached(async move { event_types::update(&db, user, target, id, changes).await })
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))??;
    Ok(())
}

async fn save<F: Change>(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: ConsoleForm<F>,
) -> PageResult {
    let ConsoleForm { who, form } = form;
    let lang = lang_of(&req, Some(&who));
    let id = id.into_inner();
    let reached = reach(&state, &who, id, lang).await?;
    let changes = form.changes(&reached.event);
    let Err(error) = submit(&state, &who, &reached, changes).await else {
        return Ok(see_other(format!(
            "/event-types/{id}?notice=saved#{}",
            F::ANCHOR
        )));
    };
    let (status, message) = refusal_status(lang, error)?;
    let mut kept = Kept::default();
    form.keep(&mut kept);
    let view = View {
        kept,
        refusal: Some((F::ANCHOR, message)),
        notice: None,
        at: None,
    };
    render(&req, &state, &who, reached, view, status).await
}
