//! `/v2/calendars`, `/v2/selected-calendars` and `/v2/destination-calendars`: Cal.com's
//! calendar endpoints over `calendars::Calendars` (connect, list, select, destination, check,
//! disconnect, cached busy times), plus Kairos' CalDAV credentials for any server and the
//! endpoints Google and Microsoft push change notifications to.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::success;
use crate::calendars::connections::{ConnectionView, ICLOUD_CALDAV};
use crate::calendars::google::Google;
use crate::calendars::microsoft::validation_token;
use crate::calendars::{Calendars, Provider};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::admission::Admitted;
use crate::http::extract::{Authenticated, parse_body};
use crate::storage::calendars::CalendarRecord;

fn service(state: &AppState) -> Result<&Calendars, ApiError> {
    state
        .calendars
        .as_ref()
        .ok_or_else(|| ApiError::BadRequest("external calendars are not available".into()))
}

fn provider(name: &str) -> Result<Provider, ApiError> {
    Provider::from_cal(name).ok_or_else(|| {
        ApiError::NotFound(format!(
            "unknown calendar `{name}`; use google, office365, apple, caldav or ics-feed"
        ))
    })
}

fn calendar_json(p: Provider, c: &CalendarRecord, email: &str) -> Value {
    json!({
        "externalId": c.external_id,
        "name": c.name,
        "primary": c.is_primary,
        "readOnly": c.read_only,
        "isSelected": c.selected,
        "credentialId": c.connection_id,
        "integration": p.integration(),
        "email": email,
    })
}

fn connection_json(view: &ConnectionView) -> Value {
    let p = view.provider;
    let r = &view.record;
    let calendars: Vec<Value> = view
        .calendars
        .iter()
        .map(|c| calendar_json(p, c, &r.account))
        .collect();
    let primary = view
        .calendars
        .iter()
        .find(|c| c.is_primary)
        .map(|c| calendar_json(p, c, &r.account));
    json!({
        "integration": {
            "name": p.title(),
            "title": p.title(),
            "type": p.integration(),
            "slug": p.slug(),
            "variant": "calendar",
            "categories": ["calendar"],
            "installed": true,
        },
        "credentialId": r.id,
        "primary": primary,
        "calendars": calendars,
        "status": r.status,
        "invalid": r.status == "invalid",
        "invalidReason": r.invalid_reason,
        "lastError": r.last_error,
        "syncedAt": r.synced_at.map(|t| t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    })
}

pub async fn list(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let (views, destination) = service(&state)?.list(&caller.user).await?;
    let destination = destination.map(|d| {
        let view = views.iter().find(|v| v.record.id == d.connection_id);
        let p = view.map_or(Provider::Ics, |v| v.provider);
        json!({
            "id": d.id,
            "integration": p.integration(),
            "externalId": d.external_id,
            "userId": caller.user.id,
            "eventTypeId": null,
            "credentialId": d.connection_id,
            "name": d.name,
            "primary": d.is_primary,
            "readOnly": d.read_only,
            "integrationTitle": p.title(),
        })
    });
    let connected: Vec<Value> = views.iter().map(connection_json).collect();
    Ok(HttpResponse::Ok().json(success(json!({
        "connectedCalendars": connected,
        "destinationCalendar": destination,
    }))))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectQuery {
    redir: Option<String>,
}

pub async fn connect(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<String>,
    query: web::Query<ConnectQuery>,
) -> Result<HttpResponse, ApiError> {
    let p = provider(&path)?;
    if !matches!(p, Provider::Google | Provider::Office365) {
        return Err(ApiError::BadRequest(format!(
            "{} connects with credentials, not OAuth",
            p.title()
        )));
    }
    let redir = query.redir.as_deref().map(check_redirect).transpose()?;
    let url = service(&state)?.oauth_url(&caller.user, p, redir, Utc::now())?;
    Ok(HttpResponse::Ok().json(success(json!({"authUrl": url}))))
}

/// Where a host may be sent back to after connecting: an absolute http(s) URL.
fn check_redirect(raw: &str) -> Result<&str, ApiError> {
    match url::Url::parse(raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && raw.len() <= 2048 => Ok(raw),
        _ => Err(ApiError::BadRequest(
            "redir must be an absolute http(s) URL".into(),
        )),
    }
}

#[derive(Deserialize)]
pub struct SaveQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The provider sends the host's browser here: no API key, the signed `state` says who.
pub async fn save(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<SaveQuery>,
) -> Result<HttpResponse, ApiError> {
    let p = provider(&path)?;
    if let Some(error) = &query.error {
        let error: String = error.chars().take(100).collect();
        // A host who said no goes back where they started, told why, when `state` is ours.
        let back = query.state.as_deref().and_then(|token| {
            let calendars = state.calendars.as_ref()?;
            calendars.oauth_return(p, token, Utc::now())
        });
        if let Some(mut url) = back.and_then(|b| url::Url::parse(&b).ok()) {
            url.query_pairs_mut().append_pair("error", &error);
            return Ok(HttpResponse::Found()
                .insert_header(("Location", url.as_str()))
                .finish());
        }
        return Err(ApiError::BadRequest(format!(
            "the provider did not grant access ({error}); connect again"
        )));
    }
    let (Some(code), Some(token)) = (&query.code, &query.state) else {
        return Err(ApiError::BadRequest("code and state are required".into()));
    };
    let (id, back) = service(&state)?
        .oauth_save(p, code, token, Utc::now())
        .await?;
    Ok(match back {
        Some(url) => HttpResponse::Found()
            .insert_header(("Location", url))
            .finish(),
        None => HttpResponse::Ok().json(success(
            json!({"credentialId": id, "type": p.integration()}),
        )),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CredentialsInput {
    username: String,
    password: String,
    server_url: Option<String>,
}

/// `POST /v2/calendars/apple/credentials` (Cal.com) and `/v2/calendars/caldav/credentials`.
pub async fn credentials(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let input: CredentialsInput = parse_body(&body)?;
    let server = match (path.as_str(), input.server_url.as_deref()) {
        ("apple", None) => ICLOUD_CALDAV,
        ("caldav", Some(url)) => url,
        ("caldav", None) => return Err(ApiError::BadRequest("serverUrl is required".into())),
        ("apple", Some(_)) => {
            return Err(ApiError::BadRequest(
                "serverUrl is for caldav; apple always uses iCloud".into(),
            ));
        }
        (other, _) => {
            return Err(ApiError::NotFound(format!(
                "`{other}` does not connect with credentials; use apple or caldav"
            )));
        }
    };
    let id = service(&state)?
        .connect_caldav(
            &caller.user,
            server,
            &input.username,
            &input.password,
            Utc::now(),
        )
        .await?;
    Ok(HttpResponse::Created().json(success(json!({
        "id": id, "type": Provider::CalDav.integration(), "userId": caller.user.id, "invalid": false,
    }))))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IcsInput {
    urls: Vec<String>,
    #[serde(default)]
    read_only: Option<bool>,
}

pub async fn ics_save(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let input: IcsInput = parse_body(&body)?;
    if input.read_only == Some(false) {
        return Err(ApiError::BadRequest(
            "readOnly: ICS feeds are read-only; omit it or send true".into(),
        ));
    }
    let ids = service(&state)?
        .connect_ics(&caller.user, &input.urls, Utc::now())
        .await?;
    let first = ids.first().copied();
    Ok(HttpResponse::Created().json(success(json!({
        "id": first, "ids": ids, "type": Provider::Ics.integration(), "userId": caller.user.id,
        "teamId": null, "appId": "ics-feed", "invalid": false,
    }))))
}

pub async fn check(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let p = provider(&path)?;
    let results = service(&state)?.check(&caller.user, p, Utc::now()).await?;
    if results.is_empty() {
        return Err(ApiError::NotFound(format!("no {} is connected", p.title())));
    }
    let items: Vec<Value> = results
        .iter()
        .map(|(r, outcome)| {
            json!({
                "credentialId": r.id,
                "account": r.account,
                "ok": outcome.is_ok(),
                "error": outcome.as_ref().err(),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(success(json!({
        "ok": results.iter().all(|(_, o)| o.is_ok()),
        "connections": items,
    }))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisconnectInput {
    id: i64,
}

pub async fn disconnect(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let p = provider(&path)?;
    let input: DisconnectInput = parse_body(&body)?;
    let record = service(&state)?
        .disconnect(&caller.user, p, input.id)
        .await?;
    Ok(HttpResponse::Ok().json(success(json!({
        "id": record.id, "type": p.integration(), "userId": caller.user.id, "invalid": record.status == "invalid",
    }))))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BusyQuery {
    date_from: Option<String>,
    date_to: Option<String>,
}

fn instant(field: &str, raw: Option<&str>) -> Result<DateTime<Utc>, ApiError> {
    let raw = raw.ok_or_else(|| ApiError::BadRequest(format!("{field} is required")))?;
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Ok(at.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        .map_err(|_| {
            ApiError::BadRequest(format!(
                "{field} must be a date (2026-12-31) or an ISO 8601 instant"
            ))
        })
}

pub async fn busy_times(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    query: web::Query<BusyQuery>,
) -> Result<HttpResponse, ApiError> {
    let from = instant("dateFrom", query.date_from.as_deref())?;
    let to = instant("dateTo", query.date_to.as_deref())?;
    let busy = service(&state)?.busy_times(&caller.user, from, to).await?;
    let format = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let items: Vec<Value> = busy
        .iter()
        .map(|b| json!({"start": format(b.start), "end": format(b.end), "source": b.calendar_id.to_string()}))
        .collect();
    Ok(HttpResponse::Ok().json(success(Value::Array(items))))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SelectedInput {
    integration: String,
    external_id: String,
    credential_id: Option<i64>,
    #[serde(default)]
    delegation_credential_id: Option<Value>,
}

fn selected_json(user_id: i64, integration: &str, c: &CalendarRecord) -> Value {
    json!({
        "userId": user_id,
        "integration": integration,
        "externalId": c.external_id,
        "credentialId": c.connection_id,
        "isSelected": c.selected,
    })
}

pub async fn select(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let input: SelectedInput = parse_body(&body)?;
    let _ = input.delegation_credential_id;
    let calendar = service(&state)?
        .select(
            &caller.user,
            &input.integration,
            &input.external_id,
            input.credential_id,
            true,
            Utc::now(),
        )
        .await?;
    Ok(HttpResponse::Created().json(success(selected_json(
        caller.user.id,
        &input.integration,
        &calendar,
    ))))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeselectQuery {
    integration: Option<String>,
    external_id: Option<String>,
    credential_id: Option<i64>,
}

pub async fn deselect(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    query: web::Query<DeselectQuery>,
) -> Result<HttpResponse, ApiError> {
    let (Some(integration), Some(external_id)) = (&query.integration, &query.external_id) else {
        return Err(ApiError::BadRequest(
            "integration and externalId are required".into(),
        ));
    };
    let calendar = service(&state)?
        .select(
            &caller.user,
            integration,
            external_id,
            query.credential_id,
            false,
            Utc::now(),
        )
        .await?;
    Ok(HttpResponse::Ok().json(success(selected_json(
        caller.user.id,
        integration,
        &calendar,
    ))))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DestinationInput {
    integration: String,
    external_id: String,
    event_type_id: Option<i64>,
    #[serde(default)]
    delegation_credential_id: Option<Value>,
}

pub async fn destination(
    state: web::Data<AppState>,
    Authenticated(caller): Authenticated,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let input: DestinationInput = parse_body(&body)?;
    let _ = input.delegation_credential_id;
    let calendar = service(&state)?
        .set_destination(
            &caller.user,
            &input.integration,
            &input.external_id,
            input.event_type_id,
        )
        .await?;
    Ok(HttpResponse::Ok().json(success(json!({
        "userId": caller.user.id,
        "integration": input.integration,
        "externalId": calendar.external_id,
        "credentialId": calendar.connection_id,
        "eventTypeId": input.event_type_id,
    }))))
}

/// `POST /v2/calendars/google/notifications`: Google's push notifications, all in headers
/// (`X-Goog-Channel-ID`, `-Resource-ID`, `-Resource-State`, `-Channel-Token`). No API key: the
/// channel's token proves the sender. Answered at once; the sync runs on the job runner.
pub async fn google_notifications(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let admitted = Admitted::client(&state, &request)?;
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    let notification = Google::notification(header)
        .ok_or_else(|| ApiError::BadRequest("not a Google push notification".into()))?;
    service(&state)?
        .google_notification(&notification, Utc::now())
        .await?;
    let mut response = HttpResponse::Ok().json(json!({"status": "success"}));
    admitted.headers(&mut response);
    Ok(response)
}

/// `POST /v2/calendars/office365/notifications`: Graph's validation handshake
/// (`?validationToken=`, answered 200 text/plain with the token) and change notifications
/// (answered 202). No API key: each notification's `clientState` proves the sender.
pub async fn office365_notifications(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let admitted = Admitted::client(&state, &request)?;
    if let Some(token) = validation_token(request.query_string()) {
        return Ok(HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .body(token));
    }
    service(&state)?
        .graph_notifications(&body, Utc::now())
        .await?;
    let mut response = HttpResponse::Accepted().json(json!({"status": "success"}));
    admitted.headers(&mut response);
    Ok(response)
}
