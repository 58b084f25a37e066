//! The public profile pages: a person's (`/{username}`) and a team's (`/team/{team}`) list of
//! public event types, each linking to its booker. They read, never book.

use actix_web::{HttpRequest, web};
use askama::Template;

use crate::event_types::{self, EventType};
use crate::http::AppState;
use crate::http::pages::i18n::Text;
use crate::http::pages::{Chrome, PageError, PageResult, QueryState, html};

struct Listed {
    title: String,
    description: String,
    lengths: String,
    href: String,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct Profile<'a> {
    chrome: Chrome,
    t: &'a Text,
    name: String,
    bio: String,
    events: Vec<Listed>,
}

/// How a listed event type links to its booker: keeping the language; inside an embed, to the
/// booker's `/embed` form with the embed's whole query (namespace, type, theme, pre-fill), so
/// the frame stays an embed.
struct BookerLinks {
    suffix: &'static str,
    query: String,
}

impl BookerLinks {
    fn new(query: &QueryState) -> Self {
        if query.embedded() {
            Self {
                suffix: "/embed",
                query: query.href(&[]),
            }
        } else {
            Self {
                suffix: "",
                query: query.carry_only(&["lang"]),
            }
        }
    }
}

fn listed(event: &EventType, t: &Text, links: &BookerLinks) -> Listed {
    let lengths: Vec<String> = event.lengths().iter().map(u32::to_string).collect();
    Listed {
        title: event.record.title.clone(),
        description: event.record.description.clone(),
        lengths: format!("{} {}", lengths.join(" / "), t.minutes),
        href: format!("/{}{}{}", event.booking_path(), links.suffix, links.query),
    }
}

/// `/{username}` (and `/{username}/embed`): the person's public event types.
pub async fn profile(
    state: web::Data<AppState>,
    request: HttpRequest,
    username: web::Path<String>,
) -> PageResult {
    let query = QueryState::from_request(&request);
    let lang = query.lang(&request);
    let events = event_types::list_public(&state.db, &username, None, false)
        .await
        .map_err(|e| PageError::from_service(lang, e))?;
    let owner = crate::accounts::public_profile(&state.db, &username)
        .await
        .map_err(|e| PageError::from_service(lang, e.into()))?
        .ok_or_else(|| PageError::not_found(lang))?;
    let t = lang.text();
    let links = BookerLinks::new(&query);
    html(Profile {
        chrome: Chrome::branded(lang, &owner.brand_color, &owner.dark_brand_color, &query),
        t,
        name: owner.name,
        bio: owner.bio,
        events: events.iter().map(|e| listed(e, t, &links)).collect(),
    })
}

/// `/team/{teamSlug}` (and `/team/{teamSlug}/embed`): the team's public event types.
pub async fn team_profile(
    state: web::Data<AppState>,
    request: HttpRequest,
    team: web::Path<String>,
) -> PageResult {
    let query = QueryState::from_request(&request);
    let lang = query.lang(&request);
    let found = crate::teams::public_team(&state.db, &team)
        .await
        .map_err(|e| PageError::from_service(lang, e))?
        .ok_or_else(|| PageError::not_found(lang))?;
    let events = event_types::list_public_team(&state.db, &team, None)
        .await
        .map_err(|e| PageError::from_service(lang, e))?;
    let t = lang.text();
    let links = BookerLinks::new(&query);
    html(Profile {
        chrome: Chrome::new(lang, &found.brand_color, &query),
        t,
        name: found.name,
        bio: found.bio,
        events: events.iter().map(|e| listed(e, t, &links)).collect(),
    })
}
