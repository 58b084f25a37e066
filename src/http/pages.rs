//! Server-rendered pages (askama templates in `templates/`) and their static files.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;

use super::AppState;
use crate::storage::Backend;

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct Home {
    backend: &'static str,
    base_url: String,
}

pub async fn home(state: web::Data<AppState>) -> Home {
    Home {
        backend: match state.db.backend() {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        },
        base_url: state.base_url.clone(),
    }
}

/// The stylesheet, compiled into the binary so a single file is the whole deployment.
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../static/kairos.css"))
}
