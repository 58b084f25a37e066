//! `/event-types`: the signed-in user's event types, personal and of each team they belong
//! to, with their public links. The landing page after sign-in.

use actix_web::{HttpRequest, web};
use askama::Template;

use super::{Frame, Nav, Section, pick};
use crate::event_types::{self, EventType, Target};
use crate::http::pages::i18n::Lang;
use crate::http::pages::{Chrome, PageError, PageResult, html};
use crate::http::{AppState, detached};
use crate::service::ServiceError;
use crate::sessions::SignedIn;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/event-types", web::get().to(list));
}

/// One owner's event types: the person's own, or one team's.
struct Group {
    title: String,
    rows: Vec<Row>,
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
    }
}

#[derive(Template)]
#[template(path = "console/event_types.html")]
struct ListPage {
    chrome: Chrome,
    nav: Nav,
    words: Words,
    groups: Vec<Group>,
}

async fn groups(state: &AppState, who: &SignedIn) -> Result<Vec<Group>, ServiceError> {
    let (db, user) = (state.db.clone(), who.user.clone());
    let personal = event_types::list(&db, user.id, Target::Personal).await?;
    let mut groups = vec![Group {
        title: user.name.clone(),
        rows: personal.iter().map(Row::of).collect(),
    }];
    for team in crate::teams::list(&db, user.id).await? {
        let events = event_types::list(&db, user.id, Target::Team(team.id)).await?;
        groups.push(Group {
            title: team.name.clone(),
            rows: events.iter().map(Row::of).collect(),
        });
    }
    Ok(groups)
}

async fn list(req: HttpRequest, state: web::Data<AppState>, who: SignedIn) -> PageResult {
    let Frame { lang, chrome, nav } = Frame::new(&req, &who, Section::EventTypes);
    let words = words(lang);
    let found = {
        let state = state.clone();
        let who = who.clone();
        detached(async move { groups(&state, &who).await })
            .await
            .map_err(|_| PageError::internal("event types task failed"))?
    };
    let mut groups = found.map_err(|e| PageError::from_service(lang, e))?;
    groups[0].title = format!("{} · {}", words.personal, groups[0].title);
    html(ListPage {
        chrome,
        nav,
        words,
        groups,
    })
}
