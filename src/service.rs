//! The error every use case (accounts, schedules, …) returns, whatever called it: the API maps
//! it to Cal.com's envelope, the CLI prints it as one line.

use crate::error::ApiError;
use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input breaks a rule; the message names the field.
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unauthorized(String),
    /// Well-formed but cannot be processed (e.g. an idempotency key reused for another request).
    #[error("{0}")]
    Unprocessable(String),
    /// The caller may see the thing but not do this to it.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Invalid(m) => Self::BadRequest(m),
            ServiceError::Conflict(m) => Self::Conflict(m),
            ServiceError::Forbidden(m) => Self::Forbidden(m),
            ServiceError::Unauthorized(m) => Self::Unauthorized(m),
            ServiceError::Unprocessable(m) => Self::Unprocessable(m),
            ServiceError::NotFound(m) => Self::NotFound(m),
            ServiceError::Storage(e) => e.into(),
            ServiceError::Internal(e) => Self::Internal(e),
        }
    }
}
