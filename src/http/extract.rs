//! Extractors: the caller identified by an API key.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};

use super::AppState;
use crate::accounts::{self, Caller};
use crate::error::ApiError;

/// A request authenticated with `Authorization: Bearer <api key>`.
pub struct Authenticated(pub Caller);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let presented = bearer_token(req);
        Box::pin(async move {
            let state = state
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
            let presented = presented.ok_or_else(|| {
                ApiError::Unauthorized(
                    "Missing API key: send it as `Authorization: Bearer <api key>`".into(),
                )
            })?;
            // Detached: when another extractor of the same handler fails, this future is dropped
            // mid-query.
            let db = state.db.clone();
            super::detached(async move { accounts::authenticate(&db, &presented).await })
                .await??
                .map(Authenticated)
                .ok_or_else(|| {
                    ApiError::Unauthorized("The API key is invalid, revoked or expired".into())
                })
        })
    }
}

/// A caller who may or may not present an API key (public endpoints that show more to the
/// owner). A key that is presented must be valid.
pub struct OptionalCaller(pub Option<Caller>);

impl FromRequest for OptionalCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if bearer_token(req).is_none() {
            return Box::pin(async { Ok(OptionalCaller(None)) });
        }
        let authenticated = Authenticated::from_request(req, payload);
        Box::pin(async move { Ok(OptionalCaller(Some(authenticated.await?.0))) })
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

/// A JSON request body: type errors name the field (`availability[0].days`), as the API's
/// validation messages do. Nothing may follow the value, and no string anywhere in it may hold
/// NUL: the typed fields refuse control characters themselves (`domain::text`), and this is the
/// guard for what a body carries untyped, since PostgreSQL cannot store NUL.
pub fn parse_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if path == "." {
            ApiError::BadRequest(format!("The request body is not valid JSON: {inner}"))
        } else if inner.starts_with(['.', '[']) {
            // A nested part's own path (`bookingFieldsResponses` + `.notes: …`).
            ApiError::BadRequest(format!("{path}{inner}"))
        } else {
            ApiError::BadRequest(format!("{path}: {inner}"))
        }
    })?;
    deserializer.end().map_err(|e| {
        ApiError::BadRequest(format!(
            "The request body is not valid JSON: trailing characters after the value ({e})"
        ))
    })?;
    refuse_nul(bytes)?;
    Ok(value)
}

/// NUL can only come in escaped (`\u0000`); only a body that spells it is read again to find
/// where.
fn refuse_nul(bytes: &[u8]) -> Result<(), ApiError> {
    if !bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        return Ok(());
    }
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("The request body is not valid JSON: {e}")))?;
    match crate::domain::text::nul_in(&value) {
        None => Ok(()),
        Some(path) if path.is_empty() => Err(ApiError::BadRequest(
            "The request body must not contain the NUL character".into(),
        )),
        Some(path) => Err(ApiError::BadRequest(format!(
            "{}: must not contain the NUL character",
            path.trim_start_matches('.')
        ))),
    }
}
