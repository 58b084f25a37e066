//! The HTTP boundary's error type and Cal.com's error envelope:
//! `{"status":"error","timestamp":…,"path":…,"error":{"code","message","details"}}`.
//! Unexpected errors are logged with their cause chain; the response says only that
//! something failed and carries the request id.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use chrono::{SecondsFormat, Utc};
use serde_json::json;

use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    TooManyRequests(crate::limits::Refusal),
    #[error("{0}")]
    RequestTimeout(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    /// Cal.com's `error.code`: the NestJS exception class name.
    fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "BadRequestException",
            Self::Unauthorized(_) => "UnauthorizedException",
            Self::Forbidden(_) => "ForbiddenException",
            Self::NotFound(_) => "NotFoundException",
            Self::Conflict(_) => "ConflictException",
            Self::Unprocessable(_) => "UnprocessableEntityException",
            Self::PayloadTooLarge(_) => "PayloadTooLargeException",
            Self::TooManyRequests(_) => "ThrottlerException",
            Self::RequestTimeout(_) => "RequestTimeoutException",
            Self::Unavailable(_) => "ServiceUnavailableException",
            Self::Internal(_) => "InternalServerErrorException",
        }
    }

    fn public_message(&self) -> String {
        match self {
            Self::Internal(_) => {
                "Something went wrong on our side. The x-request-id response header identifies this request in our logs.".to_owned()
            }
            other => other.to_string(),
        }
    }
}

impl From<StorageError> for ApiError {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::NotFound => Self::NotFound("The requested record does not exist".into()),
            StorageError::Conflict(what) => {
                Self::Conflict(format!("This conflicts with an existing record ({what})"))
            }
            StorageError::Overlap => {
                Self::Conflict("The requested time is no longer available".into())
            }
            StorageError::Unavailable(why) => {
                tracing::error!(error = %why, "database unavailable");
                Self::Unavailable("The database is unavailable; try again shortly".into())
            }
            other => Self::Internal(other.into()),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        self.envelope(None)
    }
}

impl ApiError {
    /// An error raised outside our handlers (e.g. by an actix extractor), by its status.
    pub fn from_status(status: StatusCode, message: String) -> Self {
        match status.as_u16() {
            400 => Self::BadRequest(message),
            401 => Self::Unauthorized(message),
            403 => Self::Forbidden(message),
            404 => Self::NotFound(message),
            408 => Self::RequestTimeout(message),
            409 => Self::Conflict(message),
            413 => Self::PayloadTooLarge(message),
            422 => Self::Unprocessable(message),
            503 => Self::Unavailable(message),
            s if (400..500).contains(&s) => Self::BadRequest(message),
            _ => Self::Internal(anyhow::anyhow!(message)),
        }
    }

    /// The envelope for this error; the request middleware adds the request's path.
    pub fn envelope(&self, path: Option<&str>) -> HttpResponse {
        let status = self.status_code();
        let message = self.public_message();
        let mut response = HttpResponse::build(status);
        if let Self::TooManyRequests(refusal) = self {
            crate::http::admission::refusal_headers(&mut response, refusal);
        }
        response.json(json!({
            "status": "error",
            "timestamp": Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
            "path": path,
            "error": {
                "code": self.code(),
                "message": message,
                "details": {
                    "message": message,
                    "error": status.canonical_reason().unwrap_or("Error"),
                    "statusCode": status.as_u16(),
                },
            },
        }))
    }
}
