//! A routing form's hosted page (`/forms/{id}`, and `/forms/{id}/embed` inside an embed's
//! iframe): its questions with the booker's inputs, posted to the same address; the answer is
//! the route's: a redirect to the routed booking page (carrying the response and the routed
//! hosts, so its times are theirs), the form's message, or a redirect to the external URL.
//! Checking, storing and routing are `routing_forms::submit`'s.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::{Map, Value};

use super::form::{Field, Values, field_of, question_field};
use super::submit::{answer, html_with_status, posted};
use crate::http::AppState;
use crate::http::admission::Admitted;
use crate::http::pages::i18n::{Lang, Text};
use crate::http::pages::{Chrome, PageError, PageResult, QueryState, html};
use crate::routing_forms::{self, Form};
use crate::service::ServiceError;

#[derive(Template)]
#[template(path = "routing_form.html")]
struct FormPage {
    chrome: Chrome,
    t: &'static Text,
    name: String,
    description: Option<String>,
    form_action: String,
    fields: Vec<Field>,
    form_error: Option<String>,
    /// The route's message, once submitted.
    message: Option<String>,
}

fn page(
    request: &HttpRequest,
    form: &Form,
    values: &Values,
    errors: &BTreeMap<String, String>,
) -> FormPage {
    let query = QueryState::from_request(request);
    let lang = query.lang(request);
    let t = lang.text();
    FormPage {
        chrome: Chrome::new(lang, "", &query),
        t,
        name: form.record.name.clone(),
        description: form.record.description.clone(),
        form_action: format!("{}{}", request.path(), query.href(&[])),
        fields: (form.fields.iter())
            .filter(|f| !f.is_hidden())
            .map(|f| question_field(f, t, values, errors.get(&f.slug).cloned()))
            .collect(),
        form_error: None,
        message: None,
    }
}

async fn find(state: &AppState, lang: Lang, id: i64) -> Result<Form, PageError> {
    routing_forms::find_public(&state.db, id)
        .await
        .map_err(|e| PageError::from_service(lang, e))
}

/// `GET`: the form, pre-filled from the query (Cal.com's forms take answers there too).
pub async fn show(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
) -> PageResult {
    let query = QueryState::from_request(&request);
    let form = find(&state, query.lang(&request), *id).await?;
    let mut values = Values::new();
    for (key, value) in query.pairs() {
        values.entry(key.clone()).or_default().push(value.clone());
    }
    html(page(&request, &form, &values, &BTreeMap::new()))
}

/// `POST`: submits the answers and goes where the route says.
pub async fn submit(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
    body: web::Bytes,
) -> PageResult {
    let query = QueryState::from_request(&request);
    let lang = query.lang(&request);
    let admitted =
        Admitted::client(&state, &request).map_err(|r| PageError::too_many_requests(lang, r))?;
    let form = find(&state, lang, *id).await?;
    let values = posted(&body, &query);
    let answers: Map<String, Value> = (form.fields.iter())
        .filter_map(|f| {
            values
                .get(&f.slug)
                .map(|list| (f.slug.clone(), answer(f, list)))
        })
        .collect();
    let routed =
        match routing_forms::submit(&state.db, &state.outbox, *id, &Value::Object(answers)).await {
            Ok(routed) => routed,
            Err(ServiceError::Invalid(message)) => {
                let (field, text) = field_of(&message);
                let errors = BTreeMap::from([(field, text)]);
                let mut again = page(&request, &form, &values, &errors);
                again.form_error = Some(lang.text().fix_errors.to_owned());
                return html_with_status(again, StatusCode::UNPROCESSABLE_ENTITY);
            }
            Err(e) => return Err(PageError::from_service(lang, e)),
        };
    let to = &routed.routed_to;
    let mut response = match to["type"].as_str() {
        Some("eventTypeRedirectUrl") => {
            see_other(&embedded(&query, to["bookingUrl"].as_str().unwrap_or("/")))
        }
        Some("externalRedirectUrl") => {
            // As the URL parser writes it: ASCII, as a Location header must be.
            let url = url::Url::parse(to["url"].as_str().unwrap_or_default());
            see_other(url.as_ref().map_or("/", url::Url::as_str))
        }
        _ => {
            let mut done = page(&request, &form, &Values::new(), &BTreeMap::new());
            done.message = to["message"].as_str().map(str::to_owned);
            return html(done);
        }
    };
    admitted.headers(&mut response);
    Ok(response)
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, location))
        .finish()
}

/// Inside an embed, the booking page's `/embed` form, with the embed's parameters.
fn embedded(query: &QueryState, url: &str) -> String {
    if !query.embedded() {
        return url.to_owned();
    }
    let (path, routing) = url.split_once('?').unwrap_or((url, ""));
    let embed = query
        .only(&["embed", "embedType", "lang", "theme"])
        .href(&[]);
    format!("{path}/embed{embed}&{routing}")
}
