//! `/event-types`: the signed-in user's event types, personal and of each team they belong
//! to, with their public links (the landing page after sign-in); creating one (personal, or
//! for a team they administer), hiding and showing, duplicating and deleting (each with a page
//! of its own, so nothing needs JavaScript). `edit` is the page of one event type. Every action
//! calls the use case the API calls.

mod edit;
mod fields;
mod preview;
mod questions;
mod settings;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;
use serde::Deserialize;

use super::refusal_status;
use super::session::{ConsoleForm, lang_of};
use super::{Frame, Nav, Section, pick};
use crate::event_types::{self, EventType, EventTypeInput, Reached, Target};
use crate::http::AppState;
use crate::http::pages::console::detach;
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult};
use crate::service::ServiceError;
use crate::sessions::SignedIn;
use edit::{reach, respond, see_other, submit};
use fields::{Choice, FormSection, Group, Input, number, partial};
use settings::slug_or_suggested;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/event-types")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .route(
        "/event-types/{id:\\d+}/visibility",
        web::post().to(visibility),
    )
    .service(
        web::resource("/event-types/{id:\\d+}/duplicate")
            .route(web::get().to(duplicate_page))
            .route(web::post().to(duplicate)),
    )
    .service(
        web::resource("/event-types/{id:\\d+}/delete")
            .route(web::get().to(delete_page))
            .route(web::post().to(delete)),
    );
    edit::configure(cfg);
}

/// One owner's event types: the person's own, or one team's.
struct OwnerGroup {
    title: String,
    rows: Vec<Row>,
    /// The user may change these (their own; a team they administer).
    can_change: bool,
}

struct Row {
    id: i64,
    title: String,
    path: String,
    lengths: String,
    hidden: bool,
}

impl Row {
    fn of(event: &EventType) -> Self {
        let lengths: Vec<String> = event.lengths().iter().map(u32::to_string).collect();
        Self {
            id: event.record.id,
            title: event.record.title.clone(),
            path: event.booking_path(),
            lengths: lengths.join(" / "),
            hidden: event.record.hidden,
        }
    }
}

struct Words {
    title: &'static str,
    none: &'static str,
    hidden: &'static str,
    minutes: &'static str,
    personal: &'static str,
    new: &'static str,
    edit: &'static str,
    view: &'static str,
    hide: &'static str,
    show: &'static str,
    duplicate: &'static str,
    delete: &'static str,
    actions: &'static str,
}

fn words(lang: Lang) -> Words {
    Words {
        title: pick(
            lang,
            [
                "Event types",
                "Ereignistypen",
                "Types d’événements",
                "Tipos de evento",
            ],
        ),
        none: pick(
            lang,
            [
                "No event types yet.",
                "Noch keine Ereignistypen.",
                "Aucun type d’événement pour l’instant.",
                "Aún no hay tipos de evento.",
            ],
        ),
        hidden: pick(lang, ["Hidden", "Verborgen", "Masqué", "Oculto"]),
        minutes: pick(lang, ["min", "Min.", "min", "min"]),
        personal: pick(lang, ["Personal", "Persönlich", "Personnel", "Personal"]),
        new: pick(
            lang,
            [
                "New event type",
                "Neuer Ereignistyp",
                "Nouveau type d’événement",
                "Nuevo tipo de evento",
            ],
        ),
        edit: pick(lang, ["Edit", "Bearbeiten", "Modifier", "Editar"]),
        view: pick(lang, ["View", "Ansehen", "Voir", "Ver"]),
        hide: pick(lang, ["Hide", "Verbergen", "Masquer", "Ocultar"]),
        show: pick(lang, ["Show", "Anzeigen", "Afficher", "Mostrar"]),
        duplicate: pick(lang, ["Duplicate", "Duplizieren", "Dupliquer", "Duplicar"]),
        delete: pick(lang, ["Delete", "Löschen", "Supprimer", "Eliminar"]),
        actions: pick(
            lang,
            [
                "Actions for",
                "Aktionen für",
                "Actions pour",
                "Acciones para",
            ],
        ),
    }
}

fn list_notice(lang: Lang, raw: Option<&str>) -> Option<&'static str> {
    Some(match raw? {
        "deleted" => pick(lang, ["Deleted.", "Gelöscht.", "Supprimé.", "Eliminado."]),
        "hidden" => pick(
            lang,
            [
                "Hidden from your public page.",
                "Auf der öffentlichen Seite verborgen.",
                "Masqué de la page publique.",
                "Oculto en la página pública.",
            ],
        ),
        "shown" => pick(
            lang,
            [
                "Shown on your public page.",
                "Auf der öffentlichen Seite sichtbar.",
                "Affiché sur la page publique.",
                "Visible en la página pública.",
            ],
        ),
        _ => return None,
    })
}

#[derive(Template)]
#[template(path = "console/event_types.html")]
struct ListPage {
    chrome: Chrome,
    nav: Nav,
    words: Words,
    groups: Vec<OwnerGroup>,
    notice: Option<&'static str>,
    create: FormSection,
}

/// The user's event types by owner, and the teams they may create event types for.
async fn groups(
    state: &AppState,
    who: &SignedIn,
) -> Result<(Vec<OwnerGroup>, Vec<(i64, String)>), ServiceError> {
    let (db, user) = (state.db.clone(), who.user.clone());
    let mine = event_types::list_mine(&db, user.id).await?;
    let mut groups = vec![OwnerGroup {
        title: user.name.clone(),
        rows: mine.personal.iter().map(Row::of).collect(),
        can_change: true,
    }];
    let managed = crate::teams::managed(&db, user.id).await?;
    let mut teams = Vec::new();
    for (team, events) in &mine.teams {
        let can_change = managed.contains(&team.id);
        if can_change {
            teams.push((team.id, team.name.clone()));
        }
        groups.push(OwnerGroup {
            title: team.name.clone(),
            rows: events.iter().map(Row::of).collect(),
            can_change,
        });
    }
    Ok((groups, teams))
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    notice: Option<String>,
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    query: web::Query<ListQuery>,
) -> PageResult {
    let lang = lang_of(&req, Some(&who));
    let notice = list_notice(lang, query.notice.as_deref());
    render_list(
        &req,
        &state,
        &who,
        CreateForm::default(),
        None,
        notice,
        StatusCode::OK,
    )
    .await
}

async fn render_list(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    who: &SignedIn,
    form: CreateForm,
    refusal: Option<String>,
    notice: Option<&'static str>,
    status: StatusCode,
) -> PageResult {
    let Frame { lang, chrome, nav } = Frame::new(req, who, Section::EventTypes);
    let words = words(lang);
    let found = {
        let (state, who) = (state.clone(), who.clone());
        detach(async move { groups(&state, &who).await }).await?
    };
    let (mut groups, teams) = found.map_err(|e| PageError::from_service(lang, e))?;
    groups[0].title = format!("{} · {}", words.personal, groups[0].title);
    let mut create = form.section(lang, &teams, words.new);
    if let Some(message) = refusal {
        create.refuse(&message);
    }
    respond(
        ListPage {
            chrome,
            nav,
            words,
            groups,
            notice,
            create,
        },
        status,
    )
}

// ---- Create ----

#[derive(Debug, Default, Deserialize)]
struct CreateForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    slug: String,
    #[serde(default, rename = "lengthInMinutes")]
    length: String,
    /// `personal`, or a team's id.
    #[serde(default)]
    owner: String,
    #[serde(default, rename = "schedulingType")]
    scheduling: String,
}

impl CreateForm {
    fn target(&self) -> Result<Target, String> {
        match self.owner.trim() {
            "" | "personal" => Ok(Target::Personal),
            id => id
                .parse()
                .map(Target::Team)
                .map_err(|_| format!("owner: `{id}` is not one of your teams")),
        }
    }

    /// The body of `POST /v2/event-types` (or a team's): a team's event type starts with
    /// every member as a host.
    fn input(&self, target: Target) -> Result<EventTypeInput, String> {
        let team = matches!(target, Target::Team(_));
        Ok(EventTypeInput {
            title: Some(self.title.clone()),
            slug: Some(slug_or_suggested(&self.slug, &self.title)),
            length_in_minutes: number("lengthInMinutes", &self.length)?,
            scheduling_type: team.then(|| match self.scheduling.as_str() {
                "" => "COLLECTIVE".to_owned(),
                other => other.to_owned(),
            }),
            assign_all_team_members: team.then_some(true),
            ..Default::default()
        })
    }

    fn section(&self, lang: Lang, teams: &[(i64, String)], title: &str) -> FormSection {
        let length = if self.length.is_empty() {
            "30"
        } else {
            &self.length
        };
        let mut inputs = vec![
            Input::text(
                "title",
                pick(lang, ["Title", "Titel", "Titre", "Título"]),
                &self.title,
            )
            .required(),
            Input::text("slug", pick(lang, ["URL", "URL", "URL", "URL"]), &self.slug).hint(pick(
                lang,
                [
                    "Empty: made from the title.",
                    "Leer: aus dem Titel.",
                    "Vide : tirée du titre.",
                    "Vacío: a partir del título.",
                ],
            )),
            Input::number(
                "lengthInMinutes",
                pick(
                    lang,
                    [
                        "Duration (minutes)",
                        "Dauer (Minuten)",
                        "Durée (minutes)",
                        "Duración (minutos)",
                    ],
                ),
                length,
            )
            .required(),
        ];
        if !teams.is_empty() {
            let mut owners = vec![Choice::new(
                "personal",
                pick(lang, ["Personal", "Persönlich", "Personnel", "Personal"]),
                &self.owner,
            )];
            owners.extend(
                teams
                    .iter()
                    .map(|(id, name)| Choice::new(id.to_string(), name.as_str(), &self.owner)),
            );
            inputs.push(Input::select(
                "owner",
                pick(lang, ["Owner", "Inhaber", "Propriétaire", "Propietario"]),
                owners,
            ));
            inputs.push(
                Input::select(
                    "schedulingType",
                    pick(
                        lang,
                        [
                            "Assignment (team event types)",
                            "Zuweisung (Team-Ereignistypen)",
                            "Attribution (types d’équipe)",
                            "Asignación (tipos de equipo)",
                        ],
                    ),
                    vec![
                        Choice::new(
                            "COLLECTIVE",
                            pick(
                                lang,
                                [
                                    "Collective: every host",
                                    "Kollektiv: alle Gastgeber",
                                    "Collectif : tous les hôtes",
                                    "Colectivo: todos los anfitriones",
                                ],
                            ),
                            &self.scheduling,
                        ),
                        Choice::new(
                            "ROUND_ROBIN",
                            pick(
                                lang,
                                [
                                    "Round robin: one host in turn",
                                    "Round Robin: ein Gastgeber im Wechsel",
                                    "Tour à tour : un hôte à la fois",
                                    "Rotativo: un anfitrión por turno",
                                ],
                            ),
                            &self.scheduling,
                        ),
                    ],
                )
                .hint(pick(
                    lang,
                    [
                        "Every member of the team hosts it at first.",
                        "Zunächst sind alle Teammitglieder Gastgeber.",
                        "Au début, tous les membres de l’équipe en sont hôtes.",
                        "Al principio, todos los miembros del equipo son anfitriones.",
                    ],
                )),
            );
        }
        FormSection::new(
            "new",
            title,
            "/event-types".to_owned(),
            vec![Group::plain(inputs)],
        )
        .submit(pick(lang, ["Create", "Erstellen", "Créer", "Crear"]))
    }
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: ConsoleForm<CreateForm>,
) -> PageResult {
    let ConsoleForm { who, form } = form;
    let lang = lang_of(&req, Some(&who));
    let input = form
        .target()
        .and_then(|target| Ok((target, form.input(target)?)));
    let created = match input {
        Ok((target, input)) => {
            let (db, user) = (state.db.clone(), who.user.id);
            detach(async move { event_types::create(&db, user, target, input).await }).await?
        }
        Err(message) => Err(ServiceError::Invalid(message)),
    };
    match created {
        Ok(event) => Ok(see_other(format!(
            "/event-types/{}?notice=created",
            event.record.id
        ))),
        Err(e) => {
            let (status, message) = refusal_status(lang, e)?;
            render_list(&req, &state, &who, form, Some(message), None, status).await
        }
    }
}

// ---- Hide and show ----

#[derive(Debug, Deserialize)]
struct VisibilityForm {
    #[serde(default)]
    hidden: String,
}

async fn visibility(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: ConsoleForm<VisibilityForm>,
) -> PageResult {
    let ConsoleForm { who, form } = form;
    let lang = lang_of(&req, Some(&who));
    let reached = reach(&state, &who, id.into_inner(), lang).await?;
    let hide = form.hidden == "true";
    let input = EventTypeInput {
        hidden: Some(hide),
        ..Default::default()
    };
    submit(&state, &who, &reached, Ok(partial(&input, &["hidden"])))
        .await
        .map_err(|e| PageError::from_service(lang, e))?;
    let notice = if hide { "hidden" } else { "shown" };
    Ok(see_other(format!("/event-types?notice={notice}")))
}

// ---- Duplicate and delete: a page each ----

#[derive(Template)]
#[template(path = "console/event_types_action.html")]
struct ActionPage {
    chrome: Chrome,
    nav: Nav,
    heading: String,
    lead: Option<String>,
    back: &'static str,
    cancel: &'static str,
    danger: bool,
    section: FormSection,
}

fn action_page(
    req: &HttpRequest,
    who: &SignedIn,
    heading: String,
    section: FormSection,
) -> (ActionPage, Lang) {
    let Frame { lang, chrome, nav } = Frame::new(req, who, Section::EventTypes);
    let page = ActionPage {
        chrome,
        nav,
        heading,
        lead: None,
        back: words(lang).title,
        cancel: pick(lang, ["Cancel", "Abbrechen", "Annuler", "Cancelar"]),
        danger: false,
        section,
    };
    (page, lang)
}

/// A page that changes the event type, for someone who may not: the use case's answer.
fn may_change(reached: &Reached, lang: Lang) -> Result<(), PageError> {
    if reached.can_change {
        Ok(())
    } else {
        Err(PageError::forbidden(
            lang,
            "Only the team's admins and owners can change its event types",
        ))
    }
}

#[derive(Debug, Default, Deserialize)]
struct DuplicateForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    description: String,
    #[serde(default, rename = "lengthInMinutes")]
    length: String,
}

impl DuplicateForm {
    fn of(event: &EventType) -> Self {
        Self {
            title: format!("{} (copy)", event.record.title),
            slug: format!("{}-copy", event.record.slug),
            description: event.record.description.clone(),
            length: event.record.length_minutes.to_string(),
        }
    }

    fn section(&self, lang: Lang, id: i64) -> FormSection {
        let inputs = vec![
            Input::text(
                "title",
                pick(lang, ["Title", "Titel", "Titre", "Título"]),
                &self.title,
            )
            .required(),
            Input::text("slug", pick(lang, ["URL", "URL", "URL", "URL"]), &self.slug),
            Input::textarea(
                "description",
                pick(
                    lang,
                    ["Description", "Beschreibung", "Description", "Descripción"],
                ),
                &self.description,
            ),
            Input::number(
                "lengthInMinutes",
                pick(
                    lang,
                    [
                        "Duration (minutes)",
                        "Dauer (Minuten)",
                        "Durée (minutes)",
                        "Duración (minutos)",
                    ],
                ),
                &self.length,
            )
            .required(),
        ];
        FormSection::new(
            "duplicate",
            "",
            format!("/event-types/{id}/duplicate"),
            vec![Group::plain(inputs)],
        )
        .submit(words(lang).duplicate)
    }

    fn changes(&self) -> Result<serde_json::Map<String, serde_json::Value>, String> {
        let input = EventTypeInput {
            title: Some(self.title.clone()),
            slug: Some(slug_or_suggested(&self.slug, &self.title)),
            description: Some(self.description.clone()),
            length_in_minutes: number("lengthInMinutes", &self.length)?,
            ..Default::default()
        };
        Ok(partial(
            &input,
            &["title", "slug", "description", "lengthInMinutes"],
        ))
    }
}

fn duplicate_heading(lang: Lang, event: &EventType) -> String {
    format!(
        "{} “{}”",
        pick(lang, ["Duplicate", "Duplizieren:", "Dupliquer", "Duplicar"]),
        event.record.title
    )
}

async fn duplicate_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    id: web::Path<i64>,
) -> PageResult {
    let lang = lang_of(&req, Some(&who));
    let reached = reach(&state, &who, id.into_inner(), lang).await?;
    may_change(&reached, lang)?;
    let event = &reached.event;
    let section = DuplicateForm::of(event).section(lang, event.record.id);
    let (page, _) = action_page(&req, &who, duplicate_heading(lang, event), section);
    respond(page, StatusCode::OK)
}

async fn duplicate(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: ConsoleForm<DuplicateForm>,
) -> PageResult {
    let ConsoleForm { who, form } = form;
    let lang = lang_of(&req, Some(&who));
    let reached = reach(&state, &who, id.into_inner(), lang).await?;
    may_change(&reached, lang)?;
    let id = reached.event.record.id;
    let copied = match form.changes() {
        Ok(changes) => {
            let (db, user) = (state.db.clone(), who.user.id);
            detach(async move { event_types::duplicate(&db, user, id, changes).await }).await?
        }
        Err(message) => Err(ServiceError::Invalid(message)),
    };
    match copied {
        Ok(copy) => Ok(see_other(format!(
            "/event-types/{}?notice=duplicated",
            copy.record.id
        ))),
        Err(e) => {
            let (status, message) = refusal_status(lang, e)?;
            let mut section = form.section(lang, id);
            section.refuse(&message);
            let heading = duplicate_heading(lang, &reached.event);
            let (page, _) = action_page(&req, &who, heading, section);
            respond(page, status)
        }
    }
}

async fn delete_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: SignedIn,
    id: web::Path<i64>,
) -> PageResult {
    let lang = lang_of(&req, Some(&who));
    let reached = reach(&state, &who, id.into_inner(), lang).await?;
    may_change(&reached, lang)?;
    let event = &reached.event;
    let heading = format!(
        "{} “{}”?",
        pick(lang, ["Delete", "Löschen:", "Supprimer", "¿Eliminar"]),
        event.record.title
    );
    let section = FormSection::new(
        "delete",
        "",
        format!("/event-types/{}/delete", event.record.id),
        Vec::new(),
    )
    .submit(words(lang).delete);
    let (mut page, _) = action_page(&req, &who, heading, section);
    page.danger = true;
    page.lead = Some(format!(
        "{} /{}",
        pick(
            lang,
            [
                "Bookings already made stay. This booking link stops working:",
                "Bestehende Buchungen bleiben. Dieser Buchungslink funktioniert dann nicht mehr:",
                "Les réservations existantes restent. Ce lien de réservation ne fonctionnera plus :",
                "Las reservas ya hechas se mantienen. Este enlace de reserva dejará de funcionar:",
            ]
        ),
        event.booking_path()
    ));
    respond(page, StatusCode::OK)
}

async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: ConsoleForm<serde::de::IgnoredAny>,
) -> PageResult {
    let who = form.who;
    let lang = lang_of(&req, Some(&who));
    let reached = reach(&state, &who, id.into_inner(), lang).await?;
    let (db, user, target, id) = (
        state.db.clone(),
        who.user.id,
        reached.target,
        reached.event.record.id,
    );
    detach(async move { event_types::delete(&db, user, target, id).await })
        .await?
        .map_err(|e| PageError::from_service(lang, e))?;
    Ok(see_other("/event-types?notice=deleted".to_owned()))
}
